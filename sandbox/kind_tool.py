"""kind's verbs as :class:`sandbox.lifecycle.ClusterTool`, the tool a sandbox's life runs on.

Apart from :mod:`sandbox.kind` because loading an image is more than a kind verb: it goes through
:mod:`sandbox.images` (which picks how, and itself calls kind), so the bundle sits above both.
"""

from __future__ import annotations

from pathlib import Path

from sandbox import kind


class KindCli:
    """kind's verbs as :class:`sandbox.lifecycle.ClusterTool`: one kind cluster per sandbox."""

    name = "kind"

    def create(self, cluster: str, *, kubeconfig: Path, config: Path, image: str) -> None:
        kind.create_cluster(cluster, kubeconfig=kubeconfig, config=config, image=image)

    def delete(self, cluster: str, *, kubeconfig: Path) -> None:
        kind.delete_cluster(cluster, kubeconfig=kubeconfig)

    def list(self) -> list[str]:
        return kind.get_clusters()

    def kubeconfig(self, cluster: str) -> str:
        return kind.get_kubeconfig(cluster)

    def load_image(self, cluster: str, image: str) -> None:
        from sandbox import images  # only `start` loads images; `up`, `ls` and `down` need not import it

        images.load(cluster, image)


__all__ = ["KindCli"]

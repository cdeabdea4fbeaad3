"""kind's verbs as :class:`sandbox.lifecycle.ClusterTool`, the tool a sandbox's life runs on.

Apart from :mod:`sandbox.kind`, the wrapper of each kind command, as the bundle that
:mod:`sandbox.lifecycle` and :mod:`sandbox.kind_backend` drive.
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


__all__ = ["KindCli"]

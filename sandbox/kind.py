"""The kind command line, wrapped: every verb kubecourse uses, with its own timeout.

Every call that touches a cluster passes ``--name`` and, where kind reads or writes credentials,
``--kubeconfig`` with the sandbox's own file, so kind never writes the learner's
``~/.kube/config`` (by default it does, and switches the current context). Output parsing of
``get clusters`` / ``get nodes`` lives here too. :class:`KindBackend` implements
:class:`sandbox.backend.Backend` on top of these functions.
"""

from __future__ import annotations

from pathlib import Path

from sandbox import _run

# The node image pinned by digest, so that every learner runs the same Kubernetes. kind's
# release notes for v0.31.0 (https://github.com/kubernetes-sigs/kind/releases/tag/v0.31.0) say:
# "The default node image is now kindest/node:v1.35.0@sha256:452d707d...". kind requires the
# digest to guarantee an image built for its release; use kind >= 0.31 with this image.
DEFAULT_NODE_IMAGE = "kindest/node:v1.35.0@sha256:452d707d4862f52530247495d180205e029056831160e22870e37e3f6c1ac31f"

# Per-verb timeouts in seconds. A one-node create takes 12-60 s; image pulls on a slow network and
# multi-node clusters take longer, so creation gets minutes. Reads are quick or broken.
VERSION_TIMEOUT = 15
GET_TIMEOUT = 30
CREATE_TIMEOUT = 600
DELETE_TIMEOUT = 180
LOAD_TIMEOUT = 600


def version() -> str:
    """``kind version`` output, e.g. ``kind v0.31.0 go1.25.5 linux/amd64``."""
    return _run.run(["kind", "version"], timeout=VERSION_TIMEOUT).stdout.strip()


def get_clusters() -> list[str]:
    """Names of every kind cluster on this host (kind finds them by a container label)."""
    done = _run.run(["kind", "get", "clusters"], timeout=GET_TIMEOUT)
    return parse_lines(done.stdout)


def get_nodes(cluster: str) -> list[str]:
    """Node names of ``cluster`` (empty when it has none)."""
    done = _run.run(["kind", "get", "nodes", "--name", cluster], timeout=GET_TIMEOUT)
    return parse_lines(done.stdout)


def parse_lines(stdout: str) -> list[str]:
    """Names printed one per line; kind prints "No kind clusters found." on stderr when empty."""
    return [line.strip() for line in stdout.splitlines() if line.strip() and " " not in line.strip()]


def create_argv(cluster: str, *, kubeconfig: Path, config: Path, image: str) -> list[str]:
    """The ``kind create cluster`` argument list (separate so tests and docs can show it)."""
    return [
        "kind",
        "create",
        "cluster",
        "--name",
        cluster,
        "--image",
        image,
        "--config",
        str(config),
        "--kubeconfig",
        str(kubeconfig),
    ]


def create_cluster(cluster: str, *, kubeconfig: Path, config: Path, image: str, timeout: float | None = None) -> None:
    """Create ``cluster``; kind writes its credentials into ``kubeconfig`` only."""
    _run.run(create_argv(cluster, kubeconfig=kubeconfig, config=config, image=image), timeout=timeout or CREATE_TIMEOUT)


def delete_cluster(cluster: str, *, kubeconfig: Path, timeout: float | None = None) -> None:
    """Delete ``cluster`` (kind succeeds when it does not exist)."""
    _run.run(
        ["kind", "delete", "cluster", "--name", cluster, "--kubeconfig", str(kubeconfig)],
        timeout=timeout or DELETE_TIMEOUT,
    )


def get_kubeconfig(cluster: str) -> str:
    """The cluster's kubeconfig as text (from the node, not from any file)."""
    return _run.run(["kind", "get", "kubeconfig", "--name", cluster], timeout=GET_TIMEOUT).stdout


def load_docker_image(cluster: str, image: str, *, timeout: float | None = None) -> None:
    """Copy a local Docker image into every node of ``cluster``."""
    _run.run(["kind", "load", "docker-image", image, "--name", cluster], timeout=timeout or LOAD_TIMEOUT)


class KindBackend:
    """The kind backend of :class:`sandbox.backend.Backend`: one kind cluster per sandbox."""

    name = "kind"

    def create(self, cluster: str, *, kubeconfig: Path, config: Path, image: str) -> None:
        create_cluster(cluster, kubeconfig=kubeconfig, config=config, image=image)

    def delete(self, cluster: str, *, kubeconfig: Path) -> None:
        delete_cluster(cluster, kubeconfig=kubeconfig)

    def list(self) -> list[str]:
        return get_clusters()

    def kubeconfig(self, cluster: str) -> str:
        return get_kubeconfig(cluster)

    def load_image(self, cluster: str, image: str) -> None:
        load_docker_image(cluster, image)


__all__ = [
    "CREATE_TIMEOUT",
    "DEFAULT_NODE_IMAGE",
    "DELETE_TIMEOUT",
    "GET_TIMEOUT",
    "KindBackend",
    "LOAD_TIMEOUT",
    "VERSION_TIMEOUT",
    "create_argv",
    "create_cluster",
    "delete_cluster",
    "get_clusters",
    "get_kubeconfig",
    "get_nodes",
    "load_docker_image",
    "parse_lines",
    "version",
]

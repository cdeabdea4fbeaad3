"""The kind command line, wrapped: every verb kubecourse uses, with its own timeout.

Every call that touches a cluster passes ``--name`` and, where kind reads or writes credentials,
``--kubeconfig`` with the sandbox's own file, so kind never writes the learner's
``~/.kube/config`` (by default it does, and switches the current context). Output parsing of
``get clusters`` / ``get nodes`` lives here too. :class:`KindCli` bundles the
verbs a sandbox's life needs; the kind *backend* of sandboxes is
:class:`sandbox.kind_backend.KindBackend`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from coursecore.errors import EnvironmentProblem
from sandbox import _run, engine
from sandbox.errors import SandboxError

# The node image pinned by digest, so that every learner runs the same Kubernetes. kind's
# release notes for v0.31.0 (https://github.com/kubernetes-sigs/kind/releases/tag/v0.31.0) say:
# "The default node image is now kindest/node:v1.35.0@sha256:452d707d...". kind requires the
# digest to guarantee an image built for its release; use kind >= 0.31 with this image.
DEFAULT_NODE_IMAGE = "kindest/node:v1.35.0@sha256:452d707d4862f52530247495d180205e029056831160e22870e37e3f6c1ac31f"
# The kind release whose default node image that is (pkg/apis/config/defaults/image.go at v0.31.0).
PINNED_KIND = (0, 31, 0)
INSTALL_PINNED_KIND = (
    "install kind v0.31.0: `go install sigs.k8s.io/kind@v0.31.0`, or the release binary "
    "https://kind.sigs.k8s.io/dl/v0.31.0/kind-linux-amd64 (see https://kind.sigs.k8s.io/docs/user/quick-start/)"
)
_VERSION = re.compile(r"\bv?(\d+)\.(\d+)\.(\d+)")

# Per-verb timeouts in seconds. A one-node create takes 12-60 s; image pulls on a slow network and
# multi-node clusters take longer, so creation gets minutes. Reads are quick or broken.
VERSION_TIMEOUT = 15
GET_TIMEOUT = 30
CREATE_TIMEOUT = 600
DELETE_TIMEOUT = 180
LOAD_TIMEOUT = 600


def _kind(args: list[str], *, timeout: float, check: bool = True) -> _run.Completed:
    """Run kind with the provider kubecourse detected (:mod:`sandbox.engine`)."""
    return _run.run(["kind", *args], timeout=timeout, env=engine.detect().kind_env, check=check)


def version() -> str:
    """``kind version`` output, e.g. ``kind v0.31.0 go1.25.5 linux/amd64``."""
    return _kind(["version"], timeout=VERSION_TIMEOUT).stdout.strip()


@dataclass(frozen=True, kw_only=True)
class VersionCheck:
    """The installed kind compared with the release whose node image is pinned."""

    found: str
    """What ``kind version`` printed (first line)."""
    ok: bool
    """False when kind is older than the pinned release (or its version cannot be read)."""
    detail: str
    fix: str = ""


def parse_version(text: str) -> tuple[int, int, int] | None:
    """``(0, 31, 0)`` from ``kind v0.31.0 go1.25.5 linux/amd64`` (``None`` if there is none)."""
    match = _VERSION.search(text.split("go1.")[0] if "go1." in text else text)
    return tuple(int(x) for x in match.groups()) if match else None  # type: ignore[return-value]


def check_version(text: str) -> VersionCheck:
    """Is this kind new enough for :data:`DEFAULT_NODE_IMAGE`?

    kind builds its node images for its own release, and an older kind may not start a newer
    node image (kind's release notes say which images each release supports). A newer kind is
    accepted: it still runs the pinned image by digest, but is reported as untested.
    """
    first = (text.strip().splitlines() or [""])[0]
    pinned = ".".join(map(str, PINNED_KIND))
    found = parse_version(first)
    if found is None:
        return VersionCheck(
            found=first, ok=False, detail=f"cannot read a version from {first!r}", fix=INSTALL_PINNED_KIND
        )
    shown = ".".join(map(str, found))
    if found < PINNED_KIND:
        return VersionCheck(
            found=first,
            ok=False,
            detail=f"kind v{shown} is older than v{pinned}, the release of the pinned node image "
            f"{DEFAULT_NODE_IMAGE.split('@')[0]}",
            fix=INSTALL_PINNED_KIND,
        )
    if found[:2] != PINNED_KIND[:2]:
        return VersionCheck(found=first, ok=True, detail=f"kind v{shown} (labs are tested with v{pinned})")
    return VersionCheck(found=first, ok=True, detail=f"kind v{shown}")


def require_version() -> VersionCheck:
    """Check the installed kind before creating a cluster; raise with what to install."""
    result = check_version(version())
    if not result.ok:
        raise KindTooOld(f"{result.detail}", hint=result.fix)
    return result


def get_clusters() -> list[str]:
    """Names of every kind cluster on this host's engine, kubecourse's or anyone's (kind finds
    them by the container label ``io.x-k8s.kind.cluster``; other users' clusters are listed too)."""
    done = _kind(["get", "clusters"], timeout=GET_TIMEOUT)
    return parse_lines(done.stdout)


def get_nodes(cluster: str) -> list[str]:
    """Node names of ``cluster`` (empty when it has none)."""
    done = _kind(["get", "nodes", "--name", cluster], timeout=GET_TIMEOUT)
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
    """Create ``cluster``; kind writes its credentials into ``kubeconfig`` only.

    An installed kind older than the release of the pinned node image is refused first, saying
    what to install. The caller holds the sandbox's lock, so a ``<kubeconfig>.lock`` left by a killed kind is
    stale and is removed first (kind would fail to export the credentials and keep the nodes).
    """
    require_version()
    clear_stale_kubeconfig_lock(kubeconfig)
    args = create_argv(cluster, kubeconfig=kubeconfig, config=config, image=image)[1:]
    _kind(args, timeout=timeout or CREATE_TIMEOUT)


def delete_cluster(cluster: str, *, kubeconfig: Path, timeout: float | None = None) -> None:
    """Delete ``cluster`` (kind succeeds when it does not exist).

    kind locks ``<kubeconfig>.lock`` with O_EXCL before removing the cluster's entry
    (pkg/cluster/internal/kubeconfig/internal/kubeconfig/lock.go); a kind killed while holding it
    leaves the file, and every later delete then removes the nodes but exits 1. The caller holds
    the sandbox's lock, so no other kind can be using this file: the leftover is removed first.
    """
    clear_stale_kubeconfig_lock(kubeconfig)
    _kind(["delete", "cluster", "--name", cluster, "--kubeconfig", str(kubeconfig)], timeout=timeout or DELETE_TIMEOUT)


def kubeconfig_lock(kubeconfig: Path) -> Path:
    """The lock file kind takes beside a kubeconfig while writing it."""
    return kubeconfig.with_name(kubeconfig.name + ".lock")


def clear_stale_kubeconfig_lock(kubeconfig: Path) -> bool:
    """Remove a leftover ``<kubeconfig>.lock``; True if there was one. Only for callers that
    hold the sandbox's lock (no kind of theirs is running on this file)."""
    path = kubeconfig_lock(kubeconfig)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def load_docker_image(cluster: str, image: str, *, timeout: float | None = None) -> None:
    """``kind load docker-image``: ``docker save`` + ``ctr import --all-platforms`` on each node.

    Fails under Docker's containerd image store for multi-platform images (kind issue #3795) and
    always calls ``docker``, even with the Podman provider: :mod:`sandbox.images` loads through
    :func:`load_image_archive` instead and keeps this for reference and tests.
    """
    _kind(["load", "docker-image", image, "--name", cluster], timeout=timeout or LOAD_TIMEOUT)


def load_image_archive(cluster: str, archive: Path, *, timeout: float | None = None) -> None:
    """``kind load image-archive``: import an image archive into every node, through the
    provider (works with Podman)."""
    _kind(["load", "image-archive", str(archive), "--name", cluster], timeout=timeout or LOAD_TIMEOUT)


class KindTooOld(EnvironmentProblem, SandboxError):
    """The installed kind is older than the release of the pinned node image."""


class KindCli:
    """kind's verbs as :class:`sandbox.lifecycle.ClusterTool`: one kind cluster per sandbox."""

    name = "kind"

    def create(self, cluster: str, *, kubeconfig: Path, config: Path, image: str) -> None:
        create_cluster(cluster, kubeconfig=kubeconfig, config=config, image=image)

    def delete(self, cluster: str, *, kubeconfig: Path) -> None:
        delete_cluster(cluster, kubeconfig=kubeconfig)

    def list(self) -> list[str]:
        return get_clusters()


__all__ = [
    "KindCli",
    "INSTALL_PINNED_KIND",
    "PINNED_KIND",
    "KindTooOld",
    "VersionCheck",
    "check_version",
    "clear_stale_kubeconfig_lock",
    "kubeconfig_lock",
    "load_image_archive",
    "parse_version",
    "require_version",
    "CREATE_TIMEOUT",
    "DEFAULT_NODE_IMAGE",
    "DELETE_TIMEOUT",
    "GET_TIMEOUT",
    "LOAD_TIMEOUT",
    "VERSION_TIMEOUT",
    "create_argv",
    "create_cluster",
    "delete_cluster",
    "get_clusters",
    "get_nodes",
    "load_docker_image",
    "parse_lines",
    "version",
]

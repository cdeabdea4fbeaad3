"""Lab images: build them when the lab ships a Dockerfile, pull them otherwise (by digest when
the lab pins one), and load them into the sandbox's nodes so that pods start without a registry.

Loading does not use ``kind load docker-image``: that command runs ``docker save`` and then
``ctr images import --all-platforms`` on each node (kind v0.31.0,
pkg/cmd/kind/load/docker-image/docker-image.go and pkg/cluster/nodeutils/util.go). Under Docker's
containerd image store, the default of new installs, ``docker save`` of a pulled multi-platform
image writes the whole index while only this platform's blobs exist, and the import fails with
"content digest ... not found" (kind issue #3795). It also always calls ``docker``, even when
the nodes are Podman containers. Instead, in order:

1. save a **single-platform archive** (``<engine> image save --platform linux/ARCH``; engines
   without that flag save plainly, which is single-platform in Docker's classic store and in
   Podman) and load it with ``kind load image-archive``, which goes through kind's provider;
2. if that fails, **import through each node's containerd** for the node's platform only
   (``<engine> exec -i NODE ctr -n k8s.io images import --platform linux/ARCH``), which ignores
   the other platforms' missing content.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import threading
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from coursecore.labs import Image
from sandbox import _run, engine, kind
from sandbox.errors import CommandFailed, SandboxError

INSPECT_TIMEOUT = 30
BUILD_TIMEOUT = 1200  # a first build downloads base layers
PULL_TIMEOUT = 900
SAVE_TIMEOUT = 600
IMPORT_TIMEOUT = 600
_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


@dataclass(frozen=True, kw_only=True)
class PreparedImage:
    """What happened to one image."""

    name: str
    """The name pods use (a digest-pinned reference loses its digest: pods find it by tag)."""
    source: str
    """``local`` (already present), ``built`` or ``pulled``."""
    loaded: bool
    """Loaded into the cluster's nodes."""
    method: str = ""
    """How it was loaded: ``archive`` or ``node import`` (the fallback)."""


@dataclass(frozen=True, kw_only=True)
class Loaded:
    """How one image got into the nodes."""

    image: str
    method: str
    """``archive`` (single-platform archive, ``kind load image-archive``) or ``node import``."""
    fallback_reason: str = ""
    """Why the archive way failed, when the fallback was used."""


def split_pinned(reference: str) -> tuple[str, str | None]:
    """``("busybox:1.36.1", "sha256:...")`` from ``busybox:1.36.1@sha256:...``; the digest is
    ``None`` for a reference without one."""
    match = _DIGEST.search(reference)
    if not match:
        return reference, None
    return reference[: match.start()], match.group(0)[1:]


def node_name(image: Image | str) -> str:
    """The name the nodes know an image by: a pinned reference's tag part."""
    return split_pinned(image.name if isinstance(image, Image) else image)[0]


def present(image: str) -> bool:
    """Whether the local engine (Docker or Podman) has ``image``."""
    done = _run.run([engine.detect().name, "image", "inspect", image], timeout=INSPECT_TIMEOUT, check=False)
    return done.returncode == 0


def repo_digests(image: str) -> list[str]:
    """The registry digests (``repo@sha256:...``) the engine records for a pulled image."""
    done = _run.run(
        [engine.detect().name, "image", "inspect", "--format", "{{json .RepoDigests}}", image],
        timeout=INSPECT_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        return []
    try:
        found = json.loads(done.stdout.strip() or "[]")
    except ValueError:
        return []
    return [d for d in found or [] if isinstance(d, str)]


def ensure_local(image: Image, lab_path: Path | None = None, *, offline: bool = False) -> str:
    """Make ``image`` present locally under :func:`node_name`; returns ``local``, ``built`` or
    ``pulled``. A digest-pinned image is pulled by digest (the engine verifies it) and tagged."""
    tool = engine.detect().name
    name, digest = split_pinned(image.name)
    if digest is not None:
        pinned = image.name
        if not present(pinned):
            if offline:
                raise _offline(pinned)
            _run.run([tool, "pull", pinned], timeout=PULL_TIMEOUT)
            source = "pulled"
        else:
            source = "local"
        if name != pinned:
            _run.run([tool, "tag", pinned, name], timeout=INSPECT_TIMEOUT)
        return source
    if present(name):
        return "local"
    if image.build:
        if lab_path is None:
            raise SandboxError(f"cannot build image {name}: no lab folder given")
        _run.run([tool, "build", "-t", name, str(lab_path / image.build)], timeout=BUILD_TIMEOUT)
        return "built"
    if offline:
        raise _offline(name)
    _run.run([tool, "pull", name], timeout=PULL_TIMEOUT)
    return "pulled"


def _offline(name: str) -> SandboxError:
    return SandboxError(
        f"image {name} is not present locally and this run is offline",
        hint="run `kubecourse prefetch` on a machine with a network first",
    )


class SavedArchives:
    """Archives of local images saved once on this host and loaded into many clusters (``class
    up --lab``): the first cluster that needs an image saves it, the others wait for that save
    and load the same file. ``kind load image-archive`` only reads the archive
    (pkg/cmd/kind/load/image-archive/image-archive.go opens it per node), so sharing it is safe.
    A failed save is not remembered: the next cluster tries again.

    Args:
        folder: where the archives go; the caller removes it (see :func:`saved_archives`).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._guard = threading.Lock()
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._saved: dict[tuple[str, str], Path] = {}

    def get(self, image: str, flavour: str, save: Callable[[Path], None]) -> Path:
        """The archive of ``image`` in ``flavour`` (a platform, or ``all``), made with ``save``
        by the first caller."""
        key = (image, flavour)
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            found = self._saved.get(key)
            if found is not None:
                return found
            path = self.folder / f"{hashlib.sha256(f'{image} {flavour}'.encode()).hexdigest()[:24]}.tar"
            save(path)
            self._saved[key] = path
            return path


@contextmanager
def saved_archives() -> Iterator[SavedArchives]:
    """A :class:`SavedArchives` in a private temporary folder, removed on leaving."""
    with tempfile.TemporaryDirectory(prefix="kubecourse-images-") as tmp:
        yield SavedArchives(Path(tmp))


def load(cluster: str, image: str, *, archives: SavedArchives | None = None) -> Loaded:
    """Load local ``image`` into every node of ``cluster`` (see the module docstring).

    Args:
        archives: archives shared with other clusters of this host (default: saved for this
            call alone, then removed).

    Raises:
        CommandFailed: both ways failed; the message names the fallback's error, ``-v`` both.
    """
    tool = engine.detect().name
    target = engine.node_platform()
    with tempfile.TemporaryDirectory(prefix="kubecourse-image-") as tmp:
        shared = archives or SavedArchives(Path(tmp))
        try:
            archive = shared.get(image, target, lambda path: _save(tool, image, path, platform=target))
            kind.load_image_archive(cluster, archive)
            return Loaded(image=image, method="archive")
        except CommandFailed as first:
            reason, reason_detail = first.message, first.detail
        try:
            plain = shared.get(
                image,
                "all",
                lambda path: _run.run([tool, "image", "save", "-o", str(path), image], timeout=SAVE_TIMEOUT),
            )
            nodes = kind.get_nodes(cluster)
            if not nodes:
                raise CommandFailed(f'no nodes found for cluster "{cluster}"')
            for node in nodes:
                _import_on_node(tool, node, plain, platform=target)
        except CommandFailed as second:
            raise CommandFailed(
                f"failed to load image {image} into {cluster}: {second.message}",
                detail=f"single-platform archive: {reason}\n{reason_detail}\nnode import: {second.detail}",
                hint=f"check `{tool} image inspect {image}`; `kubecourse doctor` checks the engine",
            ) from second
    return Loaded(image=image, method="node import", fallback_reason=reason)


def _save(tool: str, image: str, archive: Path, *, platform: str) -> None:
    """A single-platform archive; engines whose ``save`` has no ``--platform`` flag (Docker
    before 28, which has only the classic store) save plainly, which is single-platform there."""
    argv = [tool, "image", "save", "--platform", platform, "-o", str(archive), image]
    done = _run.run(argv, timeout=SAVE_TIMEOUT, check=False)
    if done.returncode == 0:
        return
    if "unknown flag" in done.stderr:
        _run.run([tool, "image", "save", "-o", str(archive), image], timeout=SAVE_TIMEOUT)
        return
    last = (done.stderr.strip().splitlines() or ["no output"])[-1]
    raise CommandFailed(
        f"`{tool} image save` failed (exit {done.returncode}): {last}",
        detail=f"$ {' '.join(argv)}\n{done.stderr[-_run.STDERR_TAIL :]}",
    )


def _import_on_node(tool: str, node: str, archive: Path, *, platform: str) -> None:
    snapshotter = _snapshotter(tool, node)
    _run.run(
        [
            tool,
            "exec",
            "--privileged",
            "-i",
            node,
            "ctr",
            "--namespace=k8s.io",
            "images",
            "import",
            "--platform",
            platform,
            "--digests",
            f"--snapshotter={snapshotter}",
            "-",
        ],
        timeout=IMPORT_TIMEOUT,
        stdin_path=archive,
    )


def _snapshotter(tool: str, node: str) -> str:
    """The CRI snapshotter of the node's containerd, read as kind reads it (``containerd config
    dump``, config version 2 or 3, pkg/cluster/nodeutils/util.go); ``overlayfs`` if unreadable."""
    done = _run.run([tool, "exec", node, "containerd", "config", "dump"], timeout=INSPECT_TIMEOUT, check=False)
    try:
        config = tomllib.loads(done.stdout) if done.returncode == 0 else {}
    except tomllib.TOMLDecodeError:
        config = {}
    plugins = config.get("plugins") or {}
    if config.get("version") == 3:
        found = (plugins.get("io.containerd.cri.v1.images") or {}).get("snapshotter")
    else:
        found = ((plugins.get("io.containerd.grpc.v1.cri") or {}).get("containerd") or {}).get("snapshotter")
    return found if isinstance(found, str) and found else "overlayfs"


def prepare(
    image: Image,
    cluster: str,
    lab_path: Path | None = None,
    *,
    offline: bool = False,
    archives: SavedArchives | None = None,
) -> PreparedImage:
    """Build or pull ``image`` if needed, then load it into every node of ``cluster``
    (``archives``: shared with the other clusters of this host, see :func:`load`)."""
    source = ensure_local(image, lab_path, offline=offline)
    loaded = load(cluster, node_name(image), archives=archives)
    return PreparedImage(name=node_name(image), source=source, loaded=True, method=loaded.method)


__all__ = [
    "BUILD_TIMEOUT",
    "INSPECT_TIMEOUT",
    "PULL_TIMEOUT",
    "Loaded",
    "PreparedImage",
    "SavedArchives",
    "ensure_local",
    "load",
    "node_name",
    "prepare",
    "present",
    "repo_digests",
    "saved_archives",
    "split_pinned",
]

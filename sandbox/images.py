"""Lab images: build them with Docker when the lab ships a Dockerfile and the image is missing,
pull them otherwise, and load them into the sandbox's nodes with ``kind load docker-image`` (so
pods start without a registry and with ``imagePullPolicy: IfNotPresent``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coursecore.labs import Image
from sandbox import _run, kind
from sandbox.errors import SandboxError

INSPECT_TIMEOUT = 30
BUILD_TIMEOUT = 1200  # a first build downloads base layers
PULL_TIMEOUT = 900


@dataclass(frozen=True, kw_only=True)
class PreparedImage:
    """What happened to one image."""

    name: str
    source: str
    """``local`` (already present), ``built`` or ``pulled``."""
    loaded: bool
    """Loaded into the cluster's nodes."""


def present(image: str) -> bool:
    """Whether the local Docker engine has ``image``."""
    done = _run.run(["docker", "image", "inspect", image], timeout=INSPECT_TIMEOUT, check=False)
    return done.returncode == 0


def ensure_local(image: Image, lab_path: Path | None = None, *, offline: bool = False) -> str:
    """Make ``image`` present locally; returns ``local``, ``built`` or ``pulled``."""
    if present(image.name):
        return "local"
    if image.build:
        if lab_path is None:
            raise SandboxError(f"cannot build image {image.name}: no lab folder given")
        context = lab_path / image.build
        _run.run(["docker", "build", "-t", image.name, str(context)], timeout=BUILD_TIMEOUT)
        return "built"
    if offline:
        raise SandboxError(
            f"image {image.name} is not present locally and this run is offline",
            hint="run `kubecourse prefetch` on a machine with a network first",
        )
    _run.run(["docker", "pull", image.name], timeout=PULL_TIMEOUT)
    return "pulled"


def prepare(image: Image, cluster: str, lab_path: Path | None = None, *, offline: bool = False) -> PreparedImage:
    """Build or pull ``image`` if needed, then load it into every node of ``cluster``."""
    source = ensure_local(image, lab_path, offline=offline)
    kind.load_docker_image(cluster, image.name)
    return PreparedImage(name=image.name, source=source, loaded=True)


__all__ = ["BUILD_TIMEOUT", "INSPECT_TIMEOUT", "PULL_TIMEOUT", "PreparedImage", "ensure_local", "prepare", "present"]

"""The container engine behind kind: Docker or Podman, chosen the way kind itself chooses.

kind v0.31.0 (pkg/internal/runtime/runtime.go, pkg/cluster/provider.go) takes
``KIND_EXPERIMENTAL_PROVIDER`` when it is set, else Docker when ``docker -v`` prints "Docker
version", else Podman when ``podman -v`` prints "podman version". kubecourse follows the same
rule so that images are saved from the engine whose containers are the nodes, and passes the
provider on to every kind call explicitly (a ``docker`` that is really Podman's shim would
otherwise make kind and kubecourse disagree).
"""

from __future__ import annotations

import os
import platform
import shutil
from dataclasses import dataclass

from sandbox import _run
from sandbox.errors import SandboxError

PROVIDER_ENV = "KIND_EXPERIMENTAL_PROVIDER"
PROBE_TIMEOUT = 15
SUPPORTED = ("docker", "podman")
_ARCH = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
}
_detected: dict[tuple[str, str], Engine] = {}


@dataclass(frozen=True, kw_only=True)
class Engine:
    """The engine whose containers are kind's nodes."""

    name: str
    """``docker`` or ``podman``: the command that saves, pulls and builds images."""
    chosen_by: str
    """Why: ``KIND_EXPERIMENTAL_PROVIDER``, or ``detected`` as kind detects it."""

    @property
    def kind_env(self) -> dict[str, str]:
        """Variables every kind call gets, so that kind uses this engine too."""
        return {PROVIDER_ENV: self.name} if self.name == "podman" else {}


def detect() -> Engine:
    """The engine kind will use here (cached per process for each PATH and provider setting).

    Raises:
        SandboxError: ``KIND_EXPERIMENTAL_PROVIDER`` names an engine kubecourse does not drive.
    """
    key = (os.environ.get(PROVIDER_ENV, ""), os.environ.get("PATH", ""))
    if key not in _detected:
        _detected[key] = _detect(key[0])
    return _detected[key]


def _detect(requested: str) -> Engine:
    if requested:
        if requested not in SUPPORTED:
            raise SandboxError(
                f"{PROVIDER_ENV}={requested} is not supported by kubecourse (it drives docker or podman)",
                hint=f"unset {PROVIDER_ENV}, or set it to docker or podman",
            )
        return Engine(name=requested, chosen_by=PROVIDER_ENV)
    if _answers("docker", "Docker version"):
        return Engine(name="docker", chosen_by="detected")
    if _answers("podman", "podman version"):
        return Engine(name="podman", chosen_by="detected")
    return Engine(name="docker", chosen_by="detected")  # neither: calls fail with docker's install hint


def _answers(tool: str, prefix: str) -> bool:
    if shutil.which(tool) is None:
        return False
    try:
        done = _run.run([tool, "-v"], timeout=PROBE_TIMEOUT, check=False)
    except SandboxError:
        return False
    lines = done.stdout.strip().splitlines()
    return done.returncode == 0 and len(lines) == 1 and lines[0].startswith(prefix)


def node_platform() -> str:
    """The platform of kind's nodes: they run natively, so the host's (``linux/amd64``)."""
    machine = platform.machine().lower()
    return f"linux/{_ARCH.get(machine, machine)}"


def forget() -> None:
    """Drop the cached detection (tests change PATH between cases)."""
    _detected.clear()


__all__ = ["PROVIDER_ENV", "SUPPORTED", "Engine", "detect", "forget", "node_platform"]

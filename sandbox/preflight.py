"""Preflight: is this machine ready to run lab sandboxes, and if not, how to fix it.

Each probe is a small function returning a :class:`Finding`; :func:`run_preflight` runs them
all. Probes read the machine (``/proc``, ``shutil.disk_usage``) and ask tools for their version;
they never change anything.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sandbox import _run, engine, kind
from sandbox.errors import SandboxError

# One kind node: its container plus the kubelet and control plane, measured by kind's users at
# roughly 1.5-2 GiB of memory once system pods settle, and a ~1.5 GB node image on disk.
NODE_MEMORY_BYTES = 2 * 1024**3
NODE_DISK_BYTES = 3 * 1024**3
# Each node runs kubelet, containerd and systemd that each hold inotify instances; kind's
# known-issues page recommends these values for running several clusters. With the common
# default of 128 instances the 13th cluster is the one reported failing to start
# (https://kind.sigs.k8s.io/docs/user/known-issues/#pod-errors-due-to-too-many-open-files), so a
# node takes about 10 instances.
INOTIFY_INSTANCES_PER_NODE = 10
INOTIFY_WATCHES_PER_NODE = 4000
RECOMMENDED_INOTIFY = {"fs.inotify.max_user_watches": 524288, "fs.inotify.max_user_instances": 512}
VERSION_TIMEOUT = 15
DAEMON_TIMEOUT = 20


@dataclass(frozen=True, kw_only=True)
class Finding:
    """The outcome of one probe."""

    name: str
    """What was checked, e.g. ``kind`` or ``memory``."""
    ok: bool
    """Whether labs can run as far as this probe can tell."""
    detail: str
    """What was found (a version, an amount)."""
    fix: str = ""
    """How to fix a problem: an install command or a sysctl line. Empty when ``ok``."""


@dataclass(frozen=True, kw_only=True)
class Preflight:
    """All findings, and how many single-node sandboxes the machine can hold."""

    findings: tuple[Finding, ...]
    capacity: int
    """Estimated number of one-node sandboxes this host can hold at once."""
    limits: dict[str, int] = field(default_factory=dict)
    """Capacity allowed by each resource (memory, disk, inotify), before taking the minimum."""

    @property
    def ready(self) -> bool:
        return all(f.ok for f in self.findings)

    def to_json(self) -> dict:
        return {
            "ready": self.ready,
            "capacity": self.capacity,
            "limits": self.limits,
            "findings": [asdict(f) for f in self.findings],
        }


def probe_tool(name: str, version_args: list[str]) -> Finding:
    """Is ``name`` installed and answering ``version_args``?"""
    try:
        done = _run.run([name, *version_args], timeout=VERSION_TIMEOUT)
    except SandboxError as err:
        return Finding(name=name, ok=False, detail=err.message, fix=err.hint or _run.INSTALL_HINTS.get(name, ""))
    first = (done.stdout.strip() or done.stderr.strip()).splitlines()
    return Finding(name=name, ok=True, detail=first[0][:80] if first else "installed")


def probe_kubectl() -> Finding:
    """kubectl, preferably the one installed with kubecourse."""
    try:
        done = _run.run(["kubectl", "version", "--client", "-o", "json"], timeout=VERSION_TIMEOUT)
        version = json.loads(done.stdout)["clientVersion"]["gitVersion"]
    except SandboxError as err:
        return Finding(name="kubectl", ok=False, detail=err.message, fix=_run.INSTALL_HINTS["kubectl"])
    except (ValueError, KeyError):
        return Finding(
            name="kubectl", ok=False, detail="kubectl printed an unexpected version", fix=_run.INSTALL_HINTS["kubectl"]
        )
    return Finding(name="kubectl", ok=True, detail=f"{version} ({_run.find_tool('kubectl')})")


def probe_kind() -> Finding:
    """kind, installed and at least the release whose node image kubecourse pins."""
    try:
        found = kind.version()
    except SandboxError as err:
        return Finding(name="kind", ok=False, detail=err.message, fix=err.hint or kind.INSTALL_PINNED_KIND)
    checked = kind.check_version(found)
    return Finding(name="kind", ok=checked.ok, detail=checked.detail[:160], fix=checked.fix)


def probe_container_engine() -> Finding:
    """The engine kind will use (as kind picks it: ``KIND_EXPERIMENTAL_PROVIDER``, else Docker,
    else Podman), and that it answers. kubecourse drives Podman through kind's Podman provider:
    it saves images with ``podman`` and loads them with ``kind load image-archive``."""
    try:
        chosen = engine.detect()
    except SandboxError as err:
        return Finding(name="container engine", ok=False, detail=err.message, fix=err.hint)
    found, problem = _engine_answers(chosen.name)
    if found is not None:
        via = " through kind's Podman provider (KIND_EXPERIMENTAL_PROVIDER=podman)" if chosen.name == "podman" else ""
        return Finding(name="container engine", ok=True, detail=f"{chosen.name} {found}{via}")
    problems = [problem]
    other = "podman" if chosen.name == "docker" else "docker"
    if chosen.chosen_by != engine.PROVIDER_ENV:
        other_found, other_problem = _engine_answers(other)
        problems.append(f"kind would use {chosen.name}, not {other}" if other_found is not None else other_problem)
    return Finding(
        name="container engine",
        ok=False,
        detail="; ".join(problems)[:200],
        fix="start Docker (`sudo systemctl start docker`) or install it: "
        "https://docs.docker.com/engine/install/ (Podman works too: `sudo apt-get install podman`; "
        "with Docker installed but stopped, kind uses Podman only with KIND_EXPERIMENTAL_PROVIDER=podman)",
    )


def _engine_answers(name: str) -> tuple[str | None, str]:
    """(server version, "") when ``name`` is installed and its daemon answers, else (None, why)."""
    try:
        _run.find_tool(name)
    except SandboxError:
        return None, f"{name}: not installed"
    try:
        done = _run.run([name, "info", "--format", "{{.ServerVersion}}"], timeout=DAEMON_TIMEOUT)
    except SandboxError as err:
        return None, f"{name}: installed but no daemon answers ({err.message})"
    return done.stdout.strip() or "running", ""


def read_meminfo(path: Path = Path("/proc/meminfo")) -> int:
    """Available memory in bytes (MemAvailable), or 0 if it cannot be read."""
    try:
        for line in path.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def read_sysctl(name: str, root: Path = Path("/proc/sys")) -> int | None:
    """The integer value of a sysctl such as ``fs.inotify.max_user_watches``."""
    try:
        return int((root / name.replace(".", "/")).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def probe_memory(available: int) -> Finding:
    ok = available >= NODE_MEMORY_BYTES
    return Finding(
        name="memory",
        ok=ok,
        detail=f"{available / 1024**3:.1f} GiB available (a one-node sandbox needs about "
        f"{NODE_MEMORY_BYTES / 1024**3:.0f} GiB)",
        fix="" if ok else "close other programs or use a machine with more memory",
    )


def probe_disk(free: int, where: Path) -> Finding:
    ok = free >= NODE_DISK_BYTES
    return Finding(
        name="disk",
        ok=ok,
        detail=f"{free / 1024**3:.1f} GiB free at {where} (a sandbox needs about "
        f"{NODE_DISK_BYTES / 1024**3:.0f} GiB for the node image and volumes)",
        fix="" if ok else "free disk space, e.g. `docker system prune` removes unused images",
    )


def probe_inotify(watches: int | None, instances: int | None) -> Finding:
    if watches is None or instances is None:
        return Finding(name="inotify", ok=True, detail="limits not readable here (not Linux?)")
    low = {
        key: want
        for key, want, have in (
            ("fs.inotify.max_user_watches", RECOMMENDED_INOTIFY["fs.inotify.max_user_watches"], watches),
            ("fs.inotify.max_user_instances", RECOMMENDED_INOTIFY["fs.inotify.max_user_instances"], instances),
        )
        if have < want
    }
    detail = f"max_user_watches={watches}, max_user_instances={instances}"
    if not low:
        return Finding(name="inotify", ok=True, detail=detail)
    fix = "; ".join(f"sudo sysctl {k}={v}" for k, v in low.items())
    # A single sandbox starts with the distribution defaults; several need the raised limits.
    ok = instances >= INOTIFY_INSTANCES_PER_NODE and watches >= INOTIFY_WATCHES_PER_NODE
    return Finding(
        name="inotify",
        ok=ok,
        detail=detail + " (below kind's recommendation for several clusters)",
        fix=fix + " (persist in /etc/sysctl.d/99-kind.conf)",
    )


def estimate_capacity(*, memory: int, disk: int, watches: int | None, instances: int | None) -> dict[str, int]:
    """How many one-node sandboxes each resource allows."""
    limits = {"memory": memory // NODE_MEMORY_BYTES, "disk": disk // NODE_DISK_BYTES}
    if watches is not None and instances is not None:
        limits["inotify"] = min(instances // INOTIFY_INSTANCES_PER_NODE, watches // INOTIFY_WATCHES_PER_NODE)
    return limits


def run_preflight(home: Path | None = None) -> Preflight:
    """Run every probe; ``home`` is where sandboxes keep state (disk is measured there)."""
    where = Path(home) if home is not None else Path.home()
    existing = where
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    available = read_meminfo()
    free = shutil.disk_usage(existing).free
    watches = read_sysctl("fs.inotify.max_user_watches")
    instances = read_sysctl("fs.inotify.max_user_instances")
    findings = (
        probe_kubectl(),
        probe_kind(),
        probe_container_engine(),
        probe_memory(available),
        probe_disk(free, existing),
        probe_inotify(watches, instances),
    )
    limits = estimate_capacity(memory=available, disk=free, watches=watches, instances=instances)
    return Preflight(findings=findings, capacity=max(0, min(limits.values())), limits=limits)


__all__ = [
    "Finding",
    "Preflight",
    "estimate_capacity",
    "probe_container_engine",
    "probe_disk",
    "probe_inotify",
    "probe_kind",
    "probe_kubectl",
    "probe_memory",
    "probe_tool",
    "read_meminfo",
    "read_sysctl",
    "run_preflight",
]

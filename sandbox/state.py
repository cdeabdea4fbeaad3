"""Sandbox state on disk: its JSON metadata, file modes, and per-sandbox locks.

Layout under the kubecourse home (:func:`coursecore.home.home`: ``$KUBECOURSE_HOME``, default
``~/.kubecourse``; the paths of a sandbox's folder and kubeconfig are that module's too)::

    sandboxes/NAME/sandbox.json   metadata (:class:`SandboxState`)
    sandboxes/NAME/kubeconfig     the cluster's credentials, mode 0600
    sandboxes/NAME/cluster.yaml   the kind cluster config used to create it
    locks/NAME.lock               held while a command changes sandbox NAME
    cache/                        downloaded add-on manifests (see :mod:`sandbox.addons.cache`)

Locks live outside the sandbox folder so that deleting the folder never races a waiting lock.
Directories are 0700 and files 0600: the kubeconfig is a cluster-admin credential.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from filelock import FileLock, Timeout

from coursecore.errors import InvalidName, UsageError
from coursecore.home import home, sandbox_dir, sandboxes_dir, validate_name
from sandbox.errors import SandboxBusy, SandboxError

STATE_FILE = "sandbox.json"
CLUSTER_CONFIG_FILE = "cluster.yaml"
_DURATION = re.compile(r"(\d+)([smhd])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) and make it 0700."""
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically with mode 0600 from the first byte."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def parse_duration(text: str | None) -> int | None:
    """Seconds in ``"90m"``, ``"2h"``, ``"1d12h"``, ``"45s"``; ``None`` for no TTL (``""``, ``"0"``,
    ``"none"``). Raises :class:`UsageError` on anything else."""
    if text is None or text.strip().lower() in ("", "0", "none", "never"):
        return None
    raw = text.strip().lower()
    parts = _DURATION.findall(raw)
    if not parts or "".join(n + u for n, u in parts) != raw:
        raise UsageError(f"invalid duration {text!r}: use e.g. 45m, 2h, 1d or 1h30m")
    seconds = sum(int(n) * _UNITS[u] for n, u in parts)
    return seconds or None


def format_duration(seconds: float | None) -> str:
    """``"2h05m"``-style text for tables; ``"-"`` for ``None``."""
    if seconds is None:
        return "-"
    seconds = int(max(0, seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d{hours:02d}h"
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


@dataclass(frozen=True, kw_only=True)
class SandboxState:
    """What kubecourse knows about one sandbox, as stored in ``sandbox.json``."""

    name: str
    """Sandbox name (the part after ``kubecourse-``)."""
    cluster: str
    """kind cluster name."""
    backend: str = "kind"
    """Which backend made it."""
    created: float = field(default_factory=time.time)
    """Creation time, seconds since the epoch."""
    ttl: int | None = None
    """Seconds after ``created`` when the reaper may delete it; ``None`` keeps it."""
    lab: str | None = None
    """The lab last prepared in it by ``kubecourse start``."""
    nodes: int = 1
    """Node count (one control plane plus workers)."""
    image: str = ""
    """kind node image."""
    phase: str = "creating"
    """``creating`` until every node is Ready, then ``ready``."""

    def expired(self, now: float | None = None) -> bool:
        return self.ttl is not None and (now or time.time()) >= self.created + self.ttl

    def to_json(self) -> dict:
        return asdict(self)


def save(state: SandboxState, root: Path | None = None) -> Path:
    """Write ``state`` (creating the sandbox folder, 0700) and return the folder."""
    folder = private_dir(sandbox_dir(state.name, root))
    private_dir(folder.parent)
    write_private(folder / STATE_FILE, json.dumps(state.to_json(), indent=2) + "\n")
    return folder


def load(name: str, root: Path | None = None) -> SandboxState | None:
    """The stored state of ``name``, or ``None`` when there is none (or it is unreadable)."""
    path = sandbox_dir(name, root) / STATE_FILE
    try:
        raw = json.loads(path.read_text())
        return SandboxState(**{k: raw[k] for k in raw if k in SandboxState.__dataclass_fields__})
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError) as err:
        raise SandboxError(
            f"failed to read sandbox state {path}: {err}",
            hint=f"delete it with `kubecourse down --name {name}`",
        ) from err


def update(state: SandboxState, root: Path | None = None, **changes) -> SandboxState:
    """Save ``state`` with ``changes`` applied and return the new state."""
    new = replace(state, **changes)
    save(new, root)
    return new


def names(root: Path | None = None) -> list[str]:
    """Names of every sandbox folder under the home (valid names only)."""
    folder = sandboxes_dir(root)
    if not folder.is_dir():
        return []
    found = []
    for child in sorted(folder.iterdir()):
        try:
            found.append(validate_name(child.name))
        except InvalidName:
            continue
    return found


def remove(name: str, root: Path | None = None) -> None:
    """Delete the sandbox folder (state, kubeconfig, cluster config)."""
    shutil.rmtree(sandbox_dir(name, root), ignore_errors=True)


@contextmanager
def lock(name: str, root: Path | None = None, *, timeout: float = 0) -> Iterator[None]:
    """Hold the lock on sandbox ``name``; raise :class:`SandboxBusy` after ``timeout`` seconds.

    An OS file lock (``flock``), so it is released when the process dies, even by SIGKILL.
    """
    folder = private_dir((root or home()) / "locks")
    # Keep the file: unlinking a lock file others wait on lets two holders lock different inodes.
    file_lock = FileLock(str(folder / f"{validate_name(name)}.lock"), mode=0o600, preserve_lock_file=True)
    try:
        file_lock.acquire(timeout=timeout, poll_interval=0.05)
    except Timeout:
        raise SandboxBusy(
            f'sandbox "{name}" is busy: another kubecourse command is working on it',
            hint="wait for it to finish, then try again",
        ) from None
    try:
        yield
    finally:
        file_lock.release(force=True)


def is_locked(name: str, root: Path | None = None) -> bool:
    """Whether another process holds the lock of ``name`` right now (e.g. is creating it)."""
    try:
        with lock(name, root, timeout=0):
            return False
    except SandboxBusy:
        return True


__all__ = [
    "SandboxState",
    "format_duration",
    "is_locked",
    "load",
    "lock",
    "names",
    "parse_duration",
    "private_dir",
    "remove",
    "save",
    "update",
    "write_private",
]

"""Sandbox lifecycle: ``up`` (create or reuse), ``down`` (delete), and the steps between.

Creation is an ordered list of small steps, as in kind itself. If any step fails, times out or
is interrupted (Ctrl-C), what was made is deleted (the kind cluster, then the state folder)
before the error is raised, so a failed ``up`` leaves nothing half-made. Every change to a
sandbox happens under its lock, so two ``up`` for one name never race: the second waits for
the first and then finds a healthy sandbox to reuse.
"""

from __future__ import annotations

import shlex
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from coursecore.errors import KubecourseError
from coursecore.home import KUBECONFIG_FILE, default_name, home, kubeconfig_path, sandbox_dir, validate_name
from sandbox import cluster_config, kind, readiness, state
from sandbox.backend import DownResult, Progress, quiet
from sandbox.errors import CreateFailed, ForeignCluster, SandboxBroken, SandboxError
from sandbox.names import cluster_name

LOCK_WAIT = 600  # a concurrent `up` of the same name may legitimately take minutes


class ClusterTool(Protocol):
    """What a sandbox's life needs of kind (:class:`sandbox.kind.KindCli`; a stand-in in tests)."""

    name: str
    """Stored in each sandbox's state: the backend, ``kind``."""

    def create(self, cluster: str, *, kubeconfig: Path, config: Path, image: str) -> None: ...
    def delete(self, cluster: str, *, kubeconfig: Path) -> None: ...
    def list(self) -> list[str]: ...


@dataclass(frozen=True, kw_only=True)
class UpResult:
    """A sandbox ready for use."""

    state: state.SandboxState
    kubeconfig: Path
    """The sandbox's own credentials (mode 0600)."""
    created: bool
    """False when an existing healthy sandbox was reused."""
    nodes: list[str] = field(default_factory=list)
    """Node names, all Ready."""
    seconds: float = 0.0
    """Wall time of the call."""

    @property
    def export_line(self) -> str:
        return f"export KUBECONFIG={shlex.quote(str(self.kubeconfig))}"

    def summary(self) -> str:
        nodes = f"{len(self.nodes)} node{'s' * (len(self.nodes) != 1)} Ready"
        return f"sandbox {self.state.name} {'created' if self.created else 'reused'} in {self.seconds:.1f} s ({nodes})"

    @property
    def next_step(self) -> str | None:
        return "kubecourse labs   (then `kubecourse start LAB`)"

    def to_json(self) -> dict:
        return {
            **self.state.to_json(),
            "kubeconfig": str(self.kubeconfig),
            "created_now": self.created,
            "node_names": self.nodes,
            "seconds": round(self.seconds, 3),
        }


def up(
    name: str | None = None,
    *,
    nodes: int = 1,
    ttl: int | None = None,
    image: str = kind.DEFAULT_NODE_IMAGE,
    recreate: bool = False,
    lab: str | None = None,
    backend: ClusterTool | None = None,
    lock_wait: float = LOCK_WAIT,
    ready_timeout: float | None = None,
    progress: Progress = quiet,
) -> UpResult:
    """Create sandbox ``name`` (default: the login name), or reuse it if it is healthy.

    Args:
        name: sandbox name; the kind cluster is ``kubecourse-NAME``.
        nodes: one control plane plus ``nodes - 1`` workers.
        ttl: seconds until the reaper may delete it (``None``: keep).
        image: kind node image (pinned by digest by default).
        recreate: delete a broken (or healthy) existing sandbox and make a new one.
        lab: recorded in the state for ``ls``.
        lock_wait: seconds to wait for another command working on the same sandbox.
        ready_timeout: seconds to wait for nodes Ready (default
            :data:`readiness.NODES_READY_TIMEOUT`).
        progress: called with a short text before each step.

    Raises:
        SandboxBroken: an existing sandbox is unhealthy and ``recreate`` is false.
        CreateFailed: creation failed; nothing was left behind.
        SandboxBusy: another command held the lock longer than ``lock_wait``.
    """
    started = time.monotonic()
    name = validate_name(name) if name else default_name()
    cluster_config.render(nodes=nodes)  # validates the node count before anything is made
    backend = backend or kind.KindCli()
    with _locked(name, lock_wait, progress):
        existing = state.load(name)
        # The common case first: a ready sandbox whose nodes answer, through its own credentials,
        # that they are Ready. That answer proves the cluster is there (kind writes a new CA for
        # each cluster, so no other cluster passes the TLS check), so kind is not asked; any other
        # answer takes the full check below, which says what is wrong.
        if existing and not recreate and existing.phase == "ready" and existing.nodes >= nodes:
            found = readiness.nodes_ready_now(
                kubeconfig_path(name), cluster_config.node_names(cluster_name(name), existing.nodes)
            )
            if found is not None:
                return _reuse(existing, found, ttl=ttl, lab=lab, started=started, progress=progress)
        clusters = backend.list()
        problem, healthy_nodes = (None, []) if recreate else _health(existing, name, clusters)
        if existing and not problem and not recreate and existing.nodes < nodes:
            raise SandboxBroken(
                f'sandbox "{name}" has {existing.nodes} node{"s" * (existing.nodes > 1)}, {nodes} are needed',
                hint=f"recreate it bigger (deletes everything in it): "
                f"kubecourse up --name {name} --nodes {nodes} --recreate",
            )
        if existing and not problem and not recreate:
            return _reuse(existing, healthy_nodes, ttl=ttl, lab=lab, started=started, progress=progress)
        if problem and not recreate and not _interrupted_creation(existing):
            raise SandboxBroken(
                f'sandbox "{name}" exists but is broken: {problem}',
                hint=f"recreate it (deletes the cluster and everything in it): kubecourse up --name {name} --recreate",
            )
        if existing or cluster_name(name) in clusters:
            progress("deleting the old sandbox" if recreate else "cleaning up an interrupted creation")
            _delete(backend, name)
        new = state.SandboxState(
            name=name, cluster=cluster_name(name), backend=backend.name, ttl=ttl, lab=lab, nodes=nodes, image=image
        )
        node_names = _create(backend, new, ready_timeout, progress)
        final = state.load(name) or new
        return UpResult(
            state=final,
            kubeconfig=kubeconfig_path(name),
            created=True,
            nodes=node_names,
            seconds=time.monotonic() - started,
        )


def _reuse(
    existing: state.SandboxState,
    nodes: list[str],
    *,
    ttl: int | None,
    lab: str | None,
    started: float,
    progress: Progress,
) -> UpResult:
    updated = (
        existing
        if ttl is None and lab is None
        else state.update(existing, **({"ttl": ttl} if ttl is not None else {}), **({"lab": lab} if lab else {}))
    )
    progress("reusing the existing sandbox")
    return UpResult(
        state=updated,
        kubeconfig=kubeconfig_path(existing.name),
        created=False,
        nodes=nodes,
        seconds=time.monotonic() - started,
    )


def _health(existing: state.SandboxState | None, name: str, clusters: list[str]) -> tuple[str | None, list[str]]:
    """Why an existing sandbox cannot be reused (``None`` if it can, or if there is none), and
    its Ready nodes."""
    cluster = cluster_name(name)
    if existing is None:
        if cluster in clusters:
            return (
                f"kind cluster {cluster} exists but this kubecourse home ({home()}) has no state for it: "
                "it may be another user's sandbox on the same container engine",
                [],
            )
        return None, []
    if existing.phase != "ready":
        return "its creation was interrupted", []
    if cluster not in clusters:
        return f"kind cluster {cluster} is gone (Docker restarted or someone deleted it)", []
    path = kubeconfig_path(name)
    if not path.is_file():
        return f"its kubeconfig {path} is missing", []
    try:
        expected = cluster_config.node_names(cluster, existing.nodes)
        return None, readiness.wait_nodes_ready(path, expected, timeout=readiness.HEALTH_TIMEOUT)
    except SandboxError as err:
        return err.message, []


def _interrupted_creation(existing: state.SandboxState | None) -> bool:
    # We hold the lock, so a state still "creating" belongs to a process that died mid-way:
    # finishing its cleanup needs no permission.
    return existing is not None and existing.phase != "ready"


def _create(
    backend: ClusterTool, new: state.SandboxState, ready_timeout: float | None, progress: Progress
) -> list[str]:
    folder = sandbox_dir(new.name)
    kubeconfig = folder / KUBECONFIG_FILE
    config = folder / state.CLUSTER_CONFIG_FILE
    found: list[str] = []

    def record_state() -> None:
        state.save(new)

    def write_config() -> None:
        state.write_private(config, cluster_config.render(nodes=new.nodes, image=new.image))
        # kind merges into an existing file: start from an empty one that is already 0600.
        state.write_private(kubeconfig, "")

    def create_cluster() -> None:
        readiness.preload()  # overlaps the slow client import with kind's own work
        backend.create(new.cluster, kubeconfig=kubeconfig, config=config, image=new.image)

    def secure_kubeconfig() -> None:
        if not kubeconfig.is_file() or not kubeconfig.read_text().strip():
            raise SandboxError(f"kind wrote no credentials into {kubeconfig}")
        kubeconfig.chmod(0o600)

    def wait_ready() -> None:
        expected = cluster_config.node_names(new.cluster, new.nodes)
        timeout = readiness.NODES_READY_TIMEOUT if ready_timeout is None else ready_timeout
        found[:] = readiness.wait_nodes_ready(kubeconfig, expected, timeout=timeout)

    def mark_ready() -> None:
        state.update(new, phase="ready")

    steps = [
        ("recording the sandbox", record_state),
        (f"writing the cluster config ({new.nodes} node{'s' * (new.nodes > 1)})", write_config),
        (f"creating kind cluster {new.cluster}", create_cluster),
        ("securing the kubeconfig", secure_kubeconfig),
        ("waiting for nodes to be Ready", wait_ready),
        ("marking the sandbox ready", mark_ready),
    ]
    for title, step in steps:
        try:
            progress(title)
            step()
        except KeyboardInterrupt:
            _cleanup(backend, new.name, progress)
            raise
        except (KubecourseError, OSError) as err:
            leftover = _cleanup(backend, new.name, progress)
            message = err.message if isinstance(err, KubecourseError) else str(err)
            raise CreateFailed(
                f'failed to create sandbox "{new.name}" while {title}: {message}',
                detail=getattr(err, "detail", ""),
                hint=leftover
                or (f"{err.hint} (nothing was left behind)" if getattr(err, "hint", "") else "")
                or "nothing was left behind; check `kubecourse doctor`, then run "
                "`kubecourse up` again (add -v to see kind's full output)",
            ) from err
        except BaseException:
            _cleanup(backend, new.name, progress)  # a bug: clean up, keep the traceback
            raise
    return found


def _cleanup(backend: ClusterTool, name: str, progress: Progress) -> str:
    """Delete what a failed creation made; return a hint if something could not be deleted."""
    progress("cleaning up")
    previous = None
    if threading.current_thread() is threading.main_thread():
        # A second Ctrl-C (or kill) must not strand a half-deleted cluster.
        previous = (signal.signal(signal.SIGINT, signal.SIG_IGN), signal.signal(signal.SIGTERM, signal.SIG_IGN))
    try:
        _delete(backend, name)
    except KubecourseError as err:
        return (
            f"cleanup failed too ({err.message}); delete the cluster yourself: "
            f"kind delete cluster --name {cluster_name(name)}"
        )
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous[0])
            signal.signal(signal.SIGTERM, previous[1])
    return ""


def _delete(backend: ClusterTool, name: str) -> None:
    folder = state.private_dir(sandbox_dir(name))  # kind writes its lock file beside it
    backend.delete(cluster_name(name), kubeconfig=folder / KUBECONFIG_FILE)
    state.remove(name)


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C while creating, so that a killed ``up`` (CI timeouts, ``kill``)
    still deletes its half-made cluster. Only the main thread can own signal handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _locked(name: str, wait: float, progress: Progress) -> Iterator[None]:
    if state.is_locked(name):
        progress(f'waiting for another kubecourse command working on "{name}"')
    with state.lock(name, timeout=wait):
        yield


def down(
    name: str | None = None,
    *,
    backend: ClusterTool | None = None,
    reason: str = "asked",
    lock_wait: float = LOCK_WAIT,
    include_foreign: bool = False,
) -> DownResult:
    """Delete sandbox ``name``: its kind cluster and its state. Succeeds if it is already gone.

    Raises:
        ForeignCluster: the cluster exists but this home has no state for it (another user's
            sandbox on a shared engine) and ``include_foreign`` is false; nothing is deleted.
    """
    name = validate_name(name) if name else default_name()
    backend = backend or kind.KindCli()
    with _locked(name, lock_wait, quiet):
        if not include_foreign and state.load(name) is None and cluster_name(name) in backend.list():
            raise ForeignCluster(
                f"kind cluster {cluster_name(name)} was not made by this kubecourse home ({home()}); "
                "it may be another user's sandbox, so it was not deleted",
                hint=f"delete it by name if it is yours: kubecourse down --name {name}",
            )
        _delete(backend, name)
    return DownResult(name=name, cluster=cluster_name(name), reason=reason)


__all__ = ["LOCK_WAIT", "ClusterTool", "UpResult", "down", "sigterm_as_interrupt", "up"]

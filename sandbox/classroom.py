"""A room at once: ``class up`` makes one sandbox per roster line with bounded parallelism,
hands each learner's kubeconfig out into a folder, carries on past individual failures and
reports every learner; ``class down`` deletes them again.

Before creating anything, ``class up`` compares the sandboxes it would add with what this host
can hold (:func:`sandbox.preflight.run_preflight`) and refuses beyond it unless forced: a host
that runs out of memory or inotify instances mid-way fails many learners at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from coursecore.errors import KubecourseError, UsageError
from coursecore.home import home
from sandbox import kind, lifecycle, preflight, state
from sandbox.errors import CapacityExceeded
from sandbox.roster import Learner, read_roster

DEFAULT_PARALLEL = 4


@dataclass(frozen=True, kw_only=True)
class LearnerResult:
    """What happened to one learner's sandbox."""

    name: str
    cluster: str
    status: str
    """``created``, ``reused``, ``deleted`` or ``failed``."""
    seconds: float
    kubeconfig: str | None = None
    """The handed-out copy in the output folder."""
    error: str = ""
    hint: str = ""

    @property
    def ok(self) -> bool:
        return self.status != "failed"

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "cluster": self.cluster,
            "status": self.status,
            "seconds": round(self.seconds, 3),
            "kubeconfig": self.kubeconfig,
            "error": self.error,
            "hint": self.hint,
        }


@dataclass(frozen=True, kw_only=True)
class ClassReport:
    """Every learner's outcome, in roster order."""

    action: str
    results: list[LearnerResult]
    seconds: float
    parallel: int

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.results:
            counts[r.status] = counts.get(r.status, 0) + 1
        return counts

    def to_json(self) -> dict:
        return {
            "action": self.action,
            "ok": self.ok,
            "seconds": round(self.seconds, 3),
            "parallel": self.parallel,
            "counts": self.counts(),
            "learners": [r.to_json() for r in self.results],
        }


class Observer(Protocol):
    """Receives progress from the worker threads (a live display, or nothing)."""

    def begin(self, total: int) -> None: ...
    def started(self, name: str) -> None: ...
    def step(self, name: str, text: str) -> None: ...
    def finished(self, result: LearnerResult) -> None: ...
    def end(self) -> None: ...


class Silent:
    """An observer that shows nothing."""

    def begin(self, total: int) -> None: ...
    def started(self, name: str) -> None: ...
    def step(self, name: str, text: str) -> None: ...
    def finished(self, result: LearnerResult) -> None: ...
    def end(self) -> None: ...


def check_capacity(learners: list[Learner], nodes: int, capacity: int | None, force: bool) -> int:
    """How many one-node sandboxes will be added; raise :class:`CapacityExceeded` if too many."""
    existing = set(state.names())
    new = sum(1 for learner in learners if learner.name not in existing) * nodes
    if force or new == 0:
        return new
    if capacity is None:
        report = preflight.run_preflight(home())
        capacity = report.capacity
        limits = ", ".join(f"{k} {v}" for k, v in report.limits.items())
    else:
        limits = "given"
    if new > capacity:
        raise CapacityExceeded(
            f"this class needs {new} more one-node sandboxes but this host can hold about {capacity} ({limits})",
            hint="use a bigger host, split the roster, or pass --force to try anyway (see `kubecourse doctor`)",
        )
    return new


def class_up(
    roster: Path,
    *,
    output: Path,
    parallel: int = DEFAULT_PARALLEL,
    nodes: int = 1,
    ttl: int | None = None,
    image: str = kind.DEFAULT_NODE_IMAGE,
    force: bool = False,
    capacity: int | None = None,
    observer: Observer | None = None,
) -> ClassReport:
    """Create (or reuse) one sandbox per roster line and copy each kubeconfig to ``output``.

    Args:
        roster: CSV file with a ``name`` column.
        output: folder (made 0700) that receives ``NAME.kubeconfig`` files (0600).
        parallel: sandboxes created at once.
        capacity: one-node sandboxes the host can hold (default: measured by preflight).
        force: skip the capacity check.
    """
    learners = read_roster(roster)
    _check_parallel(parallel)
    check_capacity(learners, nodes, capacity, force)
    folder = state.private_dir(Path(output))

    def work(learner: Learner, report: Callable[[str], None]) -> LearnerResult:
        up = lifecycle.up(learner.name, nodes=nodes, ttl=ttl, image=image, progress=report)
        handed = folder / f"{learner.name}.kubeconfig"
        state.write_private(handed, up.kubeconfig.read_text())
        return LearnerResult(
            name=learner.name,
            cluster=up.state.cluster,
            seconds=0.0,
            status="created" if up.created else "reused",
            kubeconfig=str(handed),
        )

    return _run_all("up", learners, work, parallel, observer or Silent())


def class_down(
    roster: Path, *, output: Path | None = None, parallel: int = DEFAULT_PARALLEL, observer: Observer | None = None
) -> ClassReport:
    """Delete every roster learner's sandbox (and their handed-out kubeconfig in ``output``)."""
    learners = read_roster(roster)
    _check_parallel(parallel)

    def work(learner: Learner, report: Callable[[str], None]) -> LearnerResult:
        report("deleting")
        done = lifecycle.down(learner.name)
        if output is not None:
            (Path(output) / f"{learner.name}.kubeconfig").unlink(missing_ok=True)
        return LearnerResult(name=learner.name, cluster=done.cluster, status="deleted", seconds=0.0)

    return _run_all("down", learners, work, parallel, observer or Silent())


def _check_parallel(parallel: int) -> None:
    if not 1 <= parallel <= 64:
        raise UsageError(f"--parallel must be from 1 to 64, not {parallel}")


def _run_all(action: str, learners: list[Learner], work, parallel: int, observer: Observer) -> ClassReport:
    started = time.monotonic()
    results: dict[str, LearnerResult] = {}

    def one(learner: Learner) -> LearnerResult:
        observer.started(learner.name)
        t0 = time.monotonic()
        try:
            result = work(learner, lambda text: observer.step(learner.name, text))
            result = replace(result, seconds=time.monotonic() - t0)
        except KubecourseError as err:
            result = LearnerResult(
                name=learner.name,
                cluster=f"kubecourse-{learner.name}",
                status="failed",
                seconds=time.monotonic() - t0,
                error=err.message,
                hint=err.hint,
            )
        observer.finished(result)
        return result

    observer.begin(len(learners))
    pool = ThreadPoolExecutor(max_workers=parallel, thread_name_prefix=f"class-{action}")
    try:
        futures = [pool.submit(one, learner) for learner in learners]
        for future in as_completed(futures):
            result = future.result()
            results[result.name] = result
    except KeyboardInterrupt:
        # Queued learners are dropped; running creations clean up after themselves when kind
        # (in the same process group) receives the same Ctrl-C.
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)
        observer.end()
    ordered = [results[learner.name] for learner in learners]
    return ClassReport(action=action, results=ordered, seconds=time.monotonic() - started, parallel=parallel)


__all__ = [
    "DEFAULT_PARALLEL",
    "ClassReport",
    "LearnerResult",
    "Observer",
    "Silent",
    "check_capacity",
    "class_down",
    "class_up",
]

"""Running one piece of work per roster learner, ``parallel`` at a time, for both backends' class
commands: every learner gets a row, a failure never stops the others, and the rows come back in
roster order.

The kind room (:mod:`sandbox.classroom`) and the namespace room (:mod:`sandbox.namespace.room`)
each say what the work is; the rules of a class command (how many at once, what a failed row
says, how progress is reported to an :class:`Observer`) live here once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from typing import Protocol

from coursecore.errors import KubecourseError, UsageError
from sandbox.roster import Learner

DEFAULT_PARALLEL = 4
MAX_PARALLEL = 64


@dataclass(frozen=True, kw_only=True)
class LearnerResult:
    """What happened to one learner's sandbox."""

    name: str
    cluster: str
    """Where the sandbox is: the kind cluster, or the learner's namespace."""
    status: str
    """``created``, ``reused``, ``deleted`` or ``failed``."""
    seconds: float
    kubeconfig: str | None = None
    """The handed-out copy in the output folder."""
    error: str = ""
    hint: str = ""
    lab: str | None = None
    """The lab prepared in the sandbox (``class up --lab``), once it is ready for it."""
    steps: list[dict] = field(default_factory=list)
    """What preparing the lab did in this sandbox: one ``{"step", "detail", "seconds"}`` each."""

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
            "lab": self.lab,
            "steps": self.steps,
        }


@dataclass(frozen=True, kw_only=True)
class ClassReport:
    """Every learner's outcome, in roster order."""

    action: str
    results: list[LearnerResult]
    seconds: float
    parallel: int
    lab: str | None = None
    """The lab every sandbox was prepared for (``class up --lab``)."""
    host_steps: list[dict] = field(default_factory=list)
    """What was done once on this host for every learner (manifests verified, images built or
    pulled), before any sandbox was made."""

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
            "lab": self.lab,
            "host_steps": self.host_steps,
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


Work = Callable[[Learner, Callable[[str], None]], LearnerResult]
"""One learner's work: takes the learner and a function reporting its current step."""


def check_parallel(parallel: int) -> None:
    """Refuse a ``--parallel`` outside 1 to :data:`MAX_PARALLEL` (before anything is made)."""
    if not 1 <= parallel <= MAX_PARALLEL:
        raise UsageError(f"--parallel must be from 1 to {MAX_PARALLEL}, not {parallel}")


def run_all(
    action: str,
    learners: list[Learner],
    work: Work,
    *,
    parallel: int,
    place: Callable[[str], str],
    observer: Observer | None = None,
) -> ClassReport:
    """Run ``work`` for every learner, ``parallel`` at a time, and report each in roster order.

    Args:
        action: ``up`` or ``down``, for the report.
        place: where learner NAME's sandbox is (cluster or namespace), for a failed row.
        observer: progress receiver (default: :class:`Silent`).
    """
    observer = observer or Silent()
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
                cluster=place(learner.name),
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
    "MAX_PARALLEL",
    "ClassReport",
    "LearnerResult",
    "Observer",
    "Silent",
    "Work",
    "check_parallel",
    "run_all",
]

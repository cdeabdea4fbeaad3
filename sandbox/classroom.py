"""The kind backend's room: ``class up`` makes one kind sandbox per roster line with bounded
parallelism (:mod:`sandbox.class_run`), hands each learner's kubeconfig out into a folder,
carries on past individual failures and reports every learner; ``class down`` deletes them again.

Before creating anything, ``class up`` compares the sandboxes it would add with what this host
can hold (:func:`sandbox.preflight.run_preflight`) and refuses beyond it unless forced: a host
that runs out of memory or inotify instances mid-way fails many learners at once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from coursecore.home import home
from sandbox import kind, lifecycle, preflight, state
from sandbox.class_run import DEFAULT_PARALLEL, ClassReport, LearnerResult, Observer, check_parallel, run_all
from sandbox.errors import CapacityExceeded
from sandbox.names import cluster_name
from sandbox.roster import Learner, read_roster


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
    check_parallel(parallel)
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

    return run_all("up", learners, work, parallel=parallel, place=cluster_name, observer=observer)


def class_down(
    roster: Path, *, output: Path | None = None, parallel: int = DEFAULT_PARALLEL, observer: Observer | None = None
) -> ClassReport:
    """Delete every roster learner's sandbox (and their handed-out kubeconfig in ``output``)."""
    learners = read_roster(roster)
    check_parallel(parallel)

    def work(learner: Learner, report: Callable[[str], None]) -> LearnerResult:
        report("deleting")
        done = lifecycle.down(learner.name)
        if output is not None:
            (Path(output) / f"{learner.name}.kubeconfig").unlink(missing_ok=True)
        return LearnerResult(name=learner.name, cluster=done.cluster, status="deleted", seconds=0.0)

    return run_all("down", learners, work, parallel=parallel, place=cluster_name, observer=observer)


__all__ = [
    "check_capacity",
    "class_down",
    "class_up",
]

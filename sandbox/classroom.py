"""The kind backend's room: ``class up`` makes one kind sandbox per roster line with bounded
parallelism (:mod:`sandbox.class_run`), hands each learner's kubeconfig out into a folder,
carries on past individual failures and reports every learner; ``class down`` deletes them again.

Before creating anything, ``class up`` compares the sandboxes it would add with what this host
can hold (:func:`sandbox.preflight.run_preflight`) and refuses beyond it unless forced: a host
that runs out of memory or inotify instances mid-way fails many learners at once.

With a lab, each learner's sandbox is then prepared for it by ``start``'s own code
(:func:`sandbox.labprep.start`), so that every learner gets what ``kubecourse up`` and
``kubecourse start LAB`` would give them. The lab is checked before anything is made; what a
host needs once (add-on manifests verified into the cache, the lab's images built or pulled) is
done once before the first sandbox, and each image's archive is saved once and loaded into
every learner's cluster.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from coursecore.errors import KubecourseError
from coursecore.home import home
from sandbox import images, kind, labprep, lifecycle, preflight, state
from sandbox.addons import lock
from sandbox.backend import Progress, quiet
from sandbox.class_run import DEFAULT_PARALLEL, ClassReport, LearnerResult, Observer, check_parallel, run_all
from sandbox.errors import CapacityExceeded, SandboxError
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
    lab: str | None = None,
    offline: bool = False,
    pins: lock.Pins | None = None,
    progress: Progress = quiet,
    observer: Observer | None = None,
) -> ClassReport:
    """Create (or reuse) one sandbox per roster line, prepare ``lab`` in each, and copy each
    kubeconfig to ``output``.

    Args:
        roster: CSV file with a ``name`` column.
        output: folder (made 0700) that receives ``NAME.kubeconfig`` files (0600), one per
            learner whose sandbox is ready (and prepared for ``lab``).
        parallel: sandboxes created (and prepared) at once.
        nodes: nodes per sandbox; at least as many as ``lab`` needs.
        capacity: one-node sandboxes the host can hold (default: measured by preflight).
        force: skip the capacity check.
        lab: prepare this lab in every sandbox, as ``kubecourse start LAB`` does.
        offline: use only cached manifests and local images; never download.
        pins: the add-on lock files in force (default: :func:`sandbox.addons.lock.current`).
        progress: told about the work done once on this host, before any sandbox.

    Raises:
        UsageError: a bad roster or ``parallel``, or ``lab`` unknown or not for kind (before
            anything is made).
        CapacityExceeded: the host cannot hold the class (before anything is made).
    """
    learners = read_roster(roster)
    check_parallel(parallel)
    chosen = labprep.find(lab) if lab else None
    if chosen is not None:
        nodes = max(nodes, chosen.cluster.nodes)
    check_capacity(learners, nodes, capacity, force)
    host_steps: list[dict] = []
    if chosen is not None:
        pins = pins or lock.current()
        host_steps = labprep.prepare_host(chosen, offline=offline, pins=pins, progress=progress)
    folder = state.private_dir(Path(output))

    with images.saved_archives() as archives:

        def work(learner: Learner, report: Callable[[str], None]) -> LearnerResult:
            up = lifecycle.up(learner.name, nodes=nodes, ttl=ttl, image=image, progress=report)
            steps: list[dict] = []
            if chosen is not None:
                steps = _prepare(chosen.id, learner.name, offline=offline, pins=pins, archives=archives, report=report)
            handed = folder / f"{learner.name}.kubeconfig"
            state.write_private(handed, up.kubeconfig.read_text())
            return LearnerResult(
                name=learner.name,
                cluster=up.state.cluster,
                seconds=0.0,
                status="created" if up.created else "reused",
                kubeconfig=str(handed),
                lab=chosen.id if chosen else None,
                steps=steps,
            )

        report = run_all("up", learners, work, parallel=parallel, place=cluster_name, observer=observer)
    return replace(report, lab=chosen.id if chosen else None, host_steps=host_steps)


def _prepare(
    lab: str,
    name: str,
    *,
    offline: bool,
    pins: lock.Pins | None,
    archives: images.SavedArchives,
    report: Callable[[str], None],
) -> list[dict]:
    """``start``'s preparation of ``lab`` in sandbox ``name``; a failure says that the sandbox
    itself is there and how to retry."""
    try:
        return labprep.start(lab, name, offline=offline, progress=report, pins=pins, archives=archives).steps
    except KubecourseError as err:
        raise SandboxError(
            f"sandbox ready but lab {lab} not prepared: {err.message}",
            detail=err.detail,
            hint=(err.hint + "; then " if err.hint else "")
            + f"run `class up --lab {lab}` again (or `kubecourse start {lab} --name {name}`)",
        ) from err


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

"""The instructor's dress rehearsal: every lab end to end on this host, through the product's own
code paths, so that a green rehearsal means the labs work here.

For each lab, in order (each phase timed):

1. **create**: delete a sandbox left by an earlier rehearsal, then ``up`` a throwaway one,
   ``rehearse-<lab>`` (:func:`sandbox.lifecycle.up`, as ``kubecourse up``);
2. **start**: prepare the lab in it (:func:`sandbox.labprep.start`, as ``kubecourse start``);
3. **starter**: the lab's checks on the cluster before the learner did anything must give zero
   (a check that passes on an untouched cluster grades nothing);
4. **apply** and **converge**: the reference solution's steps from ``lab.yaml``
   (``solution:``), the kubectl commands the notebook tells learners to type, run with the
   product's kubectl in the folder a learner ends the notebook with (``starter/`` and the files
   its ``%%writefile`` cells write, holding the reference solution); ``kubectl wait`` and
   ``kubectl rollout status`` steps are the waits the notebook asks for and count as converging;
5. **check**: the lab's checks through the live API (as ``kubecourse check``) must give full marks;
6. **delete**: ``down`` (skipped with ``keep``).

Nothing here is a test-only shortcut: against the fake kind and API server in the test suite
the same functions run, and only the cluster behind them differs.
"""

from __future__ import annotations

import hashlib
import shlex
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from coursecore import labs
from coursecore.errors import KubecourseError, UsageError
from coursecore.home import MAX_NAME
from sandbox import kind, kubectl, labprep, lifecycle
from sandbox.addons import lock
from sandbox.backend import quiet

PREFIX = "rehearse-"
WAIT_VERBS = ("wait", "rollout")
Progress = Callable[[str], None]


@dataclass(frozen=True, kw_only=True)
class Phase:
    """One timed phase of a lab's rehearsal."""

    name: str
    """``create``, ``start``, ``starter``, ``apply``, ``converge``, ``check`` or ``delete``."""
    seconds: float
    ok: bool
    detail: str = ""


@dataclass(frozen=True, kw_only=True)
class LabRehearsal:
    """How one lab did."""

    lab: str
    sandbox: str
    passed: bool
    phases: list[Phase] = field(default_factory=list)
    score: float | None = None
    """Points the reference solution earned (``None`` if it never got that far)."""
    max_score: float | None = None
    starter_score: float | None = None
    error: str = ""
    """Why it failed, in one line."""
    detail: str = ""
    """More on the failure (commands, stderr, a traceback), shown with ``-v``."""
    kept: bool = False
    """The sandbox was left running (``keep``)."""

    @property
    def seconds(self) -> float:
        return sum(p.seconds for p in self.phases)

    def phase_seconds(self, name: str) -> float | None:
        found = [p.seconds for p in self.phases if p.name == name]
        return sum(found) if found else None

    def to_json(self) -> dict:
        return {
            "lab": self.lab,
            "sandbox": self.sandbox,
            "passed": self.passed,
            "score": self.score,
            "max_score": self.max_score,
            "starter_score": self.starter_score,
            "seconds": round(self.seconds, 3),
            "phases": [
                {"phase": p.name, "seconds": round(p.seconds, 3), "ok": p.ok, "detail": p.detail} for p in self.phases
            ],
            "error": self.error,
            "kept": self.kept,
        }


@dataclass(frozen=True, kw_only=True)
class Rehearsal:
    """Every lab's outcome, in the order rehearsed."""

    labs: list[LabRehearsal]
    seconds: float

    @property
    def passed(self) -> bool:
        return bool(self.labs) and all(r.passed for r in self.labs)

    def to_json(self) -> dict:
        return {
            "passed": self.passed,
            "seconds": round(self.seconds, 3),
            "labs": [r.to_json() for r in self.labs],
        }


def sandbox_name(lab_id: str) -> str:
    """``rehearse-<lab>``, shortened with a hash when the lab id is long (names are <= 39)."""
    name = PREFIX + lab_id
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha256(lab_id.encode()).hexdigest()[:6]
    return (name[: MAX_NAME - 7].rstrip("-") + "-" + digest)[:MAX_NAME]


def rehearse(
    lab_ids: list[str] | None = None,
    *,
    keep: bool = False,
    labs_root: Path | None = None,
    pins: lock.Pins | None = None,
    progress: Progress = quiet,
) -> Rehearsal:
    """Rehearse ``lab_ids`` (default: every lab, in the course's order).

    Raises:
        UsageError: an unknown lab, or a lab without ``solution`` steps; nothing was made.
        ToolMissing, KindTooOld: kind is missing or older than the pinned node image's release.
    """
    started = time.monotonic()
    chosen = [labs.find(i, labs_root) for i in lab_ids] if lab_ids else labs.discover(labs_root)
    for lab in chosen:
        if not lab.solution:
            raise UsageError(f"lab {lab.id} has no `solution` steps in its lab.yaml to rehearse")
    pins = pins or lock.current()
    kind.require_version()  # no kind, or too old: one error (exit 3) instead of one per lab
    results = [_one(lab, keep=keep, pins=pins, progress=progress) for lab in chosen]
    return Rehearsal(labs=results, seconds=time.monotonic() - started)


def _one(lab: labs.Lab, *, keep: bool, pins: lock.Pins, progress: Progress) -> LabRehearsal:
    name = sandbox_name(lab.id)
    phases: list[Phase] = []
    outcome: dict = {"score": None, "max_score": None, "starter_score": None}

    def say(text: str) -> None:
        progress(f"{lab.id}: {text}")

    def phase(title: str, action: Callable[[], str]) -> None:
        say(title)
        t0 = time.monotonic()
        try:
            detail = action()
        except BaseException:
            phases.append(Phase(name=title, seconds=time.monotonic() - t0, ok=False))
            raise
        phases.append(Phase(name=title, seconds=time.monotonic() - t0, ok=True, detail=detail))

    error, detail = "", ""
    made = False
    try:

        def create() -> str:
            nonlocal made
            lifecycle.down(name)  # a sandbox kept by an earlier rehearsal (ours: foreign ones refuse)
            made = True
            up = lifecycle.up(name, nodes=lab.cluster.nodes, lab=lab.id, progress=say)
            return f"{len(up.nodes)} node{'s' * (len(up.nodes) != 1)} Ready"

        phase("create", create)
        started = {}

        def start() -> str:
            started["result"] = labprep.start(lab.id, name, labs_root=lab.path.parent, progress=say, pins=pins)
            return f"{len(started['result'].steps)} steps"

        phase("start", start)
        kubeconfig = started["result"].sandbox.kubeconfig

        def starter() -> str:
            report = _grade(lab, kubeconfig)
            outcome["starter_score"] = report.score
            if report.score != 0:
                passing = ", ".join(sorted(report.passed_ids()))
                raise RehearsalFailed(f"the untouched cluster already scores {report.score:g} ({passing})")
            return f"0/{report.max_score:g}"

        phase("starter", starter)
        with tempfile.TemporaryDirectory(prefix=f"kubecourse-{lab.id}-") as tmp:
            workspace = learner_folder(lab, Path(tmp))
            for step in lab.solution:
                argv = shlex.split(step)
                kind_of = "converge" if len(argv) > 1 and argv[1] in WAIT_VERBS else "apply"
                phase(kind_of, lambda argv=argv: _run_step(argv, kubeconfig, workspace))

        def check() -> str:
            report = _grade(lab, kubeconfig)
            outcome["score"], outcome["max_score"] = report.score, report.max_score
            if not report.passed:
                failed = [f"{r.check.id}: {r.message}" for r in report.checks if not r.passed]
                raise RehearsalFailed(
                    f"the reference solution scores {report.score:g}/{report.max_score:g}: {failed[0]}",
                    detail="\n".join(failed),
                )
            return f"{report.score:g}/{report.max_score:g}"

        phase("check", check)
    except KeyboardInterrupt:
        if made and not keep:
            _delete(name, phases, progress)
        raise
    except KubecourseError as err:
        error, detail = err.message, "\n".join(filter(None, [err.detail, err.hint]))
    except Exception as err:  # noqa: BLE001 - a lab's failure must not stop the others
        error, detail = f"{type(err).__name__}: {err}", traceback.format_exc()
    if made and not keep:
        if not _delete(name, phases, progress) and not error:
            error = phases[-1].detail
    return LabRehearsal(
        lab=lab.id,
        sandbox=name,
        passed=not error,
        phases=phases,
        score=outcome["score"],
        max_score=outcome["max_score"],
        starter_score=outcome["starter_score"],
        error=error.splitlines()[0] if error else "",
        detail=detail,
        kept=made and keep,
    )


def _delete(name: str, phases: list[Phase], progress: Progress) -> bool:
    progress(f"{name}: delete")
    t0 = time.monotonic()
    try:
        lifecycle.down(name)
    except KubecourseError as err:
        phases.append(Phase(name="delete", seconds=time.monotonic() - t0, ok=False, detail=err.message))
        return False
    phases.append(Phase(name="delete", seconds=time.monotonic() - t0, ok=True))
    return True


def learner_folder(lab: labs.Lab, into: Path) -> Path:
    """The folder a learner ends the lab's notebook with: ``starter/`` as released beside the
    notebook, and every file the notebook's ``%%writefile`` cells write, holding the reference
    solution (:mod:`coursecore.labsteps`)."""
    from coursecore.labsteps import WriteFile, lab_steps

    folder = into / lab.id
    folder.mkdir(parents=True, exist_ok=True)
    if (lab.path / "starter").is_dir():
        shutil.copytree(lab.path / "starter", folder / "starter", dirs_exist_ok=True)
    for step in lab_steps(lab):
        if isinstance(step, WriteFile):
            target = folder / step.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(step.solution, encoding="utf-8")
    return folder


def _run_step(argv: list[str], kubeconfig: Path, workspace: Path) -> str:
    done = kubectl.run(kubeconfig, argv[1:], cwd=workspace, timeout=labs.step_timeout(argv))
    return done.strip().splitlines()[-1][:200] if done.strip() else ""


def _grade(lab: labs.Lab, kubeconfig: Path):
    # The same two calls as `kubecourse check --kubeconfig FILE`.
    from autograder import run_checks
    from autograder.live import connect

    return run_checks(lab, connect(kubeconfig=kubeconfig))


class RehearsalFailed(KubecourseError):
    """A lab did not behave: the starter scored, or the reference solution did not earn full marks."""

    exit_code = 1


__all__ = ["LabRehearsal", "Phase", "Rehearsal", "RehearsalFailed", "learner_folder", "rehearse", "sandbox_name"]

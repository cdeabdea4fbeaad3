"""Running a lab's checks against a cluster state and collecting a :class:`LabReport`.

Each check runs in its own thread with the check's time limit, so a check that hangs or loops
is reported as an error instead of stalling the grader. What a check returns or raises becomes
its result: an :class:`~autograder.checks.Outcome`, ``None``/``True`` (pass) or ``False``
(fail); an ``AssertionError`` is a failure with its message; any other exception is the check's
own bug, status ``error``. Only a cluster that stops answering aborts the run (exit 3).
"""

from __future__ import annotations

import threading
import time
import traceback
from pathlib import Path
from typing import Any, Iterable

from autograder.checks import Outcome
from autograder.loader import load_checks
from autograder.results import Check, CheckResult, LabReport
from autograder.state import State
from kubecourse.errors import EnvironmentProblem
from kubecourse.labs import Lab

MAX_MESSAGE = 2000


def _clip(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."


def _assertion_message(error: AssertionError) -> str:
    if str(error):
        return str(error)
    frames = traceback.extract_tb(error.__traceback__)
    if frames:
        return f"assertion failed: {frames[-1].line or 'line ' + str(frames[-1].lineno)}"
    return "assertion failed"


def _from_value(check: Check, value: Any, seconds: float) -> CheckResult:
    if isinstance(value, Outcome):
        fraction = value.fraction
        status = "passed" if fraction >= 1.0 else "failed"
        return CheckResult(
            check=check, status=status, points=check.points * fraction,
            message=_clip(value.message), mismatches=tuple(_clip(m) for m in value.mismatches), seconds=seconds,
        )
    if value is None or value is True:
        return CheckResult(check=check, status="passed", points=check.points, seconds=seconds)
    if value is False:
        return CheckResult(check=check, status="failed", points=0.0, message="check returned False", seconds=seconds)
    return CheckResult(
        check=check, status="error", points=0.0, seconds=seconds,
        message=f"internal error in check: it returned a {type(value).__name__}, expected ok(), fail() or partial()",
    )


def run_check(check: Check, state: State) -> CheckResult:
    """Run one check; never raises except for an unreachable cluster.

    Raises:
        EnvironmentProblem: the live cluster stopped answering while the check read it.
    """
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = check.function(state)
        except BaseException as error:  # noqa: BLE001 - SystemExit in a check is still its bug
            box["error"] = error

    start = time.perf_counter()
    worker = threading.Thread(target=target, name=f"check-{check.id}", daemon=True)
    worker.start()
    worker.join(check.timeout)
    seconds = time.perf_counter() - start
    if worker.is_alive():
        # A thread cannot be killed; it is a daemon, so it will not keep the process alive.
        return CheckResult(
            check=check, status="error", points=0.0, seconds=seconds,
            message=f"internal error in check: did not finish within {check.timeout:g} s",
        )
    error = box.get("error")
    if error is None:
        return _from_value(check, box.get("value"), seconds)
    if isinstance(error, EnvironmentProblem):
        raise error
    if isinstance(error, AssertionError):
        return CheckResult(check=check, status="failed", points=0.0, message=_clip(_assertion_message(error)), seconds=seconds)
    return CheckResult(
        check=check, status="error", points=0.0, seconds=seconds,
        message=_clip(f"internal error in check: {type(error).__name__}: {error}"),
    )


def run_checks(lab: str | Path | Lab, state: State, *, only: Iterable[str] | None = None) -> LabReport:
    """Run the checks of ``lab`` (id, folder, Lab or ``checks.py`` path) against ``state``.

    Args:
        lab: which lab's checks to run.
        state: a :class:`~autograder.state.MemoryState` from a snapshot or a live state.
        only: run just these check ids (in the lab's order).

    Raises:
        UsageError: unknown lab, broken checks.py, or an id in ``only`` the lab does not have.
        EnvironmentProblem: a live cluster stopped answering.
    """
    from autograder.errors import ChecksError

    loaded = load_checks(lab)
    checks = loaded.checks
    if only is not None:
        wanted = list(only)
        known = {c.id for c in checks}
        unknown = [w for w in wanted if w not in known]
        if unknown:
            raise ChecksError(f"lab {loaded.lab_id} has no check {unknown[0]!r} (checks: {', '.join(sorted(known))})")
        checks = tuple(c for c in checks if c.id in set(wanted))
    results = tuple(run_check(c, state) for c in checks)
    return LabReport(lab=loaded.lab_id, checks=results, source=getattr(state, "source", "snapshot"))


__all__ = ["run_check", "run_checks"]

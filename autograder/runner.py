"""Running a lab's checks against a cluster state and collecting a :class:`LabReport`.

Checks run in a worker thread, each within its time limit, so a check that hangs or loops is
reported as an error instead of stalling the grader. What a check returns or raises becomes
its result: an :class:`~autograder.checks.Outcome`, ``None``/``True`` (pass) or ``False``
(fail); :class:`~autograder.checks.Unmet` and ``AssertionError`` are failures with their
message; any other exception is the check's own bug, status ``error``. Only a cluster that stops
answering aborts the run (exit 3). Failures that name the same root are linked afterwards: the
first explains it, the later ones are marked as its consequences.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from autograder.checks import Outcome, Unmet
from autograder.loader import load_checks
from autograder.results import Check, CheckResult, LabReport
from autograder.state import State
from coursecore.errors import EnvironmentProblem
from coursecore.labs import Lab

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
            check=check,
            status=status,
            points=check.points * fraction,
            message=_clip(value.message),
            mismatches=tuple(_clip(m) for m in value.mismatches),
            seconds=seconds,
            hint=None if status == "passed" else value.hint,
            root=None if status == "passed" else value.root,
        )
    if value is None or value is True:
        return CheckResult(check=check, status="passed", points=check.points, seconds=seconds)
    if value is False:
        return CheckResult(check=check, status="failed", points=0.0, message="check returned False", seconds=seconds)
    return CheckResult(
        check=check,
        status="error",
        points=0.0,
        seconds=seconds,
        message=f"internal error in check: it returned a {type(value).__name__}, expected ok(), fail() or partial()",
    )


def _result(check: Check, outcome: tuple[str, Any], seconds: float) -> CheckResult:
    kind, payload = outcome
    if kind == "value":
        return _from_value(check, payload, seconds)
    if isinstance(payload, EnvironmentProblem):
        raise payload
    if isinstance(payload, Unmet):
        return _from_value(check, payload.outcome(), seconds)
    if isinstance(payload, AssertionError):
        return CheckResult(
            check=check, status="failed", points=0.0, message=_clip(_assertion_message(payload)), seconds=seconds
        )
    return CheckResult(
        check=check,
        status="error",
        points=0.0,
        seconds=seconds,
        message=_clip(f"internal error in check: {type(payload).__name__}: {payload}"),
    )


def _run_all(checks: tuple[Check, ...], state: State) -> list[CheckResult]:
    """Run ``checks`` one after another in one worker thread, each within its time limit.

    One thread for the whole run, which the caller wakes up from only when the run ends or a
    check overstays: starting a thread per check, or waking per check, costs more than grading
    a small snapshot. A check that overstays is reported as an error, its thread is abandoned
    (threads cannot be killed; it is a daemon and runs nothing more), and the remaining checks
    get a fresh worker.
    """
    if not checks:
        return []
    outcomes: list[tuple[tuple[str, Any], float]] = []
    current = [0, time.monotonic()]  # index of the running check, when it started
    finished = threading.Event()
    cancelled = threading.Event()

    def worker() -> None:
        for index, check in enumerate(checks):
            if cancelled.is_set():
                return
            current[:] = [index, time.monotonic()]
            start = time.perf_counter()
            try:
                outcome: tuple[str, Any] = ("value", check.function(state))
            except BaseException as error:  # noqa: BLE001 - SystemExit in a check is still its bug
                outcome = ("error", error)
            outcomes.append((outcome, time.perf_counter() - start))
            if isinstance(outcome[1], EnvironmentProblem):
                break  # the cluster is gone: the other checks would only wait for it too
        finished.set()

    threading.Thread(target=worker, name=f"checks-{checks[0].id}", daemon=True).start()
    while True:
        index, started = current
        if finished.wait(timeout=max(0.0, started + checks[index].timeout - time.monotonic())):
            break
        index, started = current
        if len(outcomes) <= index and time.monotonic() >= started + checks[index].timeout:
            cancelled.set()
            overstayed = checks[index]
            done = _convert(checks[:index], outcomes[:index])
            done.append(
                CheckResult(
                    check=overstayed,
                    status="error",
                    points=0.0,
                    seconds=overstayed.timeout,
                    message=f"internal error in check: did not finish within {overstayed.timeout:g} s",
                )
            )
            return done + _run_all(checks[index + 1 :], state)
    return _convert(checks, outcomes)


def _convert(checks: tuple[Check, ...], outcomes: list[tuple[tuple[str, Any], float]]) -> list[CheckResult]:
    return [_result(check, outcome, seconds) for check, (outcome, seconds) in zip(checks, outcomes, strict=False)]


def link_consequences(results: Iterable[CheckResult]) -> list[CheckResult]:
    """``results`` with every failure whose root an earlier failure already named marked as a
    consequence of that earlier check (one root cause, one message)."""
    first: dict[Any, str] = {}
    linked = []
    for result in results:
        if result.status == "failed" and result.root is not None:
            explained_by = first.setdefault(result.root, result.check.id)
            if explained_by != result.check.id:
                result = replace(result, consequence_of=explained_by)
        linked.append(result)
    return linked


def run_check(check: Check, state: State) -> CheckResult:
    """Run one check; never raises except for an unreachable cluster.

    Raises:
        EnvironmentProblem: the live cluster stopped answering while the check read it.
    """
    return _run_all((check,), state)[0]


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
    results = tuple(link_consequences(_run_all(tuple(checks), state)))
    return LabReport(lab=loaded.lab_id, checks=results, source=getattr(state, "source", "snapshot"))


__all__ = ["link_consequences", "run_check", "run_checks"]

"""The data the autograder produces: declared checks, their results and a lab's report.

All are frozen dataclasses. :class:`LabReport.to_json` gives exactly the object documented for
``kubecourse check LAB --json``; rendering for a terminal lives in the command line, rendering
for a notebook in :mod:`autograder.notebook`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["passed", "failed", "error"]

HIDDEN_PASSED = "hidden check passed"
HIDDEN_FAILED = "hidden check did not pass"


@dataclass(frozen=True, kw_only=True)
class Check:
    """One check a lab declares in its ``checks.py``."""

    id: str
    """Unique within the lab, a DNS label such as ``image-pinned``."""
    title: str
    """What the check verifies, in one line the learner reads."""
    points: float
    """Points for a full pass (> 0)."""
    hint: str = ""
    """What to do when the check fails."""
    hidden: bool = False
    """Hidden checks show a generic message instead of what they found in learner-facing output
    (their hint is shown: it teaches without giving away the check's logic)."""
    timeout: float = 60.0
    """Seconds the check may run (live checks may wait for a condition) before it is an error."""
    function: Callable[[Any], Any] = field(repr=False, compare=False)
    """The check itself: takes the cluster state, returns an outcome."""


@dataclass(frozen=True, kw_only=True)
class CheckResult:
    """The outcome of running one check."""

    check: Check
    """The check that ran."""
    status: Status
    """``passed`` (full points), ``failed`` (the learner's work falls short, possibly with
    partial credit) or ``error`` (the check itself broke)."""
    points: float
    """Points earned, from 0 to ``check.points``."""
    message: str = ""
    """What the check found."""
    mismatches: tuple[str, ...] = ()
    """Field paths that differ from what the check expected, when it compared objects."""
    seconds: float = 0.0
    """How long the check ran."""
    hint: str | None = None
    """The hint this failure gave (``fail(hint=...)``, ``Unmet(hint=...)``); None means the check's own."""
    root: Hashable | None = field(default=None, compare=False)
    """What the failure is about, as the check named it; equal roots are one root cause."""
    consequence_of: str | None = None
    """The id of an earlier check whose failure has the same root: this failure follows from it,
    so it is reported as a consequence, without a hint of its own."""

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def advice(self) -> str:
        """The hint to show: none for a pass or a consequence, else this failure's or the check's."""
        if self.passed or self.consequence_of is not None:
            return ""
        return self.check.hint if self.hint is None else self.hint

    def to_json(self, *, reveal_hidden: bool = False) -> dict[str, Any]:
        """The check's entry in :meth:`LabReport.to_json`."""
        check = self.check
        message = "; ".join(filter(None, [self.message, *self.mismatches]))
        if check.hidden and not reveal_hidden:
            message = HIDDEN_PASSED if self.passed else HIDDEN_FAILED
        return {
            "id": check.id,
            "title": check.title,
            "passed": self.passed,
            "points": round(self.points, 4),
            "max_points": float(check.points),
            "message": message,
            "hint": self.advice,
            "status": self.status,
            "consequence_of": self.consequence_of,
        }


@dataclass(frozen=True, kw_only=True)
class LabReport:
    """Every check of one lab run against one cluster state."""

    lab: str
    """The lab's id."""
    checks: tuple[CheckResult, ...]
    """Results in the order the lab declares its checks."""
    source: str = "snapshot"
    """Where the state came from: ``live`` or ``snapshot``."""

    @property
    def score(self) -> float:
        return round(sum(r.points for r in self.checks), 4)

    @property
    def max_score(self) -> float:
        return float(sum(r.check.points for r in self.checks))

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.checks)

    def result(self, check_id: str) -> CheckResult:
        """The result of the check called ``check_id`` (KeyError if the lab has none)."""
        for result in self.checks:
            if result.check.id == check_id:
                return result
        raise KeyError(check_id)

    def passed_ids(self) -> set[str]:
        """Ids of the checks that passed."""
        return {r.check.id for r in self.checks if r.passed}

    def consequences(self, check_id: str) -> list[CheckResult]:
        """The failures reported as consequences of the check ``check_id``."""
        return [r for r in self.checks if r.consequence_of == check_id]

    def to_json(self, *, reveal_hidden: bool = False) -> dict[str, Any]:
        """The documented report object; hidden checks' messages are masked unless
        ``reveal_hidden`` (for instructors)."""
        return {
            "lab": self.lab,
            "score": self.score,
            "max_score": self.max_score,
            "passed": self.passed,
            "checks": [r.to_json(reveal_hidden=reveal_hidden) for r in self.checks],
        }


__all__ = ["HIDDEN_FAILED", "HIDDEN_PASSED", "Check", "CheckResult", "LabReport", "Status"]

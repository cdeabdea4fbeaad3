"""What lab authors write checks with: the ``@check`` decorator and the outcome builders.

::

    from autograder.checks import check, ok, fail, partial

    @check(id="pod-exists", title="Pod hello exists", points=1, hint="kubectl apply -f pod.yaml")
    def pod_exists(state):
        pod = state.get("Pod", "hello", namespace="first-pod")
        return ok() if pod else fail("no Pod hello in namespace first-pod")

The decorator appends a :class:`~autograder.results.Check` to the module-level list ``CHECKS``
of the module that defines the function, in declaration order; the loader reads that list. The
function itself is returned unchanged, so a lab's tests can call it directly.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from autograder.results import Check

CHECK_ID = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What a check function returns; build it with :func:`ok`, :func:`fail` or :func:`partial`."""

    fraction: float
    """Share of the check's points earned, 0 to 1."""
    message: str = ""
    """What the check found, shown to the learner."""
    mismatches: tuple[str, ...] = ()
    """Field paths that differ (from :func:`autograder.match.mismatches`)."""
    kind: Literal["ok", "fail", "partial"] = "ok"


def ok(message: str = "") -> Outcome:
    """Full points."""
    return Outcome(fraction=1.0, message=str(message), kind="ok")


def fail(message: str, mismatches: Any = ()) -> Outcome:
    """No points; ``mismatches`` (field-path strings) explain what differs."""
    return Outcome(fraction=0.0, message=str(message), mismatches=tuple(map(str, mismatches)), kind="fail")


def partial(fraction: float, message: str = "") -> Outcome:
    """``fraction`` (0 to 1) of the points. A fraction of 1 is a pass, anything less is not.

    Raises:
        ValueError: ``fraction`` is not a number from 0 to 1.
    """
    if (
        isinstance(fraction, bool)
        or not isinstance(fraction, (int, float))
        or not 0 <= fraction <= 1
        or math.isnan(fraction)
    ):
        raise ValueError(f"partial credit must be a number from 0 to 1, not {fraction!r}")
    return Outcome(fraction=float(fraction), message=str(message), kind="partial")


def check(
    id: str | None = None,  # noqa: A002 - the contract's field name
    title: str | None = None,
    *,
    points: float = 1.0,
    hint: str = "",
    hidden: bool = False,
    timeout: float = 60.0,
) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    """Declare the decorated function as a check of the lab.

    Args:
        id: unique DNS label; defaults to the function's name with dashes for underscores.
        title: one line saying what is verified; defaults to the docstring's first line.
        points: points for a full pass (> 0).
        hint: what to do when it fails (shown only then, and never for hidden checks).
        hidden: show only a generic message to learners (the grade still counts).
        timeout: seconds the check may run before it is reported as an error.

    Raises:
        ValueError: an invalid field or a duplicate id (the loader reports it as a broken checks.py).
    """

    def register(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
        check_id = id or function.__name__.replace("_", "-")
        if not CHECK_ID.match(check_id):
            raise ValueError(f"check id {check_id!r} is not a DNS label (lowercase letters, digits, dashes)")
        doc = (function.__doc__ or "").strip().splitlines()
        check_title = title or (doc[0] if doc else check_id)
        if isinstance(points, bool) or not isinstance(points, (int, float)) or not points > 0 or math.isinf(points):
            raise ValueError(f"check {check_id!r}: points must be a number above 0, not {points!r}")
        if not isinstance(timeout, (int, float)) or not timeout > 0:
            raise ValueError(f"check {check_id!r}: timeout must be a number of seconds above 0")
        declared = Check(
            id=check_id,
            title=str(check_title),
            points=float(points),
            hint=str(hint),
            hidden=bool(hidden),
            timeout=float(timeout),
            function=function,
        )
        # The defining module's globals are its namespace, whether or not it sits in sys.modules.
        registry = function.__globals__.setdefault("CHECKS", [])
        if any(c.id == check_id for c in registry):
            raise ValueError(f"duplicate check id {check_id!r}")
        registry.append(declared)
        function.check = declared  # type: ignore[attr-defined]
        return function

    return register


__all__ = ["CHECK_ID", "Outcome", "check", "fail", "ok", "partial"]

"""What lab authors write checks with: the ``@check`` tag, the outcome builders and :class:`Unmet`.

::

    from autograder.checks import check, ok
    from autograder.expect import require

    @check(points=1)
    def pod_exists(state):
        '''Pod hello exists

        kubectl apply -f pod.yaml
        '''
        pod = require(state, "Pod", "hello", namespace="first-pod")
        return ok(f"found Pod {pod['metadata']['name']}")

``@check`` tags the function with its :class:`~autograder.results.Check` and returns it unchanged
(so a lab's tests can call it directly); the loader collects the tagged functions of a lab's
``checks.py`` in the order the module defines them, the way pytest collects tests. Like a test,
a check is named by its function (``pod-exists``) and described by its docstring: the first
paragraph is its title, the rest the hint a learner reads when it fails.

A check fails by returning :func:`fail` or by raising :class:`Unmet` (which is what
:func:`autograder.expect.require` raises for a missing object). Failures that name the same
``root`` are one root cause: the first check to report it explains it, and the later ones are
marked as its consequences instead of repeating it with hints of their own.
"""

from __future__ import annotations

import ast
import inspect
import math
import re
import sys
import textwrap
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
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
    hint: str | None = None
    """A hint for this particular failure, shown instead of the check's own; None keeps the check's."""
    root: Hashable | None = None
    """What the failure is about when other checks may fail for the same reason (see :class:`Unmet`)."""

    def with_root(self, root: Hashable) -> Outcome:
        """This outcome, its failure now about ``root`` (a pass stays a pass)."""
        hash(root)
        return self if self.fraction >= 1 else replace(self, root=root)


class Unmet(Exception):  # a check's outcome, not an error of the program (so no Error suffix)
    """Raised inside a check: the check fails with ``message``, and the run goes on.

    Args:
        message: what is missing or wrong, in the learner's words.
        root: any hashable naming the root cause (``("missing", "pod", "first-pod", "hello")``);
            every later check that fails with an equal ``root`` is reported as a consequence of
            the first one, with no hint of its own.
        hint: what to do about this root cause, when the check's own hint is about something else.
    """

    def __init__(self, message: str, *, root: Hashable | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        hash(root)  # an unhashable root is the check's bug: fail here, where it was written
        self.message = str(message)
        self.root = root
        self.hint = hint

    def outcome(self) -> Outcome:
        """The failure this stands for."""
        return Outcome(fraction=0.0, message=self.message, kind="fail", hint=self.hint, root=self.root)


def ok(message: str = "") -> Outcome:
    """Full points."""
    return Outcome(fraction=1.0, message=str(message), kind="ok")


def fail(message: str, mismatches: Any = (), *, hint: str | None = None, root: Hashable | None = None) -> Outcome:
    """No points; ``mismatches`` (field-path strings) explain what differs.

    ``hint`` replaces the check's hint for this failure; ``root`` groups it with other checks'
    failures of the same cause (see :class:`Unmet`).
    """
    hash(root)
    return Outcome(
        fraction=0.0, message=str(message), mismatches=tuple(map(str, mismatches)), kind="fail", hint=hint, root=root
    )


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
    id: str | None = None,  # the contract's field name, though it shadows a builtin
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
        title: one line saying what is verified; defaults to the docstring's first paragraph.
        points: points for a full pass (> 0).
        hint: what to do when it fails, shown only then; defaults to the docstring's other
            paragraphs. Hidden checks need one: it is all a learner learns about why the check
            failed.
        hidden: learners see a generic message instead of what the check found (the grade
            still counts), and the hint.
        timeout: seconds the check may run before it is reported as an error.

    Raises:
        ValueError: an invalid field (the loader reports it as a broken checks.py).
    """

    def tag(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
        check_id = id or function.__name__.replace("_", "-")
        if not CHECK_ID.match(check_id):
            raise ValueError(f"check id {check_id!r} is not a DNS label (lowercase letters, digits, dashes)")
        summary, details = _docstring_parts(function)
        check_title = title or summary or check_id
        check_hint = hint or details
        if isinstance(points, bool) or not isinstance(points, (int, float)) or not points > 0 or math.isinf(points):
            raise ValueError(f"check {check_id!r}: points must be a number above 0, not {points!r}")
        if not isinstance(timeout, (int, float)) or not timeout > 0:
            raise ValueError(f"check {check_id!r}: timeout must be a number of seconds above 0")
        if hidden and not str(check_hint).strip():
            raise ValueError(f"hidden check {check_id!r} needs a hint: learners see it instead of what the check found")
        function.check = Check(  # type: ignore[attr-defined]
            id=check_id,
            title=str(check_title),
            points=float(points),
            hint=str(check_hint),
            hidden=bool(hidden),
            timeout=float(timeout),
            function=function,
        )
        return function

    return tag


def _docstring_parts(function: Callable[..., Any]) -> tuple[str, str]:
    """A docstring's first paragraph and the rest, each paragraph reflowed into one line.

    Paragraphs are separated by blank lines; the rest's paragraphs stay separated by one.
    """
    doc = function.__doc__
    if doc is None and sys.flags.optimize >= 2:  # python -OO drops docstrings, and with them the titles
        doc = _docstring_in_source(function)
    doc = inspect.cleandoc(doc or "")
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", doc) if p.strip()]
    return (paragraphs[0], "\n\n".join(paragraphs[1:])) if paragraphs else ("", "")


def _docstring_in_source(function: Callable[..., Any]) -> str | None:
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return None
    node = tree.body[0] if tree.body else None
    return ast.get_docstring(node, clean=False) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None


def tagged(value: Any) -> Check | None:
    """The :class:`Check` that ``@check`` attached to ``value``, or None."""
    found = getattr(value, "check", None) if callable(value) else None
    return found if isinstance(found, Check) and found.function is value else None


__all__ = ["CHECK_ID", "Outcome", "Unmet", "check", "fail", "ok", "partial", "tagged"]

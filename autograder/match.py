"""Partial object matching in the spirit of kuttl and chainsaw asserts.

Write only the fields that matter; :func:`mismatches` lists every place where the object differs,
as field paths a learner can read (``spec.containers[0].image: expected 'busybox:1.36', got
'busybox'``). The rules:

- a mapping matches when every expected key matches (extra keys in the object are fine);
- a list matches element by element and must have the same length, unless wrapped in
  :func:`contains`, which asks for each expected element to match *some* element;
- a type asks for a value of that type (``{"spec": {"replicas": int}}``);
- a callable is a predicate on the value found (``lambda image: not image.endswith(":latest")``);
  wrapped in :func:`that` it also says what it expects (``that(pred, "a pinned tag")``), and
  :func:`at_least` / :func:`at_most` are ready-made ones for numbers;
- :data:`PRESENT` asks for the field to exist, :data:`ABSENT` for it not to exist;
- anything else must be equal (``1`` does not equal ``True``, ``1`` equals ``1.0``).

A missing object (``None``) is one mismatch, not a crash.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograder.paths import format_path


class _Marker:
    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name


PRESENT = _Marker("PRESENT")
"""Expected value meaning "this field exists, whatever its value"."""
ABSENT = _Marker("ABSENT")
"""Expected value meaning "this field must not exist"."""
_MISSING = _Marker("<missing>")


class Contains:
    """A list expectation satisfied when each expected element matches some element of the list."""

    def __init__(self, *elements: Any) -> None:
        self.elements = elements

    def __repr__(self) -> str:
        return f"contains({', '.join(map(repr, self.elements))})"


def contains(*elements: Any) -> Contains:
    """Expect a list holding an element that matches each of ``elements`` (order ignored)."""
    return Contains(*elements)


class That:
    """A predicate that says in words what it accepts, for the mismatch message."""

    def __init__(self, predicate: Callable[[Any], bool], description: str) -> None:
        self.predicate = predicate
        self.description = description

    def __call__(self, value: Any) -> bool:
        return bool(self.predicate(value))

    def __repr__(self) -> str:
        return self.description


def that(predicate: Callable[[Any], bool], description: str) -> That:
    """Expect a value ``predicate`` accepts; a mismatch reads ``expected <description>, got ...``."""
    return That(predicate, description)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def at_least(low: float) -> That:
    """Expect a number of at least ``low`` (``True`` is not a number here)."""
    return That(lambda value: _number(value) and value >= low, f"at least {low}")


def at_most(high: float) -> That:
    """Expect a number of at most ``high``."""
    return That(lambda value: _number(value) and value <= high, f"at most {high}")


_YAML_WORDS = {True: "true", False: "false", None: "null"}


def _show(value: Any, limit: int = 80) -> str:
    # Learners write YAML: true, false and null read as they wrote them, not as Python's True.
    if value is _MISSING:
        text = "missing"
    elif value is None or isinstance(value, bool):
        text = _YAML_WORDS[value]
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _where(path: list[Any]) -> str:
    return format_path(path) or "(object)"


def _equal(actual: Any, expected: Any) -> bool:
    # bool is an int in Python; in YAML `true` and `1` mean different things.
    if isinstance(actual, bool) or isinstance(expected, bool):
        return type(actual) is type(expected) and actual == expected
    return actual == expected


def _compare(actual: Any, expected: Any, path: list[Any], out: list[str]) -> None:
    where = _where(path)
    if expected is ABSENT:
        if actual is not _MISSING:
            out.append(f"{where}: expected no such field, got {_show(actual)}")
        return
    if expected is PRESENT:
        if actual is _MISSING:
            out.append(f"{where}: expected a value, got missing")
        return
    if isinstance(expected, Contains):
        if not isinstance(actual, list):
            out.append(f"{where}: expected a list, got {_show(actual)}")
            return
        for element in expected.elements:
            if not any(not mismatches_of(item, element) for item in actual):
                out.append(f"{where}: expected an element matching {_show(element)}, none of {len(actual)} match")
        return
    if isinstance(expected, type):
        good = isinstance(actual, expected) and not (isinstance(actual, bool) and expected is not bool)
        if not good:
            out.append(f"{where}: expected a value of type {expected.__name__}, got {_show(actual)}")
        return
    if callable(expected):
        try:
            good = actual is not _MISSING and bool(expected(actual))
        except Exception:  # noqa: BLE001 - a predicate that cannot handle the value rejects it
            good = False
        if not good:
            name = getattr(expected, "__name__", "predicate")
            what = "a value accepted by " + ("the predicate" if name == "<lambda>" else name)
            if isinstance(expected, That):
                what = expected.description
            out.append(f"{where}: expected {what}, got {_show(actual)}")
        return
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            out.append(f"{where}: expected a mapping, got {_show(actual)}")
            return
        for key, value in expected.items():
            _compare(actual.get(key, _MISSING), value, [*path, key], out)
        return
    if isinstance(expected, (list, tuple)):
        if not isinstance(actual, list):
            out.append(f"{where}: expected a list, got {_show(actual)}")
            return
        if len(actual) != len(expected):
            out.append(f"{where}: expected {len(expected)} items, got {len(actual)}")
        for i, (item, want) in enumerate(zip(actual, expected, strict=False)):
            _compare(item, want, [*path, i], out)
        return
    if actual is _MISSING or not _equal(actual, expected):
        out.append(f"{where}: expected {_show(expected)}, got {_show(actual)}")


def mismatches_of(actual: Any, expected: Any) -> list[str]:
    """Like :func:`mismatches` but for any value (used for list elements)."""
    out: list[str] = []
    _compare(actual, expected, [], out)
    return out


def mismatches(obj: dict[str, Any] | None, expected_partial: Any) -> list[str]:
    """Field paths where ``obj`` differs from ``expected_partial``; empty when it matches.

    Args:
        obj: a Kubernetes object as a dict, or ``None`` when it was not found.
        expected_partial: the fields that matter (see the module docstring for the rules).

    Returns:
        One line per difference, ``path: expected X, got Y``.
    """
    if obj is None:
        return ["object not found"]
    return mismatches_of(obj, expected_partial)


def matches(obj: dict[str, Any] | None, expected_partial: Any) -> bool:
    """Whether ``obj`` matches ``expected_partial`` (no mismatches)."""
    return obj is not None and not mismatches_of(obj, expected_partial)


Predicate = Callable[[Any], bool]

__all__ = [
    "ABSENT",
    "PRESENT",
    "Contains",
    "Predicate",
    "That",
    "at_least",
    "at_most",
    "contains",
    "matches",
    "mismatches",
    "mismatches_of",
    "that",
]

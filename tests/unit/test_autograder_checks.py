"""autograder.checks: the @check decorator's registry and validation, and the outcome builders."""

from __future__ import annotations

import math

import pytest

from autograder.checks import Outcome, check, fail, ok, partial


def _module(source: str) -> dict:
    namespace: dict = {"check": check}
    exec(source, namespace)  # noqa: S102 - a stand-in for a lab's checks.py
    return namespace


def test_decorator_registers_in_declaration_order():
    ns = _module(
        "@check(id='b-second', title='B', points=2, hint='h')\n"
        "def b(state): pass\n"
        "@check(id='a-first', title='A', points=1)\n"
        "def a(state): pass\n"
    )
    assert [c.id for c in ns["CHECKS"]] == ["b-second", "a-first"]
    first = ns["CHECKS"][0]
    assert (first.title, first.points, first.hint, first.hidden) == ("B", 2.0, "h", False)
    assert ns["b"].check is first  # the function comes back unchanged, tagged with its check


def test_defaults_from_function_name_and_docstring():
    ns = _module("@check(points=1)\ndef pod_exists(state):\n    '''The pod exists.\n\n    More.'''\n")
    assert (ns["CHECKS"][0].id, ns["CHECKS"][0].title) == ("pod-exists", "The pod exists.")


@pytest.mark.parametrize(
    "args, problem",
    [
        ("id='Bad_Id'", "DNS label"),
        ("id='x', points=0", "points"),
        ("id='x', points=-1", "points"),
        ("id='x', points=True", "points"),
        ("id='x', points=float('inf')", "points"),
        ("id='x', timeout=0", "timeout"),
    ],
)
def test_invalid_declarations(args, problem):
    with pytest.raises(ValueError, match=problem):
        _module(f"@check({args})\ndef f(state): pass\n")


def test_duplicate_ids_are_refused():
    with pytest.raises(ValueError, match="duplicate"):
        _module("@check(id='x')\ndef f(state): pass\n@check(id='x')\ndef g(state): pass\n")


def test_outcomes():
    assert ok() == Outcome(fraction=1.0, message="", kind="ok")
    assert fail("no", ["a: b"]) == Outcome(fraction=0.0, message="no", mismatches=("a: b",), kind="fail")
    assert partial(0.25, "a quarter").fraction == 0.25
    assert partial(1).fraction == 1.0


@pytest.mark.parametrize("bad", [-0.1, 1.5, math.nan, "0.5", True])
def test_partial_range(bad):
    with pytest.raises(ValueError, match="from 0 to 1"):
        partial(bad)

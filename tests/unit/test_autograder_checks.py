"""autograder.checks: the @check tag and its validation, the outcome builders and Unmet."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from autograder.checks import Outcome, Unmet, check, fail, ok, partial, tagged


def test_the_tag_describes_the_check_and_returns_the_function_unchanged():
    def b(state):
        return ok("fine")

    tagged_b = check(id="b-second", title="B", points=2, hint="h")(b)
    assert tagged_b is b and b(None) == ok("fine")
    assert (b.check.id, b.check.title, b.check.points, b.check.hint, b.check.hidden) == (
        "b-second",
        "B",
        2.0,
        "h",
        False,
    )
    assert tagged(b) is b.check and b.check.function is b


def test_defaults_from_function_name_and_docstring():
    @check(points=1)
    def pod_exists(state):
        """The pod exists.

        More."""

    assert (pod_exists.check.id, pod_exists.check.title, pod_exists.check.hint) == (
        "pod-exists",
        "The pod exists.",
        "More.",
    )


def test_docstring_paragraphs_are_reflowed_into_title_and_hint():
    @check(points=1, hidden=True)
    def spread(state):
        """The replicas run on
        different nodes

        Add a topologySpreadConstraint
            on kubernetes.io/hostname.

        kubectl get pods -o wide shows the nodes.
        """

    assert spread.check.title == "The replicas run on different nodes"
    assert spread.check.hint == (
        "Add a topologySpreadConstraint on kubernetes.io/hostname.\n\nkubectl get pods -o wide shows the nodes."
    )


def test_keywords_win_over_the_docstring():
    @check(title="Title", hint="Hint")
    def f(state):
        """Other title

        Other hint
        """

    assert (f.check.title, f.check.hint) == ("Title", "Hint")


def test_hidden_check_whose_docstring_has_no_hint_is_refused():
    with pytest.raises(ValueError, match="needs a hint"):

        @check(hidden=True)
        def secret(state):
            """A title and nothing more"""


def test_titles_and_hints_survive_python_dropping_docstrings(tmp_path):
    """``python -OO`` (or PYTHONOPTIMIZE=2) strips ``__doc__``; the titles and hints are read from the source."""
    script = (
        "from autograder.loader import load_checks\n"
        "print(repr([(c.title, c.hint) for c in load_checks('first-pod').checks]))\n"
    )
    runs = [
        subprocess.run([sys.executable, *flags, "-c", script], capture_output=True, text=True, check=True, timeout=60)
        for flags in ([], ["-OO"])
    ]
    assert runs[0].stdout == runs[1].stdout and "Pod hello exists" in runs[0].stdout


def test_only_functions_tagged_by_check_are_checks():
    def plain(state):
        pass

    def copied(state):
        pass

    @check(id="real")
    def real(state):
        pass

    copied.check = real.check  # an attribute copied onto another function is not a declaration
    assert tagged(plain) is None and tagged(copied) is None and tagged("real") is None


@pytest.mark.parametrize(
    "options, problem",
    [
        ({"id": "Bad_Id"}, "DNS label"),
        ({"id": "x", "points": 0}, "points"),
        ({"id": "x", "points": -1}, "points"),
        ({"id": "x", "points": True}, "points"),
        ({"id": "x", "points": math.inf}, "points"),
        ({"id": "x", "timeout": 0}, "timeout"),
        ({"id": "x", "hidden": True}, "needs a hint"),
        ({"id": "x", "hidden": True, "hint": "  "}, "needs a hint"),
    ],
)
def test_invalid_declarations(options, problem):
    with pytest.raises(ValueError, match=problem):
        check(**options)(lambda state: None)


def test_outcomes():
    assert ok() == Outcome(fraction=1.0, message="", kind="ok")
    assert fail("no", ["a: b"]) == Outcome(fraction=0.0, message="no", mismatches=("a: b",), kind="fail")
    assert partial(0.25, "a quarter").fraction == 0.25
    assert partial(1).fraction == 1.0
    failed = fail("never ran", hint="fix the spec", root=("never-ran", "wf"))
    assert (failed.hint, failed.root) == ("fix the spec", ("never-ran", "wf"))


@pytest.mark.parametrize("bad", [-0.1, 1.5, math.nan, "0.5", True])
def test_partial_range(bad):
    with pytest.raises(ValueError, match="from 0 to 1"):
        partial(bad)


def test_unmet_is_a_failure_with_its_root_and_hint():
    unmet = Unmet("no Job sweep in namespace batch", root=("missing", "job"), hint="apply it")
    assert str(unmet) == "no Job sweep in namespace batch"
    assert unmet.outcome() == fail("no Job sweep in namespace batch", hint="apply it", root=("missing", "job"))


def test_a_root_must_be_hashable():
    with pytest.raises(TypeError):
        Unmet("x", root=["a list"])
    with pytest.raises(TypeError):
        fail("x", root={"a": "dict"})


def test_with_root_regroups_a_failure_and_leaves_a_pass_alone():
    assert fail("spread").with_root("no-rule").root == "no-rule"
    assert partial(0.5, "half").with_root("no-rule").root == "no-rule"
    assert ok("fine").with_root("no-rule") == ok("fine")

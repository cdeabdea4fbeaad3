"""The argo-warmup checks on their snapshot fixtures: what each failure says, in Argo's words.

The fixtures are made by labs/argo-warmup/tests/make_fixtures.py with the argo-salmon lab's
stand-in controller (labs/argo-salmon/tests/argosim.py), which writes the ``invalid spec``
messages as Argo v3.7.3's workflow/validate/validate.go does (``templates.main.steps failed to
resolve {{item}}``). Which checks pass for each fixture is tested in test_lab_snapshots.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder import load_snapshot, run_checks

SNAPSHOTS = Path(__file__).resolve().parents[2] / "labs" / "argo-warmup" / "tests" / "snapshots"


def _results(fixture: str) -> dict:
    report = run_checks("argo-warmup", load_snapshot(SNAPSHOTS / f"{fixture}.yaml"))
    return {r.check.id: r for r in report.checks}


@pytest.mark.parametrize(
    ("fixture", "check", "words"),
    [
        ("one-group", "two-steps", "ran at the same time (first 09:00:01-09:00:04, second 09:00:01-09:00:04)"),
        ("item-outside-loop", "fan-out", "is Failed: invalid spec: templates.main.steps failed to resolve {{item}}"),
        ("two-items", "fan-out", "over 2 different item(s) (alpha, beta); loop over at least 3"),
        ("same-items", "fan-out", "over 1 different item(s) (hello, hello, hello)"),
        (
            "output-not-declared",
            "output-parameter",
            "invalid spec: templates.main.steps failed to resolve {{steps.count.outputs.parameters.words}}",
        ),
        ("output-wrong-path", "output-parameter", "(step count: Error (exit code 1): open /tmp/word: no such file"),
        ("output-by-hand", "output-parameter", "passes no output parameter along"),
        ("part-1-only", "fan-out", "no fan-out-* Workflow in namespace warmup yet"),
    ],
)
def test_each_failure_says_what_happened(fixture, check, words):
    result = _results(fixture)[check]
    assert not result.passed and words in result.message, result.message


def test_the_solution_says_what_ran():
    results = _results("solution")
    assert results["two-steps"].message == "hello-x7k2p: first ran 09:00:01-09:00:04, then second 09:00:04-09:00:07"
    assert results["fan-out"].message == "step greet ran once per item: alpha, beta, gamma, delta"
    assert results["output-parameter"].message == "step report received '9', the output parameter words of step count"


def test_workflows_in_another_namespace_are_one_root_cause_with_its_own_hint():
    results = _results("wrong-namespace")
    first = results["two-steps"]
    assert first.message.startswith("found Workflow hello-x7k2p in namespace default, expected warmup")
    assert "kubectl create -n $NS" in (first.hint or "")
    assert results["fan-out"].consequence_of == results["output-parameter"].consequence_of == "two-steps"


def test_the_newest_attempt_is_graded():
    assert _results("bad-then-good")["two-steps"].passed

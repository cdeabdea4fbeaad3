"""The linter never raises, whatever value a manifest holds wherever it holds it.

A property test (Hypothesis) replaces, removes or adds one value anywhere in small valid
manifests and Workflows (``lint_samples``) and lints the result both as YAML text and as parsed
data: the answer is always a report (findings or clean), never an exception, and no built-in
rule ever fails (a ``rule-error`` finding would mean a rule crashed and was caught). The runs
are derandomized, so CI sees the same cases every time.
"""

from __future__ import annotations

import math

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lint_samples import SAMPLES, mutated

from manifestlint import lint_object, lint_text

CASES_PER_SAMPLE = 400  # six samples: 2400 cases a run


def _dump(docs) -> str:
    return yaml.safe_dump_all(docs, sort_keys=False, allow_unicode=True)


@pytest.mark.parametrize("name", sorted(SAMPLES))
@settings(
    max_examples=CASES_PER_SAMPLE,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_any_value_anywhere_gives_findings_or_clean(name, data):
    docs = data.draw(mutated(name))
    report = lint_text(_dump(docs), source=f"{name}.yaml")
    assert report.error is None or "not valid YAML" in report.error or "nested" in report.error, report.error
    assert not [p for p in report.problems if p.rule == "rule-error"], report.lines()
    assert all(p.line >= 1 and p.message for p in report.problems)
    for doc in docs:
        findings = lint_object(doc)
        assert not [f for f in findings if f.rule == "rule-error"], findings


def test_the_samples_are_clean_before_mutation():
    for name, text in SAMPLES.items():
        report = lint_text(text, source=f"{name}.yaml")
        assert report.ok, (name, report.lines())


def test_non_finite_numbers_and_huge_integers_are_findings():
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
        "  - {name: c, image: i, resources: {requests: {cpu: .nan, memory: .inf}, limits: {cpu: 1e400}}}\n"
        f"  terminationGracePeriodSeconds: {2**80}\n"
    )
    report = lint_text(text)
    assert report.error is None and report.problems
    assert math.isnan(float("nan"))  # the YAML above really holds NaN and infinity

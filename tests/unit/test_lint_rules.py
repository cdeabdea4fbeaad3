"""Lint rules as tagged functions: collected in the order a module defines them (as pytest collects
tests), selected by kind, and never able to stop the other rules."""

from __future__ import annotations

import pytest

from manifestlint import Finding, rule
from manifestlint.labrules import load_rules


@pytest.fixture
def lab_rules(tmp_path):
    """Write a lab's lint.py and load its rules the way the linter does."""

    def load(source: str):
        (tmp_path / "lint.py").write_text(source)
        return load_rules(tmp_path)

    return load


def test_rules_are_collected_in_definition_order_and_imports_are_not_rules(lab_rules):
    rules = lab_rules(
        "from manifestlint import Finding, rule\n"
        "from manifestlint.meta_rules import names  # a tagged rule of another module\n"
        "@rule\n"
        "def zeta(obj):\n    yield Finding('spec', 'z')\n"
        "def helper(obj):\n    return []\n"
        "@rule(kinds=['Job.batch'])\n"
        "def alpha_rule(obj):\n    return [Finding('metadata.name', 'a')]\n"
    )
    assert [r.id for r in rules] == ["zeta", "alpha-rule"]
    assert rules[1].applies_to("Job", "batch") and not rules[1].applies_to("Job", "example.com")
    assert rules[0].applies_to("Anything", None)
    assert [(str(f.path), f.rule) for f in rules[0].run({})] == [("spec", "zeta")]


def test_a_rule_that_raises_or_yields_garbage_is_a_finding_not_a_crash(lab_rules):
    boom, garbage = lab_rules(
        "from manifestlint import rule\n"
        "@rule\ndef boom(obj):\n    return obj['missing']\n"
        "@rule\ndef garbage(obj):\n    yield ('spec', 'a tuple, not a Finding')\n"
    )
    (found,) = boom.run({})
    assert found.rule == "rule-error" and "the rule boom failed on this object: KeyError" in found.message
    (found,) = garbage.run({})
    assert found.rule == "rule-error" and "not a Finding" in found.message


@pytest.mark.parametrize("selector", ["job", "Job/batch", "", 3])
def test_kind_selectors_are_checked_when_the_rule_is_defined(selector):
    with pytest.raises(ValueError, match="not a Kind or Kind.group selector"):
        rule(kinds=[selector])


def test_a_finding_keeps_its_own_rule_id(lab_rules):
    (r,) = lab_rules(
        "from manifestlint import Finding, rule\n@rule\ndef r(obj):\n    yield Finding('', 'm', 'own-id')\n"
    )
    assert [f.rule for f in r.run({})] == ["own-id"]
    assert Finding("a.b[2]['c.d']", "m").path == ("a", "b", 2, "c.d")

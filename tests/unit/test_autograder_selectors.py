"""autograder.selectors: Kubernetes label selector syntax as predicates."""

from __future__ import annotations

import pytest

from autograder.selectors import matches_labels, parse_selector
from coursecore.errors import UsageError

LABELS = {"app": "hello", "tier": "web", "app.kubernetes.io/name": "x"}


@pytest.mark.parametrize(
    "selector, expected",
    [
        ("", True),
        ("app=hello", True),
        ("app==hello", True),
        ("app!=hello", False),
        ("app=other", False),
        ("app=hello,tier=web", True),
        ("app=hello,tier=db", False),
        ("tier in (web, db)", True),
        ("tier notin (web,db)", False),
        ("app.kubernetes.io/name", True),
        ("!legacy", True),
        ("!app", False),
        ("missing!=x", True),
        ("app in (hello),tier", True),
    ],
)
def test_selectors(selector, expected):
    assert parse_selector(selector)(LABELS) is expected


@pytest.mark.parametrize("bad", ["app=(x", "=x", "app in x", "a b c"])
def test_invalid_selectors_are_usage_errors(bad):
    with pytest.raises(UsageError, match="invalid label selector"):
        parse_selector(bad)


def test_matches_labels():
    assert matches_labels(LABELS, {"app": "hello"})
    assert matches_labels(None, None)
    assert not matches_labels(None, {"app": "hello"})
    assert not matches_labels(LABELS, {"app": "hello", "tier": "db"})

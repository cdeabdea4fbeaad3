"""autograder.selectors: Kubernetes label selector syntax as predicates."""

from __future__ import annotations

import pytest

from autograder.selectors import matches_labels, parse_selector, selects
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


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ({"matchLabels": {"app": "pack"}}, True),
        ({"matchLabels": {"app": "portal"}}, False),
        ({"matchExpressions": [{"key": "app", "operator": "In", "values": ["pack", "x"]}]}, True),
        ({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["pack"]}]}, False),
        ({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, False),
        ({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, True),
        (
            {"matchLabels": {"app": "pack"}, "matchExpressions": [{"key": "app", "operator": "Gt", "values": ["1"]}]},
            False,
        ),
        ({}, True),  # the API server's empty selector selects everything
        (None, False),
        ("app=pack", False),
    ],
)
def test_label_selector_objects(selector, expected):
    assert selects(selector, {"app": "pack"}) is expected

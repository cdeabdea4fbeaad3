"""Label and field selector parsing of the fake API server."""

from __future__ import annotations

import pytest
from fakekube.errors import ApiError
from fakekube.resources import BUILTINS
from fakekube.selection import object_matcher, parse_label_selector

PODS = next(rt for rt in BUILTINS if rt.kind == "Pod")


def _pod(name: str, labels: dict, phase: str = "Running") -> dict:
    return {
        "metadata": {"name": name, "namespace": "lab", "labels": labels},
        "status": {"phase": phase},
        "spec": {"nodeName": "n1"},
    }


PODS_IN_LAB = [
    _pod("a", {"app": "salmon", "tier": "web"}),
    _pod("b", {"app": "salmon"}),
    _pod("c", {"app": "argo", "tier": "db"}, "Pending"),
    _pod("d", {}),
]


@pytest.mark.parametrize(
    "labels, fields, expected",
    [
        ("", "", "abcd"),
        ("app=salmon", "", "ab"),
        ("app==salmon", "", "ab"),
        ("app!=salmon", "", "cd"),
        ("tier in (web, db)", "", "ac"),
        ("tier notin (web)", "", "bcd"),
        ("tier", "", "ac"),
        ("!tier", "", "bd"),
        ("app=salmon,!tier", "", "b"),
        ("app in (salmon),tier notin (db)", "", "ab"),
        ("", "metadata.name=c", "c"),
        ("", "metadata.name!=c,metadata.namespace=lab", "abd"),
        ("", "status.phase=Pending", "c"),
        ("app", "spec.nodeName=n1,status.phase!=Pending", "ab"),
    ],
)
def test_selectors_select(labels, fields, expected):
    matches = object_matcher(PODS, labels, fields)
    assert "".join(p["metadata"]["name"] for p in PODS_IN_LAB if matches(p)) == expected


@pytest.mark.parametrize("selector", ["app=sal mon", "a b", "app in (x", "=x", "app=-x"])
def test_bad_label_selectors_are_400(selector):
    with pytest.raises(ApiError) as bad:
        parse_label_selector(selector)
    assert bad.value.code == 400


@pytest.mark.parametrize("fields", ["spec.containers=x", "metadata.name", "data.k=v"])
def test_unsupported_field_selectors_are_400(fields):
    with pytest.raises(ApiError) as bad:
        object_matcher(PODS, "", fields)
    assert bad.value.code == 400

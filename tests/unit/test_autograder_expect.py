"""autograder.expect: require (a missing object fails the check, naming where it is) and the
partial-object expectations."""

from __future__ import annotations

import pytest

from autograder.checks import Unmet
from autograder.errors import ClusterUnreachable
from autograder.expect import describe, expect, expect_fields, missing_root, require
from autograder.match import at_least
from autograder.state import MemoryState

OLD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "a", "namespace": "lab", "creationTimestamp": "1", "labels": {"app": "x"}},
    "spec": {"restartPolicy": "Never"},
}
NEW = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "b", "namespace": "lab", "creationTimestamp": "2", "labels": {"app": "x"}},
    "spec": {"restartPolicy": "Always"},
}
STATE = MemoryState([OLD, NEW])


def test_exists():
    assert expect(STATE, "Pod", name="a", namespace="lab").fraction == 1
    missing = expect(STATE, "Pod", name="c", namespace="lab")
    assert missing.fraction == 0 and missing.message == "no Pod c in namespace lab (found Pod a, b)"
    assert missing.root == missing_root("Pod", "c", "lab")  # the same root as require's
    assert expect(STATE, "Job").message == "found no Job"


def test_partial_match_over_a_selection():
    assert expect(STATE, "Pod", labels={"app": "x"}, matches={"spec": {"restartPolicy": "Never"}}).fraction == 1
    outcome = expect(STATE, "Pod", labels={"app": "x"}, matches={"spec": {"restartPolicy": "OnFailure"}})
    assert outcome.fraction == 0
    assert outcome.message == "Pod b differs from what is expected"  # the newest is reported
    assert outcome.mismatches == ("spec.restartPolicy: expected 'OnFailure', got 'Always'",)


def test_require_returns_the_object_or_fails_the_check():
    assert require(STATE, "Pod", "a", namespace="lab")["spec"] == {"restartPolicy": "Never"}
    with pytest.raises(Unmet) as info:
        require(STATE, "Pod", "c", namespace="lab")
    assert info.value.message == "no Pod c in namespace lab (found Pod a, b)"  # a misspelt name?
    with pytest.raises(Unmet, match="^no Job j in namespace lab$"):
        require(STATE, "Job", "j", namespace="lab")
    many = MemoryState([{**OLD, "metadata": {"name": f"p{i}", "namespace": "lab"}} for i in range(7)])
    with pytest.raises(Unmet, match=r"\(found Pod p0, p1, p2, p3, p4 and 2 more\)$"):
        require(many, "Pod", "c", namespace="lab")
    assert info.value.root == missing_root("Pod", "c", "lab") == missing_root("pod", "c", "lab")


def test_require_names_the_namespace_the_object_is_in_instead():
    with pytest.raises(Unmet) as info:
        require(STATE, "Pod", "a", namespace="first-pod")
    assert info.value.message == "found Pod a in namespace lab, expected first-pod"
    elsewhere = MemoryState([OLD, {**OLD, "metadata": {"name": "a", "namespace": "default"}}])
    with pytest.raises(Unmet, match="found Pod a in namespaces default, lab, expected first-pod"):
        require(elsewhere, "Pod", "a", namespace="first-pod")


class _NoClusterWideReads(MemoryState):
    def objects(self, kind, *, namespace=None, **options):
        if namespace is None:
            raise ClusterUnreachable("the credentials may not list pods in all namespaces (403 Forbidden)")
        return super().objects(kind, namespace=namespace, **options)


def test_a_forbidden_look_elsewhere_is_still_only_a_missing_object():
    with pytest.raises(Unmet, match="^no Pod a in namespace first-pod$"):
        require(_NoClusterWideReads([OLD]), "Pod", "a", namespace="first-pod")


def test_expect_fields_names_every_field_that_differs():
    assert expect_fields(NEW, {"spec": {"restartPolicy": "Always"}}).message == "Pod b is as expected"
    outcome = expect_fields(NEW, {"restartPolicy": "Never", "replicas": at_least(2)}, at="spec")
    assert outcome.fraction == 0 and outcome.message == "Pod b differs from what is expected in spec"
    assert outcome.mismatches == (
        "restartPolicy: expected 'Never', got 'Always'",
        "replicas: expected at least 2, got missing",
    )
    whole = expect_fields(NEW, {"runAsNonRoot": True}, at="spec.securityContext")
    assert whole.mismatches == ("spec.securityContext: expected a mapping, got missing",)
    assert expect_fields(NEW, {}, passed="fine").message == "fine"
    with pytest.raises(ValueError, match="no list indexes"):
        expect_fields(NEW, {}, at="spec.containers[0]")


def test_describe():
    assert describe("Pod", name="a", namespace="n", labels={"k": "v"}) == "Pod a labelled k=v in namespace n"

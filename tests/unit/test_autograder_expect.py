"""autograder.expect: the declarative helpers (exists, partial match, must not exist, eventually)."""

from __future__ import annotations

from autograder.expect import describe, expect, expect_absent, expect_eventually
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
    assert missing.fraction == 0 and missing.message == "no Pod c in namespace lab"
    assert expect(STATE, "Job").message == "found no Job"


def test_partial_match_over_a_selection():
    assert expect(STATE, "Pod", labels={"app": "x"}, matches={"spec": {"restartPolicy": "Never"}}).fraction == 1
    outcome = expect(STATE, "Pod", labels={"app": "x"}, matches={"spec": {"restartPolicy": "OnFailure"}})
    assert outcome.fraction == 0
    assert outcome.message == "Pod b differs from what is expected"  # the newest is reported
    assert outcome.mismatches == ("spec.restartPolicy: expected 'OnFailure', got 'Always'",)


def test_must_not_exist():
    assert expect_absent(STATE, "Pod", name="c").fraction == 1
    outcome = expect_absent(STATE, "Pod", labels={"app": "x"})
    assert outcome.fraction == 0 and "found Pod a, Pod b" in outcome.message


def test_eventually_on_a_snapshot_reports_the_last_mismatch():
    assert (
        expect_eventually(STATE, "Pod", "a", namespace="lab", matches={"spec": {"restartPolicy": "Never"}}).fraction
        == 1
    )
    outcome = expect_eventually(
        STATE, "Pod", "b", namespace="lab", matches={"spec": {"restartPolicy": "Never"}}, timeout=5
    )
    assert outcome.message == "Pod b in namespace lab did not match"
    assert outcome.mismatches == ("spec.restartPolicy: expected 'Never', got 'Always'",)
    assert expect_eventually(STATE, "Pod", "zz", matches={}).message == "no Pod zz"


def test_describe():
    assert describe("Pod", name="a", namespace="n", labels={"k": "v"}) == "Pod a labelled k=v in namespace n"

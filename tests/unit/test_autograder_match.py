"""autograder.match: partial objects, list rules, markers, predicates and readable mismatches."""

from __future__ import annotations

from autograder.match import ABSENT, PRESENT, at_least, at_most, contains, matches, mismatches, that

POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "hello", "labels": {"app": "hello", "app.kubernetes.io/part-of": "lab"}},
    "spec": {
        "restartPolicy": "Never",
        "containers": [
            {"name": "hello", "image": "busybox:1.36", "resources": {"requests": {"cpu": "50m"}}},
            {"name": "side", "image": "nginx:1.27"},
        ],
    },
    "status": {"phase": "Succeeded", "ready": False, "count": 1},
}


def test_match_is_partial():
    assert mismatches(POD, {"metadata": {"labels": {"app": "hello"}}}) == []
    assert matches(POD, {"spec": {"restartPolicy": "Never"}})


def test_missing_object_is_one_mismatch():
    assert mismatches(None, {"kind": "Pod"}) == ["object not found"]
    assert not matches(None, {})


def test_scalar_mismatch_names_the_path():
    found = mismatches(POD, {"spec": {"containers": [{"image": "x"}, {}]}})
    assert found == ["spec.containers[0].image: expected 'x', got 'busybox:1.36'"]


def test_quoted_keys_in_paths():
    found = mismatches(POD, {"metadata": {"labels": {"app.kubernetes.io/part-of": "other"}}})
    assert found == ["metadata.labels['app.kubernetes.io/part-of']: expected 'other', got 'lab'"]


def test_lists_match_element_wise_and_by_length():
    found = mismatches(POD, {"spec": {"containers": [{"name": "hello"}]}})
    assert found == ["spec.containers: expected 1 items, got 2"]


def test_contains_ignores_order_and_length():
    assert mismatches(POD, {"spec": {"containers": contains({"name": "side"})}}) == []
    found = mismatches(POD, {"spec": {"containers": contains({"name": "other"})}})
    assert len(found) == 1 and found[0].startswith("spec.containers: expected an element matching")


def test_missing_field_and_wrong_shape():
    assert mismatches(POD, {"spec": {"nodeName": "n1"}}) == ["spec.nodeName: expected 'n1', got missing"]
    assert mismatches(POD, {"metadata": {"name": {"x": 1}}}) == ["metadata.name: expected a mapping, got 'hello'"]
    assert mismatches(POD, {"metadata": {"name": [1]}}) == ["metadata.name: expected a list, got 'hello'"]


def test_present_and_absent_markers():
    assert mismatches(POD, {"status": {"phase": PRESENT, "podIP": ABSENT}}) == []
    found = mismatches(POD, {"status": {"phase": ABSENT, "podIP": PRESENT}})
    assert found == [
        "status.phase: expected no such field, got 'Succeeded'",
        "status.podIP: expected a value, got missing",
    ]


def test_predicates_and_types():
    assert mismatches(POD, {"spec": {"containers": [{"image": lambda i: not i.endswith(":latest")}, {}]}}) == []
    found = mismatches(POD, {"status": {"phase": lambda p: p == "Running"}})
    assert found == ["status.phase: expected a value accepted by the predicate, got 'Succeeded'"]
    assert mismatches(POD, {"status": {"count": int}}) == []
    assert mismatches(POD, {"status": {"ready": int}}) == ["status.ready: expected a value of type int, got false"]


def test_described_predicates_say_what_they_expect():
    assert mismatches(POD, {"status": {"count": at_least(1)}}) == []
    assert mismatches(POD, {"status": {"count": at_most(0), "ready": at_least(0)}}) == [
        "status.count: expected at most 0, got 1",
        "status.ready: expected at least 0, got false",  # a bool is not a number here
    ]
    pinned = that(lambda image: ":" in image and not image.endswith(":latest"), "an image with a pinned tag")
    assert mismatches(POD, {"spec": {"containers": [{"image": pinned}, {"name": pinned}]}}) == [
        "spec.containers[1].name: expected an image with a pinned tag, got 'side'"
    ]


def test_predicate_that_raises_rejects_instead_of_crashing():
    assert mismatches(POD, {"metadata": {"name": lambda n: n.nope()}}) != []


def test_bool_is_not_int():
    assert mismatches(POD, {"status": {"ready": 0}}) == ["status.ready: expected 0, got false"]
    assert mismatches(POD, {"status": {"count": True}}) == ["status.count: expected true, got 1"]
    assert mismatches(POD, {"status": {"count": 1.0}}) == []


def test_every_difference_is_reported():
    found = mismatches(POD, {"kind": "Job", "metadata": {"name": "x"}, "spec": {"restartPolicy": "Always"}})
    assert len(found) == 3

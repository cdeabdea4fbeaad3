"""autograder.state: the in-memory State every snapshot becomes, and the shared filters."""

from __future__ import annotations

from autograder.state import MemoryState, api_version_matches, copy_object, select
from coursecore.labs import Capture


def obj(kind, name, *, ns="lab", ts="2026-01-01T00:00:00Z", labels=None, api="v1", **extra):
    meta = {"name": name, "namespace": ns, "creationTimestamp": ts}
    if labels is not None:
        meta["labels"] = labels
    return {"apiVersion": api, "kind": kind, "metadata": meta, **extra}


OBJECTS = [
    obj("Workflow", "salmon-b", ts="2026-01-01T00:00:02Z", api="argoproj.io/v1alpha1"),
    obj("Workflow", "salmon-a", ts="2026-01-01T00:00:01Z", api="argoproj.io/v1alpha1"),
    obj("Workflow", "other", ts="2026-01-01T00:00:03Z", api="argoproj.io/v1alpha1"),
    obj("Pod", "hello", labels={"app": "hello"}, spec={"containers": []}),
    obj("Pod", "hello", ns="default"),
    obj("Pod", "alpha", ts="2026-01-01T00:00:00Z"),
]


def state():
    return MemoryState(OBJECTS)


def test_objects_sorted_oldest_first_then_by_name():
    names = [o["metadata"]["name"] for o in state().objects("Workflow")]
    assert names == ["salmon-a", "salmon-b", "other"]
    pods = state().objects("Pod", namespace="lab")
    assert [p["metadata"]["name"] for p in pods] == ["alpha", "hello"]


def test_filters():
    s = state()
    assert len(s.objects("pod")) == 3  # kind is case-insensitive
    assert len(s.objects("Pod", namespace="lab")) == 2
    assert len(s.objects("Pod", name="hello")) == 2
    assert len(s.objects("Pod", labels={"app": "hello"})) == 1
    assert s.objects("Pod", labels={"app": "other"}) == []
    assert s.objects("Deployment") == []
    assert len(s.objects("Workflow", api_version="argoproj.io/v1alpha1")) == 3
    assert len(s.objects("Workflow", api_version="argoproj.io")) == 3  # a group alone matches any version
    assert s.objects("Workflow", api_version="argoproj.io/v1alpha2") == []


def test_get_and_newest():
    s = state()
    assert s.get("Pod", "hello", namespace="default")["metadata"]["namespace"] == "default"
    assert s.get("Pod", "nope", namespace="lab") is None
    assert s.newest("Workflow", namespace="lab", name_prefix="salmon-")["metadata"]["name"] == "salmon-b"
    assert s.newest("Workflow")["metadata"]["name"] == "other"
    assert s.newest("Job") is None


def test_checks_get_copies():
    s = state()
    s.get("Pod", "hello", namespace="lab")["metadata"]["labels"]["app"] = "changed"
    assert s.get("Pod", "hello", namespace="lab")["metadata"]["labels"]["app"] == "hello"


def test_wait_for_evaluates_a_snapshot_once():
    s = state()
    assert s.wait_for("Pod", "hello", namespace="lab", condition=lambda p: True, timeout=100) is not None
    assert s.wait_for("Pod", "hello", namespace="lab", condition=lambda p: False, timeout=100) is None
    assert s.wait_for("Pod", "nope", namespace="lab", condition=lambda p: True, timeout=100) is None
    assert s.source == "snapshot"


def test_capture_uses_label_selectors():
    s = state()
    picked = s.capture(Capture(api_version="v1", kind="Pod", namespace="lab", label_selector="app=hello"))
    assert [p["metadata"]["name"] for p in picked] == ["hello"]
    assert len(s.capture(Capture(api_version="v1", kind="Pod"))) == 3


def test_helpers():
    assert copy_object({"a": [1, {"b": 2}]}) == {"a": [1, {"b": 2}]}
    assert api_version_matches("apps/v1", None)
    assert not api_version_matches("v1", "apps/v1")
    assert select([], "Pod") == []
    assert len(state()) == 6 and "6 objects" in repr(state())
    assert len(state().all_objects()) == 6

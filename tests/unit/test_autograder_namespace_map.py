"""NamespaceMapped: a lab's namespace read from the learner's, other learners never seen."""

from __future__ import annotations

from autograder.namespace_map import NamespaceMapped
from autograder.state import MemoryState
from coursecore.labs import Capture


def pod(name, namespace, ts="2026-01-01T00:00:00Z"):
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "creationTimestamp": ts},
    }


def state():
    objs = [
        pod("hello", "kc-alice"),
        pod("hello", "kc-bob"),
        pod("later", "kc-alice", "2026-01-02T00:00:00Z"),
        pod("sys", "kube-system"),
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"}},
    ]
    return NamespaceMapped(MemoryState(objs), lab_namespaces=["first-pod"], target="kc-alice")


def test_lab_namespace_reads_the_learners_and_names_the_lab_namespace_back():
    s = state()
    found = s.get("Pod", "hello", namespace="first-pod")
    assert found["metadata"]["namespace"] == "first-pod"
    assert [o["metadata"]["name"] for o in s.objects("Pod", namespace="first-pod")] == ["hello", "later"]
    assert s.newest("Pod", namespace="first-pod")["metadata"]["name"] == "later"


def test_all_namespaces_sees_only_the_learner_and_cluster_scoped_objects():
    s = state()
    pods = s.objects("Pod")
    assert [(o["metadata"]["name"], o["metadata"]["namespace"]) for o in pods] == [
        ("hello", "first-pod"),
        ("later", "first-pod"),
    ]
    assert [o["metadata"]["name"] for o in s.objects("Node")] == ["node-1"]
    assert s.newest("Pod")["metadata"]["name"] == "later"


def test_other_namespaces_read_as_asked_and_wait_for_and_capture_map():
    s = state()
    assert s.get("Pod", "sys", namespace="kube-system") is not None
    assert (
        s.wait_for(
            "Pod",
            "hello",
            namespace="first-pod",
            timeout=0,
            condition=lambda o: o["metadata"]["namespace"] == "first-pod",
        )
        is not None
    )
    captured = s.capture(Capture(api_version="v1", kind="Pod", namespace="first-pod"))
    assert [o["metadata"]["namespace"] for o in captured] == ["first-pod", "first-pod"]
    assert s.source == "snapshot" and "kc-alice" in s.origin

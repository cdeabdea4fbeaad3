"""autograder.objects: containers, conditions, requests, image tags, waiting and unschedulable
Pods, names, numbers, times and index sets, read from odd objects too."""

from __future__ import annotations

from autograder.objects import (
    condition,
    containers,
    image_tag,
    index_set,
    integer,
    is_true,
    missing_requests,
    name,
    scheduling_problem,
    timestamp,
    unschedulable,
    waiting_reasons,
)

C = [{"name": "app", "image": "busybox:1.36"}]


def test_containers_of_a_pod_and_of_a_pod_template():
    assert containers({"kind": "Pod", "spec": {"containers": C}}) == C
    assert containers({"kind": "Job", "spec": {"template": {"spec": {"containers": C}}}}) == C
    assert containers({"kind": "Deployment", "spec": {"template": {"spec": {}}}}) == []
    assert containers({"kind": "Pod"}) == []


def test_condition_by_type_and_optionally_status():
    job = {
        "status": {
            "conditions": [
                {"type": "Failed", "status": "False"},
                {"type": "Complete", "status": "True", "reason": "Done"},
            ]
        }
    }
    assert condition(job, "Complete")["reason"] == "Done"
    assert condition(job, "Failed") == {"type": "Failed", "status": "False"}
    assert condition(job, "Failed", status="True") is None
    assert condition(job, "Suspended") is None
    assert condition({}, "Complete") is None


def test_odd_shapes_read_as_missing():
    assert containers({"spec": {"containers": "busybox"}}) == []
    assert containers({"spec": {"containers": [C[0], "junk", None]}}) == C
    assert condition({"status": {"conditions": ["junk", {"type": "Ready", "status": "True"}]}}, "Ready")
    assert not is_true(None, "Ready")


def test_names_numbers_and_times():
    assert name({"metadata": {"name": "web"}}) == "web" and name({}) == "?" and name(None) == "?"
    assert integer(3) == 3 and integer(True) is None and integer("3", default=1) == 1 and integer(2.5) is None
    assert (
        timestamp("2026-01-01T10:00:00Z").tzinfo is not None and timestamp("soon") is None and timestamp(None) is None
    )


def test_image_tags():
    assert image_tag("busybox:1.36") == "1.36"
    assert image_tag("busybox") is None
    assert image_tag("localhost:5000/busybox") is None  # a registry port is not a tag
    assert image_tag("registry.example/app@sha256:abc") == "@sha256:abc"


def test_requests_per_container_and_resource():
    pod = {
        "kind": "Pod",
        "spec": {
            "containers": [
                {"name": "a", "resources": {"requests": {"cpu": "1", "memory": "1Gi"}}},
                {"name": "b", "resources": {"requests": {"cpu": "1"}}},
                {"name": "c"},
            ]
        },
    }
    assert missing_requests(pod) == ["b: memory", "c: cpu", "c: memory"]
    assert missing_requests(pod, ["cpu"]) == ["c: cpu"]


def _pod(reason=None, scheduled=None):
    status = {}
    if reason:
        status["containerStatuses"] = [{"state": {"waiting": {"reason": reason}}}]
    if scheduled:
        status["conditions"] = [
            {"type": "PodScheduled", "status": "False", "reason": scheduled, "message": "0/2 nodes"}
        ]
    return {"kind": "Pod", "status": status}


def test_waiting_and_unschedulable_pods():
    pods = [_pod("ImagePullBackOff"), _pod("ContainerCreating"), _pod("ImagePullBackOff"), _pod()]
    assert waiting_reasons(pods) == ["ContainerCreating", "ImagePullBackOff"]
    stuck, gated = _pod(scheduled="Unschedulable"), _pod(scheduled="SchedulingGated")
    assert unschedulable([stuck, gated, _pod()]) == [stuck]  # a gated Pod waits for its queue, not for a node
    assert scheduling_problem(stuck) == "0/2 nodes" and scheduling_problem(_pod()) == "Unschedulable"


def test_index_sets():
    assert index_set("0-2,4") == {0, 1, 2, 4}
    assert index_set("") == index_set(None) == set()
    assert index_set("3,x,5-y") == {3}

"""autograder.workloads: the rules labs share (requests, pinned images, Jobs, rollouts, Services),
on snapshots and on a state that waits like a live cluster."""

from __future__ import annotations

import pytest

from autograder import workloads
from autograder.state import MemoryState
from autograder.workloads import (
    blocked,
    endpoints_of,
    expect_endpoints,
    expect_job_complete,
    expect_pinned_images,
    expect_requests,
    expect_rolled_out,
    expect_selects,
    is_ready,
    pods_of,
    rolled_out,
    rollout_root,
    selector_root,
    settle,
)

REQUESTS = {"requests": {"cpu": "100m", "memory": "64Mi"}}


def _job(containers, **spec):
    return {
        "kind": "Job",
        "metadata": {"name": "j", "namespace": "n"},
        "spec": {"template": {"spec": {"containers": containers}}, **spec},
    }


def test_requests_pass_name_what_is_missing_and_may_give_partial_credit():
    assert expect_requests(_job([{"name": "a", "resources": REQUESTS}])).message == "a: cpu 100m, memory 64Mi"
    half = _job([{"name": "a", "resources": {"requests": {"cpu": "1"}}}])
    assert expect_requests(half).fraction == 0 and expect_requests(half).message == "missing requests: a: memory"
    assert expect_requests(half, partial_credit=True).fraction == 0.5
    assert expect_requests(_job([{"name": "a"}]), partial_credit=True).message == "no resource requests set"
    assert expect_requests(_job([])).message == "the Pod template has no containers"
    assert expect_requests({"kind": "Pod", "spec": {}}).message == "the Pod has no containers"
    assert expect_requests(half, resources=["cpu"]).fraction == 1


@pytest.mark.parametrize(
    "image, problem",
    [
        ("busybox", "has no tag, so it means :latest"),
        ("busybox:latest", "uses the moving tag :latest"),
        ("localhost:5000/busybox", "has no tag"),
        ("busybox:1.36", None),
        ("busybox@sha256:0123", None),
    ],
)
def test_pinned_images(image, problem):
    outcome = expect_pinned_images(_job([{"name": "a", "image": "nginx:1.27"}, {"name": "b", "image": image}]))
    if problem is None:
        assert outcome.fraction == 1 and image in outcome.message
    else:
        assert outcome.fraction == 0 and outcome.message.startswith("container b:") and problem in outcome.message


class Waiting(MemoryState):
    """A state that answers ``wait_for`` with a later version of the object, as a watch would."""

    def __init__(self, objects, later):
        super().__init__(objects, source="live")
        self.later = later
        self.waits = []

    def wait_for(self, kind, name, *, namespace=None, condition, timeout):
        self.waits.append((kind, name, namespace, timeout))
        return self.later if condition(self.later) else None


def _done(kind):
    return {"conditions": [{"type": kind, "status": "True", "reason": "BackoffLimitExceeded", "message": "too many"}]}


def test_a_job_still_running_is_waited_for_on_a_live_cluster():
    running = {**_job([]), "spec": {"completions": 2}, "status": {"active": 2}}
    assert (
        expect_job_complete(MemoryState([running]), running).message == "not complete yet: 0 of 2 succeeded, 2 running"
    )
    finished = {**running, "status": {"succeeded": 2, **_done("Complete")}}
    live = Waiting([running], finished)
    assert expect_job_complete(live, running, timeout=5).message == "Complete: 2 of 2 succeeded"
    assert live.waits == [("Job", "j", "n", 5)]
    assert expect_job_complete(live, running, timeout=0).fraction == 0  # 0: do not wait


def test_job_failures_and_missing_indexes():
    failed = {**_job([]), "status": {"failedIndexes": "3", **_done("Failed")}}
    assert expect_job_complete(MemoryState([]), failed).message == (
        "the Job failed: BackoffLimitExceeded (too many); failed indexes 3"
    )
    holes = {
        **_job([]),
        "spec": {"completions": 3, "completionMode": "Indexed"},
        "status": {"succeeded": 3, "completedIndexes": "0,2", **_done("Complete")},
    }
    assert expect_job_complete(MemoryState([]), holes).message == "indexes [1] did not complete"


def _deployment(replicas=2, available=2, updated=2, generation=None, observed=None):
    meta = {"name": "web", "namespace": "n", **({"generation": generation} if generation else {})}
    status = {"availableReplicas": available, "updatedReplicas": updated}
    if observed:
        status["observedGeneration"] = observed
    return {
        "kind": "Deployment",
        "metadata": meta,
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}}, "template": {}},
        "status": status,
    }


def _pod(name, reason=None, deleting=False):
    meta = {"name": name, "namespace": "n", "labels": {"app": "web"}}
    if deleting:
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    status = {"containerStatuses": [{"state": {"waiting": {"reason": reason}}}]} if reason else {}
    return {"kind": "Pod", "metadata": meta, "status": status}


def test_rolled_out_needs_every_replica_updated_available_and_observed():
    assert rolled_out(_deployment())
    assert not rolled_out(_deployment(available=1))
    assert not rolled_out(_deployment(updated=1))
    assert not rolled_out(_deployment(replicas=0, available=0, updated=0))  # scaled to zero is not running
    assert not rolled_out(_deployment(generation=3, observed=2))  # the controller has not seen the change yet
    assert rolled_out(_deployment(generation=3, observed=3))


def test_a_rollout_is_not_waited_for_when_its_pods_cannot_recover():
    stuck = _deployment(available=0)
    pods = [_pod("web-1", "ImagePullBackOff"), _pod("web-2", deleting=True)]
    live = Waiting([stuck, *pods], _deployment())
    assert [p["metadata"]["name"] for p in pods_of(live, stuck)] == ["web-1"]
    assert blocked(pods_of(live, stuck))
    outcome = expect_rolled_out(live, stuck)
    assert outcome.message == "0 of 2 replicas available, 2 updated; containers waiting: ImagePullBackOff"
    assert live.waits == []
    starting = Waiting([stuck, _pod("web-1", "ContainerCreating")], _deployment())
    assert expect_rolled_out(starting, stuck, timeout=7).message == "2 of 2 replicas available"
    assert starting.waits == [("Deployment", "web", "n", 7)]


def test_settle_on_a_snapshot_returns_the_object_as_read():
    job = _job([])
    assert settle(MemoryState([job]), job, lambda o: False, timeout=60) is job


def test_a_service_selects_the_pods_of_its_workload():
    deployment = {"spec": {"template": {"metadata": {"labels": {"app": "web", "tier": "front"}}}}}
    assert expect_selects({"spec": {"selector": {"app": "web"}}}, deployment).message == "selector app=web"
    wrong = expect_selects({"spec": {"selector": {"app": "api", "zone": "a"}}}, deployment)
    assert (
        wrong.message
        == "selector does not match the Pods: app=api (Pods have app=web), zone=a (Pods have no label zone)"
    )
    assert "no selector" in expect_selects({"spec": {}}, deployment).message


def test_endpoints_come_from_the_services_endpoint_slices():
    service = {"kind": "Service", "metadata": {"name": "web", "namespace": "n"}}

    def endpoint_slice(name, service_name, ready):
        return {
            "kind": "EndpointSlice",
            "metadata": {"name": name, "namespace": "n", "labels": {"kubernetes.io/service-name": service_name}},
            "endpoints": [{"targetRef": {"name": f"{name}-pod"}, "conditions": {"ready": ready}}],
        }

    state = MemoryState(
        [endpoint_slice("a", "web", True), endpoint_slice("b", "web", False), endpoint_slice("c", "other", True)]
    )
    found = endpoints_of(state, service)
    assert [e["targetRef"]["name"] for e in found] == ["a-pod", "b-pod"]
    assert [is_ready(e) for e in found] == [True, False]


def test_endpoints_failures_name_their_root_cause():
    workload, service, slice_ = _served_web(available=0, ready=False)
    state = MemoryState([workload, service, slice_, _pod("web-1", "ImagePullBackOff")])
    not_ready = expect_endpoints(state, service, workload)
    assert (
        not_ready.fraction == 0 and not_ready.root == rollout_root(workload) == expect_rolled_out(state, workload).root
    )
    assert expect_endpoints(state, service, workload, ready=False).message == "1 endpoint(s), 0 ready"
    wrong = {**service, "spec": {"selector": {"app": "api"}}}
    assert expect_endpoints(state, wrong, workload).root == selector_root(wrong) == expect_selects(wrong, workload).root
    no_pods = MemoryState([workload, service, slice_])  # endpoints of Pods that are gone do not count
    assert expect_endpoints(no_pods, service, workload).message.startswith("no endpoints")


class _LagState(MemoryState):
    """A live cluster whose EndpointSlice controller writes the Service's slice only after the
    test's ``lag`` reads of EndpointSlices (it follows Services and Pods on its own clock)."""

    def __init__(self, objects, late, lag):
        super().__init__(objects, source="live")
        self.late, self.lag, self.slice_reads = late, lag, 0

    def objects(self, kind, **kwargs):
        if kind == "EndpointSlice":
            self.slice_reads += 1
            if self.slice_reads > self.lag:
                return MemoryState([self.late]).objects(kind, **kwargs)
        return super().objects(kind, **kwargs)


def _served_web(available=2, ready=True):
    """A Deployment ``web``, the Service selecting it, and the slice listing its Pod web-1."""
    labels = {"app": "web"}
    workload = {
        **_deployment(available=available),
        "spec": {**_deployment()["spec"], "template": {"metadata": {"labels": labels}}},
    }
    service = {"kind": "Service", "metadata": {"name": "web", "namespace": "n"}, "spec": {"selector": labels}}
    slice_ = {
        "kind": "EndpointSlice",
        "metadata": {"name": "web-x", "namespace": "n", "labels": {"kubernetes.io/service-name": "web"}},
        "endpoints": [{"targetRef": {"name": "web-1"}, "conditions": {"ready": ready}}],
    }
    return workload, service, slice_


def test_a_live_rolled_out_workload_gets_time_for_its_endpoints(monkeypatch):
    monkeypatch.setattr(workloads, "ENDPOINTS_POLL", 0.01)
    workload, service, slice_ = _served_web()
    state = _LagState([workload, service, _pod("web-1")], slice_, lag=3)
    assert expect_endpoints(state, service, workload).message == "1 ready endpoint(s): web-1"
    assert state.slice_reads == 4

    monkeypatch.setattr(workloads, "ENDPOINTS_SETTLE", 0.1)
    never = _LagState([workload, service, _pod("web-1")], slice_, lag=10**6)
    assert expect_endpoints(never, service, workload).message.startswith("no endpoints")


def test_endpoints_are_not_waited_for_without_a_rollout_or_on_a_snapshot():
    workload, service, slice_ = _served_web(available=0)
    state = _LagState([workload, service, _pod("web-1")], slice_, lag=3)
    assert expect_endpoints(state, service, workload).message.startswith("no endpoints")
    assert state.slice_reads == 1
    rolled, service, _ = _served_web()
    assert expect_endpoints(MemoryState([rolled, service, _pod("web-1")]), service, rolled).fraction == 0

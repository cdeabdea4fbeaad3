"""autograder.objects: containers of Pods and Pod templates, and status conditions."""

from __future__ import annotations

from autograder.objects import condition, containers

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

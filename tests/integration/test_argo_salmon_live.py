"""The argo-salmon checks graded live give what they give on the snapshot fixtures.

Each fixture's objects are created with the real kubectl on the fake API server (with Argo 3.x's
Workflow CRD, which has no status subresource, so the status is stored with the object as Argo's
controller writes it), then graded through the Kubernetes API with :func:`autograder.connect`.
The report must equal the one from the snapshot, and both must match ``expected.yaml``.
"""

from __future__ import annotations

import copy
import time
from pathlib import Path

import pytest
import yaml
from fakekube.manifests import workflow_crd

from autograder import connect, load_snapshot, run_checks

LAB = Path(__file__).resolve().parents[2] / "labs" / "argo-salmon"
SNAPSHOTS = LAB / "tests" / "snapshots"
EXPECTED = yaml.safe_load((LAB / "tests" / "expected.yaml").read_text())
SERVER_FIELDS = ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields")


def _submittable(obj: dict) -> dict:
    obj = copy.deepcopy(obj)
    for key in SERVER_FIELDS:
        obj["metadata"].pop(key, None)
    return obj


def _prepare(kube) -> None:
    kube.kubectl("apply", "-f", "-", input=yaml.safe_dump(workflow_crd()))
    kube.kubectl("wait", "--for=condition=Established", "crd/workflows.argoproj.io", "--timeout=10s")
    kube.kubectl(
        "apply",
        "-f",
        "-",
        input=yaml.safe_dump({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "salmon"}}),
    )


@pytest.mark.parametrize("fixture", sorted(EXPECTED), ids=lambda f: f.removesuffix(".yaml"))
def test_live_grading_matches_the_snapshot(fake_kube, fixture):
    _prepare(fake_kube)
    items = yaml.safe_load((SNAPSHOTS / fixture).read_text())["items"]
    workflows = [i for i in items if i["kind"] == "Workflow"]
    others = [i for i in items if i["kind"] != "Workflow"]
    if others:
        fake_kube.kubectl(
            "create",
            "-f",
            "-",
            input=yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": [_submittable(o) for o in others]}),
        )
    for i, wf in enumerate(workflows):
        if i:
            time.sleep(1.05)  # creationTimestamp has one-second resolution: keep attempts in order
        fake_kube.kubectl("create", "-f", "-", input=yaml.safe_dump(_submittable(wf)))
    stored = fake_kube.kubectl("get", "wf", "-n", "salmon", "-o", "yaml").stdout
    assert len(yaml.safe_load(stored)["items"]) == len(workflows)

    live = run_checks(LAB, connect(kubeconfig=fake_kube.kubeconfig))
    offline = run_checks(LAB, load_snapshot(SNAPSHOTS / fixture))
    assert live.to_json() == offline.to_json()
    want = EXPECTED[fixture]
    assert live.passed_ids() == set(want["passed"] if isinstance(want, dict) else want)


def test_a_running_workflow_is_watched_until_it_finishes(fake_kube):
    import json
    import threading

    _prepare(fake_kube)
    wf = _submittable(
        next(i for i in yaml.safe_load((SNAPSHOTS / "solution.yaml").read_text())["items"] if i["kind"] == "Workflow")
    )
    final = wf.pop("status")
    wf["status"] = {"phase": "Running", "startedAt": final["startedAt"]}
    fake_kube.kubectl("create", "-f", "-", input=yaml.safe_dump(wf))
    name = wf["metadata"]["name"]
    patch = json.dumps({"status": final})
    timer = threading.Timer(
        1.0, lambda: fake_kube.kubectl("patch", "wf", name, "-n", "salmon", "--type=merge", "-p", patch)
    )
    timer.start()
    try:
        report = run_checks(LAB, connect(kubeconfig=fake_kube.kubeconfig))
    finally:
        timer.join()
    assert report.score == 10, report.to_json()

"""Live grading against the fake API server: objects applied by the real kubectl, statuses set
as a kubelet would, the checks run live, and the snapshot of that cluster grading the same."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import autograder
from autograder.errors import ClusterUnreachable
from autograder.live import connect
from coursecore import labs as catalogue
from coursecore.errors import UsageError

ROOT = Path(__file__).resolve().parents[2]
LAB = ROOT / "labs" / "first-pod"
NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata: {name: first-pod}\n"


def kubelet_ran(server, *, phase="Succeeded", image="busybox:1.36", exit_code=0):
    """Set the Pod's status as the kubelet does once its one container has run."""
    state = (
        {
            "terminated": {
                "exitCode": exit_code,
                "reason": "Completed" if exit_code == 0 else "Error",
                "startedAt": "2026-11-28T10:00:03Z",
                "finishedAt": "2026-11-28T10:00:04Z",
            }
        }
        if phase != "Running"
        else {"running": {"startedAt": "2026-11-28T10:00:03Z"}}
    )
    server.patch_status(
        "v1",
        "Pod",
        "hello",
        {
            "phase": phase,
            "hostIP": "172.18.0.2",
            "podIP": "10.244.0.7",
            "qosClass": "Burstable",
            "startTime": "2026-11-28T10:00:01Z",
            "conditions": [{"type": "PodScheduled", "status": "True"}],
            "containerStatuses": [
                {"name": "hello", "image": image, "ready": phase == "Running", "restartCount": 0, "state": state}
            ],
        },
        namespace="first-pod",
    )


def kubecourse(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("KUBECONFIG", "KUBECOURSE_SANDBOX")}
    return subprocess.run(
        [sys.executable, "-m", "kubecourse", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**clean, "COLUMNS": "200", **(env or {})},
    )


@pytest.fixture
def lab_cluster(fake_kube):
    fake_kube.kubectl("apply", "-f", "-", input=NAMESPACE)
    return fake_kube


def _results(report):
    return [(r["id"], r["status"], r["points"], r["message"]) for r in report.to_json(reveal_hidden=True)["checks"]]


def test_solution_live_equals_its_snapshot(lab_cluster, tmp_path):
    lab_cluster.kubectl("apply", "-n", "first-pod", "-f", str(LAB / "solution" / "pod.yaml"))
    kubelet_ran(lab_cluster.server)
    live = connect(lab_cluster.kubeconfig)
    live_report = autograder.run_checks("first-pod", live)
    assert live_report.passed and live_report.source == "live", _results(live_report)

    out = tmp_path / "snapshot.yaml"
    assert autograder.write_snapshot("first-pod", live, out) == 1
    snap_report = autograder.run_checks("first-pod", autograder.load_snapshot(out))
    assert _results(snap_report) == _results(live_report)
    assert snap_report.source == "snapshot"
    assert "managedFields" not in out.read_text()


def test_failing_work_grades_the_same_live_and_from_the_snapshot(lab_cluster, tmp_path):
    manifest = (LAB / "solution" / "pod.yaml").read_text()
    manifest = manifest.replace("busybox:1.36", "busybox").replace("restartPolicy: Never", "restartPolicy: Always")
    manifest = manifest.replace("          cpu: 50m\n", "")
    lab_cluster.kubectl("apply", "-n", "first-pod", "-f", "-", input=manifest)
    kubelet_ran(lab_cluster.server, phase="Running", image="busybox")
    live_report = autograder.run_checks("first-pod", connect(lab_cluster.kubeconfig))
    assert live_report.passed_ids() == {"pod-exists", "labelled", "pod-ran"}
    assert live_report.score == 4.5  # half of requests-set
    autograder.write_snapshot("first-pod", lab_cluster.kubeconfig, tmp_path / "s.json")
    assert json.loads((tmp_path / "s.json").read_text())["kind"] == "List"
    snap_report = autograder.run_checks("first-pod", autograder.load_snapshot(tmp_path / "s.json"))
    assert _results(snap_report) == _results(live_report)


def test_cli_check_and_snapshot_agree(lab_cluster, tmp_path):
    lab_cluster.kubectl("apply", "-n", "first-pod", "-f", str(LAB / "solution" / "pod.yaml"))
    kubelet_ran(lab_cluster.server, phase="Failed", exit_code=127)
    kubeconfig = str(lab_cluster.kubeconfig)
    live = kubecourse("check", "first-pod", "--kubeconfig", kubeconfig, "--json")
    assert live.returncode == 1, live.stderr
    made = kubecourse("snapshot", "first-pod", "--kubeconfig", kubeconfig, "-o", str(tmp_path / "snap.yaml"))
    assert made.returncode == 0, made.stderr
    assert "wrote 1 objects" in made.stderr and made.stdout == ""
    offline = kubecourse("check", "first-pod", "--snapshot", str(tmp_path / "snap.yaml"), "--json")
    assert offline.returncode == 1
    assert json.loads(offline.stdout) == json.loads(live.stdout)
    assert "exited with code 127" in live.stdout


def test_sandbox_name_reads_its_kubeconfig(lab_cluster, tmp_path):
    lab_cluster.kubectl("apply", "-n", "first-pod", "-f", str(LAB / "solution" / "pod.yaml"))
    kubelet_ran(lab_cluster.server)
    home = tmp_path / "home"
    (home / "sandboxes" / "alice").mkdir(parents=True)
    shutil.copy(lab_cluster.kubeconfig, home / "sandboxes" / "alice" / "kubeconfig")
    done = kubecourse("check", "first-pod", "--name", "alice", env={"KUBECOURSE_HOME": str(home)})
    assert done.returncode == 0, done.stderr
    assert "Score: 7/7" in done.stdout
    env_only = kubecourse(
        "check", "first-pod", "--json", env={"KUBECOURSE_HOME": str(home), "KUBECOURSE_SANDBOX": "alice"}
    )
    assert env_only.returncode == 0 and json.loads(env_only.stdout)["passed"]
    stdout = kubecourse("snapshot", "first-pod", "-o", "-", env={"KUBECONFIG": str(lab_cluster.kubeconfig)})
    assert stdout.returncode == 0 and stdout.stdout.startswith("apiVersion: v1\nkind: List\n")


def test_checks_read_only_what_the_lab_captures(lab_cluster):
    """Live and snapshot grading can only agree if every read is in grading.capture."""
    lab_cluster.kubectl("apply", "-n", "first-pod", "-f", str(LAB / "solution" / "pod.yaml"))
    kubelet_ran(lab_cluster.server)
    state = connect(lab_cluster.kubeconfig)
    autograder.run_checks("first-pod", state)
    captures = catalogue.find("first-pod").grading.capture
    for kind, api_version, namespace in state.reads:
        assert any(
            c.kind.lower() == kind.lower()
            and (api_version in (None, c.api_version))
            and (c.namespace is None or c.namespace == namespace)
            for c in captures
        ), (kind, namespace)


def test_wait_for_watches_until_the_condition_holds(lab_cluster):
    lab_cluster.kubectl("apply", "-n", "first-pod", "-f", str(LAB / "solution" / "pod.yaml"))
    state = connect(lab_cluster.kubeconfig)
    lab_cluster.server.clear_requests()
    timer = threading.Timer(0.5, kubelet_ran, args=(lab_cluster.server,), kwargs={"phase": "Running"})
    timer.start()
    try:
        pod = state.wait_for(
            "Pod",
            "hello",
            namespace="first-pod",
            timeout=30,
            condition=lambda p: (p.get("status") or {}).get("phase") == "Running",
        )
    finally:
        timer.cancel()
    assert pod is not None and pod["status"]["phase"] == "Running" and pod["kind"] == "Pod"
    watches = [r for r in lab_cluster.server.requests if r.query.get("watch") == "true"]
    assert watches and watches[0].query["fieldSelector"] == "metadata.name=hello"
    lists = [r for r in lab_cluster.server.requests if r.path.endswith("/pods") and "watch" not in r.query]
    assert len(lists) == 1  # one list, then the watch: no polling


def test_wait_for_gives_up_at_the_timeout(lab_cluster):
    lab_cluster.kubectl("apply", "-n", "first-pod", "-f", str(LAB / "solution" / "pod.yaml"))
    state = connect(lab_cluster.kubeconfig)
    seen = []
    assert (
        state.wait_for("Pod", "hello", namespace="first-pod", condition=lambda p: seen.append(p) and False, timeout=1)
        is None
    )
    assert seen and seen[-1]["metadata"]["name"] == "hello"  # the condition saw the object
    assert state.wait_for("Pod", "nobody", namespace="first-pod", condition=lambda p: True, timeout=0.5) is None


def test_discovery_reads_custom_resources_and_ignores_unknown_kinds(lab_cluster):
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "workflows.argoproj.io"},
        "spec": {
            "group": "argoproj.io",
            "scope": "Namespaced",
            "names": {"kind": "Workflow", "plural": "workflows", "singular": "workflow", "listKind": "WorkflowList"},
            "versions": [
                {
                    "name": "v1alpha1",
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
                }
            ],
        },
    }
    lab_cluster.kubectl("apply", "-f", "-", input=json.dumps(crd))
    for name in ("salmon-a", "salmon-b"):
        lab_cluster.kubectl(
            "create",
            "-f",
            "-",
            input=json.dumps(
                {
                    "apiVersion": "argoproj.io/v1alpha1",
                    "kind": "Workflow",
                    "metadata": {"name": name, "namespace": "first-pod"},
                    "spec": {"entrypoint": "main"},
                }
            ),
        )
    state = connect(lab_cluster.kubeconfig)
    assert [w["metadata"]["name"] for w in state.objects("Workflow", api_version="argoproj.io/v1alpha1")] == [
        "salmon-a",
        "salmon-b",
    ]
    assert len(state.objects("workflow", api_version="argoproj.io")) == 2
    assert len(state.objects("Workflow")) == 2
    assert state.objects("Workflow", api_version="argoproj.io/v1alpha2") == []
    assert state.objects("NoSuchKind") == []
    assert state.newest("Workflow", namespace="first-pod", name_prefix="salmon-")["metadata"]["name"] in (
        "salmon-a",
        "salmon-b",
    )
    assert state.get("Namespace", "first-pod")["kind"] == "Namespace"


def test_expired_credentials_are_exit_3(lab_cluster):
    state = connect(lab_cluster.kubeconfig)
    lab_cluster.server.expire_tokens()
    with pytest.raises(ClusterUnreachable, match="401 Unauthorized"):
        state.objects("Pod")
    with pytest.raises(ClusterUnreachable, match="401"):
        connect(lab_cluster.kubeconfig)
    done = kubecourse("check", "first-pod", "--kubeconfig", str(lab_cluster.kubeconfig))
    assert done.returncode == 3
    assert done.stderr.startswith("error: the cluster at 127.0.0.1:") and "expired" in done.stderr
    assert "Traceback" not in done.stderr


def test_unreachable_cluster_is_exit_3(fake_kube, tmp_path):
    kubeconfig = fake_kube.server.write_kubeconfig(tmp_path / "kubeconfig")
    fake_kube.server.stop()
    with pytest.raises(ClusterUnreachable, match="connection refused"):
        connect(kubeconfig)
    done = kubecourse("check", "first-pod", "--kubeconfig", str(kubeconfig))
    assert done.returncode == 3 and "connection refused" in done.stderr and "Traceback" not in done.stderr
    snap = kubecourse("snapshot", "first-pod", "--kubeconfig", str(kubeconfig), "-o", str(tmp_path / "s.yaml"))
    assert snap.returncode == 3 and not (tmp_path / "s.yaml").exists()


def test_tls_failure_is_exit_3(tmp_path):
    from fakekube import FakeKubeServer

    with FakeKubeServer(tls=False) as plain:
        kubeconfig = plain.write_kubeconfig(tmp_path / "kubeconfig")
        text = kubeconfig.read_text().replace("http://", "https://")
        kubeconfig.write_text(text + "")
        with pytest.raises(ClusterUnreachable, match="TLS handshake"):
            connect(kubeconfig)


def test_kubeconfig_problems_are_usage_errors(lab_cluster, tmp_path):
    with pytest.raises(UsageError, match="context"):
        connect(lab_cluster.kubeconfig, context="no-such-context")
    (tmp_path / "empty").write_text("apiVersion: v1\nkind: Config\n")
    with pytest.raises(UsageError):
        connect(tmp_path / "empty")
    done = kubecourse("check", "first-pod", "--kubeconfig", str(lab_cluster.kubeconfig), "--context", "nope")
    assert done.returncode == 2 and done.stderr.startswith("error: kubeconfig ")


def test_pod_ran_waits_live_for_a_pod_that_is_still_starting(lab_cluster):
    lab_cluster.kubectl("apply", "-n", "first-pod", "-f", str(LAB / "solution" / "pod.yaml"))
    state = connect(lab_cluster.kubeconfig)
    timer = threading.Timer(1.0, kubelet_ran, args=(lab_cluster.server,), kwargs={"phase": "Running"})
    timer.start()
    try:
        result = autograder.run_checks("first-pod", state, only=["pod-ran"]).checks[0]
    finally:
        timer.cancel()
    assert (result.status, result.message) == ("passed", "phase Running")


def test_pod_ran_stops_waiting_for_a_pod_that_cannot_start(lab_cluster):
    lab_cluster.kubectl(
        "apply",
        "-n",
        "first-pod",
        "-f",
        "-",
        input=(LAB / "solution" / "pod.yaml").read_text().replace("busybox:1.36", "busybx:1.36"),
    )
    lab_cluster.server.patch_status(
        "v1",
        "Pod",
        "hello",
        {
            "phase": "Pending",
            "containerStatuses": [
                {
                    "name": "hello",
                    "image": "busybx:1.36",
                    "ready": False,
                    "restartCount": 0,
                    "state": {"waiting": {"reason": "ImagePullBackOff"}},
                }
            ],
        },
        namespace="first-pod",
    )
    result = autograder.run_checks("first-pod", connect(lab_cluster.kubeconfig), only=["pod-ran"]).checks[0]
    assert result.status == "failed" and result.seconds < 15
    assert result.message == "phase Pending: container waiting (ImagePullBackOff)"

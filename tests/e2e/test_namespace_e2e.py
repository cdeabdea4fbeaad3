"""End to end on a real cluster (a kind sandbox plays the institution's shared cluster): learners
provisioned by the namespace backend cannot read each other's namespaces or anything
cluster-scoped (``kubectl auth can-i`` as each learner), and quotas, limits and Pod Security are
enforced by the real API server. Marked ``kind``: skipped where kind or Docker is missing."""

from __future__ import annotations

import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sandbox import lifecycle
from sandbox.namespace import room

pytestmark = pytest.mark.kind
KUBECTL = (
    str(Path(sys.executable).parent / "kubectl")
    if (Path(sys.executable).parent / "kubectl").exists()
    else shutil.which("kubectl") or "kubectl"
)


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """A real cluster and two learners on it; everything deleted afterwards."""
    folder = tmp_path_factory.mktemp("shared")
    mp = pytest.MonkeyPatch()
    mp.setenv("KUBECOURSE_HOME", str(folder / "home"))
    cluster = f"e2e-ns-{secrets.token_hex(3)}"
    suffix = secrets.token_hex(2)
    learners = [f"a-{suffix}", f"b-{suffix}"]
    roster = folder / "roster.csv"
    roster.write_text("name\n" + "\n".join(learners) + "\n")
    try:
        admin = lifecycle.up(cluster).kubeconfig
        report = room.class_up(roster, output=folder / "out", kubeconfig=admin, parallel=2)
        assert report.ok, [r.error for r in report.results]
        yield {"admin": admin, "learners": learners, "out": folder / "out", "roster": roster}
        down = room.class_down(roster, kubeconfig=admin)
        assert down.ok
    finally:
        lifecycle.down(cluster)
        mp.undo()


def as_learner(shared, name, *args, stdin=None):
    kubeconfig = shared["out"] / f"{name}.kubeconfig"
    return subprocess.run(
        [KUBECTL, "--kubeconfig", str(kubeconfig), *args], input=stdin, capture_output=True, text=True, timeout=120
    )


def can(shared, name, *args) -> bool:
    return as_learner(shared, name, "auth", "can-i", *args).stdout.strip() == "yes"


def test_each_learner_is_confined_to_their_namespace(shared):
    a, b = shared["learners"]
    for me, other in ((a, b), (b, a)):
        assert can(shared, me, "create", "pods")  # in their own (the context's) namespace
        assert can(shared, me, "create", "workflows.argoproj.io")
        assert can(shared, me, "get", "pods/log")
        assert not can(shared, me, "get", "pods", "-n", f"kc-{other}")
        assert not can(shared, me, "list", "secrets", "-n", f"kc-{other}")
        assert not can(shared, me, "list", "nodes")
        assert not can(shared, me, "list", "namespaces")
        assert not can(shared, me, "create", "clusterrolebindings")
        assert not can(shared, me, "patch", "namespace", f"kc-{me}")
        assert not can(shared, me, "update", "resourcequotas")
        assert not can(shared, me, "delete", "networkpolicies")
        assert not can(shared, me, "create", "rolebindings")
        denied = as_learner(shared, me, "get", "pods", "-n", f"kc-{other}")
        assert denied.returncode != 0 and "forbidden" in denied.stderr.lower()


SERVICE = """apiVersion: v1
kind: Service
metadata: {name: exposed}
spec: {type: NodePort, selector: {app: x}, ports: [{port: 80}]}
"""
PRIVILEGED = """apiVersion: v1
kind: Pod
metadata: {name: root}
spec: {containers: [{name: c, image: busybox:1.36, securityContext: {privileged: true}}]}
"""
HUGE = """apiVersion: v1
kind: Pod
metadata: {name: huge}
spec: {containers: [{name: c, image: busybox:1.36, resources: {limits: {cpu: "8", memory: 64Gi}}}]}
"""


def test_quota_limits_and_pod_security_are_enforced(shared):
    a = shared["learners"][0]
    nodeport = as_learner(shared, a, "apply", "-f", "-", stdin=SERVICE)
    assert nodeport.returncode != 0 and "services.nodeports" in nodeport.stderr
    privileged = as_learner(shared, a, "apply", "-f", "-", stdin=PRIVILEGED)
    assert privileged.returncode != 0 and "PodSecurity" in privileged.stderr
    huge = as_learner(shared, a, "apply", "-f", "-", stdin=HUGE)
    assert huge.returncode != 0 and ("maximum" in huge.stderr or "exceeded quota" in huge.stderr)
    ok = as_learner(shared, a, "run", "hello", "--image=busybox:1.36", "--restart=Never", "--", "true")
    assert ok.returncode == 0, ok.stderr
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pod = as_learner(shared, a, "get", "pod", "hello", "-o", "jsonpath={.spec.containers[0].resources}")
        if pod.returncode == 0:
            break
        time.sleep(1)
    assert "500m" in pod.stdout  # the LimitRange's default limit


def test_rerun_keeps_work_and_refreshes_tokens(shared):
    a = shared["learners"][0]
    made = as_learner(shared, a, "create", "configmap", "work", "--from-literal=answer=42")
    assert made.returncode == 0, made.stderr
    before = (shared["out"] / f"{a}.kubeconfig").read_text()
    report = room.class_up(shared["roster"], output=shared["out"], kubeconfig=shared["admin"])
    assert [r.status for r in report.results] == ["reused", "reused"]
    assert (shared["out"] / f"{a}.kubeconfig").read_text() != before
    kept = as_learner(shared, a, "get", "configmap", "work", "-o", "jsonpath={.data.answer}")
    assert kept.returncode == 0 and kept.stdout == "42"

"""The admission guard on a shared cluster, end to end: ``class up`` installs it, real kubectl
with a learner's kubeconfig meets it, and live grading never sees a forged Workflow status.

The fake API server evaluates ValidatingAdmissionPolicies with a CEL library following
kube-apiserver's validating policy plugin (staging/src/k8s.io/apiserver/pkg/admission/plugin/
policy/validating/dispatcher.go and validator.go; see tests/fakekube/admission.py); Argo's
Workflow CRD has no status subresource, as Argo v3.7.3's manifests/base/crds/minimal ships it.
"""

from __future__ import annotations

import json
import subprocess

import pytest
import yaml
from fakekube.fixtures import kubectl_path
from fakekube.manifests import workflow, workflow_crd

from sandbox.namespace import admission, room

FORGED = {"phase": "Succeeded", "nodes": {"x": {"phase": "Succeeded", "type": "Pod"}}}


@pytest.fixture
def room_up(fake_kube, tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECOURSE_HOME", str(tmp_path / "home"))
    fake_kube.server.create(workflow_crd())
    roster = tmp_path / "roster.csv"
    roster.write_text("name\nalice\n")
    room.class_up(roster, output=tmp_path / "o", kubeconfig=fake_kube.kubeconfig)
    return {**fake_kube.env, "KUBECONFIG": str(tmp_path / "o" / "alice.kubeconfig")}


def _kubectl(env, *args, input=None):
    return subprocess.run(
        [str(kubectl_path()), *args], env=env, input=input, capture_output=True, text=True, timeout=60
    )


def test_class_up_installs_every_policy_and_binding(fake_kube, room_up):
    names = {o["metadata"]["name"] for o in admission.guard_objects()}
    server = fake_kube.server
    found = {
        o["metadata"]["name"] for o in server.objects("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy")
    }
    found |= {
        o["metadata"]["name"]
        for o in server.objects("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding")
    }
    assert found == names


def test_a_learner_cannot_forge_a_workflow_status(fake_kube, room_up):
    forged = workflow("salmon-forged", namespace="kc-alice")
    forged["status"] = FORGED
    done = _kubectl(room_up, "create", "-f", "-", input=yaml.safe_dump(forged))
    assert done.returncode != 0
    assert "is forbidden: ValidatingAdmissionPolicy" in done.stderr
    assert admission.WORKFLOW_POLICY in done.stderr and "written by Argo's controller" in done.stderr
    assert fake_kube.server.get("argoproj.io/v1alpha1", "Workflow", "salmon-forged", "kc-alice") is None

    honest = workflow("salmon-honest", namespace="kc-alice")
    assert _kubectl(room_up, "create", "-f", "-", input=yaml.safe_dump(honest)).returncode == 0
    patch = _kubectl(
        room_up, "patch", "workflow", "salmon-honest", "--type", "merge", "-p", json.dumps({"status": FORGED})
    )
    assert patch.returncode != 0 and "forbidden" in patch.stderr
    label = _kubectl(room_up, "label", "workflow", "salmon-honest", "workflows.argoproj.io/completed=true")
    assert label.returncode != 0 and "belong to Argo's controller" in label.stderr
    assert _kubectl(room_up, "label", "workflow", "salmon-honest", "attempt=2").returncode == 0
    stored = fake_kube.server.get("argoproj.io/v1alpha1", "Workflow", "salmon-honest", "kc-alice")
    assert "status" not in stored and "workflows.argoproj.io/completed" not in stored["metadata"]["labels"]


def test_the_controller_and_the_instructor_still_write_status(fake_kube, room_up):
    assert (
        _kubectl(room_up, "create", "-f", "-", input=yaml.safe_dump(workflow("wf", namespace="kc-alice"))).returncode
        == 0
    )
    # the instructor's (admin) kubeconfig goes through the same admission
    admin = fake_kube.kubectl(
        "patch", "workflow", "wf", "-n", "kc-alice", "--type", "merge", "-p", json.dumps({"status": FORGED})
    )
    assert admin.returncode == 0
    assert fake_kube.server.get("argoproj.io/v1alpha1", "Workflow", "wf", "kc-alice")["status"]["phase"] == "Succeeded"
    # and a learner re-applying their manifest keeps the controller's status
    again = workflow("wf", namespace="kc-alice")
    again["metadata"]["labels"] = {"try": "2"}
    assert _kubectl(room_up, "apply", "-f", "-", input=yaml.safe_dump(again)).returncode == 0


def test_a_learner_cannot_mint_a_token_that_never_expires(fake_kube, room_up):
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": "forever",
            "namespace": "kc-alice",
            "annotations": {"kubernetes.io/service-account.name": "learner"},
        },
        "type": "kubernetes.io/service-account-token",
    }
    done = _kubectl(room_up, "create", "-f", "-", input=yaml.safe_dump(secret))
    assert done.returncode != 0 and 'cannot create resource "secrets"' in done.stderr  # RBAC first
    # and the policy still holds where an admin grants Secrets after all (defence in depth)
    rbac = "rbac.authorization.k8s.io/v1"
    meta = {"name": "extra-secrets", "namespace": "kc-alice"}
    fake_kube.server.create(
        {
            "apiVersion": rbac,
            "kind": "Role",
            "metadata": meta,
            "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["create"]}],
        }
    )
    fake_kube.server.create(
        {
            "apiVersion": rbac,
            "kind": "RoleBinding",
            "metadata": meta,
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "extra-secrets"},
            "subjects": [{"kind": "ServiceAccount", "name": "learner", "namespace": "kc-alice"}],
        }
    )
    done = _kubectl(room_up, "create", "-f", "-", input=yaml.safe_dump(secret))
    assert done.returncode != 0 and admission.SECRET_POLICY in done.stderr
    plain = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "db", "namespace": "kc-alice"},
        "stringData": {"p": "x"},
    }
    assert _kubectl(room_up, "create", "-f", "-", input=yaml.safe_dump(plain)).returncode == 0


def test_a_cluster_without_admission_policies_is_refused(fake_kube, tmp_path, monkeypatch):
    """Kubernetes before 1.30 serves no admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy."""
    monkeypatch.setenv("KUBECOURSE_HOME", str(tmp_path / "home"))
    fake_kube.server.registry.remove("admissionregistration.k8s.io", "validatingadmissionpolicies")
    roster = tmp_path / "roster.csv"
    roster.write_text("name\nalice\n")
    with pytest.raises(admission.GuardUnavailable, match="ValidatingAdmissionPolicy"):
        room.class_up(roster, output=tmp_path / "o", kubeconfig=fake_kube.kubeconfig)
    assert fake_kube.server.get("v1", "Namespace", "kc-alice") is None  # nobody got access unguarded


def test_live_grading_of_a_forger_reads_no_status(fake_kube, room_up):
    """The forged write is refused, so what live grading reads is a Workflow that never ran."""
    from autograder.live import connect
    from autograder.namespace_map import NamespaceMapped

    forged = workflow(namespace="kc-alice", generate_name="salmon-")
    forged["status"] = FORGED
    forged["metadata"]["labels"] = {"workflows.argoproj.io/completed": "true"}
    assert _kubectl(room_up, "create", "-f", "-", input=yaml.safe_dump(forged)).returncode != 0
    honest = workflow(namespace="kc-alice", generate_name="salmon-")
    assert _kubectl(room_up, "create", "-f", "-", input=yaml.safe_dump(honest)).returncode == 0

    state = NamespaceMapped(connect(kubeconfig=fake_kube.kubeconfig), lab_namespaces=("salmon",), target="kc-alice")
    graded = state.newest("Workflow", namespace="salmon", api_version="argoproj.io/v1alpha1", name_prefix="salmon-")
    assert graded is not None and "status" not in graded
    assert "workflows.argoproj.io/completed" not in (graded["metadata"].get("labels") or {})

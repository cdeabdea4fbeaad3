"""``kubecourse start LAB`` and ``prefetch`` with the fake kind, fake docker, fake API server,
stand-in controllers, and add-on manifests served from a local HTTP server."""

import base64
import json

import pytest
from demo_lab_tools import COPY_IMAGE, LAB, MANIFEST, SHA, STEPS, api, demo_lab

from kubecourse.cli.main import run
from sandbox import labprep, prefetch, state
from sandbox.errors import ChecksumMismatch, SandboxBroken, SandboxError


@pytest.fixture
def lab_env(fake_kind, tmp_path, monkeypatch):
    with demo_lab(fake_kind, tmp_path, monkeypatch) as (server, lab):
        yield fake_kind, server, lab


def test_start_prepares_everything_and_is_idempotent(lab_env):
    fake_kind, server, lab = lab_env
    result = labprep.start("demo-lab", "alice")
    kube = api(fake_kind)
    assert [s["step"] for s in result.steps] == STEPS
    assert kube.get("rbac.authorization.k8s.io/v1", "Role", "executor", "demo") is not None
    assert {d["metadata"]["name"] for d in kube.objects("apps/v1", "Deployment", "argo")} == {
        "workflow-controller",
        "argo-server",
    }
    assert kube.get("v1", "Namespace", "demo") is not None
    builds = [c["argv"] for c in fake_kind.invocations("build", tool="docker")]
    assert builds == [["build", "-t", "demo-solver:1.0", str(lab / "image")]]
    assert fake_kind.cluster("kubecourse-alice")["images"] == ["demo-solver:1.0", "busybox:1.36.1"]
    pvc = kube.get("v1", "PersistentVolumeClaim", "demo-data", "demo")
    assert pvc["spec"]["resources"]["requests"]["storage"] == "2Gi"
    (job,) = kube.objects("batch/v1", "Job", "demo")
    volumes = {v["name"]: v for v in job["spec"]["template"]["spec"]["volumes"]}
    assert volumes["dst"]["persistentVolumeClaim"]["claimName"] == "demo-data"
    items = {i["path"]: i["key"] for i in volumes["src"]["configMap"]["items"]}
    assert set(items) == {"a.txt", "sub/b.bin"}
    cm = kube.get("v1", "ConfigMap", volumes["src"]["configMap"]["name"], "demo")
    assert base64.b64decode(cm["binaryData"][items["sub/b.bin"]]) == bytes(range(256))
    assert state.load("alice").lab == "demo-lab"

    again = labprep.start("demo-lab", "alice")
    assert "(already there)" in again.steps[-1]["detail"]
    assert len(kube.objects("batch/v1", "Job", "demo")) == 1
    assert len(fake_kind.invocations("create")) == 1
    assert len(fake_kind.invocations("build", tool="docker")) == 1  # the image is present now
    assert server.hits == ["/install.yaml"]
    assert not (fake_kind.home / ".kube").exists()


def test_changed_data_is_copied_by_a_new_job(lab_env):
    fake_kind, _, lab = lab_env
    labprep.start("demo-lab", "alice")
    (lab / "data" / "a.txt").write_text("changed\n")
    result = labprep.start("demo-lab", "alice")
    assert "already" not in result.steps[-1]["detail"]
    assert len(api(fake_kind).objects("batch/v1", "Job", "demo")) == 2


def test_checksum_mismatch_applies_nothing(lab_env):
    fake_kind, server, _ = lab_env
    server.files["/install.yaml"] = MANIFEST + b"\n# tampered\n"
    with pytest.raises(ChecksumMismatch):
        labprep.start("demo-lab", "alice")
    assert fake_kind.clusters() == []  # verified before anything is made
    kube = api(fake_kind)
    assert kube.get("v1", "Namespace", "argo") is None
    assert kube.objects("apps/v1", "Deployment") == []


def test_a_failed_copy_job_is_reported_with_how_to_see_why(lab_env):
    fake_kind, _, _ = lab_env
    from coursecore import labs
    from sandbox import data

    lab = labs.find("demo-lab")
    name, _ = data.manifests(lab.cluster.data[0], data.collect(lab.path / "data"))
    fake_kind.controllers.fail_jobs = {name}
    with pytest.raises(SandboxError) as info:
        labprep.start("demo-lab", "alice")
    assert f"job demo/{name} Failed" in info.value.message
    assert f"logs job/{name}" in info.value.hint


def test_a_lab_needing_more_nodes_than_the_sandbox_has(lab_env):
    fake_kind, _, lab = lab_env
    labprep.start("demo-lab", "alice")
    (lab / "lab.yaml").write_text(LAB.format(nodes=2, copy=COPY_IMAGE))
    with pytest.raises(SandboxBroken) as info:
        labprep.start("demo-lab", "alice")
    assert "--nodes 2 --recreate" in info.value.hint


def test_prefetch_then_start_offline(lab_env):
    fake_kind, server, _ = lab_env
    results = prefetch.prefetch(["demo-lab"])
    assert [(r.kind, r.status) for r in results] == [
        ("node image", "pulled"),
        ("manifest", "downloaded"),
        ("add-on image", "pulled"),
        ("add-on image", "pulled"),
        ("add-on image", "pulled"),
        ("lab image", "built"),
        ("lab image", "pulled"),
    ]
    again = prefetch.prefetch(["demo-lab"])
    assert {r.status for r in again} == {"local", "cached"}
    server.files.clear()  # the network is gone
    result = labprep.start("demo-lab", "bob", offline=True)
    loaded = fake_kind.cluster("kubecourse-bob")["images"]
    assert "quay.io/argoproj/workflow-controller:v3.7.3" in loaded and "demo-solver:1.0" in loaded
    assert result.steps[-1]["step"].startswith("data")
    assert server.hits == ["/install.yaml"]


def test_cli_start_and_prefetch(lab_env, capsys, monkeypatch):
    with pytest.raises(SystemExit) as info:
        run(["start", "demo-lab", "--name", "alice", "--json"])
    assert info.value.code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["lab"] == "demo-lab" and data["sandbox"]["cluster"] == "kubecourse-alice"
    monkeypatch.setenv("FAKE_DOCKER_FAIL", "pull")  # one failing item; the others still run
    with pytest.raises(SystemExit) as info:
        run(["prefetch", "--json"])
    assert info.value.code == 1
    rows = json.loads(capsys.readouterr().out)
    assert {r["status"] for r in rows if r["kind"] == "node image"} == {"failed"}
    assert {r["status"] for r in rows if r["kind"] == "manifest"} == {"cached"}


def test_cli_unknown_lab_is_exit_2(lab_env, capsys):
    with pytest.raises(SystemExit) as info:
        run(["start", "no-such-lab"])
    assert info.value.code == 2
    assert "unknown lab 'no-such-lab'" in capsys.readouterr().err


def test_cli_start_pins_an_unpinned_addon_on_first_download_then_verifies(lab_env, capsys):
    fake_kind, server, _ = lab_env
    home = fake_kind.kubecourse_home
    (home / "addons.yaml").write_text(f"argo-workflows:\n  url: {server.url('/install.yaml')}\n")  # no sha256
    with pytest.raises(SystemExit) as info:
        run(["start", "demo-lab", "--name", "alice", "--strict-addons"])
    assert info.value.code == 2 and "strict mode refuses" in capsys.readouterr().err
    assert fake_kind.clusters() == []
    with pytest.raises(SystemExit) as info:
        run(["start", "demo-lab", "--name", "alice"])
    assert info.value.code == 0
    err = capsys.readouterr().err
    assert f"pinned add-on argo-workflows v3.7.3 install.yaml on first download: sha256 {SHA}" in err
    assert str(home / "addons.lock") in err
    server.files["/install.yaml"] = MANIFEST + b"\n# changed upstream\n"
    (home / "cache").joinpath("addons", "argo-workflows", "v3.7.3", "install.yaml").unlink()
    with pytest.raises(SystemExit) as info:
        run(["start", "demo-lab", "--name", "alice"])
    err = capsys.readouterr().err
    assert info.value.code == 3 and f"expected {SHA}" in err and "Traceback" not in err


WEBHOOKS = b"""
---
apiVersion: v1
kind: Service
metadata: {name: argo-webhooks, namespace: argo}
spec:
  selector: {app: nobody-runs-this}
  ports: [{port: 443, targetPort: 9443}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: argo-validate}
webhooks:
- name: vworkflow.example.io
  clientConfig: {service: {name: argo-webhooks, namespace: argo, path: /validate}}
  rules: [{apiGroups: [argoproj.io], apiVersions: ["*"], operations: [CREATE], resources: [workflows]}]
  failurePolicy: Fail
  sideEffects: None
  admissionReviewVersions: [v1]
"""


def test_cli_start_stops_when_a_webhook_service_never_gets_an_endpoint(lab_env, capsys, monkeypatch):
    """An add-on whose webhook Service selects no Pod never gets a ready endpoint (the stand-in
    EndpointSlice controller publishes one only for an Available Deployment the Service
    selects), so every write its webhooks match would fail: `start` stops with exit 3, one line
    naming the Service and what its EndpointSlices hold, and a hint naming the webhooks."""
    fake_kind, server, _ = lab_env
    server.files["/install.yaml"] = MANIFEST + WEBHOOKS
    (fake_kind.kubecourse_home / "addons.yaml").write_text(f"argo-workflows:\n  url: {server.url('/install.yaml')}\n")
    monkeypatch.setattr("sandbox.readiness.ENDPOINT_TIMEOUT", 1)
    with pytest.raises(SystemExit) as info:
        run(["start", "demo-lab", "--name", "alice"])
    err = capsys.readouterr().err
    assert info.value.code == 3 and "Traceback" not in err, err
    assert "add-on argo-workflows: waiting for webhook service argo/argo-webhooks to have a ready endpoint" in err
    (line,) = [line for line in err.splitlines() if line.startswith("error:")]
    assert line == (
        "error: timed out after 1 s waiting for a ready endpoint of service argo/argo-webhooks: "
        "no EndpointSlice yet (no Pod of the Service has been seen)"
    )
    assert "argo-workflows's webhooks check (vworkflow.example.io)" in err and "get pods,endpointslices" in err

"""The fake API server against the real kubectl: apply, get, wait, patch and delete."""

from __future__ import annotations

import json
import threading
import time

import pytest
import yaml
from fakekube.fixtures import KubectlFailed
from fakekube.manifests import ready_node, workflow, workflow_crd

NAMESPACE_AND_CONFIGMAP = """
apiVersion: v1
kind: Namespace
metadata:
  name: lab
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: lab
  labels: {app: salmon, tier: config}
data:
  seeds: "8"
  mode: fast
"""

POD = """
apiVersion: v1
kind: Pod
metadata:
  name: solver
  namespace: lab
  labels: {app: salmon}
spec:
  containers:
  - name: solver
    image: python:3.11
    command: [python, -c, "print(1)"]
    env:
    - {name: SEED, value: "1"}
    - {name: MODE, value: fast}
  - name: sidecar
    image: busybox
"""


def _json(result) -> dict:
    return json.loads(result.stdout)


def _later(seconds: float, action) -> threading.Thread:
    """Run ``action`` after ``seconds`` in the background, as a controller would."""

    def run() -> None:
        time.sleep(seconds)
        action()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_apply_creates_then_reports_unchanged_then_configures(fake_kube):
    created = fake_kube.kubectl("apply", "-f", "-", input=NAMESPACE_AND_CONFIGMAP)
    assert "namespace/lab created" in created.stdout
    assert "configmap/settings created" in created.stdout
    again = fake_kube.kubectl("apply", "-f", "-", input=NAMESPACE_AND_CONFIGMAP)
    assert "configmap/settings unchanged" in again.stdout

    changed = NAMESPACE_AND_CONFIGMAP.replace('seeds: "8"', 'seeds: "16"').replace("  mode: fast\n", "")
    fake_kube.server.clear_requests()
    assert "configmap/settings configured" in fake_kube.kubectl("apply", "-f", "-", input=changed).stdout
    patches = [r for r in fake_kube.server.requests if r.method == "PATCH"]
    assert [p.content_type for p in patches] == ["application/strategic-merge-patch+json"]
    assert patches[0].query["fieldManager"] == "kubectl-client-side-apply"

    stored = fake_kube.server.get("v1", "ConfigMap", "settings", "lab")
    assert stored["data"] == {"seeds": "16"}  # "mode" left the manifest, so apply removed it
    last_applied = json.loads(stored["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"])
    assert last_applied["data"] == {"seeds": "16"}
    meta = stored["metadata"]
    assert meta["uid"] and meta["creationTimestamp"] and int(meta["resourceVersion"]) > 0


def test_get_json_yaml_and_table(fake_kube):
    fake_kube.kubectl("apply", "-f", "-", input=NAMESPACE_AND_CONFIGMAP)
    as_json = _json(fake_kube.kubectl("get", "configmap", "settings", "-n", "lab", "-o", "json"))
    assert as_json["kind"] == "ConfigMap" and as_json["data"]["seeds"] == "8"
    as_yaml = yaml.safe_load(fake_kube.kubectl("get", "ns", "lab", "-o", "yaml").stdout)
    assert as_yaml["status"]["phase"] == "Active"
    assert as_yaml["metadata"]["labels"]["kubernetes.io/metadata.name"] == "lab"
    table = fake_kube.kubectl("get", "configmaps", "-n", "lab").stdout.splitlines()
    assert table[0].split() == ["NAME", "AGE"]
    assert table[1].split()[0] == "settings"
    listing = _json(fake_kube.kubectl("get", "namespaces", "-o", "json"))
    names = {item["metadata"]["name"] for item in listing["items"]}
    assert {"default", "kube-system", "lab"} <= names


def test_get_missing_object_is_not_found(fake_kube):
    result = fake_kube.kubectl("get", "configmap", "nope", check=False)
    assert result.returncode == 1
    assert 'configmaps "nope" not found' in result.stderr


def test_apply_into_missing_namespace_fails(fake_kube):
    manifest = NAMESPACE_AND_CONFIGMAP.split("---")[1]
    result = fake_kube.kubectl("apply", "-f", "-", input=manifest, check=False)
    assert result.returncode == 1
    assert 'namespaces "lab" not found' in result.stderr


def test_nodes_are_cluster_scoped_and_wait_for_ready(fake_kube):
    fake_kube.server.create(ready_node("kind-control-plane"))
    table = fake_kube.kubectl("get", "nodes").stdout
    assert "kind-control-plane" in table
    waited = fake_kube.kubectl("wait", "--for=condition=Ready", "node/kind-control-plane", "--timeout=10s")
    assert "condition met" in waited.stdout
    resources = fake_kube.kubectl("api-resources", "--namespaced=false", "-o", "name").stdout
    assert "nodes" in resources.split() and "namespaces" in resources.split()
    assert "pods" not in resources.split()


def test_pod_apply_then_wait_for_phase_set_by_a_controller(fake_kube):
    fake_kube.kubectl("apply", "-f", "-", input=NAMESPACE_AND_CONFIGMAP)
    fake_kube.kubectl("apply", "-f", "-", input=POD)
    pod = fake_kube.server.get("v1", "Pod", "solver", "lab")
    assert pod["status"]["phase"] == "Pending"

    # Re-applying a changed list merges by container name (strategic merge patch).
    fewer = POD.replace("  - name: sidecar\n    image: busybox\n", "").replace('    - {name: SEED, value: "1"}\n', "")
    fake_kube.kubectl("apply", "-f", "-", input=fewer)
    containers = fake_kube.server.get("v1", "Pod", "solver", "lab")["spec"]["containers"]
    assert [c["name"] for c in containers] == ["solver"]
    assert containers[0]["env"] == [{"name": "MODE", "value": "fast"}]

    _later(0.5, lambda: fake_kube.server.patch_status("v1", "Pod", "solver", {"phase": "Succeeded"}, namespace="lab"))
    waited = fake_kube.kubectl(
        "wait", "-n", "lab", "--for=jsonpath={.status.phase}=Succeeded", "pod/solver", "--timeout=15s"
    )
    assert "condition met" in waited.stdout


def test_wait_times_out_when_nothing_changes(fake_kube):
    fake_kube.kubectl("apply", "-f", "-", input=NAMESPACE_AND_CONFIGMAP)
    fake_kube.kubectl("apply", "-f", "-", input=POD)
    result = fake_kube.kubectl("wait", "-n", "lab", "--for=condition=Ready", "pod/solver", "--timeout=1s", check=False)
    assert result.returncode != 0
    assert "timed out" in result.stderr


@pytest.mark.parametrize("status_subresource", [False, True])
def test_workflow_crd_status_then_wait(fake_kube, status_subresource):
    crd = yaml.safe_dump(workflow_crd(status_subresource=status_subresource))
    fake_kube.kubectl("apply", "-f", "-", input=crd)
    fake_kube.kubectl("wait", "--for=condition=Established", "crd/workflows.argoproj.io", "--timeout=10s")
    created = fake_kube.kubectl(
        "create", "-f", "-", "-o", "name", input=yaml.safe_dump(workflow(generate_name="salmon-"))
    )
    name = created.stdout.strip().split("/")[-1]
    assert name.startswith("salmon-") and len(name) == len("salmon-") + 5

    if status_subresource:
        # A main-resource write ignores status; the /status subresource changes only status.
        fake_kube.kubectl("patch", "workflow", name, "--type=merge", "-p", '{"status": {"phase": "Running"}}')
        assert "status" not in fake_kube.server.get("argoproj.io/v1alpha1", "Workflow", name)
        fake_kube.kubectl(
            "patch",
            "workflow",
            name,
            "--subresource=status",
            "--type=merge",
            "-p",
            '{"status": {"phase": "Running"}, "spec": {"entrypoint": "x"}}',
        )
    else:
        # Argo's own CRD has no status subresource: status is written with the object.
        fake_kube.kubectl("patch", "workflow", name, "--type=merge", "-p", '{"status": {"phase": "Running"}}')
    stored = fake_kube.server.get("argoproj.io/v1alpha1", "Workflow", name)
    assert stored["status"]["phase"] == "Running"
    assert stored["spec"]["entrypoint"] == "main"
    assert stored["metadata"]["generation"] == (1 if status_subresource else 2)

    _later(0.5, lambda: fake_kube.server.patch_status("argoproj.io/v1alpha1", "Workflow", name, {"phase": "Succeeded"}))
    waited = fake_kube.kubectl("wait", "--for=jsonpath={.status.phase}=Succeeded", f"workflow/{name}", "--timeout=15s")
    assert "condition met" in waited.stdout
    table = fake_kube.kubectl("get", "wf").stdout.splitlines()
    assert table[0].split() == ["NAME", "STATUS", "AGE"]
    assert table[1].split()[:2] == [name, "Succeeded"]


def test_generator_commands_for_small_kinds(fake_kube):
    """kubectl >= 1.32 sends these as protobuf; the fake decodes the small kinds."""
    fake_kube.kubectl("create", "namespace", "made-by-generator")
    assert fake_kube.server.get("v1", "Namespace", "made-by-generator")["status"] == {"phase": "Active"}
    fake_kube.kubectl("create", "configmap", "c", "--from-literal=a=1")
    fake_kube.kubectl("create", "secret", "generic", "s", "--from-literal=pw=hunter2")
    fake_kube.kubectl("create", "serviceaccount", "robot")
    fake_kube.kubectl("create", "role", "reader", "--verb=get,list", "--resource=pods")
    fake_kube.kubectl("create", "rolebinding", "reader", "--role=reader", "--serviceaccount=default:robot")
    assert fake_kube.server.get("v1", "ConfigMap", "c")["data"] == {"a": "1"}
    assert fake_kube.server.get("v1", "Secret", "s")["data"] == {"pw": "aHVudGVyMg=="}
    role = fake_kube.server.get("rbac.authorization.k8s.io/v1", "Role", "reader")
    assert role["rules"] == [{"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"]}]
    binding = fake_kube.server.get("rbac.authorization.k8s.io/v1", "RoleBinding", "reader")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "robot", "namespace": "default"}]
    token = fake_kube.kubectl("create", "token", "robot", "--duration=15m").stdout.strip()
    assert token.count(".") == 2 and fake_kube.server.accepts(token)


def test_generator_commands_for_other_kinds_get_a_clear_415(fake_kube):
    result = fake_kube.kubectl("create", "deployment", "web", "--image=nginx", check=False)
    assert result.returncode == 1
    assert "UnsupportedMediaType" in result.stderr or "unknown format" in result.stderr
    assert "apply -f" in result.stderr
    assert fake_kube.server.get("apps/v1", "Deployment", "web") is None


def test_kubectl_failure_carries_the_command(fake_kube):
    with pytest.raises(KubectlFailed) as failure:
        fake_kube.kubectl("get", "pod", "missing")
    assert "kubectl get pod missing exited 1" in str(failure.value)
    assert "not found" in str(failure.value)


def _home_kube_state() -> tuple:
    from pathlib import Path

    kube_dir = Path.home() / ".kube"
    config = kube_dir / "config"
    return (
        kube_dir.exists(),
        config.exists(),
        config.stat().st_mtime_ns if config.exists() else None,
        config.stat().st_size if config.exists() else None,
    )


def test_never_touches_the_users_kube_config(fake_kube):
    before = _home_kube_state()
    fake_kube.kubectl("apply", "-f", "-", input=NAMESPACE_AND_CONFIGMAP)
    fake_kube.kubectl("get", "configmaps", "-A")
    fake_kube.kubectl("config", "view")
    from kubernetes import client

    client.CoreV1Api(fake_kube.client()).list_namespace()
    assert _home_kube_state() == before
    assert fake_kube.kubeconfig.stat().st_mode & 0o777 == 0o600


def test_pod_logs_set_by_the_test(fake_kube):
    fake_kube.kubectl("apply", "-f", "-", input=NAMESPACE_AND_CONFIGMAP)
    fake_kube.kubectl("apply", "-f", "-", input=POD)
    fake_kube.server.set_pod_log("solver", "best tour: 42\n", namespace="lab", container="solver")
    assert fake_kube.kubectl("logs", "-n", "lab", "solver", "-c", "solver").stdout == "best tour: 42\n"
    assert fake_kube.kubectl("logs", "-n", "lab", "solver", "-c", "sidecar").stdout == ""
    unknown = fake_kube.kubectl("logs", "-n", "lab", "nope", check=False)
    assert unknown.returncode == 1 and 'pods "nope" not found' in unknown.stderr


def _schema_crd() -> dict:
    """A Workflow CRD with a structural schema, as Argo 4.x ships (abridged)."""
    crd = workflow_crd()
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"] = {
        "type": "object",
        "required": ["spec"],
        "properties": {
            "spec": {
                "type": "object",
                "required": ["entrypoint"],
                "properties": {
                    "entrypoint": {"type": "string"},
                    "parallelism": {"type": "integer"},
                    "templates": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "name": {"type": "string"},
                                "container": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                                "dag": {
                                    "type": "object",
                                    "properties": {
                                        "tasks": {
                                            "type": "array",
                                            "items": {
                                                "type": "object",
                                                "properties": {
                                                    "name": {"type": "string"},
                                                    "template": {"type": "string"},
                                                    "dependencies": {"type": "array", "items": {"type": "string"}},
                                                },
                                            },
                                        }
                                    },
                                },
                            },
                        },
                    },
                },
            },
            "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
        },
    }
    return crd


def test_crd_schema_strict_validation_pruning_and_types(fake_kube):
    fake_kube.kubectl("apply", "-f", "-", input=yaml.safe_dump(_schema_crd()))
    typo = workflow("typo")
    typo["spec"]["templates"].append(
        {"name": "dag", "dag": {"tasks": [{"name": "b", "template": "main", "dependancies": ["a"]}]}}
    )
    strict = fake_kube.kubectl("apply", "-f", "-", input=yaml.safe_dump(typo), check=False)
    assert strict.returncode == 1
    assert 'strict decoding error: unknown field "spec.templates[1].dag.tasks[0].dependancies"' in strict.stderr

    # Without strict validation the server prunes what the schema does not declare.
    warned = fake_kube.kubectl("apply", "--validate=warn", "-f", "-", input=yaml.safe_dump(typo))
    assert 'Warning: unknown field "spec.templates[1].dag.tasks[0].dependancies"' in warned.stderr
    stored = fake_kube.server.get("argoproj.io/v1alpha1", "Workflow", "typo")
    assert stored["spec"]["templates"][1]["dag"]["tasks"][0] == {"name": "b", "template": "main"}
    assert stored["spec"]["templates"][0]["container"]["command"] == ["echo", "hello"]

    wrong = workflow("wrong")
    wrong["spec"]["parallelism"] = "two"
    del wrong["spec"]["entrypoint"]
    invalid = fake_kube.kubectl("apply", "-f", "-", input=yaml.safe_dump(wrong), check=False)
    assert invalid.returncode == 1 and "is invalid" in invalid.stderr
    assert "spec.entrypoint: Required value" in invalid.stderr
    assert "spec.parallelism in body must be of type integer" in invalid.stderr


def test_kubectl_uses_aggregated_discovery(fake_kube):
    fake_kube.kubectl("api-resources")
    paths = [r.path for r in fake_kube.server.requests]
    assert paths == ["/api", "/apis"]  # one document each, no request per group version


RBAC_SETUP = """
apiVersion: v1
kind: Namespace
metadata: {name: lab}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: learner, namespace: lab}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: lab}
rules:
- {apiGroups: [""], resources: [configmaps, pods], verbs: [get, list, watch]}
- {apiGroups: [""], resources: [pods/log], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: learner-reads, namespace: lab}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: ServiceAccount, name: learner, namespace: lab}]
"""


def test_service_account_tokens_get_what_rbac_grants(fake_kube):
    fake_kube.kubectl("apply", "-f", "-", input=RBAC_SETUP)
    fake_kube.kubectl("apply", "-f", "-", input=NAMESPACE_AND_CONFIGMAP)
    token = fake_kube.kubectl("create", "token", "learner", "-n", "lab").stdout.strip()
    learner_config = fake_kube.server.write_kubeconfig(
        fake_kube.kubeconfig.with_name("learner"), token=token, namespace="lab"
    )
    learner = {**fake_kube.env, "KUBECONFIG": str(learner_config)}

    def as_learner(*args: str, input: str | None = None):
        import subprocess

        from fakekube.fixtures import kubectl_path

        return subprocess.run(
            [str(kubectl_path()), *args], env=learner, input=input, capture_output=True, text=True, timeout=60
        )

    assert as_learner("get", "configmaps", "-o", "name").stdout.split() == ["configmap/settings"]
    other = as_learner("get", "configmaps", "-n", "default")
    assert (
        other.returncode == 1
        and (
            'configmaps is forbidden: User "system:serviceaccount:lab:learner" cannot list '
            'resource "configmaps" in API group "" in the namespace "default"'
        )
        in other.stderr
    )
    write = as_learner("delete", "configmap", "settings")
    assert write.returncode == 1 and 'cannot delete resource "configmaps"' in write.stderr
    nodes = as_learner("get", "nodes")
    assert nodes.returncode == 1 and "at the cluster scope" in nodes.stderr
    assert fake_kube.server.get("v1", "ConfigMap", "settings", "lab") is not None

    # Bound tokens die with their service account.
    fake_kube.kubectl("delete", "serviceaccount", "learner", "-n", "lab")
    gone = as_learner("get", "configmaps")
    assert gone.returncode == 1 and "Unauthorized" in gone.stderr

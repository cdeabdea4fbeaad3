"""Every kind the course uses, through the real kubectl against the fake API server.

One module-scoped server: the round trip applies everything once, then each test reads,
waits on or deletes its own objects (each test owns distinct names and namespaces).
"""

from __future__ import annotations

import json
import threading
import time

import pytest
import yaml
from fakekube.manifests import workflow, workflow_crd

NS = "kinds"
ALL_KINDS = f"""
apiVersion: v1
kind: Namespace
metadata: {{name: {NS}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: cfg, namespace: {NS}, labels: {{app: salmon}}}}
data: {{seeds: "8"}}
---
apiVersion: v1
kind: Secret
metadata: {{name: creds, namespace: {NS}}}
stringData: {{password: hunter2}}
---
apiVersion: v1
kind: Pod
metadata: {{name: solver, namespace: {NS}, labels: {{app: salmon}}}}
spec:
  containers: [{{name: solver, image: "python:3.11"}}]
---
apiVersion: v1
kind: Service
metadata: {{name: web, namespace: {NS}}}
spec:
  selector: {{app: web}}
  ports: [{{port: 80, targetPort: 8080}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: {NS}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers: [{{name: web, image: nginx}}]
---
apiVersion: batch/v1
kind: Job
metadata: {{name: seeds, namespace: {NS}}}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{{name: seeds, image: alpine, command: [echo, "1"]}}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {{name: data, namespace: {NS}}}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: kinds-standard
  resources: {{requests: {{storage: 1Gi}}}}
---
apiVersion: v1
kind: ResourceQuota
metadata: {{name: quota, namespace: {NS}}}
spec: {{hard: {{pods: "10", requests.cpu: "4"}}}}
---
apiVersion: v1
kind: LimitRange
metadata: {{name: limits, namespace: {NS}}}
spec:
  limits: [{{type: Container, default: {{cpu: 500m}}, defaultRequest: {{cpu: 100m}}}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: reader, namespace: {NS}}}
rules: [{{apiGroups: [""], resources: [pods], verbs: [get, list, watch]}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: reader, namespace: {NS}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}}
subjects: [{{kind: ServiceAccount, name: robot, namespace: {NS}}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: kinds-reader}}
rules: [{{apiGroups: [""], resources: [nodes], verbs: [get]}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {{name: kinds-reader}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kinds-reader}}
subjects: [{{kind: ServiceAccount, name: robot, namespace: {NS}}}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: robot, namespace: {NS}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: deny-all, namespace: {NS}}}
spec: {{podSelector: {{}}, policyTypes: [Ingress]}}
---
apiVersion: v1
kind: Node
metadata: {{name: kinds-node, labels: {{kubernetes.io/hostname: kinds-node}}}}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {{name: kinds-standard}}
provisioner: rancher.io/local-path
reclaimPolicy: Delete
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: v1
kind: Event
metadata: {{name: solver.1, namespace: {NS}}}
involvedObject: {{kind: Pod, name: solver, namespace: {NS}}}
reason: Scheduled
message: Successfully assigned kinds/solver to kinds-node
type: Normal
"""
KINDS = [
    (doc["kind"], doc["metadata"]["name"], doc["metadata"].get("namespace")) for doc in yaml.safe_load_all(ALL_KINDS)
]


@pytest.fixture(scope="module")
def cluster(fake_kube_module, tmp_path_factory):
    manifest = tmp_path_factory.mktemp("manifests") / "all.yaml"
    manifest.write_text(ALL_KINDS)
    fake_kube_module.manifest = manifest
    applied = fake_kube_module.kubectl("apply", "-f", str(manifest))
    fake_kube_module.first_apply = applied.stdout
    return fake_kube_module


def test_apply_creates_every_kind_and_reapply_is_a_no_op(cluster):
    lines = cluster.first_apply.splitlines()
    assert len(lines) == len(KINDS) and all(line.endswith(" created") for line in lines)
    again = cluster.kubectl("apply", "-f", str(cluster.manifest)).stdout.splitlines()
    # As on a real cluster, a Secret applied with stringData is "configured" every time: the
    # server turns stringData into data, so kubectl always sees stringData missing.
    assert "secret/creds configured" in again
    assert all(line.endswith(" unchanged") for line in again if "secret/" not in line), again


def test_get_every_kind_as_json(cluster):
    listing = json.loads(cluster.kubectl("get", "-f", str(cluster.manifest), "-o", "json").stdout)
    found = [(i["kind"], i["metadata"]["name"], i["metadata"].get("namespace")) for i in listing["items"]]
    assert found == KINDS
    for item in listing["items"]:
        meta = item["metadata"]
        assert meta["uid"] and meta["resourceVersion"] and meta["creationTimestamp"]
        assert "kubectl.kubernetes.io/last-applied-configuration" in meta["annotations"]
    secret = next(i for i in listing["items"] if i["kind"] == "Secret")
    assert secret["data"] == {"password": "aHVudGVyMg=="} and "stringData" not in secret
    node = next(i for i in listing["items"] if i["kind"] == "Node")
    assert "namespace" not in node["metadata"]


@pytest.mark.parametrize(
    "resource, name, namespaced",
    [
        ("ns", NS, False),
        ("cm", "cfg", True),
        ("secrets", "creds", True),
        ("po", "solver", True),
        ("svc", "web", True),
        ("deploy", "web", True),
        ("jobs", "seeds", True),
        ("pvc", "data", True),
        ("quota", "quota", True),
        ("limits", "limits", True),
        ("roles", "reader", True),
        ("rolebindings", "reader", True),
        ("clusterroles", "kinds-reader", False),
        ("clusterrolebindings", "kinds-reader", False),
        ("sa", "robot", True),
        ("netpol", "deny-all", True),
        ("no", "kinds-node", False),
        ("sc", "kinds-standard", False),
        ("ev", "solver.1", True),
    ],
)
def test_get_table_by_short_name(cluster, resource, name, namespaced):
    args = ["get", resource, name] + (["-n", NS] if namespaced else [])
    rows = cluster.kubectl(*args).stdout.splitlines()
    assert rows[0].split()[0] == "NAME" and rows[1].split()[0] == name


def _set_statuses(server) -> None:
    time.sleep(0.3)
    ready = {"type": "Ready", "status": "True"}
    server.patch_status("v1", "Pod", "solver", {"phase": "Running", "conditions": [ready]}, NS)
    server.patch_status(
        "apps/v1",
        "Deployment",
        "web",
        {"replicas": 2, "readyReplicas": 2, "conditions": [{"type": "Available", "status": "True"}]},
        NS,
    )
    server.patch_status(
        "batch/v1", "Job", "seeds", {"succeeded": 1, "conditions": [{"type": "Complete", "status": "True"}]}, NS
    )
    server.patch_status("v1", "PersistentVolumeClaim", "data", {"phase": "Bound"}, NS)
    server.patch_status("v1", "Node", "kinds-node", {"conditions": [ready]})


def test_wait_for_statuses_a_controller_sets(cluster):
    threading.Thread(target=_set_statuses, args=(cluster.server,), daemon=True).start()
    for condition, target in [
        ("condition=Ready", "pod/solver"),
        ("condition=Available", "deployment/web"),
        ("condition=Complete", "job/seeds"),
        ("jsonpath={.status.phase}=Bound", "pvc/data"),
    ]:
        result = cluster.kubectl("wait", "-n", NS, f"--for={condition}", target, "--timeout=15s")
        assert "condition met" in result.stdout
    assert (
        "condition met" in cluster.kubectl("wait", "--for=condition=Ready", "node/kinds-node", "--timeout=15s").stdout
    )
    assert "condition met" in cluster.kubectl("wait", "--for=jsonpath={.status.phase}=Active", f"namespace/{NS}").stdout


def test_label_selectors(cluster):
    cluster.kubectl(
        "apply",
        "-f",
        "-",
        input="""
apiVersion: v1
kind: Namespace
metadata: {name: labels}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: labels, labels: {app: salmon, tier: web}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: b, namespace: labels, labels: {app: salmon, tier: db}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: labels, labels: {app: argo}}
""",
    )

    def names(*selector: str) -> list[str]:
        out = cluster.kubectl("get", "cm", "-n", "labels", *selector, "-o", "name").stdout
        return [line.split("/")[-1] for line in out.split()]

    assert names("-l", "app=salmon") == ["a", "b"]
    assert names("-l", "app!=salmon") == ["c"]
    assert names("-l", "tier in (web,db)") == ["a", "b"]
    assert names("-l", "tier notin (web)") == ["b", "c"]
    assert names("-l", "tier") == ["a", "b"]
    assert names("-l", "!tier") == ["c"]
    assert names("--field-selector", "metadata.name=b") == ["b"]
    deleted = cluster.kubectl("delete", "cm", "-n", "labels", "-l", "app=salmon").stdout
    assert 'configmap "a" deleted' in deleted and 'configmap "b" deleted' in deleted
    assert names() == ["c"]


def test_server_side_apply(cluster):
    manifest = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "ssa", "namespace": NS, "labels": {"a": "1", "b": "2"}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "ssa"}},
            "template": {
                "metadata": {"labels": {"app": "ssa"}},
                "spec": {"containers": [{"name": "one", "image": "nginx"}, {"name": "two", "image": "redis"}]},
            },
        },
    }
    result = cluster.kubectl("apply", "--server-side", "-f", "-", input=json.dumps(manifest))
    assert "deployment.apps/ssa serverside-applied" in result.stdout
    del manifest["metadata"]["labels"]["b"]
    manifest["spec"]["template"]["spec"]["containers"] = [{"name": "one", "image": "nginx:2"}]
    cluster.kubectl("apply", "--server-side", "-f", "-", input=json.dumps(manifest))
    stored = cluster.server.get("apps/v1", "Deployment", "ssa", NS)
    assert stored["metadata"]["labels"] == {"a": "1"}
    assert stored["spec"]["template"]["spec"]["containers"] == [{"name": "one", "image": "nginx:2"}]
    assert stored["metadata"]["generation"] == 2
    (entry,) = stored["metadata"]["managedFields"]
    assert (entry["manager"], entry["operation"]) == ("kubectl", "Apply")
    applies = [r for r in cluster.server.requests if r.content_type.startswith("application/apply-patch+yaml")]
    assert applies and applies[-1].query["fieldManager"] == "kubectl"


def test_stale_replace_and_duplicate_create_are_conflicts(cluster):
    cluster.kubectl(
        "apply",
        "-f",
        "-",
        input=json.dumps(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "versioned", "namespace": NS},
                "data": {"v": "1"},
            }
        ),
    )
    current = json.loads(cluster.kubectl("get", "cm", "versioned", "-n", NS, "-o", "json").stdout)
    current["data"]["v"] = "2"
    cluster.kubectl("replace", "-f", "-", input=json.dumps(current))
    current["data"]["v"] = "3"  # still the old resourceVersion
    stale = cluster.kubectl("replace", "-f", "-", input=json.dumps(current), check=False)
    assert stale.returncode == 1
    assert "the object has been modified" in stale.stderr and "Conflict" in stale.stderr
    assert cluster.server.get("v1", "ConfigMap", "versioned", NS)["data"] == {"v": "2"}
    duplicate = cluster.kubectl(
        "create",
        "-f",
        "-",
        input=json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "versioned", "namespace": NS}}),
        check=False,
    )
    assert duplicate.returncode == 1 and "AlreadyExists" in duplicate.stderr


def test_delete_namespace_cascades_including_custom_resources(cluster):
    cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump(workflow_crd()))
    cluster.kubectl("wait", "--for=condition=Established", "crd/workflows.argoproj.io")
    cluster.kubectl(
        "apply",
        "-f",
        "-",
        input=yaml.safe_dump_all(
            [
                {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "doomed"}},
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "doomed"}},
                workflow("wf", namespace="doomed"),
            ]
        ),
    )
    assert cluster.server.objects("argoproj.io/v1alpha1", "Workflow", "doomed")
    result = cluster.kubectl("delete", "namespace", "doomed", "--timeout=20s")
    assert 'namespace "doomed" deleted' in result.stdout
    assert cluster.server.objects("v1", "ConfigMap", "doomed") == []
    assert cluster.server.objects("argoproj.io/v1alpha1", "Workflow", "doomed") == []
    assert cluster.kubectl("get", "cm", "-n", "doomed", "-o", "name").stdout == ""


def test_finalizers_hold_deletion_until_removed(cluster):
    cluster.kubectl(
        "apply",
        "-f",
        "-",
        input=json.dumps(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "held", "namespace": NS, "finalizers": ["example.com/hold"]},
            }
        ),
    )
    cluster.kubectl("delete", "cm", "held", "-n", NS, "--wait=false")
    held = cluster.server.get("v1", "ConfigMap", "held", NS)
    assert held["metadata"]["deletionTimestamp"]
    cluster.kubectl(
        "patch", "cm", "held", "-n", NS, "--type=json", "-p", '[{"op": "remove", "path": "/metadata/finalizers"}]'
    )
    assert cluster.server.get("v1", "ConfigMap", "held", NS) is None


def test_delete_every_kind_by_file(cluster):
    extra = cluster.manifest.with_name("extra.yaml")
    extra.write_text(
        ALL_KINDS.replace(f"name: {NS}", "name: gone")
        .replace(f"namespace: {NS}", "namespace: gone")
        .replace("kinds-", "gone-")
    )
    cluster.kubectl("apply", "-f", str(extra))
    deleted = cluster.kubectl("delete", "-f", str(extra), "--timeout=30s").stdout.splitlines()
    assert len(deleted) == len(KINDS) and all(" deleted" in line for line in deleted)
    missing = cluster.kubectl("get", "-f", str(extra), "--ignore-not-found", "-o", "name")
    assert missing.stdout == ""
    assert cluster.server.get("v1", "Node", "gone-node") is None

"""The namespace backend against the fake API server: every object with its spec and labels,
tokens requested with an expiry, idempotent re-runs, foreign namespaces left alone, teardown of
exactly the course's objects, and the CLI doors (class up/down, up/down, ls, check)."""

from __future__ import annotations

import json
import stat
import time
from pathlib import Path

import pytest
import yaml

from coursecore.home import kubeconfig_path
from kubecourse.cli.main import run
from sandbox import state
from sandbox.namespace import objects, records, room
from sandbox.namespace.settings import NamespaceSettings

LABS = Path(__file__).resolve().parents[2] / "labs"
NAMESPACED = [
    ("v1", "ServiceAccount", "learner"),
    ("rbac.authorization.k8s.io/v1", "Role", "kubecourse-learner"),
    ("rbac.authorization.k8s.io/v1", "RoleBinding", "kubecourse-learner"),
    ("rbac.authorization.k8s.io/v1", "Role", "argo-executor"),
    ("rbac.authorization.k8s.io/v1", "RoleBinding", "argo-executor-default"),
    ("v1", "ResourceQuota", "kubecourse-quota"),
    ("v1", "LimitRange", "kubecourse-limits"),
    ("networking.k8s.io/v1", "NetworkPolicy", "kubecourse-same-namespace-only"),
]


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECOURSE_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def roster(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("name\nAlice\nbob\ncarol\n")
    return path


def strip(obj):
    return {k: v for k, v in obj.items() if k not in ("metadata", "status")}


def test_class_up_creates_every_object_as_specified(fake_kube, home, roster, tmp_path):
    settings = NamespaceSettings(quota_cpu="3", token_ttl=3600, course="spring")
    out = tmp_path / "handout"
    report = room.class_up(roster, output=out, kubeconfig=fake_kube.kubeconfig, settings=settings, parallel=2)
    assert report.ok and [(r.name, r.status, r.cluster) for r in report.results] == [
        ("alice", "created", "kc-alice"),
        ("bob", "created", "kc-bob"),
        ("carol", "created", "kc-carol"),
    ]
    server = fake_kube.server
    for name in ("alice", "bob", "carol"):
        expected = {(o["kind"], o["metadata"]["name"]): o for o in objects.learner_objects(name, settings)}
        ns = server.get("v1", "Namespace", f"kc-{name}")
        wanted = expected[("Namespace", f"kc-{name}")]["metadata"]["labels"]
        assert {k: ns["metadata"]["labels"].get(k) for k in wanted} == wanted
        for api_version, kind, obj_name in NAMESPACED:
            found = server.get(api_version, kind, obj_name, f"kc-{name}")
            assert found is not None, (kind, obj_name)
            assert found["metadata"]["labels"] == objects.labels(name, settings)
            assert strip(found) == strip(expected[(kind, obj_name)])
        quota = server.get("v1", "ResourceQuota", "kubecourse-quota", f"kc-{name}")["spec"]["hard"]
        assert quota["requests.cpu"] == "3" and quota["services.nodeports"] == "0"
        # The handed-out kubeconfig: 0600, the fake server, the learner's namespace, a live token.
        handed = out / f"{name}.kubeconfig"
        assert stat.S_IMODE(handed.stat().st_mode) == 0o600
        assert stat.S_IMODE(kubeconfig_path(name).stat().st_mode) == 0o600
        config = yaml.safe_load(handed.read_text())
        assert config["clusters"][0]["cluster"]["server"] == fake_kube.url
        assert config["contexts"][0]["context"]["namespace"] == f"kc-{name}"
        token = config["users"][0]["user"]["token"]
        assert token and token not in server.tokens  # an issued (expiring) token, not the admin's
        saved = state.load(name)
        assert (saved.backend, saved.cluster, saved.phase) == ("namespace", f"kc-{name}", "ready")
        assert records.load(name).course == "spring"
    token_posts = [
        r for r in server.requests if r.method == "POST" and r.path.endswith("/serviceaccounts/learner/token")
    ]
    assert len(token_posts) == 3
    for request in token_posts:
        assert json.loads(request.body)["spec"]["expirationSeconds"] == 3600


def test_learner_token_works_with_kubectl_in_its_namespace(fake_kube, home, roster, tmp_path):
    room.class_up(roster, output=tmp_path / "o", kubeconfig=fake_kube.kubeconfig)
    env = {**fake_kube.env, "KUBECONFIG": str(tmp_path / "o" / "bob.kubeconfig")}
    import subprocess

    from fakekube.fixtures import kubectl_path

    done = subprocess.run(
        [str(kubectl_path()), "get", "roles", "-o", "name"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "role.rbac.authorization.k8s.io/kubecourse-learner" in done.stdout  # the context's namespace is kc-bob
    fake_kube.server.expire_tokens()
    refused = subprocess.run([str(kubectl_path()), "get", "pods"], env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0  # tokens expire; `class up` again hands out fresh ones


def test_rerun_is_idempotent_and_repairs_drift(fake_kube, home, roster, tmp_path):
    room.class_up(roster, output=tmp_path / "o", kubeconfig=fake_kube.kubeconfig)
    server = fake_kube.server
    quota = server.get("v1", "ResourceQuota", "kubecourse-quota", "kc-bob")
    quota["spec"]["hard"]["services.nodeports"] = "5"
    server.update(quota)
    server.delete("networking.k8s.io/v1", "NetworkPolicy", "kubecourse-same-namespace-only", "kc-bob")
    before = {
        k: len(server.objects(*k[:2], namespace=k[2]))
        for k in [("v1", "Namespace", None)] + [(a, k, "kc-bob") for a, k, _ in NAMESPACED]
    }
    again = room.class_up(roster, output=tmp_path / "o", kubeconfig=fake_kube.kubeconfig)
    assert [r.status for r in again.results] == ["reused", "reused", "reused"]
    assert server.get("v1", "ResourceQuota", "kubecourse-quota", "kc-bob")["spec"]["hard"]["services.nodeports"] == "0"
    assert server.get("networking.k8s.io/v1", "NetworkPolicy", "kubecourse-same-namespace-only", "kc-bob")
    after = {k: len(server.objects(*k[:2], namespace=k[2])) for k in before}
    before[("networking.k8s.io/v1", "NetworkPolicy", "kc-bob")] += 1
    assert after == before


def test_foreign_namespace_is_never_taken_over_and_others_carry_on(fake_kube, home, roster, tmp_path):
    fake_kube.server.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kc-bob"}})
    report = room.class_up(roster, output=tmp_path / "o", kubeconfig=fake_kube.kubeconfig)
    assert [r.status for r in report.results] == ["created", "failed", "created"]
    assert "refusing to take it over" in report.results[1].error and report.results[1].cluster == "kc-bob"
    assert fake_kube.server.get("v1", "ServiceAccount", "learner", "kc-bob") is None
    assert state.load("bob") is None
    # another course's learner of the same name is foreign too
    other = room.class_up(
        roster, output=tmp_path / "o", kubeconfig=fake_kube.kubeconfig, settings=NamespaceSettings(course="autumn")
    )
    assert [r.status for r in other.results] == ["failed", "failed", "failed"]


def test_class_down_removes_exactly_the_course_objects(fake_kube, home, roster, tmp_path):
    server = fake_kube.server
    server.namespace_grace = 0.05
    server.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kc-dave"}})  # not ours
    server.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "research"}})
    rbac = "rbac.authorization.k8s.io/v1"
    unlabelled = {"apiVersion": rbac, "kind": "ClusterRole", "metadata": {"name": "kubecourse:kc-dave"}}
    server.create(unlabelled)  # named like ours, but not ours
    room.class_up(roster, output=tmp_path / "o", kubeconfig=fake_kube.kubeconfig)
    assert server.get(rbac, "ClusterRoleBinding", "kubecourse:kc-bob")
    report = room.class_down(roster, output=tmp_path / "o", kubeconfig=fake_kube.kubeconfig)
    assert report.ok and [r.status for r in report.results] == ["deleted"] * 3
    time.sleep(0.3)
    names = sorted(o["metadata"]["name"] for o in server.objects("v1", "Namespace"))
    assert "kc-alice" not in names and "kc-dave" in names and "research" in names
    assert server.objects("v1", "ServiceAccount", namespace="kc-bob") == []
    # the cluster-scoped reader of each learner goes too (a namespace's deletion does not take it)
    assert [o["metadata"]["name"] for o in server.objects(rbac, "ClusterRole") if "kc-" in o["metadata"]["name"]] == [
        "kubecourse:kc-dave"
    ]
    assert not [o for o in server.objects(rbac, "ClusterRoleBinding") if "kc-" in o["metadata"]["name"]]
    assert state.names() == [] and list((tmp_path / "o").iterdir()) == []
    assert room.class_down(roster, kubeconfig=fake_kube.kubeconfig).ok  # again: nothing left, still fine


def test_failed_provisioning_leaves_nothing(fake_kube, home, monkeypatch):
    from coursecore.errors import ApiRefused
    from sandbox.namespace import api

    def refuse(self, namespace, account, seconds):
        raise ApiRefused("token refused", status=500)

    monkeypatch.setattr(api.Cluster, "request_token", refuse)
    fake_kube.server.namespace_grace = 0.05
    with room.Session(fake_kube.kubeconfig, None, NamespaceSettings()) as session:
        with pytest.raises(Exception, match="token refused"):
            session.up("zed")
    time.sleep(0.3)
    assert fake_kube.server.get("v1", "Namespace", "kc-zed") is None and state.load("zed") is None


def test_cli_class_up_ls_down(fake_kind, fake_kube, roster, tmp_path, capsys):
    args = ["--backend", "namespace", "--roster", str(roster), "--kubeconfig", str(fake_kube.kubeconfig)]
    with pytest.raises(SystemExit) as done:
        run(["class", "up", *args, "-o", str(tmp_path / "o"), "--json"])
    assert done.value.code == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["counts"] == {"created": 3}
    with pytest.raises(SystemExit) as done:
        run(["ls", "--json"])
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["alice"]["backend"] == "namespace" and rows["alice"]["status"] == "running"
    assert rows["alice"]["cluster"] == "kc-alice"
    with pytest.raises(SystemExit) as done:
        run(["class", "down", *args, "--json"])
    assert done.value.code == 0 and json.loads(capsys.readouterr().out)["counts"] == {"deleted": 3}


def test_cli_up_and_down_one_learner(fake_kube, home, capsys):
    with pytest.raises(SystemExit) as done:
        run(["up", "--backend", "namespace", "--name", "solo", "--kubeconfig", str(fake_kube.kubeconfig), "--json"])
    assert done.value.code == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["namespace"] == "kc-solo" and shown["created_now"] is True
    with pytest.raises(SystemExit) as done:
        run(["down", "--name", "solo"])
    assert done.value.code == 0 and "kc-solo" in capsys.readouterr().out
    assert state.load("solo") is None


def test_cli_bad_settings_is_a_usage_error(fake_kube, home, roster, tmp_path, capsys):
    bad = tmp_path / "ns.yaml"
    bad.write_text("quota_cpu: lots\n")
    with pytest.raises(SystemExit) as done:
        run(
            [
                "class",
                "up",
                "--backend",
                "namespace",
                "--roster",
                str(roster),
                "--settings",
                str(bad),
                "--kubeconfig",
                str(fake_kube.kubeconfig),
            ]
        )
    assert done.value.code == 2
    assert "not a Kubernetes quantity" in capsys.readouterr().err


def _solution_pod(namespace: str) -> dict:
    pod = yaml.safe_load((LABS / "first-pod" / "solution" / "pod.yaml").read_text())
    pod["metadata"]["namespace"] = namespace  # as `kubectl apply` in the learner's context puts it
    return pod


def _ran(server, namespace):
    server.patch_status(
        "v1",
        "Pod",
        "hello",
        {
            "phase": "Succeeded",
            "startTime": "2026-11-28T10:00:01Z",
            "containerStatuses": [
                {
                    "name": "hello",
                    "image": "busybox:1.36",
                    "ready": False,
                    "restartCount": 0,
                    "state": {"terminated": {"exitCode": 0, "reason": "Completed"}},
                }
            ],
        },
        namespace=namespace,
    )


def test_live_grading_reads_each_learners_namespace_as_the_lab_namespace(fake_kube, home, roster, tmp_path, capsys):
    room.class_up(roster, output=tmp_path / "o", kubeconfig=fake_kube.kubeconfig)
    server = fake_kube.server
    server.create(_solution_pod("kc-alice"))
    _ran(server, "kc-alice")
    server.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "first-pod"}})
    server.create(_solution_pod("first-pod"))  # someone else's work in the lab's own namespace
    _ran(server, "first-pod")
    with pytest.raises(SystemExit) as done:
        run(["check", "first-pod", "--name", "alice", "--json"])
    alice = json.loads(capsys.readouterr().out)
    assert done.value.code == 0 and alice["score"] == alice["max_score"]
    with pytest.raises(SystemExit) as done:
        run(["check", "first-pod", "--name", "bob", "--json"])
    bob = json.loads(capsys.readouterr().out)
    assert done.value.code == 1 and bob["score"] == 0  # bob made nothing; alice's pod is not his
    # The learner's own token, told their namespace, grades the same.
    with pytest.raises(SystemExit) as done:
        run(
            [
                "check",
                "first-pod",
                "--kubeconfig",
                str(tmp_path / "o" / "alice.kubeconfig"),
                "--namespace",
                "kc-alice",
                "--json",
            ]
        )
    assert done.value.code == 0 and json.loads(capsys.readouterr().out)["score"] == alice["score"]


def test_unreachable_cluster_is_one_error_exit_3(fake_kube, home, roster, tmp_path, capsys):
    fake_kube.server.stop()
    with pytest.raises(SystemExit) as done:
        run(
            [
                "class",
                "up",
                "--backend",
                "namespace",
                "--roster",
                str(roster),
                "--kubeconfig",
                str(fake_kube.kubeconfig),
                "-o",
                str(tmp_path / "o"),
            ]
        )
    assert done.value.code == 3
    assert "cannot reach the cluster" in capsys.readouterr().err
    assert state.names() == []


def test_kind_up_refuses_a_namespace_sandbox(fake_kube, home, capsys):
    with room.Session(fake_kube.kubeconfig, None, NamespaceSettings()) as session:
        session.up("mixed")
    with pytest.raises(SystemExit) as done:
        run(["up", "--name", "mixed"])
    assert done.value.code == 2 and "namespace on a shared cluster" in capsys.readouterr().err
    assert state.load("mixed").backend == "namespace"


WORKFLOW_CRD = {
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


def test_class_up_checks_the_labs_cluster_wide_addons_first_and_copies_its_data(
    fake_kind, fake_kube, roster, tmp_path, capsys
):
    from fakekind.controllers import Controllers

    args = [
        "class",
        "up",
        "--backend",
        "namespace",
        "--roster",
        str(roster),
        "--kubeconfig",
        str(fake_kube.kubeconfig),
        "-o",
        str(tmp_path / "o"),
        "--lab",
        "argo-salmon",
    ]
    with pytest.raises(SystemExit) as done:
        run(args)
    assert done.value.code == 3
    assert "argo-workflows (no CRD workflows.argoproj.io)" in capsys.readouterr().err
    assert fake_kube.server.get("v1", "Namespace", "kc-alice") is None  # nothing made before the check
    fake_kube.server.create(WORKFLOW_CRD)
    with pytest.raises(SystemExit) as done:  # Argo is there, but its executor states no resources
        run(args)
    assert done.value.code == 3
    err = capsys.readouterr().err
    assert "executor" in err and "kubectl -n argo patch configmap workflow-controller-configmap" in err
    assert fake_kube.server.get("v1", "Namespace", "kc-alice") is None
    fake_kube.server.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "argo"}})
    fake_kube.server.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "workflow-controller-configmap", "namespace": "argo"},
            "data": {
                "executor": "resources:\n  requests: {cpu: 10m, memory: 64Mi}\n  limits: {cpu: 100m, memory: 128Mi}\n"
            },
        }
    )
    controllers = Controllers(fake_kube.server).start()  # completes the data-copy Jobs
    try:
        with pytest.raises(SystemExit) as done:
            run(args)
    finally:
        controllers.stop()
    assert done.value.code == 0, capsys.readouterr().err
    for name in ("alice", "bob", "carol"):  # the lab's claim, in each learner's namespace
        assert fake_kube.server.get("v1", "PersistentVolumeClaim", "salmon-data", f"kc-{name}")
        assert fake_kube.server.objects("batch/v1", "Job", namespace=f"kc-{name}")
    assert state.load("alice").lab == "argo-salmon"
    assert fake_kube.server.get("rbac.authorization.k8s.io/v1", "Role", "argo-executor", "kc-alice")


def test_reaper_deletes_expired_namespaces_through_their_cluster(fake_kind, fake_kube, roster, tmp_path):
    from sandbox import inventory

    fake_kube.server.namespace_grace = 0.05
    room.class_up(roster, output=tmp_path / "o", kubeconfig=fake_kube.kubeconfig, ttl=600)
    assert {r.status for r in inventory.list_sandboxes()} == {"running"}
    assert inventory.reap() == []  # not expired yet
    reaped = inventory.reap(now=time.time() + 601)
    assert sorted((r.name, r.cluster, r.reason) for r in reaped) == [
        ("alice", "kc-alice", "expired"),
        ("bob", "kc-bob", "expired"),
        ("carol", "kc-carol", "expired"),
    ]
    time.sleep(0.3)
    assert fake_kube.server.get("v1", "Namespace", "kc-bob") is None and state.names() == []


def test_start_refuses_a_namespace_sandbox(fake_kube, home, capsys):
    with room.Session(fake_kube.kubeconfig, None, NamespaceSettings()) as session:
        session.up("shared")
    with pytest.raises(SystemExit) as done:
        run(["start", "first-pod", "--name", "shared"])
    assert done.value.code == 2 and "prepared by the instructor" in capsys.readouterr().err


def test_class_up_refuses_a_lab_the_namespace_backend_cannot_run(fake_kube, home, roster, tmp_path):
    from coursecore.errors import UsageError

    with pytest.raises(UsageError, match="lab job-queues cannot be done on the namespace backend: .*cluster-scoped"):
        room.class_up(roster, output=tmp_path / "o", kubeconfig=fake_kube.kubeconfig, lab="job-queues")
    assert not [n for n in fake_kube.server.objects("v1", "Namespace") if n["metadata"]["name"].startswith("kc-")]

"""``kubecourse rehearse`` against the fakes: every lab of the course, end to end, through the
same code as on a real host (up, start, the notebook's kubectl commands, check, down).

What the fakes stand in for: the fake kind and engine (tests/fakekind), the fake API server
(tests/fakekube), add-on manifests served from 127.0.0.1 (Argo's and Kueue's CRDs and
controller Deployments, Kueue's admission webhooks, unpinned, so the add-on lock records them on
first download), and the
controllers of a real cluster replaying what they wrote for each lab's reference solution
(tests/fakekind/replay.py, from labs/*/tests/snapshots/solution.yaml).
"""

from __future__ import annotations

import json

import pytest
import yaml
from fakekind.httpserver import FileServer
from fakekube.manifests import KUEUE_SELECTOR, kueue_webhooks, workflow_crd
from fakekube.resources import ResourceType

from coursecore import labs
from kubecourse import rehearsal
from kubecourse.cli.main import run
from sandbox import state


def _deployment(name: str, namespace: str, image: str, labels: dict | None = None) -> dict:
    labels = {"app": name, **(labels or {})}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": name, "image": image}]},
            },
        },
    }


ARGO = yaml.safe_dump_all(
    [
        workflow_crd(),
        _deployment("workflow-controller", "argo", "quay.io/argoproj/workflow-controller:v3.7.3"),
        _deployment("argo-server", "argo", "quay.io/argoproj/argocli:v3.7.3"),
    ]
).encode()


@pytest.fixture
def course(fake_kind, fake_kube):
    server = fake_kube.server
    if server.registry.by_kind("discovery.k8s.io/v1", "EndpointSlice") is None:
        server.registry.add(
            [
                ResourceType(
                    group="discovery.k8s.io",
                    version="v1",
                    kind="EndpointSlice",
                    plural="endpointslices",
                    namespaced=True,
                )
            ]
        )
    root = labs.labs_root()
    kueue = (
        (root / "job-queues" / "tests" / "crds" / "kueue.yaml").read_bytes()
        + b"\n---\n"
        + yaml.safe_dump_all(
            [
                _deployment(
                    "kueue-controller-manager", "kueue-system", "registry.k8s.io/kueue/kueue:v0.17.1", KUEUE_SELECTOR
                ),
                *kueue_webhooks(),
            ]
        ).encode()
    )
    fake_kind.play_controllers(replay_labs=root)
    with FileServer({"/argo/install.yaml": ARGO, "/kueue/manifests.yaml": kueue}) as files:
        fake_kind.kubecourse_home.mkdir(parents=True, exist_ok=True)
        (fake_kind.kubecourse_home / "addons.yaml").write_text(
            f"argo-workflows: {{url: '{files.url('/argo/install.yaml')}'}}\n"
            f"kueue: {{url: '{files.url('/kueue/manifests.yaml')}'}}\n"
        )
        yield fake_kind, files


def test_rehearse_all_passes_and_leaves_nothing(course, capsys):
    fake_kind, _ = course
    with pytest.raises(SystemExit) as info:
        run(["rehearse", "--all", "--json"])
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    failures = {r["lab"]: r["error"] for r in report["labs"] if not r["passed"]}
    assert info.value.code == 0 and report["passed"], (failures, captured.err[-4000:])
    assert [r["lab"] for r in report["labs"]] == [lab.id for lab in labs.discover()]
    for r in report["labs"]:
        assert [p["phase"] for p in r["phases"]][:3] == ["create", "start", "starter"]
        assert {"apply", "converge", "check"} <= {p["phase"] for p in r["phases"]}
        assert r["phases"][-1]["phase"] == "delete" and all(p["ok"] for p in r["phases"])
        assert r["starter_score"] == 0 and r["score"] == r["max_score"] > 0
    assert fake_kind.clusters() == [] and state.names() == []
    assert "pinned add-on argo-workflows" in captured.err and "pinned add-on kueue" in captured.err
    assert "Traceback" not in captured.err


def test_a_broken_reference_solution_fails_its_lab_and_still_cleans_up(course, capsys, tmp_path, monkeypatch):
    fake_kind, _ = course
    root = tmp_path / "labs"
    import shutil

    shutil.copytree(labs.labs_root() / "first-pod", root / "first-pod")
    (root / "course.yaml").write_text("order: [first-pod]\n")
    # A "solution" that forgot the label: it converges, but does not earn full marks.
    pod = (root / "first-pod" / "solution" / "pod.yaml").read_text().replace("app: hello", "app: hola")
    (root / "first-pod" / "solution" / "pod.yaml").write_text(pod)
    monkeypatch.setenv("KUBECOURSE_LABS", str(root))
    with pytest.raises(SystemExit) as info:
        run(["rehearse", "first-pod"])
    captured = capsys.readouterr()
    assert info.value.code == 1 and "FAIL" in captured.out and "first-pod:" in captured.out
    assert "Traceback" not in captured.err
    assert fake_kind.clusters() == []


def test_keep_leaves_the_sandbox_and_a_second_rehearsal_replaces_it(course, capsys):
    fake_kind, _ = course
    result = rehearsal.rehearse(["first-pod"], keep=True)
    assert result.passed and result.labs[0].kept
    assert fake_kind.clusters() == ["kubecourse-rehearse-first-pod"]
    again = rehearsal.rehearse(["first-pod"])
    assert again.passed and fake_kind.clusters() == []


@pytest.mark.parametrize(
    "argv, words",
    [
        (["rehearse"], "give lab ids or --all"),
        (["rehearse", "first-pod", "--all"], "give lab ids or --all"),
        (["rehearse", "no-such-lab"], "unknown lab"),
    ],
)
def test_bad_usage_is_exit_2(fake_kind, capsys, argv, words):
    with pytest.raises(SystemExit) as info:
        run(argv)
    assert info.value.code == 2 and words in capsys.readouterr().err
    assert fake_kind.invocations("create") == []


def test_sandbox_names_fit_kind(fake_kind):
    assert rehearsal.sandbox_name("first-pod") == "rehearse-first-pod"
    long = rehearsal.sandbox_name("a" * 40)
    assert len(long) <= 39 and long.startswith("rehearse-")
    assert rehearsal.sandbox_name("a" * 40) != rehearsal.sandbox_name("a" * 39 + "b")


def test_without_kind_it_says_so_once(fake_kind, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(fake_kind.home))  # a folder without kind
    with pytest.raises(SystemExit) as info:
        run(["rehearse", "--all"])
    err = capsys.readouterr().err
    assert info.value.code == 3 and err.count("kind is not installed") == 1 and "Traceback" not in err


@pytest.mark.parametrize("proxy_delay", [0.0, 3.0])
def test_start_waits_until_kueues_webhook_can_be_called(course, capsys, proxy_delay):
    """Kueue's webhooks (every Job, Pod and Deployment outside kube-system, every queue object)
    fail with "no endpoints available for service" until the webhook Service has a ready
    endpoint, which can come after the manager's Deployment is Available: the learner's first
    `kubectl apply` right after `start` must not meet that (Kueue v0.17.1 cmd/kueue/main.go
    makes the manager ready once its certificates and webhook server are up;
    tests/fakekube/webhooks.py fails calls as kube-apiserver does)."""
    fake_kind, _ = course
    fake_kind.controllers.endpoint_delay = 3.0
    # and, in the second case, kube-proxy routes the ClusterIP 3 s after the endpoint appears
    # (calls are refused meanwhile), which only a probing write can see
    fake_kind.controllers.proxy_delay = proxy_delay
    with pytest.raises(SystemExit) as info:
        run(["rehearse", "job-queues", "--json"])
    captured = capsys.readouterr()
    (report,) = json.loads(captured.out)["labs"]
    assert info.value.code == 0 and report["passed"], (report["error"], captured.err[-3000:])
    assert "no endpoints available" not in captured.err and "connection refused" not in captured.err
    assert "add-on kueue: waiting until its webhooks answer" in captured.err
    assert "waiting for webhook service kueue-system/kueue-webhook-service to have a ready endpoint" in captured.err

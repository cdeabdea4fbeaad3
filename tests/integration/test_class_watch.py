"""``kubecourse class watch``: the room read from the cluster with the instructor's credentials.

Namespace-backend learners on the fake API server (real RBAC, real list requests), learners who
have not started, a kind learner through the fake kind, and the promise that a round only reads.
"""

from __future__ import annotations

import json

import pytest
import yaml

from coursecore import labs
from kubecourse.class_watch import Room, Seat, seats
from kubecourse.cli.main import run
from sandbox.namespace import room

RAN = {
    "phase": "Succeeded",
    "containerStatuses": [
        {
            "name": "hello",
            "image": "busybox:1.36",
            "ready": False,
            "restartCount": 0,
            "state": {"terminated": {"exitCode": 0}},
        }
    ],
}


@pytest.fixture
def classroom(fake_kube, tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECOURSE_HOME", str(tmp_path / "home"))
    roster = tmp_path / "roster.csv"
    roster.write_text("name\nalice\nbob\ncarol\n")
    room.class_up(roster, output=tmp_path / "o", kubeconfig=fake_kube.kubeconfig)
    pod = yaml.safe_load((labs.find("first-pod").path / "solution" / "pod.yaml").read_text())
    pod["metadata"]["namespace"] = "kc-alice"
    fake_kube.server.create(pod)
    fake_kube.server.patch_status("v1", "Pod", "hello", RAN, namespace="kc-alice")
    fake_kube.server.namespace_grace = 0
    fake_kube.server.delete("v1", "Namespace", "kc-carol")  # carol's namespace is gone
    return roster


def test_one_round_shows_each_learner_and_the_counts(fake_kube, classroom):
    fake_kube.server.clear_requests()
    view = Room("first-pod", seats(["alice", "bob", "carol", "dave"])).round()
    rows = {r.name: r for r in view.learners}
    assert rows["alice"].presence == "working" and rows["alice"].score == rows["alice"].max_score > 0
    assert set(rows["alice"].checks.values()) == {"passed"}
    assert rows["bob"].presence == "working" and rows["bob"].score == 0 and "passed" not in rows["bob"].checks.values()
    assert rows["carol"].presence == "not-started" and "kc-carol" in rows["carol"].note
    assert rows["dave"].presence == "not-started" and rows["dave"].note == "no sandbox yet"
    assert [r.name for r in view.learners] == ["alice", "bob", "carol", "dave"]  # roster order
    assert view.passing("pod-exists") == 1
    # read only, and a handful of list requests whatever the class size
    methods = {r.method for r in fake_kube.server.requests}
    assert methods == {"GET"}
    assert len([r for r in fake_kube.server.requests if "/pods" in r.path]) == 1


def test_changes_are_stamped_between_rounds(fake_kube, classroom):
    watch = Room("first-pod", seats(["alice", "bob"]))
    first = {r.name: r for r in watch.round().learners}
    assert first["bob"].changed_at is None  # nothing seen changing yet
    pod = yaml.safe_load((labs.find("first-pod").path / "solution" / "pod.yaml").read_text())
    pod["metadata"]["namespace"] = "kc-bob"
    fake_kube.server.create(pod)
    second = {r.name: r for r in watch.round().learners}
    assert second["bob"].changed_at is not None and second["bob"].score > 0
    assert second["alice"].changed_at is None


def test_cli_once_json_and_table(fake_kube, classroom, capsys):
    with pytest.raises(SystemExit) as done:
        run(["class", "watch", "first-pod", "--roster", str(classroom), "--once", "--json"])
    assert done.value.code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["lab"] == "first-pod" and [r["name"] for r in data["learners"]] == ["alice", "bob", "carol"]
    assert {c["id"]: c["passing"] for c in data["checks"]}["pod-exists"] == 1
    with pytest.raises(SystemExit) as done:
        run(["class", "watch", "first-pod", "--roster", str(classroom), "--once"])
    text = capsys.readouterr().out
    assert "3 learners, 2 working, 1 not started" in text and "1/3" in text and "alice" in text


def test_an_unreachable_cluster_is_a_row_state_not_a_crash(fake_kube, classroom):
    watch = Room("first-pod", seats(["alice"]))
    fake_kube.server.expire_tokens()  # the instructor's credentials stop working
    view = watch.round()
    assert view.learners[0].presence == "unreachable" and "401" in view.learners[0].note


def test_kind_learners_are_read_from_their_own_clusters(fake_kind, fake_kube, tmp_path):
    with pytest.raises(SystemExit) as done:
        run(["up", "--name", "kira"])
    assert done.value.code == 0
    pod = yaml.safe_load((labs.find("first-pod").path / "solution" / "pod.yaml").read_text())
    pod["metadata"]["namespace"] = "first-pod"  # as kubectl apply -n first-pod makes it
    fake_kube.server.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "first-pod"}})
    fake_kube.server.create(pod)
    fake_kube.server.patch_status("v1", "Pod", "hello", RAN, namespace="first-pod")
    found = seats(None)
    assert found == [Seat(name="kira", backend="kind", kubeconfig=found[0].kubeconfig)]
    view = Room("first-pod", found).round()
    assert view.learners[0].presence == "working" and view.learners[0].score == view.learners[0].max_score


def test_a_lab_name_that_is_not_a_lab_is_refused(classroom, capsys):
    with pytest.raises(SystemExit) as done:
        run(["class", "watch", "no-such-lab", "--once"])
    assert done.value.code == 2 and "unknown lab" in capsys.readouterr().err

"""``class up / down`` with the fake kind: bounded parallelism, failures carried past,
handed-out kubeconfigs, capacity refusal."""

import json
import stat
import threading

import pytest

from kubecourse.cli.main import run
from sandbox import classroom, lifecycle, state
from sandbox.errors import CapacityExceeded


@pytest.fixture
def roster(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("name,email\nAlice,a@x\nbob,b@x\ncarol,c@x\ndave,d@x\nEve,e@x\n")
    return path


def test_class_up_with_some_failures_continues_and_reports(fake_kind, roster, tmp_path):
    fake_kind.fail_at("create@kubecourse-bob")
    fake_kind.fail_at("create@kubecourse-eve")
    out = tmp_path / "handout"
    report = classroom.class_up(roster, output=out, parallel=2, capacity=100)
    assert [(r.name, r.status) for r in report.results] == [
        ("alice", "created"),
        ("bob", "failed"),
        ("carol", "created"),
        ("dave", "created"),
        ("eve", "failed"),
    ]
    assert not report.ok and report.counts() == {"created": 3, "failed": 2}
    bob = report.results[1]
    assert "failed to init node with kubeadm" in bob.error and bob.kubeconfig is None
    assert fake_kind.clusters() == ["kubecourse-alice", "kubecourse-carol", "kubecourse-dave"]
    assert sorted(p.name for p in out.iterdir()) == ["alice.kubeconfig", "carol.kubeconfig", "dave.kubeconfig"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    for path in out.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert "kind-kubecourse-" + path.stem in path.read_text()
    assert state.names() == ["alice", "carol", "dave"]  # nothing left of bob and eve

    fake_kind.clear_failures()
    again = classroom.class_up(roster, output=out, parallel=2, capacity=100)
    assert [r.status for r in again.results] == ["reused", "created", "reused", "reused", "created"]
    assert again.ok


def test_parallelism_is_bounded(fake_kind, roster, tmp_path, monkeypatch):
    running, peak, lock = [0], [0], threading.Lock()
    real_up = lifecycle.up

    def counting_up(*args, **kwargs):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            return real_up(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(lifecycle, "up", counting_up)
    fake_kind.sleep_at("create", 0.3)
    report = classroom.class_up(roster, output=tmp_path / "o", parallel=2, capacity=100)
    assert report.ok and peak[0] == 2


def test_capacity_refusal_and_force(fake_kind, roster, tmp_path):
    with pytest.raises(CapacityExceeded) as info:
        classroom.class_up(roster, output=tmp_path / "o", capacity=3)
    assert "needs 5 more one-node sandboxes" in info.value.message and "--force" in info.value.hint
    assert info.value.exit_code == 2
    assert fake_kind.invocations("create") == []
    with pytest.raises(CapacityExceeded, match="needs 10"):
        classroom.class_up(roster, output=tmp_path / "o", capacity=9, nodes=2)
    assert classroom.class_up(roster, output=tmp_path / "o", capacity=3, force=True).ok


def test_existing_sandboxes_do_not_count_against_capacity(fake_kind, roster, tmp_path):
    lifecycle.up("alice")
    lifecycle.up("bob")
    assert classroom.class_up(roster, output=tmp_path / "o", capacity=3).ok


def test_class_down(fake_kind, roster, tmp_path):
    out = tmp_path / "o"
    classroom.class_up(roster, output=out, capacity=100)
    lifecycle.up("zed")  # not on the roster: stays
    report = classroom.class_down(roster, output=out)
    assert report.ok and {r.status for r in report.results} == {"deleted"}
    assert fake_kind.clusters() == ["kubecourse-zed"]
    assert list(out.iterdir()) == []


def test_cli_class_up_json_exit_1_and_capacity_from_preflight(fake_kind, roster, tmp_path, capsys):
    fake_kind.fail_at("create@kubecourse-carol")
    with pytest.raises(SystemExit) as info:
        run(
            [
                "class",
                "up",
                "--roster",
                str(roster),
                "--output",
                str(tmp_path / "o"),
                "--parallel",
                "3",
                "--json",
                "--force",
            ]
        )  # --force: capacity depends on this machine's free memory
    assert info.value.code == 1
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["counts"] == {"created": 4, "failed": 1} and data["parallel"] == 3
    assert "carol" in captured.err  # the live display's finished line

    big = tmp_path / "big.csv"
    big.write_text("name\n" + "\n".join(f"learner{i}" for i in range(500)) + "\n")
    with pytest.raises(SystemExit) as info:
        run(["class", "up", "--roster", str(big), "--output", str(tmp_path / "o")])
    assert info.value.code == 2
    assert "needs 500 more one-node sandboxes" in " ".join(capsys.readouterr().err.split())

    with pytest.raises(SystemExit) as info:
        run(["class", "down", "--roster", str(roster)])
    assert info.value.code == 0
    assert "class down: 5 deleted" in capsys.readouterr().out
    assert fake_kind.clusters() == []


def test_cli_bad_roster_is_exit_2(fake_kind, tmp_path, capsys):
    path = tmp_path / "r.csv"
    path.write_text("email\nx\n")
    with pytest.raises(SystemExit) as info:
        run(["class", "up", "--roster", str(path)])
    assert info.value.code == 2
    assert "no 'name' column" in capsys.readouterr().err

"""``kubecourse up / ls / down`` end to end through the CLI, with the fake kind and API server."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coursecore import home
from kubecourse.cli.main import run
from sandbox import kind, state


def cli(capsys, *argv):
    with pytest.raises(SystemExit) as info:
        run(list(argv))
    captured = capsys.readouterr()
    # rich wraps stderr at the terminal width; compare words, not line breaks
    return info.value.code, captured.out, " ".join(captured.err.split())


def test_up_prints_the_export_line_and_reuses(fake_kind, capsys):
    code, out, err = cli(capsys, "up", "--name", "alice", "--ttl", "2h")
    assert code == 0
    path = fake_kind.kubecourse_home / "sandboxes" / "alice" / "kubeconfig"
    assert out == f"export KUBECONFIG={path}\n"
    assert "created" in err and "next:" in err
    code, out, err = cli(capsys, "up", "--name", "alice")
    assert code == 0 and "reused" in err
    assert len(fake_kind.invocations("create")) == 1


def test_up_defaults_to_the_login_name(fake_kind, capsys, monkeypatch):
    monkeypatch.setenv("LOGNAME", "Jane.Doe")
    monkeypatch.setenv("USER", "Jane.Doe")
    code, out, _ = cli(capsys, "up", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["cluster"] == "kubecourse-jane-doe" and data["phase"] == "ready"
    assert fake_kind.clusters() == ["kubecourse-jane-doe"]


@pytest.mark.parametrize(
    "argv, text",
    [
        (["up", "--name", "Bad_Name"], "invalid sandbox name 'Bad_Name'"),
        (["up", "--name", "x" * 40], "at most 39"),
        (["up", "--name", "a", "--ttl", "forever"], "invalid duration"),
        (["down", "--all", "--expired"], "give only one of"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(fake_kind, capsys, argv, text):
    code, out, err = cli(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and text in err
    assert "Traceback" not in err
    assert fake_kind.invocations("create") == []


def test_nodes_out_of_range_is_a_usage_error(fake_kind, capsys):
    code, _, err = cli(capsys, "up", "--name", "a", "--nodes", "9")
    assert code == 2 and "--nodes" in err and "8" in err


def test_kind_missing_exits_3_with_an_install_hint(fake_kind, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(fake_kind.home))
    code, _, err = cli(capsys, "up", "--name", "alice")
    assert code == 3
    assert "kind is not installed" in err and "kind.sigs.k8s.io" in err


def test_kind_failure_exits_3_with_kinds_message_and_leaves_nothing(fake_kind, capsys):
    fake_kind.fail_at("create")
    code, out, err = cli(capsys, "up", "--name", "alice")
    assert code == 3 and out == ""
    assert "failed to init node with kubeadm" in err and "nothing was left behind" in err
    assert fake_kind.clusters() == [] and state.names() == []


def test_broken_sandbox_exit_3_offers_recreate(fake_kind, capsys):
    cli(capsys, "up", "--name", "alice")
    kind.delete_cluster("kubecourse-alice", kubeconfig=home.kubeconfig_path("alice"))
    code, _, err = cli(capsys, "up", "--name", "alice")
    assert code == 3 and "broken" in err and "--recreate" in err
    code, _, _ = cli(capsys, "up", "--name", "alice", "--recreate")
    assert code == 0


def test_ls_reconciles_state_with_kind(fake_kind, capsys, tmp_path):
    for name in ("alice", "bob", "carol"):
        assert cli(capsys, "up", "--name", name, "--ttl", "1h")[0] == 0
    old = state.load("bob")
    state.update(old, created=old.created - 7200)  # bob's TTL passed an hour ago
    kind.delete_cluster("kubecourse-carol", kubeconfig=tmp_path / "k")  # carol's cluster vanished
    subprocess.run(
        ["kind", "create", "cluster", "--name", "kubecourse-dave"],
        check=True,
        capture_output=True,
        env={**os.environ, "KUBECONFIG": str(tmp_path / "k")},
    )
    code, out, _ = cli(capsys, "ls", "--json")
    assert code == 0
    rows = {r["name"]: r for r in json.loads(out)}
    assert {n: r["status"] for n, r in rows.items()} == {
        "alice": "running",
        "bob": "expired",
        "carol": "missing",
        "dave": "foreign",
    }
    assert rows["alice"]["ttl_seconds"] == 3600 and rows["alice"]["backend"] == "kind"
    code, out, err = cli(capsys, "ls")
    assert "foreign" in out and "kubecourse down --expired" in err
    (home.sandbox_dir("alice") / state.STATE_FILE).write_text("{garbage")
    code, out, _ = cli(capsys, "ls", "--json")
    assert {r["name"]: r["status"] for r in json.loads(out)}["alice"] == "unreadable"
    cli(capsys, "down", "--name", "alice")
    cli(capsys, "up", "--name", "alice")

    code, out, _ = cli(capsys, "down", "--expired", "--json")
    assert code == 0
    assert {r["name"]: r["reason"] for r in json.loads(out)} == {"bob": "expired", "carol": "missing"}
    assert fake_kind.clusters() == ["kubecourse-alice", "kubecourse-dave"]  # dave is not ours
    assert state.names() == ["alice"]


def test_down_and_down_all(fake_kind, capsys):
    for name in ("alice", "bob"):
        cli(capsys, "up", "--name", name)
    code, out, _ = cli(capsys, "down", "--name", "alice")
    assert code == 0 and "deleted alice" in out
    code, out, _ = cli(capsys, "down", "--name", "alice")
    assert code == 0
    code, out, _ = cli(capsys, "down", "--all")
    assert "deleted bob" in out
    assert fake_kind.clusters() == [] and state.names() == []
    code, out, _ = cli(capsys, "ls")
    assert "0 sandboxes" in out


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_kill_during_creation_exits_130_and_leaves_nothing(fake_kind, sig):
    fake_kind.hang_at("create")
    # Started as a terminal starts it: a suite run in the background (`make test &`, a CI step)
    # hands its children SIGINT ignored, and Python then keeps ignoring it (its documented rule).
    with_default_sigint = (
        "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])"
    )
    kubecourse = str(Path(sys.executable).parent / "kubecourse")
    proc = subprocess.Popen(
        [sys.executable, "-c", with_default_sigint, kubecourse, "up", "--name", "alice"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while fake_kind.clusters() != ["kubecourse-alice"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert fake_kind.clusters() == ["kubecourse-alice"], "the fake never made the cluster"
    proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError(f"{sig.name} did not stop kubecourse up within 60 s") from None
    assert proc.returncode == 130, err
    assert "cleaning up" in err
    assert fake_kind.clusters() == [] and state.names() == []
    assert not (fake_kind.home / ".kube").exists()

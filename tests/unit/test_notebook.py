"""autograder.notebook: the grade and submit helpers that lab notebooks call."""

from __future__ import annotations

import logging
import sys
import warnings

import pytest
from gradinglab import HIDDEN_HINT, HIDDEN_SECRET, LAB_ID, snapshot_text, write_lab

import autograder
from autograder import notebook


@pytest.fixture
def lab_env(tmp_path, monkeypatch):
    """A labs folder with the toy lab, a working folder as cwd, and no sandbox anywhere."""
    write_lab(tmp_path / "labs")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("KUBECOURSE_LABS", str(tmp_path / "labs"))
    monkeypatch.setenv("KUBECOURSE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("KUBECOURSE_SANDBOX", raising=False)
    monkeypatch.chdir(work)
    notebook._cache.clear()
    return work


@pytest.mark.parametrize(
    ("snapshot", "expected"),
    [("solution", [1.0, 2.0, 1.0]), ("partial", [1.0, 0.5, 0.0]), ("starter", [0.0, 0.0, 0.0])],
)
def test_grade_returns_points_from_the_snapshot_under_autograde(lab_env, monkeypatch, capsys, snapshot, expected):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    (lab_env / "snapshot.yaml").write_text(snapshot_text(snapshot))
    got = [notebook.grade(LAB_ID, c) for c in ("pod-exists", "image-pinned", "labelled")]
    assert got == expected
    assert all(type(v) is float for v in got)
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "graded from snapshot state" in captured.out


def test_grade_without_snapshot_under_autograde_is_zero_with_a_message(lab_env, monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert notebook.grade(LAB_ID, "pod-exists") == 0.0
    captured = capsys.readouterr()
    assert "No snapshot.yaml was submitted" in captured.out
    assert captured.err == ""


def test_grade_outside_autograde_without_cluster_uses_the_snapshot(lab_env, capsys):
    (lab_env / "snapshot.yaml").write_text(snapshot_text("solution"))
    assert notebook.grade(LAB_ID, "image-pinned") == 2.0


def test_grade_outside_autograde_with_nothing_to_read(lab_env, capsys):
    assert notebook.grade(LAB_ID, "pod-exists") == 0.0
    assert "No sandbox to read" in capsys.readouterr().out


def test_hidden_check_shows_its_hint_but_not_what_it_found(lab_env, monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    (lab_env / "snapshot.yaml").write_text(snapshot_text("partial"))
    assert notebook.grade(LAB_ID, "labelled") == 0.0
    out = capsys.readouterr().out
    assert HIDDEN_SECRET not in out and "research" not in out
    assert f"hint: {HIDDEN_HINT}" in out
    assert "hidden check did not pass" in out


def test_failed_visible_check_prints_its_hint(lab_env, monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    (lab_env / "snapshot.yaml").write_text(snapshot_text("starter"))
    notebook.grade(LAB_ID, "pod-exists")
    out = capsys.readouterr().out
    assert "no Pod web in namespace toy" in out
    assert "hint: kubectl apply -f pod.yaml" in out


@pytest.mark.parametrize("check_id", ["no-such-check"])
def test_unknown_check_or_lab_is_zero_not_a_traceback(lab_env, monkeypatch, capsys, check_id):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    (lab_env / "snapshot.yaml").write_text(snapshot_text("solution"))
    assert notebook.grade(LAB_ID, check_id) == 0.0
    assert notebook.grade("no-such-lab", "pod-exists") == 0.0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "no-such-check" in captured.out


def test_malformed_snapshot_is_zero_with_the_reason(lab_env, monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    (lab_env / "snapshot.yaml").write_text("items: [unclosed\n")
    assert notebook.grade(LAB_ID, "pod-exists") == 0.0
    captured = capsys.readouterr()
    assert "snapshot.yaml" in captured.out
    assert captured.err == ""


def test_warnings_logs_and_stderr_writes_during_grading_stay_off_stderr(lab_env, monkeypatch, capsys):
    """nbgrader zeroes a test cell that writes stderr; a noisy client library must not cost points."""
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    (lab_env / "snapshot.yaml").write_text(snapshot_text("solution"))
    real = autograder.run_checks

    def noisy(*args, **kwargs):
        warnings.warn("deprecated thing", DeprecationWarning, stacklevel=2)
        logging.getLogger("kubernetes.client.rest").error("noisy log line")
        print("raw stderr write", file=sys.stderr)
        return real(*args, **kwargs)

    monkeypatch.setattr(autograder, "run_checks", noisy)
    assert notebook.grade(LAB_ID, "pod-exists") == 1.0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "raw stderr write" in captured.out


def test_an_internal_error_is_zero_points_on_stdout(lab_env, monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    (lab_env / "snapshot.yaml").write_text(snapshot_text("solution"))

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(autograder, "run_checks", broken)
    assert notebook.grade(LAB_ID, "pod-exists") == 0.0
    captured = capsys.readouterr()
    assert "RuntimeError: boom" in captured.out
    assert captured.err == ""


def test_submit_is_a_no_op_under_autograde(lab_env, monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert notebook.submit(LAB_ID) is None
    assert not (lab_env / "snapshot.yaml").exists()
    assert capsys.readouterr().err == ""


def test_submit_without_a_sandbox_writes_nothing_and_says_why(lab_env, capsys):
    assert notebook.submit(LAB_ID) is None
    assert not (lab_env / "snapshot.yaml").exists()
    captured = capsys.readouterr()
    assert "No sandbox found" in captured.out
    assert captured.err == ""


def test_submit_with_an_unreachable_cluster_reports_on_stdout(lab_env, monkeypatch, capsys, tmp_path):
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:9'}}]\n"
        "users: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n"
        "current-context: x\n"
    )
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    assert notebook.submit(LAB_ID) is None
    captured = capsys.readouterr()
    assert "Could not write snapshot.yaml" in captured.out
    assert captured.err == ""


@pytest.mark.parametrize("how", ["KUBECOURSE_SANDBOX", "login"])
def test_the_sandbox_under_kubecourse_home_is_read(lab_env, monkeypatch, capsys, tmp_path, how):
    """USER=Jane.Doe reads sandboxes/jane-doe, as `kubecourse check` does (the notebook used to
    look for sandboxes/Jane.Doe and find no cluster)."""
    config = tmp_path / "home" / "sandboxes" / "jane-doe" / "kubeconfig"
    config.parent.mkdir(parents=True)
    config.write_text("apiVersion: v1\nkind: Config\n")  # no cluster in it: connecting fails, naming it
    for variable in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(variable, "Jane.Doe")
    if how == "KUBECOURSE_SANDBOX":
        monkeypatch.setenv("KUBECOURSE_SANDBOX", "jane-doe")
    assert notebook.grade(LAB_ID, "pod-exists") == 0.0
    out = capsys.readouterr().out
    assert str(config) in out and "No sandbox to read" not in out
    assert notebook.submit(LAB_ID) is None
    assert "Could not write snapshot.yaml" in capsys.readouterr().out


def test_a_named_sandbox_that_does_not_exist_is_named(lab_env, monkeypatch, capsys):
    monkeypatch.setenv("KUBECOURSE_SANDBOX", "ghost")
    assert notebook.grade(LAB_ID, "pod-exists") == 0.0
    out = capsys.readouterr().out
    assert "no sandbox ghost: run kubecourse up --name ghost" in out

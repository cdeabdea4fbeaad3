"""``kubecourse check --snapshot`` as users run it: tables, --json, exit codes and bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOTS = ROOT / "labs" / "first-pod" / "tests" / "snapshots"
BOMB = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
)


def kubecourse(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("KUBECONFIG", "KUBECOURSE_SANDBOX")}
    return subprocess.run(
        [sys.executable, "-m", "kubecourse", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**clean, "COLUMNS": "200", **(env or {})},
    )


def test_passing_snapshot_exits_0_with_a_table():
    done = kubecourse("check", "first-pod", "--snapshot", str(SNAPSHOTS / "solution.yaml"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("PASS") == 6 and "Score: 7/7 (all checks passed)" in done.stdout
    assert "Hints" not in done.stdout


def test_failing_snapshot_exits_1_with_hints():
    done = kubecourse("check", "first-pod", "--snapshot", str(SNAPSHOTS / "image-typo.yaml"))
    assert done.returncode == 1, done.stderr
    assert "FAIL" in done.stdout and "ImagePullBackOff" in done.stdout
    assert "Hints:" in done.stdout and "kubectl describe pod hello" in done.stdout
    assert "Score: 5/7" in done.stdout


def test_json_is_exactly_the_report():
    done = kubecourse("check", "first-pod", "--snapshot", str(SNAPSHOTS / "restart-always.yaml"), "--json")
    assert done.returncode == 1
    data = json.loads(done.stdout)
    assert list(data) == ["lab", "score", "max_score", "passed", "checks"]
    assert (data["lab"], data["score"], data["max_score"], data["passed"]) == ("first-pod", 6.0, 7.0, False)
    hidden = data["checks"][-1]
    assert hidden["id"] == "restart-never" and hidden["message"] == "hidden check did not pass"
    assert hidden["hint"].startswith("A command that runs once should not be restarted")  # teaches, never tells
    assert "Always" not in hidden["hint"] and hidden["consequence_of"] is None
    assert set(hidden) >= {"id", "title", "passed", "points", "max_points", "message", "hint", "consequence_of"}


def test_reveal_hidden_for_instructors():
    done = kubecourse("check", "first-pod", "-s", str(SNAPSHOTS / "restart-always.yaml"), "--json", "--reveal-hidden")
    assert "spec.restartPolicy: expected 'Never', got 'Always'" in json.loads(done.stdout)["checks"][-1]["message"]


def test_one_root_cause_one_message_and_one_hint():
    """The Pod went to namespace default: one failure says so; the five others follow from it."""
    done = kubecourse("check", "first-pod", "-s", str(SNAPSHOTS / "wrong-namespace.yaml"), "--json")
    assert done.returncode == 1
    checks = json.loads(done.stdout)["checks"]
    root, *others = checks
    assert root["message"] == "found Pod hello in namespace default, expected first-pod"
    assert root["consequence_of"] is None and "metadata.namespace first-pod" in root["hint"]
    assert [c["consequence_of"] for c in others] == ["pod-exists"] * 5
    assert all(c["hint"] == "" for c in others)
    table = kubecourse("check", "first-pod", "-s", str(SNAPSHOTS / "wrong-namespace.yaml")).stdout
    assert table.count("found Pod hello in namespace default") == 1
    assert table.count("follows from: Pod hello exists in namespace first-pod") == 5
    assert table.count("\n  - ") == 1  # one hint
    assert "6 of 6 checks not passed; 5 of them follow from the others: fix those first" in table


def _bad_inputs(tmp: Path) -> dict[str, tuple[list[str], str]]:
    files = {
        "malformed.yaml": "apiVersion: v1\nkind: [List\n",
        "malformed.json": '{"apiVersion": "v1", "kind": "List", "items": [',
        "bomb.yaml": BOMB,
        "non-objects.yaml": "apiVersion: v1\nkind: List\nitems: [1, two]\n",
    }
    for name, text in files.items():
        (tmp / name).write_text(text)
    (tmp / "garbage.yaml").write_bytes(os.urandom(4096) + b"\x00")
    with open(tmp / "huge.yaml", "wb") as handle:  # sparse: the size is checked before reading
        handle.truncate(51 * 1024 * 1024)
    return {
        "malformed yaml": (["first-pod", "-s", str(tmp / "malformed.yaml")], "line 3, column 1"),
        "malformed json": (["first-pod", "-s", str(tmp / "malformed.json")], "malformed.json"),
        "alias bomb": (["first-pod", "-s", str(tmp / "bomb.yaml")], "alias bomb"),
        "non-objects": (["first-pod", "-s", str(tmp / "non-objects.yaml")], "item 0 is a int"),
        "binary garbage": (["first-pod", "-s", str(tmp / "garbage.yaml")], "binary"),
        "over the size limit": (["first-pod", "-s", str(tmp / "huge.yaml")], "over the 50 MiB limit"),
        "missing snapshot": (["first-pod", "-s", str(tmp / "nope.yaml")], "snapshot not found"),
        "unknown lab": (["no-such-lab", "-s", str(SNAPSHOTS / "solution.yaml")], "unknown lab 'no-such-lab'"),
        "two sources": (["first-pod", "-s", "x.yaml", "--kubeconfig", "k"], "choose one of"),
        "no source at all": (["first-pod"], "say which cluster"),
        "missing kubeconfig": (["first-pod", "--kubeconfig", str(tmp / "nope")], "kubeconfig not found"),
        "kubeconfig alias bomb": (["first-pod", "--kubeconfig", str(tmp / "bomb.yaml")], "alias bomb"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "malformed yaml",
        "malformed json",
        "alias bomb",
        "non-objects",
        "binary garbage",
        "over the size limit",
        "missing snapshot",
        "unknown lab",
        "two sources",
        "no source at all",
        "missing kubeconfig",
        "kubeconfig alias bomb",
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, case):
    args, fragment = _bad_inputs(tmp_path)[case]
    # 80 columns, as for any non-terminal: the long one-line error must not be wrapped.
    done = kubecourse("check", *args, env={"KUBECOURSE_HOME": str(tmp_path / "home"), "COLUMNS": "80"})
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr


def test_missing_sandbox_is_exit_3(tmp_path):
    done = kubecourse("check", "first-pod", "--name", "alice", env={"KUBECOURSE_HOME": str(tmp_path)})
    assert done.returncode == 3
    assert done.stderr.strip() == "error: no sandbox alice: run kubecourse up --name alice"

"""The kubecourse command line as users run it: help, version, labs and doctor, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

KUBECOURSE = [sys.executable, "-m", "kubecourse"]


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*KUBECOURSE, *args], capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})}
    )


def test_help_and_version():
    done = run("--help")
    assert done.returncode == 0 and "kubecourse doctor" in done.stdout
    version = run("--version")
    assert version.returncode == 0 and version.stdout.startswith("kubecourse ")


def test_unknown_command_is_a_usage_error():
    done = run("frobnicate")
    assert done.returncode == 2 and "No such command" in done.stderr
    assert "Traceback" not in done.stderr


def test_labs_json_lists_every_shipped_lab_in_teaching_order():
    done = run("labs", "--json")
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    labs = Path(__file__).parents[2] / "labs"
    order = yaml.safe_load((labs / "course.yaml").read_text())["order"]
    assert [lab["id"] for lab in listed] == order
    assert sorted(order) == sorted(p.parent.name for p in labs.glob("*/lab.yaml"))
    assert order[0] == "first-pod"
    table = run("labs", env={"COLUMNS": "200"})
    rows = [line.split("│")[2].strip() for line in table.stdout.splitlines() if line.startswith("│")]
    assert rows == order, table.stdout
    for lab in listed:
        assert {"id", "title", "tier", "minutes", "cluster"} <= set(lab)


def test_labs_table_and_a_broken_lab(tmp_path):
    lab = tmp_path / "broken"
    lab.mkdir()
    (lab / "lab.yaml").write_text(
        yaml.safe_dump({"id": "broken", "title": "B", "tier": "guru", "minutes": 5, "summary": "s"})
    )
    done = run("labs", env={"KUBECOURSE_LABS": str(tmp_path)})
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and "field 'tier'" in done.stderr
    assert "Traceback" not in done.stderr
    (lab / "lab.yaml").write_text(
        yaml.safe_dump({"id": "broken", "title": "Fixed", "tier": "general", "minutes": 5, "summary": "s"})
    )
    table = run("labs", env={"KUBECOURSE_LABS": str(tmp_path), "COLUMNS": "120"})
    assert table.returncode == 0 and "Fixed" in table.stdout


def test_doctor_without_docker_exits_1_and_says_how_to_fix(tmp_path):
    # A PATH without kind or docker: the machine is not ready, and the JSON says why.
    env = {"PATH": str(Path(sys.executable).parent), "KUBECOURSE_HOME": str(tmp_path)}
    done = run("doctor", "--json", env=env)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    failing = {f["name"]: f for f in report["findings"] if not f["ok"]}
    assert "container engine" in failing and "docker" in failing["container engine"]["fix"].lower()
    assert "kind" in failing
    table = run("doctor", env={**env, "COLUMNS": "160"})
    assert table.returncode == 1 and "FAIL" in table.stdout and "Not ready" in table.stdout


def test_ctrl_c_in_a_command_exits_130_and_says_so():
    code = (
        "from kubecourse.cli import main\n"
        "def boom():\n"
        "    raise KeyboardInterrupt\n"
        "main.app.command('boom')(boom)\n"
        "main.run(['boom'])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 130
    assert done.stderr.strip() == "interrupted"

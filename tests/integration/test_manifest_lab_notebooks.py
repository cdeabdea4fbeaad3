"""The notebooks of the manifest labs: each runs under nbval (grading the solution's snapshot, with
no cluster), and nbgrader's round trip gives the reference solution full marks and the blank
starter none."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import nbformat
import pytest
from manifest_lab_tools import IDS, LABS

from autograder.course import build_course
from autograder.lab_notebook import read_lab_notebook

pytestmark = pytest.mark.notebook


def test_nbval_on_every_notebook_with_the_solution_snapshot(tmp_path):
    # One pytest process for all notebooks: the kernel start-up dominates, imports are paid once.
    paths = []
    for lab in LABS:
        work = tmp_path / lab.id
        work.mkdir()
        nbformat.write(read_lab_notebook(lab), work / f"{lab.id}.ipynb")
        shutil.copy(lab.path / "tests" / "snapshots" / "solution.yaml", work / "snapshot.yaml")
        paths.append(str(work / f"{lab.id}.ipynb"))
    env = {k: v for k, v in os.environ.items() if k not in ("KUBECONFIG", "KUBECOURSE_SANDBOX")}
    env["KUBECOURSE_HOME"] = str(tmp_path / "home")  # no sandbox: the notebooks read snapshot.yaml
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval-lax",
            "-p",
            "no:cacheprovider",
            "-q",
            "--rootdir",
            str(tmp_path),
            *paths,
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_nbgrader_round_trip(tmp_path):
    built = build_course(tmp_path / "course", lab_ids=IDS)
    assert sorted(a.lab for a in built.assignments) == sorted(IDS)
    for assignment in built.assignments:
        assert assignment.validation == "solution earns full marks, starter earns none", assignment

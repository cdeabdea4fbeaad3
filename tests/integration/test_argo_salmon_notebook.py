"""The argo-salmon notebook: it runs under nbval with the solution's snapshot, and nbgrader's
round trip gives the reference solution full marks and the blank starter none."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import nbformat
import pytest

from autograder.course import build_course
from autograder.lab_notebook import declared_checks, read_lab_notebook, verify
from coursecore.labs import find

pytestmark = pytest.mark.notebook

LAB = find("argo-salmon")


def test_notebook_mirrors_the_checks():
    verify(LAB, read_lab_notebook(LAB), declared_checks(LAB))


def test_nbval_on_the_solution_notebook(tmp_path):
    work = tmp_path / "argo-salmon"
    work.mkdir()
    nbformat.write(read_lab_notebook(LAB), work / "argo-salmon.ipynb")
    shutil.copy(LAB.path / "tests" / "snapshots" / "solution.yaml", work / "snapshot.yaml")
    shutil.copy(LAB.path / "solution" / "workflow-dag.yaml", work / "workflow.yaml")
    env = {k: v for k, v in os.environ.items() if k not in ("KUBECONFIG", "KUBECOURSE_SANDBOX")}
    env["KUBECOURSE_HOME"] = str(tmp_path / "home")  # no sandbox: the notebook reads snapshot.yaml
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
            str(work),
            str(work / "argo-salmon.ipynb"),
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_nbgrader_round_trip(tmp_path):
    built = build_course(tmp_path / "course", lab_ids=["argo-salmon"])
    [assignment] = built.assignments
    assert assignment.checks == 7 and assignment.points == 10.0
    assert assignment.validation == "solution earns full marks, starter earns none"

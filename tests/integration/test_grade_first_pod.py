"""``kubecourse grade`` on the real first-pod lab, through the command line: the reference
solution earns full marks, the blank starter none, a partly right one its partial score, and
every submission the same score as ``kubecourse check first-pod --snapshot``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.course import build_course
from coursecore import labs

pytestmark = pytest.mark.notebook

LAB = "first-pod"
KUBECOURSE = str(Path(sys.executable).parent / "kubecourse")
SUBMISSIONS = {
    "sol": ("solution.yaml", 7.0),
    "blank": ("starter.yaml", 0.0),
    "cpu": ("cpu-only.yaml", 6.5),
    "latest": ("image-latest.yaml", None),
}


def _run(*args, cwd=None):
    return subprocess.run([KUBECOURSE, *args], capture_output=True, text=True, timeout=900, cwd=cwd)


def test_grade_matches_check_snapshot_and_the_expected_scores(tmp_path):
    fixtures = labs.find(LAB).path / "tests" / "snapshots"
    course = tmp_path / "course"
    build_course(course, lab_ids=[LAB], validate=False)
    for student, (snapshot, _) in SUBMISSIONS.items():
        folder = course / "submitted" / student / LAB
        folder.mkdir(parents=True)
        shutil.copy(course / "release" / LAB / f"{LAB}.ipynb", folder)
        shutil.copy(fixtures / snapshot, folder / "snapshot.yaml")

    done = _run("grade", LAB, "--course", str(course), "--jobs", "2", "--json")
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    scores = {s["student"]: s["score"] for s in report["students"]}
    for student, (snapshot, expected) in SUBMISSIONS.items():
        checked = _run("check", LAB, "--snapshot", str(fixtures / snapshot), "--json")
        assert checked.returncode in (0, 1), checked.stderr
        assert scores[student] == json.loads(checked.stdout)["score"], student
        if expected is not None:
            assert scores[student] == expected, student
    assert report["not_graded"] == [] and report["source"] == "snapshot"
    assert (course / "grades" / f"{LAB}.csv").is_file()
    assert (course / "grades" / f"{LAB}-distribution.png").is_file()
    for student in SUBMISSIONS:
        assert (course / "feedback" / student / LAB / f"{LAB}.html").is_file()

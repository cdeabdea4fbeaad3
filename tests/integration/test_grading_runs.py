"""``kubecourse grade`` against a gradebook another program holds, and grading a class again.

A locked gradebook is waited for until ``--lock-timeout`` and then refused with one line on
stderr and exit code 3, nothing written; a lock released in time is simply waited out. Grading
again replaces each submission's automatic results and keeps what the instructor entered.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
from gradinglab import LAB_ID, MAX_SCORE, PARTIAL_SCORE, add_submission, snapshot_text, write_lab

from autograder.course import build_course

KUBECOURSE = str(Path(sys.executable).parent / "kubecourse")
HOLD = """\
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KUBECOURSE_LABS", str(root / "labs"))
        write_lab(root / "labs")
        course = root / "course"
        build_course(course, validate=False)
        add_submission(course, "ann", "solution")
        add_submission(course, "bo", "partial")
        yield {"course": course, "labs": root / "labs"}


@pytest.fixture
def course(built, tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECOURSE_LABS", str(built["labs"]))
    copy = tmp_path / "course"
    shutil.copytree(built["course"], copy)
    return copy


def _grade(course: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [KUBECOURSE, "grade", LAB_ID, "--course", str(course), "--json", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _hold(db: Path, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


def _dump(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return sorted(
            conn.execute("SELECT id, auto_score, manual_score, extra_credit, needs_manual_grade FROM grade").fetchall()
        )


def test_a_gradebook_locked_past_the_deadline_is_one_error_and_nothing_is_written(course):
    before = _dump(course / "gradebook.db")
    holder = _hold(course / "gradebook.db", 120)
    try:
        started = time.monotonic()
        done = _grade(course, "--lock-timeout", "2")
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 3, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert any(line.startswith("error: ") and "is locked by another program" in line for line in lines), done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert waited >= 2
    assert _dump(course / "gradebook.db") == before
    assert not any((course / "autograded").glob("*/*")) if (course / "autograded").exists() else True
    assert not (course / "grades").exists() and not (course / "feedback").exists()


def test_a_lock_released_before_the_deadline_is_waited_out(course):
    holder = _hold(course / "gradebook.db", 2)
    try:
        done = _grade(course, "--lock-timeout", "60")
    finally:
        holder.wait(timeout=60)
    assert done.returncode == 0, done.stderr
    scores = {s["student"]: s["score"] for s in json.loads(done.stdout)["students"]}
    assert scores == {"ann": MAX_SCORE, "bo": PARTIAL_SCORE}


def test_grading_again_replaces_automatic_results_and_keeps_the_instructors(course):
    from nbgrader.api import Gradebook

    assert _grade(course).returncode == 0
    with Gradebook(f"sqlite:///{course}/gradebook.db", "kubecourse") as gb, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gb.find_grade("check-pod-exists", LAB_ID, LAB_ID, "bo").manual_score = 0.25
        gb.db.commit()
    (course / "submitted" / "bo" / LAB_ID / "snapshot.yaml").write_text(snapshot_text("solution"))
    ann = course / "submitted" / "ann" / LAB_ID
    (ann / "snapshot.yaml").unlink()
    (ann / "snapshot.yaml").symlink_to(course / "submitted" / "bo" / LAB_ID / "snapshot.yaml")
    done = _grade(course)
    assert done.returncode == 1, done.stderr
    report = {s["student"]: s for s in json.loads(done.stdout)["students"]}
    assert report["ann"]["status"] == "invalid" and report["ann"]["score"] == 0.0
    assert not (course / "autograded" / "ann" / LAB_ID).exists()  # no stale notebook for formgrader
    assert report["bo"]["score"] == MAX_SCORE - 1 + 0.25 and report["bo"]["needs_manual_grade"]
    with Gradebook(f"sqlite:///{course}/gradebook.db", "kubecourse") as gb:
        grade = gb.find_grade("check-pod-exists", LAB_ID, LAB_ID, "bo")
        assert grade.manual_score == 0.25 and grade.auto_score == 1.0


def test_a_course_config_without_the_inert_settings_is_refused(course):
    config = course / "nbgrader_config.py"
    config.write_text(config.read_text().replace("c.HTMLExporter.sanitize_html = True", ""))
    done = _grade(course)
    assert done.returncode == 2 and "does not make learner HTML inert" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_unknown_assignment_and_an_empty_class_are_usage_errors(course):
    done = subprocess.run(
        [KUBECOURSE, "grade", "no-such-lab", "--course", str(course)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    shutil.rmtree(course / "submitted")
    done = _grade(course)
    assert done.returncode == 2 and "no submissions" in done.stderr


def test_a_student_id_with_a_pattern_does_not_grade_its_match(course):
    add_submission(course, "glob", "partial")
    add_submission(course, "g[l]ob", "solution")
    done = _grade(course)
    report = {s["student"]: s for s in json.loads(done.stdout)["students"]}
    assert report["g[l]ob"]["status"] == "refused" and report["glob"]["score"] == PARTIAL_SCORE
    assert not (course / "feedback" / "g[l]ob").exists()

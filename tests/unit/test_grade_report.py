"""autograder.grade_report: the grades CSV (late penalties, formula-safe cells) and the figure."""

from __future__ import annotations

import csv

import pytest

from autograder.grade_report import _bins, neutralise, write_csv, write_histogram
from autograder.grading import CheckScore, StudentGrade


def _check(check_id, points, max_points=1.0):
    return CheckScore(
        id=check_id, title=check_id, points=points, max_points=max_points, passed=points == max_points, status="passed"
    )


STUDENTS = (
    StudentGrade(
        student="ann", status="graded", score=3.0, max_score=3.0, checks=(_check("a", 1.0), _check("b", 2.0, 2.0))
    ),
    StudentGrade(
        student="bo",
        status="graded",
        score=2.5,
        max_score=3.0,
        late_penalty=2.5,
        checks=(_check("a", 0.5), _check("b", 2.0, 2.0)),
        snapshot_note="",
    ),
    StudentGrade(student="cy", status="invalid", max_score=3.0, problem="invalid submission: snapshot.yaml is a link"),
    StudentGrade(
        student='=HYPERLINK("http://x","y")', status="graded", score=1.0, max_score=3.0, checks=(_check("a", 1.0),)
    ),
)


def test_csv_has_a_row_per_submission_with_the_score_after_late_penalty(tmp_path):
    path = write_csv(tmp_path / "out" / "lab.csv", "lab", STUDENTS)
    rows = list(csv.DictReader(path.open()))
    assert [r["student"] for r in rows][:3] == ["ann", "bo", "cy"]
    assert rows[0]["a"] == "1" and rows[0]["b"] == "2" and rows[0]["score"] == "3" and rows[0]["late_penalty"] == "0"
    assert rows[1]["score"] == "0" and rows[1]["late_penalty"] == "2.5" and rows[1]["a"] == "0.5"
    assert rows[2]["status"] == "invalid" and "is a link" in rows[2]["note"] and rows[2]["a"] == ""
    assert not list((tmp_path / "out").glob(".*tmp"))


def test_csv_cells_a_spreadsheet_would_evaluate_are_text(tmp_path):
    path = write_csv(tmp_path / "lab.csv", "lab", STUDENTS)
    rows = list(csv.DictReader(path.open()))
    assert rows[3]["student"] == '\'=HYPERLINK("http://x","y")'
    for row in rows:
        for value in row.values():
            assert not value.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1", "'  =1"),
        ("alice", "alice"),
        ("a=b", "a=b"),
    ],
)
def test_neutralise(value, shown):
    assert neutralise(value) == shown


def test_histogram_is_a_png_of_scores_after_penalties_and_absent_when_nothing_was_graded(tmp_path, monkeypatch):
    seen = {}
    import matplotlib.axes

    real = matplotlib.axes.Axes.hist

    def spy(self, values, *args, **kwargs):
        seen["values"] = list(values)
        return real(self, values, *args, **kwargs)

    monkeypatch.setattr(matplotlib.axes.Axes, "hist", spy)
    figure = write_histogram(tmp_path / "dist.png", "lab", STUDENTS)
    assert figure.read_bytes().startswith(b"\x89PNG")
    assert seen["values"] == [3.0, 0.0, 1.0]  # bo's 2.5 after a 2.5 penalty; cy was not graded
    assert write_histogram(tmp_path / "none.png", "lab", STUDENTS[2:3]) is None
    assert not (tmp_path / "none.png").exists()


def test_bins_are_centred_on_whole_points():
    assert _bins(4.0) == [-0.5, 0.5, 1.5, 2.5, 3.5, 4.5]
    assert len(_bins(100.0)) == 22


def test_the_background_painter_draws_in_a_forked_child_when_single_threaded(tmp_path):
    """Run where no other thread exists (pytest's workers have some), as the CLI does."""
    import subprocess
    import sys

    script = r"""
import threading
from autograder.grade_report import BackgroundPainter, histogram_png
with BackgroundPainter() as painter:
    assert painter._process is not None and threading.active_count() == 1
    data = painter.paint("lab", [1.0, 2.0, 2.0], 3.0)
    child = painter._process
assert data.startswith(b"\x89PNG") and not child.is_alive()
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "ok", done.stderr


def test_the_painter_draws_here_when_threads_run(tmp_path):
    import threading

    from autograder.grade_report import BackgroundPainter

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        with BackgroundPainter() as painter:
            assert painter._process is None
            assert painter.paint("lab", [1.0], 3.0).startswith(b"\x89PNG")
    finally:
        stop.set()
        thread.join()

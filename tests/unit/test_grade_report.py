"""autograder.grade_report: the grades CSV and the distribution figure."""

from __future__ import annotations

import csv

from autograder._gradebook_writer import CellScore
from autograder.grade_report import _bins, write_csv, write_histogram
from autograder.grading import StudentGrade


def _cell(check, kernel, trusted, points=1.0):
    return CellScore(check=check, kernel=kernel, trusted=trusted, recorded=min(kernel, trusted), max_points=points)


STUDENTS = (
    StudentGrade(
        student="ann", graded=True, score=3.0, max_score=3.0, cells=(_cell("a", 1.0, 1.0), _cell("b", 2.0, 2.0, 2.0))
    ),
    StudentGrade(
        student="bo",
        graded=True,
        score=0.5,
        max_score=3.0,
        cells=(_cell("a", 1.0, 0.0), _cell("b", 0.5, 0.5, 2.0)),
        snapshot_note="",
    ),
    StudentGrade(student="cy", graded=False, error="kernel died"),
)


def test_csv_has_a_row_per_submission_with_each_check_and_flags(tmp_path):
    path = write_csv(tmp_path / "out" / "lab.csv", "lab", STUDENTS)
    rows = list(csv.DictReader(path.open()))
    assert [r["student"] for r in rows] == ["ann", "bo", "cy"]
    assert rows[0]["a"] == "1" and rows[0]["b"] == "2" and rows[0]["score"] == "3"
    assert rows[1]["a"] == "0" and rows[1]["raised_by_notebook"] == "a"
    assert rows[2]["graded"] == "no" and rows[2]["note"] == "kernel died" and rows[2]["a"] == ""
    assert not list((tmp_path / "out").glob(".*tmp"))


def test_histogram_is_a_png_and_absent_when_nothing_was_graded(tmp_path):
    figure = write_histogram(tmp_path / "dist.png", "lab", STUDENTS)
    assert figure.read_bytes().startswith(b"\x89PNG")
    assert write_histogram(tmp_path / "none.png", "lab", STUDENTS[2:]) is None
    assert not (tmp_path / "none.png").exists()


def test_bins_are_centred_on_whole_points():
    assert _bins(4.0) == [-0.5, 0.5, 1.5, 2.5, 3.5, 4.5]
    assert len(_bins(100.0)) == 22

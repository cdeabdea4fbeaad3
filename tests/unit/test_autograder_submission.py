"""autograder._submission: a submission is read once, no link followed, no special file read."""

from __future__ import annotations

import os
import socket

import pytest

from autograder import _submission
from autograder._submission import candidates, read_submission, student_id_problem

NB = b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}'


def _read(submitted, student="ann", notebooks=("lab",), limit=1000):
    return read_submission(
        submitted,
        student,
        "lab",
        notebooks,
        snapshot_name="snapshot.yaml",
        timestamp_name="timestamp.txt",
        snapshot_limit=limit,
    )


@pytest.fixture
def submitted(tmp_path):
    folder = tmp_path / "submitted" / "ann" / "lab"
    folder.mkdir(parents=True)
    (folder / "lab.ipynb").write_bytes(NB)
    (folder / "snapshot.yaml").write_text("kind: List\nitems: []\n")
    (folder / "timestamp.txt").write_text(" 2026-01-09 12:00:00 UTC \n")
    (folder / "data").mkdir()
    (folder / "data" / "notes.txt").write_text("mine")
    return tmp_path / "submitted"


def test_a_plain_submission_is_read_whole(submitted):
    got = _read(submitted)
    assert not got.problem
    assert got.notebooks == {"lab": NB}
    assert got.snapshot == b"kind: List\nitems: []\n"
    assert got.timestamp == "2026-01-09 12:00:00 UTC"


def test_missing_snapshot_and_timestamp_are_none(submitted):
    (submitted / "ann" / "lab" / "snapshot.yaml").unlink()
    (submitted / "ann" / "lab" / "timestamp.txt").unlink()
    got = _read(submitted)
    assert not got.problem and got.snapshot is None and got.timestamp is None


def test_no_notebook_of_the_assignment_is_invalid(submitted):
    (submitted / "ann" / "lab" / "lab.ipynb").rename(submitted / "ann" / "lab" / "other.ipynb")
    assert "no notebook of the assignment" in _read(submitted).problem


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda f, t: (f / "snapshot.yaml").unlink() or (f / "snapshot.yaml").symlink_to("/dev/zero"), "symbolic link"),
        (
            lambda f, t: (f / "snapshot.yaml").unlink() or (f / "snapshot.yaml").symlink_to(t / "x.yaml"),
            "symbolic link",
        ),
        (lambda f, t: (f / "lab.ipynb").unlink() or (f / "lab.ipynb").symlink_to(t / "nb.ipynb"), "symbolic link"),
        (lambda f, t: (f / "data" / "link").symlink_to("/etc"), "symbolic link"),
        (lambda f, t: (f / "data" / "dangling").symlink_to("/nowhere"), "symbolic link"),
        (lambda f, t: (f / "snapshot.yaml").unlink() or os.mkfifo(f / "snapshot.yaml"), "FIFO"),
        (lambda f, t: os.mkfifo(f / "data" / "pipe"), "FIFO"),
        (lambda f, t: _socket(f / "data" / "sock"), "socket"),
    ],
)
def test_links_and_special_files_anywhere_make_it_invalid(submitted, tmp_path, make, fragment):
    (tmp_path / "x.yaml").write_text("kind: List\nitems: []\n")
    (tmp_path / "nb.ipynb").write_bytes(NB)
    make(submitted / "ann" / "lab", tmp_path)
    got = _read(submitted)
    assert got.problem.startswith("invalid submission:") and fragment in got.problem
    assert got.snapshot is None and got.notebooks == {}


def _socket(path):
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()


def test_a_linked_assignment_or_student_folder_is_not_followed(submitted):
    (submitted / "bo").mkdir()
    (submitted / "bo" / "lab").symlink_to(submitted / "ann" / "lab", target_is_directory=True)
    (submitted / "cy").symlink_to(submitted / "ann", target_is_directory=True)
    assert "symbolic link" in _read(submitted, "bo").problem
    assert "symbolic link" in _read(submitted, "cy").problem
    assert candidates(submitted, "lab") == ["ann", "bo", "cy"]


def test_sizes_entries_and_depth_are_bounded(submitted, monkeypatch):
    folder = submitted / "ann" / "lab"
    assert "snapshot.yaml is 21 bytes, over the 10 bytes limit" in _read(submitted, limit=10).problem
    monkeypatch.setattr(_submission, "MAX_SUBMISSION_BYTES", 60)
    assert "limit for one submission" in _read(submitted).problem
    monkeypatch.setattr(_submission, "MAX_SUBMISSION_BYTES", 10**9)
    monkeypatch.setattr(_submission, "MAX_SUBMISSION_ENTRIES", 4)
    assert "more than 4 files" in _read(submitted).problem
    monkeypatch.setattr(_submission, "MAX_SUBMISSION_ENTRIES", 10**6)
    deep = folder
    for _ in range(_submission.MAX_SUBMISSION_DEPTH + 1):
        deep = deep / "d"
    deep.mkdir(parents=True)
    assert "nested more than" in _read(submitted).problem


def test_a_notebook_over_its_limit_is_invalid(submitted, monkeypatch):
    monkeypatch.setattr(_submission, "MAX_NOTEBOOK_BYTES", 10)
    assert "lab.ipynb is" in _read(submitted).problem


def test_a_sparse_huge_snapshot_is_refused_without_reading_it(submitted):
    with (submitted / "ann" / "lab" / "snapshot.yaml").open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)
    got = _read(submitted, limit=50 * 1024 * 1024)
    assert "over the 50 MiB limit" in got.problem or "over the 100 MiB limit" in got.problem


@pytest.mark.parametrize(
    ("student", "fragment"),
    [
        ("g[l]ob", "file patterns"),
        ("a*", "file patterns"),
        ("what?", "file patterns"),
        (".hidden", "letters, digits"),
        ("..", "letters, digits"),
        ("a b", "letters, digits"),
        ("<img src=x onerror=alert(1)>", "letters, digits"),
        ('"quoted"', "letters, digits"),
        ("a\tb", "letters, digits"),
        ("x" * 129, "letters, digits"),
        ("", "letters, digits"),
    ],
)
def test_odd_student_ids_are_refused(student, fragment):
    assert fragment in student_id_problem(student)


@pytest.mark.parametrize("student", ["ann", "jane.doe", "j_doe-2", "=1+2", "-x", "@sum", "josé", "a+b@uni.edu"])
def test_ordinary_student_ids_are_accepted(student):
    assert student_id_problem(student) == ""


def test_a_refused_id_is_never_read(tmp_path):
    folder = tmp_path / "submitted" / "g[l]ob" / "lab"
    folder.mkdir(parents=True)
    (folder / "lab.ipynb").write_bytes(NB)
    got = _read(tmp_path / "submitted", "g[l]ob")
    assert "file patterns" in got.problem and got.notebooks == {}

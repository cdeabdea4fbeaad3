"""Grading one submission: read it once, run the lab's checks on its state, build what is recorded.

:class:`Grader` is called once per student, from several threads at a time: each call reads only
that student's submission (:mod:`autograder._submission`), parses its snapshot within limits (or
reads the live state), runs the checks, rebuilds the autograded notebooks
(:mod:`autograder._autograded`) and stages them in a folder of its own. Nothing is recorded here.
"""

from __future__ import annotations

import concurrent.futures as futures
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from autograder._autograded import Autograded, InvalidNotebook, autograde, missing, parse_notebook
from autograder._course_files import Layout
from autograder._gradebook_guard import Baseline
from autograder._gradebook_writer import NotebookGrades
from autograder._submission import Submission, read_submission, student_id_problem
from autograder.notebook import SNAPSHOT_NAME
from coursecore.errors import KubecourseError

Status = Literal["graded", "invalid", "refused"]
TIMESTAMP_NAME = "timestamp.txt"
Progress = Callable[[str, str, int], None]
"""Called as ``progress(phase, student, total)``: ``started`` once, then ``graded`` or
``invalid`` after each submission, ``feedback`` after each feedback page; ``total`` is the
number of submissions."""


@dataclass(kw_only=True)
class Outcome:
    """What grading one submission produced, before it is recorded."""

    student: str
    status: Status
    problem: str = ""
    snapshot_note: str = ""
    timestamp: Any = None
    timestamp_text: str = ""
    results: dict[str, Any] = field(default_factory=dict)
    notebooks: dict[str, Autograded] = field(default_factory=dict)
    grades: tuple[NotebookGrades, ...] = ()
    staged: Path | None = None
    """The autograded folder, staged (``None``: nothing to put in place)."""


class Grader:
    """Grades one submission at a time (thread-safe: each call touches only its own files)."""

    def __init__(self, assignment, layout: Layout, baseline: Baseline, lab, live, staging: Path) -> None:
        self.assignment, self.layout, self.baseline, self.lab = assignment, layout, baseline, lab
        self.live, self.staging = live, staging
        self.names = tuple(n.name for n in baseline.notebooks)

    def __call__(self, student: str) -> Outcome:
        from autograder.snapshot import MAX_SNAPSHOT_BYTES

        submission = read_submission(
            self.layout.submitted,
            student,
            self.assignment,
            self.names,
            snapshot_name=SNAPSHOT_NAME,
            timestamp_name=TIMESTAMP_NAME,
            snapshot_limit=MAX_SNAPSHOT_BYTES,
        )
        if submission.problem:
            return self._invalid(student, submission.problem)
        try:
            timestamp = _parse_timestamp(submission.timestamp)
            parsed = {name: parse_notebook(data, f"{name}.ipynb") for name, data in submission.notebooks.items()}
        except (InvalidNotebook, _BadTimestamp) as reason:
            return self._invalid(student, f"invalid submission: {reason}")
        results, note = self._results(submission)
        outcome = Outcome(
            student=student,
            status="graded",
            snapshot_note=note,
            timestamp=timestamp,
            timestamp_text=submission.timestamp or "",
            results=results,
        )
        grades = []
        for notebook in self.baseline.notebooks:
            if notebook.name in parsed:
                done = autograde(parsed[notebook.name], notebook, results, state_source=self._source())
                outcome.notebooks[notebook.name] = done
                grades.append(
                    NotebookGrades(name=notebook.name, auto_scores=done.auto_scores, auto_comments=done.auto_comments)
                )
            else:
                scores, comments = missing(notebook)
                grades.append(NotebookGrades(name=notebook.name, auto_scores=scores, auto_comments=comments))
        outcome.grades = tuple(grades)
        outcome.staged = self._stage(student, outcome, submission)
        return outcome

    def _invalid(self, student: str, problem: str) -> Outcome:
        if student_id_problem(student):
            return Outcome(student=student, status="refused", problem=problem)
        grades = tuple(
            NotebookGrades(name=n.name, auto_scores=missing(n)[0], auto_comments=missing(n)[1])
            for n in self.baseline.notebooks
        )
        return Outcome(student=student, status="invalid", problem=problem, grades=grades)

    def _source(self) -> str:
        return "live" if self.live is not None else "snapshot"

    def _results(self, submission: Submission) -> tuple[dict[str, Any], str]:
        """Each check's result on the student's state, and a note when that state is missing."""
        import autograder
        from autograder.snapshot import parse_snapshot_bytes

        try:
            if self.live is not None:
                state = self.live(submission.student)
            elif submission.snapshot is None:
                return self._all_failed(
                    "No snapshot.yaml was submitted: run the notebook's last cell (submit) on your sandbox "
                    "before submitting."
                ), "no snapshot.yaml submitted"
            else:
                state = parse_snapshot_bytes(submission.snapshot, source=SNAPSHOT_NAME)
            report = autograder.run_checks(self.assignment, state)
        except KubecourseError as error:
            what = "live state not readable" if self.live is not None else "unreadable snapshot"
            return self._all_failed(f"The {what.split()[0]} state could not be read: {error.message}"), (
                f"{what}: {error.message}"
            )
        return {r.check.id: r for r in report.checks}, ""

    def _all_failed(self, message: str) -> dict[str, Any]:
        from autograder.results import CheckResult

        return {c.id: CheckResult(check=c, status="failed", points=0.0, message=message) for c in self.lab.checks}

    def _stage(self, student: str, outcome: Outcome, submission: Submission) -> Path:
        """Write the autograded folder's files: the notebooks as graded, the snapshot and the
        timestamp as read (nothing else of the submission: formgrader serves this folder)."""
        import nbformat.v4

        folder = self.staging / student
        folder.mkdir()
        for name, done in outcome.notebooks.items():
            # nbformat's own writer, without the schema validation nbformat.writes adds: the
            # notebook is built from nbformat's constructors, and validating costs 40 ms each.
            text = nbformat.v4.writes(done.notebook)
            (folder / f"{name}.ipynb").write_text(text + "\n", encoding="utf-8")
        if submission.snapshot is not None:
            (folder / SNAPSHOT_NAME).write_bytes(submission.snapshot)
        if submission.timestamp is not None:
            (folder / TIMESTAMP_NAME).write_text(submission.timestamp + "\n", encoding="utf-8")
        return folder


def grade_all(grade: Grader, students: list[str], jobs: int, progress: Progress) -> list[Outcome]:
    total = len(students)
    outcomes: dict[str, Outcome] = {}
    if jobs == 1:
        for student in students:
            outcomes[student] = grade(student)
            progress("graded" if outcomes[student].status == "graded" else "invalid", student, total)
    else:
        with futures.ThreadPoolExecutor(max_workers=min(jobs, total), thread_name_prefix="grade") as pool:
            pending = {pool.submit(grade, student): student for student in students}
            try:
                for done in futures.as_completed(pending):
                    outcome = done.result()
                    outcomes[outcome.student] = outcome
                    progress("graded" if outcome.status == "graded" else "invalid", outcome.student, total)
            except BaseException:
                for future in pending:
                    future.cancel()
                raise
    return [outcomes[s] for s in students]


class _BadTimestamp(Exception):
    pass


def _parse_timestamp(text: str | None):
    """``timestamp.txt`` as nbgrader reads it (UTC); a file that is not a date is refused, as
    ``nbgrader autograde`` refuses it (ignoring it would hide a late submission)."""
    if not text:
        return None
    from nbgrader.utils import parse_utc

    try:
        return parse_utc(text)
    except (ValueError, OverflowError, TypeError):
        raise _BadTimestamp(f"{TIMESTAMP_NAME} does not hold a date ({text[:40]!r})") from None


__all__ = ["TIMESTAMP_NAME", "Grader", "Outcome", "Status", "grade_all"]

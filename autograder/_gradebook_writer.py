"""Recording a whole class in nbgrader's gradebook: all of it in one transaction, or nothing.

Only the grading process writes, after every score is computed, through nbgrader's own
``Gradebook`` (so rows look exactly like ``nbgrader autograde``'s): the student and submission
rows (with the submission's ``timestamp.txt``, read once), each graded cell's automatic score and
``needs_manual_grade`` flag as nbgrader's ``SaveAutoGrades`` sets them, the automatic comments
of answer cells, then nbgrader's late-penalty plugin. Scores and comments that instructors
entered (manual scores, extra credit, manual comments) are never written. A caller's
``around_commit`` (which swaps the autograded folders into place) wraps the single commit, so a
failure at any point leaves the gradebook and the folders as they were.
"""

from __future__ import annotations

import contextlib
import datetime
import warnings
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from autograder._gradebook_guard import retrying


@dataclass(frozen=True, kw_only=True)
class NotebookGrades:
    """The automatic grades of one notebook of a submission."""

    name: str
    auto_scores: dict[str, float | None]
    auto_comments: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class SubmissionGrades:
    """Everything recorded for one student."""

    student: str
    timestamp: datetime.datetime | None
    notebooks: tuple[NotebookGrades, ...]


@dataclass(frozen=True, kw_only=True)
class Stored:
    """One submission as the gradebook holds it after the commit."""

    student: str
    score: float
    """nbgrader's score: manual scores where entered, else automatic, plus extra credit."""
    max_score: float
    late_penalty: float
    """nbgrader's late-submission penalty (0 when on time or no plugin applies one)."""
    cells: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict, repr=False)
    """(notebook, grade cell) -> (score, max score), as formgrader shows them."""
    needs_manual_grade: bool = False

    @property
    def final_score(self) -> float:
        """The score after the late penalty: what the grades export and the histogram show."""
        return max(0.0, self.score - self.late_penalty)


def record_class(
    config,
    *,
    db_url: str,
    course_id: str,
    assignment: str,
    submissions: list[SubmissionGrades],
    deadline: float,
    around_commit: Callable[[], AbstractContextManager] = contextlib.nullcontext,
) -> dict[str, Stored]:
    """Write every submission in one transaction (retried while another program holds a lock).

    Raises:
        GradebookLocked: the gradebook stayed locked until ``deadline``.
        Exception: anything nbgrader or SQLite raises; nothing is left written.
    """
    from nbgrader.preprocessors import AssignLatePenalties

    # The course's late-penalty plugin, configured in nbgrader_config.py (loaded once, here).
    penalties = AssignLatePenalties(config=config)
    penalties.init_plugin()

    def write(gb) -> dict[str, Stored]:
        with warnings.catch_warnings(), _one_transaction(gb) as commit:
            # nbgrader builds submission rows through relationship backrefs, which SQLAlchemy 2
            # warns about on every autoflush (serial nbgrader prints the same warnings).
            warnings.simplefilter("ignore", category=_sa_warning())
            for submission in submissions:
                _write_one(gb, assignment, submission)
            gb.db.flush()
            stored = {s.student: _stored(gb, penalties, assignment, s) for s in submissions}
            with around_commit():
                commit()
        return stored

    return retrying(db_url, course_id, write, deadline=deadline)


def _write_one(gb, assignment: str, submission: SubmissionGrades) -> None:
    student = submission.student
    gb.update_or_create_student(student)
    if submission.timestamp is not None:
        gb.update_or_create_submission(assignment, student, timestamp=submission.timestamp)
    else:
        gb.update_or_create_submission(assignment, student)
    for notebook in submission.notebooks:
        for grade_id, score in notebook.auto_scores.items():
            grade = gb.find_grade(grade_id, notebook.name, assignment, student)
            grade.auto_score = score
            # SaveAutoGrades: a cell an instructor scored, or one without an automatic score,
            # is flagged for review.
            grade.needs_manual_grade = grade.manual_score is not None or score is None
        for cell, text in notebook.auto_comments.items():
            gb.find_comment(cell, notebook.name, assignment, student).auto_comment = text


def _stored(gb, penalties, assignment: str, submission: SubmissionGrades) -> Stored:
    """Late penalties (the body of nbgrader's AssignLatePenalties) and the resulting scores."""
    found = gb.find_submission(assignment, submission.student)
    gb.db.refresh(found)
    total_penalty = 0.0
    cells: dict[tuple[str, str], tuple[float, float]] = {}
    manual = False
    for notebook in found.notebooks:
        gb.db.refresh(notebook)  # its score is a query over the grades flushed just now
        notebook.late_submission_penalty = None
        if found.total_seconds_late > 0:
            penalty = penalties.plugin_inst.late_submission_penalty(
                submission.student, notebook.score, found.total_seconds_late
            )
            if penalty is not None:
                notebook.late_submission_penalty = penalties._check_late_penalty(notebook, penalty)
        total_penalty += float(notebook.late_submission_penalty or 0.0)
        for grade in notebook.grades:
            cells[(notebook.name, grade.name)] = (float(grade.score), float(grade.max_score))
            manual = manual or bool(grade.needs_manual_grade)
    gb.db.flush()
    gb.db.refresh(found)
    return Stored(
        student=submission.student,
        score=float(found.score),
        max_score=float(found.max_score),
        late_penalty=total_penalty,
        cells=cells,
        needs_manual_grade=manual,
    )


@contextlib.contextmanager
def _one_transaction(gb) -> Iterator[Callable[[], None]]:
    """Make nbgrader's many per-call commits one transaction that the caller commits.

    nbgrader's Gradebook commits after each helper call (create student, create submission,
    save a grade); a failure half-way would leave partial rows. Inside this block its commits
    only flush; the caller commits once, and any exception rolls everything back.
    """
    session = gb.db
    real_commit = session.commit
    session.commit = session.flush  # instance attribute shadows the scoped_session method
    try:
        yield real_commit
    except BaseException:
        session.rollback()
        raise
    finally:
        del session.commit


def _sa_warning() -> type[Warning]:
    from sqlalchemy.exc import SAWarning

    return SAWarning


__all__ = ["NotebookGrades", "Stored", "SubmissionGrades", "record_class"]

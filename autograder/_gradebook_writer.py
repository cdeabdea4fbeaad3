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
    max_scores: dict[tuple[str, str], float],
    deadline: float,
    around_commit: Callable[[], AbstractContextManager] = contextlib.nullcontext,
) -> dict[str, Stored]:
    """Write every submission in one transaction (retried while another program holds a lock).

    Args:
        max_scores: (notebook, cell) -> points of every graded and task cell (read once before).

    Raises:
        GradebookLocked: the gradebook stayed locked until ``deadline``.
        Exception: anything nbgrader or SQLite raises; nothing is left written.
    """
    plugin = _late_plugin(config)

    def write(gb) -> dict[str, Stored]:
        with warnings.catch_warnings(), _one_transaction(gb) as commit:
            # nbgrader builds submission rows through relationship backrefs, which SQLAlchemy 2
            # warns about on every autoflush (serial nbgrader prints the same warnings).
            warnings.simplefilter("ignore", category=_sa_warning())
            for submission in submissions:
                _create_rows(gb, assignment, submission)
            gb.db.flush()
            grades, comments, notebooks = _rows(gb, assignment, {s.student for s in submissions})
            stored = {}
            for submission in submissions:
                _set_automatic(submission, grades, comments)
                stored[submission.student] = _penalise(plugin, submission, grades, notebooks, max_scores)
            gb.db.flush()
            with around_commit():
                commit()
        return stored

    return retrying(db_url, course_id, write, deadline=deadline)


def _create_rows(gb, assignment: str, submission: SubmissionGrades) -> None:
    """The student and submission rows, as ``nbgrader autograde`` makes them."""
    gb.update_or_create_student(submission.student)
    if submission.timestamp is not None:
        gb.update_or_create_submission(assignment, submission.student, timestamp=submission.timestamp)
    else:
        gb.update_or_create_submission(assignment, submission.student)


def _rows(gb, assignment: str, students: set[str]):
    """Every grade, comment and submitted notebook of these students, in three queries (one
    ``find_grade`` per cell would be one query each)."""
    from nbgrader.api import Assignment, BaseCell, Comment, Grade, Notebook, SubmittedAssignment, SubmittedNotebook

    def scoped(query):
        return (
            query.join(Notebook, SubmittedNotebook.notebook_id == Notebook.id)
            .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
            .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
            .filter(Assignment.name == assignment, SubmittedAssignment.student_id.in_(students))
        )

    grades = {
        (student, notebook, cell): grade
        for grade, cell, notebook, student in scoped(
            gb.db.query(Grade, BaseCell.name, Notebook.name, SubmittedAssignment.student_id)
            .join(BaseCell, Grade.cell_id == BaseCell.id)
            .join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
        )
    }
    comments = {
        (student, notebook, cell): comment
        for comment, cell, notebook, student in scoped(
            gb.db.query(Comment, BaseCell.name, Notebook.name, SubmittedAssignment.student_id)
            .join(BaseCell, Comment.cell_id == BaseCell.id)
            .join(SubmittedNotebook, Comment.notebook_id == SubmittedNotebook.id)
        )
    }
    notebooks = {
        (student, notebook): row
        for row, notebook, student in scoped(
            gb.db.query(SubmittedNotebook, Notebook.name, SubmittedAssignment.student_id)
        )
    }
    return grades, comments, notebooks


def _set_automatic(submission: SubmissionGrades, grades: dict, comments: dict) -> None:
    for notebook in submission.notebooks:
        for cell, score in notebook.auto_scores.items():
            grade = grades[(submission.student, notebook.name, cell)]
            grade.auto_score = score
            # SaveAutoGrades: a cell an instructor scored, or one without an automatic score,
            # is flagged for review.
            grade.needs_manual_grade = grade.manual_score is not None or score is None
        for cell, text in notebook.auto_comments.items():
            comments[(submission.student, notebook.name, cell)].auto_comment = text


def _penalise(plugin, submission: SubmissionGrades, grades: dict, notebooks: dict, max_scores: dict) -> Stored:
    """Late penalties (the body of nbgrader's AssignLatePenalties) and the resulting scores,
    computed as nbgrader's SQL properties compute them."""
    student = submission.student
    cells: dict[tuple[str, str], tuple[float, float]] = {}
    total = total_max = total_penalty = 0.0
    manual = False
    for (who, notebook_name), notebook in sorted(notebooks.items()):
        if who != student:
            continue
        score = 0.0
        for (who_, nb, cell), grade in grades.items():
            if who_ != student or nb != notebook_name:
                continue
            value = _grade_score(grade)
            score += value
            top = float(max_scores.get((nb, cell), 0.0))
            total_max += top
            cells[(nb, cell)] = (value, top)
            manual = manual or bool(grade.needs_manual_grade)
        notebook.late_submission_penalty = None
        late = notebook.assignment.total_seconds_late
        if late > 0:
            penalty = plugin.late_submission_penalty(student, score, late)
            if penalty is not None:
                notebook.late_submission_penalty = min(max(float(penalty), 0.0), score)  # _check_late_penalty
        total += score
        total_penalty += float(notebook.late_submission_penalty or 0.0)
    return Stored(
        student=student,
        score=total,
        max_score=total_max,
        late_penalty=total_penalty,
        cells=cells,
        needs_manual_grade=manual,
    )


def _grade_score(grade) -> float:
    """``Grade.score``: the manual score if there is one, else the automatic one, plus extra credit."""
    base = grade.manual_score if grade.manual_score is not None else grade.auto_score
    if base is None:
        return 0.0
    return float(base) + float(grade.extra_credit or 0.0)


def _late_plugin(config):
    """The course's late-penalty plugin (``c.AssignLatePenalties.plugin_class``), as nbgrader's
    AssignLatePenalties builds it."""
    from nbgrader.preprocessors import AssignLatePenalties

    penalties = AssignLatePenalties(config=config)
    penalties.init_plugin()
    return penalties.plugin_inst


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

"""Recording one executed submission in the gradebook: all of it in one transaction, or nothing.

Only the grading parent process calls this, one submission after another, so the SQLite
gradebook has a single writer. The scores come from nbgrader's own ``SaveAutoGrades`` cell logic
applied to the executed notebook (so they are the numbers serial ``nbgrader autograde`` would
store), then each check's test cell is capped at the *trusted* score that the parent computed
from the submitted snapshot before any learner code ran, then nbgrader's late-penalty plugin
runs. The autograded folder is swapped into place and the transaction committed; if anything
fails, the transaction is rolled back and the previous autograded folder restored.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from autograder._gradebook_guard import rows_of
from autograder.lab_notebook import GRADE_ID_PREFIX

EPSILON = 1e-9
CAPPED_NOTE = (
    "kubecourse grade: this cell reported {kernel:g} point(s), but re-running check '{check}' on "
    "the submitted snapshot.yaml outside the notebook gives {trusted:g}; {trusted:g} was recorded."
)


@dataclass(frozen=True, kw_only=True)
class CellScore:
    """The score of one check's test cell, as the notebook reported it and as recorded."""

    check: str
    kernel: float | None
    """What the executed test cell gave (``None``: the cell produced no score)."""
    trusted: float
    """The check re-run on the submitted snapshot in the grading process."""
    recorded: float | None
    """What the gradebook holds: ``min(kernel, trusted)``."""
    max_points: float

    @property
    def raised_by_notebook(self) -> bool:
        """The notebook claimed more than the check gives: a sign of tampering."""
        return self.kernel is not None and self.kernel > self.trusted + EPSILON


@dataclass(frozen=True, kw_only=True)
class Recorded:
    """One submission as stored in the gradebook."""

    student: str
    score: float
    max_score: float
    cells: tuple[CellScore, ...]
    late_penalty: float = 0.0
    rows: dict = field(default_factory=dict, repr=False)
    """Every score-bearing gradebook value written (for the gradebook guard)."""


def record(config, *, assignment: str, student: str, executed: Path, trusted: dict[str, float], gb=None) -> Recorded:
    """Store one executed submission (``executed`` = its staged autograded folder).

    Args:
        gb: an open nbgrader ``Gradebook`` to reuse (one per grading run: a new one per
            submission would recompile every SQL statement); opened here if ``None``.

    Raises:
        Exception: anything nbgrader or the file system raises; nothing is left half-written.
    """
    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config)
    course = Path(coursedir.root)
    notebooks = sorted(Path(executed).glob("*.ipynb"))
    timestamp = coursedir.get_existing_timestamp(str(course / coursedir.submitted_directory / student / assignment))
    owned = gb is None
    if owned:
        gb = Gradebook(coursedir.db_url, coursedir.course_id)
    with warnings.catch_warnings(), contextlib.ExitStack() as stack, _one_transaction(gb) as commit:
        if owned:
            stack.callback(gb.close)
        # nbgrader builds submission rows through relationship backrefs, which SQLAlchemy 2
        # warns about on every autoflush (serial nbgrader prints the same warnings).
        warnings.simplefilter("ignore", category=_sa_warning())
        gb.update_or_create_student(student)
        if timestamp:
            gb.update_or_create_submission(assignment, student, timestamp=timestamp)
        else:
            gb.update_or_create_submission(assignment, student)
        cells: list[CellScore] = []
        done = set()
        for path in notebooks:
            notebook_id = path.stem
            nb = _read(path)
            _save_autogrades(
                gb, nb, assignment=assignment, student=student, notebook_id=notebook_id, db_url=coursedir.db_url
            )
            capped = _cap(
                gb, nb, cells, assignment=assignment, student=student, notebook_id=notebook_id, trusted=trusted
            )
            if capped:
                _annotate(path, nb, capped)
            done.add(notebook_id)
        _zero_missing_notebooks(gb, assignment=assignment, student=student, done=done)
        penalty = sum(
            _late_penalty(config, gb, assignment=assignment, student=student, notebook_id=nb_id)
            for nb_id in sorted(done)
        )
        submission = gb.find_submission(assignment, student)
        gb.db.refresh(submission)
        score, max_score = float(submission.score), float(submission.max_score)
        rows = rows_of(gb, assignment, student)
        with _swapped_into_place(Path(executed), course / coursedir.autograded_directory / student / assignment):
            commit()
    return Recorded(
        student=student, score=score, max_score=max_score, cells=tuple(cells), late_penalty=penalty, rows=rows
    )


@contextlib.contextmanager
def _one_transaction(gb) -> Iterator:
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


def _save_autogrades(gb, nb, *, assignment, student, notebook_id, db_url) -> None:
    from nbgrader.preprocessors import SaveAutoGrades

    saver = SaveAutoGrades()
    saver.gradebook = gb
    saver.notebook_id, saver.assignment_id, saver.student_id, saver.db_url = notebook_id, assignment, student, db_url
    resources = {"nbgrader": {"notebook": notebook_id, "assignment": assignment, "student": student, "db_url": db_url}}
    for index, cell in enumerate(nb.cells):
        saver.preprocess_cell(cell, resources, index)


def _cap(gb, nb, cells, *, assignment, student, notebook_id, trusted) -> dict[int, CellScore]:
    """Cap each check cell at its trusted score; return the capped cells by index."""
    capped = {}
    for index, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        grade_id = str(meta.get("grade_id", ""))
        if not meta.get("grade") or not grade_id.startswith(GRADE_ID_PREFIX):
            continue
        check = grade_id[len(GRADE_ID_PREFIX) :]
        grade = gb.find_grade(grade_id, notebook_id, assignment, student)
        kernel = None if grade.auto_score is None else float(grade.auto_score)
        trust = float(trusted.get(check, 0.0))
        recorded = kernel
        if kernel is not None and kernel > trust + EPSILON:
            grade.auto_score = recorded = trust
        score = CellScore(
            check=check, kernel=kernel, trusted=trust, recorded=recorded, max_points=float(grade.max_score)
        )
        cells.append(score)
        if score.raised_by_notebook:
            capped[index] = score
    gb.db.flush()
    return capped


def _annotate(path: Path, nb, capped: dict[int, CellScore]) -> None:
    """Say in the autograded notebook (and so in the feedback) which score was recorded and why."""
    import nbformat

    for index, score in capped.items():
        note = CAPPED_NOTE.format(kernel=score.kernel, check=score.check, trusted=score.trusted)
        nb.cells[index].outputs.append(nbformat.v4.new_output("stream", name="stdout", text=note + "\n"))
    os.chmod(path, 0o644)
    nbformat.write(nb, str(path))
    os.chmod(path, 0o444)


def _zero_missing_notebooks(gb, *, assignment, student, done) -> None:
    # As nbgrader's autograde does for notebooks the student did not submit.
    for notebook in gb.find_assignment(assignment).notebooks:
        if notebook.name not in done:
            for grade in gb.find_submission_notebook(notebook.name, assignment, student).grades:
                grade.auto_score = 0
                grade.needs_manual_grade = False
    gb.db.flush()


def _late_penalty(config, gb, *, assignment, student, notebook_id) -> float:
    # The body of nbgrader's AssignLatePenalties.preprocess, on this transaction's session.
    from nbgrader.preprocessors import AssignLatePenalties

    assigner = AssignLatePenalties(config=config)
    assigner.init_plugin()
    submission = gb.find_submission(assignment, student)
    notebook = gb.find_submission_notebook(notebook_id, assignment, student)
    gb.db.refresh(notebook)  # its score is a query over the grades flushed just now
    notebook.late_submission_penalty = None
    if submission.total_seconds_late > 0:
        penalty = assigner.plugin_inst.late_submission_penalty(student, notebook.score, submission.total_seconds_late)
        if penalty is not None:
            notebook.late_submission_penalty = assigner._check_late_penalty(notebook, penalty)
    gb.db.flush()
    return float(notebook.late_submission_penalty or 0.0)


@contextlib.contextmanager
def _swapped_into_place(staged: Path, dest: Path) -> Iterator[None]:
    """Put ``staged`` at ``dest``; restore the previous ``dest`` if the block fails."""
    made_parent = not dest.parent.exists()
    dest.parent.mkdir(parents=True, exist_ok=True)
    incoming = dest.parent / f".{dest.name}.kubecourse-new"
    previous = dest.parent / f".{dest.name}.kubecourse-old"
    for leftover in (incoming, previous):
        if leftover.exists():
            shutil.rmtree(leftover)
    shutil.copytree(staged, incoming)
    had_previous = dest.exists()
    if had_previous:
        os.replace(dest, previous)
    os.replace(incoming, dest)
    try:
        yield
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        if had_previous:
            os.replace(previous, dest)
        elif made_parent:
            shutil.rmtree(dest.parent, ignore_errors=True)
        raise
    if had_previous:
        shutil.rmtree(previous, ignore_errors=True)


def _sa_warning() -> type[Warning]:
    from sqlalchemy.exc import SAWarning

    return SAWarning


def _read(path: Path):
    import nbformat

    return nbformat.read(str(path), as_version=nbformat.NO_CONVERT)


__all__ = ["CAPPED_NOTE", "CellScore", "Recorded", "record"]

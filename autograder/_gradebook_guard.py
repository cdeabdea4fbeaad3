"""The gradebook before grading (read once), and waiting out another program's lock on it.

``gradebook.db`` is SQLite: one writer at a time. Another program (formgrader saving a score, a
stuck ``nbgrader`` command, a process someone left running) can hold it locked. Every gradebook
operation here runs through :func:`retrying`: while SQLite reports the database locked or busy,
the operation is rolled back and tried again until a deadline; then one
:class:`GradebookLocked` error says so, and nothing has been written.

:func:`read_baseline` reads, once and before any grade is computed, what grading needs from the
gradebook: the assignment's notebooks and cells as ``nbgrader generate_assignment`` recorded
them (the instructor's versions, used to restore locked cells), the due date, and the scores and
comments instructors entered by hand (kept as they are; feedback shows them).
"""

from __future__ import annotations

import datetime
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from coursecore.errors import EnvironmentProblem, UsageError

T = TypeVar("T")
LOCK_TIMEOUT = 30.0
"""Seconds to wait for another program to release the gradebook, by default."""
_RETRY_PAUSE = 0.2


class GradebookLocked(EnvironmentProblem):
    """Another program held the gradebook locked for longer than the deadline."""


@dataclass(frozen=True, kw_only=True)
class SourceCell:
    """One nbgrader cell of the assignment, as the gradebook holds it."""

    name: str
    """The cell's ``grade_id``."""
    cell_type: str
    locked: bool
    checksum: str | None
    source: str
    """The release version of the cell (what learners were given)."""
    grade: bool = False
    """A graded cell (automatically or by hand)."""
    solution: bool = False
    """A cell the learner answers in."""
    task: bool = False
    """A manually graded task cell."""
    max_score: float | None = None
    """Points of a graded or task cell."""


@dataclass(frozen=True, kw_only=True)
class NotebookBaseline:
    """One notebook of the assignment."""

    name: str
    cells: tuple[SourceCell, ...]
    """In the order of the release notebook where it can be read, else the gradebook's."""
    metadata: dict = field(default_factory=dict)
    """The release notebook's kernel metadata (``kernelspec``, ``language_info``)."""
    cell_metadata: dict[str, dict] = field(default_factory=dict)
    """Each nbgrader cell's metadata in the release notebook, by ``grade_id``."""

    def cell(self, name: str) -> SourceCell | None:
        return next((c for c in self.cells if c.name == name), None)


@dataclass(frozen=True, kw_only=True)
class ReleaseNotebook:
    """What grading reads of a release notebook (``release/<assignment>/<notebook>.ipynb``)."""

    metadata: dict
    """``kernelspec`` and ``language_info``."""
    cells: tuple[tuple[str, dict], ...]
    """(``grade_id``, cell metadata) of each nbgrader cell, in order."""


@dataclass(frozen=True, kw_only=True)
class ManualGrade:
    """What an instructor entered for one cell of one submission."""

    score: float | None = None
    extra_credit: float | None = None
    comment: str | None = None


@dataclass(frozen=True, kw_only=True)
class Baseline:
    """What grading reads from the gradebook, once."""

    assignment: str
    duedate: datetime.datetime | None
    notebooks: tuple[NotebookBaseline, ...]
    manual: dict[tuple[str, str, str], ManualGrade] = field(default_factory=dict)
    """(student, notebook, cell) -> the instructor's entries, where there are any."""


def retrying(db_url: str, course_id: str, operation: Callable[..., T], *, deadline: float) -> T:
    """Run ``operation(gradebook)`` on a fresh connection, again while the database is locked.

    ``deadline`` is a :func:`time.monotonic` time. The operation must leave nothing behind when
    it raises (one transaction, rolled back).

    Raises:
        GradebookLocked: still locked at the deadline.
    """
    from nbgrader.api import Gradebook
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    while True:
        remaining = deadline - time.monotonic()
        try:
            gb = Gradebook(db_url, course_id)
            try:
                # SQLite waits this long for a lock itself before saying "database is locked".
                gb.db.execute(text(f"PRAGMA busy_timeout = {int(max(0.05, min(remaining, 1.0)) * 1000)}"))
                return operation(gb)
            finally:
                gb.close()
        except OperationalError as err:
            if not _locked(err):
                raise
            if time.monotonic() + _RETRY_PAUSE >= deadline:
                raise locked_error(db_url.removeprefix("sqlite:///")) from None
            time.sleep(_RETRY_PAUSE)


def locked_error(db: str) -> GradebookLocked:
    """The one error for a gradebook that stayed locked."""
    return GradebookLocked(
        f"{db} is locked by another program (formgrader, an nbgrader command, or a process left "
        "running); nothing was recorded",
        hint="Close what holds it and run kubecourse grade again (or wait longer: --lock-timeout).",
    )


def is_locked(err: Exception) -> bool:
    """Whether an SQLite error (raw or wrapped by SQLAlchemy) says another connection holds a lock."""
    return _locked(err)


def _locked(err: Exception) -> bool:
    original = err if isinstance(err, sqlite3.OperationalError) else getattr(err, "orig", None)
    if isinstance(original, sqlite3.OperationalError):
        code = getattr(original, "sqlite_errorcode", None)
        if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return True
        return "locked" in str(original) or "busy" in str(original)
    return "database is locked" in str(err)


def read_baseline(gb, assignment: str, release: dict[str, ReleaseNotebook]) -> Baseline:
    """Read the assignment's structure and the instructors' entries through ``gb``.

    Args:
        release: the release notebooks that could be read, by name (for cell order and metadata).

    Raises:
        UsageError: the assignment is not in the gradebook.
    """
    from nbgrader.api import MissingEntry

    try:
        found = gb.find_assignment(assignment)
    except MissingEntry:
        known = ", ".join(sorted(a.name for a in gb.assignments)) or "none"
        raise UsageError(
            f"assignment {assignment!r} is not in the gradebook (known: {known})",
            hint="build it with `kubecourse course build`",
        ) from None
    notebooks = []
    for notebook in found.notebooks:
        grades = {c.name: c for c in notebook.grade_cells}
        tasks = {c.name: c for c in notebook.task_cells}
        solutions = {c.name for c in notebook.solution_cells}
        cells = [
            SourceCell(
                name=c.name,
                cell_type=c.cell_type,
                locked=bool(c.locked),
                checksum=c.checksum,
                source=c.source or "",
                grade=c.name in grades,
                solution=c.name in solutions,
                task=c.name in tasks,
                max_score=float(grades[c.name].max_score)
                if c.name in grades
                else float(tasks[c.name].max_score)
                if c.name in tasks
                else None,
            )
            for c in notebook.source_cells
        ]
        released = release.get(notebook.name)
        order = {name: i for i, (name, _) in enumerate(released.cells if released else ())}
        cells.sort(key=lambda c: (order.get(c.name, len(order)), c.name))
        notebooks.append(
            NotebookBaseline(
                name=notebook.name,
                cells=tuple(cells),
                metadata=dict(released.metadata) if released else {},
                cell_metadata={name: meta for name, meta in released.cells} if released else {},
            )
        )
    manual: dict[tuple[str, str, str], ManualGrade] = {}
    for submission in gb.assignment_submissions(assignment):
        for notebook in submission.notebooks:
            comments = {c.name: c.manual_comment for c in notebook.comments if c.manual_comment}
            for grade in notebook.grades:
                if grade.manual_score is not None or grade.extra_credit is not None or grade.name in comments:
                    manual[(submission.student_id, notebook.name, grade.name)] = ManualGrade(
                        score=_num(grade.manual_score),
                        extra_credit=_num(grade.extra_credit),
                        comment=comments.get(grade.name),
                    )
            for name, text in comments.items():
                key = (submission.student_id, notebook.name, name)
                if key not in manual:
                    manual[key] = ManualGrade(comment=text)
    return Baseline(
        assignment=assignment,
        duedate=found.duedate,
        notebooks=tuple(sorted(notebooks, key=lambda n: n.name)),
        manual=manual,
    )


def _num(value) -> float | None:
    return None if value is None else float(value)


__all__ = [
    "LOCK_TIMEOUT",
    "Baseline",
    "GradebookLocked",
    "ManualGrade",
    "NotebookBaseline",
    "ReleaseNotebook",
    "SourceCell",
    "is_locked",
    "locked_error",
    "read_baseline",
    "retrying",
]

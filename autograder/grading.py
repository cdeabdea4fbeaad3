"""Class grading: ``kubecourse grade ASSIGNMENT`` autogrades every submission in parallel.

nbgrader grades one submission at a time. Here worker processes execute submissions side by side
(:mod:`autograder._autograde_worker`: nbgrader's own sanitise and execute steps, no gradebook
writes) while this process records each finished one in the gradebook, one transaction per
submission (:mod:`autograder._gradebook_writer`), so rows are never lost or half-written.

Grading integrity: learner code runs in the grading kernel before the test cells and can patch
anything there, so a notebook's numbers are never taken alone. Before any kernel starts, this
process reads every submitted ``snapshot.yaml`` and runs the lab's checks on it; the gradebook
stores ``min(kernel score, trusted score)`` per test cell, and every cell where the notebook
claimed more is reported. Learner code can lower its score, never raise it.
"""

from __future__ import annotations

import concurrent.futures as futures
import contextlib
import multiprocessing
import os
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from autograder import _nbgrader
from autograder._autograde_worker import Executed, Job, execute, feedback
from autograder._gradebook_guard import GradebookGuard
from autograder._gradebook_writer import CellScore, record
from autograder.notebook import SNAPSHOT_NAME
from autograder.state import State
from coursecore.errors import KubecourseError, UsageError

Progress = Callable[[str, str, int], None]
"""Called as ``progress(phase, student, total)``: ``started`` once the workers exist, then
``graded``, ``failed`` or ``feedback`` after each step; ``total`` is the number of submissions."""


@dataclass(frozen=True, kw_only=True)
class StudentGrade:
    """One submission's outcome."""

    student: str
    graded: bool
    """False if the submission could not be executed or recorded (no rows were written)."""
    score: float = 0.0
    max_score: float = 0.0
    cells: tuple[CellScore, ...] = ()
    error: str = ""
    """Why it could not be graded."""
    snapshot_note: str = ""
    """A problem with the submitted snapshot (missing, malformed)."""
    log: str = field(default="", repr=False)

    @property
    def tampered(self) -> tuple[CellScore, ...]:
        """Cells where the notebook reported more than the trusted re-check."""
        return tuple(c for c in self.cells if c.raised_by_notebook)

    def to_json(self) -> dict:
        return {
            "student": self.student,
            "graded": self.graded,
            "score": self.score,
            "max_score": self.max_score,
            "error": self.error,
            "snapshot": self.snapshot_note or "ok",
            "checks": [
                {
                    "id": c.check,
                    "kernel": c.kernel,
                    "trusted": c.trusted,
                    "recorded": c.recorded,
                    "max_points": c.max_points,
                    "raised_by_notebook": c.raised_by_notebook,
                }
                for c in self.cells
            ],
        }


@dataclass(frozen=True, kw_only=True)
class ClassGrades:
    """The result of grading one assignment for a whole class."""

    assignment: str
    course: Path
    students: tuple[StudentGrade, ...]
    seconds: float
    jobs: int
    feedback_failures: tuple[str, ...] = ()
    gradebook_tampering: tuple[str, ...] = ()
    """Gradebook rows that changed behind the grader's back while kernels ran (restored)."""
    csv: Path | None = None
    figure: Path | None = None

    @property
    def failed(self) -> tuple[StudentGrade, ...]:
        return tuple(s for s in self.students if not s.graded)

    @property
    def needs_attention(self) -> bool:
        """Some submission was not graded, or some notebook claimed more than it earned."""
        return bool(self.failed or self.gradebook_tampering or any(s.tampered for s in self.students))

    def to_json(self) -> dict:
        return {
            "assignment": self.assignment,
            "course": str(self.course),
            "jobs": self.jobs,
            "seconds": round(self.seconds, 2),
            "graded": sum(s.graded for s in self.students),
            "failed": [s.student for s in self.failed],
            "tampering": [
                {"student": s.student, "checks": [c.check for c in s.tampered]} for s in self.students if s.tampered
            ]
            + [{"gradebook": row} for row in self.gradebook_tampering],
            "feedback_failures": list(self.feedback_failures),
            "csv": str(self.csv) if self.csv else None,
            "figure": str(self.figure) if self.figure else None,
            "students": [s.to_json() for s in self.students],
        }


def grade_assignment(
    course: Path,
    assignment: str,
    *,
    jobs: int | None = None,
    progress: Progress | None = None,
    with_feedback: bool = True,
    live: Callable[[str], State] | None = None,
) -> ClassGrades:
    """Autograde every submission of ``assignment`` in ``course``, then feedback and exports.

    With ``live`` (student id -> the state of their work on a cluster), the trusted scores that
    cap each notebook come from that live state instead of the submitted ``snapshot.yaml``,
    which a learner could have edited.

    Raises:
        UsageError: not a course, unknown assignment, no submissions, broken gradebook.
        EnvironmentProblem: alembic or the kernel's Python cannot be found.
    """
    from autograder.grade_report import write_csv, write_histogram

    started = time.perf_counter()
    course = Path(course).resolve()
    jobs = max(1, jobs or os.cpu_count() or 1)
    progress = progress or (lambda phase, student, total: None)
    config = _nbgrader.load_config(course)
    _nbgrader.check_gradebook(course)
    _nbgrader.quiet_nbgrader_logs()
    with _nbgrader.tools_on_path():
        students = _submissions(course, assignment)
        trusted = {
            s: _trusted_scores(assignment, course / "submitted" / s / assignment / SNAPSHOT_NAME)
            if live is None
            else _live_scores(assignment, s, live)
            for s in students
        }
        staging = Path(tempfile.mkdtemp(prefix="kubecourse-grade-"))
        try:
            readonly_db = _copy_gradebook(course, staging)
            guard = GradebookGuard(_nbgrader.db_url(course), _nbgrader.COURSE_ID, assignment)
            jobs_list = [
                Job(
                    course=str(course),
                    assignment=assignment,
                    student=s,
                    staging=str(staging / "autograded"),
                    db_url=f"sqlite:///{readonly_db}",
                )
                for s in students
            ]
            results, feedback_failures = _run(config, jobs_list, trusted, jobs, progress, with_feedback, guard)
            gradebook_tampering = guard.verify_and_restore()
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    ordered = tuple(sorted(results, key=lambda r: r.student))
    exports = course / "grades"
    csv = write_csv(exports / f"{assignment}.csv", assignment, ordered)
    figure = write_histogram(exports / f"{assignment}-distribution.png", assignment, ordered)
    return ClassGrades(
        assignment=assignment,
        course=course,
        students=ordered,
        seconds=time.perf_counter() - started,
        jobs=jobs,
        feedback_failures=tuple(feedback_failures),
        gradebook_tampering=tuple(gradebook_tampering),
        csv=csv,
        figure=figure,
    )


def _run(config, jobs_list, trusted, jobs, progress, with_feedback, guard):
    """Execute in workers, record here as each finishes, then render feedback in the workers."""
    results: list[StudentGrade] = []
    feedback_failures: list[str] = []
    course, assignment = jobs_list[0].course, jobs_list[0].assignment
    with contextlib.ExitStack() as stack:
        pool = stack.enter_context(
            futures.ProcessPoolExecutor(max_workers=min(jobs, len(jobs_list)), mp_context=_context())
        )
        pending = {pool.submit(execute, job): job.student for job in jobs_list}
        total = len(jobs_list)
        progress("started", "", total)  # workers exist now; a progress display may start its thread
        rendering = []
        # One gradebook connection for the whole run, opened after the workers were forked.
        gb = stack.enter_context(_open_gradebook(course))
        # This process mostly waits on the workers; import the plotting library meanwhile
        # (a second and a half that would otherwise come after the last submission).
        threading.Thread(target=_import_plotting, name="import-matplotlib", daemon=True).start()
        try:
            for done in futures.as_completed(pending):
                student = pending[done]
                scores, note = trusted[student]
                executed: Executed = done.result()
                grade = _record(config, gb, assignment, executed, scores, note, guard)
                results.append(grade)
                progress("graded" if grade.graded else "failed", student, total)
                if grade.graded and with_feedback:
                    rendering.append(pool.submit(feedback, course, assignment, student))
            for done in futures.as_completed(rendering):
                student, ok, error = done.result()
                if not ok:
                    feedback_failures.append(f"{student}: {error}")
                progress("feedback", student, total)
        except BaseException:
            for future in [*pending, *rendering]:
                future.cancel()
            raise
    return results, feedback_failures


def _record(config, gb, assignment, executed: Executed, scores, note, guard) -> StudentGrade:
    if not executed.ok:
        return StudentGrade(
            student=executed.student, graded=False, error=executed.error, log=executed.log, snapshot_note=note
        )
    try:
        stored = record(
            config,
            assignment=assignment,
            student=executed.student,
            executed=Path(executed.folder),
            trusted=scores,
            gb=gb,
        )
    except Exception as error:  # noqa: BLE001 - one bad submission must not stop the class
        return StudentGrade(
            student=executed.student,
            graded=False,
            log=executed.log,
            snapshot_note=note,
            error=f"could not record grades (nothing was written): {type(error).__name__}: {error}",
        )
    guard.expect(executed.student, stored.rows)
    return StudentGrade(
        student=executed.student,
        graded=True,
        score=stored.score,
        max_score=stored.max_score,
        cells=stored.cells,
        snapshot_note=note,
        log=executed.log,
    )


def _trusted_scores(lab_id: str, snapshot: Path) -> tuple[dict[str, float], str]:
    """Each check's points on the submitted snapshot, computed here, never in a learner's kernel."""
    import autograder

    checks = autograder.load_checks(lab_id).checks
    zero = {c.id: 0.0 for c in checks}
    if not snapshot.is_file():
        return zero, "no snapshot.yaml submitted"
    try:
        state = autograder.load_snapshot(snapshot)
    except UsageError as error:
        return zero, f"unreadable snapshot: {error.message}"
    report = autograder.run_checks(lab_id, state)
    return {r.check.id: float(r.points) for r in report.checks}, ""


def _live_scores(lab_id: str, student: str, live: Callable[[str], State]) -> tuple[dict[str, float], str]:
    """Each check's points on the student's live state (read with the grader's credentials)."""
    import autograder

    checks = autograder.load_checks(lab_id).checks
    try:
        report = autograder.run_checks(lab_id, live(student))
    except KubecourseError as error:  # one unreachable namespace must not stop the class
        return {c.id: 0.0 for c in checks}, f"live state not readable: {error.message}"
    return {r.check.id: float(r.points) for r in report.checks}, ""


def _submissions(course: Path, assignment: str) -> list[str]:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(_nbgrader.db_url(course), _nbgrader.COURSE_ID) as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            known = ", ".join(a.name for a in gb.assignments) or "none"
            raise UsageError(
                f"assignment {assignment!r} is not in {course}/gradebook.db (known: {known}); "
                "build it with `kubecourse course build`"
            ) from None
    submitted = course / "submitted"
    students = sorted(p.parent.name for p in submitted.glob(f"*/{assignment}") if any(p.glob("*.ipynb")))
    if not students:
        raise UsageError(f"no submissions of {assignment!r}: expected {submitted}/<student>/{assignment}/*.ipynb")
    return students


def _import_plotting() -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.figure  # noqa: F401
    except Exception:  # noqa: BLE001 - write_histogram reports a real problem later
        pass


def _open_gradebook(course: str):
    from nbgrader.api import Gradebook

    return Gradebook(_nbgrader.db_url(Path(course)), _nbgrader.COURSE_ID)


def _copy_gradebook(course: Path, staging: Path) -> Path:
    """A consistent copy for the workers to read, so that nothing but this process opens the real one."""
    target = staging / "gradebook-readonly.db"
    with sqlite3.connect(course / _nbgrader.GRADEBOOK_NAME) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    source.close()
    copy.close()
    return target


def _context():
    # fork reuses this process's imported nbgrader (seconds per worker otherwise); it is taken
    # before any thread or database connection exists here. Other systems get spawn.
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")


__all__ = ["ClassGrades", "StudentGrade", "grade_assignment"]

"""Class grading: ``kubecourse grade ASSIGNMENT`` scores every submission with the lab's checks.

Labs grade cluster state, not notebook code, so no learner code runs while grading: no kernel
starts, no learner file is imported or executed. Every score comes from the lab's checks run in
this process on the submitted ``snapshot.yaml`` (or, with ``live``, on the student's namespace
read with the grader's credentials). The steps, in order:

1. **Read, once.** The course's ``nbgrader_config.py`` (loaded here, once), the release notebooks,
   the gradebook as it stands (:mod:`autograder._gradebook_guard`), and each submission's graded
   files (:mod:`autograder._submission`: no link followed, no special file read, sizes bounded).
2. **Grade.** Parse each snapshot within limits, run the checks, and build the autograded
   notebook with the results in the test cells' outputs (:mod:`autograder._autograded`).
   Submissions are graded ``jobs`` at a time; an invalid one scores 0 and the rest go on.
3. **Record.** One gradebook transaction for the whole class, nbgrader's rows and late
   penalties, manual scores untouched (:mod:`autograder._gradebook_writer`); the autograded
   folders are swapped into place with the commit. A locked gradebook is waited for until a
   deadline, then one error, and nothing is written.
4. **Report.** Feedback pages (:mod:`autograder.feedback_page`), the grades CSV and histogram.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder import _nbgrader
from autograder._course_files import Layout, layout_of, read_release, staging, swapped_into_place
from autograder._feedback_writer import write_feedback
from autograder._gradebook_guard import LOCK_TIMEOUT, Baseline, read_baseline, retrying
from autograder._gradebook_writer import Stored, SubmissionGrades, record_class
from autograder._grader import Grader, Outcome, Progress, Status, grade_all
from autograder._submission import candidates
from autograder.state import State
from coursecore._quickimport import import_jsonschema_quickly
from coursecore.errors import UsageError


@dataclass(frozen=True, kw_only=True)
class CheckScore:
    """One check's result for one submission (the instructor's view: hidden checks included)."""

    id: str
    title: str
    points: float
    """As recorded in the test cell (scaled if the gradebook gives the cell other points)."""
    max_points: float
    passed: bool
    status: str
    """``passed``, ``failed`` or ``error`` (the check itself broke)."""
    message: str = ""


@dataclass(frozen=True, kw_only=True)
class StudentGrade:
    """One submission's outcome."""

    student: str
    status: Status
    """``graded``; ``invalid`` (recorded as 0: links, special files, over the limits, not a
    notebook); ``refused`` (an id that cannot be recorded at all)."""
    score: float = 0.0
    """nbgrader's score before any late penalty (manual scores and extra credit included)."""
    max_score: float = 0.0
    late_penalty: float = 0.0
    checks: tuple[CheckScore, ...] = ()
    problem: str = ""
    """Why the submission is invalid or refused."""
    snapshot_note: str = ""
    """A problem with the graded state (no snapshot, unreadable snapshot, live state not readable)."""
    notes: tuple[str, ...] = ()
    """Cells restored or put back."""
    needs_manual_grade: bool = False

    @property
    def graded(self) -> bool:
        return self.status == "graded"

    @property
    def final_score(self) -> float:
        """The score after the late penalty (the grades CSV and histogram show this one)."""
        return max(0.0, self.score - self.late_penalty)

    def to_json(self) -> dict:
        return {
            "student": self.student,
            "status": self.status,
            "graded": self.graded,
            "score": self.final_score,
            "score_before_penalty": self.score,
            "late_penalty": self.late_penalty,
            "max_score": self.max_score,
            "problem": self.problem,
            "snapshot": self.snapshot_note or "ok",
            "notes": list(self.notes),
            "needs_manual_grade": self.needs_manual_grade,
            "checks": [
                {
                    "id": c.id,
                    "title": c.title,
                    "points": c.points,
                    "max_points": c.max_points,
                    "passed": c.passed,
                    "status": c.status,
                    "message": c.message,
                }
                for c in self.checks
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
    source: str = "snapshot"
    """Where the trusted state came from: ``snapshot`` or ``live``."""
    feedback_failures: tuple[str, ...] = ()
    csv: Path | None = None
    figure: Path | None = None

    @property
    def not_graded(self) -> tuple[StudentGrade, ...]:
        return tuple(s for s in self.students if not s.graded)

    @property
    def needs_attention(self) -> bool:
        """Some submission was invalid or refused, or some feedback could not be written."""
        return bool(self.not_graded or self.feedback_failures)

    def to_json(self) -> dict:
        return {
            "assignment": self.assignment,
            "course": str(self.course),
            "source": self.source,
            "jobs": self.jobs,
            "seconds": round(self.seconds, 2),
            "graded": sum(s.graded for s in self.students),
            "not_graded": [{"student": s.student, "status": s.status, "problem": s.problem} for s in self.not_graded],
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
    lock_timeout: float = LOCK_TIMEOUT,
) -> ClassGrades:
    """Grade every submission of ``assignment`` in ``course`` with the lab's checks.

    Args:
        jobs: submissions graded at once (threads; reading a live cluster waits on the network).
        live: student id -> the state of their work on a cluster; the checks read that instead
            of the submitted ``snapshot.yaml``.
        lock_timeout: seconds to wait for another program to release the gradebook.

    Raises:
        UsageError: not a course, unknown assignment or lab, no submissions, broken gradebook.
        GradebookLocked: the gradebook stayed locked for ``lock_timeout`` seconds (nothing written).
        EnvironmentProblem: alembic cannot be found.
    """
    from autograder.grade_report import BackgroundPainter, write_csv, write_histogram

    started = time.perf_counter()
    with BackgroundPainter() as painter:  # first: it forks while this process has no other thread
        import_jsonschema_quickly()  # nbgrader imports nbformat, which imports jsonschema: skip its IRI grammar
        course = Path(course).resolve()
        jobs = max(1, jobs or 4)
        progress = progress or (lambda phase, student, total: None)
        with _nbgrader.tools_on_path():
            setup = _read_course(course, assignment, lock_timeout)
            progress("started", "", len(setup.students))
            outcomes, stored = _grade_and_record(setup, jobs, progress, live, lock_timeout)
        grades = tuple(_student_grade(o, stored.get(o.student), setup.baseline) for o in outcomes)
        failures = (
            write_feedback(setup.layout, assignment, setup.baseline, outcomes, stored, progress)
            if with_feedback
            else []
        )
        exports = course / "grades"
        csv = write_csv(exports / f"{assignment}.csv", assignment, grades)
        figure = write_histogram(exports / f"{assignment}-distribution.png", assignment, grades, painter=painter)
    return ClassGrades(
        assignment=assignment,
        course=course,
        students=grades,
        seconds=time.perf_counter() - started,
        jobs=jobs,
        source="live" if live is not None else "snapshot",
        feedback_failures=tuple(failures),
        csv=csv,
        figure=figure,
    )


@dataclass(frozen=True, kw_only=True)
class _Setup:
    """Everything read before grading starts."""

    assignment: str
    config: Any
    """The course's nbgrader configuration (``nbgrader_config.py``, executed once)."""
    layout: Layout
    lab: Any
    """The lab's checks (:class:`~autograder.loader.LabChecks`)."""
    db_url: str
    baseline: Baseline
    students: list[str]


def _read_course(course: Path, assignment: str, lock_timeout: float) -> _Setup:
    """Step 1: the course configuration, the lab, the release notebooks and the gradebook."""
    import autograder

    deadline = time.monotonic() + lock_timeout
    config = _nbgrader.load_config(course)  # the course's nbgrader_config.py, executed once, here
    _nbgrader.check_inert_rendering(config, course)
    _nbgrader.check_gradebook(course, lock_timeout=deadline - time.monotonic())
    _nbgrader.quiet_nbgrader_logs()
    layout = layout_of(config, course)
    lab = autograder.load_checks(assignment)
    db_url = _nbgrader.db_url(course)
    release = read_release(layout.release / assignment)
    baseline = retrying(
        db_url, _nbgrader.COURSE_ID, lambda gb: read_baseline(gb, assignment, release), deadline=deadline
    )
    students = candidates(layout.submitted, assignment)
    if not students:
        raise UsageError(
            f"no submissions of {assignment!r}: expected {layout.submitted}/<student>/{assignment}/<notebook>.ipynb"
        )
    return _Setup(
        assignment=assignment,
        config=config,
        layout=layout,
        lab=lab,
        db_url=db_url,
        baseline=baseline,
        students=students,
    )


def _grade_and_record(setup: _Setup, jobs: int, progress: Progress, live, lock_timeout: float):
    """Steps 2 and 3: grade every submission, then record the class in one transaction."""
    layout, baseline = setup.layout, setup.baseline
    layout.autograded.mkdir(parents=True, exist_ok=True)
    with staging(layout.course) as folder:
        grader = Grader(setup.assignment, layout, baseline, setup.lab, live, folder)
        outcomes = grade_all(grader, setup.students, jobs, progress)
        recorded = [o for o in outcomes if o.status != "refused"]
        stored = record_class(
            setup.config,
            db_url=setup.db_url,
            course_id=_nbgrader.COURSE_ID,
            assignment=setup.assignment,
            submissions=[
                SubmissionGrades(student=o.student, timestamp=o.timestamp, notebooks=o.grades) for o in recorded
            ],
            max_scores={
                (n.name, c.name): float(c.max_score or 0.0)
                for n in baseline.notebooks
                for c in n.cells
                if c.grade or c.task
            },
            deadline=time.monotonic() + lock_timeout,
            around_commit=lambda: swapped_into_place(
                layout.autograded, setup.assignment, {o.student: o.staged for o in recorded}
            ),
        )
    return outcomes, stored


def _student_grade(outcome: Outcome, stored: Stored | None, baseline: Baseline) -> StudentGrade:
    checks = []
    cells = stored.cells if stored else {}
    for check_id, result in outcome.results.items():
        recorded = next(
            (score for (_, cell), (score, _) in cells.items() if cell == f"check-{check_id}"), float(result.points)
        )
        checks.append(
            CheckScore(
                id=check_id,
                title=result.check.title,
                points=float(recorded),
                max_points=float(result.check.points),
                passed=result.passed,
                status=result.status,
                message=result.to_json(reveal_hidden=True)["message"],
            )
        )
    notes = tuple(note for done in outcome.notebooks.values() for note in done.notes)
    max_score = (
        stored.max_score if stored else sum(c.max_score or 0.0 for n in baseline.notebooks for c in n.cells if c.grade)
    )
    return StudentGrade(
        student=outcome.student,
        status=outcome.status,
        score=stored.score if stored else 0.0,
        max_score=max_score,
        late_penalty=stored.late_penalty if stored else 0.0,
        checks=tuple(checks),
        problem=outcome.problem,
        snapshot_note=outcome.snapshot_note,
        notes=notes,
        needs_manual_grade=stored.needs_manual_grade if stored else False,
    )


__all__ = ["CheckScore", "ClassGrades", "StudentGrade", "grade_assignment"]

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

import concurrent.futures as futures
import contextlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from autograder import _nbgrader
from autograder._autograded import Autograded, InvalidNotebook, autograde, missing, parse_notebook
from autograder._gradebook_guard import LOCK_TIMEOUT, Baseline, ReleaseNotebook, read_baseline, retrying
from autograder._gradebook_writer import NotebookGrades, Stored, SubmissionGrades, record_class
from autograder._submission import Submission, candidates, read_submission, student_id_problem
from autograder.notebook import SNAPSHOT_NAME
from autograder.state import State
from coursecore._quickimport import import_jsonschema_quickly
from coursecore.errors import KubecourseError, UsageError

Progress = Callable[[str, str, int], None]
"""Called as ``progress(phase, student, total)``: ``started`` once, then ``graded`` or
``invalid`` after each submission, ``feedback`` after each feedback page; ``total`` is the
number of submissions."""
Status = Literal["graded", "invalid", "refused"]
TIMESTAMP_NAME = "timestamp.txt"


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


@dataclass(frozen=True, kw_only=True)
class _Layout:
    """The course's folders, from its nbgrader configuration."""

    course: Path
    submitted: Path
    autograded: Path
    feedback: Path
    release: Path


@dataclass(kw_only=True)
class _Outcome:
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
    import_jsonschema_quickly()  # nbgrader imports nbformat, which imports jsonschema: skip its IRI grammar
    import autograder

    started = time.perf_counter()
    course = Path(course).resolve()
    jobs = max(1, jobs or 4)
    progress = progress or (lambda phase, student, total: None)
    read_deadline = time.monotonic() + lock_timeout
    config = _nbgrader.load_config(course)  # the course's nbgrader_config.py, executed once, here
    _nbgrader.check_inert_rendering(config, course)
    _nbgrader.check_gradebook(course, lock_timeout=read_deadline - time.monotonic())
    _nbgrader.quiet_nbgrader_logs()
    layout = _layout(config, course)
    lab = autograder.load_checks(assignment)
    db_url = _nbgrader.db_url(course)
    with _nbgrader.tools_on_path():
        release = _read_release(layout.release / assignment)
        baseline = retrying(
            db_url,
            _nbgrader.COURSE_ID,
            lambda gb: read_baseline(gb, assignment, release),
            deadline=read_deadline,
        )
        students = candidates(layout.submitted, assignment)
        if not students:
            raise UsageError(
                f"no submissions of {assignment!r}: expected {layout.submitted}/<student>/{assignment}/<notebook>.ipynb"
            )
        progress("started", "", len(students))
        layout.autograded.mkdir(parents=True, exist_ok=True)
        with _staging(course) as staging:
            grade = _Grader(assignment, layout, baseline, lab, live, staging)
            outcomes = _run(grade, students, jobs, progress)
            recorded = [o for o in outcomes if o.status != "refused"]
            stored = record_class(
                config,
                db_url=db_url,
                course_id=_nbgrader.COURSE_ID,
                assignment=assignment,
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
                around_commit=lambda: _swapped_into_place(layout.autograded, assignment, recorded),
            )
    grades = tuple(_student_grade(o, stored.get(o.student), baseline) for o in outcomes)
    failures: list[str] = []
    if with_feedback:
        failures = _write_feedback(layout, assignment, baseline, outcomes, stored, progress)
    from autograder.grade_report import write_csv, write_histogram

    exports = course / "grades"
    csv = write_csv(exports / f"{assignment}.csv", assignment, grades)
    figure = write_histogram(exports / f"{assignment}-distribution.png", assignment, grades)
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


class _Grader:
    """Grades one submission at a time (thread-safe: each call touches only its own files)."""

    def __init__(self, assignment, layout: _Layout, baseline: Baseline, lab, live, staging: Path) -> None:
        self.assignment, self.layout, self.baseline, self.lab = assignment, layout, baseline, lab
        self.live, self.staging = live, staging
        self.names = tuple(n.name for n in baseline.notebooks)

    def __call__(self, student: str) -> _Outcome:
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
        outcome = _Outcome(
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

    def _invalid(self, student: str, problem: str) -> _Outcome:
        if student_id_problem(student):
            return _Outcome(student=student, status="refused", problem=problem)
        grades = tuple(
            NotebookGrades(name=n.name, auto_scores=missing(n)[0], auto_comments=missing(n)[1])
            for n in self.baseline.notebooks
        )
        return _Outcome(student=student, status="invalid", problem=problem, grades=grades)

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
            report = autograder.run_checks(self.lab.lab or self.lab.path, state)
        except KubecourseError as error:
            what = "live state not readable" if self.live is not None else "unreadable snapshot"
            return self._all_failed(f"The {what.split()[0]} state could not be read: {error.message}"), (
                f"{what}: {error.message}"
            )
        return {r.check.id: r for r in report.checks}, ""

    def _all_failed(self, message: str) -> dict[str, Any]:
        from autograder.results import CheckResult

        return {c.id: CheckResult(check=c, status="failed", points=0.0, message=message) for c in self.lab.checks}

    def _stage(self, student: str, outcome: _Outcome, submission: Submission) -> Path:
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


def _run(grade: _Grader, students: list[str], jobs: int, progress: Progress) -> list[_Outcome]:
    total = len(students)
    outcomes: dict[str, _Outcome] = {}
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


def _student_grade(outcome: _Outcome, stored: Stored | None, baseline: Baseline) -> StudentGrade:
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


def _write_feedback(layout, assignment, baseline, outcomes, stored, progress) -> list[str]:
    from autograder import feedback_page

    failures = []
    for outcome in outcomes:
        if outcome.status == "refused":
            continue
        record = stored.get(outcome.student)
        try:
            pages = {}
            for notebook in baseline.notebooks:
                done = outcome.notebooks.get(notebook.name)
                cell_scores = {
                    cell: v for (nb, cell), v in (record.cells if record else {}).items() if nb == notebook.name
                }
                comments = {
                    cell: m.comment
                    for (student, nb, cell), m in baseline.manual.items()
                    if student == outcome.student and nb == notebook.name and m.comment
                }
                problem = outcome.problem or ("" if done is not None else f"{notebook.name}.ipynb was not submitted")
                pages[notebook.name] = feedback_page.render(
                    feedback_page.Page(
                        student=outcome.student,
                        assignment=assignment,
                        notebook=notebook.name,
                        score=record.score if record else 0.0,
                        max_score=record.max_score if record else 0.0,
                        late_penalty=record.late_penalty if record else 0.0,
                        timestamp=outcome.timestamp_text,
                        problem=problem,
                        checks=tuple(feedback_page.check_line(r) for r in outcome.results.values())
                        if done is not None
                        else (),
                        notebook_node=done.notebook if done is not None else None,
                        cell_scores=cell_scores,
                        comments=comments,
                    )
                )
            _replace_folder(layout.feedback / outcome.student / assignment, {f"{n}.html": t for n, t in pages.items()})
        except Exception as error:  # noqa: BLE001 - one page must not stop the others; grades are recorded
            failures.append(f"{outcome.student}: {type(error).__name__}: {error}")
        progress("feedback", outcome.student, len(outcomes))
    return failures


def _replace_folder(dest: Path, files: dict[str, str]) -> None:
    """Put a folder holding exactly ``files`` at ``dest`` (the old one goes only once the new is whole)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    incoming = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    for name, text in files.items():
        (incoming / name).write_text(text, encoding="utf-8")
        os.chmod(incoming / name, 0o644)
    os.chmod(incoming, 0o755)
    old = None
    if dest.exists() or dest.is_symlink():
        old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old.", dir=dest.parent))
        os.replace(dest, old / dest.name)
    os.replace(incoming, dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def _swapped_into_place(autograded: Path, assignment: str, outcomes: list[_Outcome]) -> Iterator[None]:
    """Every recorded student's ``autograded/<student>/<assignment>`` becomes its staged folder
    (or goes, for an invalid submission); all put back as they were if the block fails."""
    moved: list[tuple[Path, Path | None, Path | None]] = []  # dest, previous (set aside), staged
    aside = Path(tempfile.mkdtemp(prefix=".kubecourse-previous-", dir=autograded))
    try:
        for index, outcome in enumerate(outcomes):
            dest = autograded / outcome.student / assignment
            previous = None
            if dest.exists() or dest.is_symlink():
                previous = aside / str(index)
                os.replace(dest, previous)
            moved.append((dest, previous, None))
            if outcome.staged is not None:
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(outcome.staged, dest)
                moved[-1] = (dest, previous, outcome.staged)
        yield
    except BaseException:
        for dest, previous, staged in reversed(moved):
            if staged is not None and dest.exists():
                os.replace(dest, staged)
            if previous is not None:
                os.replace(previous, dest)
        shutil.rmtree(aside, ignore_errors=True)
        raise
    shutil.rmtree(aside, ignore_errors=True)


@contextlib.contextmanager
def _staging(course: Path) -> Iterator[Path]:
    """A folder on the course's file system (so that staged folders move in with a rename)."""
    folder = Path(tempfile.mkdtemp(prefix=".kubecourse-grading-", dir=course))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _layout(config, course: Path) -> _Layout:
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config)

    def folder(name: str) -> Path:
        return course / getattr(coursedir, f"{name}_directory")

    return _Layout(
        course=course,
        submitted=folder("submitted"),
        autograded=folder("autograded"),
        feedback=folder("feedback"),
        release=folder("release"),
    )


def _read_release(folder: Path) -> dict[str, ReleaseNotebook]:
    """Kernel metadata, nbgrader cells and their order from the release notebooks (the
    instructor's files); an unreadable one is skipped and the gradebook's data used instead."""
    release = {}
    for path in sorted(folder.glob("*.ipynb")):
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
            cells = tuple(
                (c["metadata"]["nbgrader"]["grade_id"], c["metadata"])
                for c in nb.get("cells", [])
                if isinstance(c.get("metadata", {}).get("nbgrader", {}).get("grade_id"), str)
            )
            metadata = {k: v for k, v in nb.get("metadata", {}).items() if k in ("kernelspec", "language_info")}
        except (OSError, ValueError, AttributeError, TypeError, KeyError):
            continue
        release[path.stem] = ReleaseNotebook(metadata=metadata, cells=cells)
    return release


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


__all__ = ["CheckScore", "ClassGrades", "StudentGrade", "grade_assignment"]

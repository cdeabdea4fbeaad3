"""What a parallel grading worker does: nbgrader's autograde of one submission, minus the gradebook.

nbgrader grades one submission at a time and writes the gradebook as it goes. To grade a class
in parallel without several processes writing one SQLite file, a worker runs nbgrader's own
``Autograde`` converter with every gradebook *write* removed: the sanitising preprocessors
(restore locked test cells, kernelspec, cell types), then execution with
``NBGRADER_EXECUTION=autograde`` and the 30 s cell timeout, into a private staging folder. It
reads the gradebook only through a copy made before grading began. The parent process then
records the executed notebook's scores in the real gradebook, one submission per transaction
(:mod:`autograder._gradebook_writer`).

The worker also renders feedback (nbgrader's ``GenerateFeedback``) once the parent has
recorded a submission, since that too is per-student work that nbgrader does serially.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from traitlets import List


@dataclass(frozen=True, kw_only=True)
class Job:
    """One submission to execute."""

    course: str
    """Course root."""
    assignment: str
    student: str
    staging: str
    """Folder that stands in for ``autograded/``: the kernel runs in ``staging/<student>/<assignment>``."""
    db_url: str
    """A read-only copy of the gradebook (for the source cells nbgrader restores)."""


@dataclass(frozen=True, kw_only=True)
class Executed:
    """What a worker hands back: where the executed notebooks are, or why there are none."""

    student: str
    ok: bool
    folder: str = ""
    """``staging/<student>/<assignment>`` with the executed notebooks and the submission's files."""
    error: str = ""
    """One line: why the submission could not be executed."""
    log: str = ""
    """nbgrader's log of this submission (shown with -v)."""


def execute(job: Job) -> Executed:
    """Sanitise and execute one submission with nbgrader's own preprocessors. Never raises."""
    from nbgrader.coursedir import CourseDirectory

    from autograder import _nbgrader

    buffer = io.StringIO()
    log = _job_logger(job.student, buffer)
    try:
        config = _nbgrader.load_config(Path(job.course))
        coursedir = CourseDirectory(config=config)
        coursedir.autograded_directory = job.staging
        coursedir.db_url = job.db_url
        coursedir.assignment_id = job.assignment
        coursedir.student_id = job.student
        converter = _ExecuteOnly(coursedir=coursedir, config=config, log=log)
        converter.force = True
        converter.start()
        folder = Path(job.staging) / job.student / job.assignment
        if not any(folder.glob("*.ipynb")):
            return Executed(student=job.student, ok=False, error="no notebook was executed", log=buffer.getvalue())
        return Executed(student=job.student, ok=True, folder=str(folder), log=buffer.getvalue())
    except BaseException as error:  # noqa: BLE001 - a worker reports; the parent decides
        if isinstance(error, KeyboardInterrupt):
            raise
        text = buffer.getvalue()
        errors = [line for line in text.splitlines() if "[ERROR]" in line and "Traceback" not in line]
        reason = errors[0].split("] ", 1)[-1] if errors else f"{type(error).__name__}: {error}"
        return Executed(student=job.student, ok=False, error=reason[:500], log=text)


def feedback(course: str, assignment: str, student: str) -> tuple[str, bool, str]:
    """Render ``feedback/<student>/<assignment>/`` from the recorded grades. Never raises."""
    from nbgrader.converters import GenerateFeedback
    from nbgrader.coursedir import CourseDirectory

    from autograder import _nbgrader

    buffer = io.StringIO()
    log = _job_logger(f"feedback-{student}", buffer)
    try:
        config = _nbgrader.load_config(Path(course))
        coursedir = CourseDirectory(config=config)
        coursedir.assignment_id = assignment
        coursedir.student_id = student
        converter = GenerateFeedback(coursedir=coursedir, config=config, log=log)
        converter.force = True
        converter.start()
        return student, True, ""
    except Exception as error:  # noqa: BLE001
        return student, False, f"{type(error).__name__}: {error}"


def _job_logger(name: str, buffer: io.StringIO) -> logging.Logger:
    log = logging.getLogger(f"kubecourse.grade.{name}")
    log.handlers.clear()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    return log


def _execute_only_class():
    """nbgrader's Autograde with its gradebook writes taken out (built lazily: importing
    nbgrader costs seconds)."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader import utils
    from nbgrader.api import Gradebook, MissingEntry
    from nbgrader.converters import Autograde
    from nbgrader.converters.base import BaseConverter, NbGraderException
    from nbgrader.preprocessors import CheckCellMetadata, Execute, IgnorePattern, LimitOutput

    class ExecuteOnly(Autograde):
        # nbgrader's list without SaveAutoGrades and AssignLatePenalties, the two that write.
        autograde_preprocessors = List(
            [Execute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, CheckCellMetadata]
        ).tag(config=True)

        def init_assignment(self, assignment_id: str, student_id: str) -> None:
            # Autograde.init_assignment without creating the student and submission rows:
            # the submission's own files, then the instructor's source files over them.
            BaseConverter.init_assignment(self, assignment_id, student_id)
            dest = self._format_dest(assignment_id, student_id)
            source = self.coursedir.format_path(self.coursedir.source_directory, ".", assignment_id)
            excluded = {os.path.join(source, x) for x in self.exclude_overwriting.get(assignment_id, [])}
            for filename in set(utils.find_all_files(source, self.coursedir.ignore + ["*.ipynb"])) - excluded:
                target = os.path.join(dest, os.path.relpath(filename, source))
                os.makedirs(os.path.dirname(target), exist_ok=True)
                if os.path.exists(target):
                    os.remove(target)
                shutil.copy(filename, target)
            known = []
            with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
                for notebook in self.notebooks:
                    try:
                        gb.find_notebook(os.path.splitext(os.path.basename(notebook))[0], assignment_id)
                    except MissingEntry:
                        self.log.warning("Skipping unknown notebook: %s", notebook)
                    else:
                        known.append(notebook)
            self.notebooks = known
            if not known:
                raise NbGraderException("no notebook of this submission is part of the assignment")

    return ExecuteOnly


class _Lazy:
    cls = None


def _ExecuteOnly(**kwargs):  # noqa: N802 - reads like the class it builds
    if _Lazy.cls is None:
        _Lazy.cls = _execute_only_class()
    return _Lazy.cls(**kwargs)


__all__ = ["Executed", "Job", "execute", "feedback"]

"""The nbgrader course built from the labs: ``kubecourse course build`` (and ``make book``).

For every lab with a notebook source ``labs/<id>/<id>.md``, in teaching order, it writes
``course/source/<id>/<id>.ipynb`` (plus the lab's ``starter/`` files), runs nbgrader's
generate_assignment into ``course/release/<id>/``, and then proves the result works the way
grading will use it: nbgrader's own validator runs the release notebook against the lab's
reference-solution snapshot (every test cell must give full marks) and against its blank-starter
snapshot (no test cell may pass). ``nbgrader validate`` always exits 0, so the results are read
from ``nbgrader.validator.Validator`` directly. ``OUT/labs.md`` lists the released assignments in
teaching order, which a folder listing (alphabetical) cannot show.
"""

from __future__ import annotations

import contextlib
import copy
import io
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from autograder import _nbgrader
from autograder._environ import patched_environ
from autograder.lab_notebook import declared_checks, notebook_source, read_lab_notebook, verify
from autograder.notebook import SNAPSHOT_NAME
from coursecore import labs as catalogue
from coursecore.errors import UsageError


@dataclass(frozen=True, kw_only=True)
class AssignmentBuild:
    """One lab turned into an nbgrader assignment."""

    lab: str
    """Lab id, also the assignment and notebook name."""
    release: Path
    """The student version's folder."""
    checks: int
    """Autograded test cells (one per check)."""
    points: float
    """Total points of the assignment."""
    validation: str
    """What the validator proved, or why it was skipped."""


@dataclass(frozen=True, kw_only=True)
class CourseBuild:
    """The result of :func:`build_course`."""

    course: Path
    """The course root, holding ``nbgrader_config.py`` and ``gradebook.db``."""
    assignments: tuple[AssignmentBuild, ...]

    def to_json(self) -> dict:
        return {
            "course": str(self.course),
            "assignments": [
                {
                    "lab": a.lab,
                    "release": str(a.release),
                    "checks": a.checks,
                    "points": a.points,
                    "validation": a.validation,
                }
                for a in self.assignments
            ],
        }


def build_course(out: Path, *, lab_ids: list[str] | None = None, validate: bool = True) -> CourseBuild:
    """Build (or rebuild) the nbgrader course in ``out`` from the labs that have a notebook.

    Raises:
        UsageError: a lab's notebook breaks a grading convention, nbgrader refuses it, or the
            validator finds the solution short of full marks or the starter earning points.
        EnvironmentProblem: alembic (needed by nbgrader's gradebook) is not installed.
    """
    out = Path(out).resolve()
    root = catalogue.labs_root()
    found = [lab for lab in catalogue.discover(root) if notebook_source(lab).is_file()]
    if lab_ids:
        unknown = sorted(set(lab_ids) - {lab.id for lab in found})
        if unknown:
            raise UsageError(f"no lab with a notebook called {', '.join(unknown)} in {root}")
        found = [lab for lab in found if lab.id in lab_ids]
    if not found:
        raise UsageError(f"no lab in {root} has a notebook (<id>.md); nothing to build")
    out.mkdir(parents=True, exist_ok=True)
    _nbgrader.check_gradebook(out)
    _nbgrader.write_config(out, root)
    config = _nbgrader.load_config(out)
    built = []
    with _nbgrader.tools_on_path():
        for lab in found:
            nb = read_lab_notebook(lab)
            checks = declared_checks(lab)
            verify(lab, nb, checks)
            # nbgrader deletes the release of an assignment it fails to generate (for example
            # when test cells changed after submissions exist): keep the last good build.
            with _restored_on_failure(out / "source" / lab.id, out / "release" / lab.id):
                _write_source(out, lab, nb)
                _generate(config, lab.id)
            release = out / "release" / lab.id
            result = _validate(config, lab, release) if validate else "skipped (--no-validate)"
            built.append(
                AssignmentBuild(
                    lab=lab.id,
                    release=release,
                    checks=len(checks),
                    points=sum(c.points for c in checks),
                    validation=result,
                )
            )
    _write_index(out, catalogue.discover(root))
    return CourseBuild(course=out, assignments=tuple(built))


INDEX_NAME = "labs.md"


def _write_index(out: Path, labs: list[catalogue.Lab]) -> None:
    """``OUT/labs.md``: the released assignments in teaching order (folders list alphabetically)."""
    rows = [lab for lab in labs if (out / "release" / lab.id).is_dir()]
    lines = [
        "# Labs in teaching order",
        "",
        "Written by `kubecourse course build`; hand them out in this order (`release/<lab>/`).",
        "",
        "| # | assignment | title | tier | minutes |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {i} | {lab.id} | {lab.title} | {lab.tier} | {lab.minutes} |" for i, lab in enumerate(rows, 1)]
    (out / INDEX_NAME).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _write_source(out: Path, lab: catalogue.Lab, nb) -> None:
    import nbformat

    folder = out / "source" / lab.id
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    starter = lab.path / "starter"
    if starter.is_dir():
        # nbgrader copies every source file over the submission before grading: a snapshot
        # here would replace each learner's own.
        if any(p.name == SNAPSHOT_NAME for p in starter.rglob("*")):
            raise UsageError(f"lab {lab.id}: starter/ must not contain {SNAPSHOT_NAME}")
        shutil.copytree(starter, folder / "starter", ignore=shutil.ignore_patterns("__pycache__", ".*"))
    nbformat.write(nb, str(folder / f"{lab.id}.ipynb"))


def _generate(config, assignment: str) -> None:
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment
    with _captured_log("kubecourse.generate") as (log, text):
        app = GenerateAssignment(coursedir=coursedir, config=config, log=log)
        app.force = True
        app.create_assignment = True
        try:
            app.start()
        except Exception as error:
            raise UsageError(
                f"lab {assignment}: nbgrader generate_assignment failed: {_last_error(text(), error)}",
                detail=text(),
                hint="Cells cannot be added or removed once submissions exist: rebuild into a "
                "fresh folder (`--out`) for a changed notebook.",
            ) from error


def _validate(config, lab: catalogue.Lab, release: Path) -> str:
    """Run nbgrader's validator on the release notebook with the solution and starter snapshots."""
    fixtures = lab.path / "tests" / "snapshots"
    solution, starter = fixtures / "solution.yaml", fixtures / "starter.yaml"
    if not solution.is_file() or not starter.is_file():
        return f"skipped (no {fixtures.relative_to(lab.path)}/solution.yaml and starter.yaml)"
    problems = []
    for snapshot, invert in ((solution, False), (starter, True)):
        results = _validate_with(config, lab.id, release, snapshot, invert=invert)
        if invert and results.get("passed"):
            problems.append(f"the blank starter passes {len(results['passed'])} test cell(s)")
        for key in ("type_changed", "changed", "failed"):
            for cell in results.get(key, []):
                reason = cell.get("raw_error") or key
                problems.append(
                    f"with {snapshot.name}: {key}: {cell['source'].splitlines()[-1]}: {reason.strip()[:300]}"
                )
    if problems:
        raise UsageError(f"lab {lab.id}: the release notebook does not grade as expected: " + "; ".join(problems))
    return "solution earns full marks, starter earns none"


def _validate_with(config, lab_id: str, release: Path, snapshot: Path, *, invert: bool) -> dict:
    from nbgrader.validator import Validator

    with tempfile.TemporaryDirectory(prefix=f"kubecourse-validate-{lab_id}-") as tmp:
        work = Path(tmp) / lab_id
        shutil.copytree(release, work)
        shutil.copyfile(snapshot, work / SNAPSHOT_NAME)
        with (
            _no_sandbox(Path(tmp)),
            _kernel_sockets(config) as kernel_config,
            _captured_log("kubecourse.validate") as (log, _),
        ):
            validator = Validator(config=kernel_config, log=log)
            validator.invert = invert
            return validator.validate(str(work / f"{lab_id}.ipynb"))


@contextlib.contextmanager
def _restored_on_failure(*folders: Path) -> Iterator[None]:
    """Put ``folders`` back as they were if the block raises."""
    with tempfile.TemporaryDirectory(prefix="kubecourse-course-backup-") as tmp:
        saved = {}
        for i, folder in enumerate(folders):
            if folder.exists():
                saved[folder] = Path(tmp) / str(i)
                shutil.copytree(folder, saved[folder], symlinks=True)
        try:
            yield
        except BaseException:
            for folder in folders:
                if folder.exists():
                    shutil.rmtree(folder)
                if folder in saved:
                    shutil.copytree(saved[folder], folder, symlinks=True)
            raise


@contextlib.contextmanager
def _no_sandbox(empty_home: Path) -> Iterator[None]:
    """Make the validation kernel grade the snapshot, not whatever cluster the author has open."""
    with patched_environ(KUBECONFIG=None, KUBECOURSE_SANDBOX=None, KUBECOURSE_HOME=str(empty_home / "no-sandboxes")):
        yield


@contextlib.contextmanager
def _kernel_sockets(config) -> Iterator[object]:
    """``config`` with the validation kernel talking over Unix sockets in a private folder.

    Over TCP, jupyter_client picks free ports and closes them before the kernel binds them
    (``jupyter_client.connect.write_connection_file``), so another process starting a kernel at
    the same moment can take one first: the kernel dies with "Address already in use" and the
    build fails. Socket files in a folder of our own cannot be taken. Windows has no ZeroMQ IPC,
    so it keeps TCP.
    """
    if os.name == "nt":
        yield config
        return
    from traitlets.config import Config

    with tempfile.TemporaryDirectory(prefix="kc-") as sockets:  # short: a socket path has ~104 bytes
        merged = copy.deepcopy(config)
        merged.merge(Config({"KernelManager": {"transport": "ipc", "ip": str(Path(sockets) / "k")}}))
        yield merged


@contextlib.contextmanager
def _captured_log(name: str):
    """A logger whose records go to a string (shown with -v) instead of the terminal."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    log = logging.getLogger(name)
    log.propagate = False
    log.setLevel(logging.INFO)
    log.addHandler(handler)
    try:
        yield log, buffer.getvalue
    finally:
        log.removeHandler(handler)


def _last_error(text: str, error: Exception) -> str:
    """The most telling line of nbgrader's log: the exception of a logged traceback, else the
    first error line."""
    raised = [line for line in text.splitlines() if re.match(r"^\w+(Error|Exception): ", line)]
    if raised:
        return raised[-1]
    errors = [line for line in text.splitlines() if line.startswith(("[ERROR]", "[CRITICAL]"))]
    return errors[0].split("] ", 1)[1] if errors else f"{type(error).__name__}: {error}"


__all__ = ["AssignmentBuild", "CourseBuild", "build_course"]

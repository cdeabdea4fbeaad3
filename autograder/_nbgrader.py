"""nbgrader plumbing shared by the course build and class grading: config, tools on PATH, gradebook.

nbgrader 0.9.6 has a few sharp edges (see the book's grading guide) that this module files off in
one place: its subcommands ignore ``--config``, so the course keeps ``nbgrader_config.py`` in its
root; the gradebook must be created with ``alembic`` on PATH or a broken ``gradebook.db`` is left
behind that later runs accept silently; and the kernels of plain ``nbgrader autograde`` and of the
build's validator must import this package and find the labs, so the config exports both to every
nbgrader process and the kernels it starts. The config also makes every page nbgrader renders from
the course (formgrader, ``generate_feedback``) show learner HTML inert (:mod:`autograder.inert_html`),
and :func:`check_inert_rendering` refuses a course whose config does not.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

from autograder._environ import patched_environ
from coursecore.errors import EnvironmentProblem, UsageError

CONFIG_NAME = "nbgrader_config.py"
LOCAL_CONFIG_NAME = "nbgrader_config_local.py"
"""The instructor's own settings (late penalties, for instance): read last by the course's
configuration, never written by kubecourse, so a rebuild keeps them."""
GRADEBOOK_NAME = "gradebook.db"
COURSE_ID = "kubecourse"
CELL_TIMEOUT = 30  # seconds per cell, nbgrader's default, written down so it is visible

_CONFIG_TEMPLATE = """\
# nbgrader configuration of the kubecourse course, written by `kubecourse course build`, which
# rewrites it: put your own settings in {local} beside it (read at the end).
# Run nbgrader from this folder or pass --NbGrader.config_file=<this file> (nbgrader's
# subcommands ignore --config).
import os

# The grading kernel imports kubecourse's autograder and reads the labs; nbgrader's gradebook
# needs `alembic` on PATH when it is first created. Kernels inherit this environment.
if not os.environ.get("PATH", "").startswith({bin_dir!r} + os.pathsep):
    os.environ["PATH"] = {bin_dir!r} + os.pathsep + os.environ.get("PATH", "")
os.environ.setdefault("KUBECOURSE_LABS", {labs_root!r})

c = get_config()  # noqa: F821 - provided by traitlets when it loads this file
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
# Learners submit the snapshot of their cluster next to the notebook; never overwrite it.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]
c.Execute.timeout = {timeout}
c.Execute.kernel_name = "python3"
# Encrypt the kernel's channels where this ZeroMQ can (the python3 kernelspec supports it); this
# also stops every kernel printing an "unencrypted TCP" warning on the grader's terminal.
try:
    import zmq

    if zmq.has("curve"):
        c.KernelManager.transport_encryption = "auto"
except ImportError:
    pass
# A learner who deletes a test cell gets it back (and graded) instead of silently losing it.
c.OverwriteCells.add_missing_cells = True

# What learners wrote is rendered inert in every page nbgrader makes from this course (formgrader,
# generate_feedback): markdown is rendered and then cleaned with an allow-list, raw cells,
# outputs and metadata are stripped of anything that could run in the instructor's browser.
# Keep these settings: `kubecourse grade` refuses a course without them.
c.HTMLExporter.filters = {filters!r}
c.HTMLExporter.preprocessors = [{inert!r}]
c.HTMLExporter.sanitize_html = True
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    {inert!r},
]

# Your own settings (a late penalty, for instance `c.LateSubmissionPlugin.penalty_method = "zero"`)
# go in {local}, which no rebuild touches; they are read last, so they win (`kubecourse grade`
# still refuses them if they undo the inert-rendering settings above).
load_subconfig({local!r}, path=os.path.dirname(os.path.abspath(__file__)))  # noqa: F821 - from traitlets
"""
INERT_FILTERS = {
    "markdown2html": "autograder.inert_html.markdown2html",
    "clean_html": "autograder.inert_html.clean_html",
}
INERT_PREPROCESSOR = "autograder.inert_html.inert_preprocessor"


def write_config(course: Path, labs_root: Path) -> Path:
    """Write ``course/nbgrader_config.py`` for this interpreter and labs folder."""
    path = Path(course) / CONFIG_NAME
    text = _CONFIG_TEMPLATE.format(
        bin_dir=str(Path(sys.executable).parent),
        labs_root=str(Path(labs_root).resolve()),
        course_id=COURSE_ID,
        timeout=CELL_TIMEOUT,
        filters=INERT_FILTERS,
        inert=INERT_PREPROCESSOR,
        local=LOCAL_CONFIG_NAME,
    )
    path.write_text(text, encoding="utf-8")
    return path


def load_config(course: Path):
    """The course's nbgrader configuration (a traitlets ``Config``) with its root pinned.

    Loading the file also applies its environment settings (PATH, KUBECOURSE_LABS) to this
    process, as any nbgrader command run on the course would.
    """
    from traitlets.config.loader import PyFileConfigLoader

    course = Path(course).resolve()
    if not (course / CONFIG_NAME).is_file():
        raise UsageError(
            f"{course} is not a kubecourse nbgrader course (no {CONFIG_NAME})",
            hint="build one with `kubecourse course build --out DIR`",
        )
    try:
        config = PyFileConfigLoader(CONFIG_NAME, path=str(course)).load_config()
    except Exception as error:  # a hand-edited config with a syntax error, for instance
        raise UsageError(f"cannot read {course / CONFIG_NAME}: {error}") from error
    config.CourseDirectory.root = str(course)
    return config


def check_inert_rendering(config, course: Path) -> None:
    """Refuse a course whose configuration would let formgrader render learner HTML as it is.

    Raises:
        UsageError: ``nbgrader_config.py`` lacks the settings :func:`write_config` writes.
    """
    exporter = config.HTMLExporter
    filters = dict(exporter.get("filters", {}) or {})
    feedback = [str(p) for p in (config.GenerateFeedback.get("preprocessors", []) or [])]
    if (
        any(filters.get(name) != value for name, value in INERT_FILTERS.items())
        or INERT_PREPROCESSOR not in [str(p) for p in (exporter.get("preprocessors", []) or [])]
        or INERT_PREPROCESSOR not in feedback
        or exporter.get("sanitize_html") is not True
    ):
        raise UsageError(
            f"{Path(course) / CONFIG_NAME} does not make learner HTML inert in formgrader and feedback "
            "(it was written by an older kubecourse or edited)",
            hint=f"Rebuild it: kubecourse course build --out {course}",
        )


@contextlib.contextmanager
def tools_on_path() -> Iterator[None]:
    """Put this interpreter's ``bin/`` (alembic, jupyter, nbgrader) first on PATH meanwhile, and
    let a gradebook created meanwhile read its alembic revision in this process."""
    bin_dir = str(Path(sys.executable).parent)
    with patched_environ(PATH=bin_dir + os.pathsep + os.environ.get("PATH", "")):
        if shutil.which("alembic") is None:
            raise EnvironmentProblem(
                "alembic is not installed next to this Python; nbgrader needs it to create the gradebook",
                hint="reinstall kubecourse: `make env`",
            )
        with _revision_read_in_process():
            yield


@functools.cache
def gradebook_revision() -> str:
    """The alembic revision nbgrader stamps a new gradebook with, read as ``alembic heads`` reads it.

    nbgrader 0.9.6 (``nbgrader.api.get_alembic_version``) runs ``alembic -c INI heads`` for it: a
    Python process that imports all of nbgrader again, about 3 s of CPU for every new gradebook.
    Here the same configuration (nbgrader's own ini and migration scripts) is read with alembic's
    API in the process that already holds nbgrader.
    """
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import _temp_alembic_ini

    with _temp_alembic_ini("sqlite:////tmp/gradebook.db") as ini:  # the URL nbgrader passes; not opened
        return ScriptDirectory.from_config(Config(ini)).get_current_head()


@contextlib.contextmanager
def _revision_read_in_process() -> Iterator[None]:
    import nbgrader.api

    original = nbgrader.api.get_alembic_version
    nbgrader.api.get_alembic_version = gradebook_revision
    try:
        yield
    finally:
        nbgrader.api.get_alembic_version = original


_REBUILD_GRADEBOOK = "if it holds no grades yet, delete it and run `kubecourse course build` again"


def check_gradebook(course: Path, *, lock_timeout: float = 30.0) -> None:
    """Refuse a gradebook that nbgrader created without alembic (it lacks its version row).

    Raises:
        UsageError: not a usable gradebook.
        GradebookLocked: another program kept it locked for ``lock_timeout`` seconds.
    """
    from autograder._gradebook_guard import is_locked, locked_error

    db = Path(course) / GRADEBOOK_NAME
    if not db.exists():
        return
    try:
        uri = f"file:{db}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=max(0.05, lock_timeout))) as conn:
            rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error as error:
        if is_locked(error):
            raise locked_error(str(db)) from None
        raise UsageError(f"{db} is not a usable nbgrader gradebook ({error})", hint=_REBUILD_GRADEBOOK) from error
    if not rows:
        raise UsageError(f"{db} was created without alembic on PATH and is broken", hint=_REBUILD_GRADEBOOK)


def db_url(course: Path) -> str:
    return f"sqlite:///{(Path(course).resolve() / GRADEBOOK_NAME)}"


def quiet_nbgrader_logs() -> None:
    """nbgrader's apps log to the root logger's stderr; keep the CLI's stderr for our messages."""
    import logging

    for name in ("traitlets", "NbGraderAPI", "nbgrader"):
        logging.getLogger(name).setLevel(logging.ERROR)


__all__ = [
    "CELL_TIMEOUT",
    "CONFIG_NAME",
    "COURSE_ID",
    "GRADEBOOK_NAME",
    "INERT_FILTERS",
    "INERT_PREPROCESSOR",
    "LOCAL_CONFIG_NAME",
    "check_gradebook",
    "check_inert_rendering",
    "db_url",
    "gradebook_revision",
    "load_config",
    "quiet_nbgrader_logs",
    "tools_on_path",
    "write_config",
]

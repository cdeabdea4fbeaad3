"""autograder.course: building the nbgrader course from lab notebooks (runs real nbgrader)."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path

import pytest
from gradinglab import LAB_ID, write_lab

from autograder import _nbgrader
from autograder._environ import patched_environ
from autograder.course import build_course
from coursecore.errors import UsageError

pytestmark = pytest.mark.notebook


def _alembic_heads() -> str:
    """The revision nbgrader's own get_alembic_version reads by running `alembic heads` in a
    process (kubecourse reads the same in process: autograder._nbgrader.gradebook_revision)."""
    import nbgrader.api

    assert nbgrader.api.get_alembic_version is not _nbgrader.gradebook_revision  # put back after the build
    with patched_environ(PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]):
        return nbgrader.api.get_alembic_version()


@pytest.fixture
def labs_root(tmp_path, monkeypatch):
    root = tmp_path / "labs"
    write_lab(root)
    monkeypatch.setenv("KUBECOURSE_LABS", str(root))
    return root


def test_build_writes_source_release_config_and_a_sound_gradebook(tmp_path, labs_root):
    course = tmp_path / "course"
    result = build_course(course)
    [assignment] = result.assignments
    assert assignment.lab == LAB_ID
    assert assignment.checks == 3 and assignment.points == 4.0
    assert assignment.validation == "solution earns full marks, starter earns none"
    release = course / "release" / LAB_ID
    released = json.loads((release / f"{LAB_ID}.ipynb").read_text())
    assert released["metadata"]["kernelspec"]["name"] == "python3"
    assert (release / "starter" / "pod.yaml").is_file()
    assert not (release / "solution").exists()
    # stamped with the revision nbgrader's own `alembic heads` run prints (read in process)
    with sqlite3.connect(course / "gradebook.db") as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [(_alembic_heads(),)]
    config = (course / "nbgrader_config.py").read_text()
    assert "c.Execute.timeout = 30" in config
    assert str(labs_root) in config
    # rebuilding before any submission is fine, and keeps the instructor's own settings
    (course / "nbgrader_config_local.py").write_text('c.LateSubmissionPlugin.penalty_method = "zero"\n')
    build_course(course, validate=False)
    assert _nbgrader.load_config(course).LateSubmissionPlugin.penalty_method == "zero"


def test_validation_kernels_talk_over_private_sockets_not_tcp_ports(tmp_path, labs_root, monkeypatch):
    """Over TCP, jupyter_client closes the free ports it found before the kernel binds them
    (jupyter_client/connect.py, write_connection_file), so a kernel started elsewhere at the same
    moment can take one: "Address already in use", the kernel dies and the build fails (seen in
    the suite's parallel workers). The validation kernels use Unix sockets in a folder of their
    own instead, and the folder goes with the build."""
    import jupyter_client.connect

    seen = []
    real = jupyter_client.connect.write_connection_file

    def spy(*args, **kwargs):
        seen.append((kwargs.get("transport"), kwargs.get("ip")))
        return real(*args, **kwargs)

    monkeypatch.setattr(jupyter_client.connect, "write_connection_file", spy)
    result = build_course(tmp_path / "course")
    assert result.assignments[0].validation == "solution earns full marks, starter earns none"
    assert len(seen) == 2 and {transport for transport, _ in seen} == {"ipc"}  # the solution's and the starter's
    folders = {Path(ip).parent for _, ip in seen}
    assert len(folders) == 2 and all(f.name.startswith("kc-") and not f.exists() for f in folders)


def test_a_notebook_with_a_missing_test_cell_stops_the_build_naming_the_lab(tmp_path, labs_root):
    source = labs_root / LAB_ID / f"{LAB_ID}.md"
    text = source.read_text()
    source.write_text(text.replace('grade("toy-pod", "labelled")', 'print("no test here")'))
    with pytest.raises(UsageError, match=f"lab {LAB_ID}.*labelled"):
        build_course(tmp_path / "course")


def test_a_solution_that_misses_full_marks_fails_validation(tmp_path, labs_root):
    fixtures = labs_root / LAB_ID / "tests" / "snapshots"
    (fixtures / "solution.yaml").write_text((fixtures / "partial.yaml").read_text())
    with pytest.raises(UsageError, match="does not grade as expected"):
        build_course(tmp_path / "course")


def test_a_gradebook_made_without_alembic_is_refused(tmp_path, labs_root):
    course = tmp_path / "course"
    course.mkdir()
    with sqlite3.connect(course / "gradebook.db") as db:
        db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    with pytest.raises(UsageError, match="created without alembic"):
        build_course(course)


def test_unknown_lab_is_a_usage_error(tmp_path, labs_root):
    with pytest.raises(UsageError, match="no lab with a notebook called nope"):
        build_course(tmp_path / "course", lab_ids=["nope"])


def test_changing_test_cells_after_submissions_is_refused_and_keeps_the_last_build(tmp_path, labs_root):
    from nbgrader.api import Gradebook

    course = tmp_path / "course"
    build_course(course, validate=False)
    with Gradebook(f"sqlite:///{course}/gradebook.db", "kubecourse") as gb:
        gb.add_student("alice")
        gb.add_submission(LAB_ID, "alice")
    source = course / "source" / LAB_ID / f"{LAB_ID}.ipynb"
    before = source.read_bytes()
    lab = labs_root / LAB_ID
    checks = (lab / "checks.py").read_text()
    (lab / "checks.py").write_text(checks[: checks.rindex("@check", 0, checks.index("def labelled("))])
    text = (lab / f"{LAB_ID}.md").read_text()
    at = text.index("grade_id: check-labelled")
    start, end = text.rfind("```{code-cell}", 0, at), text.index("```\n", at) + 4
    (lab / f"{LAB_ID}.md").write_text(text[:start] + text[end:])
    with pytest.raises(UsageError, match="Cannot add or remove cells"):
        build_course(course, validate=False)
    assert source.read_bytes() == before
    assert (course / "release" / LAB_ID / f"{LAB_ID}.ipynb").is_file()

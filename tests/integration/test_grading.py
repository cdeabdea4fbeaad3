"""nbgrader round trips through ``kubecourse grade``, compared with serial ``nbgrader autograde``,
and the attacks a learner's notebook can try on its own score.

One throwaway course holds every submission, so the class is graded once (parallel, 2 jobs) and
once by plain nbgrader on a copy; the tests read the two gradebooks.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from gradinglab import (
    HIDDEN_HINT,
    HIDDEN_SECRET,
    LAB_ID,
    MAX_SCORE,
    PARTIAL_SCORE,
    add_submission,
    snapshot_text,
    write_lab,
)

from autograder.course import build_course
from autograder.grading import grade_assignment

pytestmark = pytest.mark.notebook

FULL = {"pod-exists": 1.0, "image-pinned": 2.0, "labelled": 1.0}


def _test_cell(nb, check):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == f"check-{check}")


def _tamper_locked_cell(nb):
    _test_cell(nb, "image-pinned").source = "2.0  # I promise it is pinned"


def _delete_test_cell(nb):
    nb.cells.remove(_test_cell(nb, "labelled"))


SOLUTION_TEXT = snapshot_text("solution")

# student: (submitted snapshot, learner code run before the tests, notebook edit, expected score)
HONEST = {
    "alice": ("solution", "", None, MAX_SCORE),
    "bob": ("partial", "", None, PARTIAL_SCORE),
    "carol": ("starter", "", None, 0.0),
    "dave": (None, "", None, 0.0),  # forgot the submit cell
    "eve": ("partial", "", _tamper_locked_cell, PARTIAL_SCORE),  # nbgrader restores the cell
    "frank": ("solution", "", _delete_test_cell, MAX_SCORE),  # nbgrader adds the cell back
    "grace": ("solution", "raise RuntimeError('learner bug')", None, MAX_SCORE),
    # stderr output zeroes every test cell: learner code can always lower its own score
    "heidi": (
        "solution",
        """\
        import sys, autograder.notebook as n
        original = n.grade
        def noisy(lab, check):
            print("noise", file=sys.stderr)
            return original(lab, check)
        n.grade = noisy
        """,
        None,
        0.0,
    ),
}
ATTACKS = {
    "mallory-patch": (
        "starter",
        """\
        import autograder.notebook as n
        n.grade = lambda lab, check: {"pod-exists": 1.0, "image-pinned": 2.0, "labelled": 1.0}[check]
        """,
    ),
    "mallory-snapshot": (
        "starter",
        f"""\
        import pathlib
        target = pathlib.Path("snapshot.yaml")
        target.unlink(missing_ok=True)
        target.write_text({SOLUTION_TEXT!r})
        """,
    ),
    "mallory-modules": (
        "starter",
        """\
        import sys, types
        fake = types.ModuleType("autograder.notebook")
        fake.grade = lambda lab, check: 1.0
        sys.modules["autograder.notebook"] = fake
        """,
    ),
    "mallory-builtins": (
        "partial",
        """\
        import builtins
        builtins.float = lambda value=0: 1.0
        """,
    ),
    "mallory-display": (
        "starter",
        """\
        get_ipython().display_formatter.formatters["text/plain"].for_type(float, lambda o, p, c: p.text("1.0"))
        """,
    ),
    "mallory-gradebook": (
        "solution",
        """\
        import os, sqlite3
        root = os.readlink(f"/proc/{os.getppid()}/cwd")
        db = sqlite3.connect(os.path.join(root, "gradebook.db"), timeout=30)
        db.execute("UPDATE grade SET manual_score = 0.5")
        db.commit()
        """,
    ),
}
CRASH = "import os\nos._exit(1)"
SERIAL_ATTACKS = ("mallory-patch", "mallory-snapshot")
# The attacks that do make the kernel report more than the snapshot earns (patching builtins
# only breaks the grader's own code in the kernel, which lowers the score).
RAISING_ATTACKS = ["mallory-patch", "mallory-snapshot", "mallory-modules", "mallory-display"]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Build the course, add every submission, grade it both ways; return both gradebooks."""
    root = tmp_path_factory.mktemp("grading")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KUBECOURSE_LABS", str(root / "labs"))
        mp.delenv("KUBECONFIG", raising=False)
        write_lab(root / "labs")
        course = root / "course"
        build_course(course, validate=False)
        for student, (snapshot, code, mutate, _) in HONEST.items():
            add_submission(course, student, snapshot, learner_code=code, mutate=mutate)
        for student, (snapshot, code) in ATTACKS.items():
            add_submission(course, student, snapshot, learner_code=code)
        add_submission(course, "zed-crash", "solution", learner_code=CRASH)
        broken = add_submission(course, "zed-broken", "solution")
        (broken / f"{LAB_ID}.ipynb").write_text('{"cells": [truncated')  # a damaged upload
        serial = root / "serial"
        shutil.copytree(course, serial)
        for folder in (serial / "submitted").iterdir():  # plain nbgrader is slow: honest ones and two attacks
            if folder.name not in {*HONEST, *SERIAL_ATTACKS}:
                shutil.rmtree(folder)
        result = grade_assignment(course, LAB_ID, jobs=2)
        nbgrader = Path(sys.executable).parent / "nbgrader"
        done = subprocess.run(
            [str(nbgrader), "autograde", LAB_ID, "--force", f"--NbGrader.config_file={serial}/nbgrader_config.py"],
            cwd=serial,
            capture_output=True,
            text=True,
            timeout=600,
        )
        yield {
            "course": course,
            "result": result,
            "ours": _scores(course),
            "serial": _scores(serial),
            "serial_log": done.stderr,
        }


def _scores(course: Path) -> dict[str, dict[str, float | None]]:
    """student -> {check: effective score} (nbgrader's score: manual if set, else auto)."""
    from nbgrader.api import Gradebook

    scores: dict[str, dict[str, float | None]] = {}
    with Gradebook(f"sqlite:///{course}/gradebook.db", "kubecourse") as gb:
        for submission in gb.assignment_submissions(LAB_ID):
            for notebook in submission.notebooks:
                scores[submission.student_id] = {g.name.removeprefix("check-"): g.score for g in notebook.grades}
    return scores


@pytest.mark.parametrize("student", sorted(HONEST))
def test_honest_and_self_harming_submissions_get_the_expected_score(graded, student):
    assert sum(graded["ours"][student].values()) == HONEST[student][3]


@pytest.mark.parametrize("student", sorted(HONEST))
def test_parallel_grades_equal_serial_nbgrader_autograde(graded, student):
    assert graded["ours"][student] == graded["serial"][student]


@pytest.mark.parametrize("student", sorted(ATTACKS))
def test_learner_code_never_raises_the_recorded_score(graded, student):
    """No attack gets above what the submitted snapshot earns (some only break their own kernel)."""
    snapshot = ATTACKS[student][0]
    trusted = {"starter": 0.0, "partial": PARTIAL_SCORE, "solution": MAX_SCORE}[snapshot]
    assert sum(graded["ours"][student].values()) <= trusted
    if student in RAISING_ATTACKS:
        assert sum(graded["ours"][student].values()) == trusted


@pytest.mark.parametrize("student", RAISING_ATTACKS)
def test_the_attack_is_reported_as_tampering(graded, student):
    if student in SERIAL_ATTACKS:  # and it does fool plain nbgrader
        assert sum(graded["serial"][student].values()) > sum(graded["ours"][student].values())
    report = {s.student: s for s in graded["result"].students}[student]
    assert report.tampered, f"the raised cells are listed: {report.cells}\n{report.log[-3000:]}"
    assert graded["result"].needs_attention


def test_direct_gradebook_edits_during_grading_are_undone_and_reported(graded):
    assert graded["result"].gradebook_tampering
    assert all("manual_score" in row for row in graded["result"].gradebook_tampering)
    for student, checks in graded["ours"].items():
        assert all(v is None or v <= FULL[c] for c, v in checks.items())
    assert graded["ours"]["carol"] == {"pod-exists": 0.0, "image-pinned": 0.0, "labelled": 0.0}


@pytest.mark.parametrize("student", ["zed-crash", "zed-broken"])
def test_a_crashing_kernel_or_a_damaged_notebook_fails_that_submission_only_and_writes_no_rows(graded, student):
    report = {s.student: s for s in graded["result"].students}[student]
    assert not report.graded and report.error
    assert student not in graded["ours"]
    assert not (graded["course"] / "autograded" / student).exists()
    assert len(graded["ours"]) == len(HONEST) + len(ATTACKS)


def test_capped_cells_say_so_in_the_feedback(graded):
    html = (graded["course"] / "feedback" / "mallory-patch" / LAB_ID / f"{LAB_ID}.html").read_text()
    assert "re-running check" in html and "snapshot.yaml" in html


def test_feedback_shows_a_hidden_check_hint_but_never_its_logic_or_message(graded):
    for student in ("bob", "carol", "alice"):
        html = (graded["course"] / "feedback" / student / LAB_ID / f"{LAB_ID}.html").read_text()
        assert HIDDEN_SECRET not in html
        assert "research" not in html
    bob = (graded["course"] / "feedback" / "bob" / LAB_ID / f"{LAB_ID}.html").read_text()
    assert "hidden check did not pass" in bob and HIDDEN_HINT in bob


def test_grades_csv_and_distribution_figure_are_written(graded):
    result = graded["result"]
    rows = result.csv.read_text().splitlines()
    assert rows[0].startswith("student,assignment,score,max_score,graded,pod-exists,image-pinned,labelled")
    assert any(r.startswith("alice,toy-pod,4,4,yes,1,2,1") for r in rows)
    assert any(r.startswith("zed-crash,toy-pod,0,0,no") for r in rows)
    assert any(r.startswith("zed-broken,toy-pod,0,0,no") for r in rows)
    assert result.figure.read_bytes().startswith(b"\x89PNG")


def test_json_report_lists_trusted_and_kernel_scores(graded):
    data = graded["result"].to_json()
    patch = next(s for s in data["students"] if s["student"] == "mallory-patch")
    assert {c["id"]: (c["kernel"], c["trusted"], c["recorded"]) for c in patch["checks"]} == {
        "pod-exists": (1.0, 0.0, 0.0),
        "image-pinned": (2.0, 0.0, 0.0),
        "labelled": (1.0, 0.0, 0.0),
    }
    assert data["failed"] == ["zed-broken", "zed-crash"]


@pytest.mark.parametrize("student", ["alice", "ivan-new"])
@pytest.mark.parametrize("where", ["late-penalty", "commit"])
def test_a_failure_while_recording_leaves_no_partial_rows_and_the_old_folder(
    graded, monkeypatch, tmp_path, student, where
):
    import contextlib

    from autograder import _gradebook_writer, _nbgrader

    course = graded["course"]
    staged = tmp_path / "staged"
    shutil.copytree(course / "autograded" / "alice" / LAB_ID, staged)
    before = _scores(course)
    listing = sorted(p.name for p in (course / "autograded").iterdir())

    def broken(*args, **kwargs):
        raise OSError("disk full")

    if where == "commit":  # fails after the autograded folder was swapped in: it must be put back
        real = _gradebook_writer._one_transaction

        @contextlib.contextmanager
        def failing_commit(gb):
            with real(gb):
                yield broken

        monkeypatch.setattr(_gradebook_writer, "_one_transaction", failing_commit)
    else:
        monkeypatch.setattr(_gradebook_writer, "_late_penalty", broken)
    with pytest.raises(OSError, match="disk full"):
        _gradebook_writer.record(
            _nbgrader.load_config(course), assignment=LAB_ID, student=student, executed=staged, trusted=FULL
        )
    assert _scores(course) == before
    assert sorted(p.name for p in (course / "autograded").iterdir()) == listing
    assert (course / "autograded" / "alice" / LAB_ID / f"{LAB_ID}.ipynb").is_file()

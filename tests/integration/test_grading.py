"""``kubecourse grade`` on a throwaway course: nbgrader round trips, and the attack table.

One course holds every submission. It is graded once through the command line (so the exit code
and stderr are tested too), and its honest submissions once more by plain serial ``nbgrader
autograde`` on a copy, whose gradebook must hold the same scores. The attack table holds what a
determined learner tried against the kernel-based grader (issues 11 and 17): code in the
notebook that patches the grader, writes the gradebook, the course config, classmates' files or
its own timestamp; links, devices, FIFOs and sockets in place of files; hostile snapshots; odd
student ids. For each: the recorded score never exceeds what the submitted snapshot earns,
classmates are unaffected, and the run ends with exit code 1 (invalid submissions are listed)
and no traceback.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest
from gradinglab import (
    HIDDEN_HINT,
    HIDDEN_SECRET,
    LAB_ID,
    MAX_SCORE,
    PARTIAL_SCORE,
    add_submission,
    pod,
    snapshot_text,
    write_lab,
)

from autograder.course import build_course

pytestmark = pytest.mark.notebook

KUBECOURSE = str(Path(sys.executable).parent / "kubecourse")
NBGRADER = str(Path(sys.executable).parent / "nbgrader")
DUE = "2026-01-10 12:00:00 UTC"
ON_TIME = "2026-01-09 12:00:00 UTC"
LATE = "2026-01-11 12:00:00 UTC"
SCORE_OF = {"solution": MAX_SCORE, "partial": PARTIAL_SCORE, "starter": 0.0, None: 0.0}


def _test_cell(nb, check):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == f"check-{check}")


def _tamper_locked_cell(nb):
    _test_cell(nb, "image-pinned").source = "2.0  # I promise it is pinned"


def _delete_test_cell(nb):
    nb.cells.remove(_test_cell(nb, "labelled"))


# student: (snapshot, learner code run before the tests under nbgrader, notebook edit, score)
HONEST = {
    "alice": ("solution", "", None, MAX_SCORE),
    "bob": ("partial", "", None, PARTIAL_SCORE),
    "carol": ("starter", "", None, 0.0),
    "dave": (None, "", None, 0.0),  # forgot the submit cell
    "eve": ("partial", "", _tamper_locked_cell, PARTIAL_SCORE),  # the released cell is graded
    "frank": ("solution", "", _delete_test_cell, MAX_SCORE),  # the deleted test cell is put back
    "grace": ("solution", "raise RuntimeError('learner bug')", None, MAX_SCORE),
    "glob": ("starter", "", None, 0.0),  # the classmate that g[l]ob's pattern would match
    "mona": ("solution", "", None, 3.5),  # an instructor cut image-pinned to 1 and gave 0.5 extra
    "late-lara": ("solution", "", None, MAX_SCORE),  # late: the 'zero' plugin takes everything
}
FINAL = {**{s: v[3] for s, v in HONEST.items()}, "late-lara": 0.0}

SOLUTION_TEXT = snapshot_text("solution")


def _code(text: str) -> str:
    return textwrap.dedent(text)


# student: (snapshot, learner code, notebook edit) -- each one tried against kernels
ATTACK_CODE = {
    "m-patch": (
        "starter",
        """\
        import autograder.notebook as n
        n.grade = lambda lab, check: {"pod-exists": 1.0, "image-pinned": 2.0, "labelled": 1.0}[check]
        """,
    ),
    "m-snapshot": ("starter", f"import pathlib\npathlib.Path('snapshot.yaml').write_text({SOLUTION_TEXT!r})\n"),
    "m-modules": (
        "starter",
        """\
        import sys, types
        fake = types.ModuleType("autograder.notebook")
        fake.grade = lambda lab, check: 1.0
        sys.modules["autograder.notebook"] = fake
        """,
    ),
    "m-builtins": ("partial", "import builtins\nbuiltins.float = lambda value=0: 1.0\n"),
    "m-display": (
        "starter",
        'get_ipython().display_formatter.formatters["text/plain"].for_type(float, lambda o, p, c: p.text("1.0"))\n',
    ),
    "m-gradebook": (
        "starter",
        """\
        import os, sqlite3
        root = os.readlink(f"/proc/{os.getppid()}/cwd")
        db = sqlite3.connect(os.path.join(root, "gradebook.db"), timeout=30)
        db.execute("UPDATE grade SET manual_score = 1, extra_credit = 5")
        db.execute("UPDATE submitted_notebook SET late_submission_penalty = 0")
        db.commit()
        """,
    ),
    "m-hold-lock": (
        "starter",
        """\
        import os, subprocess, sys
        root = os.readlink(f"/proc/{os.getppid()}/cwd")
        code = "import sqlite3, time; c = sqlite3.connect(%r); c.execute('BEGIN EXCLUSIVE'); time.sleep(600)"
        subprocess.Popen([sys.executable, "-c", code % os.path.join(root, "gradebook.db")], start_new_session=True)
        """,
    ),
    "m-late": (
        "solution",
        f"open('timestamp.txt', 'w').write({ON_TIME!r})\n",
    ),
    "m-config": (
        "starter",
        """\
        import os
        root = os.readlink(f"/proc/{os.getppid()}/cwd")
        with open(os.path.join(root, "nbgrader_config.py"), "a") as config:
            config.write("\\nraise SystemExit('the config ran learner code')\\n")
        """,
    ),
    "m-classmates": (
        "starter",
        """\
        import os, pathlib
        root = pathlib.Path(os.readlink(f"/proc/{os.getppid()}/cwd"))
        (root / "submitted" / "bob" / "toy-pod" / "toy-pod.ipynb").write_text("{}")
        (root / "submitted" / "bob" / "toy-pod" / "snapshot.yaml").write_text("kind: List\\nitems: []\\n")
        (root / "source" / "toy-pod" / "autograder.py").write_text("raise SystemExit(1)")
        """,
    ),
    "m-leak": (
        "starter",
        """\
        import pathlib
        print(pathlib.Path("../../alice/toy-pod/snapshot.yaml").read_text())
        import autograder.loader as loader
        print(pathlib.Path(loader.load_checks("toy-pod").path).read_text())
        """,
    ),
    "m-exit": ("solution", "import os\nos._exit(1)\n"),
    "m-traceback": (
        "starter",
        "import sys\nsys.excepthook = lambda *a: None\nsys.stderr = sys.stdout\nraise SystemExit\n",
    ),
    "m-stderr": ("solution", "import sys\nprint('noise', file=sys.stderr)\n"),
}


def _extra_cells(nb):
    import nbformat.v4 as v4

    bonus = v4.new_code_cell("100.0")
    bonus.metadata["nbgrader"] = {"grade": True, "grade_id": "check-bonus", "locked": True, "points": 100}
    twin = v4.new_code_cell("1.0")
    twin.metadata["nbgrader"] = dict(_test_cell(nb, "pod-exists").metadata["nbgrader"])
    nb.cells.insert(1, twin)  # claims to be the pod-exists test cell, before the real one
    nb.cells.append(bonus)


def _kernelspec(nb):
    nb.metadata["kernelspec"] = {"name": "evil", "display_name": "mine", "language": "python"}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "x": "</script>"}}


def _injected_outputs(nb):
    import nbformat.v4 as v4

    for check in ("pod-exists", "image-pinned", "labelled"):
        cell = _test_cell(nb, check)
        cell.outputs = [v4.new_output("execute_result", data={"text/plain": "100.0"}, execution_count=1)]


ATTACK_NOTEBOOKS = {
    "m-extra-cells": ("starter", _extra_cells),
    "m-kernelspec": ("starter", _kernelspec),
    "m-outputs": ("starter", _injected_outputs),
}


def _setup_links(course: Path, labs: Path) -> dict[str, str]:
    """Submissions that are links or special files; student -> expected reason fragment."""
    submitted = course / "submitted"
    alice = submitted / "alice" / LAB_ID

    def base(student: str, snapshot: str | None = "starter") -> Path:
        return add_submission(course, student, snapshot)

    folder = base("m-link-classmate", None)
    (folder / "snapshot.yaml").symlink_to(alice / "snapshot.yaml")
    folder = base("m-link-solution", None)
    (folder / "snapshot.yaml").symlink_to(labs / LAB_ID / "tests" / "snapshots" / "solution.yaml")
    folder = base("m-link-zero", None)
    (folder / "snapshot.yaml").symlink_to("/dev/zero")
    folder = base("m-notebook-link", "solution")
    (folder / f"{LAB_ID}.ipynb").unlink()
    (folder / f"{LAB_ID}.ipynb").symlink_to(alice / f"{LAB_ID}.ipynb")
    (submitted / "m-link-folder").mkdir()
    (submitted / "m-link-folder" / LAB_ID).symlink_to(alice, target_is_directory=True)
    (submitted / "m-link-student").symlink_to(submitted / "alice", target_is_directory=True)
    folder = base("m-fifo", None)
    os.mkfifo(folder / "snapshot.yaml")
    folder = base("m-socket", "solution")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "grader.sock"))
    server.close()
    folder = base("m-deep-link", "solution")
    (folder / "data" / "more").mkdir(parents=True)
    (folder / "data" / "more" / "home").symlink_to(Path.home(), target_is_directory=True)
    folder = base("m-huge", None)
    with (folder / "snapshot.yaml").open("wb") as handle:
        handle.truncate(60 * 1024 * 1024)  # sparse: a 60 MiB file without writing it
    folder = base("m-notjson", "solution")
    (folder / f"{LAB_ID}.ipynb").write_text('{"cells": [truncated')
    folder = base("m-badstamp", "solution")
    (folder / "timestamp.txt").write_text("not a date at all\n")
    return {
        "m-link-classmate": "symbolic link",
        "m-link-solution": "symbolic link",
        "m-link-zero": "symbolic link",
        "m-notebook-link": "symbolic link",
        "m-link-folder": "symbolic link",
        "m-link-student": "symbolic link",
        "m-fifo": "FIFO",
        "m-socket": "socket",
        "m-deep-link": "symbolic link",
        "m-huge": "over the 50 MiB limit",
        "m-notjson": "not a readable notebook",
        "m-badstamp": "timestamp.txt does not hold a date",
    }


def _hostile_snapshots(course: Path) -> dict[str, str]:
    """Submissions whose snapshot cannot be read: graded, 0, with a note."""
    bomb = "\n".join(
        ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
    )
    many = "apiVersion: v1\nkind: List\nitems:\n" + "".join(
        f"- {{apiVersion: v1, kind: Pod, metadata: {{name: p{i}, namespace: toy}}}}\n" for i in range(100_000)
    )
    texts = {
        "m-binary": (bytes(range(256)) * 64, "binary"),
        "m-deep": (("a: " + "[" * 100_000 + "]" * 100_000).encode(), "levels deep"),
        "m-bomb": (bomb.encode(), "alias bomb"),
        "m-many": (many.encode(), "more than 10000"),
    }
    for student, (data, _) in texts.items():
        folder = add_submission(course, student, None)
        (folder / "snapshot.yaml").write_bytes(data)
    return {student: fragment for student, (_, fragment) in texts.items()}


def _anchored_solution() -> str:
    """The reference solution written with anchors and a merge key: a valid snapshot."""
    item = pod("nginx:1.27", {"team": "research"})
    meta = json.dumps(item["metadata"])
    return (
        "apiVersion: v1\nkind: List\nshared: &spec " + json.dumps(item["spec"]) + "\n"
        f"base: &meta {meta}\n"
        "items:\n- apiVersion: v1\n  kind: Pod\n  metadata: {<<: *meta}\n  spec: *spec\n"
    )


ODD_IDS = {
    "g[l]ob": "file patterns",
    "star*": "file patterns",
    "<img src=x onerror=alert(1)>": "letters, digits",
    ".hidden": "letters, digits",
    "tab\tname": "letters, digits",
}
FORMULA_IDS = {"=1+2": 0.0, "-x": 0.0, "@sum": 0.0}


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


def _manual_columns(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT id, manual_score, extra_credit FROM grade "
            "WHERE manual_score IS NOT NULL OR extra_credit IS NOT NULL"
        ).fetchall()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Build the course, add every submission, grade it through the CLI and serially with nbgrader."""
    from nbgrader.api import Gradebook

    root = tmp_path_factory.mktemp("grading")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KUBECOURSE_LABS", str(root / "labs"))
        mp.delenv("KUBECONFIG", raising=False)
        write_lab(root / "labs")
        course = root / "course"
        build_course(course, validate=False)
        # the instructor's own settings, in the file a rebuild keeps
        (course / "nbgrader_config_local.py").write_text('c.LateSubmissionPlugin.penalty_method = "zero"\n')
        with Gradebook(f"sqlite:///{course}/gradebook.db", "kubecourse") as gb:
            gb.update_or_create_assignment(LAB_ID, duedate=DUE)
        for student, (snapshot, code, mutate, _) in HONEST.items():
            folder = add_submission(course, student, snapshot, learner_code=code, mutate=mutate)
            (folder / "timestamp.txt").write_text((LATE if student == "late-lara" else ON_TIME) + "\n")
        with Gradebook(f"sqlite:///{course}/gradebook.db", "kubecourse") as gb, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SQLAlchemy's notes on nbgrader's backrefs
            gb.update_or_create_student("mona")
            gb.update_or_create_submission(LAB_ID, "mona")
            gb.find_grade("check-image-pinned", LAB_ID, LAB_ID, "mona").manual_score = 1.0
            gb.find_grade("check-labelled", LAB_ID, LAB_ID, "mona").extra_credit = 0.5
            gb.db.commit()
        serial = root / "serial"
        shutil.copytree(course, serial)
        for student, (snapshot, code) in ATTACK_CODE.items():
            folder = add_submission(course, student, snapshot, learner_code=_code(code))
            (folder / "timestamp.txt").write_text((LATE if student == "m-late" else ON_TIME) + "\n")
        for student, (snapshot, mutate) in ATTACK_NOTEBOOKS.items():
            add_submission(course, student, snapshot, mutate=mutate)
        shadow = add_submission(course, "m-shadow", "starter")
        (shadow / "autograder").mkdir()
        (shadow / "autograder" / "__init__.py").write_text("raise SystemExit('shadowed')")
        (shadow / "nbgrader_config.py").write_text("raise SystemExit('shadowed')")
        (shadow / "sitecustomize.py").write_text("raise SystemExit('shadowed')")
        (shadow / "evil.html").write_text("<script>alert(1)</script>")
        anchored = add_submission(course, "m-anchored", None)
        (anchored / "snapshot.yaml").write_text(_anchored_solution())
        links = _setup_links(course, root / "labs")
        hostile = _hostile_snapshots(course)
        for student in [*ODD_IDS, *FORMULA_IDS]:
            add_submission(course, student, "starter")
        honest_before = {s: _tree_digest(course / "submitted" / s) for s in HONEST}
        config_before = (course / "nbgrader_config.py").read_bytes()
        manual_before = _manual_columns(course / "gradebook.db")

        done = subprocess.run(
            [KUBECOURSE, "grade", LAB_ID, "--course", str(course), "--json"],
            capture_output=True,
            text=True,
            timeout=600,
        )
        serial_run = subprocess.run(
            [NBGRADER, "autograde", LAB_ID, "--force", f"--NbGrader.config_file={serial}/nbgrader_config.py"],
            cwd=serial,
            capture_output=True,
            text=True,
            timeout=900,
        )
        yield {
            "course": course,
            "labs": root / "labs",
            "done": done,
            "report": json.loads(done.stdout) if done.stdout.strip() else {},
            "ours": _scores(course),
            "serial": _scores(serial),
            "serial_log": serial_run.stderr,
            "links": links,
            "hostile": hostile,
            "honest_before": honest_before,
            "config_before": config_before,
            "manual_before": manual_before,
        }


def _scores(course: Path) -> dict[str, dict[str, float | None]]:
    """student -> {check: nbgrader's effective score (manual if set, else auto, plus extra credit)}."""
    from nbgrader.api import Gradebook

    scores: dict[str, dict[str, float | None]] = {}
    with Gradebook(f"sqlite:///{course}/gradebook.db", "kubecourse") as gb:
        for submission in gb.assignment_submissions(LAB_ID):
            for notebook in submission.notebooks:
                scores[submission.student_id] = {g.name.removeprefix("check-"): g.score for g in notebook.grades}
                scores[submission.student_id]["late"] = notebook.late_submission_penalty or 0.0
    return scores


def _student(graded, student):
    return next(s for s in graded["report"]["students"] if s["student"] == student)


def _total(graded, student, which="ours"):
    return sum(v for k, v in graded[which][student].items() if k != "late" and v is not None)


def test_the_run_ends_with_exit_code_1_and_no_traceback(graded):
    done = graded["done"]
    assert done.returncode == 1, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert graded["report"]["graded"] > len(HONEST)


@pytest.mark.parametrize("student", sorted(HONEST))
def test_honest_submissions_get_the_expected_score(graded, student):
    assert _total(graded, student) == HONEST[student][3]
    assert _student(graded, student)["score"] == FINAL[student]


@pytest.mark.parametrize("student", sorted(set(HONEST) - {"grace"}))
def test_scores_equal_serial_nbgrader_autograde(graded, student):
    """nbgrader round trip: the same gradebook rows as plain nbgrader, cell by cell, late
    penalty included (grace's raising cell is no problem for either)."""
    assert graded["ours"][student] == graded["serial"][student], graded["serial_log"][-2000:]


def test_a_failing_learner_cell_changes_nothing_for_either(graded):
    assert graded["ours"]["grace"] == graded["serial"]["grace"]


def test_late_penalty_is_recorded_and_exported(graded):
    lara = _student(graded, "late-lara")
    assert lara["late_penalty"] == MAX_SCORE and lara["score"] == 0.0 and lara["score_before_penalty"] == MAX_SCORE
    rows = {r["student"]: r for r in csv.DictReader((graded["course"] / "grades" / f"{LAB_ID}.csv").open())}
    assert rows["late-lara"]["score"] == "0" and rows["late-lara"]["late_penalty"] == "4"
    assert rows["alice"]["score"] == "4"


def test_instructor_scores_are_kept_as_they_were(graded):
    assert graded["ours"]["mona"]["image-pinned"] == 1.0 and graded["ours"]["mona"]["labelled"] == 1.5
    assert _student(graded, "mona")["needs_manual_grade"] is True
    assert _manual_columns(graded["course"] / "gradebook.db") == graded["manual_before"]


@pytest.mark.parametrize("student", sorted(ATTACK_CODE))
def test_learner_code_never_runs_so_it_cannot_raise_a_score(graded, student):
    snapshot = ATTACK_CODE[student][0]
    earned = SCORE_OF[snapshot]
    assert _total(graded, student) == earned
    expected_final = 0.0 if student == "m-late" else earned
    assert _student(graded, student)["score"] == expected_final


def test_attacks_on_files_outside_the_submission_did_nothing(graded):
    course = graded["course"]
    assert (course / "nbgrader_config.py").read_bytes() == graded["config_before"]
    assert not (course / "source" / LAB_ID / "autograder.py").exists()
    assert {s: _tree_digest(course / "submitted" / s) for s in HONEST} == graded["honest_before"]


def test_no_process_holds_the_gradebook_and_every_classmate_is_recorded(graded):
    with sqlite3.connect(graded["course"] / "gradebook.db", timeout=1) as conn:
        conn.execute("BEGIN IMMEDIATE")
        conn.rollback()
    rows = {r["student"] for r in csv.DictReader((graded["course"] / "grades" / f"{LAB_ID}.csv").open())}
    expected = set(HONEST) | set(ATTACK_CODE) | set(ATTACK_NOTEBOOKS) | set(graded["links"]) | set(graded["hostile"])
    assert {s.removeprefix("'") for s in rows} >= expected | set(ODD_IDS) | set(FORMULA_IDS)
    assert set(graded["ours"]) >= expected


@pytest.mark.parametrize("student", sorted(ATTACK_NOTEBOOKS))
def test_edited_notebooks_are_graded_from_the_snapshot(graded, student):
    assert _total(graded, student) == SCORE_OF[ATTACK_NOTEBOOKS[student][0]]
    assert _student(graded, student)["max_score"] == MAX_SCORE  # an extra 'graded' cell adds nothing


def test_the_autograded_notebook_is_rebuilt_from_the_release(graded):
    folder = graded["course"] / "autograded"
    nb = json.loads((folder / "m-kernelspec" / LAB_ID / f"{LAB_ID}.ipynb").read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3" and "widgets" not in nb["metadata"]
    nb = json.loads((folder / "m-outputs" / LAB_ID / f"{LAB_ID}.ipynb").read_text())
    outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
    assert all("100" not in json.dumps(o) for o in outputs)
    nb = json.loads((folder / "m-extra-cells" / LAB_ID / f"{LAB_ID}.ipynb").read_text())
    ids = [c["metadata"].get("nbgrader", {}).get("grade_id") for c in nb["cells"]]
    assert ids.count("check-pod-exists") == 1 and "check-bonus" not in ids
    assert sorted(p.name for p in (folder / "m-shadow" / LAB_ID).iterdir()) == ["snapshot.yaml", f"{LAB_ID}.ipynb"]


@pytest.mark.parametrize("student", ["m-anchored"])
def test_an_anchored_valid_snapshot_is_graded_on_its_content(graded, student):
    assert _total(graded, student) == MAX_SCORE


@pytest.mark.parametrize(
    "student",
    [
        "m-link-classmate",
        "m-link-solution",
        "m-link-zero",
        "m-notebook-link",
        "m-link-folder",
        "m-link-student",
        "m-fifo",
        "m-socket",
        "m-deep-link",
        "m-huge",
        "m-notjson",
        "m-badstamp",
    ],
)
def test_links_and_special_files_are_invalid_submissions_scored_zero(graded, student):
    report = _student(graded, student)
    assert report["status"] == "invalid" and report["score"] == 0.0
    assert graded["links"][student] in report["problem"]
    assert _total(graded, student) == 0.0
    assert not (graded["course"] / "autograded" / student / LAB_ID).exists()
    page = graded["course"] / "feedback" / student / LAB_ID / f"{LAB_ID}.html"
    assert "could not be graded" in page.read_text()


@pytest.mark.parametrize("student", ["m-binary", "m-deep", "m-bomb", "m-many"])
def test_hostile_snapshots_are_refused_with_a_note(graded, student):
    report = _student(graded, student)
    assert report["status"] == "graded" and report["score"] == 0.0
    assert graded["hostile"][student] in report["snapshot"]
    assert "\n" not in report["snapshot"]


@pytest.mark.parametrize("student", sorted(ODD_IDS))
def test_odd_student_ids_are_refused_and_match_nobody(graded, student):
    report = _student(graded, student)
    assert report["status"] == "refused" and ODD_IDS[student] in report["problem"]
    assert student not in graded["ours"]
    assert graded["ours"]["glob"] == {"pod-exists": 0.0, "image-pinned": 0.0, "labelled": 0.0, "late": 0.0}


def test_student_ids_a_spreadsheet_would_evaluate_are_neutralised(graded):
    lines = (graded["course"] / "grades" / f"{LAB_ID}.csv").read_text().splitlines()
    starts = {line.split(",")[0] for line in lines[1:]}
    assert {"'=1+2", "'-x", "'@sum"} <= starts
    assert not any(s.startswith(("=", "+", "-", "@")) for s in starts)


def test_feedback_shows_a_hidden_check_hint_but_never_its_logic_or_a_classmates_snapshot(graded):
    for student in ("bob", "carol", "alice", "m-leak"):
        html = (graded["course"] / "feedback" / student / LAB_ID / f"{LAB_ID}.html").read_text()
        assert HIDDEN_SECRET not in html and "research" not in html
    bob = (graded["course"] / "feedback" / "bob" / LAB_ID / f"{LAB_ID}.html").read_text()
    assert "hidden check did not pass" in bob and HIDDEN_HINT in bob


def test_feedback_and_autograded_notebooks_carry_the_check_results(graded):
    nb = json.loads((graded["course"] / "autograded" / "bob" / LAB_ID / f"{LAB_ID}.ipynb").read_text())
    cell = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "check-image-pinned")
    text = "".join(_text(o.get("text", "")) for o in cell["outputs"])
    assert "0.5/2 points" in text and "not pinned" in text
    assert _text(cell["outputs"][-1]["data"]["text/plain"]) == "0.5"
    for student in HONEST:
        assert (graded["course"] / "feedback" / student / LAB_ID / f"{LAB_ID}.html").is_file()


def _text(value) -> str:
    return value if isinstance(value, str) else "".join(value)


def test_a_failure_at_commit_leaves_the_gradebook_and_folders_as_they_were(graded, tmp_path, monkeypatch):
    from autograder import _gradebook_writer
    from autograder.grading import grade_assignment

    course = tmp_path / "course"
    shutil.copytree(graded["course"], course, symlinks=True, ignore=shutil.ignore_patterns("m-*"))
    before = _scores(course)
    listing = sorted(p.name for p in (course / "autograded").iterdir())
    alice = (course / "autograded" / "alice" / LAB_ID / f"{LAB_ID}.ipynb").read_bytes()
    (course / "submitted" / "alice" / LAB_ID / "snapshot.yaml").write_text(snapshot_text("starter"))
    real = _gradebook_writer._one_transaction

    def failing(gb):
        class Broken:
            def __enter__(self):
                self.inner = real(gb)
                self.inner.__enter__()

                def commit():
                    raise OSError("disk full")

                return commit

            def __exit__(self, *exc):
                return self.inner.__exit__(*exc)

        return Broken()

    monkeypatch.setattr(_gradebook_writer, "_one_transaction", failing)
    monkeypatch.setenv("KUBECOURSE_LABS", str(graded["labs"]))
    with pytest.raises(OSError, match="disk full"):
        grade_assignment(course, LAB_ID, jobs=2)
    assert _scores(course) == before
    assert sorted(p.name for p in (course / "autograded").iterdir()) == listing
    assert (course / "autograded" / "alice" / LAB_ID / f"{LAB_ID}.ipynb").read_bytes() == alice

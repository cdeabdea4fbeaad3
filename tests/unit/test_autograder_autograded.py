"""autograder._autograded: the autograded notebook rebuilt from the release, scored by the checks.

The baseline below has every kind of nbgrader cell (a check's test cell, a manually graded
answer, an ungraded answer cell, a task, a test cell with its own code), so that each of
nbgrader's ``SaveAutoGrades`` rules (``nbgrader/preprocessors/saveautogrades.py`` and
``determine_grade`` in ``nbgrader/utils.py``) is exercised without a course.
"""

from __future__ import annotations

import json

import nbformat.v4 as v4
import pytest
from nbgrader.utils import compute_checksum

from autograder._autograded import NO_RESPONSE, InvalidNotebook, autograde, missing, parse_notebook
from autograder._gradebook_guard import NotebookBaseline, SourceCell
from autograder.results import Check, CheckResult


def _cell(kind, source, **grading):
    make = {"code": v4.new_code_cell, "markdown": v4.new_markdown_cell}[kind]
    cell = make(source)
    cell.metadata["nbgrader"] = {"schema_version": 3, "cell_type": kind, **grading}
    cell.metadata["nbgrader"]["checksum"] = compute_checksum(cell)
    return cell


RELEASE = [
    _cell("code", "grade()", grade=True, grade_id="check-a", locked=True, points=2, solution=False),
    _cell("markdown", "YOUR ANSWER HERE", grade=True, grade_id="essay", locked=False, points=3, solution=True),
    _cell("code", "# your code", grade=False, grade_id="answer", locked=False, solution=True),
    _cell("markdown", "Do the thing", grade=False, grade_id="task", locked=True, points=1, task=True, solution=False),
    _cell("code", "assert f() == 1", grade=True, grade_id="own-test", locked=True, points=1, solution=False),
]


def _baseline() -> NotebookBaseline:
    cells = []
    for cell in RELEASE:
        grading = cell.metadata["nbgrader"]
        cells.append(
            SourceCell(
                name=grading["grade_id"],
                cell_type=cell.cell_type,
                locked=grading.get("locked", False),
                checksum=grading["checksum"],
                source=cell.source,
                grade=grading.get("grade", False),
                solution=grading.get("solution", False),
                task=grading.get("task", False),
                max_score=float(grading["points"]) if "points" in grading else None,
            )
        )
    return NotebookBaseline(
        name="lab",
        cells=tuple(cells),
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        cell_metadata={c.metadata["nbgrader"]["grade_id"]: dict(c.metadata) for c in RELEASE},
    )


CHECK = Check(id="a", title="A works", points=2.0, hint="try harder", function=lambda state: None)


def _result(points: float) -> CheckResult:
    return CheckResult(check=CHECK, status="passed" if points == 2 else "failed", points=points, message="found")


def _submitted(edit=None) -> dict:
    nb = v4.new_notebook(cells=[v4.new_markdown_cell("intro"), *[c.copy() for c in RELEASE]])
    nb.cells = [json.loads(json.dumps(c)) for c in nb.cells]
    nb = json.loads(json.dumps(nb))
    if edit:
        edit(nb)
    return parse_notebook(json.dumps(nb).encode(), "lab.ipynb")


def test_an_untouched_submission_scores_like_nbgrader():
    done = autograde(_submitted(), _baseline(), {"a": _result(0.5)}, state_source="snapshot")
    assert done.auto_scores == {"check-a": 0.5, "essay": 0.0, "own-test": None}
    assert done.auto_comments == {"essay": NO_RESPONSE, "answer": NO_RESPONSE, "task": None}
    test = next(c for c in done.notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "check-a")
    assert "0.5/2 points" in test.outputs[0].text and test.outputs[1].data["text/plain"] == "0.5"


def test_answers_are_for_a_person_once_written():
    def answer(nb):
        nb["cells"][2]["source"] = "My essay."
        nb["cells"][3]["source"] = "def f():\n    return 1\n"

    done = autograde(_submitted(answer), _baseline(), {"a": _result(2.0)}, state_source="snapshot")
    assert done.auto_scores["essay"] is None and done.auto_scores["check-a"] == 2.0
    assert done.auto_comments["essay"] is None and done.auto_comments["answer"] is None


def test_locked_cells_are_restored_and_deleted_ones_put_back():
    def tamper(nb):
        nb["cells"][1]["source"] = "2.0"
        del nb["cells"][4]  # the task

    done = autograde(_submitted(tamper), _baseline(), {"a": _result(0.0)}, state_source="snapshot")
    sources = {c.metadata["nbgrader"]["grade_id"]: c.source for c in done.notebook.cells if "nbgrader" in c.metadata}
    assert sources["check-a"] == "grade()" and sources["task"] == "Do the thing"
    assert any("locked cell check-a was edited" in n for n in done.notes)
    assert any("task was missing" in n for n in done.notes)


def test_the_learners_metadata_and_outputs_are_not_kept():
    def forge(nb):
        nb["metadata"]["kernelspec"] = {"name": "evil"}
        nb["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "2.0"}]
        nb["cells"][0]["metadata"]["tags"] = ["x"]
        nb["cells"].append({"cell_type": "raw", "metadata": {"raw_mimetype": "text/html"}, "source": "<b>"})

    done = autograde(_submitted(forge), _baseline(), {"a": _result(0.0)}, state_source="live")
    assert done.notebook.metadata["kernelspec"]["name"] == "python3"
    assert done.notebook.cells[0].metadata == {}
    assert done.notebook.cells[-1].metadata == {"raw_mimetype": "text/plain"}
    test = next(c for c in done.notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "check-a")
    assert "(graded from live state)" in test.outputs[0].text


def test_a_missing_notebook_scores_zero():
    assert missing(_baseline()) == (
        {"check-a": 0.0, "essay": 0.0, "own-test": 0.0},
        {"essay": None, "answer": None, "task": None},
    )


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b'{"cells": [trunc', "not UTF-8 JSON"),
        (b"\xff\xfe", "not UTF-8 JSON"),
        (b"[1, 2]", "a JSON list"),
        (b'{"nbformat": 4, "cells": {}}', "no list of cells"),
        (b'{"nbformat": 4, "cells": [{"cell_type": "html"}]}', "cell 1 is not"),
        (b'{"nbformat": 4, "cells": [{"cell_type": "code", "source": 3}]}', "no text source"),
        (b"[" * 100_000 + b"]" * 100_000, "not UTF-8 JSON"),
    ],
)
def test_unreadable_notebooks_are_named(data, fragment):
    with pytest.raises(InvalidNotebook, match=fragment):
        parse_notebook(data, "lab.ipynb")

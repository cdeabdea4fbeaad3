"""autograder.lab_notebook: the grading conventions a lab notebook must follow."""

from __future__ import annotations

import pytest
from gradinglab import LAB_ID, write_lab

from autograder.lab_notebook import declared_checks, read_lab_notebook, verify
from coursecore import labs
from coursecore.errors import UsageError


@pytest.fixture
def lab(tmp_path, monkeypatch):
    write_lab(tmp_path / "labs")
    monkeypatch.setenv("KUBECOURSE_LABS", str(tmp_path / "labs"))
    return labs.find(LAB_ID)


def test_the_toy_lab_notebook_follows_the_conventions(lab):
    nb = read_lab_notebook(lab)
    assert nb.metadata.kernelspec["name"] == "python3"
    assert "jupytext" not in nb.metadata
    verify(lab, nb, declared_checks(lab))


def _grade_cells(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda nb: nb.cells.remove(_grade_cells(nb)[0]), "no test cell for check(s) pod-exists"),
        (lambda nb: _grade_cells(nb)[1].metadata.nbgrader.update(points=3), "gives 3 points but checks.py gives 2"),
        (lambda nb: setattr(_grade_cells(nb)[0], "source", "assert True"), "must contain exactly"),
        (lambda nb: _grade_cells(nb)[0].metadata.nbgrader.update(grade_id="check-nope"), "names no check"),
        (lambda nb: _grade_cells(nb)[0].metadata.nbgrader.update(locked=False), "must be a locked code cell"),
        (lambda nb: nb.cells.pop(), "last code cell must be the submit cell"),
        (lambda nb: nb.cells.insert(1, _hidden_tests_cell()), "hidden tests"),
        (lambda nb: nb.cells.insert(2, _grade_cells(nb)[0].copy()), "has two test cells"),
        (lambda nb: _grade_cells(nb)[0].metadata.nbgrader.update(grade_id='x" onmouseover="y'), "use letters"),
        (lambda nb: nb.cells.insert(2, _own_test_cell()), "kubecourse grade never runs"),
    ],
)
def test_a_broken_convention_is_an_error_naming_the_lab(lab, breakage, message):
    nb = read_lab_notebook(lab)
    breakage(nb)
    with pytest.raises(UsageError) as caught:
        verify(lab, nb, declared_checks(lab))
    assert f"lab {LAB_ID}" in caught.value.message
    assert message in caught.value.message


def _own_test_cell():
    """An autograded test cell with its own code, which nbgrader would execute."""
    import nbformat.v4 as v4

    cell = v4.new_code_cell("assert 1 + 1 == 2")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "my-test", "locked": True, "points": 1, "solution": False}
    return cell


def _hidden_tests_cell():
    import nbformat.v4 as v4

    return v4.new_code_cell("### BEGIN HIDDEN TESTS\nassert x == 1\n### END HIDDEN TESTS")


def test_the_one_line_submit_cell_of_the_contract_is_accepted(lab):
    nb = read_lab_notebook(lab)
    nb.cells[-1].source = f'from autograder.notebook import submit; submit("{LAB_ID}")'
    verify(lab, nb, declared_checks(lab))


def test_malformed_myst_is_a_usage_error(lab):
    (lab.path / f"{LAB_ID}.md").write_bytes(b"\x00\x01 not text")
    with pytest.raises(UsageError):
        read_lab_notebook(lab)

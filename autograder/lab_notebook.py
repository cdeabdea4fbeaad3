"""A lab's notebook: read from its jupytext MyST source and verified against the lab's checks.

``labs/<id>/<id>.md`` is the single source of the notebook learners open. Before nbgrader sees
it, :func:`read_lab_notebook` converts it and :func:`verify` enforces the conventions the grading
relies on: one locked autograded test cell per check, with the check's points and the exact
two-line source that calls :func:`autograder.notebook.grade`; no test logic in the notebook
(hidden tests would leak into feedback, and ``kubecourse grade`` runs no notebook code); plain
``grade_id`` values; a final submit cell; the ``python3`` kernel; and the rules of
:mod:`coursecore.labsteps` for the cells that write files and run commands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.inert_html import safe_id
from coursecore import labsteps
from coursecore.errors import UsageError
from coursecore.labs import Lab

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
GRADE_ID_PREFIX = "check-"


def test_cell_source(lab_id: str, check_id: str) -> str:
    """The exact source of the test cell for one check."""
    return f'from autograder.notebook import grade\ngrade("{lab_id}", "{check_id}")'


def submit_cell_source(lab_id: str) -> str:
    """The exact source of the notebook's last code cell."""
    return f'from autograder.notebook import submit\nsubmit("{lab_id}")'


@dataclass(frozen=True, kw_only=True)
class DeclaredCheck:
    """What the notebook must mirror of one check in ``checks.py``."""

    id: str
    points: float
    hidden: bool


def notebook_source(lab: Lab) -> Path:
    """``labs/<id>/<id>.md``."""
    return labsteps.notebook_source(lab)


def read_lab_notebook(lab: Lab) -> Any:
    """Convert the lab's MyST source into an nbformat v4 notebook with the python3 kernelspec."""
    nb = labsteps.read_notebook(lab)
    # nbgrader refuses unknown kernel names (NoSuchKernel); the jupytext pairing header would make
    # Jupyter try to re-sync a file that learners do not have.
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata.pop("jupytext", None)
    return nb


def solution_notebook(lab: Lab) -> Any:
    """The lab's notebook with every file cell holding its reference solution instead of the
    starter: the notebook a learner who solved the lab would run (tests run it with nbval)."""
    from coursecore.labsteps import WriteFile, lab_steps

    nb = read_lab_notebook(lab)
    for step in lab_steps(lab, nb):
        if isinstance(step, WriteFile):
            nb.cells[step.cell].source = f"%%writefile {step.path}\n{step.solution}".rstrip("\n")
    return nb


def declared_checks(lab: Lab) -> list[DeclaredCheck]:
    """The checks the lab's ``checks.py`` declares, in order."""
    from autograder.loader import load_checks

    return [DeclaredCheck(id=c.id, points=float(c.points), hidden=c.hidden) for c in load_checks(lab).checks]


def verify(lab: Lab, nb: Any, checks: list[DeclaredCheck]) -> None:
    """Raise a UsageError naming the lab and the cell if the notebook breaks a grading convention."""
    where = f"lab {lab.id} ({notebook_source(lab).name})"
    expected = {c.id: c for c in checks}
    seen: dict[str, int] = {}
    for index, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        text = _normalise(cell.get("source", ""))
        if re.search(r"#+\s*BEGIN HIDDEN TESTS", text):
            raise UsageError(
                f"{where}: cell {index + 1} has hidden tests; nbgrader leaks them into feedback. "
                "Put the logic in checks.py as a check with hidden=True."
            )
        if meta and not safe_id(meta.get("grade_id")):
            raise UsageError(
                f"{where}: cell {index + 1} has grade_id {meta.get('grade_id')!r}; use letters, digits, - and _ "
                "(nbgrader's pages put it in HTML attributes)"
            )
        if not meta.get("grade"):
            continue
        grade_id = str(meta.get("grade_id", ""))
        if not grade_id.startswith(GRADE_ID_PREFIX):
            if cell.cell_type == "code" and not meta.get("solution"):
                raise UsageError(
                    f"{where}: test cell {grade_id!r} holds test code, which kubecourse grade never runs; "
                    "write the test as a check in checks.py and name the cell check-<id>"
                )
            continue  # a manually graded answer: allowed, not ours to check
        check_id = grade_id[len(GRADE_ID_PREFIX) :]
        if check_id not in expected:
            raise UsageError(f"{where}: test cell {grade_id!r} names no check in checks.py")
        if check_id in seen:
            raise UsageError(
                f"{where}: check {check_id!r} has two test cells (cells {seen[check_id] + 1} and {index + 1})"
            )
        seen[check_id] = index
        if cell.cell_type != "code" or meta.get("solution") or not meta.get("locked"):
            raise UsageError(f"{where}: test cell {grade_id!r} must be a locked code cell, not a solution cell")
        points = meta.get("points")
        if not isinstance(points, (int, float)) or float(points) != expected[check_id].points:
            raise UsageError(
                f"{where}: test cell {grade_id!r} gives {points!r} points but checks.py gives "
                f"{expected[check_id].points:g}"
            )
        if text != test_cell_source(lab.id, check_id):
            raise UsageError(
                f"{where}: test cell {grade_id!r} must contain exactly {test_cell_source(lab.id, check_id)!r}"
            )
    missing = [c.id for c in checks if c.id not in seen]
    if missing:
        raise UsageError(f"{where}: no test cell for check(s) {', '.join(missing)} (grade_id check-<id>)")
    steps = labsteps.problems(lab, nb)
    if steps:
        raise UsageError(f"{where}: {steps[0]}")
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    # The contract writes the submit cell on one line with a semicolon; accept either layout.
    if not code or _normalise(code[-1].source).replace("; ", "\n") != submit_cell_source(lab.id):
        raise UsageError(f"{where}: the last code cell must be the submit cell {submit_cell_source(lab.id)!r}")


def _normalise(source: Any) -> str:
    text = "".join(source) if isinstance(source, list) else str(source)
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


__all__ = [
    "GRADE_ID_PREFIX",
    "KERNELSPEC",
    "DeclaredCheck",
    "declared_checks",
    "notebook_source",
    "read_lab_notebook",
    "solution_notebook",
    "submit_cell_source",
    "test_cell_source",
    "verify",
]

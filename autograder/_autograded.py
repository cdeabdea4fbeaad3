"""The autograded notebook of one submission, built without running it, and its cell scores.

``nbgrader autograde`` sanitises a submission (outputs cleared, locked cells and their metadata
restored from the gradebook, deleted test cells put back) and then *executes* it. Here the
sanitising is done the same way from the learner's notebook as data, and execution is replaced
by the check results the grader computed itself: each check's test cell gets the check's
result as its output and its points as its score, exactly where a kernel would have put them.
Nothing of the learner's notebook is trusted: only cell types, sources and safe image
attachments are taken from it; metadata comes from the release notebook, outputs are dropped,
and raw cells are marked plain text so that no page renders them as HTML.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from autograder._gradebook_guard import NotebookBaseline, SourceCell
from autograder.inert_html import safe_attachments
from autograder.lab_notebook import GRADE_ID_PREFIX
from autograder.notebook import describe

NO_RESPONSE = "No response."
_CELL_TYPES = ("code", "markdown", "raw")


class InvalidNotebook(Exception):
    """The submitted file is not a Jupyter notebook this grader can read."""


@dataclass(frozen=True, kw_only=True)
class Autograded:
    """One notebook, graded."""

    notebook: Any
    """The autograded notebook (nbformat v4)."""
    auto_scores: dict[str, float | None]
    """Every graded cell's automatic score (``None``: an instructor grades it)."""
    auto_comments: dict[str, str | None]
    """Every answer and task cell's automatic comment (``No response.`` if left as released)."""
    notes: tuple[str, ...] = field(default=())
    """What was restored or put back."""


def parse_notebook(data: bytes, source: str) -> dict[str, Any]:
    """The submitted notebook as JSON data (nbformat v4, upgraded from v3 if need be).

    Raises:
        InvalidNotebook: not UTF-8 JSON, or not shaped like a notebook.
    """
    try:
        nb = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise InvalidNotebook(f"{source} is not a readable notebook (not UTF-8 JSON: {_short(err)})") from None
    if not isinstance(nb, dict):
        raise InvalidNotebook(f"{source} is not a notebook (a JSON {type(nb).__name__})")
    if nb.get("nbformat") == 3:
        import nbformat

        try:
            nb = json.loads(nbformat.writes(nbformat.reads(json.dumps(nb), as_version=4)))
        except Exception as err:  # noqa: BLE001 - nbformat raises assorted errors on odd v3 files
            raise InvalidNotebook(
                f"{source} is an nbformat 3 notebook that cannot be upgraded: {_short(err)}"
            ) from None
    if nb.get("nbformat") != 4 or not isinstance(nb.get("cells"), list):
        raise InvalidNotebook(f"{source} is not an nbformat 4 notebook (no list of cells)")
    for index, cell in enumerate(nb["cells"], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") not in _CELL_TYPES:
            raise InvalidNotebook(f"{source}: cell {index} is not a code, markdown or raw cell")
        text = cell.get("source", "")
        if isinstance(text, list) and all(isinstance(line, str) for line in text):
            cell["source"] = "".join(text)
        elif not isinstance(text, str):
            raise InvalidNotebook(f"{source}: cell {index} has no text source")
        if not isinstance(cell.get("metadata", {}), dict):
            cell["metadata"] = {}
    return nb


def autograde(
    submitted: Mapping[str, Any],
    baseline: NotebookBaseline,
    results: Mapping[str, Any],
    *,
    state_source: str,
) -> Autograded:
    """Build the autograded notebook from a parsed submission (see :func:`parse_notebook`).

    Args:
        results: check id -> the check's result (:class:`~autograder.results.CheckResult`).
        state_source: ``snapshot`` or ``live``, said in each test cell's output.
    """
    import nbformat.v4 as v4

    notes: list[str] = []
    placed: list[tuple[str | None, Any]] = []  # (grade_id of a restored cell, cell)
    used: set[str] = set()
    for cell in submitted["cells"]:
        grading = cell["metadata"].get("nbgrader")
        grade_id = grading.get("grade_id") if isinstance(grading, dict) else None
        known = baseline.cell(grade_id) if isinstance(grade_id, str) and grade_id not in used else None
        if known is None:
            placed.append((None, _learner_cell(v4, cell)))
            continue
        used.add(known.name)
        text = known.source if known.locked else cell["source"]
        if known.locked and text != cell["source"]:
            notes.append(f"locked cell {known.name} was edited; the released version was graded")
        if known.cell_type != cell["cell_type"]:
            notes.append(f"cell {known.name} was changed into a {cell['cell_type']} cell; restored")
        placed.append((known.name, _restored(v4, known, text, baseline, cell.get("attachments"))))
    for known in baseline.cells:
        if (known.grade or known.task) and known.name not in used:
            notes.append(f"cell {known.name} was missing from the submission; it was put back")
            _insert_after_predecessor(placed, known, baseline, _restored(v4, known, known.source, baseline, None))
    cells = [cell for _, cell in placed]
    auto_scores: dict[str, float | None] = {}
    auto_comments: dict[str, str | None] = {}
    for grade_id, cell in placed:
        if grade_id is None:
            continue
        known = baseline.cell(grade_id)
        assert known is not None
        if known.grade:
            auto_scores[grade_id] = _score(cell, known, results, state_source)
        if known.solution or known.task:
            unchanged = cell.metadata.nbgrader.get("checksum") == _checksum(cell)
            auto_comments[grade_id] = NO_RESPONSE if unchanged and not known.task else None
    metadata = {k: v for k, v in baseline.metadata.items() if k in ("kernelspec", "language_info")}
    if "kernelspec" not in metadata:
        metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    notebook = v4.new_notebook(cells=cells, metadata=metadata)
    return Autograded(notebook=notebook, auto_scores=auto_scores, auto_comments=auto_comments, notes=tuple(notes))


def missing(baseline: NotebookBaseline) -> tuple[dict[str, float | None], dict[str, str | None]]:
    """Scores and comments of a notebook that was not submitted: 0 for every graded cell, as
    ``nbgrader autograde`` records."""
    scores = {c.name: 0.0 for c in baseline.cells if c.grade}
    comments = {c.name: None for c in baseline.cells if c.solution or c.task}
    return scores, comments


def _learner_cell(v4, cell: Mapping[str, Any]) -> Any:
    """A cell the assignment does not know: its text only, nothing that could render as HTML."""
    if cell["cell_type"] == "markdown":
        made = v4.new_markdown_cell(cell["source"])
        attachments = safe_attachments(cell.get("attachments"))
        if attachments:
            made.attachments = attachments
        return made
    if cell["cell_type"] == "raw":
        return v4.new_raw_cell(cell["source"], metadata={"raw_mimetype": "text/plain"})
    return v4.new_code_cell(cell["source"])


def _restored(v4, known: SourceCell, text: str, baseline: NotebookBaseline, attachments: Any) -> Any:
    """An assignment cell with the release notebook's type and metadata and ``text``."""
    metadata = json.loads(json.dumps(baseline.cell_metadata.get(known.name) or _metadata_of(known)))
    metadata["nbgrader"]["checksum"] = known.checksum
    if known.cell_type == "code":
        return v4.new_code_cell(text, metadata=metadata)
    if known.cell_type == "markdown":
        made = v4.new_markdown_cell(text, metadata=metadata)
        kept = safe_attachments(attachments)
        if kept:
            made.attachments = kept
        return made
    metadata["raw_mimetype"] = "text/plain"
    return v4.new_raw_cell(text, metadata=metadata)


def _metadata_of(known: SourceCell) -> dict[str, Any]:
    """nbgrader metadata from the gradebook, when the release notebook cannot be read."""
    grading: dict[str, Any] = {
        "grade": known.grade,
        "grade_id": known.name,
        "locked": known.locked,
        "schema_version": 3,
        "solution": known.solution,
        "task": known.task,
        "cell_type": known.cell_type,
    }
    if known.max_score is not None:
        grading["points"] = known.max_score
    metadata: dict[str, Any] = {"nbgrader": grading}
    if known.locked:
        metadata.update(deletable=False, editable=False)
    return metadata


def _insert_after_predecessor(placed: list, known: SourceCell, baseline: NotebookBaseline, cell: Any) -> None:
    """Put a missing cell after the nearest earlier cell of the release notebook that is there
    (what nbgrader's ``add_missing_cells`` does); first if there is none."""
    names = [c.name for c in baseline.cells]
    for earlier in reversed(names[: names.index(known.name)]):
        for index, (grade_id, _) in enumerate(placed):
            if grade_id == earlier:
                placed.insert(index + 1, (known.name, cell))
                return
    placed.insert(0, (known.name, cell))


def _score(cell: Any, known: SourceCell, results: Mapping[str, Any], state_source: str) -> float | None:
    """A graded cell's automatic score: a check's cell gets the check's result as its output."""
    if known.solution or cell.cell_type != "code":
        # nbgrader's rule for answers graded by hand: 0 if left as released, else for a person
        return 0.0 if cell.metadata.nbgrader.get("checksum") == _checksum(cell) else None
    import nbformat.v4 as v4

    max_points = float(known.max_score or 0.0)
    if not known.name.startswith(GRADE_ID_PREFIX):
        cell.outputs = [
            v4.new_output(
                "stream",
                name="stdout",
                text="kubecourse grade runs no notebook code: this test cell is for an instructor to grade.\n",
            )
        ]
        return None
    check_id = known.name[len(GRADE_ID_PREFIX) :]
    result = results.get(check_id)
    if result is None:
        text = f"✗ {check_id}: 0 points. The lab has no check {check_id!r}: the course is older than the lab."
        points = 0.0
    else:
        text = describe(result, state_source)
        full = float(result.check.points)
        points = float(result.points) if full == max_points else max_points * float(result.points) / (full or 1.0)
        points = min(max(points, 0.0), max_points)
    cell.outputs = [
        v4.new_output("stream", name="stdout", text=text + "\n"),
        v4.new_output("execute_result", data={"text/plain": repr(points)}, execution_count=None),
    ]
    return points


def _checksum(cell: Any) -> str:
    from nbgrader.utils import compute_checksum

    return compute_checksum(cell)


def _short(err: Exception) -> str:
    return str(err).splitlines()[0][:200] if str(err) else type(err).__name__


__all__ = ["NO_RESPONSE", "Autograded", "InvalidNotebook", "autograde", "missing", "parse_notebook"]

"""The feedback page of one submitted notebook: scores, check results and the notebook, inert.

``kubecourse grade`` writes ``feedback/<student>/<assignment>/<notebook>.html`` itself rather
than through nbconvert: the page is small, needs nothing from the internet, and every byte of it
is either this module's or escaped. Jinja escapes every value; the learner's markdown is
rendered and cleaned by :mod:`autograder.inert_html`; code is shown as text; learner outputs
are not shown at all (nothing ran), only the test cells' check results. The page also forbids
scripts outright with a Content-Security-Policy, so anything that slipped through would still
not run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from autograder.inert_html import markdown_to_html

CSP = "default-src 'none'; img-src data: https: http:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ page.assignment }}: {{ page.notebook }} ({{ page.student }})</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1d2430; }
header { border-bottom: 2px solid #3b6ea5; margin-bottom: 1.5rem; }
h1 { font-size: 1.4rem; margin: 0 0 .3rem; }
.meta { color: #556; margin: .2rem 0 1rem; }
.score { font-size: 1.2rem; font-weight: 600; }
.problem { background: #fdecea; border-left: 4px solid #c0392b; padding: .6rem 1rem; }
table.checks { border-collapse: collapse; width: 100%; margin: 1rem 0 2rem; }
table.checks th, table.checks td {
  text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #dde; vertical-align: top;
}
.pass { color: #1e7b34; } .fail { color: #b03a2e; }
.cell { margin: 1rem 0; }
.code pre, .output pre {
  background: #f5f7fa; padding: .6rem .8rem; overflow-x: auto; margin: 0; white-space: pre-wrap;
}
.output pre { background: #fff; border-left: 3px solid #3b6ea5; }
.graded { border: 1px solid #3b6ea5; border-radius: 4px; padding: .4rem .6rem; }
.graded .label { font-size: .85rem; color: #3b6ea5; display: flex; justify-content: space-between; }
.comment {
  background: #fffbe6; border-left: 3px solid #d4a017; padding: .4rem .8rem; margin-top: .4rem; white-space: pre-wrap;
}
.markdown img { max-width: 100%; }
</style>
</head>
<body>
<header>
<h1>{{ page.assignment }}: {{ page.notebook }}</h1>
<p class="meta">Feedback for {{ page.student }}{% if page.timestamp %}, submitted {{ page.timestamp }}{% endif %}.</p>
{% if page.problem %}<p class="problem">This submission could not be graded: {{ page.problem }}</p>{% endif %}
<p class="score">Score: {{ num(page.final_score) }} / {{ num(page.max_score) }}
{%- if page.late_penalty %} (late penalty: −{{ num(page.late_penalty) }},
 before it {{ num(page.score) }}){% endif %}</p>
</header>
{% if page.checks %}
<h2>Checks</h2>
<table class="checks">
<thead><tr><th>check</th><th>points</th><th>result</th></tr></thead>
<tbody>
{% for check in page.checks %}
<tr>
<td>{{ check.title }}</td>
<td>{{ num(check.points) }} / {{ num(check.max_points) }}</td>
<td class="{{ 'pass' if check.passed else 'fail' }}">{{ '✓' if check.passed else '✗' }} {{ check.message }}
{%- if check.hint %}<br><em>Hint:</em> {{ check.hint }}{% endif %}</td>
</tr>
{% endfor %}
</tbody>
</table>
{% endif %}
{% if page.cells %}
<h2>Your notebook</h2>
{% for cell in page.cells %}
<div class="cell{% if cell.graded %} graded{% endif %}">
{% if cell.graded %}<div class="label"><span>{{ cell.label }}</span>
<span>{{ num(cell.score) }} / {{ num(cell.max_score) }} points</span></div>{% endif %}
{% if cell.kind == 'markdown' %}<div class="markdown">{{ cell.html | safe }}</div>
{% else %}<div class="code"><pre>{{ cell.source }}</pre></div>{% endif %}
{% for text in cell.outputs %}<div class="output"><pre>{{ text }}</pre></div>{% endfor %}
{% if cell.comment %}<div class="comment">{{ cell.comment }}</div>{% endif %}
</div>
{% endfor %}
{% endif %}
</body>
</html>
"""


@dataclass(frozen=True, kw_only=True)
class CheckLine:
    """One row of the page's check table (already masked for hidden checks)."""

    title: str
    points: float
    max_points: float
    passed: bool
    message: str = ""
    hint: str = ""


@dataclass(frozen=True, kw_only=True)
class Page:
    """Everything one feedback page shows."""

    student: str
    assignment: str
    notebook: str
    score: float
    """Before the late penalty."""
    max_score: float
    late_penalty: float = 0.0
    timestamp: str = ""
    problem: str = ""
    """Why the submission could not be graded (then it has no notebook to show)."""
    checks: tuple[CheckLine, ...] = ()
    notebook_node: Any = field(default=None, repr=False)
    """The autograded notebook, or ``None``."""
    cell_scores: dict[str, tuple[float, float]] = field(default_factory=dict, repr=False)
    """grade_id -> (score, max score) as recorded (manual scores included)."""
    comments: dict[str, str] = field(default_factory=dict, repr=False)
    """grade_id -> an instructor's comment."""

    @property
    def final_score(self) -> float:
        return max(0.0, self.score - self.late_penalty)


def check_line(result: Any) -> CheckLine:
    """A check's row, with a hidden check's message withheld (its hint shown when it failed), and
    a failure that follows from another check's pointing there instead of giving a hint."""
    shown = result.to_json()
    hint = shown["hint"]
    if shown.get("consequence_of"):
        hint = f"this follows from check {shown['consequence_of']!r}: fix that first"
    return CheckLine(
        title=shown["title"],
        points=float(shown["points"]),
        max_points=float(shown["max_points"]),
        passed=bool(shown["passed"]),
        message=shown["message"],
        hint=hint,
    )


def render(page: Page) -> str:
    """The page's HTML."""
    return _template().render(page=_view(page), csp=CSP, num=_num)


def _view(page: Page) -> Any:
    cells = []
    for cell in page.notebook_node.cells if page.notebook_node is not None else ():
        grading = cell.get("metadata", {}).get("nbgrader", {})
        grade_id = grading.get("grade_id") if isinstance(grading, dict) else None
        graded = bool(grade_id) and (grading.get("grade") or grading.get("task"))
        score, max_score = page.cell_scores.get(grade_id, (0.0, float(grading.get("points") or 0.0)))
        outputs = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                outputs.append(output.get("text", ""))
        cells.append(
            {
                "kind": cell.cell_type,
                "source": cell.source,
                "html": markdown_to_html(cell.source, cell.get("attachments")) if cell.cell_type == "markdown" else "",
                "graded": graded,
                "label": _label(grading) if graded else "",
                "score": score,
                "max_score": max_score,
                "outputs": outputs,
                "comment": page.comments.get(grade_id, "") if grade_id else "",
            }
        )
    return {
        "student": page.student,
        "assignment": page.assignment,
        "notebook": page.notebook,
        "score": page.score,
        "max_score": page.max_score,
        "final_score": page.final_score,
        "late_penalty": page.late_penalty,
        "timestamp": page.timestamp,
        "problem": page.problem,
        "checks": page.checks,
        "cells": cells,
    }


def _label(grading: dict) -> str:
    if grading.get("task"):
        return "task"
    if grading.get("solution"):
        return "your answer"
    return "test"


def _num(value: float) -> str:
    return f"{value:g}"


@lru_cache(maxsize=1)
def _template():
    import jinja2

    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return environment.from_string(_TEMPLATE)


__all__ = ["CSP", "CheckLine", "Page", "check_line", "render"]

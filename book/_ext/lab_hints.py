"""A Sphinx directive, ``lab-hints``, that lists what each lab's checks say when they fail.

The learner FAQ (``book/faq.md``) answers "my check fails, what now?" with the hints the
autograder itself prints, read from ``labs/*/checks.py`` when the book is built, so the page
cannot drift from the checks. Hidden checks are left out: their point is that the feedback does
not spell out what they look for. A ``checks.py`` that cannot be loaded fails the build (``-W``).
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive


class LabHints(Directive):
    """``lab-hints``: per lab, in course order, each visible check's title and hint."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from autograder.loader import load_checks
        from coursecore.errors import KubecourseError
        from coursecore.labs import discover

        env = self.state.document.settings.env
        root = Path(env.srcdir) / "labs"
        out: list[nodes.Node] = []
        try:
            labs = discover(root)
        except KubecourseError as err:
            return [self.state.document.reporter.error(f"lab-hints: {err}", line=self.lineno)]
        for lab in labs:
            checks_file = lab.path / lab.grading.checks
            env.note_dependency(str(checks_file))
            try:
                checks = load_checks(lab.path).checks
            except KubecourseError as err:
                return [self.state.document.reporter.error(f"lab-hints: {lab.id}: {err}", line=self.lineno)]
            section = nodes.rubric(text=f"{lab.title} (")
            section += nodes.literal(text=lab.id)
            section += nodes.Text(")")
            out.append(section)
            rows = nodes.definition_list(classes=["lab-hints"])
            for check in checks:
                if check.hidden or not check.hint:
                    continue
                item = nodes.definition_list_item()
                term = nodes.term()
                term += nodes.Text(f"{check.title} ")
                term += nodes.literal(text=check.id)
                item += term
                definition = nodes.definition()
                definition += _inline(check.hint)
                item += definition
                rows += item
            out.append(rows)
        return out


# A command-line option in a hint (``--job-name``): shown as a literal, which also keeps Sphinx's
# smart quotes from turning its two dashes into an en dash.
OPTION = re.compile(r"(?<![\w-])(--[A-Za-z][\w-]*(?:=\S*[\w/])?)")


def _inline(text: str) -> nodes.paragraph:
    """A hint as a paragraph, its `backticked` parts and options as literals (hints are written for terminals)."""
    para = nodes.paragraph()
    for i, part in enumerate(text.split("`")):
        if i % 2:
            para += nodes.literal(text=part)
            continue
        for j, piece in enumerate(OPTION.split(part)):
            if piece:
                para += nodes.literal(text=piece) if j % 2 else nodes.Text(piece)
    return para


def setup(app):
    app.add_directive("lab-hints", LabHints)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

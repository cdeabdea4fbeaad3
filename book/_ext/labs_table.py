"""A Sphinx directive, ``labs-table``, that renders the catalogue of labs from ``labs/*/lab.yaml``.

The table in ``book/labs.md`` is read from the same files ``kubecourse start`` reads, through
:func:`coursecore.labs.discover`, in the same teaching order as ``kubecourse labs``
(``labs/course.yaml``), so the book cannot drift from the labs. A lab whose
``lab.yaml`` is invalid fails the build with the validator's message (the book is built with
``-W``), which is how an author learns about it before a learner does.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx import addnodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

COLUMNS = (("Lab", 30), ("Tier", 10), ("Minutes", 8), ("What you do", 52))


class LabsTable(Directive):
    """``labs-table``: one row per lab, in teaching order (title, start command, chapter; tier;
    minutes; summary)."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        # Imported here so that a missing package is reported as this directive's problem.
        from coursecore.errors import KubecourseError
        from coursecore.labs import COURSE_FILE, discover

        env = self.state.document.settings.env
        env.labs_table_docs = getattr(env, "labs_table_docs", set()) | {env.docname}
        root = Path(env.srcdir) / "labs"
        if not root.is_dir():
            return [nodes.paragraph(text="No labs are published yet in this copy of the course.")]
        env.note_dependency(str(root / COURSE_FILE))
        for lab_file in root.glob("*/lab.yaml"):
            env.note_dependency(str(lab_file))
        try:
            labs = discover(root)  # in teaching order (labs/course.yaml), as `kubecourse labs` lists them
        except KubecourseError as err:
            return [self.state.document.reporter.error(f"labs-table: {err}", line=self.lineno)]
        if not labs:
            para = nodes.paragraph(text="No labs are published yet in this copy of the course.")
            return [para]
        return [self._table(labs, env)]

    def _table(self, labs, env) -> nodes.table:
        table = nodes.table(classes=["kubecourse-labs"])
        group = nodes.tgroup(cols=len(COLUMNS))
        table += group
        for _, width in COLUMNS:
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        group += head
        head += self._row([nodes.paragraph(text=name) for name, _ in COLUMNS])
        body = nodes.tbody()
        group += body
        for lab in labs:
            title = nodes.paragraph()
            title += nodes.strong(text=lab.title)
            start = nodes.paragraph()
            start += nodes.literal(text=f"kubecourse start {lab.id}")
            cell = [title, start]
            if lab.chapter:
                cell.append(self._chapter(lab.chapter, env))
            body += self._row(
                [
                    cell,
                    nodes.paragraph(text=lab.tier),
                    nodes.paragraph(text=str(lab.minutes)),
                    nodes.paragraph(text=lab.summary),
                ]
            )
        return table

    @staticmethod
    def _row(cells: list) -> nodes.row:
        row = nodes.row()
        for cell in cells:
            entry = nodes.entry()
            entry += cell if isinstance(cell, list) else [cell]
            row += entry
        return row

    @staticmethod
    def _chapter(chapter: str, env) -> nodes.paragraph:
        para = nodes.paragraph(text="Chapter: ")
        docname = chapter.removesuffix(".md").removesuffix(".ipynb")
        if docname in env.found_docs:
            ref = addnodes.pending_xref("", refdomain="std", reftype="doc", reftarget="/" + docname, refexplicit=False)
            ref += nodes.inline(text=docname)
            para += ref
        else:
            # A chapter still being written, or one left out of this build: name it, no link.
            para += nodes.literal(text=chapter)
        return para


def _always_reread(app, env, added, changed, removed):
    """New or deleted lab folders change the table; re-read the page that shows it."""
    return sorted(getattr(env, "labs_table_docs", set()) - set(removed))


def _merge(app, env, docnames, other):
    env.labs_table_docs = getattr(env, "labs_table_docs", set()) | getattr(other, "labs_table_docs", set())


def _purge(app, env, docname):
    getattr(env, "labs_table_docs", set()).discard(docname)


def setup(app):
    app.add_directive("labs-table", LabsTable)
    app.connect("env-get-outdated", _always_reread)
    app.connect("env-merge-info", _merge)
    app.connect("env-purge-doc", _purge)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

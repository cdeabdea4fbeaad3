"""The results of a lint run: problems placed on lines, one report per file, one run over many.

Reports are plain data; the command line renders them as compiler-style lines or as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coursecore.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One thing wrong with a manifest, located by line and field path."""

    line: int
    """Line (1-based) in the file where the problem is, or the nearest enclosing field."""
    path: str
    """Field path inside the document, e.g. ``spec.templates[1].dag.tasks[0].dependencies``
    (empty: the whole document); for an item of a ``kind: List`` it starts at ``items[N]``."""
    rule: str
    """Short rule id, e.g. ``unknown-field``, ``api-version``, ``dependency-cycle``."""
    message: str
    """What is wrong and how to fix it, in one sentence or two."""
    document: int = 1
    """Which YAML document of the file (1-based, counting every ``---``) holds the problem."""

    def to_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "path": self.path,
            "rule": self.rule,
            "message": self.message,
            "document": self.document,
        }


@dataclass(frozen=True, kw_only=True)
class FileReport:
    """Everything the linter found in one file (or in standard input)."""

    source: str
    """The file as the user named it (``-`` is shown as ``<stdin>``)."""
    documents: int = 0
    """How many YAML documents the file holds."""
    problems: tuple[Problem, ...] = ()
    """Findings, sorted by document and line."""
    notes: tuple[str, ...] = ()
    """What the linter did not check and why (a file outside the lab, a tool's config file)."""
    error: str | None = None
    """Why the file could not be linted at all (not YAML, a Helm template, missing, too large)."""
    apply_hint: str | None = None
    """How to send the file to a cluster once it is clean (``kubectl apply -f FILE``), if it is
    something kubectl can send."""

    @property
    def ok(self) -> bool:
        """True when the file was read and nothing was found."""
        return self.error is None and not self.problems

    def lines(self) -> list[str]:
        """Compiler-style lines: ``workflow.yaml:12: message [rule]``."""
        return [f"{self.source}:{p.line}: {p.message} [{p.rule}]" for p in self.problems]

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.source,
            "ok": self.ok,
            "documents": self.documents,
            "problems": [p.to_json() for p in self.problems],
            "notes": list(self.notes),
            "error": self.error,
        }


@dataclass(frozen=True, kw_only=True)
class LintRun:
    """One ``kubecourse lint`` call: the report of every file it read, in the order given."""

    files: tuple[FileReport, ...]
    """One report per file."""
    lab: str | None = None
    """The lab whose rules applied, if one was named."""
    notes: tuple[str, ...] = ()
    """Notes about the run as a whole (folders skipped and why)."""

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    @property
    def problem_count(self) -> int:
        return sum(len(f.problems) for f in self.files)

    @property
    def exit_code(self) -> int:
        """2 when some file could not be linted (or none was), else 1 when anything was found, else 0."""
        if not self.files or any(f.error is not None for f in self.files):
            return EXIT_USAGE
        return EXIT_FAILED if self.problem_count else EXIT_OK

    def summary(self) -> str:
        """One line: ``pod.yaml: no problems found`` or ``12 files: 3 problems found in 2 files``."""
        unread = sum(f.error is not None for f in self.files)
        count = self.problem_count
        found = f"{count} problem{'s' if count != 1 else ''} found" if count else "no problems found"
        if not self.files:
            return "nothing to lint"
        if len(self.files) == 1:
            return f"{self.files[0].source}: {found if not unread else 'could not be linted'}"
        with_problems = sum(bool(f.problems) for f in self.files)
        where = f" in {with_problems} file{'s' if with_problems != 1 else ''}" if count else ""
        tail = f"; {unread} could not be linted" if unread else ""
        return f"{len(self.files)} files: {found}{where}{tail}"

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "lab": self.lab,
            "exit_code": self.exit_code,
            "problems": self.problem_count,
            "files": [f.to_json() for f in self.files],
            "notes": list(self.notes),
        }


__all__ = ["FileReport", "LintRun", "Problem"]

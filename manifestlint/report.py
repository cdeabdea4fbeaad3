"""The results of linting a manifest file: one :class:`Problem` per finding, and the report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One thing wrong with a manifest, located by line and field path."""

    line: int
    """Line (1-based) in the file where the problem is, or the nearest enclosing field."""
    path: str
    """Field path such as ``spec.templates[1].dag.tasks[0].dependencies`` (empty: whole file)."""
    rule: str
    """Short rule id, e.g. ``unknown-field``, ``api-version``, ``dependency-cycle``."""
    message: str
    """What is wrong and how to fix it, in one sentence or two."""
    document: int = 1
    """Which YAML document of the file (1-based) holds the problem."""


@dataclass(frozen=True, kw_only=True)
class LintReport:
    """Everything a linter found in one file."""

    source: str
    """The file as the user named it."""
    linter: str
    """Which linter ran (``argo-workflow``)."""
    documents: int
    """How many YAML documents the file holds."""
    problems: tuple[Problem, ...]
    """Findings, sorted by line."""

    @property
    def ok(self) -> bool:
        """True when nothing was found."""
        return not self.problems

    def lines(self) -> list[str]:
        """Compiler-style lines: ``workflow.yaml:12: message [rule]``."""
        return [f"{self.source}:{p.line}: {p.message} [{p.rule}]" for p in self.problems]

    def to_json(self) -> dict[str, Any]:
        """Plain data for ``kubecourse lint --json``."""
        return {
            "file": self.source,
            "linter": self.linter,
            "ok": self.ok,
            "documents": self.documents,
            "problems": [
                {"line": p.line, "path": p.path, "rule": p.rule, "message": p.message, "document": p.document}
                for p in self.problems
            ],
        }


__all__ = ["LintReport", "Problem"]

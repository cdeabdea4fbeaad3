"""Offline linters for learner manifests: problems found before anything reaches a cluster.

A lab names its linter in ``lab.yaml`` (``grading.lint``); :func:`lint` runs it on a file and
returns a :class:`~manifestlint.report.LintReport` whose problems carry line numbers.
Linters are imported lazily: the Argo linter loads hera's models, which takes a moment.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from coursecore.errors import UsageError
from manifestlint.quantity import quantity
from manifestlint.report import LintReport, Problem

LINTERS = {
    "argo-workflow": "manifestlint.argo",
    "manifests": "manifestlint.manifests",
}
"""Linter name (as ``lab.yaml`` writes it) -> module providing ``lint_file(path, lab=None)``."""


def lint(linter: str, path: str | Path, *, lab: Any = None) -> LintReport:
    """Run the linter called ``linter`` on ``path``.

    Raises:
        UsageError: unknown linter, or the file cannot be read as YAML.
    """
    if linter not in LINTERS:
        raise UsageError(f"unknown linter {linter!r} (known: {', '.join(sorted(LINTERS))})")
    module = importlib.import_module(LINTERS[linter])
    return module.lint_file(path, lab=lab)


__all__ = ["LINTERS", "LintReport", "Problem", "lint", "quantity"]

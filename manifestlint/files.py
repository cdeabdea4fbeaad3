"""Linting what the command line names: files, folders (recursively) and ``-`` (standard input).

Each file is read with the same limits as every file the tool reads (size, binary, UTF-8) and
handed to :func:`manifestlint.engine.lint_text` with its path, so that the kustomization beside it
is seen. A file that cannot be read is a report with its ``error`` set; the others are still linted.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from coursecore.errors import UsageError
from coursecore.safeyaml import decode_text, read_text
from manifestlint.engine import MAX_FILE_BYTES, lint_text
from manifestlint.labrules import LabLint, for_lab
from manifestlint.report import FileReport, LintRun
from manifestlint.sources import expand, read_stdin

LINTERS = ("manifests", "argo-workflow")
"""Names a ``lab.yaml`` may give its linter (``grading.lint``); both run this one linter."""


def lint_file(path: str | Path, *, lab: Any = None) -> FileReport:
    """Lint the file at ``path``; a file that cannot be read is a report with ``error`` set."""
    path = Path(path)
    try:
        text = read_text(path, what="manifest file", max_bytes=MAX_FILE_BYTES)
    except UsageError as err:
        return FileReport(source=str(path), error=err.message)
    return lint_text(text, source=str(path), lab=lab, path=path)


def lint_paths(paths: Sequence[str], *, lab: Any = None) -> LintRun:
    """Lint files, folders (recursively: ``*.yaml``, ``*.yml``, ``*.json``) and ``-`` (stdin).

    Raises:
        UsageError: nothing to lint was named, ``-`` was named twice, or the lab's rules cannot
            be loaded.
    """
    if not paths:
        raise UsageError("name at least one file, folder or - (standard input) to lint")
    if list(paths).count("-") > 1:
        raise UsageError("standard input (-) can be read only once")
    lab_lint = for_lab(lab) if lab is not None else None
    expanded = expand(list(paths))
    reports = []
    for source in expanded.sources:
        if source.error is not None:
            reports.append(FileReport(source=source.name, error=source.error))
        elif source.path is None:
            reports.append(_lint_stdin(lab_lint))
        else:
            reports.append(lint_file(source.path, lab=lab_lint))
    return LintRun(files=tuple(reports), lab=lab_lint.id if lab_lint else None, notes=expanded.notes)


def _lint_stdin(lab: LabLint | None) -> FileReport:
    data = read_stdin(MAX_FILE_BYTES)
    if len(data) > MAX_FILE_BYTES:
        return FileReport(source="<stdin>", error=f"standard input is over the {MAX_FILE_BYTES // 2**20} MiB limit")
    try:
        text = decode_text(data, what="standard input")
    except UsageError as err:
        return FileReport(source="<stdin>", error=err.message)
    return lint_text(text, source="<stdin>", lab=lab)


def lint(linter: str, path: str | Path, *, lab: Any = None) -> FileReport:
    """Lint one file the way ``kubecourse lint LAB FILE`` does (``linter`` is the lab's
    ``grading.lint``, kept for notebooks that name it).

    Raises:
        UsageError: ``linter`` is not a known linter name.
    """
    if linter not in LINTERS:
        raise UsageError(f"unknown linter {linter!r} (known: {', '.join(LINTERS)})")
    return lint_file(path, lab=lab)


__all__ = ["LINTERS", "lint", "lint_file", "lint_paths"]

"""Offline linting of Kubernetes manifests and Argo Workflows, before anything reaches a cluster.

The public API, for the command line, notebooks and labs (everything else is internal):

Running the linter
    :func:`lint_paths` (files, folders, ``-`` for standard input) returns a :class:`LintRun`;
    :func:`lint_file` and :func:`lint_text` return one :class:`FileReport`; :func:`lint_object`
    lints one parsed object and returns its :class:`Finding` objects (no line numbers).
Writing a lab's rules (``labs/<id>/lint.py``)
    :func:`rule` tags a function ``(obj) -> findings``; :class:`Finding` and :class:`FieldPath`
    say what is wrong where; :func:`pod_template`, :func:`containers` and :func:`quantity` read
    the objects rules look at.

Each document is linted by its kind: Kubernetes' own kinds against the strict schema of the
Kubernetes version the sandbox runs (:data:`KUBERNETES_VERSION`), Argo's kinds against the schema
of the Argo release the sandbox installs (:data:`ARGO_VERSION`), then rules of meaning. Names are
loaded on first use, so ``import manifestlint`` costs next to nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "lint_paths": "manifestlint.files",
    "lint_file": "manifestlint.files",
    "lint_text": "manifestlint.engine",
    "lint_object": "manifestlint.engine",
    "lint": "manifestlint.files",
    "rule": "manifestlint.rules",
    "Finding": "manifestlint.rules",
    "FieldPath": "manifestlint.fieldpath",
    "quantity": "manifestlint.quantities",
    "pod_template": "manifestlint.objects",
    "containers": "manifestlint.objects",
    "FileReport": "manifestlint.report",
    "LintRun": "manifestlint.report",
    "Problem": "manifestlint.report",
    "KUBERNETES_VERSION": "manifestlint.kube_schema",
    "ARGO_VERSION": "manifestlint.argo_schema",
}

if TYPE_CHECKING:
    from manifestlint.argo_schema import ARGO_VERSION
    from manifestlint.engine import lint_object, lint_text
    from manifestlint.fieldpath import FieldPath
    from manifestlint.files import lint, lint_file, lint_paths
    from manifestlint.kube_schema import KUBERNETES_VERSION
    from manifestlint.objects import containers, pod_template
    from manifestlint.quantities import quantity
    from manifestlint.report import FileReport, LintRun, Problem
    from manifestlint.rules import Finding, rule


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'manifestlint' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


__all__ = [
    "ARGO_VERSION",
    "KUBERNETES_VERSION",
    "FieldPath",
    "FileReport",
    "Finding",
    "LintRun",
    "Problem",
    "containers",
    "lint",
    "lint_file",
    "lint_object",
    "lint_paths",
    "lint_text",
    "pod_template",
    "quantity",
    "rule",
]

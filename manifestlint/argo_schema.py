"""Argo Workflows' kinds, checked against the schema of the Argo release the sandbox installs.

The schema is derived from the JSON schema Argo publishes with each release
(``api/jsonschema/schema.json``) by ``scripts/argo_schema.py`` and kept as data in
``manifestlint/data/argo-workflows-<version>.json`` (Apache-2.0, like Argo; the file names its
source commit). It must be the installed release's: fields come and go between releases
(``synchronization.mutex`` and ``semaphore`` exist in v3.7 and are gone in v4.0), and a linter
that knows a newer release calls valid files wrong.
"""

from __future__ import annotations

import difflib
import functools
import json
from pathlib import Path

from coursecore.versions import ARGO_VERSION
from manifestlint._schema import SchemaSet, Violation

GROUP = "argoproj.io"
API_VERSION = "argoproj.io/v1alpha1"
KINDS = ("Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow", "WorkflowEventBinding")
"""The kinds Argo's published schema describes (those people write)."""
WORKFLOW_KINDS = ("Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow")
"""The kinds that hold a workflow spec (CronWorkflow under ``spec.workflowSpec``)."""
_POINTER = "#/definitions/"


@functools.cache
def _data() -> dict:
    # A plain path, not importlib.resources: that imports tempfile, a tenth of a lint's start-up.
    path = Path(__file__).parent / "data" / f"argo-workflows-{ARGO_VERSION}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def schema_version() -> str:
    """The Argo release the schema file was derived from (its ``x-kubecourse-source.tag``)."""
    return _data()["x-kubecourse-source"]["tag"]


@functools.cache
def schemas() -> SchemaSet:
    return SchemaSet(_data()["definitions"], pointer=_POINTER, null_is_unset=True)


def validate(obj: dict, kind: str) -> list[Violation]:
    """The strict schema's violations by ``obj``, an Argo object of ``kind`` (one of :data:`KINDS`)."""
    root = _data()["roots"][kind]
    return schemas().validate({"$ref": root}, obj)


def close_kind(kind: str) -> str | None:
    """The Argo kind that ``kind`` is probably a typo of (``Workflows`` -> ``Workflow``)."""
    close = difflib.get_close_matches(kind, KINDS, n=1, cutoff=0.8)
    return close[0] if close else None


__all__ = [
    "API_VERSION",
    "ARGO_VERSION",
    "GROUP",
    "KINDS",
    "WORKFLOW_KINDS",
    "close_kind",
    "schema_version",
    "schemas",
    "validate",
]

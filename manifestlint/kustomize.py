"""Kustomize: the kustomization file checked against kustomize's own fields, and the part a file
plays for the kustomization next to it.

A kustomization refuses unknown fields (kustomize decodes it with ``DisallowUnknownFields``,
api/types/kustomization.go), so its fields are checked strictly, as kustomize v5 (the one inside
kubectl) defines them. A file that a kustomization lists under ``patches`` is a partial object:
it is linted for what it says (types, unknown fields, values), not for what it leaves out. A file
listed under ``resources`` is complete, except for what the kustomization adds: selectors, when it
adds labels to them (``commonLabels``, or ``labels`` with ``includeSelectors: true``), and the
namespace.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coursecore.safeyaml import load_documents
from manifestlint._schema import SchemaSet
from manifestlint.objects import dicts, get, items, text

_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_STRINGS = {"type": "array", "items": {"type": "string"}}
_MAP = {"type": "object", "additionalProperties": {"type": "string"}}
_SELECTOR = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        k: {"type": "string"}
        for k in ("group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector")
    },
}
_OPTIONS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "labels": _MAP,
        "annotations": _MAP,
        "disableNameSuffixHash": {"type": "boolean"},
        "immutable": {"type": "boolean"},
    },
}
_GENERATOR = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        **{k: {"type": "string"} for k in ("namespace", "name", "behavior", "env", "type")},
        **{k: _STRINGS for k in ("literals", "files", "envs")},
        "options": _OPTIONS,
    },
}
_LIST_OF_OBJECTS = {"type": "array", "items": {"type": "object"}}
_DEFINITIONS: dict[str, Any] = {
    "Kustomization": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object"},
            "openapi": _MAP,
            "namePrefix": {"type": "string"},
            "nameSuffix": {"type": "string"},
            "namespace": {"type": "string"},
            "commonLabels": _MAP,
            "commonAnnotations": _MAP,
            "labels": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "pairs": _MAP,
                        "includeSelectors": {"type": "boolean"},
                        "includeTemplates": {"type": "boolean"},
                        "includeVolumeClaimTemplates": {"type": "boolean"},
                        "fields": _LIST_OF_OBJECTS,
                    },
                },
            },
            "patches": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "path": {"type": "string"},
                        "patch": {"type": "string"},
                        "target": _SELECTOR,
                        "options": {"type": "object", "additionalProperties": {"type": "boolean"}},
                    },
                },
            },
            "patchesStrategicMerge": _STRINGS,
            "patchesJson6902": _LIST_OF_OBJECTS,
            "images": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {k: {"type": "string"} for k in ("name", "newName", "newTag", "digest", "tagSuffix")},
                },
            },
            "imageTags": _LIST_OF_OBJECTS,
            "replacements": _LIST_OF_OBJECTS,
            "replicas": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["count"],
                    "properties": {"name": {"type": "string"}, "count": {"type": "integer"}},
                },
            },
            "vars": _LIST_OF_OBJECTS,
            "sortOptions": {"type": "object"},
            **{k: _STRINGS for k in ("resources", "components", "crds", "bases", "configurations")},
            **{k: _STRINGS for k in ("generators", "transformers", "validators", "buildMetadata")},
            "configMapGenerator": {"type": "array", "items": _GENERATOR},
            "secretGenerator": {"type": "array", "items": _GENERATOR},
            "helmGlobals": {"type": "object"},
            "helmCharts": _LIST_OF_OBJECTS,
            "helmChartInflationGenerator": _LIST_OF_OBJECTS,
            "generatorOptions": _OPTIONS,
            "inventory": {"type": "object"},
        },
    }
}
SCHEMAS = SchemaSet(_DEFINITIONS, pointer="#/definitions/", null_is_unset=True)  # Go leaves null unset


def kustomization_schema() -> dict[str, Any]:
    return _DEFINITIONS["Kustomization"]


@dataclass(frozen=True, kw_only=True)
class Role:
    """The part a file plays for the kustomization in its folder."""

    kustomization: Path
    part: str
    """``patch`` (a partial object), ``resource`` (an object kustomize completes), or ``config``
    (a transformer or generator configuration: kustomize's, not the API server's)."""
    namespace: str | None = None
    """The namespace the kustomization puts objects in, if it sets one."""
    fills_selectors: bool = False
    """True when the kustomization adds labels to selectors (so a resource may leave them out)."""


def role_of(path: Path) -> Role | None:
    """The part ``path`` plays for a kustomization in its folder, or None."""
    folder = path.resolve().parent
    for name in _FILES:
        candidate = folder / name
        if candidate.is_file() and candidate.resolve() != path.resolve():
            return _roles(candidate).get(path.resolve().name)
    return None


@functools.lru_cache(maxsize=64)
def _roles(kustomization: Path) -> dict[str, Role]:
    try:
        docs = load_documents(kustomization, what="kustomization", max_bytes=1024 * 1024)
    except Exception:  # noqa: BLE001 - an unreadable kustomization is linted on its own; it gives no roles here
        return {}
    k = docs[0] if len(docs) == 1 and isinstance(docs[0], dict) else {}
    namespace = text(k.get("namespace"))
    fills = isinstance(k.get("commonLabels"), dict) or any(
        label.get("includeSelectors") is True for _, label in dicts(k.get("labels"))
    )
    roles: dict[str, Role] = {}

    def add(entry: Any, part: str) -> None:
        if isinstance(entry, str) and "\n" not in entry and not entry.startswith(("http://", "https://")):
            local = (kustomization.parent / entry).resolve()
            if local.parent == kustomization.parent:
                roles.setdefault(
                    local.name, Role(kustomization=kustomization, part=part, namespace=namespace, fills_selectors=fills)
                )

    for _, patch in dicts(k.get("patches")):
        add(patch.get("path"), "patch")
    for _, patch in dicts(k.get("patchesJson6902")):
        add(patch.get("path"), "patch")
    for _, entry in items(k.get("patchesStrategicMerge")):
        add(entry, "patch")
    for key in ("resources", "bases", "crds"):
        for _, entry in items(k.get(key)):
            add(entry, "resource")
    for key in ("configurations", "generators", "transformers", "validators"):
        for _, entry in items(k.get(key)):
            add(entry, "config")
    return roles


def is_overlay(kustomization: dict) -> bool:
    """Whether a kustomization builds on another folder's (``resources: [../base]``)."""
    return any(isinstance(r, str) and r.startswith("../") for _, r in items(get(kustomization, "resources")))


__all__ = ["SCHEMAS", "Role", "is_overlay", "kustomization_schema", "role_of"]

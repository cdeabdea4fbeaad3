"""Kubernetes' own kinds: which ``apiVersion``/``kind`` pairs exist, and their strict schemas.

The schemas are those the maintained ``kubernetes-validate`` package ships, in their strict form
(unknown fields are errors, as with ``kubectl apply --validate=strict``), for the Kubernetes
version the sandbox runs. Only the package's data is read (one file of definitions, indexed by
each definition's ``x-kubernetes-group-version-kind``); its code is not imported, because it
imports the whole ``jsonschema`` stack, which costs more than a lint is allowed to take.
"""

from __future__ import annotations

import difflib
import functools
import importlib.util
import json
import re
from pathlib import Path

from coursecore.errors import EnvironmentProblem
from manifestlint._schema import SchemaSet, Violation
from manifestlint.fieldpath import FieldPath

KUBERNETES_VERSION = "1.35"
"""Kubernetes minor version of the sandbox's kind node image (``sandbox.kind.DEFAULT_NODE_IMAGE``,
which this package may not import; a test keeps the two equal); schemas are chosen to match it."""

_POINTER = "#/$defs/"
_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


@functools.cache
def _schema_folder(version: str = KUBERNETES_VERSION) -> Path:
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise EnvironmentProblem("the kubernetes-validate package is not installed (pip install kubernetes-validate)")
    root = Path(next(iter(spec.submodule_search_locations))) / "kubernetes-json-schema"
    wanted = _minor(version)
    # kubernetes-validate's own rule: the newest schema not newer than the requested version.
    found = sorted(
        (_minor(m.group(1)), entry)
        for entry in root.iterdir()
        if (m := re.fullmatch(r"v(\d+\.\d+)\.\d+-local-strict", entry.name)) and _minor(m.group(1)) <= wanted
    )
    if not found:
        raise EnvironmentProblem(f"kubernetes-validate has no schemas for Kubernetes {version} or older")
    return found[-1][1]


def _minor(version: str) -> tuple[int, int]:
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


@functools.cache
def schemas() -> SchemaSet:
    """Every definition of the Kubernetes version's API, strict."""
    path = _schema_folder() / "_definitions.json"
    return SchemaSet(json.loads(path.read_text(encoding="utf-8"))["$defs"], pointer=_POINTER)


@functools.cache
def _kinds() -> dict[tuple[str, str], str]:
    """(apiVersion, kind) -> definition name, for every kind the API server serves."""
    defs = schemas()
    index: dict[tuple[str, str], str] = {}
    for name in defs.names():
        gvks = (defs.definition(name) or {}).get("x-kubernetes-group-version-kind") or []
        if len(gvks) != 1:
            continue  # DeleteOptions, WatchEvent: shared by every group, not objects anyone writes
        gvk = gvks[0]
        api_version = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
        index[(api_version, gvk["kind"])] = name
    return index


def definition(api_version: str, kind: str) -> str | None:
    """The schema definition of a built-in kind served as ``api_version``, or None."""
    return _kinds().get((api_version, kind))


@functools.cache
def served_versions() -> dict[str, tuple[str, ...]]:
    """Kind -> the apiVersions that serve it (``Deployment`` -> ``("apps/v1",)``)."""
    served: dict[str, list[str]] = {}
    for api_version, kind in _kinds():
        served.setdefault(kind, []).append(api_version)
    return {kind: tuple(sorted(versions)) for kind, versions in served.items()}


@functools.cache
def builtin_groups() -> frozenset[str]:
    """API groups the API server itself serves (``""`` is the core group)."""
    return frozenset(v.rpartition("/")[0] for v, _ in _kinds())


def is_builtin_group(group: str) -> bool:
    """Whether ``group`` belongs to Kubernetes itself (served, or reserved: ``*.k8s.io``).

    Groups under ``k8s.io`` that are not served (``audit.k8s.io``, ``kubelet.config.k8s.io``)
    belong to files that tools read; :mod:`manifestlint.classify` names those first.
    """
    return group in builtin_groups()


def _group_kinds(api_version: str) -> list[str]:
    group = api_version.rpartition("/")[0]
    return sorted({k for v, k in _kinds() if v.rpartition("/")[0] == group and not k.endswith("List")})


def unknown_kind_message(api_version: str, kind: str) -> tuple[str, str]:
    """``(rule, message)`` for a kind Kubernetes does not serve as ``api_version``."""
    served = served_versions()
    if kind in served:
        return (
            "api-version",
            f"Kubernetes {KUBERNETES_VERSION} does not serve {kind} as {api_version}; "
            f"use apiVersion {' or '.join(served[kind])}",
        )
    close = difflib.get_close_matches(kind, _group_kinds(api_version) or list(served), n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return "unknown-kind", f"Kubernetes {KUBERNETES_VERSION} has no kind '{kind}' in {api_version}{hint}"


def close_kind(api_version: str, kind: str) -> str | None:
    """The served kind of ``api_version``'s group that ``kind`` is surely a typo of (``Jobs``)."""
    close = difflib.get_close_matches(kind, _group_kinds(api_version), n=1, cutoff=0.8)
    return close[0] if close else None


def validate(obj: dict, api_version: str, kind: str) -> list[Violation]:
    """The strict schema's violations by ``obj`` (a built-in kind served as ``api_version``)."""
    name = definition(api_version, kind)
    if name is None:
        return []
    return schemas().validate(schemas().definition(name) or {}, obj)


def validate_metadata(obj: dict) -> list[Violation]:
    """Violations of ``metadata`` (ObjectMeta, the same for every kind, custom ones included)."""
    if "metadata" not in obj:
        return []
    return schemas().validate(schemas().definition(_META) or {}, obj["metadata"], FieldPath(("metadata",)))


__all__ = [
    "KUBERNETES_VERSION",
    "builtin_groups",
    "close_kind",
    "definition",
    "is_builtin_group",
    "schemas",
    "served_versions",
    "unknown_kind_message",
    "validate",
    "validate_metadata",
]

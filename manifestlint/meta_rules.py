"""Rules every API object shares: a name, valid names and labels, as the API server checks them.

The names each kind accepts follow the API server's validation (``pkg/apis/*/validation``):
most kinds take a DNS subdomain (``web-1.example``), a Service or a Namespace a DNS label, and
RBAC objects any path segment, which is why ``system:kube-scheduler`` is a valid ClusterRole.
Values of the wrong type are the schema's to report; these rules read strings only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from manifestlint.fieldpath import FieldPath
from manifestlint.objects import get, kind_of, mapping, pod_template, text
from manifestlint.rules import Finding, rule

_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_LABEL_1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_QUALIFIED = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_PATH_SEGMENT_KINDS = {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "CertificateSigningRequest"}
_DNS_LABEL_KINDS = {"Namespace": _LABEL_1123, "Service": _LABEL_1035}


def _name_problem(kind: str | None, name: str, *, generated: bool = False) -> str | None:
    """Why ``name`` is not a valid name for ``kind``, or None. ``generated``: a generateName
    prefix, which may end in ``-`` (the API server appends random characters)."""
    candidate = name + "x" if generated else name
    if kind in _PATH_SEGMENT_KINDS:
        if name in (".", "..") or "/" in name or "%" in name:
            return "it may not be '.' or '..' nor contain '/' or '%'"
        return None
    if kind in _DNS_LABEL_KINDS:
        if not _DNS_LABEL_KINDS[kind].match(candidate) or len(candidate) > 63:
            start = "start with a letter, then " if kind == "Service" else ""
            return f"{start}lowercase letters, digits and '-', at most 63 characters"
        return None
    if not _SUBDOMAIN.match(candidate) or len(candidate) > 253:
        return "use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit"
    return None


@rule
def metadata_name(obj: dict) -> Iterator[Finding]:
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        if meta is None:
            yield Finding(("metadata",), "metadata with a name is required", "metadata")
        return  # another type is the schema's to report
    if meta.get("name") is None and not meta.get("generateName"):
        # generateName alone works with `kubectl create` (a new object per run), not with apply.
        yield Finding(("metadata",), "metadata.name is required (or generateName, with kubectl create)", "metadata")


@rule(on_patches=True)
def names(obj: dict) -> Iterator[Finding]:
    kind = kind_of(obj)
    for field, generated in (("name", False), ("generateName", True)):
        value = text(get(obj, "metadata", field))
        problem = _name_problem(kind, value, generated=generated) if value is not None else None
        if problem:
            what = "generateName" if generated else "name"
            yield Finding(("metadata", field), f"{what} {value!r} is not valid for a {kind}: {problem}", "name")


@rule(on_patches=True)
def labels(obj: dict) -> Iterator[Finding]:
    """Label keys and values wherever the object holds a label map."""
    for path, found in _label_maps(obj):
        for key, value in found.items():
            problem = qualified_name_problem(str(key))
            if problem:
                yield Finding(path.child(key), f"label key {key!r} is not valid: {problem}", "label")
            if isinstance(value, str) and (not _LABEL_VALUE.match(value) or len(value) > 63):
                message = (
                    f"label value {value!r} is not valid: letters, digits, '-', '_' and '.', "
                    "starting and ending with a letter or digit, at most 63 characters"
                )
                yield Finding(path.child(key), message, "label")


def _label_maps(obj: dict) -> Iterator[tuple[FieldPath, dict]]:
    yield FieldPath(("metadata", "labels")), mapping(get(obj, "metadata", "labels"))
    kind = kind_of(obj)
    found = pod_template(obj)
    if found:
        path, template = found
        if kind != "Pod":
            yield path.child("metadata", "labels"), mapping(get(template, "metadata", "labels"))
        yield path.child("spec", "nodeSelector"), mapping(get(template, "spec", "nodeSelector"))
    if kind == "Service":
        yield FieldPath(("spec", "selector")), mapping(get(obj, "spec", "selector"))
    else:
        yield FieldPath(("spec", "selector", "matchLabels")), mapping(get(obj, "spec", "selector", "matchLabels"))


def qualified_name_problem(key: str) -> str | None:
    """Why ``key`` is not a valid label or annotation key (``[prefix/]name``), or None."""
    prefix, slash, name = key.rpartition("/")
    if slash and (not prefix or not _SUBDOMAIN.match(prefix) or len(prefix) > 253):
        return f"the prefix {prefix!r} must be a DNS subdomain such as example.com"
    if not _QUALIFIED.match(name) or len(name) > 63:
        return "letters, digits, '-', '_' and '.', starting and ending with a letter or digit, at most 63 characters"
    return None


def is_label_value(value: Any) -> bool:
    return isinstance(value, str) and bool(_LABEL_VALUE.match(value)) and len(value) <= 63


__all__ = ["is_label_value", "labels", "metadata_name", "names", "qualified_name_problem"]

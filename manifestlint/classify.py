"""What a YAML document is, before anything checks it: a Kubernetes object of a built-in kind, an
Argo object, a custom resource, a list of objects, or a file that a tool reads (kind's cluster
configuration, an audit policy, a kustomization, a kubeconfig) and that never reaches the API
server. Each is linted against what it is; a tool's file is named and left alone rather than
reported as a broken object.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from manifestlint import argo_schema, kube_schema
from manifestlint.fieldpath import FieldPath
from manifestlint.rules import Finding

# API groups and kinds of files that programs read from disk, never objects of the API server.
TOOL_FILES: dict[tuple[str, str | None], str] = {
    ("kind.x-k8s.io", "Cluster"): "a kind cluster configuration (read by kind create cluster --config)",
    ("audit.k8s.io", "Policy"): "an audit policy (a file the API server reads)",
    ("apiserver.config.k8s.io", None): "an API server configuration file",
    ("apiserver.k8s.io", None): "an API server configuration file",
    ("kubelet.config.k8s.io", None): "a kubelet configuration file",
    ("kubescheduler.config.k8s.io", None): "a scheduler configuration file",
    ("kubeproxy.config.k8s.io", None): "a kube-proxy configuration file",
    ("kubecontrollermanager.config.k8s.io", None): "a controller manager configuration file",
    ("controllermanager.config.k8s.io", None): "a controller manager configuration file",
    ("kubeadm.k8s.io", None): "a kubeadm configuration file",
    ("client.authentication.k8s.io", None): "a client credential plugin's message",
    ("config.kueue.x-k8s.io", "Configuration"): "Kueue's controller configuration",
    ("", "Config"): "a kubeconfig (cluster credentials for kubectl)",
}
KUSTOMIZE_GROUP = "kustomize.config.k8s.io"
KUSTOMIZE_KINDS = ("Kustomization", "Component")
_KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_ARGO_OLD = {"argoproj.io/v1alpha2", "argoproj.io/v2alpha1", "argoproj.io/v1", "argoproj.io/v1beta1"}
_API_VERSION = re.compile(r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?v\d+((alpha|beta)\d+)?$")


@dataclass(frozen=True, kw_only=True)
class Identity:
    """What one object is."""

    family: str
    """``kubernetes``, ``argo``, ``custom`` (a custom resource), ``kustomize`` (a kustomization),
    ``tool`` (another tool's file, not linted) or ``unknown`` (apiVersion or kind unusable)."""
    api_version: str | None = None
    kind: str | None = None
    """The kind to lint it as (a typo's correction where the linter is sure of it)."""
    group: str | None = None
    findings: tuple[Finding, ...] = ()
    """What is wrong with ``apiVersion`` and ``kind`` themselves."""
    note: str | None = None
    """For a tool's file: what it is and that it was not linted."""


def identify(obj: dict, *, filename: str = "") -> Identity:
    """The :class:`Identity` of ``obj`` (a mapping), its file's name helping to recognise a
    ``kustomization.yaml`` that omits apiVersion and kind (kustomize allows that)."""
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if api_version is None and kind is None and filename in _KUSTOMIZATION_FILES:
        return Identity(family="kustomize", api_version=None, kind="Kustomization", group=KUSTOMIZE_GROUP)
    if kind is None and isinstance(api_version, str) and {"name", "version"} <= set(obj):
        return Identity(family="tool", api_version=api_version, note="a Helm chart's description (Chart.yaml)")
    missing = _missing(api_version, kind)
    if missing:
        return Identity(family="unknown", findings=missing)
    group, _, version = api_version.rpartition("/")
    if group == KUSTOMIZE_GROUP or (kind in KUSTOMIZE_KINDS and filename in _KUSTOMIZATION_FILES):
        return Identity(family="kustomize", api_version=api_version, kind=kind, group=group)
    tool = TOOL_FILES.get((group, kind)) or TOOL_FILES.get((group, None))
    if tool is None and group.endswith(".config.k8s.io"):
        tool = "a component configuration file"
    if tool is not None:
        return Identity(family="tool", api_version=api_version, kind=kind, group=group, note=tool)
    if group == argo_schema.GROUP:
        return _argo(api_version, kind)
    if kube_schema.definition(api_version, kind) is not None:
        return Identity(family="kubernetes", api_version=api_version, kind=kind, group=group)
    if kube_schema.is_builtin_group(group) or "." not in group:
        return _unknown_builtin(api_version, kind, group)
    return Identity(family="custom", api_version=api_version, kind=kind, group=group)


def _missing(api_version: Any, kind: Any) -> tuple[Finding, ...]:
    if api_version is None and kind is None:
        return (Finding((), "this is not a Kubernetes object: it has neither apiVersion nor kind", "not-an-object"),)
    out = []
    for field, value, example in (("apiVersion", api_version, "apps/v1"), ("kind", kind, "Deployment")):
        if value is None:
            out.append(Finding((field,), f"{field} is required (a string such as {example})", "required"))
        elif not isinstance(value, str) or not value:
            out.append(Finding((field,), f"{field} must be a string such as {example}, not {value!r}", "type"))
    if not out and not _API_VERSION.match(api_version):
        message = f"apiVersion {api_version!r} is not GROUP/VERSION or VERSION (such as apps/v1 or v1)"
        out.append(Finding(("apiVersion",), message, "api-version"))
    return tuple(out)


def _argo(api_version: str, kind: str) -> Identity:
    findings = []
    if api_version != argo_schema.API_VERSION:
        study = " (the 2019 study's workflows made this mistake with v1alpha2 and v2alpha1)"
        message = f"apiVersion '{api_version}' does not exist; Argo Workflows serves only '{argo_schema.API_VERSION}'"
        findings.append(Finding(("apiVersion",), message + (study if api_version in _ARGO_OLD else ""), "api-version"))
    target = kind if kind in argo_schema.KINDS else argo_schema.close_kind(kind)
    if target is None:
        # WorkflowTaskSet, WorkflowTaskResult, ...: the controller's own objects, without a schema.
        return Identity(
            family="custom", api_version=api_version, kind=kind, group=argo_schema.GROUP, findings=tuple(findings)
        )
    if target != kind:
        message = f"Argo has no kind '{kind}'; write 'kind: {target}' (spelled exactly so)"
        findings.append(Finding(("kind",), message, "unknown-kind"))
    return Identity(
        family="argo", api_version=api_version, kind=target, group=argo_schema.GROUP, findings=tuple(findings)
    )


def _unknown_builtin(api_version: str, kind: str, group: str) -> Identity:
    rule, message = kube_schema.unknown_kind_message(api_version, kind)
    finding = Finding(("apiVersion",) if rule == "api-version" else ("kind",), message, rule)
    served = kube_schema.served_versions()
    if kind in served:  # lint it as what it surely is, so the rest of the file is checked too
        return Identity(family="kubernetes", api_version=served[kind][-1], kind=kind, group=group, findings=(finding,))
    close = kube_schema.close_kind(api_version, kind)
    if close is not None:
        return Identity(family="kubernetes", api_version=api_version, kind=close, group=group, findings=(finding,))
    return Identity(family="unknown", api_version=api_version, kind=kind, group=group, findings=(finding,))


def list_items(obj: dict) -> list[tuple[FieldPath, Any]] | None:
    """The items of a ``kind: List`` or ``<Kind>List`` document with their paths, each with the
    apiVersion and kind it implies (the API server leaves them out of a ``PodList``'s items), or
    None when ``obj`` is not a list. An ``items`` that is not a list is returned as one item at
    path ``items``, for the caller to report."""
    kind, items = obj.get("kind"), obj.get("items")
    if not isinstance(kind, str) or not kind.endswith("List") or ("items" not in obj and kind != "List"):
        return None
    if items is None:
        return []
    if not isinstance(items, list):
        return [(FieldPath(("items",)), items)]
    implied_kind = kind[: -len("List")] or None
    api_version = obj.get("apiVersion") if implied_kind else None
    out = []
    for i, item in enumerate(items):
        if isinstance(item, dict) and implied_kind:
            item = {"apiVersion": api_version, "kind": implied_kind, **item}
        out.append((FieldPath(("items", i)), item))
    return out


__all__ = ["KUSTOMIZE_GROUP", "TOOL_FILES", "Identity", "identify", "list_items"]

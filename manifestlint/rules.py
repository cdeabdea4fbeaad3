"""The ``manifests`` linter's rules of meaning: what the schema allows but Kubernetes rejects or
silently gets wrong, as :class:`Finding` objects (a field path, a message and a rule id).

Document rules look at one object; file rules look across the objects of one file (a Service
whose selector matches none of the Pod templates beside it). Labs add their own rules in
``labs/<id>/lint.py`` (see :mod:`manifestlint.manifests`) and may build findings with
:class:`Finding` or return ``(path, message)`` tuples; paths are tuples of keys and indexes or
strings such as ``spec.template.spec.containers[0].image``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from autograder.paths import parse as parse_path
from manifestlint.quantity import quantity


@dataclass(frozen=True)
class Finding:
    """One problem in one object, before it is placed on a line."""

    path: tuple
    """Field path inside the object (keys and list indexes)."""
    message: str
    """What is wrong and how to fix it."""
    rule: str = "lab-rule"
    """Short rule id."""


def as_finding(item: Any, *, default_rule: str = "lab-rule") -> Finding:
    """Accept a :class:`Finding`, ``(path, message)`` or ``(path, message, rule)``."""
    if isinstance(item, Finding):
        return item
    if isinstance(item, str):
        return Finding((), item, default_rule)
    path, message, *rest = item
    if isinstance(path, str):
        path = parse_path(path) if path else ()
    return Finding(tuple(path), str(message), rest[0] if rest else default_rule)


TOOL_GROUPS = ("kustomize.config.k8s.io",)
"""API groups of files that tools read (kustomization.yaml), not objects for the API server."""

# Where each workload kind keeps its Pod template (metadata + spec).
TEMPLATE_PATHS = {
    "Deployment": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
    "Pod": (),
}
_RESTART = {"Job": ("Never", "OnFailure"), "CronJob": ("Never", "OnFailure"), "Pod": ("Always", "OnFailure", "Never")}
_ENUMS = {  # fields the schema types as plain strings although only these values work
    "imagePullPolicy": ("Always", "IfNotPresent", "Never"),
    "protocol": ("TCP", "UDP", "SCTP"),
}
_SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")
_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_LABEL_1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")


def _get(obj: Any, path: tuple) -> Any:
    for part in path:
        if isinstance(part, int):
            obj = obj[part] if isinstance(obj, list) and 0 <= part < len(obj) else None
        else:
            obj = obj.get(part) if isinstance(obj, dict) else None
        if obj is None:
            return None
    return obj


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def pod_template(obj: dict) -> tuple[tuple, dict] | None:
    """``(path, template)`` of the object's Pod template (the Pod itself for a Pod), or None."""
    kind = obj.get("kind")
    if kind not in TEMPLATE_PATHS:
        return None
    path = TEMPLATE_PATHS[kind]
    template = _get(obj, path) if path else obj
    return (path, template) if isinstance(template, dict) else None


def containers(obj: dict) -> Iterator[tuple[tuple, dict]]:
    """Every container and init container of the object's Pod template, with its path."""
    found = pod_template(obj)
    if not found:
        return
    path, template = found
    for field in ("initContainers", "containers"):
        items = _get(template, ("spec", field))
        for i, c in enumerate(items if isinstance(items, list) else []):
            if isinstance(c, dict):
                yield path + ("spec", field, i), c


def document_findings(obj: dict, *, namespaces: tuple[str, ...] = ()) -> list[Finding]:
    """Every built-in rule of meaning applied to one object."""
    if str(obj.get("apiVersion", "")).split("/")[0] in TOOL_GROUPS:
        return []  # a tool's own file, never sent to the API server
    out = _metadata(obj, namespaces)
    out += _template(obj)
    for path, container in containers(obj):
        out += _container(path, container)
    kind = obj.get("kind")
    if kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"):
        out += _selector_matches_template(obj)
    if kind == "Job":
        out += _job(obj)
    if kind == "Service":
        out += _service(obj)
    if kind == "PersistentVolumeClaim":
        out += _claim(obj)
    return out


_ACCESS_MODES = ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod")


def _claim(obj: dict) -> list[Finding]:
    spec = _mapping(obj.get("spec"))
    out = []
    for i, mode in enumerate(spec.get("accessModes") or []):
        if mode not in _ACCESS_MODES:
            out.append(
                Finding(
                    ("spec", "accessModes", i), f"access mode {mode!r} is not one of {', '.join(_ACCESS_MODES)}", "enum"
                )
            )
    size = _get(spec, ("resources", "requests", "storage"))
    if size is not None and quantity(size) is None:
        out.append(
            Finding(
                ("spec", "resources", "requests", "storage"),
                f"storage {size!r} is not a Kubernetes quantity (e.g. 100Mi, 10Gi)",
                "quantity",
            )
        )
    return out


def _metadata(obj: dict, namespaces: tuple[str, ...]) -> list[Finding]:
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return [Finding(("metadata",), "metadata with a name is required", "metadata")]
    out = []
    name = meta.get("name")
    if name is None and not meta.get("generateName"):
        # generateName alone is fine for `kubectl create` (a new Job per run), not for apply.
        out.append(
            Finding(("metadata",), "metadata.name is required (or generateName, with `kubectl create`)", "metadata")
        )
    elif isinstance(name, str):
        label = obj.get("kind") in ("Service", "Namespace")
        good = _LABEL_1035.match(name) if obj.get("kind") == "Service" else _SUBDOMAIN.match(name)
        if not good or len(name) > (63 if label else 253):
            what = (
                "start with a letter, then lowercase letters, digits and '-'"
                if obj.get("kind") == "Service"
                else "use lowercase letters, digits, '-' and '.'"
            )
            out.append(
                Finding(("metadata", "name"), f"name {name!r} is not valid for a {obj.get('kind')}: {what}", "name")
            )
    ns = meta.get("namespace")
    if namespaces and isinstance(ns, str) and ns not in namespaces and obj.get("kind") != "Namespace":
        out.append(
            Finding(
                ("metadata", "namespace"),
                f"namespace {ns!r} is not one of this lab's ({', '.join(namespaces)}); the checks will not find it there",
                "namespace",
            )
        )
    out += _labels(("metadata", "labels"), meta.get("labels"))
    return out


def _labels(path: tuple, labels: Any) -> list[Finding]:
    out = []
    for key, value in _mapping(labels).items():
        name = str(key).rsplit("/", 1)[-1]
        if not _LABEL_NAME.match(name) or len(name) > 63:
            out.append(
                Finding(
                    path + (key,),
                    f"label key {key!r} is not valid: letters, digits, '-', '_', '.', at most 63 characters",
                    "label",
                )
            )
        if not isinstance(value, str):
            shown = str(value).lower() if isinstance(value, bool) else str(value)
            out.append(
                Finding(path + (key,), f'label {key!r} must be a string; put the value in quotes: "{shown}"', "label")
            )
        elif not _LABEL_VALUE.match(value) or len(value) > 63:
            out.append(
                Finding(
                    path + (key,),
                    f"label value {value!r} is not valid: letters, digits, '-', '_', '.', no spaces, at most 63 characters",
                    "label",
                )
            )
    return out


def _template(obj: dict) -> list[Finding]:
    found = pod_template(obj)
    if not found:
        return []
    path, template = found
    kind = obj.get("kind")
    out = [] if kind == "Pod" else _labels(path + ("metadata", "labels"), _get(template, ("metadata", "labels")))
    policy = _get(template, ("spec", "restartPolicy"))
    allowed = _RESTART.get(kind, ("Always",))
    if policy is None and "Always" not in allowed:
        out.append(
            Finding(
                path + ("spec",),
                f"a {kind}'s Pod template must set restartPolicy: Never or OnFailure (the default, Always, is refused)",
                "restart-policy",
            )
        )
    elif policy is not None and policy not in allowed:
        out.append(
            Finding(
                path + ("spec", "restartPolicy"),
                f"restartPolicy {policy!r} is not allowed in a {kind}; use {' or '.join(allowed)}",
                "restart-policy",
            )
        )
    names: dict[str, int] = {}
    for cpath, c in containers(obj):
        name = c.get("name")
        if isinstance(name, str) and not (_LABEL_1123.match(name) and len(name) <= 63):
            out.append(
                Finding(
                    cpath + ("name",),
                    f"container name {name!r} is not valid: lowercase letters, digits and '-'",
                    "container-name",
                )
            )
        if isinstance(name, str) and name in names:
            out.append(
                Finding(
                    cpath + ("name",),
                    f"two containers are called {name!r}; names must be unique in a Pod",
                    "container-name",
                )
            )
        names[name] = 1
    return out


def _container(path: tuple, c: dict) -> list[Finding]:
    out = []
    values: dict[str, dict[str, Decimal]] = {}
    for section in ("requests", "limits"):
        for resource, raw in _mapping(_get(c, ("resources", section))).items():
            where = path + ("resources", section, resource)
            amount = quantity(raw)
            if amount is None:
                out.append(
                    Finding(
                        where,
                        f"{resource} {section[:-1]} {raw!r} is not a Kubernetes quantity (examples: 500m, 2, 512Mi, 4Gi)",
                        "quantity",
                    )
                )
                continue
            if resource == "memory" and isinstance(raw, str) and raw.strip().endswith("m"):
                out.append(
                    Finding(
                        where,
                        f"memory {raw!r} means {raw.strip()[:-1]} thousandths of a byte; write Mi (mebibytes) instead of m",
                        "quantity",
                    )
                )
            values.setdefault(section, {})[resource] = amount
    for resource, request in values.get("requests", {}).items():
        limit = values.get("limits", {}).get(resource)
        if limit is not None and request > limit:
            out.append(
                Finding(
                    path + ("resources", "requests", resource),
                    f"the {resource} request is above its limit; the API server refuses requests > limits",
                    "quantity",
                )
            )
    for field, allowed in _ENUMS.items():
        value = c.get(field)
        if value is not None and value not in allowed:
            out.append(Finding(path + (field,), f"{field} {value!r} is not one of {', '.join(allowed)}", "enum"))
    ports = {p.get("name") for p in c.get("ports") or [] if isinstance(p, dict) and p.get("name")}
    for i, p in enumerate(c.get("ports") or []):
        if isinstance(p, dict) and p.get("protocol") not in (None, *_ENUMS["protocol"]):
            out.append(
                Finding(
                    path + ("ports", i, "protocol"),
                    f"protocol {p.get('protocol')!r} is not one of TCP, UDP, SCTP",
                    "enum",
                )
            )
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        for action in ("httpGet", "tcpSocket"):
            port = _get(c, (probe, action, "port"))
            if isinstance(port, str) and port not in ports:
                out.append(
                    Finding(
                        path + (probe, action, "port"),
                        f"{probe} uses port name {port!r}, but the container has no port with that name",
                        "probe-port",
                    )
                )
    return out


def _selector_matches_template(obj: dict) -> list[Finding]:
    selector = _mapping(_get(obj, ("spec", "selector", "matchLabels")))
    labels = _mapping(_get(obj, ("spec", "template", "metadata", "labels")))
    wrong = {k: v for k, v in selector.items() if labels.get(k) != v}
    if not wrong:
        return []
    shown = ", ".join(f"{k}={v}" for k, v in wrong.items())
    return [
        Finding(
            ("spec", "selector", "matchLabels"),
            f"selector {shown} does not match the Pod template's labels; the API server refuses it (spec.template.metadata.labels must include every matchLabels entry)",
            "selector",
        )
    ]


def _job(obj: dict) -> list[Finding]:
    spec = _mapping(obj.get("spec"))
    out = []
    mode = spec.get("completionMode")
    if mode is not None and mode not in ("NonIndexed", "Indexed"):
        out.append(
            Finding(("spec", "completionMode"), f"completionMode {mode!r} is not one of NonIndexed, Indexed", "enum")
        )
    if mode == "Indexed" and spec.get("completions") is None:
        out.append(
            Finding(
                ("spec", "completionMode"),
                "an Indexed Job needs spec.completions (the number of indexes)",
                "indexed-job",
            )
        )
    if spec.get("backoffLimitPerIndex") is not None and mode != "Indexed":
        out.append(
            Finding(
                ("spec", "backoffLimitPerIndex"),
                "backoffLimitPerIndex works only with completionMode: Indexed",
                "indexed-job",
            )
        )
    for field in ("completions", "parallelism", "backoffLimit", "backoffLimitPerIndex", "ttlSecondsAfterFinished"):
        value = spec.get(field)
        if isinstance(value, int) and not isinstance(value, bool) and value < 0:
            out.append(Finding(("spec", field), f"{field} must not be negative", "range"))
    deadline = spec.get("activeDeadlineSeconds")
    if isinstance(deadline, int) and not isinstance(deadline, bool) and deadline <= 0:
        out.append(
            Finding(
                ("spec", "activeDeadlineSeconds"), "activeDeadlineSeconds must be a positive number of seconds", "range"
            )
        )
    return out


def _service(obj: dict) -> list[Finding]:
    spec = _mapping(obj.get("spec"))
    out = []
    kind = spec.get("type")
    if kind is not None and kind not in _SERVICE_TYPES:
        out.append(
            Finding(("spec", "type"), f"Service type {kind!r} is not one of {', '.join(_SERVICE_TYPES)}", "enum")
        )
    for i, p in enumerate(spec.get("ports") or []):
        if not isinstance(p, dict):
            continue
        if p.get("protocol") not in (None, *_ENUMS["protocol"]):
            out.append(
                Finding(
                    ("spec", "ports", i, "protocol"),
                    f"protocol {p.get('protocol')!r} is not one of TCP, UDP, SCTP",
                    "enum",
                )
            )
        node_port = p.get("nodePort")
        if isinstance(node_port, int) and not 30000 <= node_port <= 32767 and kind in ("NodePort", "LoadBalancer"):
            out.append(
                Finding(
                    ("spec", "ports", i, "nodePort"),
                    f"nodePort {node_port} is outside the default range 30000-32767",
                    "range",
                )
            )
        if node_port is not None and kind in (None, "ClusterIP"):
            out.append(
                Finding(
                    ("spec", "ports", i, "nodePort"),
                    "nodePort needs spec.type: NodePort (or LoadBalancer)",
                    "service-type",
                )
            )
    out += _labels(("spec", "selector"), spec.get("selector"))
    return out


def file_findings(objects: list[dict]) -> list[tuple[int, Finding]]:
    """Rules across one file: each Service must select some Pod template of the file (when the
    file holds any), and its named target ports must exist in the Pods it selects."""
    templates = []
    for obj in objects:
        found = pod_template(obj)
        if found:
            labels = _mapping(_get(found[1], ("metadata", "labels")))
            ports = {
                p.get("name"): p.get("containerPort")
                for _, c in containers(obj)
                for p in c.get("ports") or []
                if isinstance(p, dict)
            }
            templates.append((obj, labels, ports))
    out: list[tuple[int, Finding]] = []
    if not templates:
        return out
    for index, obj in enumerate(objects):
        if obj.get("kind") != "Service" or obj.get("apiVersion") != "v1":
            continue
        selector = _get(obj, ("spec", "selector"))
        if not isinstance(selector, dict) or not selector:
            continue
        chosen = [t for t in templates if all(t[1].get(k) == v for k, v in selector.items())]
        if not chosen:
            shown = ", ".join(f"{k}={v}" for k, v in selector.items())
            out.append(
                (
                    index,
                    Finding(
                        ("spec", "selector"),
                        f"selector {shown} matches none of the Pod templates in this file; the Service would have no endpoints",
                        "selects-nothing",
                    ),
                )
            )
            continue
        for i, p in enumerate(_get(obj, ("spec", "ports")) or []):
            target = p.get("targetPort") if isinstance(p, dict) else None
            if isinstance(target, str) and not any(target in t[2] for t in chosen):
                out.append(
                    (
                        index,
                        Finding(
                            ("spec", "ports", i, "targetPort"),
                            f"targetPort {target!r} names no container port of the Pods this Service selects",
                            "target-port",
                        ),
                    )
                )
    return out


__all__ = [
    "Finding",
    "TEMPLATE_PATHS",
    "as_finding",
    "containers",
    "document_findings",
    "file_findings",
    "pod_template",
    "quantity",
]

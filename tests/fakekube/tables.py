"""Server-side printing: objects as ``meta.k8s.io/v1`` Tables for ``kubectl get``.

kubectl asks for ``as=Table`` in its Accept header; the fake answers with NAME and AGE columns,
plus a few columns per built-in kind and a CRD's ``additionalPrinterColumns`` (simple
``.a.b.c`` JSONPaths). Rows carry the object's metadata as PartialObjectMetadata, or the full
object with ``includeObject=Object``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from .resources import ResourceType

_EXTRA_COLUMNS: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("", "Namespace"): (("Status", ".status.phase"),),
    ("", "Pod"): (("Status", ".status.phase"), ("Node", ".spec.nodeName")),
    ("", "Service"): (("Type", ".spec.type"), ("Cluster-IP", ".spec.clusterIP")),
    ("", "PersistentVolumeClaim"): (("Status", ".status.phase"), ("StorageClass", ".spec.storageClassName")),
    ("", "Node"): (("Roles", ".metadata.labels.node-role\\.kubernetes\\.io/control-plane"),),
    ("", "Secret"): (("Type", ".type"),),
    ("apps", "Deployment"): (("Ready", ".status.readyReplicas"), ("Replicas", ".spec.replicas")),
    ("batch", "Job"): (("Succeeded", ".status.succeeded"),),
}


def human_duration(seconds: float) -> str:
    """kubectl's short duration format (``45s``, ``3m12s``, ``5h``, ``12d``)."""
    seconds = int(max(seconds, 0))
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if seconds < 120:
        return f"{seconds}s"
    if minutes < 10:
        return f"{minutes}m{seconds % 60}s" if seconds % 60 else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        return f"{days}d{hours % 24}h" if hours % 24 else f"{days}d"
    if days < 365 * 2:
        return f"{days}d"
    return f"{days // 365}y"


def _age(timestamp: str | None) -> str:
    if not timestamp:
        return "<unknown>"
    created = datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return human_duration((datetime.now(UTC) - created).total_seconds())


def _lookup(obj: dict, path: str) -> object:
    parts, current = [], ""
    text = path.lstrip(".")
    index = 0
    while index < len(text):
        if text[index] == "\\" and index + 1 < len(text):
            current += text[index + 1]
            index += 2
            continue
        if text[index] == ".":
            parts.append(current)
            current = ""
        else:
            current += text[index]
        index += 1
    parts.append(current)
    value: object = obj
    for part in parts:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _columns(rt: ResourceType) -> list[tuple[str, str, str, int]]:
    """(name, type, jsonpath, priority) per column after NAME; priority 1 shows with -o wide."""
    if rt.printer_columns:
        return [
            (c.get("name", ""), c.get("type", "string"), c.get("jsonPath", ""), int(c.get("priority", 0)))
            for c in rt.printer_columns
        ]
    extra = [(name, "string", path, 0) for name, path in _EXTRA_COLUMNS.get((rt.group, rt.kind), ())]
    return extra + [("Age", "date", ".metadata.creationTimestamp", 0)]


def _cell(kind: str, value: object) -> object:
    if value is None:
        return "<none>" if kind != "date" else "<unknown>"
    if kind == "date":
        return _age(str(value))
    return value if isinstance(value, (int, float, bool)) else str(value)


def to_table(
    rt: ResourceType,
    objects: list[dict],
    resource_version: str,
    *,
    include_object: str = "Metadata",
    continue_token: str = "",
) -> dict:
    columns = _columns(rt)
    definitions = [
        {
            "name": "Name",
            "type": "string",
            "format": "name",
            "priority": 0,
            "description": "Name must be unique within a namespace.",
        }
    ]
    definitions += [
        {
            "name": name,
            "type": "string" if kind == "date" else kind,
            "format": "",
            "priority": priority,
            "description": name,
        }
        for name, kind, _, priority in columns
    ]
    rows = []
    for obj in objects:
        row: dict = {
            "cells": [obj["metadata"]["name"]] + [_cell(kind, _lookup(obj, path)) for _, kind, path, _ in columns]
        }
        if include_object == "Object":
            row["object"] = obj
        elif include_object != "None":
            row["object"] = {
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": obj["metadata"],
            }
        rows.append(row)
    meta: dict = {"resourceVersion": resource_version}
    if continue_token:
        meta["continue"] = continue_token
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": meta,
        "columnDefinitions": definitions,
        "rows": rows,
    }


__all__ = ["human_duration", "to_table"]

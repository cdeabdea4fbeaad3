"""Readers for raw manifest data that never raise: a wrong shape reads as "absent".

Rules run on whatever a learner wrote, including a mapping where a list belongs or a number where
a mapping belongs (the schema layer reports those); these readers let a rule ask its question
without guarding every step.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from manifestlint.fieldpath import FieldPath

# Where each workload kind keeps its Pod template (metadata + spec).
TEMPLATE_PATHS: dict[str, tuple] = {
    "Deployment": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
    "PodTemplate": ("template",),
    "Pod": (),
}


def get(value: Any, *path: Any, default: Any = None) -> Any:
    """``value[path[0]][path[1]]...``, or ``default`` where a step is missing or the wrong shape."""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            if not isinstance(value, list) or not 0 <= part < len(value):
                return default
        elif not isinstance(value, dict) or part not in value:
            return default
        value = value[part]
    return default if value is None else value


def mapping(value: Any) -> dict:
    """``value`` if it is a mapping, else an empty one."""
    return value if isinstance(value, dict) else {}


def items(value: Any) -> Iterator[tuple[int, Any]]:
    """``(index, item)`` of a list; nothing for anything else (a string is not a list of letters)."""
    if isinstance(value, list):
        yield from enumerate(value)


def dicts(value: Any) -> Iterator[tuple[int, dict]]:
    """``(index, item)`` of the mappings in a list."""
    for i, item in items(value):
        if isinstance(item, dict):
            yield i, item


def text(value: Any) -> str | None:
    """``value`` if it is a string, else None."""
    return value if isinstance(value, str) else None


def kind_of(obj: Any) -> str | None:
    return text(obj.get("kind")) if isinstance(obj, dict) else None


def pod_template(obj: Any) -> tuple[FieldPath, dict] | None:
    """``(path, template)`` of the object's Pod template (the Pod itself for a Pod), or None."""
    kind = kind_of(obj)
    if kind not in TEMPLATE_PATHS:
        return None
    path = FieldPath(TEMPLATE_PATHS[kind])
    template = get(obj, *path) if path else obj
    return (path, template) if isinstance(template, dict) else None


def containers(obj: Any, *, init: bool = True) -> Iterator[tuple[FieldPath, dict]]:
    """Every container (and init container, unless ``init=False``) of the object's Pod template,
    with its path."""
    found = pod_template(obj)
    if not found:
        return
    path, template = found
    for field in ("initContainers", "containers") if init else ("containers",):
        for i, c in dicts(get(template, "spec", field)):
            yield path.child("spec", field, i), c


__all__ = ["TEMPLATE_PATHS", "containers", "dicts", "get", "items", "kind_of", "mapping", "pod_template", "text"]

"""Readers for the parts of Kubernetes objects that lab checks keep asking for.

Containers sit at ``spec.containers`` in a Pod and at ``spec.template.spec.containers`` in
every workload with a Pod template (Deployment, Job, StatefulSet...); conditions sit in
``status.conditions`` as a list keyed by ``type``. Checks use these instead of each writing
its own copy.
"""

from __future__ import annotations

from typing import Any

from autograder.paths import get


def containers(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """The containers of a Pod, or of the Pod template of a workload; ``[]`` when there are none."""
    found = get(obj, "spec.template.spec.containers", default=None)
    if found is None:
        found = get(obj, "spec.containers", default=None)
    return found or []


def condition(obj: dict[str, Any], kind: str, *, status: str | None = None) -> dict[str, Any] | None:
    """The ``status.conditions`` entry of type ``kind`` (and ``status``, if given), else ``None``."""
    for cond in get(obj, "status.conditions", default=None) or []:
        if cond.get("type") == kind and (status is None or cond.get("status") == status):
            return cond
    return None


__all__ = ["condition", "containers"]

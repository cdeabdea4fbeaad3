"""Readers for the parts of Kubernetes objects that lab checks keep asking for.

Containers sit at ``spec.containers`` in a Pod and at ``spec.template.spec.containers`` in
every workload with a Pod template (Deployment, Job, StatefulSet...); conditions sit in
``status.conditions`` as a list keyed by ``type``. Checks use these instead of each writing
its own copy. Every reader takes what a check already holds (objects, never the state) and
answers for odd input too: a field of the wrong type reads as missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from autograder.paths import get

Obj = dict[str, Any]

RESOURCES = ("cpu", "memory")
"""What every container of a lab should request."""

IMAGE_PULL_ERRORS = frozenset({"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"})
"""Reasons a container waits when its image cannot be had."""

LASTING_WAITS = frozenset(IMAGE_PULL_ERRORS | {"CrashLoopBackOff", "CreateContainerConfigError"})
"""Reasons a container waits that waiting longer will not clear up: a live check stops waiting."""


def name(obj: Obj | None) -> str:
    """``metadata.name``, or ``?``."""
    return str(get(obj or {}, "metadata.name", default="?"))


def integer(value: Any, default: int | None = None) -> int | None:
    """``value`` if it is a whole number (YAML's ``true`` is not), else ``default``."""
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def containers(obj: Obj) -> list[Obj]:
    """The containers of a Pod, or of the Pod template of a workload; ``[]`` when there are none."""
    found = get(obj, "spec.template.spec.containers", default=None)
    if found is None:
        found = get(obj, "spec.containers", default=None)
    return [c for c in found if isinstance(c, dict)] if isinstance(found, list) else []


def condition(obj: Obj | None, kind: str, *, status: str | None = None) -> Obj | None:
    """The ``status.conditions`` entry of type ``kind`` (and ``status``, if given), else ``None``."""
    for cond in get(obj or {}, "status.conditions", default=None) or []:
        if isinstance(cond, dict) and cond.get("type") == kind and (status is None or cond.get("status") == status):
            return cond
    return None


def is_true(obj: Obj | None, kind: str) -> bool:
    """Whether the condition ``kind`` has status ``True``."""
    return condition(obj, kind, status="True") is not None


def missing_requests(obj: Obj, resources: Iterable[str] = RESOURCES) -> list[str]:
    """``["web: memory", ...]``: each container of ``obj`` and resource it does not request."""
    return [
        f"{c.get('name')}: {r}" for c in containers(obj) for r in resources if not get(c, f"resources.requests.{r}")
    ]


def image_tag(image: str) -> str | None:
    """The tag of an image reference (``busybox:1.36`` -> ``1.36``, a digest as ``@sha256:...``),
    or None when it has neither (it then means ``:latest``)."""
    if "@" in image:
        return "@" + image.split("@", 1)[1]
    last = image.rsplit("/", 1)[-1]  # a registry's port is not a tag: localhost:5000/app
    return last.split(":", 1)[1] if ":" in last else None


def waiting_reasons(pods: Iterable[Obj]) -> list[str]:
    """Why the Pods' containers are waiting (``ImagePullBackOff``...), sorted, each once."""
    return sorted({r for p in pods for r in get(p, "status.containerStatuses[*].state.waiting.reason") if r})


def unschedulable(pods: Iterable[Obj]) -> list[Obj]:
    """The Pods the scheduler found no node for (a Pod held back by a scheduling gate is not one)."""
    return [p for p in pods if get(condition(p, "PodScheduled", status="False"), "reason") == "Unschedulable"]


def scheduling_problem(pod: Obj) -> str:
    """What the scheduler said about a Pod it could not place."""
    cond = condition(pod, "PodScheduled") or {}
    return str(cond.get("message") or cond.get("reason") or "Unschedulable")


def timestamp(text: Any) -> datetime | None:
    """A Kubernetes time (``2026-01-01T10:00:00Z``) as an aware datetime, None if it is not one."""
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def index_set(text: Any) -> set[int]:
    """``"0-2,4"`` -> {0, 1, 2, 4}: the format of a Job's ``status.completedIndexes``."""
    found: set[int] = set()
    for part in filter(None, str(text or "").split(",")):
        low, _, high = part.partition("-")
        if low.strip().isdigit() and (not high or high.strip().isdigit()):
            found.update(range(int(low), int(high or low) + 1))
    return found


__all__ = [
    "IMAGE_PULL_ERRORS",
    "LASTING_WAITS",
    "RESOURCES",
    "condition",
    "containers",
    "image_tag",
    "index_set",
    "integer",
    "is_true",
    "missing_requests",
    "name",
    "scheduling_problem",
    "timestamp",
    "unschedulable",
    "waiting_reasons",
]

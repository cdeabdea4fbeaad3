"""Watch streams: which stored events a watch request sees, and in what form.

A watch sees the events of one resource (optionally one namespace) after a resourceVersion.
With selectors, an object that starts matching arrives as ADDED and one that stops matching as
DELETED, as the real watch cache does. ``sendInitialEvents=true`` (client-go's watch-list)
first replays the current objects and then a BOOKMARK marked ``k8s.io/initial-events-end``.
"""

from __future__ import annotations

import copy
from typing import Callable, Iterator

from .resources import ResourceType
from .store import Event


def visible(event: Event, rt: ResourceType, namespace: str | None,
            matches: Callable[[dict], bool]) -> tuple[str, dict] | None:
    """(type, object) as this watcher sees ``event``, or None if it does not concern it."""
    if event.storage_key != rt.storage_key:
        return None
    if namespace is not None and event.obj["metadata"].get("namespace", "") != namespace:
        return None
    now_matches = matches(event.obj)
    if event.type != "MODIFIED" or event.old is None:
        return (event.type, event.obj) if now_matches else None
    before = matches(event.old)
    if before and now_matches:
        return "MODIFIED", event.obj
    if now_matches:
        return "ADDED", event.obj
    if before:
        return "DELETED", event.obj
    return None


def bookmark(rt: ResourceType, rv: int, *, initial_events_end: bool = False) -> dict:
    meta: dict = {"resourceVersion": str(rv)}
    if initial_events_end:
        meta["annotations"] = {"k8s.io/initial-events-end": "true"}
    return {"apiVersion": rt.api_version, "kind": rt.kind, "metadata": meta}


def served(rt: ResourceType, obj: dict) -> dict:
    obj = copy.deepcopy(obj)
    obj["apiVersion"] = rt.api_version
    obj["kind"] = rt.kind
    return obj


def initial_events(rt: ResourceType, objects: list[dict]) -> Iterator[tuple[str, dict]]:
    for obj in objects:
        yield "ADDED", served(rt, obj)


__all__ = ["bookmark", "initial_events", "served", "visible"]

"""The cluster state checks read: the :class:`State` protocol and its in-memory implementation.

A check sees one interface whether the objects come from a live cluster
(:class:`autograder.live.LiveState`) or from a snapshot file (:class:`MemoryState`, built by
:mod:`autograder.snapshot`). Both filter with :func:`select`, so a query means the same thing
in either. Every object handed to a check is a private copy: a check that edits what it reads
cannot change what the next check sees.
"""

from __future__ import annotations

import marshal
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from autograder.selectors import matches_labels, parse_selector
from coursecore.labs import Capture

Obj = dict[str, Any]


class State(Protocol):
    """What a check may ask about the cluster."""

    source: str
    """``live`` or ``snapshot``."""

    def objects(
        self,
        kind: str,
        *,
        api_version: str | None = None,
        namespace: str | None = None,
        name: str | None = None,
        labels: dict[str, str] | None = None,
    ) -> list[Obj]:
        """Objects of ``kind`` (case-insensitive) that match every filter given, oldest first
        (by ``metadata.creationTimestamp``, then name)."""
        ...

    def get(self, kind: str, name: str, *, namespace: str | None = None, api_version: str | None = None) -> Obj | None:
        """The object called ``name``, or ``None``."""
        ...

    def newest(
        self, kind: str, *, namespace: str | None = None, api_version: str | None = None, name_prefix: str | None = None
    ) -> Obj | None:
        """The most recently created object of ``kind`` (whose name starts with ``name_prefix``)."""
        ...

    def wait_for(
        self, kind: str, name: str, *, namespace: str | None = None, condition: Callable[[Obj], bool], timeout: float
    ) -> Obj | None:
        """The object once ``condition(obj)`` holds; ``None`` if it does not within ``timeout``
        seconds (a snapshot is evaluated once, without waiting)."""
        ...

    def capture(self, capture: Capture) -> list[Obj]:
        """Every object one ``lab.yaml`` capture entry names (used to write snapshots)."""
        ...


def copy_object(value: Any) -> Any:
    """A deep copy of JSON-like data (dicts, lists, scalars), types kept exactly.

    marshal round-trips exactly these types in C, about ten times faster than walking them in
    Python (the copies are most of what a check costs); anything it refuses (a date from a
    hand-written YAML file, very deep nesting) is walked instead.
    """
    try:
        return marshal.loads(marshal.dumps(value))
    except (ValueError, TypeError):
        return _walk_copy(value)


def _walk_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _walk_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk_copy(v) for v in value]
    return value


def sort_key(obj: Obj) -> tuple[str, str, str]:
    meta = obj.get("metadata") or {}
    return (str(meta.get("creationTimestamp") or ""), str(meta.get("name") or ""), str(meta.get("namespace") or ""))


def api_version_matches(actual: str | None, wanted: str | None) -> bool:
    """``wanted`` is a full apiVersion (``apps/v1``) or just a group (``argoproj.io``)."""
    if wanted is None:
        return True
    if actual == wanted:
        return True
    return "/" not in wanted and "." in wanted and (actual or "").split("/")[0] == wanted


def select(
    objs: Iterable[Obj],
    kind: str | None = None,
    *,
    api_version: str | None = None,
    namespace: str | None = None,
    name: str | None = None,
    labels: dict[str, str] | None = None,
    label_selector: str | None = None,
    name_prefix: str | None = None,
) -> list[Obj]:
    """The objects that pass every filter given, sorted oldest first (not copied)."""
    kind_key = kind.lower() if kind else None
    selector = parse_selector(label_selector) if label_selector else None
    found = []
    for obj in objs:
        meta = obj.get("metadata") or {}
        if kind_key is not None and str(obj.get("kind", "")).lower() != kind_key:
            continue
        if not api_version_matches(obj.get("apiVersion"), api_version):
            continue
        if namespace is not None and meta.get("namespace") != namespace:
            continue
        if name is not None and meta.get("name") != name:
            continue
        if name_prefix is not None and not str(meta.get("name", "")).startswith(name_prefix):
            continue
        if labels and not matches_labels(meta.get("labels"), labels):
            continue
        if selector is not None and not selector(meta.get("labels") or {}):
            continue
        found.append(obj)
    found.sort(key=sort_key)
    return found


class MemoryState:
    """Cluster state held in memory: the objects of a snapshot file (or any list of objects)."""

    def __init__(self, objects: Iterable[Obj], *, source: str = "snapshot", origin: str = "") -> None:
        self.source = source
        self.origin = origin
        """Where the objects came from (a file name), for messages."""
        self._by_kind: dict[str, list[Obj]] = {}
        for obj in objects:
            self._by_kind.setdefault(str(obj.get("kind", "")).lower(), []).append(obj)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_kind.values())

    def __repr__(self) -> str:
        return f"MemoryState({len(self)} objects from {self.origin or self.source})"

    def all_objects(self) -> list[Obj]:
        """Copies of every object held, oldest first."""
        return [copy_object(o) for o in select(o for group in self._by_kind.values() for o in group)]

    def objects(self, kind, *, api_version=None, namespace=None, name=None, labels=None):
        group = self._by_kind.get(kind.lower(), [])
        picked = select(group, kind, api_version=api_version, namespace=namespace, name=name, labels=labels)
        return [copy_object(o) for o in picked]

    def get(self, kind, name, *, namespace=None, api_version=None):
        found = self.objects(kind, api_version=api_version, namespace=namespace, name=name)
        return found[-1] if found else None

    def newest(self, kind, *, namespace=None, api_version=None, name_prefix=None):
        group = self._by_kind.get(kind.lower(), [])
        picked = select(group, kind, api_version=api_version, namespace=namespace, name_prefix=name_prefix)
        return copy_object(picked[-1]) if picked else None

    def wait_for(self, kind, name, *, namespace=None, condition, timeout):
        obj = self.get(kind, name, namespace=namespace)
        return obj if obj is not None and condition(obj) else None

    def capture(self, capture: Capture) -> list[Obj]:
        group = self._by_kind.get(capture.kind.lower(), [])
        picked = select(
            group,
            capture.kind,
            api_version=capture.api_version,
            namespace=capture.namespace,
            label_selector=capture.label_selector,
        )
        return [copy_object(o) for o in picked]


__all__ = ["MemoryState", "Obj", "State", "api_version_matches", "copy_object", "select", "sort_key"]

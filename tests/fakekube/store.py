"""The object store of the fake API server: objects, the resourceVersion counter and watch events.

All objects of all types live in one dictionary guarded by one lock; every write takes the next
global resourceVersion and appends a watch event, so a watcher can replay everything after a
given resourceVersion. Semantics (validation, defaults, status rules) live in
:mod:`fakekube.operations`; this module only stores, counts and notifies.
"""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import dataclass

from .errors import gone

Key = tuple[str, str]  # (namespace, name); namespace is "" for cluster-scoped objects
MAX_EVENTS = 50_000
"""Events kept for replay; older resourceVersions get 410 Gone, as after etcd compaction."""


@dataclass(frozen=True)
class Event:
    """One change: ``type`` is ADDED, MODIFIED or DELETED; ``obj`` the object after it."""

    rv: int
    type: str
    storage_key: tuple[str, str]
    obj: dict
    old: dict | None


class Store:
    """Objects by storage key (group, resource) and (namespace, name)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._changed = threading.Condition(self.lock)
        self._objects: dict[tuple[str, str], dict[Key, dict]] = {}
        self._events: list[Event] = []
        self._first_kept_rv = 1
        self.rv = 0
        self.closed = False

    # -- reads (callers get copies) -------------------------------------------------------
    def get(self, storage_key: tuple[str, str], namespace: str, name: str) -> dict | None:
        with self.lock:
            obj = self._objects.get(storage_key, {}).get((namespace, name))
            return copy.deepcopy(obj) if obj is not None else None

    def list(self, storage_key: tuple[str, str], namespace: str | None = None) -> list[dict]:
        """Objects sorted by namespace and name; ``namespace=None`` means all namespaces."""
        with self.lock:
            items = self._objects.get(storage_key, {})
            return [
                copy.deepcopy(obj) for key, obj in sorted(items.items()) if namespace is None or key[0] == namespace
            ]

    # -- writes ------------------------------------------------------------------------------
    def next_rv(self) -> int:
        with self.lock:
            self.rv += 1
            return self.rv

    def put(self, storage_key: tuple[str, str], obj: dict, *, event_type: str, old: dict | None = None) -> dict:
        """Store ``obj`` (stamping a fresh resourceVersion) and announce it; return a copy."""
        with self.lock:
            rv = self.next_rv()
            stored = copy.deepcopy(obj)
            stored["metadata"]["resourceVersion"] = str(rv)
            meta = stored["metadata"]
            self._objects.setdefault(storage_key, {})[(meta.get("namespace", ""), meta["name"])] = stored
            self._record(Event(rv, event_type, storage_key, stored, old))
            return copy.deepcopy(stored)

    def remove(self, storage_key: tuple[str, str], namespace: str, name: str) -> dict | None:
        """Delete an object; the DELETED event carries it with a fresh resourceVersion."""
        with self.lock:
            obj = self._objects.get(storage_key, {}).pop((namespace, name), None)
            if obj is None:
                return None
            rv = self.next_rv()
            obj = copy.deepcopy(obj)
            obj["metadata"]["resourceVersion"] = str(rv)
            self._record(Event(rv, "DELETED", storage_key, obj, obj))
            return copy.deepcopy(obj)

    def _record(self, event: Event) -> None:
        self._events.append(event)
        if len(self._events) > MAX_EVENTS:
            dropped = len(self._events) - MAX_EVENTS
            self._first_kept_rv = self._events[dropped].rv
            del self._events[:dropped]
        self._changed.notify_all()

    # -- watching ----------------------------------------------------------------------------
    def events_after(self, rv: int) -> list[Event]:
        """Events with resourceVersion greater than ``rv``; 410 Gone if they were dropped."""
        with self.lock:
            if rv + 1 < self._first_kept_rv:
                raise gone(f"too old resource version: {rv} ({self._first_kept_rv - 1})")
            if not self._events or self._events[-1].rv <= rv:
                return []
            start = len(self._events)
            while start > 0 and self._events[start - 1].rv > rv:
                start -= 1
            return self._events[start:]

    def wait(self, rv: int, deadline: float) -> None:
        """Block until an event newer than ``rv`` exists, the deadline passes or we close."""
        with self.lock:
            while not self.closed and self.rv <= rv:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self._changed.wait(min(remaining, 0.5))

    def close(self) -> None:
        with self.lock:
            self.closed = True
            self._changed.notify_all()


__all__ = ["Event", "MAX_EVENTS", "Store"]

"""Watch streams: which stored events a watch request sees, and in what form.

A watch sees the events of one resource (optionally one namespace) after a resourceVersion.
With selectors, an object that starts matching arrives as ADDED and one that stops matching as
DELETED, as the real watch cache does. ``sendInitialEvents=true`` (client-go's watch-list)
first replays the current objects and then a BOOKMARK marked ``k8s.io/initial-events-end``.
"""

from __future__ import annotations

import copy
import json
import select
import time
from collections.abc import Callable

from .errors import ApiError, bad_request
from .resources import ResourceType
from .routing import Route, query_number
from .selection import object_matcher
from .store import Event
from .tables import to_table

MAX_WATCH_SECONDS = 1800


def visible(
    event: Event, rt: ResourceType, namespace: str | None, matches: Callable[[dict], bool]
) -> tuple[str, dict] | None:
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


class WatchStreamMixin:
    """The watch half of :class:`fakekube.handler.Handler`: chunked JSON lines until the
    timeout, the client hanging up or the server stopping."""

    def _watch(self, route: Route, query: dict) -> None:
        store, rt = self.fake.store, route.rt
        matches = object_matcher(rt, query.get("labelSelector"), query.get("fieldSelector"))
        timeout = min(query_number(query, "timeoutSeconds") or MAX_WATCH_SECONDS, MAX_WATCH_SECONDS)
        deadline = time.monotonic() + timeout
        rv_text = query.get("resourceVersion") or ""
        send_initial = query.get("sendInitialEvents") == "true"
        table = self._wants_table()
        with store.lock:
            if send_initial or rv_text in ("", "0"):
                initial = [o for o in store.list(rt.storage_key, route.namespace) if matches(o)]
                last = store.rv
            else:
                if not rv_text.isdigit():
                    raise bad_request(f'invalid resourceVersion "{rv_text}"')
                initial, last = [], int(rv_text)
                store.events_after(last)  # 410 Gone if compacted away
        self._record.status = 200
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        try:
            for obj in initial:
                self._event("ADDED", served(rt, obj), rt, table)
            if send_initial:
                self._event("BOOKMARK", bookmark(rt, last, initial_events_end=True), rt, False)
            while time.monotonic() < deadline and not store.closed:
                events = store.events_after(last)
                for event in events:
                    last = event.rv
                    seen = visible(event, rt, route.namespace, matches)
                    if seen:
                        self._event(seen[0], served(rt, seen[1]), rt, table)
                if not events:
                    if self._client_gone():
                        break
                    store.wait(last, deadline)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (OSError, ApiError):  # client gone, or its resourceVersion compacted away
            self.close_connection = True

    def _client_gone(self) -> bool:
        """A watch client never sends anything: a readable socket means it hung up."""
        readable, _, _ = select.select([self.connection], [], [], 0)
        return bool(readable)

    def _event(self, kind: str, obj: dict, rt, table: bool) -> None:
        if table and kind != "BOOKMARK":
            obj = to_table(rt, [obj], obj["metadata"]["resourceVersion"])
        line = json.dumps({"type": kind, "object": obj}).encode() + b"\n"
        self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
        self.wfile.flush()


__all__ = ["WatchStreamMixin", "bookmark", "served", "visible"]

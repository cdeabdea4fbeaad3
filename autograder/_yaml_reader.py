"""Parsing snapshot text into documents, bounded in bytes, values, objects, depth and time.

JSON goes to the json module (a C parser, no aliases), then one walk checks its size and depth;
YAML goes to :func:`coursecore.safeyaml.parse_documents`, which builds values from libyaml's
events within the same limits and refuses alias bombs before expanding them. Timestamps stay
text, as the API serves them, so checks see the same types live and offline.
"""

from __future__ import annotations

import json
from typing import Any

from autograder.errors import SnapshotError
from coursecore import safeyaml
from coursecore.errors import UsageError

MAX_OBJECTS = 10_000
"""Objects in one snapshot (and entries in any one list or mapping of it): a lab captures a few
namespaces, hundreds of objects at most."""
MAX_DEPTH = 200
"""Kubernetes objects nest about 20 deep (big CRD schemas 60)."""
MAX_VALUES = 1_000_000
"""Values in one snapshot, aliases counted in full: about 100 per object, 10,000 objects."""
SNAPSHOT_LIMITS = safeyaml.Limits(max_nodes=MAX_VALUES, max_depth=MAX_DEPTH, max_items=MAX_OBJECTS, seconds=30.0)


def documents(text: str, source: str, limits: safeyaml.Limits = SNAPSHOT_LIMITS) -> list[Any]:
    """The documents of ``text`` (JSON or a YAML stream), empty ones skipped.

    Raises:
        SnapshotError: malformed, or over one of ``limits`` (the message says which).
    """
    if text.lstrip()[:1] in ("{", "["):
        try:
            doc = json.loads(text)
        except (ValueError, RecursionError):
            pass  # not JSON after all, broken or too deep: the YAML reader says which, and where
        else:
            _check_json(doc, source, limits)
            return [] if doc is None else [doc]
    try:
        return safeyaml.parse_documents(text, source=source, limits=limits, timestamps_as_text=True)
    except SnapshotError:
        raise
    except UsageError as err:
        raise SnapshotError(err.message) from None


def _check_json(doc: Any, source: str, limits: safeyaml.Limits) -> None:
    """Hold parsed JSON to the limits YAML is held to while it is built."""
    count = 0
    pending = [(doc, 1)]
    while pending:
        value, depth = pending.pop()
        count += 1
        if count > limits.max_nodes:
            raise SnapshotError(f"{source}: more than {limits.max_nodes} values; too large to read")
        if isinstance(value, (dict, list)):
            if depth > limits.max_depth:
                raise SnapshotError(f"{source}: nested more than {limits.max_depth} levels deep; refusing it")
            if limits.max_items is not None and len(value) > limits.max_items:
                what = "entries in one mapping" if isinstance(value, dict) else "items in one list"
                raise SnapshotError(f"{source}: more than {limits.max_items} {what}; refusing it")
            children = value.values() if isinstance(value, dict) else value
            pending.extend((child, depth + 1) for child in children)


__all__ = ["MAX_DEPTH", "MAX_OBJECTS", "MAX_VALUES", "SNAPSHOT_LIMITS", "documents"]

"""Snapshot files: reading them into a :class:`~autograder.state.MemoryState` and writing them.

A snapshot is what ``kubectl get ... -o yaml`` prints: a ``List`` of objects, in YAML or JSON.
A single object, a typed list from the raw API (``PodList``) or a multi-document YAML stream is
accepted too. Every way a file can be wrong (missing, not a regular file, too big, binary,
malformed, an alias bomb, too many objects or values, nested too deep, too slow to parse, items
that are not objects) is a :class:`~autograder.errors.SnapshotError` (exit 2) naming the file
and, for bad items, the item's index. The limits are in :mod:`autograder._yaml_reader`.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from autograder._yaml_reader import MAX_OBJECTS, documents
from autograder.errors import SnapshotError
from autograder.state import MemoryState, Obj
from coursecore import safeyaml
from coursecore.errors import UsageError

MAX_SNAPSHOT_BYTES = safeyaml.MAX_BYTES
_FastDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _describe(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _objects(docs: list[Any], source: str) -> list[Obj]:
    """Flatten Lists, check that every item is a Kubernetes object, and return them."""
    found: list[Obj] = []
    index = 0
    for d, doc in enumerate(docs, start=1):
        if not isinstance(doc, dict):
            raise SnapshotError(f"{source}: document {d} is a {_describe(doc)}, not a Kubernetes object or List")
        kind = doc.get("kind")
        if isinstance(kind, str) and kind.endswith("List") and "items" in doc:
            items = doc["items"]
            if items is None:
                items = []
            if not isinstance(items, list):
                raise SnapshotError(f"{source}: 'items' of the {kind} must be a list, not {_describe(items)}")
            # A typed list from the raw API (PodList) leaves kind and apiVersion off its items.
            item_kind = kind[: -len("List")] if kind != "List" else None
            for item in items:
                if isinstance(item, dict) and item_kind:
                    item.setdefault("kind", item_kind)
                    item.setdefault("apiVersion", doc.get("apiVersion"))
                found.append(_valid(item, index, source))
                index += 1
        else:
            found.append(_valid(doc, index, source))
            index += 1
        if len(found) > MAX_OBJECTS:
            raise SnapshotError(f"{source}: more than {MAX_OBJECTS} objects; a lab snapshot holds far fewer")
    return found


def _valid(item: Any, index: int, source: str) -> Obj:
    where = f"{source}: item {index}"
    if not isinstance(item, dict):
        raise SnapshotError(f"{where} is a {_describe(item)}, not a Kubernetes object")
    for field in ("apiVersion", "kind"):
        if not isinstance(item.get(field), str) or not item[field]:
            raise SnapshotError(f"{where} is not a Kubernetes object: '{field}' is missing or not a string")
    meta = item.get("metadata")
    if not isinstance(meta, dict) or not isinstance(meta.get("name"), str) or not meta["name"]:
        raise SnapshotError(f"{where} ({item['kind']}) has no metadata.name")
    for field in ("labels", "annotations"):
        if meta.get(field) is not None and not isinstance(meta[field], dict):
            raise SnapshotError(f"{where} ({item['kind']} {meta['name']}): metadata.{field} must be a mapping")
    return item


def parse_snapshot(text: str, *, source: str = "snapshot") -> MemoryState:
    """Parse snapshot text (see the module docstring) into a state."""
    docs = documents(text, source)
    if not docs:
        raise SnapshotError(f"{source}: the snapshot is empty; expected a List of objects (kind: List)")
    return MemoryState(_objects(docs, source), source="snapshot", origin=source)


def load_snapshot(path: str | os.PathLike[str]) -> MemoryState:
    """Read a snapshot file.

    Raises:
        SnapshotError: the file is missing, not a regular file, over 50 MB, binary, malformed,
            an alias bomb, over the limits or holds something that is not a Kubernetes object.
    """
    try:
        text = safeyaml.read_text(Path(path), what="snapshot", max_bytes=MAX_SNAPSHOT_BYTES)
    except UsageError as err:
        raise SnapshotError(err.message) from None
    return parse_snapshot(text, source=str(path))


def parse_snapshot_bytes(data: bytes, *, source: str) -> MemoryState:
    """Parse a snapshot already read into memory (the grader reads each submission once).

    Raises:
        SnapshotError: as :func:`load_snapshot`.
    """
    if len(data) > MAX_SNAPSHOT_BYTES:
        raise SnapshotError(f"snapshot {source} is over the {MAX_SNAPSHOT_BYTES / 2**20:g} MiB limit")
    try:
        text = safeyaml.decode_text(data, what="snapshot", source=source)
    except UsageError as err:
        raise SnapshotError(err.message) from None
    return parse_snapshot(text, source=source)


def _clean(obj: Obj) -> Obj:
    # `kubectl get -o yaml` hides managedFields too: they are bulky and no check reads them.
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        meta.pop("managedFields", None)
    return obj


def snapshot_document(objects: Iterable[Obj]) -> dict[str, Any]:
    """The ``List`` a snapshot file holds."""
    return {
        "apiVersion": "v1",
        "kind": "List",
        "metadata": {"resourceVersion": ""},
        "items": [_clean(o) for o in objects],
    }


def dump_snapshot(document: dict[str, Any], *, as_json: bool) -> str:
    """Serialise a snapshot document as JSON or YAML text."""
    if as_json:
        return json.dumps(document, indent=2, sort_keys=False) + "\n"
    return yaml.dump(document, Dumper=_FastDumper, sort_keys=False, default_flow_style=False, allow_unicode=True)


def write_text_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that a reader never sees half a file."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise UsageError(f"failed to write snapshot {path}: {err.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise UsageError(f"failed to write snapshot {path}: {err.strerror}") from None


__all__ = [
    "MAX_SNAPSHOT_BYTES",
    "dump_snapshot",
    "load_snapshot",
    "parse_snapshot",
    "parse_snapshot_bytes",
    "snapshot_document",
    "write_text_atomically",
]

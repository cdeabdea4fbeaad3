"""Server-side apply: merge an applied configuration and track field ownership per manager.

Each manager's owned fields are kept, as the real server does, in ``metadata.managedFields``
(``fieldsType: FieldsV1``). Applying again removes the fields the manager owned before but no
longer sets, unless another applier owns them too. Conflicts are never reported: every apply
behaves as with ``--force-conflicts`` (this fake does not track fields written by updates).
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

from .patching import merge_key
from .resources import MERGED_SCALAR_LISTS

Path = tuple[tuple[str, str], ...]

# Fields the server owns: never part of an applier's field set.
_SERVER_METADATA = {
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "creationTimestamp",
    "generation",
    "managedFields",
    "deletionTimestamp",
    "selfLink",
    "deletionGracePeriodSeconds",
}


def field_set(obj: dict) -> set[Path]:
    """The owned-field paths of an applied configuration."""
    paths: set[Path] = set()
    for key, value in obj.items():
        if key in ("apiVersion", "kind"):
            continue
        if key == "metadata" and isinstance(value, dict):
            value = {k: v for k, v in value.items() if k not in _SERVER_METADATA}
            if not value:
                continue
        _collect(paths, (("f", key),), key, value)
    return paths


def _item_key(key: str, item: dict) -> str:
    return json.dumps({key: item[key]}, separators=(",", ":"), sort_keys=True)


def _collect(paths: set[Path], path: Path, field: str, value: object) -> None:
    if isinstance(value, dict) and value:
        for key, child in value.items():
            _collect(paths, path + (("f", key),), key, child)
        return
    if isinstance(value, list) and value:
        if field in MERGED_SCALAR_LISTS and all(not isinstance(v, (dict, list)) for v in value):
            paths.update(path + (("v", json.dumps(v)),) for v in value)
            return
        key = merge_key(field, value)
        if key and all(isinstance(item, dict) and key in item for item in value):
            for item in value:
                item_path = path + (("k", _item_key(key, item)),)
                paths.add(item_path)
                for child_key, child in item.items():
                    _collect(paths, item_path + (("f", child_key),), child_key, child)
            return
    paths.add(path)


def encode_fields(paths: set[Path]) -> dict:
    """Paths -> the nested FieldsV1 form (``{"f:spec": {"f:replicas": {}}}``)."""
    root: dict = {}
    for path in sorted(paths):
        node = root
        for index, (tag, name) in enumerate(path):
            node = node.setdefault(f"{tag}:{name}", {})
            if index == len(path) - 1 and tag == "k":
                node["."] = {}
    return root


def decode_fields(fields: dict, prefix: Path = ()) -> set[Path]:
    """The inverse of :func:`encode_fields`."""
    paths: set[Path] = set()
    for key, child in (fields or {}).items():
        if key == ".":
            paths.add(prefix)
            continue
        tag, _, name = key.partition(":")
        path = prefix + ((tag, name),)
        if child:
            paths |= decode_fields(child, path)
        else:
            paths.add(path)
    return paths


def _find(container: object, element: tuple[str, str]) -> tuple[object, object]:
    """(holder, index-or-key) of one path element inside ``container``, or (None, None)."""
    tag, name = element
    if tag == "f" and isinstance(container, dict) and name in container:
        return container, name
    if isinstance(container, list):
        if tag == "k":
            wanted = json.loads(name)
            for index, item in enumerate(container):
                if isinstance(item, dict) and all(item.get(k) == v for k, v in wanted.items()):
                    return container, index
        if tag == "v":
            value = json.loads(name)
            if value in container:
                return container, container.index(value)
    return None, None


def remove_path(obj: dict, path: Path) -> None:
    """Delete the field or list item at ``path``; prune maps this leaves empty."""
    trail = []
    node: object = obj
    for element in path:
        holder, where = _find(node, element)
        if holder is None:
            return
        trail.append((holder, where))
        node = holder[where]
    for depth, (holder, where) in enumerate(reversed(trail)):
        if depth > 0 and holder[where] not in ({}, []):
            break
        if depth > 0 and len(trail) - depth <= 1:
            break  # keep top-level sections such as spec: {}
        del holder[where]


def apply_merge(live: object, applied: object, field: str = "") -> object:
    """Merge an applied value into the live one: maps recurse, keyed lists merge by key."""
    if isinstance(applied, dict):
        result = dict(live) if isinstance(live, dict) else {}
        for key, value in applied.items():
            if value is None:
                result.pop(key, None)
            else:
                result[key] = apply_merge(result.get(key), value, key)
        return result
    if isinstance(applied, list) and isinstance(live, list):
        if field in MERGED_SCALAR_LISTS:
            return live + [v for v in applied if v not in live]
        key = merge_key(field, applied, live)
        if key and all(isinstance(item, dict) and key in item for item in applied):
            result = list(live)
            for item in applied:
                holder, index = _find(result, ("k", _item_key(key, item)))
                if holder is None:
                    result.append(copy.deepcopy(item))
                else:
                    result[index] = apply_merge(result[index], item)
            return result
    return copy.deepcopy(applied)


def server_side_apply(
    live: dict | None, applied: dict, *, manager: str, api_version: str, subresource: str = ""
) -> dict:
    """The object after ``manager`` applies ``applied`` to ``live`` (None when creating)."""
    result = copy.deepcopy(live) if live else {}
    entries = list((result.get("metadata") or {}).get("managedFields") or [])
    new_fields = field_set(applied)
    mine = [
        e
        for e in entries
        if e.get("manager") == manager and e.get("operation") == "Apply" and e.get("subresource", "") == subresource
    ]
    others = [e for e in entries if e not in mine]
    old_fields: set[Path] = set()
    for entry in mine:
        old_fields |= decode_fields(entry.get("fieldsV1") or {})
    kept_by_others: set[Path] = set()
    for entry in others:
        if entry.get("operation") == "Apply":
            kept_by_others |= decode_fields(entry.get("fieldsV1") or {})
    keep = new_fields | kept_by_others
    kept_prefixes = {path[:i] for path in keep for i in range(1, len(path))}
    # Shortest first: dropping a list item drops its fields (including its key) with it.
    for path in sorted(old_fields - keep, key=len):
        if path not in kept_prefixes:
            remove_path(result, path)
    result = apply_merge(result, applied)
    entry = {
        "manager": manager,
        "operation": "Apply",
        "apiVersion": api_version,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "fieldsType": "FieldsV1",
        "fieldsV1": encode_fields(new_fields),
    }
    if subresource:
        entry["subresource"] = subresource
    result.setdefault("metadata", {})["managedFields"] = others + [entry]
    return result


__all__ = ["apply_merge", "decode_fields", "encode_fields", "field_set", "remove_path", "server_side_apply"]

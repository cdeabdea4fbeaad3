"""The three PATCH flavours of the Kubernetes API: JSON merge patch, JSON patch, strategic merge.

Strategic merge patch follows the semantics of k8s.io/apimachinery's strategicpatch package for
what ``kubectl apply`` and ``kubectl patch`` send: list fields listed in
:data:`fakekube.resources.MERGE_KEYS` merge item by item, ``finalizers`` merges as a set, other
lists are replaced, ``null`` deletes, and the directives ``$patch`` (replace, delete, merge),
``$retainKeys``, ``$setElementOrder/<field>`` and ``$deleteFromPrimitiveList/<field>`` work.
Server-side apply lives in :mod:`fakekube.serverside`.
"""

from __future__ import annotations

import copy
import json

from .errors import ApiError, bad_request
from .resources import MERGE_KEYS, MERGED_SCALAR_LISTS

MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"


def merge_patch(target: object, patch: object) -> object:
    """RFC 7386 JSON merge patch: maps merge recursively, null deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


# --- RFC 6902 JSON patch -------------------------------------------------------------------


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise bad_request(f'invalid JSON pointer "{path}": must start with "/"')
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _index(container: list, token: str, *, adding: bool) -> int:
    if token == "-" and adding:
        return len(container)
    if not token.isdigit() or (len(token) > 1 and token.startswith("0")):
        raise _patch_failed(f'invalid array index "{token}"')
    index = int(token)
    if index > len(container) or (index == len(container) and not adding):
        raise _patch_failed(f"array index {index} out of bounds")
    return index


def _patch_failed(message: str) -> ApiError:
    return ApiError(422, "Invalid", f"the server rejected our request due to an error in our request: {message}")


def _parent(doc: object, parts: list[str]) -> object:
    node = doc
    for token in parts[:-1]:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list):
            node = node[_index(node, token, adding=False)]
        else:
            raise _patch_failed(f'path segment "{token}" does not exist')
    return node


def _get(doc: object, path: str) -> object:
    parts = _pointer(path)
    if not parts:
        return doc
    parent = _parent(doc, parts)
    last = parts[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise _patch_failed(f'missing value at "{path}"')
        return parent[last]
    if isinstance(parent, list):
        return parent[_index(parent, last, adding=False)]
    raise _patch_failed(f'cannot address "{path}"')


def _add(doc: object, path: str, value: object) -> object:
    parts = _pointer(path)
    if not parts:
        return value
    parent = _parent(doc, parts)
    if isinstance(parent, dict):
        parent[parts[-1]] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, parts[-1], adding=True), value)
    else:
        raise _patch_failed(f'cannot add at "{path}"')
    return doc


def _remove(doc: object, path: str) -> object:
    parts = _pointer(path)
    if not parts:
        raise _patch_failed("cannot remove the whole document")
    parent = _parent(doc, parts)
    if isinstance(parent, dict):
        if parts[-1] not in parent:
            raise _patch_failed(f'unable to remove nonexistent key "{parts[-1]}"')
        del parent[parts[-1]]
    elif isinstance(parent, list):
        del parent[_index(parent, parts[-1], adding=False)]
    else:
        raise _patch_failed(f'cannot remove "{path}"')
    return doc


def _replace(doc: object, path: str, value: object) -> object:
    parts = _pointer(path)
    if not parts:
        return value
    parent = _parent(doc, parts)
    if isinstance(parent, list):
        parent[_index(parent, parts[-1], adding=False)] = value
    else:
        parent[parts[-1]] = value
    return doc


def json_patch(target: object, operations: object) -> object:
    """RFC 6902 JSON patch: add, remove, replace, move, copy, test."""
    if not isinstance(operations, list):
        raise bad_request("json patch must be a list of operations")
    doc = copy.deepcopy(target)
    for op in operations:
        if not isinstance(op, dict) or "op" not in op or "path" not in op:
            raise bad_request(f"invalid json patch operation: {json.dumps(op)}")
        kind, path = op["op"], op["path"]
        if kind == "add":
            doc = _add(doc, path, copy.deepcopy(op.get("value")))
        elif kind == "remove":
            doc = _remove(doc, path)
        elif kind == "replace":
            _get(doc, path)
            doc = _replace(doc, path, copy.deepcopy(op.get("value")))
        elif kind in ("move", "copy"):
            value = copy.deepcopy(_get(doc, op.get("from", "")))
            if kind == "move":
                doc = _remove(doc, op.get("from", ""))
            doc = _add(doc, path, value)
        elif kind == "test":
            if _get(doc, path) != op.get("value"):
                raise _patch_failed(f"testing value {path} failed")
        else:
            raise bad_request(f'unexpected json patch operation "{kind}"')
    return doc


# --- strategic merge patch ----------------------------------------------------------------


def merge_key(field: str, *item_lists: list) -> str | None:
    """The key that list ``field`` merges its items by, or None when the list is atomic."""
    candidates = MERGE_KEYS.get(field, ())
    for candidate in candidates:
        for items in item_lists:
            if any(isinstance(item, dict) and candidate in item for item in items or ()):
                return candidate
    return candidates[0] if candidates else None


def strategic_merge(original: dict, patch: dict) -> dict:
    """Apply a strategic merge patch to ``original`` (not modified) and return the result."""
    if not isinstance(patch, dict):
        raise bad_request("strategic merge patch must be a JSON object")
    result = _merge_map(copy.deepcopy(original), patch)
    return result if result is not None else {}


def _merge_map(original: object, patch: dict) -> dict | None:
    original = original if isinstance(original, dict) else {}
    directive = patch.get("$patch")
    if directive == "delete":
        return None
    if directive == "replace":
        return _merge_map({}, {k: v for k, v in patch.items() if k != "$patch"})
    result = dict(original)
    for key, value in patch.items():
        if key in ("$patch", "$retainKeys") or key.startswith("$setElementOrder/"):
            continue
        if key.startswith("$deleteFromPrimitiveList/"):
            field = key.split("/", 1)[1]
            if isinstance(result.get(field), list):
                result[field] = [item for item in result[field] if item not in (value or [])]
            continue
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict):
            merged = _merge_map(result.get(key), value)
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
        elif isinstance(value, list):
            result[key] = _merge_list(key, result.get(key), value)
        else:
            result[key] = value
    if isinstance(patch.get("$retainKeys"), list):
        result = {k: v for k, v in result.items() if k in patch["$retainKeys"]}
    for key, order in patch.items():
        if key.startswith("$setElementOrder/") and isinstance(order, list):
            field = key.split("/", 1)[1]
            if isinstance(result.get(field), list):
                result[field] = _reorder(field, result[field], order)
    return result


def _clean(value: object) -> object:
    """A new value from a patch, with directives processed against nothing."""
    if isinstance(value, dict):
        return _merge_map({}, value) or {}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


def _merge_list(field: str, original: object, patch: list) -> list:
    original = original if isinstance(original, list) else []
    if field in MERGED_SCALAR_LISTS and all(not isinstance(i, (dict, list)) for i in patch):
        return original + [item for item in patch if item not in original]
    key = merge_key(field, patch, original)
    if key is None or not all(isinstance(item, dict) for item in patch):
        return [_clean(item) for item in patch]
    if any(item.get("$patch") == "replace" for item in patch):
        return [_clean(item) for item in patch if item.get("$patch") != "replace"]
    result = list(original)
    for item in patch:
        position = next(
            (i for i, old in enumerate(result) if isinstance(old, dict) and key in item and old.get(key) == item[key]),
            None,
        )
        if item.get("$patch") == "delete":
            result = [old for old in result if not (isinstance(old, dict) and old.get(key) == item.get(key))]
        elif position is None:
            result.append(_clean(item))
        else:
            result[position] = _merge_map(result[position], item) or {}
    return result


def _reorder(field: str, items: list, order: list) -> list:
    if all(not isinstance(entry, dict) for entry in order):
        ordered = [value for value in order if value in items]
        return ordered + [item for item in items if item not in ordered]
    key = merge_key(field, order, items)
    if key is None:
        return items
    ordered = []
    for entry in order:
        ordered.extend(
            item for item in items if isinstance(item, dict) and item.get(key) == entry.get(key) and item not in ordered
        )
    return ordered + [item for item in items if item not in ordered]


__all__ = [
    "APPLY_PATCH",
    "JSON_PATCH",
    "MERGE_PATCH",
    "STRATEGIC_PATCH",
    "json_patch",
    "merge_key",
    "merge_patch",
    "strategic_merge",
]

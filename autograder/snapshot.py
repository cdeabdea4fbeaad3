"""Snapshot files: reading them into a :class:`~autograder.state.MemoryState` and writing them.

A snapshot is what ``kubectl get ... -o yaml`` prints: a ``List`` of objects, in YAML or JSON.
A single object, a typed list from the raw API (``PodList``) or a multi-document YAML stream is
accepted too. Every way a file can be wrong (missing, too big, binary, malformed, an alias bomb,
items that are not objects) is a :class:`~autograder.errors.SnapshotError` (exit 2) naming the
file and, for bad items, the item's index.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Iterable

import yaml

from autograder.errors import SnapshotError
from autograder.state import MemoryState, Obj
from kubecourse import safeyaml
from kubecourse.errors import UsageError

MAX_SNAPSHOT_BYTES = safeyaml.MAX_BYTES


def _timestamp_as_text(loader: Any, node: Any) -> str:
    return loader.construct_scalar(node)


# Kubernetes timestamps are strings in the API; YAML 1.1 would turn an unquoted one into a
# datetime, and checks would then see different types live and offline.
_FastLoader: Any = None
if getattr(yaml, "CSafeLoader", None) is not None:

    class _LibyamlLoader(yaml.CSafeLoader):
        """libyaml's safe loader, with timestamps kept as text."""

    _LibyamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)
    _FastLoader = _LibyamlLoader
# libyaml's composer recurses in C: a document nested tens of thousands deep crashes the process
# instead of raising RecursionError. Kubernetes objects nest about 20 deep (big CRD schemas 60).
MAX_DEPTH = 200
_PREFIX = re.compile(r"^[ ?:-]*", re.MULTILINE)
_FastDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _documents(text: str, source: str) -> list[Any]:
    """Parse ``text`` fast where that is safe, else with the guarded (alias-counting) parser."""
    if text.lstrip()[:1] in ("{", "["):
        try:
            return [json.loads(text)]
        except (ValueError, RecursionError):
            pass  # not JSON after all, broken or too deep: the YAML path below says which
    fast = _FastLoader is not None
    if fast and _depth_bound(text) > MAX_DEPTH:
        fast = _check_depth(text, source)
    # Without '&' there are no anchors, hence no aliases and no alias bomb: libyaml is safe and
    # about 10x faster than the pure-Python parser that counts aliases.
    if fast and "&" not in text:
        try:
            if "!" not in text:  # no explicit tags: plain data that _plain_documents handles
                try:
                    return [doc for doc in _plain_documents(text) if doc is not None]
                except _NotPlain:
                    pass
            return [doc for doc in yaml.load_all(text, Loader=_FastLoader) if doc is not None]
        except yaml.YAMLError:
            pass  # re-parse below for the guarded parser's one-line, located message
    return [_dates_to_text(doc) for doc in safeyaml.parse_documents(text, source=source)]


class _NotPlain(Exception):
    """The text uses something :func:`_plain_documents` leaves to PyYAML (merge keys, odd keys)."""


_RESOLVERS = yaml.resolver.Resolver.yaml_implicit_resolvers
_SCALARS = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"
_BUILD = {
    "tag:yaml.org,2002:int": _SCALARS.construct_yaml_int,
    "tag:yaml.org,2002:float": _SCALARS.construct_yaml_float,
    "tag:yaml.org,2002:bool": _SCALARS.construct_yaml_bool,
    "tag:yaml.org,2002:null": _SCALARS.construct_yaml_null,
    "tag:yaml.org,2002:timestamp": lambda node: node.value,
}


def _plain_documents(text: str) -> list[Any]:
    """What the libyaml safe loader returns for ``text`` (timestamps as text), a third faster.

    libyaml builds the node tree; PyYAML's generic constructor then costs as much again. For
    plain data (no anchors, no explicit tags: the caller checks) this builds the values
    directly, resolving plain scalars with PyYAML's own YAML 1.1 rules and constructors.
    """
    loader = yaml.CBaseLoader(text)
    try:
        documents = []
        while loader.check_node():
            documents.append(_build(loader.get_node()))
        return documents
    finally:
        loader.dispose()


def _build(node: Any) -> Any:
    kind = node.__class__
    if kind is yaml.ScalarNode:
        value = node.value
        if node.style:  # quoted or block: always a string
            return value
        if not value:
            return None
        for tag, pattern in _RESOLVERS.get(value[0], ()):
            if pattern.match(value):
                if tag == _STR:
                    return value
                build = _BUILD.get(tag)
                if build is None:
                    raise _NotPlain(tag)  # '<<' and '=' values
                return build(node)
        return value
    if kind is yaml.SequenceNode:
        return [_build(item) for item in node.value]
    mapping = {}
    for key_node, value_node in node.value:
        key = _build(key_node)
        if key_node.__class__ is not yaml.ScalarNode or key == "<<":
            raise _NotPlain("complex or merge key")
        mapping[key] = _build(value_node)
    return mapping


def _dates_to_text(value: Any) -> Any:
    """Timestamps as the API writes them (``2026-01-02T03:04:05Z``), for the guarded reader."""
    if isinstance(value, dict):
        return {k: _dates_to_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_to_text(v) for v in value]
    if isinstance(value, (datetime.datetime, datetime.date)):
        text = value.isoformat()
        return text.replace("+00:00", "Z") if isinstance(value, datetime.datetime) else text
    return value


def _depth_bound(text: str) -> int:
    """A cheap upper bound on how deep ``text`` nests: every unclosed-looking flow bracket, plus
    two levels per character of line prefix (a mapping and a sequence may share an indentation)."""
    flow = text.count("[") + text.count("{") - text.count("[]") - text.count("{}")
    if flow > MAX_DEPTH:
        return flow
    return flow + 2 * max((len(m) for m in _PREFIX.findall(text)), default=0) + 2


def _check_depth(text: str, source: str) -> bool:
    """Measure the real nesting with libyaml's event parser (which does not recurse).

    Returns whether the fast loader is safe; raises SnapshotError when too deep.
    """
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_FastLoader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise SnapshotError(f"{source}: nested more than {MAX_DEPTH} levels deep; not a Kubernetes object")
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return False  # malformed: the guarded parser reports where
    return True


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
    try:
        docs = _documents(text, source)
    except SnapshotError:
        raise
    except UsageError as err:
        raise SnapshotError(err.message) from None
    except RecursionError:
        raise SnapshotError(f"{source}: nested too deeply to be a Kubernetes object") from None
    if not docs:
        raise SnapshotError(f"{source}: the snapshot is empty; expected a List of objects (kind: List)")
    return MemoryState(_objects(docs, source), source="snapshot", origin=source)


def load_snapshot(path: str | os.PathLike[str]) -> MemoryState:
    """Read a snapshot file.

    Raises:
        SnapshotError: the file is missing, over 50 MB, binary, malformed, an alias bomb or holds
            something that is not a Kubernetes object.
    """
    try:
        text = safeyaml.read_text(Path(path), what="snapshot", max_bytes=MAX_SNAPSHOT_BYTES)
    except UsageError as err:
        raise SnapshotError(err.message) from None
    return parse_snapshot(text, source=str(path))


def _clean(obj: Obj) -> Obj:
    # `kubectl get -o yaml` hides managedFields too: they are bulky and no check reads them.
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        meta.pop("managedFields", None)
    return obj


def snapshot_document(objects: Iterable[Obj]) -> dict[str, Any]:
    """The ``List`` a snapshot file holds."""
    return {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": [_clean(o) for o in objects]}


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
    "snapshot_document",
    "write_text_atomically",
]

"""Parsing snapshot text into documents: fast where that is safe, guarded everywhere else.

JSON goes to the json module; YAML without anchors (hence without aliases, so no alias bomb) and
not nested absurdly deep goes to libyaml; anything else to the alias-counting reader of
:mod:`coursecore.safeyaml`, which also words every syntax error. Timestamps stay text, as the API
serves them.
"""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

import yaml

from autograder.errors import SnapshotError
from coursecore import safeyaml


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


def documents(text: str, source: str) -> list[Any]:
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


__all__ = ["MAX_DEPTH", "documents"]

"""YAML parsing that remembers where things are: field paths mapped to line numbers.

Linters report problems by field path (``spec.templates[1].dag.tasks[0].dependencies``); a
learner needs the line. PyYAML's constructed objects forget their positions, so this module
composes the node graph (with libyaml's parser: PyYAML's pure-Python scanner was 90% of a lint's
time), records the line of every mapping key and sequence item, notes duplicated keys (PyYAML
silently keeps the last one), refuses alias bombs and self-referencing documents the way
:mod:`coursecore.safeyaml` does (more than ``MAX_ALIASES`` alias uses), and then constructs the
plain data.

The data is what ``kubectl`` would send, not what PyYAML makes by default: kubectl converts YAML
to JSON, so mapping keys become strings (``1: x`` has the key ``"1"``, ``true: x`` the key
``"true"``), unquoted dates stay strings (``2024-01-31`` is text to the API server), and plain
scalars get the types kubectl gives them (:mod:`manifestlint.scalars`: ``12:30`` is text,
``1e-3`` a number).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from coursecore.errors import UsageError
from coursecore.safeyaml import MAX_ALIASES, yaml_errors
from manifestlint.fieldpath import FieldPath
from manifestlint.scalars import TYPED_START, plain_scalar

MAX_DEPTH = 100
"""Deepest nesting accepted; real manifests stay far below it (a CRD's schema reaches about 30)."""


def json_key(key: Any) -> Any:
    """The key kubectl sends for a YAML mapping key (JSON object keys are strings)."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, (int, float)):
        return repr(key)
    if isinstance(key, (datetime.date, bytes)):
        return str(key)
    return key


_TAG = "tag:yaml.org,2002:"
_STR_TAG = _TAG + "str"
_PLAIN_TAGS = {
    type(None): _TAG + "null",
    bool: _TAG + "bool",
    int: _TAG + "int",
    float: _TAG + "float",
    str: _TAG + "str",
}


class _Loader(yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader):  # type: ignore[misc]
    """libyaml's safe loader (PyYAML's own where libyaml is missing), constructing what kubectl
    would send (see the module docstring)."""

    def resolve(self, kind, value, implicit):  # type: ignore[override]
        # Plain scalars are typed as kubectl types them (manifestlint.scalars), not by YAML 1.1.
        if kind is ScalarNode and implicit[0] and value != "<<":
            if value and value[0] not in TYPED_START:
                return _STR_TAG  # most scalars (names, images, paths): no typing rule applies
            return _PLAIN_TAGS[type(plain_scalar(value))]
        return super().resolve(kind, value, implicit)

    def construct_mapping(self, node, deep=False):  # type: ignore[override]
        return {json_key(k): v for k, v in super().construct_mapping(node, deep=deep).items()}

    def construct_kubectl_scalar(self, node):
        """A null, bool, int or float, written as kubectl reads it (``!!int 0o17`` too)."""
        value = plain_scalar(node.value) if isinstance(node, ScalarNode) else None
        if _PLAIN_TAGS.get(type(value)) == node.tag:
            return value
        return yaml.SafeLoader.yaml_constructors[node.tag](self, node)  # YAML 1.1's reading, or its error


for _kind in ("null", "bool", "int", "float"):
    _Loader.add_constructor(_TAG + _kind, _Loader.construct_kubectl_scalar)
# Timestamps and !!binary stay text, as in the JSON kubectl makes of them.
_Loader.add_constructor(_TAG + "timestamp", yaml.SafeLoader.construct_yaml_str)
_Loader.add_constructor(_TAG + "binary", yaml.SafeLoader.construct_yaml_str)


@dataclass(frozen=True, kw_only=True)
class Duplicate:
    """A mapping key written twice; YAML keeps only the last value."""

    path: FieldPath
    """Path of the key (the second occurrence)."""
    line: int
    """Line of the second occurrence."""
    first_line: int
    """Line of the first occurrence."""


@dataclass(kw_only=True)
class Document:
    """One YAML document: its data, and the line of every field path in it."""

    number: int
    """Position in the stream (1-based), counting empty documents too."""
    data: Any
    """The document as plain Python data; None for an empty document or a lone ``~``."""
    start_line: int
    """First line of the document's content (1-based)."""
    empty: bool = False
    """True when the document has no content at all (``---`` followed by nothing)."""
    lines: dict[tuple, int] = field(default_factory=dict)
    """Line (1-based) of each mapping key and sequence item, by path."""
    duplicates: list[Duplicate] = field(default_factory=list)
    """Keys written twice in one mapping."""
    block_scalars: set[tuple] = field(default_factory=set)
    """Paths of literal or folded (``|``, ``>``) strings, whose text starts on the next line."""

    def line_of(self, path: tuple, text_line: int = 0) -> int:
        """The line of ``path``, or of its nearest recorded ancestor.

        ``text_line`` counts lines inside a multi-line string value at ``path``.
        """
        path = tuple(path)
        if text_line and path in self.lines:
            return self.lines[path] + text_line + (1 if path in self.block_scalars else 0)
        if path in self.block_scalars and path in self.lines:
            return self.lines[path] + 1
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.start_line


def parse_with_lines(text: str, *, source: str) -> list[Document]:
    """Parse a YAML stream into one :class:`Document` per document, empty ones included.

    Raises:
        UsageError: malformed YAML (with its line), too many aliases, or nesting deeper than
            :data:`MAX_DEPTH`.
    """
    loader = _Loader(text)
    docs: list[Document] = []
    try:
        with yaml_errors(source):
            while loader.check_node():
                node = loader.get_node()
                if node is None:
                    continue
                empty = isinstance(node, ScalarNode) and node.value == "" and not node.style  # libyaml: "" for plain
                doc = Document(number=len(docs) + 1, data=None, start_line=node.start_mark.line + 1, empty=empty)
                _Walk(loader, doc, source).visit(node, FieldPath(), 0)
                doc.data = loader.construct_document(node)
                docs.append(doc)
    except RecursionError:
        raise UsageError(f"{source}: nested too deeply to be a Kubernetes manifest") from None
    finally:
        loader.dispose()
    return docs


class _Walk:
    """Records lines, duplicates and block scalars of one document's node graph."""

    def __init__(self, loader: yaml.SafeLoader, doc: Document, source: str) -> None:
        self.loader, self.doc, self.source = loader, doc, source
        self.seen: set[int] = set()
        self.aliases = 0

    def visit(self, node: Node, path: FieldPath, depth: int) -> None:
        if isinstance(node, (MappingNode, SequenceNode)):
            if id(node) in self.seen:  # an alias: libyaml shares the anchored node
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    message = f"more than {MAX_ALIASES} YAML aliases; refusing a possible alias bomb"
                    raise UsageError(f"{self.source}: {message}")
            self.seen.add(id(node))
        if depth > MAX_DEPTH:
            line = node.start_mark.line + 1
            raise UsageError(f"{self.source}: line {line}: nested more than {MAX_DEPTH} levels deep; not a manifest")
        doc = self.doc
        if isinstance(node, MappingNode):
            keys: dict[Any, int] = {}
            for key_node, value_node in node.value:
                key = _key(self.loader, key_node)
                line = key_node.start_mark.line + 1
                if key in keys:
                    doc.duplicates.append(Duplicate(path=path.child(key), line=line, first_line=keys[key]))
                keys[key] = line
                doc.lines[path.child(key)] = line
                self.visit(value_node, path.child(key), depth + 1)
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                doc.lines[path.child(index)] = item.start_mark.line + 1
                self.visit(item, path.child(index), depth + 1)
        elif isinstance(node, ScalarNode) and node.style in ("|", ">"):
            doc.block_scalars.add(path)


def _key(loader: yaml.SafeLoader, node: Node) -> Any:
    if isinstance(node, (MappingNode, SequenceNode)):
        return f"<{node.id} at line {node.start_mark.line + 1}>"
    try:
        return json_key(loader.construct_object(node, deep=True))
    except (yaml.YAMLError, TypeError, ValueError):
        return node.value


__all__ = ["MAX_DEPTH", "Document", "Duplicate", "json_key", "parse_with_lines"]

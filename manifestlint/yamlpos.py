"""YAML parsing that remembers where things are: field paths mapped to line numbers.

Linters report problems by field path (``spec.templates[1].dag.tasks[0].dependencies``); a
learner needs the line. PyYAML's constructed objects forget their positions, so this module
composes the node graph (with :mod:`coursecore.safeyaml`'s alias-counting loader, so alias bombs
are refused the same way everywhere), records the line of every mapping key and sequence item,
notes duplicated keys (PyYAML silently keeps the last one), and then constructs the plain data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from coursecore.safeyaml import _GuardedLoader, yaml_errors

Path = tuple[Any, ...]
"""A field path: mapping keys (str) and list indexes (int), from the document's root."""


@dataclass(frozen=True, kw_only=True)
class Duplicate:
    """A mapping key written twice; YAML keeps only the last value."""

    path: Path
    """Path of the key (the second occurrence)."""
    line: int
    """Line of the second occurrence."""
    first_line: int
    """Line of the first occurrence."""


@dataclass(kw_only=True)
class Document:
    """One YAML document: its data, and the line of every field path in it."""

    data: Any
    """The document as plain Python data (what ``yaml.safe_load`` would return)."""
    start_line: int
    """First line of the document (1-based)."""
    lines: dict[Path, int] = field(default_factory=dict)
    """Line (1-based) of each mapping key and sequence item, by path."""
    duplicates: list[Duplicate] = field(default_factory=list)
    """Keys written twice in one mapping."""
    block_scalars: set[Path] = field(default_factory=set)
    """Paths of literal or folded (``|``, ``>``) strings, whose text starts on the next line."""

    def line_of(self, path: Path, text_line: int = 0) -> int:
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
    """Parse a YAML stream into :class:`Document` objects, skipping empty documents.

    Raises:
        UsageError: malformed YAML (with its line) or too many aliases.
    """
    loader = _GuardedLoader(text)
    docs: list[Document] = []
    try:
        with yaml_errors(source):
            while loader.check_node():
                node = loader.get_node()
                if node is None:
                    continue
                doc = Document(data=None, start_line=node.start_mark.line + 1)
                _walk(loader, node, (), doc)
                doc.data = loader.construct_document(node)
                if doc.data is not None:
                    docs.append(doc)
    finally:
        loader.dispose()
    return docs


def _walk(loader: yaml.SafeLoader, node: Node, path: Path, doc: Document) -> None:
    # Aliased nodes can be visited more than once; the alias limit keeps that bounded.
    if isinstance(node, MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = _key(loader, key_node)
            line = key_node.start_mark.line + 1
            if key in seen:
                doc.duplicates.append(Duplicate(path=path + (key,), line=line, first_line=seen[key]))
            seen[key] = line
            doc.lines[path + (key,)] = line
            _walk(loader, value_node, path + (key,), doc)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            doc.lines[path + (index,)] = item.start_mark.line + 1
            _walk(loader, item, path + (index,), doc)
    elif isinstance(node, ScalarNode) and node.style in ("|", ">"):
        doc.block_scalars.add(path)


def _key(loader: yaml.SafeLoader, node: Node) -> Any:
    if isinstance(node, (MappingNode, SequenceNode)):
        return f"<{node.id} at line {node.start_mark.line + 1}>"
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError:
        return node.value


def format_path(path: Path) -> str:
    """``("spec", "templates", 1, "name")`` -> ``spec.templates[1].name``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


__all__ = ["Document", "Duplicate", "Path", "format_path", "parse_with_lines"]

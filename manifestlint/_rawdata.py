"""Small readers for raw (possibly malformed) manifest data, shared by the Argo linter's rules.

Every function tolerates any input shape: a wrong type reads as "absent", never as an exception,
because the rules run on files the schema layer may already have rejected.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_VARIABLE = re.compile(r"\{\{\s*([^}=][^}]*?)\s*\}\}")


class TextLine(int):
    """Last element of a found path: the line inside the multi-line string at that path."""


def ancestors(graph: dict, node: Any) -> set:
    seen: set = set()
    todo = list(graph.get(node, ()))
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo += graph.get(current, ())
    return seen


def find_cycle(graph: dict) -> list | None:
    state: dict[Any, int] = {}
    stack: list = []

    def visit(node: Any) -> list | None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in graph:
        if node not in state and (found := visit(node)):
            return found
    return None


def variables(value: Any, path: tuple) -> Iterator[tuple[tuple, str]]:
    """Every ``{{variable}}`` in strings under ``value``, with the path of its string."""
    if isinstance(value, str):
        for match in _VARIABLE.finditer(value):
            offset = value.count("\n", 0, match.start())
            yield (path + (TextLine(offset),) if offset else path), match.group(1).strip()
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from variables(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from variables(item, path + (i,))


def dicts(value: Any) -> Iterator[tuple[int, dict]]:
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item


def names(value: Any, *, in_metadata: bool = False) -> set:
    return {(get(item, "metadata", "name") if in_metadata else item.get("name")) for _, item in dicts(value)} - {None}


def get(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def known(names: Any, what: str = "templates") -> str:
    shown = sorted(str(n) for n in names if n is not None)
    return f" ({what}: {', '.join(shown)})" if shown else ""


__all__ = ["TextLine", "ancestors", "dicts", "find_cycle", "get", "known", "names", "variables"]

"""JSONPath-like access to Kubernetes objects: ``get(obj, "spec.containers[0].image")``.

A path is a chain of field names separated by dots, list indices ``[0]`` (negative counts from
the end), quoted keys for names that hold dots or slashes (``metadata.labels['app.kubernetes.io/name']``)
and ``[*]``, which collects every element of a list (or every value of a mapping). A path with
``[*]`` returns a list of what it found (missing fields are skipped); one without returns the
value or ``default``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

WILDCARD = object()
"""Token standing for ``[*]`` in a parsed path."""

_PLAIN_KEY = re.compile(r"[A-Za-z0-9_$-]+")
_TOKEN = re.compile(
    r"""
      \.?(?P<name>[A-Za-z0-9_$-]+)          # .name (the dot is optional at the start)
    | \[(?P<index>-?\d+)\]                 # [3]
    | \[(?P<star>\*)\]                     # [*]
    | \[(?P<q>['"])(?P<key>.*?)(?P=q)\]    # ['quoted.key'] or ["quoted.key"]
    """,
    re.VERBOSE,
)


@lru_cache(maxsize=1024)
def parse(path: str) -> tuple[Any, ...]:
    """Split ``path`` into tokens: str keys, int indices and :data:`WILDCARD`.

    Raises:
        ValueError: the path is not valid syntax (a bug in the check, not in the learner's work).
    """
    if not isinstance(path, str):
        raise ValueError(f"path must be a string, not {type(path).__name__}")
    tokens: list[Any] = []
    pos = 0
    while pos < len(path):
        m = _TOKEN.match(path, pos)
        if m is None or (pos == 0 and path.startswith(".")) or (pos > 0 and m.group("name") and path[pos] != "."):
            raise ValueError(f"invalid path {path!r} at character {pos + 1}")
        if m.group("name") is not None:
            tokens.append(m.group("name"))
        elif m.group("index") is not None:
            tokens.append(int(m.group("index")))
        elif m.group("star"):
            tokens.append(WILDCARD)
        else:
            tokens.append(m.group("key"))
        pos = m.end()
    return tuple(tokens)


def format_path(tokens: tuple[Any, ...] | list[Any]) -> str:
    """The inverse of :func:`parse`: ``("metadata", "labels", "a.b/c")`` -> ``metadata.labels['a.b/c']``."""
    out: list[str] = []
    for token in tokens:
        if token is WILDCARD:
            out.append("[*]")
        elif isinstance(token, int):
            out.append(f"[{token}]")
        elif _PLAIN_KEY.fullmatch(token):
            out.append(f".{token}" if out else token)
        else:
            out.append(f"[{token!r}]")
    return "".join(out)


_MISSING = object()


def _step(value: Any, token: Any) -> Any:
    if isinstance(token, int):
        if isinstance(value, list) and -len(value) <= token < len(value):
            return value[token]
        return _MISSING
    if isinstance(value, dict):
        return value.get(token, _MISSING)
    return _MISSING


def _collect(value: Any, tokens: tuple[Any, ...]) -> list[Any]:
    for i, token in enumerate(tokens):
        if token is WILDCARD:
            if isinstance(value, list):
                children = value
            elif isinstance(value, dict):
                children = list(value.values())
            else:
                return []
            found: list[Any] = []
            for child in children:
                found.extend(_collect(child, tokens[i + 1 :]))
            return found
        value = _step(value, token)
        if value is _MISSING:
            return []
    return [value]


def get(obj: Any, path: str, default: Any = None) -> Any:
    """The value at ``path`` in ``obj``; ``default`` when a step is missing.

    With ``[*]`` in the path the result is always a list (possibly empty) of the values found.

    Raises:
        ValueError: ``path`` is not valid syntax.
    """
    tokens = parse(path)
    if WILDCARD in tokens:
        return _collect(obj, tokens)
    value = obj
    for token in tokens:
        value = _step(value, token)
        if value is _MISSING:
            return default
    return value


def has(obj: Any, path: str) -> bool:
    """Whether ``path`` exists in ``obj`` (even if its value is null); with ``[*]``, whether anything matched."""
    tokens = parse(path)
    if WILDCARD in tokens:
        return bool(_collect(obj, tokens))
    value = obj
    for token in tokens:
        value = _step(value, token)
        if value is _MISSING:
            return False
    return True


__all__ = ["WILDCARD", "format_path", "get", "has", "parse"]

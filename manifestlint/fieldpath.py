"""The one field-path type of the linter: where in a document a finding is.

A :class:`FieldPath` is a tuple of mapping keys (``str``) and list indexes (``int``) from the root
of one object. Lint rules may write it as text, in the syntax ``kubectl explain`` and the
autograder's checks use: ``spec.template.spec.containers[0].image``, with quoted keys for names
that hold dots or slashes (``metadata.labels['app.kubernetes.io/name']``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_PLAIN = re.compile(r"[A-Za-z0-9_$-]+")
_TOKEN = re.compile(
    r"""
      (?P<dot>\.)?(?P<name>[A-Za-z0-9_$-]+)   # name, or .name after the first token
    | \[(?P<index>\d+)\]                      # [3]
    | \[(?P<q>['"])(?P<key>.*?)(?P=q)\]       # ['a.b/c'] or ["a.b/c"]
    """,
    re.VERBOSE,
)


class FieldPath(tuple):
    """Keys and list indexes from an object's root, e.g. ``("spec", "containers", 0, "image")``."""

    __slots__ = ()

    @classmethod
    def of(cls, value: FieldPath | str | Iterable[Any] | None) -> FieldPath:
        """A FieldPath from a FieldPath, a tuple or list of parts, or path text (``""`` is the root).

        Raises:
            ValueError: the text is not a valid path (a bug in a lint rule, not in a manifest).
        """
        if isinstance(value, FieldPath):
            return value
        if value is None:
            return cls()
        if isinstance(value, str):
            return cls(_parse(value))
        return cls(value)

    def child(self, *parts: Any) -> FieldPath:
        """This path extended by ``parts``."""
        return FieldPath(self + parts)

    def within(self, other: tuple) -> bool:
        """Whether this path is ``other`` or lies inside it."""
        return self[: len(other)] == tuple(other)

    def __add__(self, other: tuple) -> FieldPath:  # type: ignore[override]
        return FieldPath(tuple(self) + tuple(other))

    def __str__(self) -> str:
        out: list[str] = []
        for part in self:
            if isinstance(part, int) and not isinstance(part, bool):
                out.append(f"[{part}]")
            elif isinstance(part, str) and _PLAIN.fullmatch(part):
                out.append(f".{part}" if out else part)
            else:
                out.append(f"[{str(part)!r}]")
        return "".join(out)

    def __repr__(self) -> str:
        return f"FieldPath({str(self)!r})"


def _parse(text: str) -> tuple:
    parts: list[Any] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        dotted = m is not None and m.group("name") is not None and m.group("dot") is not None
        if m is None or (m.group("name") is not None and dotted != (pos > 0)):
            raise ValueError(f"invalid field path {text!r} at character {pos + 1}")
        if m.group("name") is not None:
            parts.append(m.group("name"))
        elif m.group("index") is not None:
            parts.append(int(m.group("index")))
        else:
            parts.append(m.group("key"))
        pos = m.end()
    return tuple(parts)


__all__ = ["FieldPath"]

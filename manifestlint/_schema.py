"""A validator for the part of JSON Schema that OpenAPI-generated API schemas use.

Kubernetes' schemas (as kubernetes-validate ships them) and Argo's published schema use only
``type``, ``properties``, ``additionalProperties``, ``required``, ``items``, ``enum``, ``const``,
``$ref``, ``oneOf``/``anyOf``/``allOf`` and annotations (``format``, ``description``, ``x-...``).
This module validates exactly that subset and reports *violations* shaped for learners: one per
mistake (an unknown key, a missing field, a wrong type or value), never a cascade from inside a
value that already has the wrong type. It loads nothing and imports nothing heavy, which keeps a
lint under the latency budget of a command typed at a prompt; :func:`unsupported_keywords` lets a
test prove that the schemas use no keyword it would silently skip, and the test suite compares
its verdicts with the ``jsonschema`` library's on generated documents.

A schema set made with ``null_is_unset=True`` accepts ``null`` wherever a value may appear, as
Go's JSON decoding does (it leaves the field unset): Argo's published schema leaves nullability
out altogether. Kubernetes' schemas say where ``null`` is allowed and are followed as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from manifestlint.fieldpath import FieldPath

# Keywords that only annotate, and keywords this validator applies.
ANNOTATIONS = frozenset(
    {"description", "title", "format", "default", "example", "examples", "$schema", "$id", "$comment", "nullable"}
)
APPLIED = frozenset(
    {"type", "properties", "additionalProperties", "required", "items", "enum", "const", "$ref"}
    | {"oneOf", "anyOf", "allOf", "definitions", "$defs"}
)

_PYTHON_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "null": lambda v: v is None,
}


@dataclass(frozen=True, kw_only=True)
class Violation:
    """One way a value breaks its schema."""

    path: FieldPath
    """Where: for ``unknown-field`` and ``required`` the key itself, else the value."""
    kind: str
    """``unknown-field``, ``required``, ``type`` or ``enum``."""
    value: Any = None
    """The offending value (for ``type`` and ``enum``) or key (``unknown-field``)."""
    expected: tuple = ()
    """Known field names, wanted types, or allowed values."""


class SchemaSet:
    """Schemas that refer to each other with ``$ref``; resolved lazily, once each."""

    def __init__(self, definitions: dict[str, Any], *, pointer: str, null_is_unset: bool = False) -> None:
        """``definitions``: name -> schema; ``pointer``: what a ``$ref`` puts before the name
        (``#/$defs/`` for Kubernetes' schemas, ``#/definitions/`` for Argo's)."""
        self._definitions = definitions
        self._pointer = pointer
        self._null_is_unset = null_is_unset

    def definition(self, name: str) -> dict[str, Any] | None:
        return self._definitions.get(name)

    def names(self) -> Iterator[str]:
        return iter(self._definitions)

    def _resolve(self, ref: str) -> dict[str, Any]:
        name = ref.rpartition(self._pointer)[2] if self._pointer in ref else ref.rpartition("/")[2]
        schema = self._definitions.get(name)
        if schema is None:
            raise KeyError(f"schema reference {ref!r} names no definition")
        return schema

    def validate(self, schema: dict[str, Any], value: Any, path: FieldPath = FieldPath()) -> list[Violation]:
        """Every violation of ``schema`` by ``value``, outermost first."""
        out: list[Violation] = []
        self._check(schema, value, path, out)
        return out

    def _check(self, schema: dict[str, Any], value: Any, path: FieldPath, out: list[Violation]) -> None:
        ref = schema.get("$ref")
        if ref is not None:
            self._check(self._resolve(ref), value, path, out)
            if _only_annotations(schema):
                return
            schema = {k: v for k, v in schema.items() if k != "$ref"}  # $ref beside keywords: both apply
        if value is None and self._null_is_unset:
            return
        wanted = schema.get("type")
        if wanted is not None:
            types = (wanted,) if isinstance(wanted, str) else tuple(wanted)
            if not any(_PYTHON_TYPES[t](value) for t in types if t in _PYTHON_TYPES):
                out.append(Violation(path=path, kind="type", value=value, expected=tuple(t for t in types)))
                return
        for keyword in ("oneOf", "anyOf"):
            if keyword in schema and not self._any_branch(schema[keyword], value, path, out):
                return
        for branch in schema.get("allOf", ()):
            self._check(branch, value, path, out)
        if "enum" in schema and not any(_same(value, option) for option in schema["enum"]):
            out.append(Violation(path=path, kind="enum", value=value, expected=tuple(schema["enum"])))
            return
        if "const" in schema and not _same(value, schema["const"]):
            out.append(Violation(path=path, kind="enum", value=value, expected=(schema["const"],)))
            return
        if isinstance(value, dict):
            self._object(schema, value, path, out)
        elif isinstance(value, list) and isinstance(schema.get("items"), dict):
            for index, item in enumerate(value):
                self._check(schema["items"], item, path.child(index), out)

    def _object(self, schema: dict[str, Any], value: dict, path: FieldPath, out: list[Violation]) -> None:
        properties = schema.get("properties") or {}
        extra = schema.get("additionalProperties", True)
        for name in schema.get("required", ()):
            if name not in value:
                out.append(Violation(path=path.child(name), kind="required"))
        for key, item in value.items():
            if key in properties:
                self._check(properties[key], item, path.child(key), out)
            elif extra is False:
                out.append(Violation(path=path.child(key), kind="unknown-field", value=key, expected=tuple(properties)))
            elif isinstance(extra, dict):
                self._check(extra, item, path.child(key), out)

    def _any_branch(self, branches: list, value: Any, path: FieldPath, out: list[Violation]) -> bool:
        """Whether some branch accepts ``value``; if none does, report the closest one's violations
        (or one type violation when the branches differ only in type, as int-or-string does)."""
        results = []
        for branch in branches:
            found: list[Violation] = []
            self._check(branch, value, path, found)
            if not found:
                return True
            results.append(found)
        if all(len(r) == 1 and r[0].kind == "type" and r[0].path == path for r in results):
            types = tuple(dict.fromkeys(t for r in results for t in r[0].expected))
            out.append(Violation(path=path, kind="type", value=value, expected=types))
        else:
            out.extend(min(results, key=len))
        return False


def _only_annotations(schema: dict) -> bool:
    return all(k == "$ref" or k in ANNOTATIONS or k.startswith("x-") for k in schema)


def _same(value: Any, option: Any) -> bool:
    """JSON equality: ``True`` is not ``1``, ``1`` is ``1.0``."""
    if isinstance(value, bool) or isinstance(option, bool):
        return isinstance(value, bool) and isinstance(option, bool) and value == option
    return value == option


def unsupported_keywords(schema: Any) -> set[str]:
    """Keywords in ``schema`` (recursively) that this module neither applies nor may ignore."""
    found: set[str] = set()
    if isinstance(schema, dict):
        for key, item in schema.items():
            if key.startswith("x-") or key in ANNOTATIONS or key in ("enum", "const"):
                continue
            if key not in APPLIED:
                found.add(key)
            if key in ("properties", "definitions", "$defs"):
                for sub in item.values():
                    found |= unsupported_keywords(sub)
            elif key in ("oneOf", "anyOf", "allOf"):
                for sub in item:
                    found |= unsupported_keywords(sub)
            elif key in ("items", "additionalProperties") and isinstance(item, dict):
                found |= unsupported_keywords(item)
    return found


__all__ = ["SchemaSet", "Violation", "unsupported_keywords"]

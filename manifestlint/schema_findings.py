"""Schema violations as findings a learner can act on: the field, what is wrong, the likely fix."""

from __future__ import annotations

import difflib
from typing import Any

from manifestlint._schema import Violation
from manifestlint.fieldpath import FieldPath
from manifestlint.rules import Finding

_WORDS = {
    "integer": "a whole number",
    "number": "a number",
    "string": "a string",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
}


def finding(v: Violation, *, unknown_suffix: str = "") -> Finding:
    """The finding for one violation; ``unknown_suffix`` adds what the consumer does with an
    unknown key (Argo 3.x drops it without a word)."""
    where = str(FieldPath(v.path[:-1])) if v.kind in ("unknown-field", "required") else str(v.path)
    if v.kind == "unknown-field":
        known = [str(k) for k in v.expected]
        close = difflib.get_close_matches(str(v.value), known, n=1, cutoff=0.6)
        shown = ", ".join(sorted(known)[:10]) + (" ..." if len(known) > 10 else "")
        hint = f"; did you mean '{close[0]}'?" if close else f" (known fields: {shown})"
        return Finding(
            v.path, f"unknown field '{v.value}' in {where or 'the object'}{hint}{unknown_suffix}", "unknown-field"
        )
    if v.kind == "required":
        return Finding(v.path, f"{v.path} is required", "required")
    if v.kind == "type":
        wanted = [t for t in v.expected if t != "null"]
        message = f"{where or 'the document'} must be {_type_words(wanted)}, not {_describe(v.value)}"
        return Finding(v.path, message + _quote_hint(wanted, v.value), "type")
    options = ", ".join(repr(o) for o in v.expected)
    if len(v.expected) == 1:
        return Finding(v.path, f"{where} is {v.value!r}; it must be {options}", "enum")
    return Finding(v.path, f"{where} is {v.value!r}; expected one of {options}", "enum")


def _type_words(types: list[str]) -> str:
    return " or ".join(_WORDS.get(t, t) for t in types) or "something else"


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return repr(value)


def _quote_hint(wanted: list[str], value: Any) -> str:
    if "string" in wanted and isinstance(value, (int, float, bool)):
        shown = str(value).lower() if isinstance(value, bool) else str(value)
        return f' (put it in quotes: "{shown}")'
    return ""


__all__ = ["finding"]

"""The type kubectl gives a plain (unquoted) YAML scalar: go-yaml v2's rules, not YAML 1.1's.

kubectl turns a manifest into the JSON it sends with sigs.k8s.io/yaml, which reads YAML with
go-yaml v2 (go.yaml.in/yaml/v2 v2.4.2, resolve.go). PyYAML follows YAML 1.1's tables instead, and
the two disagree on scalars learners write: ``12:30`` is text to kubectl (go-yaml dropped
sexagesimal numbers) but 750 to PyYAML; ``1e-3``, ``y``, ``n`` and ``0o17`` are a number or a
boolean to kubectl but text to PyYAML; ``=`` is text to kubectl and an error to PyYAML. The
linter judges what the API server receives, so it types plain scalars here.

Timestamps need no rule: go-yaml recognises them, but decodes them into the untyped values
sigs.k8s.io/yaml asks for as the text written.
"""

from __future__ import annotations

import math
import re
from typing import Any

_BOOLS = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
}
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_SPECIAL_FLOATS = {
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
# resolve.go's resolveTable: the first character decides which rules are tried at all.
_NUMBER_START = frozenset("+-0123456789")
_WORD_START = frozenset("yYnNtTfFoO~")
TYPED_START = _NUMBER_START | _WORD_START | {"."}
"""First characters of the only scalars that can be anything but text."""
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_DIGITS = {2: "01", 8: "01234567", 10: "0123456789", 16: "0123456789abcdefABCDEF"}
_INT64 = 1 << 63
_UINT64 = 1 << 64


def plain_scalar(text: str) -> Any:
    """The value kubectl sends for the plain scalar ``text``: None, a bool, an int, a float or
    the text itself."""
    if text in _NULLS:
        return None
    first = text[0]
    if first not in TYPED_START:
        return text
    if text in _BOOLS:
        return _BOOLS[text]
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    if first == ".":
        return _go_float(text, text)
    if first in _WORD_START:
        return text
    plain = text.replace("_", "")
    whole = _parse_int(plain)
    if whole is not None:
        return whole
    if _FLOAT.match(plain):
        return _go_float(plain, text)
    return text


def _go_float(number: str, text: str) -> float | str:
    """strconv.ParseFloat: a value out of range is an error, and go-yaml then keeps the text."""
    try:
        value = float(number)
    except ValueError:
        return text
    return text if math.isinf(value) else value


def _parse_int(text: str) -> int | None:
    """strconv.ParseInt(text, 0, 64), else strconv.ParseUint(text, 0, 64), else None."""
    sign, digits = 1, text
    if digits[:1] in ("+", "-"):
        sign, digits = (-1 if digits[0] == "-" else 1), digits[1:]
    if not digits:
        return None
    base = 10
    if digits[0] == "0":
        prefix = digits[1:2].lower()
        if len(digits) >= 3 and prefix in ("b", "o", "x"):
            base, digits = {"b": 2, "o": 8, "x": 16}[prefix], digits[2:]
        else:
            base, digits = 8, digits[1:]
    if any(c not in _DIGITS[base] for c in digits):
        return None
    magnitude = int(digits, base) if digits else 0
    if sign < 0:
        return -magnitude if magnitude <= _INT64 else None
    if magnitude < _INT64 or (magnitude < _UINT64 and text[:1] != "+"):
        return magnitude
    return None


__all__ = ["TYPED_START", "plain_scalar"]

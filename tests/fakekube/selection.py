"""Label and field selectors as the API server parses them from list and watch queries.

Label selectors support ``=``, ``==``, ``!=``, ``in``, ``notin``, ``key`` (exists) and ``!key``;
field selectors support ``=``, ``==`` and ``!=`` on ``metadata.name``, ``metadata.namespace``
and the fields each resource type declares.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .errors import bad_request
from .resources import ResourceType

_KEY = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_SET = re.compile(r"^(?P<key>\S+)\s+(?P<op>in|notin)\s*\((?P<values>[^()]*)\)$")


@dataclass(frozen=True)
class Requirement:
    key: str
    op: str
    """One of ``=``, ``!=``, ``in``, ``notin``, ``exists``, ``!``."""
    values: tuple[str, ...] = ()

    def matches(self, labels: dict) -> bool:
        present = self.key in labels
        value = labels.get(self.key)
        if self.op == "exists":
            return present
        if self.op == "!":
            return not present
        if self.op in ("=", "in"):
            return present and value in self.values
        return not present or value not in self.values  # "!=", "notin"


def _split_terms(text: str) -> list[str]:
    terms, depth, current = [], 0, []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            terms.append("".join(current))
            current = []
        else:
            current.append(char)
    terms.append("".join(current))
    return [term.strip() for term in terms if term.strip()]


def _check(key: str, values: tuple[str, ...], term: str) -> None:
    if not _KEY.match(key) or any(not _VALUE.match(v) or len(v) > 63 for v in values):
        raise bad_request(f"unable to parse requirement: {term!r}: invalid label key or value")


def parse_label_selector(text: str | None) -> list[Requirement]:
    """Parse ``labelSelector``; an empty or missing selector selects everything."""
    requirements = []
    for term in _split_terms(text or ""):
        set_match = _SET.match(term)
        if set_match:
            op = set_match["op"]
            values = tuple(v.strip() for v in set_match["values"].split(",") if v.strip())
            key = set_match["key"]
        elif term.startswith("!") and "=" not in term:
            key, op, values = term[1:].strip(), "!", ()
        elif "!=" in term:
            key, _, value = term.partition("!=")
            key, op, values = key.strip(), "!=", (value.strip(),)
        elif "=" in term:
            key, _, value = term.partition("==") if "==" in term else term.partition("=")
            key, op, values = key.strip(), "=", (value.strip(),)
        else:
            key, op, values = term, "exists", ()
        _check(key, values, term)
        requirements.append(Requirement(key, op, values))
    return requirements


def _field_value(obj: dict, path: str) -> str:
    value: object = obj
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def parse_field_selector(text: str | None, rt: ResourceType) -> Callable[[dict], bool]:
    """Parse ``fieldSelector`` into a predicate over objects."""
    terms = []
    for term in _split_terms(text or ""):
        if "!=" in term:
            path, _, value = term.partition("!=")
            negate = True
        elif "=" in term:
            path, _, value = term.partition("==") if "==" in term else term.partition("=")
            negate = False
        else:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{term}'")
        path = path.strip()
        if path not in ("metadata.name", "metadata.namespace") and path not in rt.field_labels:
            raise bad_request(f"field label not supported: {path}")
        terms.append((path, value.strip(), negate))

    def matches(obj: dict) -> bool:
        return all((_field_value(obj, path) == value) != negate for path, value, negate in terms)

    return matches


def object_matcher(rt: ResourceType, label_selector: str | None, field_selector: str | None) -> Callable[[dict], bool]:
    """One predicate for both selectors of a list or watch request."""
    requirements = parse_label_selector(label_selector)
    fields = parse_field_selector(field_selector, rt)

    def matches(obj: dict) -> bool:
        labels = (obj.get("metadata") or {}).get("labels") or {}
        return all(r.matches(labels) for r in requirements) and fields(obj)

    return matches


__all__ = ["Requirement", "object_matcher", "parse_field_selector", "parse_label_selector"]

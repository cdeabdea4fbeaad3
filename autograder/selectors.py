"""Kubernetes label selectors as predicates: the text form (``app=hello,tier!=db,env in (a,b),!legacy``)
and the object form of a ``LabelSelector`` (``matchLabels``, ``matchExpressions``).

Snapshots are filtered with the same selector syntax ``lab.yaml`` capture entries use against a
live cluster, so that a snapshot taken from another capture still holds what the lab reads;
checks compare a workload's selectors (pod affinity, spread constraints) with labels.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from coursecore.errors import UsageError

_KEY = r"[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?"
_VALUE = r"([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?"
_SET = re.compile(rf"^\s*(?P<key>{_KEY})\s+(?P<op>in|notin)\s+\((?P<values>[^)]*)\)\s*$")
_EQ = re.compile(rf"^\s*(?P<key>{_KEY})\s*(?P<op>==|=|!=)\s*(?P<value>{_VALUE})\s*$")
_EXISTS = re.compile(rf"^\s*(?P<neg>!?)\s*(?P<key>{_KEY})\s*$")

Labels = dict[str, str]


def _split(selector: str) -> list[str]:
    """Split on commas that are not inside ``( ... )``."""
    parts, depth, current = [], 0, ""
    for ch in selector:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p for p in parts if p.strip()]


@lru_cache(maxsize=256)
def parse_selector(selector: str) -> Callable[[Labels], bool]:
    """A predicate on a label mapping that is true when the labels satisfy ``selector``.

    Raises:
        UsageError: the selector is not valid syntax.
    """
    tests: list[Callable[[Labels], bool]] = []
    for part in _split(selector or ""):
        if m := _SET.match(part):
            key, values = m["key"], {v.strip() for v in m["values"].split(",") if v.strip()}
            if m["op"] == "in":
                tests.append(lambda labels, k=key, vs=values: labels.get(k) in vs)
            else:
                tests.append(lambda labels, k=key, vs=values: labels.get(k) not in vs)
        elif m := _EQ.match(part):
            key, value = m["key"], m["value"]
            if m["op"] == "!=":
                tests.append(lambda labels, k=key, v=value: labels.get(k) != v)
            else:
                tests.append(lambda labels, k=key, v=value: labels.get(k) == v)
        elif m := _EXISTS.match(part):
            key = m["key"]
            if m["neg"]:
                tests.append(lambda labels, k=key: k not in labels)
            else:
                tests.append(lambda labels, k=key: k in labels)
        else:
            raise UsageError(f"invalid label selector {selector!r} near {part.strip()!r}")
    return lambda labels: all(test(labels) for test in tests)


def matches_labels(labels: Labels | None, required: Labels | None) -> bool:
    """Whether ``labels`` hold every key/value pair of ``required``."""
    if not required:
        return True
    labels = labels or {}
    return all(labels.get(k) == v for k, v in required.items())


_OPERATORS = {
    "In": lambda labels, key, values: labels.get(key) in values,
    "NotIn": lambda labels, key, values: labels.get(key) not in values,
    "Exists": lambda labels, key, values: key in labels,
    "DoesNotExist": lambda labels, key, values: key not in labels,
}


def selects(selector: object, labels: Labels | None) -> bool:
    """Whether a ``LabelSelector`` object selects ``labels``, as the API server decides.

    An empty selector (``{}``) selects everything; anything that is not a mapping, or an
    expression with an unknown operator, selects nothing.
    """
    if not isinstance(selector, dict):
        return False
    labels = labels or {}
    match = selector.get("matchLabels") or {}
    if not isinstance(match, dict) or any(labels.get(k) != v for k, v in match.items()):
        return False
    for expr in selector.get("matchExpressions") or []:
        test = _OPERATORS.get(expr.get("operator")) if isinstance(expr, dict) else None
        if test is None or not test(labels, expr.get("key"), expr.get("values") or []):
            return False
    return True


__all__ = ["matches_labels", "parse_selector", "selects"]

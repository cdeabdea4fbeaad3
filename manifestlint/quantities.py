"""Kubernetes quantities (``500m``, ``4Gi``, ``2``, ``1e3``) read as exact decimal numbers.

The same grammar as ``k8s.io/apimachinery/pkg/api/resource``: a signed decimal number and an
optional suffix, binary (``Ki`` .. ``Ei``), decimal (``n``, ``u``, ``m``, ``k``, ``M`` .. ``E``) or
a decimal exponent. Lint rules and lab checks both compare requests and quotas with it.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

_QUANTITY = re.compile(r"\A[+-]?(\d+(\.\d*)?|\.\d+)(?P<suffix>[KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?\Z")
_SUFFIX = {
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "": Decimal(1),
    "k": Decimal(10**3),
    "M": Decimal(10**6),
    "G": Decimal(10**9),
    "T": Decimal(10**12),
    "P": Decimal(10**15),
    "E": Decimal(10**18),
    "Ki": Decimal(2**10),
    "Mi": Decimal(2**20),
    "Gi": Decimal(2**30),
    "Ti": Decimal(2**40),
    "Pi": Decimal(2**50),
    "Ei": Decimal(2**60),
}


def quantity(value: Any) -> Decimal | None:
    """The value of a Kubernetes quantity (``500m``, ``4Gi``, ``2``), or None if it is not one.

    Numbers are accepted as the API server accepts them (``cpu: 2``); booleans, NaN and
    infinities, surrounding spaces and anything that is not a number or string are not.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        amount = Decimal(str(value))
        return amount if amount.is_finite() else None
    if not isinstance(value, str):
        return None
    m = _QUANTITY.match(value)
    if not m:
        return None
    suffix = m.group("suffix") or ""
    number = value[: len(value) - len(suffix)]
    try:
        if suffix[:1] in ("e", "E"):
            return Decimal(number).scaleb(int(suffix[1:]))
        return Decimal(number) * _SUFFIX[suffix]
    except (ArithmeticError, KeyError, ValueError):
        return None


__all__ = ["quantity"]

"""Importing the Kubernetes client without paying for a grammar nobody here uses.

``import kubernetes`` imports ``kubernetes.dynamic``, which imports ``kubernetes_validate``
when it is installed (kubecourse installs it for linting), which imports ``jsonschema``, which
in turn imports ``rfc3987_syntax`` and compiles its IRI grammar: about 2.5 s of CPU in every
process that talks to a cluster, measured at 3.9 s -> 1.2 s for the client import alone.
No schema we validate uses IRI formats, and we validate without a format checker.
"""

from __future__ import annotations

import importlib
import sys


def import_jsonschema_quickly() -> None:
    """Import jsonschema once with its optional IRI checker blocked, then unblock it.

    Blocking only that first import leaves ``rfc3987_syntax`` importable for anyone who asks
    for it directly later (nbgrader's jupyter-events does, for its own schemas).
    """
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        return
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # makes its import fail
    try:
        importlib.import_module("jsonschema")
    except ImportError:
        pass
    finally:
        del sys.modules["rfc3987_syntax"]


__all__ = ["import_jsonschema_quickly"]

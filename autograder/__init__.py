"""The kubecourse autograder: read cluster state (live or from a snapshot), run a lab's checks,
report results.

Lab authors write checks with :mod:`autograder.checks` (``@check``, outcomes, ``Unmet``),
:mod:`autograder.expect` (``require``, ``expect_fields``), :mod:`autograder.workloads` (the
rules labs share), :mod:`autograder.objects`, :mod:`autograder.match` and
:mod:`autograder.paths`; graders call :func:`run_checks` with a
state from :func:`load_snapshot` or :func:`connect`. This package never imports ``sandbox``.
"""

from __future__ import annotations

from typing import Any

from autograder.checks import Outcome, Unmet, check, fail, ok, partial
from autograder.errors import AutograderError, ChecksError, ClusterUnreachable, SnapshotError
from autograder.expect import expect, expect_fields, require
from autograder.loader import LabChecks, load_checks
from autograder.match import mismatches
from autograder.paths import get
from autograder.results import Check, CheckResult, LabReport
from autograder.runner import run_check, run_checks
from autograder.snapshot import load_snapshot, parse_snapshot
from autograder.state import MemoryState, State


def connect(kubeconfig: Any = None, context: str | None = None, **options: Any):
    """A live state read through the Kubernetes API (see :func:`autograder.live.connect`)."""
    from autograder.live import connect as _connect

    return _connect(kubeconfig=kubeconfig, context=context, **options)


def write_snapshot(lab: Any, state_or_kubeconfig: Any, out_path: Any, **options: Any):
    """Capture what ``lab`` reads into ``out_path`` (see :func:`autograder.capture.write_snapshot`)."""
    from autograder.capture import write_snapshot as _write

    return _write(lab, state_or_kubeconfig, out_path, **options)


def __getattr__(name: str) -> Any:
    # `grade` belongs to the notebook integration; imported on demand so that the core does not
    # depend on it.
    if name == "grade":
        from autograder.notebook import grade

        return grade
    raise AttributeError(f"module 'autograder' has no attribute {name!r}")


__all__ = [
    "AutograderError",
    "Check",
    "CheckResult",
    "ChecksError",
    "ClusterUnreachable",
    "LabChecks",
    "LabReport",
    "MemoryState",
    "Outcome",
    "SnapshotError",
    "State",
    "Unmet",
    "check",
    "connect",
    "expect",
    "expect_fields",
    "fail",
    "get",
    "load_checks",
    "load_snapshot",
    "mismatches",
    "ok",
    "parse_snapshot",
    "partial",
    "require",
    "run_check",
    "run_checks",
    "write_snapshot",
]

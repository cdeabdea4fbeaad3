"""The autograder's errors: narrow subclasses of the shared kubecourse error base.

The command line maps them to exit codes through their base class: bad snapshots and broken
``checks.py`` files are usage errors (exit 2), clusters that cannot be read are environment
problems (exit 3, :class:`~coursecore.errors.ClusterUnreachable`, raised by
:mod:`coursecore.kube` and re-exported here). A check that fails is never an exception; it is a
result.
"""

from __future__ import annotations

from coursecore.errors import ClusterUnreachable, KubecourseError, UsageError


class AutograderError(KubecourseError):
    """Base of the autograder's own errors."""


class SnapshotError(UsageError, AutograderError):
    """A snapshot file is missing, malformed or holds something other than Kubernetes objects."""


class ChecksError(UsageError, AutograderError):
    """A lab's ``checks.py`` cannot be loaded or declares invalid checks."""


__all__ = ["AutograderError", "ChecksError", "ClusterUnreachable", "SnapshotError"]

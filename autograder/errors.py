"""The autograder's errors: narrow subclasses of the shared kubecourse error base.

The command line maps them to exit codes through their base class: bad snapshots and broken
``checks.py`` files are usage errors (exit 2), clusters that cannot be read are environment
problems (exit 3). A check that fails is never an exception; it is a result.
"""

from __future__ import annotations

from coursecore.errors import EnvironmentProblem, KubecourseError, UsageError


class AutograderError(KubecourseError):
    """Base of the autograder's own errors."""


class SnapshotError(UsageError, AutograderError):
    """A snapshot file is missing, malformed or holds something other than Kubernetes objects."""


class ChecksError(UsageError, AutograderError):
    """A lab's ``checks.py`` cannot be loaded or declares invalid checks."""


class ClusterUnreachable(EnvironmentProblem, AutograderError):
    """The cluster cannot be reached, or refuses the credentials."""


__all__ = ["AutograderError", "ChecksError", "ClusterUnreachable", "SnapshotError"]

"""The error base shared by kubecourse, sandbox and autograder, and the exit codes it maps to.

Every error a user can cause or meet derives from :class:`KubecourseError`; the command line
catches only these, prints their one-line message and exits with their ``exit_code``. Anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1  # checks failed, or the machine is not ready for labs
EXIT_USAGE = 2  # bad input: unknown lab, malformed or missing file, wrong arguments
EXIT_UNREACHABLE = 3  # the cluster, sandbox or a required tool cannot be reached
EXIT_INTERRUPTED = 130


class KubecourseError(Exception):
    """Base of all errors meant for the user. ``detail`` is shown only with ``-v``."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, detail: str = "", hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail
        self.hint = hint


class UsageError(KubecourseError):
    """Bad input: a malformed file, an unknown name, an invalid option."""

    exit_code = EXIT_USAGE


class EnvironmentProblem(KubecourseError):
    """A tool, cluster or service the command needs is missing or unreachable."""

    exit_code = EXIT_UNREACHABLE


class InvalidName(UsageError):
    """A sandbox name that kind or Kubernetes would not accept (see :mod:`coursecore.home`)."""


class ClusterUnreachable(EnvironmentProblem):
    """The cluster cannot be reached, or refuses the credentials (see :mod:`coursecore.kube`)."""


class ApiRefused(EnvironmentProblem):
    """The API server answered a request with an error other than 401, 403 and an expected 404."""

    def __init__(self, message: str, *, status: int, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.status = status
        """The HTTP status of the answer (0 when the answer itself was unusable)."""


__all__ = [
    "ApiRefused",
    "ClusterUnreachable",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_UNREACHABLE",
    "EXIT_USAGE",
    "EnvironmentProblem",
    "InvalidName",
    "KubecourseError",
    "UsageError",
]

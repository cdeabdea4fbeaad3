"""Errors raised by the sandbox package, each mapped to a command-line exit code.

An invalid sandbox name is :class:`coursecore.errors.InvalidName`, re-exported here: the name
rule is :mod:`coursecore.home`'s.
"""

from __future__ import annotations

from coursecore.errors import EnvironmentProblem, InvalidName, KubecourseError, UsageError


class SandboxError(KubecourseError):
    """Base of the sandbox package's errors."""


class ToolMissing(EnvironmentProblem, SandboxError):
    """A program the sandbox needs (kind, kubectl, docker) is not installed."""


class CommandFailed(EnvironmentProblem, SandboxError):
    """An external command exited non-zero or timed out."""


class SandboxBusy(EnvironmentProblem, SandboxError):
    """Another command holds the sandbox's lock."""


class SandboxBroken(EnvironmentProblem, SandboxError):
    """A sandbox exists but is not healthy (cluster gone, nodes not Ready)."""


class CreateFailed(EnvironmentProblem, SandboxError):
    """Creating a sandbox failed; what was made has been deleted."""


class NotReady(EnvironmentProblem, SandboxError):
    """The cluster did not become ready (nodes, deployments, jobs) before the deadline."""


class ChecksumMismatch(EnvironmentProblem, SandboxError):
    """A downloaded file does not match its pinned sha256."""


class ForeignCluster(UsageError, SandboxError):
    """A kind cluster this kubecourse home did not make: not deleted unless named explicitly."""


class CapacityExceeded(UsageError, SandboxError):
    """More sandboxes were asked for than this host can hold."""


__all__ = [
    "CapacityExceeded",
    "ChecksumMismatch",
    "CommandFailed",
    "CreateFailed",
    "ForeignCluster",
    "InvalidName",
    "NotReady",
    "SandboxBroken",
    "SandboxBusy",
    "SandboxError",
    "ToolMissing",
]

"""Errors raised by the sandbox package, each mapped to a command-line exit code."""

from __future__ import annotations

from kubecourse.errors import EnvironmentProblem, KubecourseError, UsageError


class SandboxError(KubecourseError):
    """Base of the sandbox package's errors."""


class ToolMissing(EnvironmentProblem, SandboxError):
    """A program the sandbox needs (kind, kubectl, docker) is not installed."""


class CommandFailed(EnvironmentProblem, SandboxError):
    """An external command exited non-zero or timed out."""


class InvalidName(UsageError, SandboxError):
    """A sandbox name that kind or Kubernetes would not accept."""


__all__ = ["CommandFailed", "InvalidName", "SandboxError", "ToolMissing"]

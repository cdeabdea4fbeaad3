"""The error base of the salmon_algorithm package: every user mistake the solver can meet.

The command-line doors catch :class:`SalmonError` only, print its one-line message as
``error: ...`` on stderr and exit with status 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

EXIT_USAGE = 2


class SalmonError(Exception):
    """Base of the errors meant for the user (bad instance, bad option, bad result file)."""


class InstanceError(SalmonError):
    """An instance file is missing, unreadable or malformed."""


class ResultMismatch(SalmonError):
    """A result's reported score or length does not follow from its tour and the instance."""


__all__ = ["EXIT_USAGE", "InstanceError", "ResultMismatch", "SalmonError"]

"""The backend protocol: what a way of making sandboxes offers, whichever it is.

Two backends implement it: :class:`sandbox.kind_backend.KindBackend` (a kind cluster per learner
on this host) and :class:`sandbox.namespace.backend.NamespaceBackend` (a namespace per learner
on a shared cluster). :mod:`sandbox.backends` picks one: for a new sandbox by name
(``--backend``), for an existing one from its saved state. Callers (the command line, the
grading glue) then call the protocol and never ask which backend they hold.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sandbox.class_run import ClassReport, Observer
from sandbox.state import SandboxState

Progress = Callable[[str], None]
"""Called with a short text before each step of a long operation."""


def quiet(_: str) -> None:
    """A progress callback that shows nothing."""


@dataclass(frozen=True, kw_only=True)
class DownResult:
    """What ``down`` deleted."""

    name: str
    cluster: str
    """The kind cluster, or the learner's namespace."""
    reason: str = "asked"
    """Why: ``asked``, ``expired``, ``foreign`` (a cluster this home did not make, deleted on
    request), ``missing`` (state without cluster)."""
    what: str = "cluster"
    """What :attr:`cluster` names: ``cluster`` or ``namespace`` (for messages, not in JSON)."""

    def to_json(self) -> dict:
        return {"name": self.name, "cluster": self.cluster, "reason": self.reason}


@dataclass(frozen=True, kw_only=True)
class GradingTarget:
    """Where the grader reads sandbox NAME: which credentials, and which namespace stands for the
    lab's namespaces."""

    sandbox: str
    kubeconfig: Path
    context: str | None = None
    """The kubeconfig's context to use (``None``: its current one)."""
    namespace: str | None = None
    """Read the lab's namespaces from this one (a namespace sandbox); ``None``: as they are."""


class Made(Protocol):
    """A sandbox ready for use, as ``up`` returns it."""

    kubeconfig: Path
    """The learner's own credentials (mode 0600)."""
    created: bool
    """False when an existing sandbox was reused or refreshed."""
    seconds: float

    @property
    def export_line(self) -> str:
        """``export KUBECONFIG=...`` for the learner's shell."""

    def summary(self) -> str:
        """One line saying what was made, for the terminal."""

    @property
    def next_step(self) -> str | None:
        """The command to run next, if there is one to suggest."""

    def to_json(self) -> dict: ...


class Backend(Protocol):
    """One way of making sandboxes. Options of the backend itself (node image, shared cluster)
    are given when it is made; these calls take what every backend understands."""

    name: str
    """Stored in each sandbox's state (``kind``, ``namespace``)."""
    what: str
    """What one of its sandboxes is, for messages (``a namespace on a shared cluster``)."""
    making: str
    """The word progress shows while ``class up`` works (``creating``, ``provisioning``)."""

    def up(
        self, name: str | None, *, ttl: int | None = None, lab: str | None = None, progress: Progress = quiet
    ) -> Made:
        """Make sandbox ``name`` (default: the login's) or reuse it; idempotent."""

    def down(self, name: str | None, *, reason: str = "asked", include_foreign: bool = False) -> DownResult:
        """Delete sandbox ``name`` and its local state; succeed if it is already gone.
        ``include_foreign``: also what this home did not make (kind lists other homes' clusters)."""

    def start(
        self, lab: str, name: str | None, *, offline: bool = False, progress: Progress = quiet, pins: Any = None
    ) -> Any:
        """Prepare lab ``lab`` in sandbox ``name`` (making it if needed), or say who prepares it.
        ``pins``: the add-on manifest pins to verify against (:mod:`sandbox.addons.lock`)."""

    def status(self, saved: SandboxState) -> str:
        """``running`` or ``missing``: whether what ``saved`` records still exists."""

    def class_up(
        self,
        roster: Path,
        *,
        output: Path,
        parallel: int,
        ttl: int | None = None,
        lab: str | None = None,
        offline: bool = False,
        pins: Any = None,
        progress: Progress = quiet,
        observer: Observer | None = None,
    ) -> ClassReport:
        """One sandbox per roster learner, each kubeconfig handed out as ``output/NAME.kubeconfig``;
        with ``lab``, each prepared for it (``offline`` and ``pins`` as for :meth:`start`).
        ``progress`` hears of work done once for the room, ``observer`` of each learner's."""

    def class_down(
        self, roster: Path, *, output: Path | None = None, parallel: int, observer: Observer | None = None
    ) -> ClassReport:
        """Delete every roster learner's sandbox (and their handed-out kubeconfig in ``output``)."""

    def credentials(self, name: str) -> Path:
        """The learner's own kubeconfig of sandbox ``name``."""

    def grading_target(self, name: str) -> GradingTarget:
        """Where a grader reads sandbox ``name``."""


__all__ = ["Backend", "DownResult", "GradingTarget", "Made", "Progress", "quiet"]

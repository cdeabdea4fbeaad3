"""The namespace backend: a namespace ``kc-NAME`` per learner on a shared cluster.

It puts :mod:`sandbox.namespace.room` (the instructor's connection, rosters) and
:mod:`sandbox.namespace.provision` behind :class:`sandbox.backend.Backend`. A new sandbox is
made with the instructor's kubeconfig and context; an existing one is reached again through the
record it left (:mod:`sandbox.namespace.records`), so ``down`` and grading need no options. The
learner's own kubeconfig holds a token that expires; grading reads with the instructor's
credentials, the learner's namespace standing for the lab's namespaces.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from coursecore import home
from coursecore.errors import UsageError
from sandbox import state
from sandbox.backend import DownResult, GradingTarget, Progress, quiet
from sandbox.class_run import ClassReport, Observer
from sandbox.namespace import records
from sandbox.namespace.settings import NamespaceSettings, load_settings

if TYPE_CHECKING:
    from sandbox.namespace.provision import Provisioned


def _room():
    """The instructor's connection and rosters, imported when a namespace is worked on: every
    sandbox command loads this backend (`ls`, a kind `up`), few use it."""
    from sandbox.namespace import room

    return room


class NamespaceBackend:
    """Sandboxes as namespaces on the cluster of ``kubeconfig`` and ``context``.

    Args:
        kubeconfig: the instructor's (admin) kubeconfig; default ``$KUBECONFIG``, then
            ``~/.kube/config`` (:func:`coursecore.home.instructor_kubeconfig`), read only.
        context: its context (default: the current one).
        settings: what every learner namespace gets (quota, limits, Pod Security, token TTL).
    """

    name = "namespace"
    what = "a namespace on a shared cluster"
    making = "provisioning"

    def __init__(
        self, *, kubeconfig: Path | None = None, context: str | None = None, settings: NamespaceSettings | None = None
    ) -> None:
        self.kubeconfig = kubeconfig
        self.context = context
        self.settings = settings or NamespaceSettings()

    @classmethod
    def configure(
        cls, *, kubeconfig: Path | None = None, context: str | None = None, settings: Path | None = None, **_kind
    ) -> NamespaceBackend:
        """The backend for the command line's options (``settings`` is a YAML file); the kind
        backend's options (nodes, image...) do not apply and are ignored."""
        return cls(kubeconfig=kubeconfig, context=context, settings=load_settings(settings))

    def up(
        self, name: str | None, *, ttl: int | None = None, lab: str | None = None, progress: Progress = quiet
    ) -> Provisioned:
        with _room().Session(self.kubeconfig, self.context, self.settings, parallel=1) as session:
            return session.up(name or home.default_name(), ttl=ttl, lab=lab, progress=progress)

    def down(self, name: str | None, *, reason: str = "asked", include_foreign: bool = False) -> DownResult:
        """Delete the namespace through the cluster its record names (not this instance's).
        Only a namespace labelled as this learner's is ever deleted: there is nothing foreign to
        include."""
        name = home.validate_name(name) if name else home.default_name()
        namespace = _room().down_recorded(name)
        return DownResult(name=name, cluster=namespace, reason=reason, what="namespace")

    def start(self, lab: str, name: str | None, *, offline: bool = False, progress: Progress = quiet, pins: Any = None):
        raise UsageError(
            f'sandbox "{name or "(your login)"}" is a namespace on a shared cluster, prepared by '
            "the instructor: `kubecourse class up --backend namespace --lab LAB`"
        )

    def status(self, saved: state.SandboxState) -> str:
        # Not a kind cluster: what exists is what provisioning recorded as ready.
        return "running" if saved.phase == "ready" else "missing"

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
        """``pins`` and ``progress`` go unused: the instructor installs the shared cluster's
        add-ons, nothing is downloaded here."""
        if offline:
            # The learners' namespaces pull the lab's images from the cluster's registries: there
            # is no cache on this host for them to use.
            raise UsageError("--offline applies to the kind backend only, not to --backend namespace")
        return _room().class_up(
            roster,
            output=output,
            kubeconfig=self.kubeconfig,
            context=self.context,
            settings=self.settings,
            parallel=parallel,
            ttl=ttl,
            lab=lab,
            observer=observer,
        )

    def class_down(
        self, roster: Path, *, output: Path | None = None, parallel: int, observer: Observer | None = None
    ) -> ClassReport:
        return _room().class_down(
            roster,
            output=output,
            kubeconfig=self.kubeconfig,
            context=self.context,
            settings=self.settings,
            parallel=parallel,
            observer=observer,
        )

    def credentials(self, name: str) -> Path:
        return home.sandbox_kubeconfig(name)

    def grading_target(self, name: str) -> GradingTarget:
        """The instructor's kubeconfig and context the sandbox was made with, and its namespace."""
        record = records.load(home.validate_name(name))
        if record is None:
            raise UsageError(
                f'sandbox "{name}" has no record of its shared cluster ({records.RECORD_FILE})',
                hint=f"make it again: kubecourse up --backend namespace --name {name}",
            )
        return GradingTarget(
            sandbox=name, kubeconfig=Path(record.kubeconfig), context=record.context, namespace=record.namespace
        )


__all__ = ["NamespaceBackend"]

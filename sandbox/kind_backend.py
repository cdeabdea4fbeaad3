"""The kind backend: a kind cluster ``kubecourse-NAME`` per learner, on this host.

It puts the pieces that drive kind (:mod:`sandbox.lifecycle` for one sandbox,
:mod:`sandbox.classroom` for a roster, :mod:`sandbox.labprep` for ``start``) behind
:class:`sandbox.backend.Backend`. The learner's kubeconfig is the cluster's admin credential,
so grading reads the cluster through it, as it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from coursecore import home
from coursecore.errors import UsageError
from sandbox import kind, lifecycle, state
from sandbox.backend import DownResult, GradingTarget, Progress, quiet
from sandbox.class_run import ClassReport, Observer
from sandbox.lifecycle import ClusterTool, UpResult


class KindBackend:
    """Sandboxes as kind clusters. One instance lists kind's clusters at most once (``ls`` of
    many sandboxes asks kind one time).

    Args:
        nodes: nodes of a new sandbox (one control plane plus ``nodes - 1`` workers).
        image: kind node image.
        recreate: ``up`` deletes an existing sandbox first (broken or not).
        force: ``class up`` goes beyond this host's estimated capacity.
        capacity: one-node sandboxes this host holds (default: measured by preflight).
        cli: kind itself (a stand-in in tests).
    """

    name = "kind"
    what = "a kind cluster on this host"
    making = "creating"

    def __init__(
        self,
        *,
        nodes: int = 1,
        image: str = kind.DEFAULT_NODE_IMAGE,
        recreate: bool = False,
        force: bool = False,
        capacity: int | None = None,
        cli: ClusterTool | None = None,
    ) -> None:
        self.nodes = nodes
        self.image = image
        self.recreate = recreate
        self.force = force
        self.capacity = capacity
        self.cli = cli or kind.KindCli()
        self._clusters: list[str] | None = None

    @classmethod
    def configure(
        cls,
        *,
        nodes: int = 1,
        image: str = kind.DEFAULT_NODE_IMAGE,
        recreate: bool = False,
        force: bool = False,
        **namespace_only,
    ) -> KindBackend:
        """The backend for the command line's options; the namespace backend's are refused."""
        used = [f"--{k.replace('_', '-')}" for k, v in namespace_only.items() if v]
        if used:
            raise UsageError(
                f"{', '.join(used)} appl{'ies' if len(used) == 1 else 'y'} to the namespace backend "
                f"only, not to --backend {cls.name}"
            )
        return cls(nodes=nodes, image=image, recreate=recreate, force=force)

    def clusters(self) -> list[str]:
        """Every kind cluster on this host, kubecourse's or not (asked once per instance)."""
        if self._clusters is None:
            self._clusters = self.cli.list()
        return self._clusters

    def up(self, name: str | None, *, ttl: int | None = None, lab: str | None = None, progress: Progress = quiet):
        return lifecycle.up(
            name,
            nodes=self.nodes,
            ttl=ttl,
            image=self.image,
            recreate=self.recreate,
            lab=lab,
            backend=self.cli,
            progress=progress,
        )

    def down(self, name: str | None, *, reason: str = "asked", include_foreign: bool = False) -> DownResult:
        return lifecycle.down(name, backend=self.cli, reason=reason, include_foreign=include_foreign)

    def start(self, lab: str, name: str | None, *, offline: bool = False, progress: Progress = quiet, pins: Any = None):
        from sandbox import labprep  # add-ons, images, data: what `up` and `ls` never need to import

        return labprep.start(lab, name, offline=offline, progress=progress, pins=pins)

    def status(self, saved: state.SandboxState) -> str:
        return "running" if saved.cluster in self.clusters() else "missing"

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
        from sandbox import classroom  # with a lab, start's modules: not for up and ls

        return classroom.class_up(
            roster,
            output=output,
            parallel=parallel,
            nodes=self.nodes,
            ttl=ttl,
            image=self.image,
            force=self.force,
            capacity=self.capacity,
            lab=lab,
            offline=offline,
            pins=pins,
            progress=progress,
            observer=observer,
        )

    def class_down(
        self, roster: Path, *, output: Path | None = None, parallel: int, observer: Observer | None = None
    ) -> ClassReport:
        from sandbox import classroom

        return classroom.class_down(roster, output=output, parallel=parallel, observer=observer)

    def credentials(self, name: str) -> Path:
        return home.sandbox_kubeconfig(name)

    def grading_target(self, name: str) -> GradingTarget:
        return GradingTarget(sandbox=name, kubeconfig=home.sandbox_kubeconfig(name))


__all__ = ["KindBackend", "UpResult"]

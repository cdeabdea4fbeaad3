"""``class up/down --backend namespace`` and ``up/down`` of one learner on a shared cluster.

Connects once with the instructor's kubeconfig and context, checks that the cluster-wide add-ons
a lab needs were installed by the instructor (they are never installed per learner), then
provisions every roster learner (with the lab's data copied onto a claim in their namespace) with
bounded parallelism through
the same runner as kind's ``class up`` (:mod:`sandbox.class_run`), carrying on past individual
failures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from coursecore import labs
from coursecore.errors import UsageError
from coursecore.home import instructor_kubeconfig, validate_name
from sandbox import data, state
from sandbox.class_run import DEFAULT_PARALLEL, ClassReport, LearnerResult, Observer, check_parallel, run_all
from sandbox.errors import SandboxError
from sandbox.namespace import admission, executor, objects, provision, records
from sandbox.namespace.api import Cluster
from sandbox.namespace.kubeconfig import cluster_entry
from sandbox.namespace.settings import NamespaceSettings
from sandbox.roster import Learner, read_roster
from sandbox.steps import Steps

# The cluster-wide piece of each add-on whose presence proves it is installed.
ADDON_CRDS = {"argo-workflows": "workflows.argoproj.io", "kueue": "clusterqueues.kueue.x-k8s.io"}


class AddonMissing(SandboxError):
    """A lab needs a cluster-wide add-on the instructor has not installed on the shared cluster."""

    exit_code = 3


def check_addons(cluster: Cluster, lab_id: str | None, settings: NamespaceSettings | None = None) -> list[str]:
    """The add-ons lab ``lab_id`` needs, all present; raises :class:`AddonMissing` naming the rest."""
    if not lab_id:
        return []
    lab = labs.find(lab_id)
    lab.require_backend(provision.BACKEND)
    needed = lab.cluster.addons
    missing = []
    for addon in needed:
        crd = ADDON_CRDS.get(addon)
        if crd is None:
            raise UsageError(f"lab {lab_id} needs add-on {addon}, which the namespace backend cannot check")
        if cluster.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", crd) is None:
            missing.append(f"{addon} (no CRD {crd})")
    if missing:
        raise AddonMissing(
            f"lab {lab_id} needs cluster-wide add-ons the shared cluster lacks: {', '.join(missing)}",
            hint="install them once as the cluster's admin (see the book's namespace-backend page)",
        )
    if "argo-workflows" in needed:
        where = (settings or NamespaceSettings()).argo_config
        namespace, name = where.split("/", 1)
        problem = executor.executor_problem(cluster.get("v1", "ConfigMap", name, namespace), where)
        if problem:
            raise AddonMissing(
                f"lab {lab_id}: {problem}, so each workflow Pod counts its executor's default limits against "
                "the learner's quota and only two runs of a fan-out go at once",
                hint=f"as the cluster's admin, run once: {executor.fix_command(where)} "
                "(or set argo_config: NAMESPACE/NAME in --settings)",
            )
    return list(needed)


class Session:
    """The instructor's connection and what every learner gets."""

    def __init__(
        self,
        kubeconfig: Path | None,
        context: str | None,
        settings: NamespaceSettings,
        *,
        parallel: int = DEFAULT_PARALLEL,
    ) -> None:
        self.kubeconfig = instructor_kubeconfig(kubeconfig)
        self.entry = cluster_entry(self.kubeconfig, context)
        self.settings = settings
        self.cluster = Cluster.connect(self.kubeconfig, self.entry.context, pool=parallel)
        try:  # once, so that an unreachable cluster is one error (exit 3), not one per learner
            self.cluster.request("GET", "/version")
        except BaseException:
            self.cluster.close()
            raise
        self._guarded = False

    def guard(self) -> None:
        """Install the admission policies (once per session) before any learner gets access."""
        if not self._guarded:
            admission.install(self.cluster)
            self._guarded = True

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc) -> None:
        self.cluster.close()

    def up(
        self,
        name: str,
        *,
        ttl: int | None = None,
        lab: str | None = None,
        progress: Callable[[str], None] = lambda text: None,
    ) -> provision.Provisioned:
        if lab:
            labs.find(lab).require_backend(provision.BACKEND)
        self.guard()
        return provision.provision(
            self.cluster,
            self.entry,
            validate_name(name),
            settings=self.settings,
            instructor_kubeconfig=self.kubeconfig,
            ttl=ttl,
            lab=lab,
            progress=progress,
        )

    def down(self, name: str) -> bool:
        return provision.deprovision(self.cluster, validate_name(name), settings=self.settings)


def class_up(
    roster: Path,
    *,
    output: Path,
    kubeconfig: Path | None = None,
    context: str | None = None,
    settings: NamespaceSettings | None = None,
    parallel: int = DEFAULT_PARALLEL,
    ttl: int | None = None,
    lab: str | None = None,
    observer: Observer | None = None,
) -> ClassReport:
    """One namespace per roster learner; each kubeconfig also copied to ``output/NAME.kubeconfig``."""
    learners = read_roster(roster)
    check_parallel(parallel)
    settings = settings or NamespaceSettings()
    with Session(kubeconfig, context, settings, parallel=parallel) as session:
        check_addons(session.cluster, lab, settings)
        session.guard()
        folder = state.private_dir(Path(output))

        lab_obj = labs.find(lab) if lab else None

        def work(learner: Learner, report: Callable[[str], None]) -> LearnerResult:
            done = session.up(learner.name, ttl=ttl, lab=lab, progress=report)
            steps = Steps(report)
            for volume in lab_obj.cluster.data if lab_obj else ():
                # Copied as the learner (their token, their namespace, their quota): the lab's
                # data lands on a claim in their namespace, named as the lab names it.
                steps.run(
                    f"data {volume.source}/ onto claim {volume.claim}",
                    lambda volume=volume: data.copy(
                        replace(volume, namespace=done.namespace), lab_obj.path, done.kubeconfig, loaded=False
                    ),
                    lambda copied: copied.summary(),
                )
            handed = folder / f"{learner.name}.kubeconfig"
            state.write_private(handed, done.kubeconfig.read_text())
            return LearnerResult(
                name=learner.name,
                cluster=done.namespace,
                seconds=0.0,
                status="created" if done.created else "reused",
                kubeconfig=str(handed),
                lab=lab or None,
                steps=steps.done,
            )

        report = run_all("up", learners, work, parallel=parallel, place=objects.namespace_of, observer=observer)
        return replace(report, lab=lab or None)


def class_down(
    roster: Path,
    *,
    output: Path | None = None,
    kubeconfig: Path | None = None,
    context: str | None = None,
    settings: NamespaceSettings | None = None,
    parallel: int = DEFAULT_PARALLEL,
    observer: Observer | None = None,
) -> ClassReport:
    """Delete every roster learner's namespace (only those this course made) and their files."""
    learners = read_roster(roster)
    check_parallel(parallel)
    settings = settings or NamespaceSettings()
    with Session(kubeconfig, context, settings, parallel=parallel) as session:

        def work(learner: Learner, report: Callable[[str], None]) -> LearnerResult:
            report("deleting")
            session.down(learner.name)
            if output is not None:
                (Path(output) / f"{learner.name}.kubeconfig").unlink(missing_ok=True)
            return LearnerResult(
                name=learner.name, cluster=objects.namespace_of(learner.name), status="deleted", seconds=0.0
            )

        return run_all("down", learners, work, parallel=parallel, place=objects.namespace_of, observer=observer)


def down_recorded(name: str) -> str:
    """Delete namespace sandbox ``name`` using the cluster its record names; returns the namespace."""
    record = records.load(name)
    if record is None:
        # A provisioning that died before its first record: it had no cluster to remember, and
        # its own cleanup deleted what it made; only the local state is left.
        saved = state.load(name)
        if saved is None or saved.backend != provision.BACKEND:
            raise UsageError(f'sandbox "{name}" is not a namespace sandbox')
        state.remove(name)
        return objects.namespace_of(name)
    settings = NamespaceSettings(course=record.course)
    with Session(Path(record.kubeconfig), record.context, settings) as session:
        session.down(name)
    return record.namespace


__all__ = [
    "ADDON_CRDS",
    "AddonMissing",
    "Session",
    "check_addons",
    "class_down",
    "class_up",
    "down_recorded",
]

"""Provision and remove one learner's namespace sandbox on the shared cluster.

:func:`provision` applies the learner's objects (:mod:`sandbox.namespace.objects`) by
server-side apply, asks the TokenRequest API for a token that expires, and writes the learner's
kubeconfig (0600) and the sandbox records. It is idempotent: a second run re-applies the same
objects (putting back anything a learner's or an admin's edit changed) and hands out a fresh
token. A namespace of that name that kubecourse did not make for this learner and course is
never taken over. A first provisioning that fails half-way deletes what it made.
:func:`deprovision` deletes the learner's namespace only if its labels say it is theirs.
"""

from __future__ import annotations

import shlex
import time
from dataclasses import dataclass
from pathlib import Path

from coursecore.errors import KubecourseError
from coursecore.home import kubeconfig_path
from sandbox import state
from sandbox.errors import CreateFailed, SandboxError
from sandbox.namespace import objects, records
from sandbox.namespace.api import Cluster
from sandbox.namespace.kubeconfig import ClusterEntry, learner_kubeconfig
from sandbox.namespace.settings import NamespaceSettings

BACKEND = "namespace"
LOCK_WAIT = 120


@dataclass(frozen=True, kw_only=True)
class Provisioned:
    """One learner's namespace, ready."""

    name: str
    namespace: str
    kubeconfig: Path
    created: bool
    """False when the namespace already existed (a re-run)."""
    token_expires: str
    seconds: float

    @property
    def export_line(self) -> str:
        return f"export KUBECONFIG={shlex.quote(str(self.kubeconfig))}"

    def summary(self) -> str:
        made = "created" if self.created else "refreshed"
        return f"namespace {self.namespace} {made} in {self.seconds:.1f} s (token valid until {self.token_expires})"

    @property
    def next_step(self) -> str | None:
        return None  # the instructor hands the file out; nothing for the learner to run here

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "namespace": self.namespace,
            "kubeconfig": str(self.kubeconfig),
            "created_now": self.created,
            "token_expires": self.token_expires,
            "seconds": round(self.seconds, 3),
        }


def owned(ns: dict, name: str, settings: NamespaceSettings) -> bool:
    """Whether namespace object ``ns`` was made by kubecourse for learner ``name`` in this course."""
    found = (ns.get("metadata") or {}).get("labels") or {}
    return all(found.get(k) == v for k, v in objects.labels(name, settings).items())


def provision(
    cluster: Cluster,
    entry: ClusterEntry,
    name: str,
    *,
    settings: NamespaceSettings,
    instructor_kubeconfig: Path,
    ttl: int | None = None,
    lab: str | None = None,
    progress=lambda text: None,
) -> Provisioned:
    """Make (or refresh) learner ``name``'s namespace sandbox and write their kubeconfig."""
    started = time.monotonic()
    namespace = objects.namespace_of(name)
    with state.lock(name, timeout=LOCK_WAIT):
        saved = state.load(name)
        if saved is not None and saved.backend != BACKEND:
            raise SandboxError(
                f'sandbox "{name}" already exists on the {saved.backend} backend',
                hint=f"delete it first (kubecourse down --name {name}) or use another name",
            )
        existing = cluster.get("v1", "Namespace", namespace)
        if existing is not None and not owned(existing, name, settings):
            raise SandboxError(
                f"namespace {namespace} exists but kubecourse did not make it for {name} "
                f"in course {settings.course}; refusing to take it over",
                hint="rename the learner in the roster, or delete that namespace yourself",
            )
        if existing is not None and (existing.get("metadata") or {}).get("deletionTimestamp"):
            raise SandboxError(
                f"namespace {namespace} is still being deleted",
                hint="wait until `kubectl get namespace " + namespace + "` finds nothing, then retry",
            )
        created = existing is None
        fresh = state.SandboxState(
            name=name, cluster=namespace, backend=BACKEND, ttl=ttl, lab=lab, nodes=0, image="", phase="creating"
        )
        current = saved if saved is not None else fresh
        if saved is None:
            state.save(fresh)
        try:
            for obj in objects.learner_objects(name, settings):
                progress(f"{obj['kind']} {obj['metadata']['name']}")
                cluster.apply(obj)
            progress("requesting a token")
            token, expires = cluster.request_token(namespace, objects.SERVICE_ACCOUNT, settings.token_ttl)
            kubeconfig = kubeconfig_path(name)
            state.write_private(kubeconfig, learner_kubeconfig(entry, learner=name, namespace=namespace, token=token))
            records.save(
                records.NamespaceRecord(
                    name=name,
                    namespace=namespace,
                    kubeconfig=str(Path(instructor_kubeconfig).resolve()),
                    context=entry.context,
                    server=entry.server,
                    course=settings.course,
                    token_expires=expires,
                )
            )
            changes = {"phase": "ready"}
            if ttl is not None:
                changes["ttl"] = ttl
            if lab:
                changes["lab"] = lab
            state.update(current, **changes)
        except (KubecourseError, OSError) as err:
            if created:
                _undo(cluster, name, settings)
            message = err.message if isinstance(err, KubecourseError) else str(err)
            raise CreateFailed(
                f'failed to provision namespace {namespace} for "{name}": {message}',
                detail=getattr(err, "detail", ""),
                hint="nothing was left behind; run the same command again"
                if created
                else "the namespace is as before; run the same command again",
            ) from err
    return Provisioned(
        name=name,
        namespace=namespace,
        kubeconfig=kubeconfig,
        created=created,
        token_expires=expires,
        seconds=time.monotonic() - started,
    )


def _undo(cluster: Cluster, name: str, settings: NamespaceSettings) -> None:
    try:
        deprovision(cluster, name, settings=settings, locked=True)
    except KubecourseError:
        pass  # the original error is what the user needs; `class down` retries the deletion


def deprovision(cluster: Cluster, name: str, *, settings: NamespaceSettings, locked: bool = False) -> bool:
    """Delete learner ``name``'s namespace (with everything in it) and their local records.

    Only a namespace labelled as this course's and this learner's is deleted; anything else of
    that name is left alone. Returns whether a namespace was deleted now.
    """
    namespace = objects.namespace_of(name)

    def run() -> bool:
        found = cluster.list("v1", "Namespace", selector=objects.learner_selector(name, settings))
        deleted = False
        for ns in found:
            if (ns.get("metadata") or {}).get("name") == namespace:
                deleted = cluster.delete("v1", "Namespace", namespace)
        # Outside the namespace, so not deleted with it: only what carries this learner's labels.
        for api_version, kind in objects.CLUSTER_SCOPED:
            obj = cluster.get(api_version, kind, objects.cluster_reader_name(name))
            if obj is not None and owned(obj, name, settings):
                cluster.delete(api_version, kind, objects.cluster_reader_name(name))
        saved = state.load(name)
        if saved is None or saved.backend == BACKEND:
            state.remove(name)
        return deleted

    if locked:
        return run()
    with state.lock(name, timeout=LOCK_WAIT):
        return run()


__all__ = ["BACKEND", "Provisioned", "deprovision", "owned", "provision"]

"""What sandboxes exist: state on disk reconciled with ``kind get clusters``, and the reaper.

A sandbox is *running* (state and cluster), *missing* (state, no cluster), *expired* (its TTL
passed) or *creating* (another process holds its lock). A ``kubecourse-*`` cluster without state
in this ``$KUBECOURSE_HOME`` is *foreign*: ``kind get clusters`` lists every cluster on the
container engine (kind finds them by a container label, whoever made them), so on a shared
workshop host it is another instructor's or learner's sandbox. kubecourse records a sandbox's
state before kind creates it, so a crashed run of this home leaves state (*missing* or
*expired*), never a foreign cluster. Foreign clusters are listed but never reaped or deleted by
``--all``/``--expired`` unless asked (``include_foreign``), and ``down --name`` deletes one named
explicitly.

Each row's status comes from the backend its state names (:func:`sandbox.backends.for_state`: a
kind cluster is running if kind lists it, a namespace sandbox if its provisioning finished), and
deleting a row goes through that backend too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from coursecore.home import kubeconfig_path
from sandbox import backends, state
from sandbox.backend import DownResult
from sandbox.errors import SandboxError
from sandbox.kind_backend import KindBackend
from sandbox.lifecycle import ClusterTool
from sandbox.names import sandbox_of

REAPABLE = ("expired", "missing")
FOREIGN = "foreign"


@dataclass(frozen=True, kw_only=True)
class SandboxStatus:
    """One row of ``kubecourse ls``."""

    name: str
    cluster: str
    backend: str
    status: str
    """running, missing, expired, creating, foreign (a kubecourse-* cluster this home did not
    make), or unreadable (corrupt state file)."""
    age: float | None
    """Seconds since creation (``None`` for foreign clusters: no record of them here)."""
    ttl: int | None
    expires_in: float | None
    """Seconds until the TTL passes (negative once expired)."""
    lab: str | None
    nodes: int | None
    kubeconfig: str | None

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "cluster": self.cluster,
            "backend": self.backend,
            "status": self.status,
            "age_seconds": None if self.age is None else round(self.age),
            "ttl_seconds": self.ttl,
            "expires_in_seconds": None if self.expires_in is None else round(self.expires_in),
            "lab": self.lab,
            "nodes": self.nodes,
            "kubeconfig": self.kubeconfig,
        }


def list_sandboxes(*, backend: ClusterTool | None = None, now: float | None = None) -> list[SandboxStatus]:
    """Every sandbox kubecourse knows of or can see in kind, sorted by name."""
    return _list(KindBackend(cli=backend), time.time() if now is None else now)


def _list(kind: KindBackend, now: float) -> list[SandboxStatus]:
    clusters = set(kind.clusters())
    rows = []
    known = set()
    for name in state.names():
        try:
            saved = state.load(name)
        except SandboxError:  # shown so that `down --name` can be run on it; never reaped blindly
            cluster = f"kubecourse-{name}"
            known.add(cluster)
            rows.append(
                SandboxStatus(
                    name=name,
                    cluster=cluster,
                    backend="?",
                    status="unreadable",
                    age=None,
                    ttl=None,
                    expires_in=None,
                    lab=None,
                    nodes=None,
                    kubeconfig=None,
                )
            )
            continue
        if saved is None:
            continue
        known.add(saved.cluster)
        if state.is_locked(name) and saved.phase != "ready":
            status = "creating"
        elif saved.expired(now):
            status = "expired"
        else:
            try:
                status = backends.for_state(saved, kind=kind).status(saved)
            except SandboxError:  # a backend this version does not know
                status = "unreadable"
        rows.append(
            SandboxStatus(
                name=name,
                cluster=saved.cluster,
                backend=saved.backend,
                status=status,
                age=now - saved.created,
                ttl=saved.ttl,
                expires_in=None if saved.ttl is None else saved.created + saved.ttl - now,
                lab=saved.lab,
                nodes=saved.nodes,
                kubeconfig=str(kubeconfig_path(name)),
            )
        )
    for cluster in sorted(clusters - known):
        name = sandbox_of(cluster)
        if name is None or state.is_locked(name):
            continue
        rows.append(
            SandboxStatus(
                name=name,
                cluster=cluster,
                backend=kind.name,
                status=FOREIGN,
                age=None,
                ttl=None,
                expires_in=None,
                lab=None,
                nodes=None,
                kubeconfig=None,
            )
        )
    return sorted(rows, key=lambda r: r.name)


def reap(
    *, backend: ClusterTool | None = None, now: float | None = None, include_foreign: bool = False
) -> list[DownResult]:
    """Delete expired and missing sandboxes of this home (``kubecourse down --expired``), and
    foreign ``kubecourse-*`` clusters only when ``include_foreign``."""
    kind = KindBackend(cli=backend)
    wanted = REAPABLE + ((FOREIGN,) if include_foreign else ())
    rows = [r for r in _list(kind, time.time() if now is None else now) if r.status in wanted]
    return [_down(r, kind, r.status) for r in rows]


def down_all(*, backend: ClusterTool | None = None, include_foreign: bool = False) -> list[DownResult]:
    """Delete every sandbox this home made, and foreign ``kubecourse-*`` clusters only when
    ``include_foreign``."""
    kind = KindBackend(cli=backend)
    rows = [r for r in _list(kind, time.time()) if include_foreign or r.status != FOREIGN]
    return [_down(r, kind, "foreign" if r.status == FOREIGN else "asked") for r in rows]


def _down(row: SandboxStatus, kind: KindBackend, reason: str) -> DownResult:
    chosen = backends.for_sandbox(row.name, kind=kind)
    return chosen.down(row.name, reason=reason, include_foreign=row.status == FOREIGN)


def summary(rows: list[SandboxStatus]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return counts


__all__ = ["FOREIGN", "REAPABLE", "SandboxStatus", "down_all", "list_sandboxes", "reap", "summary"]

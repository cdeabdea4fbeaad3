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
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from coursecore.home import kubeconfig_path
from sandbox import kind, state
from sandbox.backend import Backend
from sandbox.errors import SandboxError
from sandbox.lifecycle import DownResult, down
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


def list_sandboxes(*, backend: Backend | None = None, now: float | None = None) -> list[SandboxStatus]:
    """Every sandbox kubecourse knows of or can see in kind, sorted by name."""
    backend = backend or kind.KindBackend()
    now = time.time() if now is None else now
    clusters = set(backend.list())
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
        elif saved.backend == "namespace":
            # A namespace on a shared cluster, not a kind cluster: its status is its own state.
            status = "running" if saved.phase == "ready" else "missing"
        elif saved.cluster not in clusters:
            status = "missing"
        else:
            status = "running"
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
                backend=backend.name,
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
    *, backend: Backend | None = None, now: float | None = None, include_foreign: bool = False
) -> list[DownResult]:
    """Delete expired and missing sandboxes of this home (``kubecourse down --expired``), and
    foreign ``kubecourse-*`` clusters only when ``include_foreign``."""
    backend = backend or kind.KindBackend()
    wanted = REAPABLE + ((FOREIGN,) if include_foreign else ())
    rows = [r for r in list_sandboxes(backend=backend, now=now) if r.status in wanted]
    return [_down(r, backend, r.status) for r in rows]


def down_all(*, backend: Backend | None = None, include_foreign: bool = False) -> list[DownResult]:
    """Delete every sandbox this home made, and foreign ``kubecourse-*`` clusters only when
    ``include_foreign``."""
    backend = backend or kind.KindBackend()
    rows = [r for r in list_sandboxes(backend=backend) if include_foreign or r.status != FOREIGN]
    return [_down(r, backend, "foreign" if r.status == FOREIGN else "asked") for r in rows]


def _down(row: SandboxStatus, backend: Backend, reason: str) -> DownResult:
    if row.backend == "namespace":  # deleted on its shared cluster, by its labels, never through kind
        from sandbox.namespace.room import down_recorded

        return DownResult(name=row.name, cluster=down_recorded(row.name), reason=reason)
    return down(row.name, backend=backend, reason=reason, include_foreign=row.status == FOREIGN)


def summary(rows: list[SandboxStatus]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return counts


__all__ = ["FOREIGN", "REAPABLE", "SandboxStatus", "down_all", "list_sandboxes", "reap", "summary"]

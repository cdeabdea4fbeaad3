"""``kubecourse class watch``: one round of the room, read with the instructor's credentials.

This joins the two floors below the command line, which is why it lives here: ``sandbox`` says
who the learners are and where their work lives (a kind cluster of their own, or a namespace on a
shared cluster, from the state ``class up`` saved), ``autograder`` reads and checks. A round
reads only what the lab's ``grading.capture`` names, with list requests only:

- on a shared cluster, one list per captured kind across all namespaces, split by namespace
  (200 learners cost a handful of requests, not thousands);
- on kind, the same lists in each learner's own cluster, several clusters at once.

Nothing is ever written. A learner with no sandbox yet is shown as not started; one whose
cluster does not answer as unreachable, and the round goes on.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from autograder.class_view import ChangeTracker, LearnerView, RoomView, absent, learner_view
from autograder.loader import LabChecks, load_checks
from coursecore.errors import KubecourseError, UsageError
from coursecore.home import kubeconfig_path
from coursecore.labs import Capture

DEFAULT_INTERVAL = 5.0
KIND_PARALLEL = 8


@dataclass(frozen=True, kw_only=True)
class Seat:
    """Where one learner's work is read from."""

    name: str
    backend: str
    """``kind``, ``namespace``, or ``none`` (no sandbox recorded for this learner)."""
    kubeconfig: Path | None = None
    context: str | None = None
    namespace: str | None = None
    """The learner's namespace on a shared cluster (namespace backend only)."""


def seats(names: list[str] | None) -> list[Seat]:
    """The learners to show: ``names`` (a roster), else every sandbox this home recorded."""
    from sandbox import state
    from sandbox.namespace import records

    wanted = names if names is not None else state.names()
    found = []
    for name in wanted:
        record = records.load(name)
        if record is not None:
            found.append(
                Seat(
                    name=name,
                    backend="namespace",
                    kubeconfig=Path(record.kubeconfig),
                    context=record.context,
                    namespace=record.namespace,
                )
            )
            continue
        saved = state.load(name)
        if saved is None:
            found.append(Seat(name=name, backend="none"))
        else:
            found.append(Seat(name=name, backend=saved.backend, kubeconfig=kubeconfig_path(name)))
    return found


def _all_namespaces(capture: Capture) -> Capture:
    return replace(capture, namespace=None)


class Room:
    """Reads and checks the room, round after round (connections are kept between rounds)."""

    def __init__(self, lab: str, learners: list[Seat], *, connect: Callable | None = None) -> None:
        self.checks: LabChecks = load_checks(lab)
        if self.checks.lab is None:
            raise UsageError(f"{lab} is not a lab")
        self.lab = self.checks.lab
        self.learners = learners
        self.tracker = ChangeTracker()
        self._connect = connect or _connect
        self._connections: dict[tuple, object] = {}
        self.max_score = sum(c.points for c in self.checks.checks)

    def _state(self, kubeconfig: Path, context: str | None):
        key = (str(kubeconfig), context)
        if key not in self._connections:
            self._connections[key] = self._connect(kubeconfig, context)
        return self._connections[key]

    def _shared(self, seats: list[Seat]) -> list[LearnerView]:
        """Namespace-backend learners, grouped by cluster: one list per captured kind each."""
        rows = []
        by_cluster: dict[tuple, list[Seat]] = defaultdict(list)
        for seat in seats:
            by_cluster[(str(seat.kubeconfig), seat.context)].append(seat)
        for (kubeconfig, context), group in by_cluster.items():
            try:
                live = self._state(Path(kubeconfig), context)
                present = {n["metadata"]["name"] for n in live.objects("Namespace", api_version="v1")}
                split: dict[str, list] = defaultdict(list)
                for capture in self.lab.grading.capture:
                    for obj in live.capture(_all_namespaces(capture)):
                        split[(obj.get("metadata") or {}).get("namespace") or ""].append(obj)
            except KubecourseError as err:
                rows += [absent(s.name, "unreachable", err.message, max_score=self.max_score) for s in group]
                self._connections.pop((kubeconfig, context), None)
                continue
            for seat in group:
                if seat.namespace not in present:
                    rows.append(
                        absent(seat.name, "not-started", f"no namespace {seat.namespace}", max_score=self.max_score)
                    )
                    continue
                objects = split.get(seat.namespace, []) + split.get("", [])
                rows.append(
                    learner_view(
                        self.checks,
                        seat.name,
                        objects,
                        lab_namespaces=self.lab.cluster.namespaces,
                        namespace=seat.namespace,
                    )
                )
        return rows

    def _own_cluster(self, seat: Seat) -> LearnerView:
        """A kind learner: the captured kinds in their own cluster."""
        try:
            live = self._state(seat.kubeconfig, None)
            objects = [obj for capture in self.lab.grading.capture for obj in live.capture(capture)]
        except KubecourseError as err:
            self._connections.pop((str(seat.kubeconfig), None), None)
            return absent(seat.name, "unreachable", err.message, max_score=self.max_score)
        return learner_view(self.checks, seat.name, objects)

    def round(self) -> RoomView:
        """Read and check every learner once."""
        started, at = time.monotonic(), time.time()
        rows: dict[str, LearnerView] = {}
        for seat in self.learners:
            if seat.backend == "none":
                rows[seat.name] = absent(seat.name, "not-started", "no sandbox yet", max_score=self.max_score)
        rows.update({r.name: r for r in self._shared([s for s in self.learners if s.backend == "namespace"])})
        own = [s for s in self.learners if s.backend == "kind"]
        if own:
            with ThreadPoolExecutor(max_workers=min(KIND_PARALLEL, len(own))) as pool:
                rows.update({r.name: r for r in pool.map(self._own_cluster, own)})
        ordered = [rows[s.name] for s in self.learners]
        return RoomView(
            lab=self.lab.id,
            checks=tuple((c.id, c.title) for c in self.checks.checks),
            learners=self.tracker.stamp(ordered, now=at),
            at=at,
            seconds=time.monotonic() - started,
        )


def _connect(kubeconfig: Path, context: str | None):
    from autograder.live import connect

    return connect(kubeconfig=kubeconfig, context=context)


__all__ = ["DEFAULT_INTERVAL", "Room", "Seat", "seats"]

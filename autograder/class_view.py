"""The instructor's view of a room: every learner's checks, from objects already read.

``kubecourse class watch LAB`` reads the cluster (or each learner's sandbox) once per round with
the instructor's credentials and hands the objects of each learner here. This module runs the
lab's checks on them in memory, without waiting for anything (a room view must not block on one
learner's running Workflow), and keeps, per learner, when their result last changed. It reads
nothing itself and writes nothing anywhere.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

from autograder.loader import LabChecks
from autograder.namespace_map import NamespaceMapped
from autograder.runner import run_checks
from autograder.state import MemoryState, Obj

Presence = Literal["working", "not-started", "unreachable"]


@dataclass(frozen=True, kw_only=True)
class LearnerView:
    """One learner's row."""

    name: str
    presence: Presence
    """``working`` (their sandbox answered), ``not-started`` (no sandbox or namespace yet) or
    ``unreachable`` (their sandbox did not answer this round)."""
    note: str = ""
    """Why a learner is not ``working``, in a few words."""
    checks: dict[str, str] = field(default_factory=dict)
    """Check id -> ``passed``, ``failed`` or ``error`` (empty unless ``working``)."""
    score: float = 0.0
    max_score: float = 0.0
    changed_at: float | None = None
    """Wall-clock time (epoch seconds) their checks or score last changed; None before a change
    was seen (the first round)."""

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "presence": self.presence,
            "note": self.note,
            "checks": dict(self.checks),
            "score": self.score,
            "max_score": self.max_score,
            "changed_at": self.changed_at,
        }


@dataclass(frozen=True, kw_only=True)
class RoomView:
    """One round of the room: a row per learner and how many pass each check."""

    lab: str
    checks: tuple[tuple[str, str], ...]
    """(id, title) of the lab's checks, in the lab's order."""
    learners: tuple[LearnerView, ...]
    at: float
    """Wall-clock time of the round (epoch seconds)."""
    seconds: float
    """How long the round took to read and check."""

    def passing(self, check_id: str) -> int:
        """How many learners pass check ``check_id``."""
        return sum(1 for row in self.learners if row.checks.get(check_id) == "passed")

    def to_json(self) -> dict:
        return {
            "lab": self.lab,
            "at": self.at,
            "seconds": round(self.seconds, 3),
            "learners": [row.to_json() for row in self.learners],
            "checks": [
                {"id": cid, "title": title, "passing": self.passing(cid), "of": len(self.learners)}
                for cid, title in self.checks
            ],
        }


def learner_view(
    lab: LabChecks,
    name: str,
    objects: Iterable[Obj],
    *,
    lab_namespaces: Iterable[str] = (),
    namespace: str | None = None,
) -> LearnerView:
    """The checks of ``lab`` on ``objects`` (what was read for learner ``name``).

    With ``namespace``, the objects live in the learner's own namespace and the checks see it as
    the lab's namespaces (the namespace backend); without, they are the learner's own cluster.
    """
    state = MemoryState(objects, source="watch", origin=name)
    viewed = NamespaceMapped(state, lab_namespaces=lab_namespaces, target=namespace) if namespace else state
    report = run_checks(lab.lab, viewed)
    return LearnerView(
        name=name,
        presence="working",
        checks={r.check.id: r.status for r in report.checks},
        score=report.score,
        max_score=report.max_score,
    )


def absent(name: str, presence: Presence, note: str, *, max_score: float) -> LearnerView:
    """The row of a learner with nothing to check this round."""
    return LearnerView(name=name, presence=presence, note=note, max_score=max_score)


class ChangeTracker:
    """Remembers each learner's last result between rounds, to say when it last changed."""

    def __init__(self) -> None:
        self._last: dict[str, tuple] = {}
        self._changed: dict[str, float] = {}

    def stamp(self, rows: Iterable[LearnerView], *, now: float | None = None) -> tuple[LearnerView, ...]:
        now = time.time() if now is None else now
        stamped = []
        for row in rows:
            key = (row.presence, tuple(sorted(row.checks.items())), row.score)
            if row.name in self._last and self._last[row.name] != key:
                self._changed[row.name] = now
            self._last[row.name] = key
            stamped.append(replace(row, changed_at=self._changed.get(row.name)))
        return tuple(stamped)


__all__ = ["ChangeTracker", "LearnerView", "Presence", "RoomView", "absent", "learner_view"]

"""Reading a Salmon Workflow object: its solver runs, its collect step and its storage, as data.

Both the lab's checks and ``kubecourse results`` need the same facts from one Argo ``Workflow``
object (spec plus ``status.nodes``, exactly as the controller writes them), so they read them
here. Only the Workflow object is read: Pods may be garbage-collected long before grading, but
the Workflow's node status keeps every run's inputs, outputs and times.

Works for ``dag`` and ``steps`` workflows, ``withItems`` and ``withParam`` loops, retried runs,
existing claims and ``volumeClaimTemplates``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

NAMESPACE = "salmon"
NAME_PREFIX = "salmon-"
API_VERSION = "argoproj.io/v1alpha1"
MIN_RUNS = 5
# A looped step or task's node: "run(0:7)", "run(3:seed:11)" (map items), under its group.
_LOOPED = re.compile(r"^(?P<task>.+)\((?P<index>\d+):(?P<item>.*)\)$")


@dataclass(frozen=True, kw_only=True)
class Run:
    """One solver run: a Pod (or a retried Pod) node of the looped step or task."""

    node: str
    """The node's name, e.g. ``salmon-x7k2p.run(2:11)``."""
    template: str
    """The template it ran."""
    phase: str
    """The node's phase: Succeeded, Failed, Error, Running, Pending, Omitted, Skipped."""
    seed: str | None
    """Input parameter ``seed`` as Argo recorded it (a string), if passed."""
    score: str | None
    """Output parameter ``score``, if exposed and written."""
    generation: str | None
    """Output parameter ``generation`` (the generation the best tour was found), if exposed."""
    started: datetime | None
    finished: datetime | None
    message: str = ""
    """The node's status message (``OOMKilled (exit code 137)`` ...)."""


@dataclass(frozen=True, kw_only=True)
class Collect:
    """The step or task that exposes ``best-score`` (and ``best-seed``)."""

    node: str
    phase: str
    best_score: str | None
    best_seed: str | None
    started: datetime | None
    finished: datetime | None
    message: str = ""


@dataclass(frozen=True, kw_only=True)
class SalmonWorkflow:
    """The facts the checks and the results summary read from one Workflow object."""

    name: str
    phase: str
    """``status.phase`` (empty when the controller has not seen it yet)."""
    message: str
    """``status.message``, e.g. ``invalid spec: ...`` or ``child 'x' failed``."""
    started: datetime | None
    finished: datetime | None
    runs: tuple[Run, ...]
    """The largest group of looped Pods of one template, in node-name order."""
    loop_groups: dict[str, int]
    """Every looped template -> how many runs it had (to explain a fan-out failure)."""
    collect: Collect | None
    instance: str | None
    """The ``instance`` workflow parameter, if set (the file the solver reads)."""
    spec: dict
    """The Workflow's spec, as submitted."""


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 timestamp as Kubernetes writes it (``2026-11-28T10:00:00Z``), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def params(node: dict, where: str) -> dict[str, str | None]:
    """A node's ``inputs``/``outputs`` parameters as name -> value."""
    section = node.get(where) if isinstance(node.get(where), dict) else {}
    out = {}
    for p in section.get("parameters") or []:
        if isinstance(p, dict) and isinstance(p.get("name"), str):
            value = p.get("value")
            out[p["name"]] = None if value is None else str(value)
    return out


def read(workflow: dict) -> SalmonWorkflow:
    """Parse one Workflow object (defensively: anything may be missing)."""
    meta = workflow.get("metadata") or {}
    status = workflow.get("status") or {}
    spec = workflow.get("spec") if isinstance(workflow.get("spec"), dict) else {}
    nodes = status.get("nodes") if isinstance(status.get("nodes"), dict) else {}
    groups: dict[str, list[Run]] = defaultdict(list)
    collect = None
    for node_id, node in sorted(
        nodes.items(), key=lambda kv: str(kv[1].get("name", kv[0])) if isinstance(kv[1], dict) else ""
    ):
        if not isinstance(node, dict):
            continue
        kind = node.get("type")
        display = str(node.get("displayName", ""))
        outputs = params(node, "outputs")
        if kind == "Pod" and _under_retry(node, nodes):
            continue  # a retried run or collect counts once, as its Retry node
        if kind in ("Pod", "Retry") and (
            "best-score" in outputs or _declares(spec, node.get("templateName"), "best-score")
        ):
            if collect is None:
                collect = Collect(
                    node=str(node.get("name", node_id)),
                    phase=str(node.get("phase", "")),
                    best_score=outputs.get("best-score"),
                    best_seed=outputs.get("best-seed"),
                    started=parse_time(node.get("startedAt")),
                    finished=parse_time(node.get("finishedAt")),
                    message=str(node.get("message", "")),
                )
            continue
        looped = _LOOPED.match(display)
        if kind not in ("Pod", "Retry") or not looped:
            continue
        inputs = params(node, "inputs")
        groups[str(node.get("templateName", looped.group("task")))].append(
            Run(
                node=str(node.get("name", node_id)),
                template=str(node.get("templateName", "")),
                phase=str(node.get("phase", "")),
                seed=inputs.get("seed"),
                score=outputs.get("score"),
                generation=outputs.get("generation"),
                started=parse_time(node.get("startedAt")),
                finished=parse_time(node.get("finishedAt")),
                message=str(node.get("message", "")),
            )
        )
    runs = max(groups.values(), key=len) if groups else []
    if collect is not None and collect.node in {r.node for r in runs}:
        collect = None
    instance = None
    for p in (spec.get("arguments") or {}).get("parameters") or []:
        if isinstance(p, dict) and p.get("name") == "instance":
            instance = str(p.get("value")) if p.get("value") is not None else None
    return SalmonWorkflow(
        name=str(meta.get("name", "")),
        phase=str(status.get("phase", "")),
        message=str(status.get("message", "")),
        started=parse_time(status.get("startedAt")),
        finished=parse_time(status.get("finishedAt")),
        runs=tuple(runs),
        loop_groups={k: len(v) for k, v in groups.items()},
        collect=collect,
        instance=instance,
        spec=spec,
    )


def _declares(spec: dict, template_name: Any, output: str) -> bool:
    for t in spec.get("templates") or []:
        if isinstance(t, dict) and t.get("name") == template_name:
            return output in {
                p.get("name") for p in ((t.get("outputs") or {}).get("parameters") or []) if isinstance(p, dict)
            }
    return False


def _under_retry(node: dict, nodes: dict) -> bool:
    parents = [n for n in nodes.values() if isinstance(n, dict) and node.get("id") in (n.get("children") or [])]
    return any(p.get("type") == "Retry" for p in parents)


def templates(spec: dict) -> list[dict]:
    """The spec's templates that are mappings."""
    return [t for t in spec.get("templates") or [] if isinstance(t, dict)]


def containers(template: dict) -> list[tuple[str, dict]]:
    """(label, container) for the container, script and containerSet containers of a template."""
    found = []
    for key in ("container", "script"):
        if isinstance(template.get(key), dict):
            found.append((key, template[key]))
    for c in (template.get("containerSet") or {}).get("containers") or []:
        if isinstance(c, dict):
            found.append((f"containerSet container {c.get('name', '?')}", c))
    return found


def claim_mounts(spec: dict, template: dict, *, writable: bool = False) -> set[str]:
    """The claims (``claim/<name>`` or ``template/<name>``) a template's containers mount
    (with ``writable``, only those mounted without ``readOnly``)."""
    backing: dict[str, str] = {}
    for v in (spec.get("volumes") or []) + (template.get("volumes") or []):
        if isinstance(v, dict) and isinstance(v.get("persistentVolumeClaim"), dict):
            backing[v.get("name")] = f"claim/{v['persistentVolumeClaim'].get('claimName')}"
    for c in spec.get("volumeClaimTemplates") or []:
        name = (c.get("metadata") or {}).get("name") if isinstance(c, dict) else None
        if name:
            backing[name] = f"template/{name}"
    mounted = set()
    for _, c in containers(template):
        for m in c.get("volumeMounts") or []:
            if isinstance(m, dict) and m.get("name") in backing and not (writable and m.get("readOnly")):
                mounted.add(backing[m["name"]])
    return mounted


def as_int(value: str | None) -> int | None:
    """An output parameter as an integer score, or None if it is not one."""
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else None


__all__ = [
    "API_VERSION",
    "MIN_RUNS",
    "NAMESPACE",
    "NAME_PREFIX",
    "Collect",
    "Run",
    "SalmonWorkflow",
    "as_int",
    "claim_mounts",
    "containers",
    "params",
    "parse_time",
    "read",
    "templates",
]

"""A small stand-in for Argo's workflow controller that really runs a Salmon workflow's commands.

It writes the ``status`` Argo would write (phase, times, ``nodes`` keyed by ID with DAG/TaskGroup/
Pod or Steps/StepGroup/Pod nodes, inputs and outputs), so the lab's snapshot fixtures hold
realistic Workflow objects. Pods are executed on this machine, not faked: each container's
``sh -c`` script or script ``source`` runs with its volume mounts mapped to folders (a claim is a
folder shared by every pod; an emptyDir is private to one pod; ``/tmp`` is private), ``python``
is this interpreter with the lab's solver importable, and output parameters are read from their
``valueFrom.path``. Simulated time follows dependencies: a pod sees the claim as it was when it
started (writes land when it finishes), so a collect step started too early finds nothing.

Simplifications, stated: no scheduler (every ready pod starts at once), pod start-up costs
:data:`POD_OVERHEAD` seconds, a pod's run time is modelled rather than measured (a container that
runs the solver takes :data:`SOLVER_SECONDS`, any other :data:`COMMAND_SECONDS`), a container
whose memory limit is below :data:`SOLVER_RSS` and runs the solver is OOM-killed (the solver's
measured peak resident memory is about 170 MB) after :data:`COMMAND_SECONDS`, and a spec
the linter rejects with a rule the controller also enforces fails with ``invalid spec`` (in Argo's
words for a variable it cannot resolve). The argo-warmup lab's fixtures are made with it too.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

LAB = Path(__file__).resolve().parents[1]
SOLVER = LAB / "solver"
POD_OVERHEAD = 2
# A pod's run time is modelled, not measured, so that fixtures rebuild byte for byte: on a shared
# machine the same solve pod measured 4 s in one rebuild and 18 s in another. These are what an
# unloaded rebuild measures, rounded up: the lab's solve command (the solver and the generation
# read-out) in under 2 s; the collect step, a seed list or an echo in under 1 s.
SOLVER_SECONDS = 2
COMMAND_SECONDS = 1
SOLVER_RSS = 170 * 2**20
NODE_HOST = "kubecourse-alice-control-plane"
CONTROLLER_RULES = {
    "entrypoint",
    "template-ref",
    "dependency",
    "dependency-cycle",
    "duplicate-step",
    "duplicate-task",
    "duplicate-template",
    "arguments",
    "item-outside-loop",
    "reference",
}
# Rules whose breach Argo reports as a variable it cannot resolve (workflow/validate/validate.go).
UNRESOLVED = {"item-outside-loop", "reference"}
_VAR = re.compile(r"\{\{\s*([^}]+?)\s*\}\}")


def fnv32a(text: str) -> int:
    """FNV-1a 32-bit, the hash Argo uses to derive node IDs from node names."""
    h = 0x811C9DC5
    for byte in text.encode():
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def stamp(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _quantity(text: Any) -> float:
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 1e3, "M": 1e6, "G": 1e9, "m": 1e-3}
    m = re.match(r"^([0-9.]+)([A-Za-z]*)$", str(text))
    return float(m.group(1)) * units.get(m.group(2), 1) if m else math.inf


@dataclass
class Pod:
    """What one executed pod left behind."""

    phase: str
    seconds: int
    outputs: dict
    message: str = ""
    writes: dict = field(default_factory=dict)
    """claim folder -> files (relative path -> bytes) written during the run."""


class Controller:
    """Runs one Workflow object and fills in its ``status``."""

    def __init__(self, workflow: dict, *, name: str, created: datetime, claims: Path, data: Path) -> None:
        self.wf = json.loads(json.dumps(workflow))
        self.name = name
        self.created = created
        self.claims = claims
        self.data = data
        self.spec = self.wf["spec"]
        self.templates = {t["name"]: t for t in self.spec.get("templates", [])}
        self.globals = {
            p["name"]: str(p.get("value", "")) for p in (self.spec.get("arguments") or {}).get("parameters", [])
        }
        self.nodes: dict[str, dict] = {}
        self.pending: list[tuple[datetime, Path, dict]] = []  # claim writes, applied when the pod finishes

    # -- the object ----------------------------------------------------------------------------
    def run(self) -> dict:
        meta = self.wf.setdefault("metadata", {})
        meta.update(
            name=self.name,
            namespace=meta.get("namespace", "salmon"),
            uid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"salmon/{self.name}")),
            creationTimestamp=stamp(self.created),
            generation=3,
            resourceVersion=str(fnv32a(self.name) % 90000 + 10000),
        )
        start = self.created + timedelta(seconds=1)
        invalid = self._invalid()
        if invalid:
            phase, message, end = "Failed", f"invalid spec: {invalid}", start
        else:
            end, ok = self._template(self.spec["entrypoint"], {}, start, self.name, None, display=self.name)
            phase = "Succeeded" if ok else "Failed"
            failed = [
                n for n in self.nodes.values() if n["type"] in ("Pod", "Retry") and n["phase"] in ("Failed", "Error")
            ]
            message = "" if ok else f"child '{failed[0]['id']}' failed" if failed else "failed"
        meta.setdefault("labels", {}).update(
            {"workflows.argoproj.io/completed": "true", "workflows.argoproj.io/phase": phase}
        )
        pods = [n for n in self.nodes.values() if n["type"] == "Pod"]
        status = {
            "phase": phase,
            "startedAt": stamp(start),
            "finishedAt": stamp(end),
            "progress": f"{sum(n['phase'] == 'Succeeded' for n in pods)}/{len(pods)}",
            "conditions": [{"type": "PodRunning", "status": "False"}, {"type": "Completed", "status": "True"}],
            "artifactRepositoryRef": {"default": True, "artifactRepository": {}},
            "artifactGCStatus": {"notSpecified": True},
            "taskResultsCompletionStatus": {n["id"]: True for n in pods},
        }
        if message:
            status["message"] = message
        if self.nodes:
            status["nodes"] = self.nodes
            status["resourcesDuration"] = {
                "cpu": sum(n.get("resourcesDuration", {}).get("cpu", 0) for n in pods),
                "memory": sum(n.get("resourcesDuration", {}).get("memory", 0) for n in pods),
            }
        self.wf["status"] = status
        return self.wf

    def _invalid(self) -> str:
        from manifestlint import lint_object

        for finding in lint_object(self.wf):
            if finding.rule in CONTROLLER_RULES:
                return _argo_wording(self.spec, tuple(finding.path), finding.rule, finding.message)
        return ""

    # -- templates -----------------------------------------------------------------------------
    def _node(
        self, name: str, display: str, kind: str, template: str, boundary: str | None, start: datetime, inputs: dict
    ) -> dict:
        node_id = self.name if name == self.name else f"{self.name}-{fnv32a(name)}"
        node = {
            "id": node_id,
            "name": name,
            "displayName": display,
            "type": kind,
            "templateName": template,
            "templateScope": f"local/{self.name}",
            "phase": "Running",
            "startedAt": stamp(start),
        }
        if boundary:
            node["boundaryID"] = boundary
        if inputs:
            node["inputs"] = {"parameters": [{"name": k, "value": v} for k, v in inputs.items()]}
        self.nodes[node_id] = node
        return node

    def _finish(self, node: dict, end: datetime, ok: bool, children: list[dict]) -> None:
        node.update(phase="Succeeded" if ok else "Failed", finishedAt=stamp(end))
        if children:
            node["children"] = [c["id"] for c in children]
        pods = [n for n in self.nodes.values() if n["type"] == "Pod" and n["name"].startswith(node["name"])]
        node["progress"] = f"{sum(p['phase'] == 'Succeeded' for p in pods)}/{len(pods)}"

    def _template(self, tname: str, inputs: dict, start: datetime, name: str, boundary: str | None, display: str):
        t = self.templates[tname]
        if "dag" in t:
            return self._dag(t, inputs, start, name, boundary, display)
        if "steps" in t:
            return self._steps(t, inputs, start, name, boundary, display)
        return self._pod(t, inputs, start, name, boundary, display)

    def _dag(self, t: dict, inputs: dict, start: datetime, name: str, boundary: str | None, display: str):
        me = self._node(name, display, "DAG", t["name"], boundary, start, inputs)
        tasks = {task["name"]: task for task in t["dag"]["tasks"]}
        done: dict[str, tuple[datetime, bool, dict]] = {}
        scope: dict[str, str] = {}
        while len(done) < len(tasks):
            ready = [
                task
                for task in tasks.values()
                if task["name"] not in done and all(d in done for d in task.get("dependencies", []))
            ]
            # run in order of the time each becomes ready
            ready.sort(key=lambda task: max([done[d][0] for d in task.get("dependencies", [])], default=start))
            task = ready[0]
            deps = task.get("dependencies", [])
            at = max([done[d][0] for d in deps], default=start)
            if not all(done[d][1] for d in deps):
                node = self._node(f"{name}.{task['name']}", task["name"], "Skipped", task["template"], me["id"], at, {})
                node.update(phase="Omitted", message="omitted: depends condition not met", finishedAt=stamp(at))
                done[task["name"]] = (at, False, node)
                continue
            end, ok, node = self._call(
                task, f"{name}.{task['name']}", me["id"], at, {**inputs, **scope}, "tasks", is_dag=True
            )
            done[task["name"]] = (end, ok, node)
            scope.update(self._scope("tasks", task["name"], node))
        ok = all(v[1] for v in done.values())
        end = max(v[0] for v in done.values())
        self._finish(me, end, ok, [done[k][2] for k, task in tasks.items() if not task.get("dependencies")])
        for k, task in tasks.items():  # a task's outbound nodes point at the tasks that depend on it
            for dep in task.get("dependencies", []):
                for out in _outbound(done[dep][2], self.nodes):
                    out.setdefault("children", []).append(done[k][2]["id"])
        leaves = [k for k in tasks if not any(k in x.get("dependencies", []) for x in tasks.values())]
        me["outboundNodes"] = [n["id"] for k in leaves for n in _outbound(done[k][2], self.nodes)]
        return end, ok

    def _steps(self, t: dict, inputs: dict, start: datetime, name: str, boundary: str | None, display: str):
        me = self._node(name, display, "Steps", t["name"], boundary, start, inputs)
        at, ok, groups, scope, last = start, True, [], {}, []
        for i, group in enumerate(t["steps"]):
            gnode = self._node(f"{name}[{i}]", f"[{i}]", "StepGroup", t["name"], me["id"], at, {})
            results = [
                self._call(
                    step, f"{name}[{i}].{step['name']}", me["id"], at, {**inputs, **scope}, "steps", is_dag=False
                )
                for step in group
            ]
            end = max(r[0] for r in results)
            group_ok = all(r[1] for r in results)
            children = [c for r in results for c in (r[2]["_children"] if "_children" in r[2] else [r[2]])]
            self._finish(gnode, end, group_ok, children)
            for previous in last:  # each step of the previous group points at this group
                previous.setdefault("children", []).append(gnode["id"])
            last = children
            groups.append(gnode)
            for step, r in zip(group, results, strict=True):
                scope.update(self._scope("steps", step["name"], r[2]))
            at, ok = end, group_ok
            if not group_ok:
                break
        self._finish(me, at, ok, groups[:1])
        me["outboundNodes"] = [c["id"] for c in last]
        return at, ok

    def _call(self, call: dict, name: str, boundary: str, at: datetime, scope: dict, kind: str, *, is_dag: bool):
        items = call.get("withItems")
        if call.get("withParam") is not None:
            items = json.loads(self._sub(call["withParam"], scope))
        if items is None:
            args = {
                p["name"]: self._sub(str(p.get("value", "")), scope)
                for p in (call.get("arguments") or {}).get("parameters", [])
            }
            end, ok, node = self._template(call["template"], args, at, name, boundary, call["name"])
            return end, ok, node
        group = self._node(name, call["name"], "TaskGroup", call["template"], boundary, at, {}) if is_dag else None
        runs = []
        for i, item in enumerate(items):
            label = _item_label(item)
            local = {**scope, "item": item}
            args = {
                p["name"]: self._sub(str(p.get("value", "")), local)
                for p in (call.get("arguments") or {}).get("parameters", [])
            }
            runs.append(
                self._template(
                    call["template"], args, at, f"{name}({i}:{label})", boundary, f"{call['name']}({i}:{label})"
                )
            )
        end = max(r[0] for r in runs)
        ok = all(r[1] for r in runs)
        if group is None:
            return (
                end,
                ok,
                {
                    "_children": [r[2] for r in runs],
                    "displayName": call["name"],
                    "id": None,
                    "outputs": {"parameters": []},
                },
            )
        self._finish(group, end, ok, [r[2] for r in runs])
        return end, ok, group

    def _scope(self, kind: str, name: str, node: dict) -> dict:
        out = {}
        for p in (node.get("outputs") or {}).get("parameters", []):
            out[f"{kind}.{name}.outputs.parameters.{p['name']}"] = p.get("value", "")
        if "result" in (node.get("outputs") or {}):
            out[f"{kind}.{name}.outputs.result"] = node["outputs"]["result"]
        return out

    def _sub(self, text: str, scope: dict) -> str:
        def one(m: re.Match) -> str:
            var = m.group(1)
            if var == "workflow.name":
                return self.name
            if var.startswith("workflow.parameters."):
                return self.globals[var.split(".", 2)[2]]
            if var == "item" or var.startswith("item."):
                item = scope.get("item")
                for part in var.split(".")[1:]:
                    item = item[part]
                return json.dumps(item) if isinstance(item, (dict, list)) else str(item)
            if var in scope:
                return str(scope[var])
            return m.group(0)

        return _VAR.sub(one, text)

    # -- pods ----------------------------------------------------------------------------------
    def _pod(self, t: dict, inputs: dict, start: datetime, name: str, boundary: str | None, display: str):
        node = self._node(name, display, "Pod", t["name"], boundary, start, inputs)
        node["hostNodeName"] = NODE_HOST
        self._land(start)
        pod = self._execute(t, {**{f"inputs.parameters.{k}": v for k, v in inputs.items()}})
        end = start + timedelta(seconds=POD_OVERHEAD + pod.seconds)
        for claim, files in pod.writes.items():
            self.pending.append((end, claim, files))
        node["outputs"] = {
            **pod.outputs,
            "exitCode": "0" if pod.phase == "Succeeded" else pod.outputs.get("exitCode", "1"),
        }
        if pod.message:
            node["message"] = pod.message
        node["resourcesDuration"] = {"cpu": POD_OVERHEAD + pod.seconds, "memory": 2 * (POD_OVERHEAD + pod.seconds)}
        self._finish(node, end, pod.phase == "Succeeded", [])
        node["phase"] = pod.phase
        return end, pod.phase == "Succeeded", node

    def _land(self, now: datetime) -> None:
        """Apply the claim writes of pods that finished by ``now``."""
        keep = []
        for when, claim, files in self.pending:
            if when <= now:
                for rel, data in files.items():
                    target = claim / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
            else:
                keep.append((when, claim, files))
        self.pending = keep

    def _execute(self, t: dict, scope: dict) -> Pod:
        spec_c = t.get("container") or t.get("script")
        with tempfile.TemporaryDirectory(prefix="argosim-") as tmp:
            root = Path(tmp)
            mounts, views = self._mounts(t, spec_c, root)

            def text(s: str) -> str:
                return self._paths(self._sub(s, scope), mounts, root)

            command = [text(c) for c in spec_c.get("command", [])] + [text(a) for a in spec_c.get("args", [])]
            if "script" in t:
                (root / "script").write_text(text(t["script"].get("source", "")))
                command = command + [str(root / "script")]
            limit = ((spec_c.get("resources") or {}).get("limits") or {}).get("memory")
            runs_solver = "salmon_algorithm " in " ".join(command) + " "
            if runs_solver and limit is not None and _quantity(limit) < SOLVER_RSS:
                return Pod(
                    phase="Failed",
                    seconds=COMMAND_SECONDS,
                    outputs={"exitCode": "137"},
                    message="OOMKilled (exit code 137)",
                )
            seconds = SOLVER_SECONDS if runs_solver else COMMAND_SECONDS
            shim = root / "bin"
            shim.mkdir()
            # a wrapper, not a symlink: a virtualenv's python finds its packages by its own path
            (shim / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
            (shim / "python").chmod(0o755)
            env = {**os.environ, "PATH": f"{shim}{os.pathsep}{os.environ.get('PATH', '')}", "PYTHONPATH": str(SOLVER)}
            proc = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env, cwd=root)
            outputs: dict = {}
            if "script" in t:
                outputs["result"] = proc.stdout.strip()
            if proc.returncode != 0:
                return Pod(
                    phase="Failed",
                    seconds=seconds,
                    outputs={"exitCode": str(proc.returncode)},
                    message=f"Error (exit code {proc.returncode})",
                    writes=self._diff(views),
                )
            params = []
            for p in (t.get("outputs") or {}).get("parameters", []):
                path = Path(self._paths(p["valueFrom"]["path"], mounts, root))
                if not path.is_file():
                    return Pod(
                        phase="Failed",
                        seconds=seconds,
                        outputs={"exitCode": "1"},
                        message=f"Error (exit code 1): open {p['valueFrom']['path']}: no such file or directory",
                    )
                params.append(
                    {
                        "name": p["name"],
                        "value": path.read_text().strip(),
                        "valueFrom": {"path": p["valueFrom"]["path"]},
                    }
                )
            if params:
                outputs["parameters"] = params
            return Pod(phase="Succeeded", seconds=seconds, outputs=outputs, writes=self._diff(views))

    def _mounts(self, t: dict, c: dict, root: Path):
        """Map each mountPath to a private copy of what backs it (claim as of now, or a fresh emptyDir)."""
        volumes = {v["name"]: v for v in (self.spec.get("volumes") or []) + (t.get("volumes") or [])}
        templates = {c_["metadata"]["name"] for c_ in self.spec.get("volumeClaimTemplates") or []}
        mounts, views = {"/tmp": root / "tmp"}, []
        (root / "tmp").mkdir()
        for i, m in enumerate(c.get("volumeMounts") or []):
            v = volumes.get(m["name"], {})
            if "persistentVolumeClaim" in v or m["name"] in templates:
                claim_name = v["persistentVolumeClaim"]["claimName"] if v else f"{self.name}-{m['name']}"
                claim = self.claims / claim_name
                if claim_name == "salmon-data" and not claim.exists():
                    shutil.copytree(self.data, claim)
                claim.mkdir(parents=True, exist_ok=True)
                shared = claim / m.get("subPath", "")
                shared.mkdir(parents=True, exist_ok=True)
                view = root / f"mount{i}"
                shutil.copytree(shared, view)
                views.append(
                    (shared, view, {p.relative_to(view): p.read_bytes() for p in view.rglob("*") if p.is_file()})
                )
            else:
                view = root / f"mount{i}"
                view.mkdir()
            mounts[m["mountPath"]] = view
        return mounts, views

    @staticmethod
    def _diff(views) -> dict:
        writes: dict = {}
        for shared, view, before in views:
            files = {p.relative_to(view): p.read_bytes() for p in view.rglob("*") if p.is_file()}
            changed = {rel: data for rel, data in files.items() if before.get(rel) != data}
            if changed:
                writes.setdefault(shared, {}).update(changed)
        return writes

    @staticmethod
    def _paths(text: str, mounts: dict, root: Path) -> str:
        # One pass, longest mount first, so a replacement is never rewritten again.
        pattern = "|".join(re.escape(m) for m in sorted(mounts, key=len, reverse=True))
        return re.sub(rf"(?<![\w/])({pattern})(?=/|\b|$)", lambda m: str(mounts[m.group(1)]), text)


def _argo_wording(spec: dict, path: tuple, rule: str, message: str) -> str:
    """The controller's words for a variable it cannot resolve, as Argo v3.7.3's validate.go writes
    them (``templates.main.steps failed to resolve {{item}}``, ``templates.main.tasks.collect
    failed to resolve {{...}}``); the linter's message for every other rule."""
    var = re.search(r"'\{\{\s*(.+?)\s*\}\}'", message)
    if rule not in UNRESOLVED or var is None or path[:2] != ("spec", "templates"):
        return message
    template = spec["templates"][path[2]]
    where = f"templates.{template.get('name')}"
    if len(path) > 3 and path[3] == "steps":
        where += ".steps"
    elif len(path) > 5 and path[3:5] == ("dag", "tasks"):
        where += f".tasks.{template['dag']['tasks'][path[5]].get('name')}"
    return f"{where} failed to resolve {{{{{var.group(1)}}}}}"


def _item_label(item: Any) -> str:
    """How Argo's Item.String() names a loop item in a node name: maps as sorted key:value pairs."""
    if isinstance(item, dict):
        return ",".join(f"{k}:{_item_label(v)}" for k, v in sorted(item.items()))
    if isinstance(item, list):
        return json.dumps(item, separators=(",", ":"))
    return str(item).lower() if isinstance(item, bool) else str(item)


def _outbound(node: dict, nodes: dict) -> list[dict]:
    """The nodes a dependent task hangs from: a group's pods, or the node itself."""
    if node["type"] == "TaskGroup":
        return [nodes[c] for c in node.get("children", [])]
    return [node]


def simulate(workflow: dict, *, name: str, created: datetime, claims: Path, data: Path = LAB / "data") -> dict:
    """Run ``workflow`` and return it as Argo would store it, with ``status``."""
    return Controller(workflow, name=name, created=created, claims=claims, data=data).run()


def write_fixtures(names: list[str], fixtures: dict, build: Callable[[str], dict], out: Path, script: str) -> None:
    """Write each named fixture (all when ``names`` is empty) as ``out/NAME.yaml``, with a header
    naming ``script``, and print each one's Workflows and their phases."""
    out.mkdir(exist_ok=True)
    for fixture in names or fixtures:
        if fixture not in fixtures:
            raise SystemExit(f"unknown fixture {fixture!r} (known: {', '.join(fixtures)})")
        document = build(fixture)
        header = f"# Snapshot fixture '{fixture}', made by {script}; do not edit by hand.\n"
        (out / f"{fixture}.yaml").write_text(header + yaml.safe_dump(document, sort_keys=False, width=100))
        wfs = [item for item in document["items"] if item["kind"] == "Workflow"]
        print(fixture, " ".join(f"{w['metadata']['name']}:{w['status']['phase']}" for w in wfs) or "(no workflow)")


__all__ = [
    "COMMAND_SECONDS",
    "POD_OVERHEAD",
    "SOLVER_RSS",
    "SOLVER_SECONDS",
    "fnv32a",
    "simulate",
    "stamp",
    "write_fixtures",
]

"""The meaning checks of the ``argo-workflow`` linter: what a schema cannot see.

Each rule reads the raw Workflow (plain data, possibly malformed: every access is guarded) and
yields ``(field path, rule id, message)``. Messages say what Argo would do and how to fix it,
because learners meet them before they meet the controller's terse ``invalid spec`` errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from manifestlint import _rawdata as raw
from manifestlint._rawdata import TextLine

API_VERSION = "argoproj.io/v1alpha1"
TEMPLATE_TYPES = (
    "container",
    "script",
    "dag",
    "steps",
    "resource",
    "suspend",
    "containerSet",
    "data",
    "http",
    "plugin",
)
LOOP_KEYS = ("withItems", "withParam", "withSequence")
_QUANTITY = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$")

Found = tuple[tuple, str, str]


def semantic_problems(wf: dict) -> list[Found]:
    """Every meaning problem of the Workflow ``wf``."""
    out: list[Found] = list(_api_and_kind(wf))
    spec = wf.get("spec")
    if not isinstance(spec, dict):
        return out + [(("spec",), "spec", "the Workflow has no spec: it needs an entrypoint and templates")]
    templates = {t.get("name"): (i, t) for i, t in raw.dicts(spec.get("templates"))}
    defaults = _default_requests(spec)
    volumes = raw.names(spec.get("volumes")) | raw.names(spec.get("volumeClaimTemplates"), in_metadata=True)
    globals_ = raw.names(raw.get(spec, "arguments", "parameters"))
    out += _entrypoint(spec, templates)
    out += _volume_sources(spec)
    seen: dict[str, int] = {}
    for i, t in raw.dicts(spec.get("templates")):
        path = ("spec", "templates", i)
        name = t.get("name")
        if not isinstance(name, str) or not name:
            out.append(
                (path, "template-name", f"template {i + 1} has no name; steps and tasks refer to templates by name")
            )
        elif name in seen:
            out.append(
                (
                    path + ("name",),
                    "duplicate-template",
                    f"template name '{name}' is used twice (first by template {seen[name] + 1}); names must be unique",
                )
            )
        else:
            seen[name] = i
        out += _template(t, path, templates, defaults, volumes | raw.names(t.get("volumes")), globals_)
    return out


def _api_and_kind(wf: dict) -> Iterator[Found]:
    api = wf.get("apiVersion")
    if api is None:
        yield (("apiVersion",), "api-version", f"apiVersion is missing; a Workflow needs 'apiVersion: {API_VERSION}'")
    elif api != API_VERSION:
        yield (
            ("apiVersion",),
            "api-version",
            f"apiVersion '{api}' does not exist; Argo Workflows serves only '{API_VERSION}' (the 2019 study's workflows made this mistake with v1alpha2 and v2alpha1)",
        )
    kind = wf.get("kind")
    if kind != "Workflow":
        shown = "missing" if kind is None else f"'{kind}'"
        yield (("kind",), "kind", f"kind is {shown}; write 'kind: Workflow' (spelled exactly so)")
    meta = wf.get("metadata")
    if not isinstance(meta, dict) or not (meta.get("name") or meta.get("generateName")):
        yield (
            ("metadata",),
            "name",
            "metadata needs a name or a generateName (e.g. 'generateName: salmon-', submitted with kubectl create)",
        )


def _volume_sources(spec: dict) -> Iterator[Found]:
    for i, volume in raw.dicts(spec.get("volumes")):
        sources = [k for k in volume if k != "name"]
        if len(sources) > 1:
            yield (
                ("spec", "volumes", i, sources[1]),
                "volume",
                f"volume '{volume.get('name')}' has both {sources[0]} and {sources[1]}; a volume has exactly one source",
            )
        elif not sources:
            yield (
                ("spec", "volumes", i),
                "volume",
                f"volume '{volume.get('name')}' has no source: add e.g. 'persistentVolumeClaim: {{claimName: salmon-data}}'",
            )


def _entrypoint(spec: dict, templates: dict) -> Iterator[Found]:
    entry = spec.get("entrypoint")
    if entry is None:
        if spec.get("workflowTemplateRef") is None:
            yield (("spec",), "entrypoint", "spec.entrypoint is missing: name the template the workflow starts with")
    elif entry not in templates:
        yield (
            ("spec", "entrypoint"),
            "entrypoint",
            f"entrypoint '{entry}' is not the name of any template{raw.known(templates)}",
        )


def _template(t: dict, path: tuple, templates: dict, defaults: set, volumes: set, globals_: set) -> list[Found]:
    out: list[Found] = []
    name = t.get("name", f"#{path[-1] + 1}")
    kinds = [k for k in TEMPLATE_TYPES if t.get(k) is not None]
    if not kinds:
        out.append(
            (path, "template-type", f"template '{name}' does nothing: give it one of container, script, dag or steps")
        )
    elif len(kinds) > 1:
        out.append(
            (
                path + (kinds[1],),
                "template-type",
                f"template '{name}' has both {kinds[0]} and {kinds[1]}; a template does exactly one thing",
            )
        )
    for key in ("container", "script"):
        if isinstance(t.get(key), dict):
            out += _container(t[key], path + (key,), name, defaults, volumes)
    for j, c in raw.dicts(raw.get(t, "containerSet", "containers")):
        out += _container(c, path + ("containerSet", "containers", j), name, defaults, volumes)
    inputs = raw.names(raw.get(t, "inputs", "parameters"))
    loops_ok: set[tuple] = set()
    if isinstance(t.get("dag"), dict):
        out += _dag(t["dag"], path + ("dag",), templates, loops_ok)
    if isinstance(t.get("steps"), list):
        out += _steps(t["steps"], path + ("steps",), templates, loops_ok)
    for var_path, var in raw.variables(t, path):
        parts = var.split(".")
        if parts[0] == "item" and not any(var_path[: len(p)] == p for p in loops_ok):
            out.append(
                (
                    var_path,
                    "item-outside-loop",
                    f"'{{{{{var}}}}}' is only defined in a step or task with withItems/withParam; pass the item in as an input parameter (value: '{{{{item}}}}') and use '{{{{inputs.parameters.<name>}}}}' here",
                )
            )
        elif parts[:2] == ["inputs", "parameters"] and len(parts) > 2 and parts[2] not in inputs:
            out.append(
                (
                    var_path,
                    "unknown-input",
                    f"template '{name}' uses '{{{{{var}}}}}' but declares no input parameter '{parts[2]}'{raw.known(inputs, 'inputs')}",
                )
            )
        elif parts[:2] == ["workflow", "parameters"] and len(parts) > 2 and parts[2] not in globals_:
            out.append(
                (
                    var_path,
                    "unknown-parameter",
                    f"'{{{{{var}}}}}' names no parameter in spec.arguments.parameters{raw.known(globals_, 'parameters')}",
                )
            )
    return out


def _container(c: dict, path: tuple, name: str, defaults: set, volumes: set) -> list[Found]:
    out: list[Found] = []
    if not c.get("image"):
        out.append(
            (
                path,
                "image",
                f"template '{name}' runs a container without an image (for the solver: 'image: salmon-solver:1.0')",
            )
        )
    requests = raw.get(c, "resources", "requests")
    requests = requests if isinstance(requests, dict) else {}
    for resource in ("cpu", "memory"):
        if resource not in requests and resource not in defaults:
            example = "500m" if resource == "cpu" else "256Mi"
            out.append(
                (
                    path,
                    "requests",
                    f"template '{name}': the container requests no {resource} (set resources.requests.{resource}, e.g. {example}); without requests the scheduler cannot place many pods sensibly",
                )
            )
    for section in ("requests", "limits"):
        values = raw.get(c, "resources", section)
        for key, value in values.items() if isinstance(values, dict) else ():
            text = str(value)
            if "{{" not in text and not _QUANTITY.match(text):
                out.append(
                    (
                        path + ("resources", section, key),
                        "quantity",
                        f"'{value}' is not a Kubernetes quantity (write e.g. 500m or 1 for CPU, 256Mi or 1Gi for memory)",
                    )
                )
    for j, mount in raw.dicts(c.get("volumeMounts")):
        if mount.get("name") not in volumes:
            out.append(
                (
                    path + ("volumeMounts", j, "name"),
                    "volume",
                    f"volumeMount '{mount.get('name')}' names no volume: declare it in spec.volumes (e.g. a persistentVolumeClaim) or spec.volumeClaimTemplates",
                )
            )
    return out


def _dag(dag: dict, path: tuple, templates: dict, loops_ok: set) -> list[Found]:
    out: list[Found] = []
    tasks = dict()
    for j, task in raw.dicts(dag.get("tasks")):
        tpath = path + ("tasks", j)
        tname = task.get("name")
        if tname in tasks:
            out.append(
                (
                    tpath + ("name",),
                    "duplicate-task",
                    f"task name '{tname}' is used twice in this dag; names must be unique",
                )
            )
        tasks.setdefault(tname, (j, task))
    graph: dict[Any, list] = {}
    for tname, (j, task) in tasks.items():
        tpath = path + ("tasks", j)
        out += _call(task, tpath, "task", templates, loops_ok)
        deps = task.get("dependencies") if isinstance(task.get("dependencies"), list) else []
        if isinstance(task.get("depends"), str):
            deps = deps + [w.split(".")[0] for w in re.split(r"[\s()&|!]+", task["depends"]) if w]
        graph[tname] = deps
        for dep in deps:
            if dep not in tasks:
                out.append(
                    (
                        tpath + (("dependencies" if "dependencies" in task else "depends"),),
                        "dependency",
                        f"task '{tname}' depends on '{dep}', which is not a task of this dag{raw.known(tasks, 'tasks')}",
                    )
                )
        out += _output_refs(task, tpath, "tasks", tasks, templates)
    cycle = raw.find_cycle(graph)
    for tname, (j, task) in tasks.items():
        before = raw.ancestors(graph, tname)
        for var_path, var in raw.variables(task, path + ("tasks", j)):
            parts = var.split(".")
            if not cycle and parts[0] == "tasks" and len(parts) > 1 and parts[1] in tasks and parts[1] not in before:
                out.append(
                    (
                        var_path,
                        "dependency",
                        f"task '{tname}' uses '{{{{{var}}}}}' but does not depend on '{parts[1]}': add it to dependencies, or the value does not exist yet",
                    )
                )
    if cycle:
        j = tasks[cycle[0]][0]
        out.append(
            (
                path + ("tasks", j),
                "dependency-cycle",
                f"dependencies form a cycle: {' -> '.join(map(str, cycle))}; a dag must have no cycles",
            )
        )
    return out


def _steps(groups: list, path: tuple, templates: dict, loops_ok: set) -> list[Found]:
    out: list[Found] = []
    names: dict[Any, tuple] = {}
    for g, group in enumerate(groups):
        if not isinstance(group, list):
            out.append(
                (
                    path + (g,),
                    "step-group",
                    "each entry under steps is a group (a list) of steps that run in parallel: write '- - name: ...' (two dashes)",
                )
            )
            continue
        for k, step in raw.dicts(group):
            spath = path + (g, k)
            sname = step.get("name")
            if sname in names:
                out.append(
                    (
                        spath + ("name",),
                        "duplicate-step",
                        f"step name '{sname}' is used twice in this template (first in group {names[sname][0] + 1}); Argo rejects duplicate step names",
                    )
                )
                continue
            names[sname] = (g, step)
    for g, group in enumerate(groups):
        for k, step in raw.dicts(group if isinstance(group, list) else []):
            spath = path + (g, k)
            out += _call(step, spath, "step", templates, loops_ok)
            earlier = {n: v for n, v in names.items() if v[0] < g}
            out += _output_refs(
                step, spath, "steps", earlier, templates, later={n for n, v in names.items() if v[0] >= g}
            )
    return out


def _call(call: dict, path: tuple, what: str, templates: dict, loops_ok: set) -> list[Found]:
    """Checks shared by dag tasks and steps: the template exists, parameters, loops."""
    out: list[Found] = []
    cname = call.get("name")
    target = call.get("template")
    loops = [k for k in LOOP_KEYS if call.get(k) is not None]
    if loops:
        loops_ok.add(path)
    if len(loops) > 1:
        out.append((path + (loops[1],), "loop", f"{what} '{cname}' has both {loops[0]} and {loops[1]}; use one"))
    if call.get("withItems") == []:
        out.append(
            (
                path + ("withItems",),
                "loop",
                f"{what} '{cname}' loops over an empty withItems list and would run nothing",
            )
        )
    if target is None:
        if call.get("templateRef") is None and call.get("inline") is None:
            out.append((path, "template-ref", f"{what} '{cname}' names no template to run (add 'template: <name>')"))
        return out
    if target not in templates:
        return out + [
            (
                path + ("template",),
                "template-ref",
                f"{what} '{cname}' runs template '{target}', which does not exist{raw.known(templates)}",
            )
        ]
    _, tpl = templates[target]
    passed = raw.names(raw.get(call, "arguments", "parameters"))
    for _, param in raw.dicts(raw.get(tpl, "inputs", "parameters")):
        pname = param.get("name")
        if pname not in passed and param.get("value") is None and param.get("default") is None:
            out.append(
                (
                    path,
                    "arguments",
                    f"{what} '{cname}' does not pass parameter '{pname}', which template '{target}' requires (arguments: parameters: - name: {pname})",
                )
            )
    return out


def _output_refs(
    call: dict, path: tuple, prefix: str, known: dict, templates: dict, later: set = frozenset()
) -> list[Found]:
    out: list[Found] = []
    for var_path, var in raw.variables(call, path):
        parts = var.split(".")
        if parts[0] != prefix or len(parts) < 2:
            continue
        ref = parts[1]
        if ref not in known:
            why = "which runs in this or a later group" if ref in later else f"which is not a {prefix[:-1]} here"
            out.append(
                (
                    var_path,
                    "reference",
                    f"'{{{{{var}}}}}' refers to '{ref}', {why}; a {prefix[:-1]} can only use outputs of {prefix} that ran before it",
                )
            )
            continue
        if parts[2:4] == ["outputs", "parameters"] and len(parts) > 4:
            node = known[ref][1]
            tpl = templates.get(node.get("template")) if isinstance(node, dict) else None
            declared = raw.names(raw.get(tpl[1], "outputs", "parameters")) if tpl else None
            if declared is not None and parts[4] not in declared:
                out.append(
                    (
                        var_path,
                        "reference",
                        f"'{{{{{var}}}}}': template '{node.get('template')}' declares no output parameter '{parts[4]}'{raw.known(declared, 'outputs')}",
                    )
                )
    return out


def _default_requests(spec: dict) -> set:
    found: set = set()
    for key in ("container", "script"):
        requests = raw.get(spec, "templateDefaults", key, "resources", "requests")
        if isinstance(requests, dict):
            found |= set(requests)
    return found


__all__ = ["API_VERSION", "TextLine", "semantic_problems"]

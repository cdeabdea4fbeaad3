"""Rules of meaning for Argo's workflow kinds: what a schema cannot see.

The entrypoint and every template that a step, task or exit hook names exist; a template does
exactly one thing; steps come in groups; dependencies exist and form no cycle; a step or task
reads only outputs of steps and tasks that ran before it (its own exit hook may read its own);
``{{item}}`` only inside a loop; ``{{inputs.parameters.x}}`` and ``{{workflow.parameters.x}}``
name declared parameters. The variables Argo documents (docs/variables.md of the installed
release) are never reported. A Workflow that references a WorkflowTemplate
(``workflowTemplateRef``) gets its entrypoint, templates, volumes and parameters from there, so
the rules that would need them are skipped.

Messages say what Argo would do and how to fix it, because learners meet them before the
controller's terse ``invalid spec`` errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from manifestlint.argo_walk import Call, Spec, calls, specs, variables
from manifestlint.fieldpath import FieldPath
from manifestlint.objects import dicts, get, items, text
from manifestlint.pod_rules import resource_findings
from manifestlint.rules import Finding, rule

ARGO = ["Workflow.argoproj.io", "WorkflowTemplate.argoproj.io", "ClusterWorkflowTemplate.argoproj.io"]
ARGO += ["CronWorkflow.argoproj.io"]
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
_DEPENDS_WORD = re.compile(r"[\s()&|!]+")


def _known(names: object, what: str = "templates") -> str:
    shown = sorted(str(n) for n in names if n is not None)  # type: ignore[attr-defined]
    return f" ({what}: {', '.join(shown)})" if shown else ""


@rule(kinds=ARGO)
def spec_present(obj: dict) -> Iterator[Finding]:
    for s in specs(obj):
        if s.spec is None:
            message = f"the {obj.get('kind')} has no {s.path[-1]}: it needs an entrypoint and templates"
            yield Finding(s.path, message, "spec")


@rule(kinds=ARGO)
def entrypoint(obj: dict) -> Iterator[Finding]:
    for s in specs(obj):
        if s.spec is None or s.external:
            continue
        entry = s.spec.get("entrypoint")
        if entry is None:
            if s.needs_entrypoint:
                message = f"{s.path}.entrypoint is missing: name the template the workflow starts with"
                yield Finding(s.path, message, "entrypoint")
        elif isinstance(entry, str) and entry not in s.templates and "{{" not in entry:
            message = f"entrypoint '{entry}' is not the name of any template{_known(s.templates)}"
            yield Finding(s.path.child("entrypoint"), message, "entrypoint")


@rule(kinds=ARGO)
def templates(obj: dict) -> Iterator[Finding]:
    for s in specs(obj):
        seen: dict[str, int] = {}
        for i, t in dicts(get(s.spec, "templates")):
            path = s.path.child("templates", i)
            name = t.get("name")
            if not isinstance(name, str) or not name:
                message = f"template {i + 1} has no name; steps and tasks refer to templates by name"
                yield Finding(path, message, "template-name")
            elif name in seen:
                message = (
                    f"template name '{name}' is used twice (first by template {seen[name] + 1}); names must be unique"
                )
                yield Finding(path.child("name"), message, "duplicate-template")
            else:
                seen[name] = i
            shown = name if isinstance(name, str) and name else f"#{i + 1}"
            kinds = [k for k in TEMPLATE_TYPES if t.get(k) is not None]
            if not kinds:
                message = f"template '{shown}' does nothing: give it one of container, script, dag or steps"
                yield Finding(path, message, "template-type")
            elif len(kinds) > 1:
                message = f"template '{shown}' has both {kinds[0]} and {kinds[1]}; a template does exactly one thing"
                yield Finding(path.child(kinds[1]), message, "template-type")
            for key in ("container", "script"):
                if isinstance(t.get(key), dict) and not t[key].get("image"):
                    message = f"template '{shown}' runs a {key} without an image (e.g. 'image: salmon-solver:1.0')"
                    yield Finding(path.child(key), message, "image")
            for cpath, c in _template_containers(t, path):
                yield from resource_findings(cpath, c)


@rule(kinds=ARGO)
def volumes(obj: dict) -> Iterator[Finding]:
    for s in specs(obj):
        for i, volume in dicts(get(s.spec, "volumes")):
            sources = [k for k in volume if k != "name"]
            name = volume.get("name")
            if len(sources) > 1:
                message = f"volume '{name}' has both {sources[0]} and {sources[1]}; a volume has exactly one source"
                yield Finding(s.path.child("volumes", i, sources[1]), message, "volume")
            elif not sources:
                message = f"volume '{name}' has no source: add e.g. 'persistentVolumeClaim: {{claimName: salmon-data}}'"
                yield Finding(s.path.child("volumes", i), message, "volume")
        if s.external:
            continue  # the referenced WorkflowTemplate may declare the volumes
        declared = s.names("volumes") | {
            text(get(c, "metadata", "name")) for _, c in dicts(get(s.spec, "volumeClaimTemplates"))
        }
        for i, t in dicts(get(s.spec, "templates")):
            own = declared | {text(v.get("name")) for _, v in dicts(t.get("volumes"))}
            for cpath, c in _template_containers(t, s.path.child("templates", i)):
                for j, mount in dicts(c.get("volumeMounts")):
                    name = text(mount.get("name"))
                    if name is not None and name not in own and "{{" not in name:
                        message = (
                            f"volumeMount '{name}' names no volume: declare it in spec.volumes "
                            "(e.g. a persistentVolumeClaim) or spec.volumeClaimTemplates"
                        )
                        yield Finding(cpath.child("volumeMounts", j, "name"), message, "volume")


def _template_containers(t: dict, path: FieldPath) -> Iterator[tuple[FieldPath, dict]]:
    for key in ("container", "script"):
        if isinstance(t.get(key), dict):
            yield path.child(key), t[key]
    for key in ("initContainers", "sidecars"):
        for j, c in dicts(t.get(key)):
            yield path.child(key, j), c
    for j, c in dicts(get(t, "containerSet", "containers")):
        yield path.child("containerSet", "containers", j), c


@rule(kinds=ARGO)
def steps_and_tasks(obj: dict) -> Iterator[Finding]:
    """Step groups, unique names, the templates they run and the arguments those need, loops."""
    for s in specs(obj):
        for i, t in dicts(get(s.spec, "templates")):
            steps = t.get("steps")
            for g, group in items(steps):
                if not isinstance(group, list):
                    message = (
                        "each entry under steps is a group (a list) of steps that run in parallel: "
                        "write '- - name: ...' (two dashes)"
                    )
                    yield Finding(s.path.child("templates", i, "steps", g), message, "step-group")
        for call in calls(s):
            yield from _call(call, s)


def _call(call: Call, s: Spec) -> Iterator[Finding]:
    what, name, node = call.what, call.name, call.node
    if call.duplicate_of is not None:
        if what == "step":
            message = (
                f"step name '{name}' is used twice in this template (first in group {call.duplicate_of + 1}); "
                "Argo rejects duplicate step names"
            )
            yield Finding(call.path.child("name"), message, "duplicate-step")
        else:
            yield Finding(
                call.path.child("name"),
                f"task name '{name}' is used twice in this dag; names must be unique",
                "duplicate-task",
            )
    loops = [k for k in ("withItems", "withParam", "withSequence") if node.get(k) is not None]
    if len(loops) > 1:
        yield Finding(call.path.child(loops[1]), f"{what} '{name}' has both {loops[0]} and {loops[1]}; use one", "loop")
    if node.get("withItems") == []:
        yield Finding(
            call.path.child("withItems"),
            f"{what} '{name}' loops over an empty withItems list and would run nothing",
            "loop",
        )
    yield from _runs_a_template(call, s)
    for hook_path, hook in call.hooks():
        target = text(hook.get("template"))
        if target is not None and not s.external and target not in s.templates and "{{" not in target:
            message = (
                f"the exit hook of {what} '{name}' runs template '{target}', which does not exist{_known(s.templates)}"
            )
            yield Finding(hook_path.child("template"), message, "template-ref")


def _runs_a_template(call: Call, s: Spec) -> Iterator[Finding]:
    what, name, node = call.what, call.name, call.node
    target = node.get("template")
    if target is None:
        if node.get("templateRef") is None and node.get("inline") is None:
            yield Finding(
                call.path, f"{what} '{name}' names no template to run (add 'template: <name>')", "template-ref"
            )
        return
    if not isinstance(target, str) or s.external or "{{" in target:
        return  # a wrong type is the schema's; a referenced WorkflowTemplate holds the templates
    if target not in s.templates:
        message = f"{what} '{name}' runs template '{target}', which does not exist{_known(s.templates)}"
        yield Finding(call.path.child("template"), message, "template-ref")
        return
    passed = {text(p.get("name")) for _, p in dicts(get(node, "arguments", "parameters"))}
    for _, param in dicts(get(s.templates[target], "inputs", "parameters")):
        pname = param.get("name")
        provided = any(param.get(k) is not None for k in ("value", "default", "valueFrom"))
        if isinstance(pname, str) and pname not in passed and not provided:
            message = (
                f"{what} '{name}' does not pass parameter '{pname}', which template '{target}' requires "
                f"(arguments: parameters: - name: {pname})"
            )
            yield Finding(call.path, message, "arguments")


@rule(kinds=ARGO)
def dependencies(obj: dict) -> Iterator[Finding]:
    for s in specs(obj):
        for dag_path, tasks in s.dags():
            graph: dict[str, list[str]] = {}
            for tname, (j, task) in tasks.items():
                deps = [d for _, d in items(task.get("dependencies")) if isinstance(d, str)]
                depends = text(task.get("depends"))
                if depends is not None:
                    deps += [w.split(".")[0] for w in _DEPENDS_WORD.split(depends) if w]
                graph[tname] = deps
                field = "dependencies" if "dependencies" in task else "depends"
                for dep in deps:
                    if dep not in tasks:
                        known = _known(tasks, "tasks")
                        message = f"task '{tname}' depends on '{dep}', which is not a task of this dag{known}"
                        yield Finding(dag_path.child("tasks", j, field), message, "dependency")
            cycle = _find_cycle(graph)
            if cycle:
                message = f"dependencies form a cycle: {' -> '.join(cycle)}; a dag must have no cycles"
                yield Finding(dag_path.child("tasks", tasks[cycle[0]][0]), message, "dependency-cycle")
                continue
            for tname, (j, task) in tasks.items():
                before = _ancestors(graph, tname)
                for var_path, var, in_hook in variables(task, dag_path.child("tasks", j)):
                    parts = var.split(".")
                    if parts[0] != "tasks" or len(parts) < 3 or parts[1] not in tasks:
                        continue
                    if parts[1] not in before and not (in_hook and parts[1] == tname):
                        message = (
                            f"task '{tname}' uses '{{{{{var}}}}}' but does not depend on '{parts[1]}': "
                            "add it to dependencies, or the value does not exist yet"
                        )
                        yield Finding(var_path, message, "dependency")


def _ancestors(graph: dict[str, list[str]], node: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph.get(node, ()))
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo += graph.get(current, ())
    return seen


def _find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    for start in graph:
        if start in state:
            continue
        stack = [(start, iter(graph[start]))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            nxt = next(children, None)
            if nxt is None:
                stack.pop()
                path.pop()
                state[node] = 2
            elif nxt in graph and state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            elif nxt in graph and nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(graph[nxt])))
                path.append(nxt)
    return None


__all__ = [
    "ARGO",
    "TEMPLATE_TYPES",
    "dependencies",
    "entrypoint",
    "spec_present",
    "steps_and_tasks",
    "templates",
    "volumes",
]

"""Reading an Argo object's workflow spec the way the rules need it: its templates by name, its
steps and DAG tasks in order, and the ``{{variables}}`` in its strings.

Every reader tolerates any shape (a list where a mapping belongs reads as absent): the rules run
on files the schema layer may already have rejected.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from manifestlint.fieldpath import FieldPath
from manifestlint.objects import dicts, get, items, text

_VARIABLE = re.compile(r"\{\{\s*([^}=\s][^}]*?)\s*\}\}")
_HOOK_KEYS = ("hooks", "onExit")


class TextLine(int):
    """Last part of a variable's path: the line inside the multi-line string that holds it."""


@dataclass(kw_only=True)
class Spec:
    """One workflow spec: ``spec`` of a Workflow or template, ``spec.workflowSpec`` of a CronWorkflow."""

    path: FieldPath
    spec: dict | None
    kind: str
    templates: dict[str, dict] = field(default_factory=dict)
    """Templates by name (the first of a duplicated name)."""
    external: bool = False
    """True when the spec uses ``workflowTemplateRef``: entrypoint, templates, volumes and
    parameters may all come from the referenced template."""

    @property
    def needs_entrypoint(self) -> bool:
        """Workflows and CronWorkflows start somewhere; a WorkflowTemplate may be a library."""
        return self.kind in ("Workflow", "CronWorkflow") and not self.external

    @property
    def is_library(self) -> bool:
        """Templates of a WorkflowTemplate run inside other workflows, with *their* parameters."""
        return self.kind in ("WorkflowTemplate", "ClusterWorkflowTemplate")

    def names(self, key: str) -> set[str]:
        return {text(item.get("name")) for _, item in dicts(get(self.spec, key))} - {None}  # type: ignore[return-value]

    def dags(self) -> Iterator[tuple[FieldPath, dict[str, tuple[int, dict]]]]:
        """``(path of the dag, {task name: (index, task)})`` of every dag template."""
        for i, t in dicts(get(self.spec, "templates")):
            dag = t.get("dag")
            if isinstance(dag, dict):
                tasks: dict[str, tuple[int, dict]] = {}
                for j, task in dicts(dag.get("tasks")):
                    name = text(task.get("name"))
                    if name is not None:
                        tasks.setdefault(name, (j, task))
                yield self.path.child("templates", i, "dag"), tasks


def specs(obj: dict) -> list[Spec]:
    kind = str(obj.get("kind"))
    path = FieldPath(("spec", "workflowSpec") if kind == "CronWorkflow" else ("spec",))
    spec = get(obj, *path)
    if not isinstance(spec, dict):
        return [Spec(path=path, spec=None, kind=kind)]
    templates: dict[str, dict] = {}
    for _, t in dicts(spec.get("templates")):
        name = text(t.get("name"))
        if name is not None:
            templates.setdefault(name, t)
    return [
        Spec(path=path, spec=spec, kind=kind, templates=templates, external=spec.get("workflowTemplateRef") is not None)
    ]


@dataclass(kw_only=True)
class Call:
    """One step or DAG task: something that runs a template."""

    what: str
    """``step`` or ``task``."""
    name: str | None
    node: dict
    path: FieldPath
    template: FieldPath
    """Path of the template that holds the step or task."""
    group: int = 0
    """Index of the step's group (steps run group after group); 0 for tasks."""
    duplicate_of: int | None = None
    """For a name used before in the same template: the group (steps) or index (tasks) of the first."""

    def hooks(self) -> Iterator[tuple[FieldPath, dict]]:
        hooks = get(self.node, "hooks")
        for key, hook in hooks.items() if isinstance(hooks, dict) else ():
            if isinstance(hook, dict):
                yield self.path.child("hooks", key), hook


def calls(s: Spec) -> Iterator[Call]:
    """Every step (group by group) and DAG task of every template, in file order."""
    for i, t in dicts(get(s.spec, "templates")):
        tpath = s.path.child("templates", i)
        seen: dict[str, int] = {}
        for g, group in items(t.get("steps")):
            # A lone mapping where a group belongs is reported by the rules; read it as a group of
            # one so that later references to it are not reported again.
            for k, step in dicts(group if isinstance(group, list) else [group]):
                name = text(step.get("name"))
                first = seen.get(name) if name is not None else None
                yield Call(
                    what="step",
                    name=name,
                    node=step,
                    path=tpath.child("steps", g, k),
                    template=tpath,
                    group=g,
                    duplicate_of=first,
                )
                if name is not None and first is None:
                    seen[name] = g
        seen = {}
        for j, task in dicts(get(t, "dag", "tasks")):
            name = text(task.get("name"))
            first = seen.get(name) if name is not None else None
            yield Call(
                what="task",
                name=name,
                node=task,
                path=tpath.child("dag", "tasks", j),
                template=tpath,
                duplicate_of=first,
            )
            if name is not None and first is None:
                seen[name] = j


def variables(value: Any, path: FieldPath, in_hook: bool = False) -> Iterator[tuple[tuple, str, bool]]:
    """Every simple ``{{variable}}`` in strings under ``value``: ``(path, variable, in_hook)``.

    ``in_hook`` says the string is inside an exit hook (``hooks`` or ``onExit``), which runs after
    its step or task and may read that step's own outputs. Expression tags (``{{=...}}``) are
    expressions, not variable names, and are left alone. A variable on a later line of a
    multi-line string has a :class:`TextLine` as the last part of its path.
    """
    if isinstance(value, str):
        if "{{" not in value:
            return
        for match in _VARIABLE.finditer(value):
            offset = value.count("\n", 0, match.start())
            yield (path + (TextLine(offset),) if offset else path), match.group(1).strip(), in_hook
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from variables(item, path.child(key), in_hook or key in _HOOK_KEYS)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from variables(item, path.child(i), in_hook)


__all__ = ["Call", "Spec", "TextLine", "calls", "specs", "variables"]

"""Rules for the ``{{variables}}`` of Argo workflows: each names something that exists when it is
read.

Names come from docs/variables.md of the installed Argo release: ``{{steps.name}}`` and
``{{tasks.name}}`` (the step's or task's own name), ``{{inputs.parameters}}`` and
``{{workflow.parameters}}`` (all of them as JSON), ``{{workflow.parameters.json}}``,
``{{steps.<step>.outputs.parameters}}`` ... are all documented and never reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from manifestlint.argo_rules import ARGO
from manifestlint.argo_walk import Call, Spec, calls, specs, variables
from manifestlint.fieldpath import FieldPath
from manifestlint.objects import dicts, get, text
from manifestlint.rules import Finding, rule

_LOOPS = ("withItems", "withParam", "withSequence")


def _known(names: object, what: str) -> str:
    shown = sorted(str(n) for n in names if n is not None)  # type: ignore[attr-defined]
    return f" ({what}: {', '.join(shown)})" if shown else ""


@rule(kinds=ARGO)
def template_variables(obj: dict) -> Iterator[Finding]:
    """``{{item}}`` only inside a loop; input and workflow parameters that are declared."""
    for s in specs(obj):
        loops = [c.path for c in calls(s) if any(c.node.get(k) is not None for k in _LOOPS)]
        parameters = s.names("arguments") | {
            text(p.get("name")) for _, p in dicts(get(s.spec, "arguments", "parameters"))
        }
        check_parameters = not s.external and not s.is_library
        for i, t in dicts(get(s.spec, "templates")):
            name = t.get("name", f"#{i + 1}")
            inputs = {text(p.get("name")) for _, p in dicts(get(t, "inputs", "parameters"))} - {None}
            for path, var, _ in variables(t, s.path.child("templates", i)):
                parts = var.split(".")
                if parts[0] == "item" and not any(FieldPath(path).within(p) for p in loops):
                    message = (
                        f"'{{{{{var}}}}}' is only defined in a step or task with withItems/withParam; pass the item "
                        "in as an input parameter (value: '{{item}}') and use '{{inputs.parameters.<name>}}' here"
                    )
                    yield Finding(path, message, "item-outside-loop")
                elif parts[:2] == ["inputs", "parameters"] and len(parts) > 2 and parts[2] not in inputs:
                    message = (
                        f"template '{name}' uses '{{{{{var}}}}}' but declares no input parameter "
                        f"'{parts[2]}'{_known(inputs, 'inputs')}"
                    )
                    yield Finding(path, message, "unknown-input")
                elif parts[:2] == ["workflow", "parameters"] and len(parts) > 2 and check_parameters:
                    if parts[2] != "json" and parts[2] not in parameters:
                        message = (
                            f"'{{{{{var}}}}}' names no parameter in {s.path}.arguments.parameters"
                            f"{_known(parameters, 'parameters')}"
                        )
                        yield Finding(path, message, "unknown-parameter")


@rule(kinds=ARGO)
def output_references(obj: dict) -> Iterator[Finding]:
    """A step reads only steps of earlier groups, a task only tasks of its dag (the order of
    tasks is the dependency rule's), and the output parameters named must be declared."""
    for s in specs(obj):
        by_template: dict[FieldPath, list[Call]] = {}
        for call in calls(s):
            by_template.setdefault(call.template, []).append(call)
        for group_calls in by_template.values():
            first = {c.name: c for c in group_calls if c.name is not None and c.duplicate_of is None}
            for call in group_calls:
                yield from _references(call, first, s)


def _references(call: Call, first: dict[str, Call], s: Spec) -> Iterator[Finding]:
    prefix = "steps" if call.what == "step" else "tasks"
    for path, var, in_hook in variables(call.node, call.path):
        parts = var.split(".")
        if parts[0] != prefix or len(parts) < 2 or (len(parts) == 2 and parts[1] == "name"):
            continue
        ref = first.get(parts[1])
        own = in_hook and parts[1] == call.name
        if ref is None or (call.what == "step" and ref.group >= call.group and not own):
            why = "which runs in this or a later group" if ref is not None else f"which is not a {call.what} here"
            message = (
                f"'{{{{{var}}}}}' refers to '{parts[1]}', {why}; a {call.what} can only use outputs of "
                f"{prefix} that ran before it"
            )
            yield Finding(path, message, "reference")
            continue
        if parts[2:4] == ["outputs", "parameters"] and len(parts) > 4:
            target = text(ref.node.get("template"))
            template = s.templates.get(target) if target is not None else None
            if template is None:
                continue
            declared = {text(p.get("name")) for _, p in dicts(get(template, "outputs", "parameters"))} - {None}
            if parts[4] not in declared:
                message = (
                    f"'{{{{{var}}}}}': template '{target}' declares no output parameter "
                    f"'{parts[4]}'{_known(declared, 'outputs')}"
                )
                yield Finding(path, message, "reference")


__all__ = ["output_references", "template_variables"]

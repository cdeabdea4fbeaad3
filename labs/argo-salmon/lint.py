"""The argo-salmon lab's own lint rules: what the lab asks of the Salmon workflow beyond what
Argo requires (the general Argo rules run without a lab too)."""

from __future__ import annotations

from manifestlint import Finding, rule


def _mapping(value):
    return value if isinstance(value, dict) else {}


def _containers(template):
    for key in ("container", "script"):
        if isinstance(template.get(key), dict):
            yield (key,), template[key]
    container_set = _mapping(template.get("containerSet")).get("containers")
    for j, c in enumerate(container_set if isinstance(container_set, list) else []):
        if isinstance(c, dict):
            yield ("containerSet", "containers", j), c


@rule(kinds=["Workflow.argoproj.io"])
def requests(workflow):
    """Every container and script requests CPU and memory (templateDefaults count), so that the
    scheduler can place many solver Pods sensibly."""
    spec = _mapping(workflow.get("spec"))
    defaults = set()
    for key in ("container", "script"):
        defaults |= set(
            _mapping(
                _mapping(_mapping(_mapping(spec.get("templateDefaults")).get(key)).get("resources")).get("requests")
            )
        )
    templates = spec.get("templates")
    for i, template in enumerate(templates if isinstance(templates, list) else []):
        if not isinstance(template, dict):
            continue
        for path, c in _containers(template):
            asked = set(_mapping(_mapping(c.get("resources")).get("requests"))) | defaults
            for resource, example in (("cpu", "500m"), ("memory", "256Mi")):
                if resource not in asked:
                    yield Finding(
                        ("spec", "templates", i, *path),
                        f"template '{template.get('name')}': the container requests no {resource} "
                        f"(set resources.requests.{resource}, e.g. {example}); without requests the scheduler "
                        "cannot place many pods sensibly",
                    )

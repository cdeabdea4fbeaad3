"""Argo's executor containers on a shared cluster: do they state resources the quota can count?

Argo runs two helper containers in every workflow Pod (``init`` and ``wait``, from argoexec)
with the resources its controller ConfigMap's ``executor`` key gives them, and none by default
(Argo v3.7.3 config/config.go). In a learner namespace the LimitRange then gives each its default
limit (500m of CPU), so every solver Pod counts a whole CPU of limits against the quota and only
two runs of a fan-out go at once. Small executor resources, set once by the cluster's admin, let
the quota admit the lab's fan-out.
"""

from __future__ import annotations

import yaml

EXECUTOR_RESOURCES = {"requests": {"cpu": "10m", "memory": "64Mi"}, "limits": {"cpu": "100m", "memory": "128Mi"}}
"""What kubecourse asks for: measured argoexec needs stay far below (a few m of CPU, ~30Mi)."""


def executor_problem(configmap: dict | None, where: str) -> str | None:
    """Why the controller ConfigMap ``where`` (NAMESPACE/NAME) does not bound the executor, or None."""
    if configmap is None:
        return f"Argo's controller ConfigMap {where} was not found"
    text = (configmap.get("data") or {}).get("executor")
    if not text:
        return f"Argo's controller ConfigMap {where} sets no executor resources"
    try:
        executor = yaml.safe_load(text) if len(text) < 65536 else None
    except yaml.YAMLError:
        executor = None
    resources = (executor or {}).get("resources") if isinstance(executor, dict) else None
    if not isinstance(resources, dict):
        return f"the executor setting of {where} has no resources"
    missing = [
        f"{part}.{what}"
        for part in ("requests", "limits")
        for what in ("cpu", "memory")
        if not isinstance(resources.get(part), dict) or not resources[part].get(what)
    ]
    if missing:
        return f"the executor resources of {where} leave out {', '.join(missing)}"
    return None


def fix_command(where: str) -> str:
    """The kubectl command an admin runs once (Argo's controller reloads its ConfigMap)."""
    namespace, name = where.split("/", 1)
    value = yaml.safe_dump({"resources": EXECUTOR_RESOURCES}, default_flow_style=True).strip()
    patch = '{"data":{"executor":"' + value.replace('"', '\\"') + '"}}'
    return f"kubectl -n {namespace} patch configmap {name} --type merge -p '{patch}'"


__all__ = ["EXECUTOR_RESOURCES", "executor_problem", "fix_command"]

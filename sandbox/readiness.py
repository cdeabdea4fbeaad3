"""Waiting until a sandbox is usable, through the Kubernetes API: nodes Ready, deployments
Available, jobs Complete.

Every function reads the sandbox's own kubeconfig file explicitly (never the default config or
``$KUBECONFIG``), lists the objects once, then follows a watch from that list's resourceVersion
until the condition holds or the deadline passes; on timeout the error says what was last seen
(which node, which condition), not just "timeout".

Importing the ``kubernetes`` client costs seconds (it loads ~850 model modules), so
:func:`preload` starts that import in a background thread while kind creates the cluster.
"""

from __future__ import annotations

import importlib
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sandbox.errors import NotReady

NODES_READY_TIMEOUT = 300
HEALTH_TIMEOUT = 20
DEPLOYMENTS_TIMEOUT = 300
JOB_TIMEOUT = 300
RETRY_PAUSE = 0.5
_preloading: list[threading.Thread] = []


def preload() -> None:
    """Import the kubernetes client in the background (idempotent, thread-safe enough: a second
    import simply waits on Python's import lock)."""
    if not _preloading:
        thread = threading.Thread(target=_import_client, daemon=True, name="kubernetes-import")
        _preloading.append(thread)
        thread.start()


def _import_client() -> None:
    for module in ("kubernetes.client", "kubernetes.config", "kubernetes.watch"):
        importlib.import_module(module)


def api_client(kubeconfig: Path):
    """A :class:`kubernetes.client.ApiClient` for exactly this kubeconfig file."""
    from kubernetes import client, config

    configuration = client.Configuration()
    try:
        config.load_kube_config(config_file=str(kubeconfig), client_configuration=configuration,
                                persist_config=False)
    except (config.ConfigException, OSError, ValueError, TypeError) as err:
        raise NotReady(f"failed to read kubeconfig {kubeconfig}: {err}") from err
    # No urllib3 retries with back-off: the wait loops retry themselves and keep the deadline.
    configuration.retries = 0
    return client.ApiClient(configuration)


def node_problem(node: dict | Any) -> str | None:
    """Why a node (a dict or a client model) is not Ready; ``None`` when it is."""
    data = node if isinstance(node, dict) else node.to_dict()
    for cond in (data.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            if cond.get("status") == "True":
                return None
            return f"Ready={cond.get('status')} ({cond.get('reason') or 'no reason'})"
    return "no Ready condition yet"


def wait_nodes_ready(kubeconfig: Path, expected: list[str], *, timeout: float = NODES_READY_TIMEOUT) -> list[str]:
    """Wait until every node in ``expected`` exists and is Ready; return all node names.

    Raises:
        NotReady: at the deadline, naming each node that is missing or not Ready.
    """
    from kubernetes import client

    with api_client(kubeconfig) as api:
        core = client.CoreV1Api(api)
        seen: dict[str, str | None] = {}

        def problems() -> list[str]:
            missing = [f"{n}: not registered" for n in expected if n not in seen]
            return missing + [f"{n}: {p}" for n, p in sorted(seen.items()) if p]

        _follow(core.list_node, lambda obj: seen.__setitem__(obj["metadata"]["name"], node_problem(obj)),
                lambda obj: seen.pop(obj["metadata"]["name"], None), lambda: not problems(),
                timeout=timeout, what="nodes Ready", last=lambda: "; ".join(problems()))
        return sorted(seen)


def deployment_problem(obj: dict) -> str | None:
    """Why a Deployment is not Available with all replicas updated; ``None`` when it is."""
    status = obj.get("status") or {}
    want = (obj.get("spec") or {}).get("replicas", 1)
    for cond in status.get("conditions") or []:
        if cond.get("type") == "Available" and cond.get("status") == "True":
            if (status.get("availableReplicas") or 0) >= want:
                return None
    return f"{status.get('availableReplicas') or 0}/{want} replicas available"


def wait_deployments_available(kubeconfig: Path, namespace: str, *, names: list[str] | None = None,
                               timeout: float = DEPLOYMENTS_TIMEOUT) -> None:
    """Wait until the Deployments in ``namespace`` (all, or ``names``) are Available."""
    from kubernetes import client

    with api_client(kubeconfig) as api:
        apps = client.AppsV1Api(api)
        seen: dict[str, str | None] = {}

        def problems() -> list[str]:
            missing = [f"{n}: not created" for n in names or () if n not in seen]
            return missing + [f"{n}: {p}" for n, p in sorted(seen.items()) if p and (not names or n in names)]

        _follow(lambda **kw: apps.list_namespaced_deployment(namespace, **kw),
                lambda obj: seen.__setitem__(obj["metadata"]["name"], deployment_problem(obj)),
                lambda obj: seen.pop(obj["metadata"]["name"], None), lambda: not problems(),
                timeout=timeout, what=f"deployments Available in {namespace}",
                last=lambda: "; ".join(problems()))


def job_outcome(obj: dict) -> str | None:
    """``"Complete"`` or ``"Failed"`` once a Job has finished, else ``None``."""
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") in ("Complete", "Failed") and cond.get("status") == "True":
            return cond["type"]
    return None


def wait_job(kubeconfig: Path, namespace: str, name: str, *, timeout: float = JOB_TIMEOUT) -> str:
    """Wait until Job ``name`` finishes; return ``"Complete"`` or ``"Failed"``."""
    from kubernetes import client

    with api_client(kubeconfig) as api:
        batch = client.BatchV1Api(api)
        outcome: dict[str, str | None] = {}

        def on_job(obj: dict) -> None:
            if obj["metadata"]["name"] == name:
                outcome["value"] = job_outcome(obj)

        _follow(lambda **kw: batch.list_namespaced_job(namespace, field_selector=f"metadata.name={name}", **kw),
                on_job, lambda obj: None, lambda: bool(outcome.get("value")), timeout=timeout,
                what=f"job {namespace}/{name} to finish", last=lambda: "still running")
        return outcome["value"] or "Failed"


def _follow(list_fn: Callable, on_object: Callable, on_delete: Callable, done: Callable[[], bool], *,
            timeout: float, what: str, last: Callable[[], str]) -> None:
    """List, then watch from the list's resourceVersion, until ``done()``; retry on API errors."""
    from kubernetes import watch

    deadline = time.monotonic() + timeout
    error = ""
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            detail = last() or error
            raise NotReady(f"timed out after {timeout:g} s waiting for {what}: {detail or 'nothing seen'}")
        try:
            # Raw JSON, so that listed objects and watched ones (raw_object) have one shape.
            response = list_fn(_request_timeout=min(remaining, 30), _preload_content=False)
            listing = json.loads(response.data)
            for item in listing.get("items") or []:
                on_object(item)
            if done():
                return
            stream = watch.Watch().stream(
                list_fn, resource_version=(listing.get("metadata") or {}).get("resourceVersion"),
                timeout_seconds=max(1, int(remaining)), _request_timeout=remaining + 5,
            )
            for event in stream:
                obj = event["raw_object"]
                if event["type"] == "DELETED":
                    on_delete(obj)
                elif event["type"] in ("ADDED", "MODIFIED"):
                    on_object(obj)
                if done():
                    return
                if time.monotonic() >= deadline:
                    break
        except NotReady:
            raise
        except Exception as err:  # the API may be starting, or the watch expired (410 Gone)
            error = f"{type(err).__name__}: {str(err).splitlines()[0][:160] if str(err) else ''}"
            time.sleep(min(RETRY_PAUSE, max(0.0, deadline - time.monotonic())))


__all__ = [
    "DEPLOYMENTS_TIMEOUT",
    "HEALTH_TIMEOUT",
    "JOB_TIMEOUT",
    "NODES_READY_TIMEOUT",
    "api_client",
    "deployment_problem",
    "job_outcome",
    "node_problem",
    "preload",
    "wait_deployments_available",
    "wait_job",
    "wait_nodes_ready",
]

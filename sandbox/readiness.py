"""Waiting until a sandbox is usable, through the Kubernetes API: nodes Ready, deployments
Available, jobs Complete.

Every function reads the sandbox's own kubeconfig file explicitly (never the default config or
``$KUBECONFIG``), lists the objects once, then follows a watch from that list's resourceVersion
until the condition holds or the deadline passes; on timeout the error says what was last seen
(which node, which condition), not just "timeout".

The generated API classes of the ``kubernetes`` client (``CoreV1Api`` ...) build hundreds of
pydantic models when first imported, seconds of CPU. These waits need three list-and-watch
calls and no models, so they go through the client's ``ApiClient`` (kubeconfig loading, TLS,
auth, ``watch.Watch``) with raw paths and JSON, and :func:`preload` imports that much in a
background thread while kind creates the cluster.
"""

from __future__ import annotations

import importlib
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from coursecore._quickimport import import_jsonschema_quickly
from sandbox.errors import NotReady

NODES_READY_TIMEOUT = 300
HEALTH_TIMEOUT = 20
DEPLOYMENTS_TIMEOUT = 300
JOB_TIMEOUT = 300
RETRY_PAUSE = 0.5
_preloading: list[threading.Thread] = []
_preload_lock = threading.Lock()


def preload() -> None:
    """Import the kubernetes client in the background (idempotent). Whoever needs the client
    next waits for this import to finish (:func:`_await_preload`) instead of racing it."""
    with _preload_lock:
        if not _preloading:
            thread = threading.Thread(target=_import_client, daemon=True, name="kubernetes-import")
            _preloading.append(thread)
            thread.start()


def _import_client() -> None:
    try:
        import_jsonschema_quickly()
        for module in ("kubernetes.client.api_client", "kubernetes.config.kube_config", "kubernetes.watch"):
            importlib.import_module(module)
    except Exception:  # noqa: BLE001 - the caller imports again and reports the error itself
        pass


def _await_preload() -> None:
    """Let a background import finish before importing here. Two threads importing the
    ``kubernetes`` package at once see each other's half-initialised modules ("cannot import
    name 'Watch' from partially initialized module", or importlib's ``_DeadlockError``): a kind
    that returns at once made ``up`` die with a traceback."""
    for thread in list(_preloading):
        if thread is not threading.current_thread():
            thread.join()


def api_client(kubeconfig: Path):
    """A :class:`kubernetes.client.ApiClient` for exactly this kubeconfig file."""
    _await_preload()
    import_jsonschema_quickly()
    from kubernetes import config
    from kubernetes.client.api_client import ApiClient
    from kubernetes.client.configuration import Configuration

    configuration = Configuration()
    try:
        config.load_kube_config(config_file=str(kubeconfig), client_configuration=configuration, persist_config=False)
    except (config.ConfigException, OSError, ValueError, TypeError) as err:
        raise NotReady(f"failed to read kubeconfig {kubeconfig}: {err}") from err
    # No urllib3 retries with back-off: the wait loops retry themselves and keep the deadline.
    configuration.retries = 0
    return ApiClient(configuration)


def lister(api, path: str, **query: str):
    """A list function for ``path`` (``/api/v1/nodes``) in the shape :class:`kubernetes.watch.Watch`
    calls: it takes ``watch``, ``resource_version``, ``timeout_seconds`` and ``_request_timeout``
    and returns the raw HTTP response (JSON body, or a stream of JSON lines when watching)."""

    # No return annotation and no docstring: Watch reads them to find a model to build.
    def list_objects(
        *, watch=False, resource_version=None, timeout_seconds=None, _request_timeout=None, _preload_content=False
    ):
        from kubernetes.client.exceptions import ApiException

        params = [(k, v) for k, v in query.items()]
        if watch:
            params.append(("watch", "true"))
        if resource_version:
            params.append(("resourceVersion", str(resource_version)))
        if timeout_seconds:
            params.append(("timeoutSeconds", str(timeout_seconds)))
        method, url, headers, _, _ = api.param_serialize(
            "GET",
            path,
            query_params=params,
            header_params={"Accept": "application/json"},
            auth_settings=["BearerToken"],
        )
        response = api.call_api(method, url, header_params=headers, _request_timeout=_request_timeout)
        if not 200 <= response.status <= 299:
            raise ApiException(status=response.status, reason=response.reason)
        return response.response

    return list_objects


def get_json(api, path: str, *, timeout: float = 10) -> dict | None:
    """GET one object at ``path`` as JSON; ``None`` if it does not exist (404)."""
    from kubernetes.client.exceptions import ApiException

    method, url, headers, _, _ = api.param_serialize(
        "GET", path, header_params={"Accept": "application/json"}, auth_settings=["BearerToken"]
    )
    response = api.call_api(method, url, header_params=headers, _request_timeout=timeout)
    if response.status == 404:
        return None
    if not 200 <= response.status <= 299:
        raise ApiException(status=response.status, reason=response.reason)
    return json.loads(response.read())


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
    with api_client(kubeconfig) as api:
        seen: dict[str, str | None] = {}

        def problems() -> list[str]:
            missing = [f"{n}: not registered" for n in expected if n not in seen]
            return missing + [f"{n}: {p}" for n, p in sorted(seen.items()) if p]

        _follow(
            lister(api, "/api/v1/nodes"),
            lambda obj: seen.__setitem__(obj["metadata"]["name"], node_problem(obj)),
            lambda obj: seen.pop(obj["metadata"]["name"], None),
            lambda: not problems(),
            timeout=timeout,
            what="nodes Ready",
            last=lambda: "; ".join(problems()),
        )
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


def wait_deployments_available(
    kubeconfig: Path, namespace: str, *, names: list[str] | None = None, timeout: float = DEPLOYMENTS_TIMEOUT
) -> None:
    """Wait until the Deployments in ``namespace`` (all, or ``names``) are Available."""
    with api_client(kubeconfig) as api:
        seen: dict[str, str | None] = {}

        def problems() -> list[str]:
            missing = [f"{n}: not created" for n in names or () if n not in seen]
            return missing + [f"{n}: {p}" for n, p in sorted(seen.items()) if p and (not names or n in names)]

        _follow(
            lister(api, f"/apis/apps/v1/namespaces/{namespace}/deployments"),
            lambda obj: seen.__setitem__(obj["metadata"]["name"], deployment_problem(obj)),
            lambda obj: seen.pop(obj["metadata"]["name"], None),
            lambda: not problems(),
            timeout=timeout,
            what=f"deployments Available in {namespace}",
            last=lambda: "; ".join(problems()),
        )


def job_outcome(obj: dict) -> str | None:
    """``"Complete"`` or ``"Failed"`` once a Job has finished, else ``None``."""
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") in ("Complete", "Failed") and cond.get("status") == "True":
            return cond["type"]
    return None


def wait_job(kubeconfig: Path, namespace: str, name: str, *, timeout: float = JOB_TIMEOUT) -> str:
    """Wait until Job ``name`` finishes; return ``"Complete"`` or ``"Failed"``."""
    with api_client(kubeconfig) as api:
        outcome: dict[str, str | None] = {}

        def on_job(obj: dict) -> None:
            if obj["metadata"]["name"] == name:
                outcome["value"] = job_outcome(obj)

        _follow(
            lister(api, f"/apis/batch/v1/namespaces/{namespace}/jobs", fieldSelector=f"metadata.name={name}"),
            on_job,
            lambda obj: None,
            lambda: bool(outcome.get("value")),
            timeout=timeout,
            what=f"job {namespace}/{name} to finish",
            last=lambda: "still running",
        )
        return outcome["value"] or "Failed"


def _follow(
    list_fn: Callable,
    on_object: Callable,
    on_delete: Callable,
    done: Callable[[], bool],
    *,
    timeout: float,
    what: str,
    last: Callable[[], str],
) -> None:
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
            listing = json.loads(list_fn(_request_timeout=min(remaining, 30)).data)
            for item in listing.get("items") or []:
                on_object(item)
            if done():
                return
            stream = watch.Watch().stream(
                list_fn,
                resource_version=(listing.get("metadata") or {}).get("resourceVersion"),
                timeout_seconds=max(1, int(remaining)),
                _request_timeout=remaining + 5,
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
    "get_json",
    "lister",
    "deployment_problem",
    "job_outcome",
    "node_problem",
    "preload",
    "wait_deployments_available",
    "wait_job",
    "wait_nodes_ready",
]

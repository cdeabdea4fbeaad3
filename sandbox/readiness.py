"""Waiting until a sandbox is usable, through the Kubernetes API: nodes Ready, deployments
Available, a Service with a ready endpoint, jobs Complete.

Every function reads the sandbox's own kubeconfig file explicitly (never the default config or
``$KUBECONFIG``), lists the objects once, then follows a watch from that list's resourceVersion
until the condition holds or the deadline passes; on timeout the error says what was last seen
(which node, which condition), not just "timeout". Requests go through :mod:`coursecore.kube`,
light (without the client) until a watch is needed: confirming nodes that are already Ready
costs one request and no client import. :func:`preload` imports the client in a background
thread while kind creates the cluster.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from coursecore import kube
from coursecore.errors import ApiRefused, ClusterUnreachable, KubecourseError, UsageError
from sandbox.errors import NotReady

NODES_READY_TIMEOUT = 300
HEALTH_TIMEOUT = 20
PROBE_TIMEOUT = (3.0, 5.0)  # connect, read: a quick look, not a wait
DEPLOYMENTS_TIMEOUT = 300
JOB_TIMEOUT = 300
ENDPOINT_TIMEOUT = 120
SERVICE_NAME_LABEL = "kubernetes.io/service-name"
RETRY_PAUSE = 0.5
LIST_TIMEOUT = 30.0
ADVICE = kube.Advice(
    reach="check that the sandbox's cluster runs (`kubecourse ls`)",
    forbidden="the sandbox's credentials lack this right: recreate the sandbox, or ask the instructor",
)
preload = kube.preload


@contextmanager
def connect(kubeconfig: Path, *, timeout: tuple[float, float] = kube.REQUEST_TIMEOUT) -> Iterator[kube.Kube]:
    """A client for exactly the sandbox's kubeconfig file, closed afterwards; light (see
    :func:`coursecore.kube.connect`): the waits list first and watch only if they must.

    Raises:
        NotReady: the file cannot be read as a kubeconfig.
    """
    try:
        # No urllib3 retries with back-off: the wait loops retry themselves and keep the deadline.
        api = kube.connect(kubeconfig, advice=ADVICE, retries=0, timeout=timeout, light=True)
    except UsageError as err:
        raise NotReady(f"failed to read kubeconfig {kubeconfig}: {err.message}") from err
    with api:
        yield api


def node_problem(node: dict | Any) -> str | None:
    """Why a node (a dict or a client model) is not Ready; ``None`` when it is."""
    data = node if isinstance(node, dict) else node.to_dict()
    for cond in (data.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            if cond.get("status") == "True":
                return None
            return f"Ready={cond.get('status')} ({cond.get('reason') or 'no reason'})"
    return "no Ready condition yet"


def nodes_ready_now(kubeconfig: Path, expected: list[str]) -> list[str] | None:
    """All node names if every node in ``expected`` is registered and Ready right now, through
    the sandbox's own credentials; ``None`` otherwise (unreachable, refused, not Ready, a
    kubeconfig that cannot be read): :func:`wait_nodes_ready` then waits and says why. One
    request, no wait."""
    try:
        with connect(kubeconfig, timeout=PROBE_TIMEOUT) as api:
            items = api.list("/api/v1/nodes", timeout=PROBE_TIMEOUT).items
    except KubecourseError:
        return None
    problems = {obj["metadata"]["name"]: node_problem(obj) for obj in items if (obj.get("metadata") or {}).get("name")}
    if any(name not in problems or problems[name] for name in expected):
        return None
    return sorted(problems)


def wait_nodes_ready(kubeconfig: Path, expected: list[str], *, timeout: float = NODES_READY_TIMEOUT) -> list[str]:
    """Wait until every node in ``expected`` exists and is Ready; return all node names.

    Raises:
        NotReady: at the deadline, naming each node that is missing or not Ready.
    """
    with connect(kubeconfig) as api:
        seen: dict[str, str | None] = {}

        def problems() -> list[str]:
            missing = [f"{n}: not registered" for n in expected if n not in seen]
            return missing + [f"{n}: {p}" for n, p in sorted(seen.items()) if p]

        _follow(
            api,
            "/api/v1/nodes",
            {},
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
    with connect(kubeconfig) as api:
        seen: dict[str, str | None] = {}

        def problems() -> list[str]:
            missing = [f"{n}: not created" for n in names or () if n not in seen]
            return missing + [f"{n}: {p}" for n, p in sorted(seen.items()) if p and (not names or n in names)]

        _follow(
            api,
            f"/apis/apps/v1/namespaces/{namespace}/deployments",
            {},
            lambda obj: seen.__setitem__(obj["metadata"]["name"], deployment_problem(obj)),
            lambda obj: seen.pop(obj["metadata"]["name"], None),
            lambda: not problems(),
            timeout=timeout,
            what=f"deployments Available in {namespace}",
            last=lambda: "; ".join(problems()),
        )


def endpoint_problem(slices: list[dict]) -> str | None:
    """Why a Service's EndpointSlices hold no ready endpoint; ``None`` when one does.

    An endpoint counts when it has an address and its ``conditions.ready`` is not false (an
    unset condition means ready: discovery/v1 EndpointConditions). Without one, kube-apiserver
    cannot call a webhook behind the Service: with aggregator routing its endpoint resolver
    says "no endpoints available for service" (k8s.io/apiserver pkg/util/proxy), without it
    (kind's default) the dial to the ClusterIP is refused. Kueue's own end-to-end scripts wait
    for the same thing after its Deployment is Available (hack/testing/e2e-common.sh).
    """
    if not slices:
        return "no EndpointSlice yet (no Pod of the Service has been seen)"
    addresses = 0
    for eps in slices:
        for endpoint in eps.get("endpoints") or []:
            if not endpoint.get("addresses"):
                continue
            if (endpoint.get("conditions") or {}).get("ready") is not False:
                return None
            addresses += 1
    return f"{addresses} endpoint(s), none ready" if addresses else "no endpoints yet"


def wait_service_endpoint(
    kubeconfig: Path, namespace: str, service: str, *, timeout: float = ENDPOINT_TIMEOUT, hint: str = ""
) -> None:
    """Wait until Service ``namespace/service`` has a ready endpoint (:func:`endpoint_problem`).

    Raises:
        NotReady: at the deadline, naming the Service and what its EndpointSlices hold; ``hint``
            becomes the error's hint.
    """
    with connect(kubeconfig) as api:
        slices: dict[str, dict] = {}
        _follow(
            api,
            f"/apis/discovery.k8s.io/v1/namespaces/{namespace}/endpointslices",
            {"labelSelector": f"{SERVICE_NAME_LABEL}={service}"},
            lambda obj: slices.__setitem__(obj["metadata"]["name"], obj),
            lambda obj: slices.pop(obj["metadata"]["name"], None),
            lambda: endpoint_problem(list(slices.values())) is None,
            timeout=timeout,
            what=f"a ready endpoint of service {namespace}/{service}",
            last=lambda: endpoint_problem(list(slices.values())) or "",
            hint=hint,
            on_list=slices.clear,
        )


def webhook_unanswered(err: ApiRefused) -> bool:
    """Whether the API server refused a write because it could not call an admission webhook
    (kube-apiserver's "failed calling webhook", an InternalError), rather than for what the write
    said: a webhook that answers, even with a refusal, is up."""
    return err.status == 500 and "failed calling webhook" in (err.detail or err.message)


def wait_webhooks_answer(
    kubeconfig: Path, path: str, body: dict, *, timeout: float = ENDPOINT_TIMEOUT, hint: str = ""
) -> None:
    """Send ``body`` to ``path`` as a server-side dry run until no webhook call fails.

    A ready endpoint is not yet a reachable one: kube-apiserver dials the webhook Service's
    ClusterIP, and until kube-proxy on the node has programmed it the call is refused
    ("connect: connection refused"). Only a write the webhooks are called for shows they answer.

    Raises:
        NotReady: a webhook call still failed at the deadline (its error becomes the message's end),
            or the try the deadline cut short got no answer.
        ClusterUnreachable: the API server did not answer (or refused the credentials) before the
            deadline.
    """
    deadline = time.monotonic() + timeout
    last = ""
    with connect(kubeconfig) as api:
        while True:
            remaining = max(0.1, deadline - time.monotonic())
            try:
                api.request("POST", path, body=body, query={"dryRun": "All"}, timeout=min(remaining, LIST_TIMEOUT))
                return
            except ApiRefused as err:
                if not webhook_unanswered(err):
                    return
                last = err.detail or err.message
            except ClusterUnreachable as err:
                # The last try runs at the deadline with what is left (0.1 s): on a loaded machine it
                # can go unanswered; that is the wait running out, and the webhooks' last error says
                # why, not "did not answer in time".
                if time.monotonic() < deadline:
                    raise
                last = last or err.message
            if time.monotonic() >= deadline:
                raise NotReady(f"admission webhooks did not answer within {timeout:g} s: {last}", hint=hint)
            time.sleep(min(RETRY_PAUSE, max(0.0, deadline - time.monotonic())))


def job_outcome(obj: dict) -> str | None:
    """``"Complete"`` or ``"Failed"`` once a Job has finished, else ``None``."""
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") in ("Complete", "Failed") and cond.get("status") == "True":
            return cond["type"]
    return None


def wait_job(kubeconfig: Path, namespace: str, name: str, *, timeout: float = JOB_TIMEOUT) -> str:
    """Wait until Job ``name`` finishes; return ``"Complete"`` or ``"Failed"``."""
    with connect(kubeconfig) as api:
        outcome: dict[str, str | None] = {}

        def on_job(obj: dict) -> None:
            if obj["metadata"]["name"] == name:
                outcome["value"] = job_outcome(obj)

        _follow(
            api,
            f"/apis/batch/v1/namespaces/{namespace}/jobs",
            {"fieldSelector": f"metadata.name={name}"},
            on_job,
            lambda obj: None,
            lambda: bool(outcome.get("value")),
            timeout=timeout,
            what=f"job {namespace}/{name} to finish",
            last=lambda: "still running",
        )
        return outcome["value"] or "Failed"


def _follow(
    api: kube.Kube,
    path: str,
    query: dict[str, str],
    on_object: Callable,
    on_delete: Callable,
    done: Callable[[], bool],
    *,
    timeout: float,
    what: str,
    last: Callable[[], str],
    hint: str = "",
    on_list: Callable[[], None] | None = None,
) -> None:
    """List ``path``, then watch from the list's resourceVersion, until ``done()``; retry on
    errors (the API may still be starting) until the deadline. ``on_list`` runs before each
    listing is read (to forget what an earlier one held)."""
    deadline = time.monotonic() + timeout
    error = ""
    listed = False
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            # Until a listing succeeds, what `last()` describes is only what was expected (a node
            # "not registered"): the unanswered server is the news.
            detail = (last() or error) if listed else (f"the API server never answered ({error})" if error else last())
            raise NotReady(f"timed out after {timeout:g} s waiting for {what}: {detail or 'nothing seen'}", hint=hint)
        try:
            listing = api.list(path, query=query, timeout=min(remaining, LIST_TIMEOUT))
            listed = True
            if on_list is not None:
                on_list()
            for item in listing.items:
                on_object(item)
            if done():
                return
            events = api.watch(path, resource_version=listing.resource_version, seconds=remaining, query=query)
            for event_type, obj in events:
                if event_type == "EXPIRED":
                    break  # too old a resourceVersion to watch from: list again
                if event_type == "DELETED":
                    on_delete(obj)
                elif event_type in ("ADDED", "MODIFIED"):
                    on_object(obj)
                if done():
                    return
                if time.monotonic() >= deadline:
                    break
        except NotReady:
            raise
        except Exception as err:  # noqa: BLE001 - the API may be starting: refused, 503, a half-written answer
            text = getattr(err, "message", None) or str(err)
            error = f"{type(err).__name__}: {text.splitlines()[0][:160] if text else ''}"
            time.sleep(min(RETRY_PAUSE, max(0.0, deadline - time.monotonic())))


__all__ = [
    "DEPLOYMENTS_TIMEOUT",
    "ENDPOINT_TIMEOUT",
    "wait_webhooks_answer",
    "webhook_unanswered",
    "HEALTH_TIMEOUT",
    "JOB_TIMEOUT",
    "NODES_READY_TIMEOUT",
    "PROBE_TIMEOUT",
    "connect",
    "deployment_problem",
    "endpoint_problem",
    "job_outcome",
    "node_problem",
    "nodes_ready_now",
    "preload",
    "wait_deployments_available",
    "wait_job",
    "wait_nodes_ready",
    "wait_service_endpoint",
]

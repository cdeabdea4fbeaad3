"""Checks of the troubleshooting lab: one check per fault of ``starter/broken.yaml``, each read
from the state the cluster reports (Deployment status, the Pods' container states and
conditions, the Service's EndpointSlices), not from the manifests.

A fault counts as fixed when the workload does its job again, not when it disappears: deleting a
Deployment, dropping its CPU request or its configuration file is not a fix.
"""

from __future__ import annotations

from autograder import objects
from autograder.checks import check, fail, ok
from autograder.paths import get

NAMESPACE = "troubleshoot"
PULL_ERRORS = {"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"}
SERVICE_LABEL = "kubernetes.io/service-name"


def _gone(what):
    return f"no {what} in namespace {NAMESPACE}: apply broken.yaml, then fix it (deleting it is not a fix)"


def _deployment(state, name):
    return state.get("Deployment", name, namespace=NAMESPACE)


def _pods(state, deployment):
    labels = get(deployment, "spec.selector.matchLabels", default=None)
    if not labels:
        return []
    return [
        p for p in state.objects("Pod", namespace=NAMESPACE, labels=labels) if not get(p, "metadata.deletionTimestamp")
    ]


def _waiting(pods):
    return sorted({r for p in pods for r in get(p, "status.containerStatuses[*].state.waiting.reason") if r})


def _available(d):
    wanted = get(d, "spec.replicas", default=1)
    return (
        wanted >= 1
        and get(d, "status.availableReplicas", default=0) >= wanted
        and get(d, "status.updatedReplicas", default=0) >= wanted
    )


def _status_line(d, pods):
    wanted = get(d, "spec.replicas", default=1)
    text = f"{get(d, 'status.availableReplicas', default=0)} of {wanted} available"
    reasons = _waiting(pods)
    return text + (f"; containers waiting: {', '.join(reasons)}" if reasons else "")


def _settle(state, name):
    """The Deployment once available, else as it is. A live cluster gets a little time for a
    rollout in progress, but none when a Pod already shows a failure that will not heal itself."""
    d = _deployment(state, name)
    if d is None or _available(d):
        return d
    pods = _pods(state, d)
    stuck = (PULL_ERRORS | {"CrashLoopBackOff"}) & set(_waiting(pods)) or any(
        c.get("type") == "PodScheduled" and c.get("status") == "False"
        for p in pods
        for c in get(p, "status.conditions", default=None) or []
    )
    if stuck:
        return d
    return state.wait_for("Deployment", name, namespace=NAMESPACE, condition=_available, timeout=30) or _deployment(
        state, name
    )


@check(
    id="image-pulls",
    title="samples-web runs: its image can be pulled",
    points=2,
    timeout=90,
    hint="kubectl get pods -n troubleshoot shows ImagePullBackOff; kubectl describe pod shows the Events with the "
    "exact image reference that failed. Look the tag up in the registry, fix the image, apply again.",
)
def image_pulls(state):
    d = _settle(state, "samples-web")
    if d is None:
        return fail(_gone("Deployment samples-web"))
    pods = _pods(state, d)
    stuck = PULL_ERRORS & set(_waiting(pods))
    if stuck or not _available(d):
        return fail(f"samples-web: {_status_line(d, pods)}")
    images = ", ".join(str(c.get("image")) for c in objects.containers(d))
    return ok(f"samples-web available, image {images}")


@check(
    id="no-crash-loop",
    title="ingest runs without crashing and still reads its settings",
    points=2,
    timeout=90,
    hint="CrashLoopBackOff means the container starts and exits, again and again. kubectl logs -n troubleshoot "
    "deploy/ingest --previous shows what the last run printed before it died; compare it with where the "
    "ConfigMap is mounted (kubectl describe pod).",
)
def no_crash_loop(state):
    d = _settle(state, "ingest")
    if d is None:
        return fail(_gone("Deployment ingest"))
    pods = _pods(state, d)
    if "CrashLoopBackOff" in _waiting(pods) or not _available(d):
        return fail(f"ingest: {_status_line(d, pods)}")
    containers = objects.containers(d)
    text = " ".join(str(w) for c in containers for w in (c.get("command") or []) + (c.get("args") or []))
    mounts = {m.get("mountPath") for c in containers for m in c.get("volumeMounts") or []}
    if "settings.ini" not in text or not any(m and f"{m.rstrip('/')}/settings.ini" in text for m in mounts):
        return fail(
            "ingest runs, but no longer reads settings.ini from where the ConfigMap is mounted: "
            "the fix is the path, not removing the read"
        )
    return ok("ingest available and reading its settings")


@check(
    id="scheduled",
    title="analysis is scheduled: its CPU request fits a node",
    points=2,
    timeout=90,
    hint="A Pending Pod with a FailedScheduling event (kubectl describe pod, or kubectl get events -n troubleshoot) "
    "says which resource no node has enough of. Compare with kubectl describe node (Allocatable) and request "
    "what the program needs; keep a request.",
)
def scheduled(state):
    d = _settle(state, "analysis")
    if d is None:
        return fail(_gone("Deployment analysis"))
    pods = _pods(state, d)
    unschedulable = [
        p
        for p in pods
        if any(
            c.get("type") == "PodScheduled" and c.get("status") == "False"
            for c in get(p, "status.conditions", default=None) or []
        )
    ]
    if unschedulable:
        message = next(
            (
                c.get("message")
                for c in get(unschedulable[0], "status.conditions") or []
                if c.get("type") == "PodScheduled"
            ),
            "",
        )
        return fail(f"analysis Pod {unschedulable[0]['metadata']['name']} cannot be scheduled: {message}")
    if not _available(d):
        return fail(f"analysis: {_status_line(d, pods)}")
    containers = objects.containers(d)
    if not all(get(c, "resources.requests.cpu") for c in containers):
        return fail(
            "analysis runs without a CPU request now; keep one that fits (e.g. 100m), so the scheduler can plan"
        )
    return ok(
        "analysis scheduled and available, cpu request "
        + ", ".join(str(get(c, "resources.requests.cpu")) for c in containers)
    )


@check(
    id="service-endpoints",
    title="Service samples-web selects the samples-web Pods",
    points=2,
    timeout=60,
    hint="kubectl get endpointslices -n troubleshoot -l kubernetes.io/service-name=samples-web shows no endpoints. "
    "Compare the Service's selector (kubectl describe service) with the Pods' labels (kubectl get pods --show-labels).",
)
def service_endpoints(state):
    s = state.get("Service", "samples-web", namespace=NAMESPACE)
    if s is None:
        return fail(_gone("Service samples-web"))
    d = _deployment(state, "samples-web")
    selector = get(s, "spec.selector", default=None) or {}
    labels = get(d, "spec.template.metadata.labels", default=None) or {} if d else {}
    if not selector or any(labels.get(k) != v for k, v in selector.items()):
        shown = ", ".join(f"{k}={v}" for k, v in selector.items()) or "none"
        return fail(f"selector {shown} does not match the samples-web Pods' labels")
    pods = {p["metadata"]["name"] for p in _pods(state, d)} if d else set()
    slices = state.objects("EndpointSlice", namespace=NAMESPACE, labels={SERVICE_LABEL: "samples-web"})
    endpoints = [e for sl in slices for e in sl.get("endpoints") or [] if get(e, "targetRef.name") in pods]
    if not endpoints:
        return fail("the selector is right, but no endpoints are listed yet: are the samples-web Pods running?")
    ready = sum(1 for e in endpoints if get(e, "conditions.ready") is True)
    return ok(f"{len(endpoints)} endpoint(s), {ready} ready")

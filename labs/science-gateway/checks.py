"""Checks of the science-gateway lab: Deployment ``gateway`` and Service ``gateway`` in namespace
``gateway``. They read the Deployment's status (available replicas, the ``Available``
condition), compare the Service's selector and ports with the Deployment's Pod template, and
read the EndpointSlices that Kubernetes keeps for the Service: the proof that traffic has
somewhere to go.
"""

from __future__ import annotations

from autograder import objects
from autograder.checks import check, fail, ok, partial
from autograder.paths import get

NAMESPACE = "gateway"
NAME = "gateway"
MIN_REPLICAS = 2
SERVICE_LABEL = "kubernetes.io/service-name"


def _deployment(state):
    return state.get("Deployment", NAME, namespace=NAMESPACE)


def _service(state):
    return state.get("Service", NAME, namespace=NAMESPACE)


def _resolve_target(target, containers):
    """The container port a Service's targetPort reaches, or None."""
    for c in containers:
        for p in c.get("ports") or []:
            if target == p.get("containerPort") or (isinstance(target, str) and target == p.get("name")):
                return p.get("containerPort")
    return None


@check(
    id="deployment-exists",
    title="Deployment gateway exists in namespace gateway",
    points=1,
    hint="kubectl apply -f gateway.yaml (a Deployment named gateway in namespace gateway).",
)
def deployment_exists(state):
    return ok("found Deployment gateway") if _deployment(state) else fail("no Deployment gateway in namespace gateway")


@check(
    id="replicas",
    title="The gateway runs at least two replicas",
    points=1,
    hint="spec.replicas: 2 (or more): one Pod can then restart or move while the other keeps serving.",
)
def replicas(state):
    d = _deployment(state)
    if d is None:
        return fail("no Deployment gateway in namespace gateway")
    count = get(d, "spec.replicas", default=1)
    return (
        ok(f"{count} replicas")
        if count >= MIN_REPLICAS
        else fail(f"spec.replicas is {count}, expected at least {MIN_REPLICAS}")
    )


@check(
    id="readiness-probe",
    title="Every container has a readiness probe",
    points=1,
    hint="Add readinessProbe: {httpGet: {path: /healthz, port: http}}: a Pod gets traffic only once it answers.",
)
def readiness_probe(state):
    d = _deployment(state)
    if d is None:
        return fail("no Deployment gateway in namespace gateway")
    containers = objects.containers(d)
    missing = [c.get("name") for c in containers if not c.get("readinessProbe")]
    if not containers or missing:
        return fail(f"no readinessProbe on: {', '.join(map(str, missing)) or 'any container'}")
    return ok(", ".join(f"{c.get('name')}: {_probe_text(c['readinessProbe'])}" for c in containers))


def _probe_text(probe):
    if "httpGet" in probe:
        return f"GET {get(probe, 'httpGet.path', default='/')} on port {get(probe, 'httpGet.port')}"
    return next(iter(probe), "probe")


@check(
    id="requests",
    title="Every container requests CPU and memory",
    points=1,
    hint="resources: {requests: {cpu: 100m, memory: 64Mi}}: the scheduler places Pods by what they request.",
)
def requests(state):
    d = _deployment(state)
    if d is None:
        return fail("no Deployment gateway in namespace gateway")
    containers = objects.containers(d)
    wanted = [(c, r) for c in containers for r in ("cpu", "memory")]
    missing = [f"{c.get('name')}: {r}" for c, r in wanted if not get(c, f"resources.requests.{r}")]
    if not missing and wanted:
        return ok("cpu and memory requested")
    if len(missing) == len(wanted):
        return fail("no resource requests set")
    return partial(1 - len(missing) / len(wanted), "missing requests: " + ", ".join(missing))


@check(
    id="deployment-available",
    title="The rollout finished and every replica is available",
    points=2,
    timeout=90,
    hint="kubectl rollout status deployment/gateway -n gateway; if it hangs, kubectl get pods -n gateway and "
    "kubectl describe pod show why (image pull errors, a failing readiness probe).",
)
def deployment_available(state):
    if _deployment(state) is None:
        return fail("no Deployment gateway in namespace gateway")

    def done(d):
        wanted = get(d, "spec.replicas", default=1)
        return (
            get(d, "status.availableReplicas", default=0) >= wanted
            and get(d, "status.updatedReplicas", default=0) >= wanted
            and get(objects.condition(d, "Available"), "status") == "True"
        )

    # Wait for a rollout in progress, but not for Pods that already show a failure that lasts.
    stuck = {"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "CrashLoopBackOff"} & {
        r for p in _pods(state) for r in get(p, "status.containerStatuses[*].state.waiting.reason") if r
    }
    d = None if stuck else state.wait_for("Deployment", NAME, namespace=NAMESPACE, condition=done, timeout=60)
    if d is not None:
        return ok(f"{get(d, 'status.availableReplicas')} of {get(d, 'spec.replicas', default=1)} replicas available")
    d = _deployment(state) or {}
    available = get(d, "status.availableReplicas", default=0)
    cond = objects.condition(d, "Available") or {}
    reasons = sorted({r for p in _pods(state) for r in get(p, "status.containerStatuses[*].state.waiting.reason") if r})
    why = f"; containers waiting: {', '.join(reasons)}" if reasons else ""
    return fail(
        f"{available} of {get(d, 'spec.replicas', default=1)} replicas available "
        f"(Available: {cond.get('status', 'unknown')}, {cond.get('reason', 'no reason')}){why}"
    )


def _pods(state):
    d = _deployment(state)
    labels = get(d, "spec.selector.matchLabels", default=None) if d else None
    return state.objects("Pod", namespace=NAMESPACE, labels=labels) if labels else []


@check(
    id="service-selects-pods",
    title="Service gateway selects the Deployment's Pods",
    points=2,
    hint="The Service's spec.selector must list labels that the Pod template (spec.template.metadata.labels) carries, "
    "with the same values.",
)
def service_selects_pods(state):
    s = _service(state)
    if s is None:
        return fail("no Service gateway in namespace gateway")
    d = _deployment(state)
    if d is None:
        return fail("no Deployment gateway to select")
    selector = get(s, "spec.selector", default=None) or {}
    labels = get(d, "spec.template.metadata.labels", default=None) or {}
    if not selector:
        return fail("the Service has no selector, so Kubernetes does not route it to any Pod")
    wrong = [
        f"{k}={v} (Pods have {k}={labels[k]})" if k in labels else f"{k}={v} (Pods have no label {k})"
        for k, v in selector.items()
        if labels.get(k) != v
    ]
    if wrong:
        return fail("selector does not match the Pods: " + ", ".join(wrong))
    return ok("selector " + ", ".join(f"{k}={v}" for k, v in selector.items()))


@check(
    id="service-port",
    title="The Service listens on port 80 and forwards to the app's port",
    points=1,
    hint="ports: [{port: 80, targetPort: http}], where http names the container port 8080 (a number works too).",
)
def service_port(state):
    s = _service(state)
    if s is None:
        return fail("no Service gateway in namespace gateway")
    containers = objects.containers(_deployment(state) or {})
    ports = get(s, "spec.ports", default=None) or []
    for p in ports:
        if p.get("port") != 80:
            continue
        target = p.get("targetPort", 80)
        reached = _resolve_target(target, containers)
        if reached is not None:
            return ok(f"port 80 -> container port {reached}")
        declared = sorted({q.get("containerPort") for c in containers for q in c.get("ports") or []} - {None})
        return fail(f"port 80 forwards to {target!r}, but the container listens on {declared or 'no declared port'}")
    return fail(f"no Service port 80 (ports: {[p.get('port') for p in ports]})")


@check(
    id="endpoints-ready",
    title="The Service has ready endpoints (traffic reaches a Pod)",
    points=1,
    timeout=90,
    hint="kubectl get endpointslices -n gateway -l kubernetes.io/service-name=gateway lists the Pods behind the "
    "Service; empty means the selector matches nothing or no Pod is ready.",
)
def endpoints_ready(state):
    if _service(state) is None:
        return fail("no Service gateway in namespace gateway")
    slices = state.objects("EndpointSlice", namespace=NAMESPACE, labels={SERVICE_LABEL: NAME})
    endpoints = [e for s in slices for e in s.get("endpoints") or []]
    ready = [e for e in endpoints if get(e, "conditions.ready") is True]
    if ready:
        pods = ", ".join(str(get(e, "targetRef.name", default="?")) for e in ready)
        return ok(f"{len(ready)} ready endpoint{'s' if len(ready) != 1 else ''}: {pods}")
    if endpoints:
        return fail(f"{len(endpoints)} endpoint(s), none ready: the readiness probe fails")
    return fail("no endpoints: the Service selects no running Pod")

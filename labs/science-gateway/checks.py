"""Checks of the science-gateway lab: Deployment ``gateway`` and Service ``gateway`` in namespace
``gateway``. They read the Deployment's status (available replicas), compare the Service's
selector and ports with the Deployment's Pod template, and read the EndpointSlices that
Kubernetes keeps for the Service: the proof that traffic has somewhere to go.
"""

from __future__ import annotations

from autograder import objects
from autograder.checks import check, fail, ok
from autograder.expect import expect_fields, require
from autograder.match import at_least
from autograder.paths import get
from autograder.workloads import expect_endpoints, expect_requests, expect_rolled_out, expect_selects

NAMESPACE = "gateway"


def _deployment(state):
    return require(state, "Deployment", "gateway", namespace=NAMESPACE)


def _service(state):
    return require(state, "Service", "gateway", namespace=NAMESPACE)


def _resolve_target(target, containers):
    """The container port a Service's targetPort reaches, or None."""
    for c in containers:
        for p in c.get("ports") or []:
            if target == p.get("containerPort") or (isinstance(target, str) and target == p.get("name")):
                return p.get("containerPort")
    return None


def _probe_text(probe):
    if "httpGet" in probe:
        return f"GET {get(probe, 'httpGet.path', default='/')} on port {get(probe, 'httpGet.port')}"
    return next(iter(probe), "probe")


@check(points=1)
def deployment_exists(state):
    """Deployment gateway exists in namespace gateway

    kubectl apply -f gateway.yaml (a Deployment named gateway in namespace gateway).
    """
    return ok(f"found Deployment {objects.name(_deployment(state))}")


@check(points=1)
def replicas(state):
    """The gateway runs at least two replicas

    spec.replicas: 2 (or more): one Pod can then restart or move while the other keeps serving.
    """
    d = _deployment(state)
    return expect_fields(d, {"spec": {"replicas": at_least(2)}}, passed=f"{get(d, 'spec.replicas')} replicas")


@check(points=1)
def readiness_probe(state):
    """Every container has a readiness probe

    Add readinessProbe: {httpGet: {path: /healthz, port: http}}: a Pod gets traffic only once it answers.
    """
    containers = objects.containers(_deployment(state))
    missing = [c.get("name") for c in containers if not c.get("readinessProbe")]
    if not containers or missing:
        return fail(f"no readinessProbe on: {', '.join(map(str, missing)) or 'any container'}")
    return ok(", ".join(f"{c.get('name')}: {_probe_text(c['readinessProbe'])}" for c in containers))


@check(points=1)
def requests(state):
    """Every container requests CPU and memory

    resources: {requests: {cpu: 100m, memory: 64Mi}}: the scheduler places Pods by what they request.
    """
    return expect_requests(_deployment(state), partial_credit=True)


@check(points=2, timeout=90)
def deployment_available(state):
    """The rollout finished and every replica is available

    kubectl rollout status deployment/gateway -n gateway; if it hangs, kubectl get pods -n gateway and kubectl describe
    pod show why (image pull errors, a failing readiness probe).
    """
    return expect_rolled_out(state, _deployment(state), timeout=60)


@check(points=2)
def service_selects_pods(state):
    """Service gateway selects the Deployment's Pods

    The Service's spec.selector must list labels that the Pod template (spec.template.metadata.labels) carries, with the
    same values.
    """
    return expect_selects(_service(state), _deployment(state))


@check(points=1)
def service_port(state):
    """The Service listens on port 80 and forwards to the app's port

    ports: [{port: 80, targetPort: http}], where http names the container port 8080 (a number works too).
    """
    s = _service(state)
    containers = objects.containers(_deployment(state))
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


@check(points=1, timeout=90)
def endpoints_ready(state):
    """The Service has ready endpoints (traffic reaches a Pod)

    kubectl get endpointslices -n gateway -l kubernetes.io/service-name=gateway lists the Pods behind the Service; empty
    means the selector matches nothing or no Pod is ready.
    """
    return expect_endpoints(state, _service(state), _deployment(state), ready=True)

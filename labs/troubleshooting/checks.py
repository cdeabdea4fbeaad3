"""Checks of the troubleshooting lab: one check per fault of ``starter/broken.yaml``, each read
from the state the cluster reports (Deployment status, the Pods' container states and
conditions, the Service's EndpointSlices), not from the manifests.

A fault counts as fixed when the workload does its job again, not when it disappears: deleting a
Deployment, dropping its CPU request or its configuration file is not a fix.
"""

from __future__ import annotations

from autograder import objects
from autograder.checks import Unmet, check, fail, ok
from autograder.expect import require
from autograder.paths import get
from autograder.workloads import expect_endpoints, pods_of, rolled_out, rollout_line, settle_rollout

NAMESPACE = "troubleshoot"


def _require(state, kind, name):
    """The object; fixing a fault by deleting its object fails the check, saying so."""
    try:
        return require(state, kind, name, namespace=NAMESPACE)
    except Unmet as missing:
        message = f"{missing.message}: apply broken.yaml, then fix it (deleting it is not a fix)"
        raise Unmet(message, root=missing.root) from None


def _settled(state, name):
    """Deployment ``name`` once rolled out, else as it is, and its Pods."""
    d = settle_rollout(state, _require(state, "Deployment", name), timeout=30)
    return d, pods_of(state, d)


@check(points=2, timeout=90)
def image_pulls(state):
    """samples-web runs: its image can be pulled

    kubectl get pods -n troubleshoot shows ImagePullBackOff; kubectl describe pod shows the Events with the exact image
    reference that failed. Look the tag up in the registry, fix the image, apply again.
    """
    d, pods = _settled(state, "samples-web")
    if objects.IMAGE_PULL_ERRORS & set(objects.waiting_reasons(pods)) or not rolled_out(d):
        return fail(f"samples-web: {rollout_line(d, pods)}")
    images = ", ".join(str(c.get("image")) for c in objects.containers(d))
    return ok(f"samples-web available, image {images}")


@check(points=2, timeout=90)
def no_crash_loop(state):
    """ingest runs without crashing and still reads its settings

    CrashLoopBackOff means the container starts and exits, again and again. kubectl logs -n troubleshoot deploy/ingest
    --previous shows what the last run printed before it died; compare it with where the ConfigMap is mounted (kubectl
    describe pod).
    """
    d, pods = _settled(state, "ingest")
    if "CrashLoopBackOff" in objects.waiting_reasons(pods) or not rolled_out(d):
        return fail(f"ingest: {rollout_line(d, pods)}")
    containers = objects.containers(d)
    text = " ".join(str(w) for c in containers for w in (c.get("command") or []) + (c.get("args") or []))
    mounts = {m.get("mountPath") for c in containers for m in c.get("volumeMounts") or []}
    if "settings.ini" not in text or not any(m and f"{m.rstrip('/')}/settings.ini" in text for m in mounts):
        return fail(
            "ingest runs, but no longer reads settings.ini from where the ConfigMap is mounted: "
            "the fix is the path, not removing the read"
        )
    return ok("ingest available and reading its settings")


@check(points=2, timeout=90)
def scheduled(state):
    """analysis is scheduled: its CPU request fits a node

    A Pending Pod with a FailedScheduling event (kubectl describe pod, or kubectl get events -n troubleshoot) says which
    resource no node has enough of. Compare with kubectl describe node (Allocatable) and request what the program needs;
    keep a request.
    """
    d, pods = _settled(state, "analysis")
    unschedulable = objects.unschedulable(pods)
    if unschedulable:
        first = unschedulable[0]
        return fail(f"analysis Pod {objects.name(first)} cannot be scheduled: {objects.scheduling_problem(first)}")
    if not rolled_out(d):
        return fail(f"analysis: {rollout_line(d, pods)}")
    containers = objects.containers(d)
    if not all(get(c, "resources.requests.cpu") for c in containers):
        return fail(
            "analysis runs without a CPU request now; keep one that fits (e.g. 100m), so the scheduler can plan"
        )
    return ok(
        "analysis scheduled and available, cpu request "
        + ", ".join(str(get(c, "resources.requests.cpu")) for c in containers)
    )


@check(points=2, timeout=60)
def service_endpoints(state):
    """Service samples-web selects the samples-web Pods

    kubectl get endpointslices -n troubleshoot -l kubernetes.io/service-name=samples-web shows no endpoints. Compare the
    Service's selector (kubectl describe service) with the Pods' labels (kubectl get pods --show-labels).
    """
    service = _require(state, "Service", "samples-web")
    return expect_endpoints(state, service, _require(state, "Deployment", "samples-web"), ready=False)

"""The rules several labs check, each written once: requests, pinned images, Jobs that complete,
Deployments that roll out, Services that reach their Pods.

Each ``expect_*`` function returns an :class:`~autograder.checks.Outcome`, so a lab's check is
one line once it holds the object::

    @check(points=1)
    def requests(state):
        '''Every container requests CPU and memory'''
        return expect_requests(require(state, "Job", "sweep", namespace="batch"))

The functions that take ``state`` may wait on a live cluster (never on a snapshot) for a Job or a
rollout that is still under way, or for a rolled-out workload's endpoints, and do not wait for
Pods that show a failure waiting will not mend (see :data:`autograder.objects.LASTING_WAITS`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from autograder import objects
from autograder.checks import Outcome, fail, ok, partial
from autograder.paths import get
from autograder.state import Obj, State

ENDPOINTS_SETTLE = 10.0
"""Seconds a live cluster gets to list a rolled-out workload's Pods in its Service's endpoints."""
ENDPOINTS_POLL = 0.5


def _holder(obj: Obj) -> str:
    return "Pod" if str(obj.get("kind", "")).lower() == "pod" else "Pod template"


def expect_requests(obj: Obj, *, resources: Iterable[str] = objects.RESOURCES, partial_credit: bool = False) -> Outcome:
    """Every container of ``obj`` (a Pod or a workload) requests each of ``resources``.

    With ``partial_credit`` a container that requests some of them earns the share it requests.
    """
    resources = tuple(resources)
    found = objects.containers(obj)
    if not found:
        return fail(f"the {_holder(obj)} has no containers")
    missing = objects.missing_requests(obj, resources)
    if not missing:
        return ok(
            "; ".join(
                f"{c.get('name')}: " + ", ".join(f"{r} {get(c, f'resources.requests.{r}')}" for r in resources)
                for c in found
            )
        )
    wanted = len(found) * len(resources)
    if len(missing) == wanted:
        return fail("no resource requests set")
    message = "missing requests: " + ", ".join(missing)
    return partial(1 - len(missing) / wanted, message) if partial_credit else fail(message)


def expect_pinned_images(obj: Obj) -> Outcome:
    """Every container's image names a version (a tag other than ``latest``, or a digest)."""
    found = objects.containers(obj)
    if not found:
        return fail(f"the {_holder(obj)} has no containers")
    for container in found:
        image = str(container.get("image", ""))
        tag = objects.image_tag(image)
        if tag is None:
            return fail(f"container {container.get('name')}: image {image!r} has no tag, so it means :latest")
        if tag == "latest":
            return fail(f"container {container.get('name')}: image {image!r} uses the moving tag :latest")
    return ok(", ".join(str(c.get("image")) for c in found))


def pods_of(state: State, workload: Obj) -> list[Obj]:
    """The Pods ``workload`` selects (``spec.selector.matchLabels``) in its namespace, leaving out
    those being deleted."""
    labels = get(workload, "spec.selector.matchLabels", default=None)
    if not labels or not isinstance(labels, dict):
        return []
    namespace = get(workload, "metadata.namespace")
    return [
        p for p in state.objects("Pod", namespace=namespace, labels=labels) if not get(p, "metadata.deletionTimestamp")
    ]


def job_finished(job: Obj) -> bool:
    """Whether a Job has ended, either way (its ``Complete`` or ``Failed`` condition is true)."""
    return objects.is_true(job, "Complete") or objects.is_true(job, "Failed")


def settle(state: State, obj: Obj, done: Callable[[Obj], bool], *, timeout: float) -> Obj:
    """``obj`` as it is once ``done(obj)`` holds; on a live cluster this waits up to ``timeout``
    seconds for it (0: not at all), on a snapshot it is ``obj`` as read."""
    if done(obj) or timeout <= 0:
        return obj
    found = state.wait_for(
        str(obj.get("kind")),
        objects.name(obj),
        namespace=get(obj, "metadata.namespace"),
        condition=done,
        timeout=timeout,
    )
    return found if found is not None else obj


def expect_job_complete(state: State, job: Obj, *, timeout: float = 90.0) -> Outcome:
    """The Job completed: every completion (every index of an Indexed Job) succeeded.

    A live cluster gets ``timeout`` seconds for a Job still running to finish.
    """
    job = settle(state, job, job_finished, timeout=timeout)
    completions = objects.integer(get(job, "spec.completions")) or 1
    succeeded = objects.integer(get(job, "status.succeeded")) or 0
    failed = objects.condition(job, "Failed", status="True")
    if failed:
        why = f" ({failed['message']})" if failed.get("message") else ""
        indexes = get(job, "status.failedIndexes")
        return fail(f"the Job failed: {failed.get('reason')}{why}" + (f"; failed indexes {indexes}" if indexes else ""))
    if not objects.is_true(job, "Complete"):
        active = objects.integer(get(job, "status.active")) or 0
        return fail(f"not complete yet: {succeeded} of {completions} succeeded, {active} running")
    missing = sorted(set(range(completions)) - objects.index_set(get(job, "status.completedIndexes")))
    if get(job, "spec.completionMode") == "Indexed" and missing:
        return fail(f"indexes {missing} did not complete")
    if succeeded < completions:
        return fail(f"only {succeeded} of {completions} succeeded")
    return ok(f"Complete: {succeeded} of {completions} succeeded")


def rolled_out(deployment: Obj) -> bool:
    """Whether every wanted replica (at least one) runs the current template and is available."""
    wanted = objects.integer(get(deployment, "spec.replicas"), 1)
    status = {k: objects.integer(get(deployment, f"status.{k}"), 0) for k in ("availableReplicas", "updatedReplicas")}
    generation = objects.integer(get(deployment, "metadata.generation"))
    observed = objects.integer(get(deployment, "status.observedGeneration"))
    return (
        wanted >= 1
        and status["availableReplicas"] >= wanted
        and status["updatedReplicas"] >= wanted
        and (generation is None or observed is None or observed >= generation)
    )


def blocked(pods: Iterable[Obj]) -> bool:
    """Whether some Pod shows a failure that waiting will not mend (no node fits it, or its
    container waits for a reason in :data:`autograder.objects.LASTING_WAITS`)."""
    pods = list(pods)
    return bool(objects.unschedulable(pods) or set(objects.waiting_reasons(pods)) & objects.LASTING_WAITS)


def settle_rollout(state: State, deployment: Obj, *, timeout: float = 60.0) -> Obj:
    """The Deployment once rolled out; a live cluster gets ``timeout`` seconds for a rollout in
    progress, none when its Pods are :func:`blocked`."""
    if rolled_out(deployment) or blocked(pods_of(state, deployment)):
        return deployment
    return settle(state, deployment, rolled_out, timeout=timeout)


def rollout_line(deployment: Obj, pods: Iterable[Obj]) -> str:
    """``1 of 2 replicas available, 2 updated; containers waiting: ImagePullBackOff``."""
    pods = list(pods)
    wanted = objects.integer(get(deployment, "spec.replicas"), 1)
    available = objects.integer(get(deployment, "status.availableReplicas"), 0)
    updated = objects.integer(get(deployment, "status.updatedReplicas"), 0)
    parts = [f"{available} of {wanted} replicas available, {updated} updated"]
    reasons = objects.waiting_reasons(pods)
    if reasons:
        parts.append(f"containers waiting: {', '.join(reasons)}")
    stuck = objects.unschedulable(pods)
    if stuck:
        parts.append(f"{len(stuck)} Pod(s) cannot be scheduled: {objects.scheduling_problem(stuck[0])}")
    return "; ".join(parts)


def rollout_root(deployment: Obj) -> tuple:
    """The root of failures caused by a Deployment that has not rolled out."""
    return ("not-rolled-out", get(deployment, "metadata.namespace"), objects.name(deployment))


def expect_rolled_out(state: State, deployment: Obj, *, timeout: float = 60.0) -> Outcome:
    """Every replica of the Deployment is updated and available (see :func:`rolled_out`); a
    failure has the root :func:`rollout_root`."""
    deployment = settle_rollout(state, deployment, timeout=timeout)
    if rolled_out(deployment):
        wanted = objects.integer(get(deployment, "spec.replicas"), 1)
        return ok(f"{get(deployment, 'status.availableReplicas')} of {wanted} replicas available")
    return fail(rollout_line(deployment, pods_of(state, deployment)), root=rollout_root(deployment))


def selector_root(service: Obj) -> tuple:
    """The root of failures caused by a Service whose selector misses its Pods."""
    return ("selector", get(service, "metadata.namespace"), objects.name(service))


def expect_selects(service: Obj, workload: Obj) -> Outcome:
    """The Service's selector matches the labels of the workload's Pod template; a failure has
    the root :func:`selector_root`."""
    selector = get(service, "spec.selector", default=None) or {}
    labels = get(workload, "spec.template.metadata.labels", default=None) or {}
    if not isinstance(selector, dict) or not selector:
        return fail(
            "the Service has no selector, so Kubernetes does not route it to any Pod", root=selector_root(service)
        )
    wrong = [
        f"{k}={v} (Pods have {k}={labels[k]})" if k in labels else f"{k}={v} (Pods have no label {k})"
        for k, v in selector.items()
        if labels.get(k) != v
    ]
    if wrong:
        return fail("selector does not match the Pods: " + ", ".join(wrong), root=selector_root(service))
    return ok("selector " + ", ".join(f"{k}={v}" for k, v in selector.items()))


SERVICE_LABEL = "kubernetes.io/service-name"


def endpoints_of(state: State, service: Obj) -> list[Obj]:
    """The endpoints the Service's EndpointSlices list (Kubernetes keeps them for the Service)."""
    slices = state.objects(
        "EndpointSlice", namespace=get(service, "metadata.namespace"), labels={SERVICE_LABEL: objects.name(service)}
    )
    return [e for s in slices for e in s.get("endpoints") or [] if isinstance(e, dict)]


def is_ready(endpoint: Obj) -> bool:
    """Whether an EndpointSlice endpoint takes traffic."""
    return get(endpoint, "conditions.ready") is True


def expect_endpoints(state: State, service: Obj, workload: Obj, *, ready: bool = True) -> Outcome:
    """The Service lists the workload's Pods as endpoints (ready ones, with ``ready``).

    When it does not because the selector misses the Pods, or because the workload has not
    rolled out, the failure has that root (:func:`selector_root`, :func:`rollout_root`), so it is
    reported as a consequence of the check that says so.
    """
    selected = expect_selects(service, workload)
    if selected.fraction < 1:
        return selected
    # The EndpointSlice controller lists a Pod, and marks it ready, on its own clock: right after
    # a rollout, or a Service applied after it, a live cluster can still have none. A rolled-out
    # workload gets ENDPOINTS_SETTLE seconds for them; a snapshot is read as it is.
    waits = state.source == "live" and rolled_out(workload)
    deadline = time.monotonic() + (ENDPOINTS_SETTLE if waits else 0.0)
    while True:
        pods = {objects.name(p) for p in pods_of(state, workload)}
        found = [e for e in endpoints_of(state, service) if get(e, "targetRef.name") in pods]
        taking = [e for e in found if is_ready(e)]
        if (taking if ready else found) or time.monotonic() >= deadline:
            break
        time.sleep(ENDPOINTS_POLL)
    if taking if ready else found:
        names = ", ".join(str(get(e, "targetRef.name", default="?")) for e in taking)
        return ok(
            f"{len(taking)} ready endpoint(s): {names}" if ready else f"{len(found)} endpoint(s), {len(taking)} ready"
        )
    root = rollout_root(workload) if not rolled_out(workload) else None
    if found:
        return fail(f"{len(found)} endpoint(s), none ready: no Pod passes its readiness probe", root=root)
    return fail("no endpoints: the Service's selector is right, but no Pod of it is running", root=root)


__all__ = [
    "SERVICE_LABEL",
    "blocked",
    "endpoints_of",
    "expect_job_complete",
    "expect_pinned_images",
    "expect_requests",
    "expect_rolled_out",
    "expect_endpoints",
    "expect_selects",
    "is_ready",
    "job_finished",
    "pods_of",
    "rolled_out",
    "rollout_line",
    "rollout_root",
    "selector_root",
    "settle",
    "settle_rollout",
]

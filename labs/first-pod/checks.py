"""Checks of the first-pod lab: a Pod ``hello`` in namespace ``first-pod`` that ran busybox.

Read by the autograder (``kubecourse check first-pod``); the learner-facing text is in each
check's title and hint. ``restart-never`` is hidden: the notebook does not reveal its logic.
"""

from __future__ import annotations

from autograder import objects
from autograder.checks import check, fail, ok
from autograder.expect import expect_fields, require
from autograder.paths import get
from autograder.workloads import expect_pinned_images, expect_requests

NAMESPACE = "first-pod"
RAN = ("Running", "Succeeded")


def _pod(state):
    return require(state, "Pod", "hello", namespace=NAMESPACE)


@check(points=1)
def pod_exists(state):
    """Pod hello exists in namespace first-pod

    Apply your manifest: kubectl apply -f pod.yaml (metadata.name hello, metadata.namespace first-pod).
    """
    return ok(f"found Pod {objects.name(_pod(state))}")


@check(points=1)
def image_pinned(state):
    """The container image is pinned to a version tag

    Write the image with an explicit version, e.g. busybox:1.36; no tag means :latest, which can change under you.
    """
    return expect_pinned_images(_pod(state))


@check(points=1)
def labelled(state):
    """The Pod carries the label app: hello

    Add labels: {app: hello} under metadata; then kubectl get pods -n first-pod -l app=hello finds it.
    """
    return expect_fields(_pod(state), {"metadata": {"labels": {"app": "hello"}}})


@check(points=1)
def requests_set(state):
    """Every container requests CPU and memory

    Under the container add resources: {requests: {cpu: 50m, memory: 16Mi}}; the scheduler places Pods by their
    requests.
    """
    # Half a request is half the job: partial credit, and the message says what is missing.
    return expect_requests(_pod(state), partial_credit=True)


def _settled(pod) -> bool:
    """Ran, failed, or stuck: nothing more to wait for."""
    return get(pod, "status.phase") in (*RAN, "Failed") or bool(
        set(objects.waiting_reasons([pod])) & objects.LASTING_WAITS
    )


@check(points=2, timeout=60)
def pod_ran(state):
    """The Pod ran (phase Running or Succeeded)

    Look at kubectl describe pod hello -n first-pod: the Events at the bottom say why it did not start (a typo in the
    image name shows as ErrImagePull).
    """
    pod = _pod(state)
    # Live, a Pod applied a moment ago may still be pulling its image: wait a little for it.
    pod = state.wait_for("Pod", "hello", namespace=NAMESPACE, timeout=20, condition=_settled) or _pod(state)
    phase = get(pod, "status.phase", default="unknown")
    if phase in RAN:
        return ok(f"phase {phase}")
    waiting = objects.waiting_reasons([pod])
    exits = [c for c in get(pod, "status.containerStatuses[*].state.terminated.exitCode") if c]
    if waiting:
        return fail(f"phase {phase}: container waiting ({', '.join(waiting)})")
    if exits:
        return fail(f"phase {phase}: container exited with code {exits[0]}")
    return fail(f"phase {phase}")


@check(points=1, hidden=True)
def restart_never(state):
    """The Pod restarts as a one-off command should

    A command that runs once should not be restarted, not even when it fails: then a failure shows in the Pod's phase
    and its logs stay readable. Compare what each restartPolicy does when the container exits.
    """
    return expect_fields(_pod(state), {"spec": {"restartPolicy": "Never"}})

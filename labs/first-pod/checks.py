"""Checks of the first-pod lab: a Pod ``hello`` in namespace ``first-pod`` that ran busybox.

Read by the autograder (``kubecourse check first-pod``); the learner-facing text is in each
check's title and hint. ``restart-never`` is hidden: the notebook does not reveal its logic.
"""

from __future__ import annotations

from autograder import objects
from autograder.checks import check, fail, ok, partial
from autograder.expect import expect
from autograder.paths import get

NAMESPACE = "first-pod"
POD = "hello"
RAN = ("Running", "Succeeded")


def _pod(state):
    return state.get("Pod", POD, namespace=NAMESPACE)


def _tag(image: str) -> str | None:
    """The tag of an image reference (``busybox:1.36`` -> ``1.36``), or None without one."""
    if "@" in image:
        return "@" + image.split("@", 1)[1]
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


@check(
    id="pod-exists",
    title="Pod hello exists in namespace first-pod",
    points=1,
    hint="Apply your manifest: kubectl apply -f pod.yaml (metadata.name hello, metadata.namespace first-pod).",
)
def pod_exists(state):
    return expect(state, "Pod", name=POD, namespace=NAMESPACE)


@check(
    id="image-pinned",
    title="The container image is pinned to a version tag",
    points=1,
    hint="Write the image with an explicit version, e.g. busybox:1.36; no tag means :latest, which can change under you.",
)
def image_pinned(state):
    pod = _pod(state)
    if pod is None:
        return fail("no Pod hello in namespace first-pod")
    containers = objects.containers(pod)
    if not containers:
        return fail("the Pod has no containers")
    for container in containers:
        image = str(container.get("image", ""))
        tag = _tag(image)
        if tag is None:
            return fail(f"container {container.get('name')}: image {image!r} has no tag, so it means :latest")
        if tag == "latest":
            return fail(f"container {container.get('name')}: image {image!r} uses the moving tag :latest")
    return ok(", ".join(str(c.get("image")) for c in containers))


@check(
    id="labelled",
    title="The Pod carries the label app: hello",
    points=1,
    hint="Add labels: {app: hello} under metadata; then kubectl get pods -n first-pod -l app=hello finds it.",
)
def labelled(state):
    return expect(state, "Pod", name=POD, namespace=NAMESPACE, matches={"metadata": {"labels": {"app": "hello"}}})


@check(
    id="requests-set",
    title="Every container requests CPU and memory",
    points=1,
    hint="Under the container add resources: {requests: {cpu: 50m, memory: 16Mi}}; the scheduler places Pods by their requests.",
)
def requests_set(state):
    pod = _pod(state)
    if pod is None:
        return fail("no Pod hello in namespace first-pod")
    containers = objects.containers(pod)
    if not containers:
        return fail("the Pod has no containers")
    wanted = [(c.get("name"), c, r) for c in containers for r in ("cpu", "memory")]
    missing = [f"{name}: {r}" for name, c, r in wanted if not get(c, f"resources.requests.{r}")]
    if not missing:
        return ok("cpu and memory requested")
    if len(missing) == len(wanted):
        return fail("no resource requests set")
    # Half a request is half the job: partial credit, and the message says what is missing.
    return partial(1 - len(missing) / len(wanted), "missing requests: " + ", ".join(missing))


# Waiting reasons that will not clear up by waiting longer.
STUCK = {"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "CrashLoopBackOff", "CreateContainerConfigError"}


def _settled(pod) -> bool:
    """Ran, failed, or stuck: nothing more to wait for."""
    waiting = set(get(pod, "status.containerStatuses[*].state.waiting.reason"))
    return get(pod, "status.phase") in (*RAN, "Failed") or bool(waiting & STUCK)


@check(
    id="pod-ran",
    title="The Pod ran (phase Running or Succeeded)",
    points=2,
    timeout=60,
    hint="Look at kubectl describe pod hello -n first-pod: the Events at the bottom say why it did not start "
    "(a typo in the image name shows as ErrImagePull).",
)
def pod_ran(state):
    if _pod(state) is None:
        return fail("no Pod hello in namespace first-pod")
    # Live, a Pod applied a moment ago may still be pulling its image: wait a little for it.
    pod = state.wait_for("Pod", POD, namespace=NAMESPACE, timeout=20, condition=_settled) or _pod(state) or {}
    phase = get(pod, "status.phase", default="unknown")
    if phase in RAN:
        return ok(f"phase {phase}")
    waiting = [r for r in get(pod, "status.containerStatuses[*].state.waiting.reason") if r]
    exits = [c for c in get(pod, "status.containerStatuses[*].state.terminated.exitCode") if c]
    if waiting:
        return fail(f"phase {phase}: container waiting ({', '.join(waiting)})")
    if exits:
        return fail(f"phase {phase}: container exited with code {exits[0]}")
    return fail(f"phase {phase}")


@check(
    id="restart-never",
    title="The Pod restarts as a one-off command should",
    points=1,
    hidden=True,
    hint="A command that runs once should not be restarted.",
)
def restart_never(state):
    pod = _pod(state)
    if pod is None:
        return fail("no Pod hello in namespace first-pod")
    policy = get(pod, "spec.restartPolicy", default="Always")
    if policy != "Never":
        return fail(f"restartPolicy is {policy}, expected Never")
    return ok("restartPolicy Never")

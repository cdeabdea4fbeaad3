"""The rules several labs check, each written once: requests, pinned images, Jobs that complete,
Deployments that roll out, Services that reach their Pods.

Each ``expect_*`` function returns an :class:`~autograder.checks.Outcome`, so a lab's check is
one line once it holds the object::

    @check(id="requests", title="Every container requests CPU and memory", points=1, hint="...")
    def requests(state):
        return expect_requests(require(state, "Job", "sweep", namespace="batch"))

The functions that take ``state`` may wait on a live cluster (never on a snapshot) for a Job or a
rollout that is still under way, and do not wait for Pods that show a failure waiting will not
mend (see :data:`autograder.objects.LASTING_WAITS`).
"""

from __future__ import annotations

from collections.abc import Iterable

from autograder import objects
from autograder.checks import Outcome, fail, ok, partial
from autograder.paths import get
from autograder.state import Obj, State


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


__all__ = ["expect_pinned_images", "expect_requests", "pods_of"]

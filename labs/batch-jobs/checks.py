"""Checks of the batch-jobs lab: an Indexed Job ``sweep`` in namespace ``batch`` that ran a
parameter sweep to completion, with a walltime, a retry budget, cleanup and resource requests.

The checks read the Job's spec and the status its controller recorded (``succeeded``,
``completedIndexes``, the ``Complete`` condition), never its Pods, which a finished Job may
already have lost.
"""

from __future__ import annotations

from autograder import objects
from autograder.checks import check, fail, ok, partial
from autograder.paths import get

NAMESPACE = "batch"
JOB = "sweep"
MIN_COMPLETIONS = 5
MIN_TTL = 3600  # the grader must still find the finished Job
MAX_WALLTIME = 24 * 3600


def _job(state):
    return state.get("Job", JOB, namespace=NAMESPACE)


def _number(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _indexes(text):
    """``"0-2,4"`` -> {0, 1, 2, 4} (the format of status.completedIndexes)."""
    found = set()
    for part in filter(None, str(text or "").split(",")):
        low, _, high = part.partition("-")
        found.update(range(int(low), int(high or low) + 1))
    return found


@check(
    id="job-exists",
    title="Job sweep exists in namespace batch",
    points=1,
    hint="kubectl apply -f sweep.yaml (metadata.name sweep, metadata.namespace batch).",
)
def job_exists(state):
    job = _job(state)
    if job is None:
        return fail("no Job sweep in namespace batch")
    return ok(f"found Job sweep, created {get(job, 'metadata.creationTimestamp', default='?')}")


@check(
    id="indexed-sweep",
    title="The Job is Indexed, with at least 5 completions run in parallel",
    points=2,
    hint="Set completionMode: Indexed, completions: 5 or more and parallelism: 2 or more (at most completions).",
)
def indexed_sweep(state):
    job = _job(state)
    if job is None:
        return fail("no Job sweep in namespace batch")
    mode = get(job, "spec.completionMode", default="NonIndexed")
    completions = _number(get(job, "spec.completions"))
    parallelism = _number(get(job, "spec.parallelism")) or 1
    problems = []
    if mode != "Indexed":
        problems.append(f"completionMode is {mode}, not Indexed")
    if completions is None or completions < MIN_COMPLETIONS:
        problems.append(f"completions is {completions}, expected at least {MIN_COMPLETIONS}")
    if not 2 <= parallelism <= (completions or parallelism):
        problems.append(f"parallelism is {parallelism}; run 2 or more at once, at most completions")
    if not problems:
        return ok(f"Indexed, {completions} completions, {parallelism} at a time")
    if len(problems) == 3:
        return fail("; ".join(problems))
    return partial(1 - len(problems) / 3, "; ".join(problems))


@check(
    id="walltime",
    title="The sweep has a walltime (activeDeadlineSeconds)",
    points=1,
    hint="Set spec.activeDeadlineSeconds, e.g. 900: the Job is stopped and marked failed if it runs longer.",
)
def walltime(state):
    job = _job(state)
    if job is None:
        return fail("no Job sweep in namespace batch")
    seconds = _number(get(job, "spec.activeDeadlineSeconds"))
    if seconds is None:
        return fail("spec.activeDeadlineSeconds is not set: a stuck run would hold its resources forever")
    if seconds > MAX_WALLTIME:
        return fail(f"activeDeadlineSeconds is {seconds}; a sweep of a few minutes needs no more than a day")
    return ok(f"walltime {seconds} s")


@check(
    id="retries",
    title="Retries are limited per index (or overall)",
    points=1,
    hint="Set spec.backoffLimitPerIndex (e.g. 1) so that one bad seed cannot use up the whole sweep's retries; "
    "a spec.backoffLimit below the default of 6 is accepted too.",
)
def retries(state):
    job = _job(state)
    if job is None:
        return fail("no Job sweep in namespace batch")
    per_index = _number(get(job, "spec.backoffLimitPerIndex"))
    if per_index is not None:
        return ok(f"backoffLimitPerIndex {per_index}")
    limit = _number(get(job, "spec.backoffLimit"))
    # The API server fills in backoffLimit: 6 when it is left out, so only a lower value shows a choice.
    if limit is not None and limit < 6:
        return ok(f"backoffLimit {limit}")
    return fail(f"no retry limit chosen: backoffLimit is {limit} (6 is the default); set spec.backoffLimitPerIndex")


@check(
    id="cleanup",
    title="The finished Job is cleaned up, but not before it is graded",
    points=1,
    hint=f"Set spec.ttlSecondsAfterFinished to {MIN_TTL} or more (e.g. 86400, a day): the Job and its Pods are "
    "deleted that long after they finish.",
)
def cleanup(state):
    job = _job(state)
    if job is None:
        return fail("no Job sweep in namespace batch")
    ttl = _number(get(job, "spec.ttlSecondsAfterFinished"))
    if ttl is None:
        return fail("spec.ttlSecondsAfterFinished is not set: finished Jobs pile up until someone deletes them")
    if ttl < MIN_TTL:
        return fail(f"ttlSecondsAfterFinished is {ttl}: the Job (and its logs) would vanish before anyone reads them")
    return ok(f"deleted {ttl} s after it finishes")


@check(
    id="requests",
    title="Every container requests CPU and memory",
    points=1,
    hint="Under resources.requests set cpu (e.g. 250m) and memory (e.g. 32Mi): the scheduler packs Pods by requests.",
)
def requests(state):
    job = _job(state)
    if job is None:
        return fail("no Job sweep in namespace batch")
    containers = objects.containers(job)
    if not containers:
        return fail("the Pod template has no containers")
    missing = [
        f"{c.get('name')}: {r}" for c in containers for r in ("cpu", "memory") if not get(c, f"resources.requests.{r}")
    ]
    if missing:
        return fail("missing requests: " + ", ".join(missing))
    return ok(
        ", ".join(
            f"{c.get('name')}: cpu {get(c, 'resources.requests.cpu')}, memory {get(c, 'resources.requests.memory')}"
            for c in containers
        )
    )


@check(
    id="uses-index",
    title="Each run reads its completion index (JOB_COMPLETION_INDEX)",
    points=1,
    hint="Use $JOB_COMPLETION_INDEX in the command (or $(JOB_COMPLETION_INDEX) in args) as the seed: "
    "without it every Pod runs the same seed.",
)
def uses_index(state):
    job = _job(state)
    if job is None:
        return fail("no Job sweep in namespace batch")
    for c in objects.containers(job):
        words = [str(w) for w in (c.get("command") or []) + (c.get("args") or [])]
        words += [str(e.get("value", "")) for e in c.get("env") or [] if isinstance(e, dict)]
        words += [
            str(get(e, "valueFrom.fieldRef.fieldPath", default="")) for e in c.get("env") or [] if isinstance(e, dict)
        ]
        text = " ".join(words)
        if "JOB_COMPLETION_INDEX" in text or "batch.kubernetes.io/job-completion-index" in text:
            return ok(f"container {c.get('name')} reads its index")
    return fail("no container mentions JOB_COMPLETION_INDEX: every Pod would compute the same thing")


@check(
    id="completed",
    title="The sweep completed: every index succeeded",
    points=2,
    timeout=120,
    hint="kubectl get job sweep -n batch; if it failed, kubectl logs -n batch -l job-name=sweep and "
    "kubectl describe job sweep -n batch say why. Fix, delete the Job, apply again.",
)
def completed(state):
    if _job(state) is None:
        return fail("no Job sweep in namespace batch")
    job = state.wait_for(
        "Job",
        JOB,
        namespace=NAMESPACE,
        timeout=90,
        condition=lambda j: (
            objects.condition(j, "Complete", status="True") or objects.condition(j, "Failed", status="True")
        ),
    )
    job = job or _job(state) or {}
    failed = objects.condition(job, "Failed", status="True")
    if failed:
        return fail(f"the Job failed: {failed.get('reason')} ({failed.get('message', '')})")
    completions = _number(get(job, "spec.completions")) or 1
    succeeded = _number(get(job, "status.succeeded")) or 0
    if not objects.condition(job, "Complete", status="True"):
        active = _number(get(job, "status.active")) or 0
        return fail(f"not complete yet: {succeeded}/{completions} succeeded, {active} running")
    missing = sorted(set(range(completions)) - _indexes(get(job, "status.completedIndexes")))
    if get(job, "spec.completionMode") == "Indexed" and missing:
        return fail(f"indexes {missing} did not complete")
    if succeeded < completions:
        return fail(f"only {succeeded}/{completions} succeeded")
    return ok(f"Complete: {succeeded}/{completions} succeeded")

"""Checks of the batch-jobs lab: an Indexed Job ``sweep`` in namespace ``batch`` that ran a
parameter sweep to completion, with a walltime, a retry budget, cleanup and resource requests.

The checks read the Job's spec and the status its controller recorded (``succeeded``,
``completedIndexes``, the ``Complete`` condition), never its Pods, which a finished Job may
already have lost.
"""

from __future__ import annotations

from autograder import objects
from autograder.checks import check, fail, ok, partial
from autograder.expect import require
from autograder.objects import integer
from autograder.paths import get
from autograder.workloads import expect_job_complete, expect_requests

NAMESPACE = "batch"
MIN_COMPLETIONS = 5
MIN_TTL = 3600  # the grader must still find the finished Job
MAX_WALLTIME = 24 * 3600


def _job(state):
    return require(state, "Job", "sweep", namespace=NAMESPACE)


@check(points=1)
def job_exists(state):
    """Job sweep exists in namespace batch

    kubectl apply -f sweep.yaml (metadata.name sweep, metadata.namespace batch).
    """
    job = _job(state)
    return ok(f"found Job sweep, created {get(job, 'metadata.creationTimestamp', default='?')}")


@check(points=2)
def indexed_sweep(state):
    """The Job is Indexed, with at least 5 completions run in parallel

    Set completionMode: Indexed, completions: 5 or more and parallelism: 2 or more (at most completions).
    """
    job = _job(state)
    mode = get(job, "spec.completionMode", default="NonIndexed")
    completions = integer(get(job, "spec.completions"))
    parallelism = integer(get(job, "spec.parallelism")) or 1
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


@check(points=1)
def walltime(state):
    """The sweep has a walltime (activeDeadlineSeconds)

    Set spec.activeDeadlineSeconds, e.g. 900: the Job is stopped and marked failed if it runs longer.
    """
    job = _job(state)
    seconds = integer(get(job, "spec.activeDeadlineSeconds"))
    if seconds is None:
        return fail("spec.activeDeadlineSeconds is not set: a stuck run would hold its resources forever")
    if seconds > MAX_WALLTIME:
        return fail(f"activeDeadlineSeconds is {seconds}; a sweep of a few minutes needs no more than a day")
    return ok(f"walltime {seconds} s")


@check(points=1)
def retries(state):
    """Retries are limited per index (or overall)

    Set spec.backoffLimitPerIndex (e.g. 1) so that one bad seed cannot use up the whole sweep's retries; a
    spec.backoffLimit below the default of 6 is accepted too.
    """
    job = _job(state)
    per_index = integer(get(job, "spec.backoffLimitPerIndex"))
    if per_index is not None:
        return ok(f"backoffLimitPerIndex {per_index}")
    limit = integer(get(job, "spec.backoffLimit"))
    # The API server fills in backoffLimit: 6 when it is left out, so only a lower value shows a choice.
    if limit is not None and limit < 6:
        return ok(f"backoffLimit {limit}")
    return fail(f"no retry limit chosen: backoffLimit is {limit} (6 is the default); set spec.backoffLimitPerIndex")


@check(
    hint=f"Set spec.ttlSecondsAfterFinished to {MIN_TTL} or more (e.g. 86400, a day): the Job and its Pods are "
    "deleted that long after they finish.",
    points=1,
)
def cleanup(state):
    """The finished Job is cleaned up, but not before it is graded"""
    job = _job(state)
    ttl = integer(get(job, "spec.ttlSecondsAfterFinished"))
    if ttl is None:
        return fail("spec.ttlSecondsAfterFinished is not set: finished Jobs pile up until someone deletes them")
    if ttl < MIN_TTL:
        return fail(f"ttlSecondsAfterFinished is {ttl}: the Job (and its logs) would vanish before anyone reads them")
    return ok(f"deleted {ttl} s after it finishes")


@check(points=1)
def requests(state):
    """Every container requests CPU and memory

    Under resources.requests set cpu (e.g. 250m) and memory (e.g. 32Mi): the scheduler packs Pods by requests.
    """
    return expect_requests(_job(state))


@check(points=1)
def uses_index(state):
    """Each run reads its completion index (JOB_COMPLETION_INDEX)

    Use $JOB_COMPLETION_INDEX in the command (or $(JOB_COMPLETION_INDEX) in args) as the seed: without it every Pod runs
    the same seed.
    """
    job = _job(state)
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


@check(points=2, timeout=120)
def completed(state):
    """The sweep completed: every index succeeded

    kubectl get job sweep -n batch; if it failed, kubectl logs -n batch -l job-name=sweep and kubectl describe job sweep
    -n batch say why. Fix, delete the Job, apply again.
    """
    return expect_job_complete(state, _job(state), timeout=90)

"""Checks of the job-queues lab: a Kueue ResourceFlavor, a ClusterQueue with CPU and memory quota,
a LocalQueue in namespace ``queues``, and several Jobs submitted to it, more than the quota holds
at once, that all ran after waiting their turn.

The checks read the queue objects' specs, the Jobs' labels, requests and status, and the
Workloads Kueue keeps for each Job (its admission and the times of its conditions). Kueue's
objects are read by API group, so a cluster serving ``v1beta2`` or only ``v1beta1`` grades alike.

Most failures late in the lab follow from one early mistake (no queue label, no requests, a
queue that admits nothing); the checks name that root, so the learner reads it once.
"""

from __future__ import annotations

from datetime import timedelta

from autograder import objects
from autograder.checks import Outcome, check, fail, ok, partial
from autograder.objects import RESOURCES, is_true, name, timestamp
from autograder.paths import get
from autograder.workloads import job_finished, settle
from manifestlint import quantity

NAMESPACE = "queues"
KUEUE = "kueue.x-k8s.io"  # the API group: either served version will do
QUEUE_LABEL = "kueue.x-k8s.io/queue-name"
MIN_JOBS = 3
SLACK = timedelta(seconds=2)  # condition times are whole seconds, written by different controllers
# The roots the later checks' failures follow from.
NO_FLAVOR = ("no-flavor", KUEUE)
CLUSTER_QUEUE = ("cluster-queue", KUEUE)
LOCAL_QUEUE = ("local-queue", NAMESPACE)
NOT_QUEUED = ("not-queued", NAMESPACE)
NO_REQUESTS = ("no-requests", NAMESPACE)
WITHIN_QUOTA = ("within-quota", NAMESPACE)
STILL_QUEUED = ("still-queued", NAMESPACE)


def _flavors(state):
    return state.objects("ResourceFlavor", api_version=KUEUE)


def _cluster_queues(state):
    return state.objects("ClusterQueue", api_version=KUEUE)


def _local_queues(state):
    return state.objects("LocalQueue", api_version=KUEUE, namespace=NAMESPACE)


def _jobs(state):
    return state.objects("Job", namespace=NAMESPACE)


def _queued_jobs(state):
    return [j for j in _jobs(state) if get(j, f"metadata.labels['{QUEUE_LABEL}']")]


def _quota(cq):
    """{(flavor, resource): nominalQuota} of a ClusterQueue."""
    found = {}
    for group in get(cq, "spec.resourceGroups", default=None) or []:
        for flavor in group.get("flavors") or []:
            for res in flavor.get("resources") or []:
                amount = quantity(res.get("nominalQuota"))
                if amount is not None:
                    found[(flavor.get("name"), res.get("name"))] = amount
    return found


def _requests(job):
    """What Kueue counts for a Job: parallelism times the Pod's requests (init containers aside)."""
    pods = objects.integer(get(job, "spec.parallelism"), 1)
    total = {r: 0 for r in RESOURCES}
    for c in objects.containers(job):
        for r in RESOURCES:
            total[r] += quantity(get(c, f"resources.requests.{r}")) or 0
    return {r: v * pods for r, v in total.items()}


def _workloads(state):
    """{Job name: its Workload}: Kueue makes the Job the Workload's controlling owner."""
    found = {}
    for wl in state.objects("Workload", api_version=KUEUE, namespace=NAMESPACE):
        for ref in get(wl, "metadata.ownerReferences", default=None) or []:
            if ref.get("kind") == "Job":
                found[ref.get("name")] = wl
    return found


def _amount(resource, value):
    """``cpu 1.5``, ``memory 512Mi``: quantities as people write them."""
    if resource == "memory" and value and value % 2**20 == 0:
        return f"memory {int(value) // 2**20}Mi"
    return f"{resource} {value.normalize():f}"


def _quota_line(quota):
    return ", ".join(_amount(r, v) for (_, r), v in sorted(quota.items()))


def _cluster_queue(state) -> Outcome:
    """The best ClusterQueue, graded: quota for CPU and memory of an existing flavor, open to namespaces."""
    queues = _cluster_queues(state)
    if not queues:
        return fail("no ClusterQueue", root=CLUSTER_QUEUE)
    flavors = {name(f) for f in _flavors(state)}
    best, best_problems = None, None
    for cq in queues:
        quota = {k: v for k, v in _quota(cq).items() if k[0] in flavors and v > 0}
        problems = [
            f"no nominalQuota for {r} of an existing flavor" for r in RESOURCES if not any(res == r for _, res in quota)
        ]
        if get(cq, "spec.namespaceSelector", default=None) is None:
            problems.append("no spec.namespaceSelector, so no namespace may use it")
        if best_problems is None or len(problems) < len(best_problems):
            best, best_problems = cq, problems
    if not best_problems:
        return ok(f"ClusterQueue {name(best)}: {_quota_line(_quota(best))}")
    message = f"ClusterQueue {name(best)}: " + "; ".join(best_problems)
    outcome = fail(message) if len(best_problems) == 3 else partial(1 - len(best_problems) / 3, message)
    return outcome.with_root(CLUSTER_QUEUE if flavors else NO_FLAVOR)


def _local_queue(state) -> Outcome:
    queues = _local_queues(state)
    if not queues:
        return fail("no LocalQueue in namespace queues", root=LOCAL_QUEUE)
    existing = {name(cq) for cq in _cluster_queues(state)}
    for lq in queues:
        if get(lq, "spec.clusterQueue") in existing:
            return ok(f"LocalQueue {name(lq)} -> ClusterQueue {get(lq, 'spec.clusterQueue')}")
    named = ", ".join(f"{name(lq)} -> {get(lq, 'spec.clusterQueue')!r}" for lq in queues)
    clusters = ", ".join(sorted(existing)) or "none"
    return fail(f"no LocalQueue names an existing ClusterQueue ({named}; ClusterQueues: {clusters})", root=LOCAL_QUEUE)


def _over_quota(state) -> Outcome:
    jobs = _queued_jobs(state)
    if not jobs:
        return fail("no Jobs carry the queue label", root=NOT_QUEUED)
    totals = {r: sum(_requests(j)[r] for j in jobs) for r in RESOURCES}
    quotas = [_quota(cq) for cq in _cluster_queues(state)]
    for quota in quotas:
        for (_, r), amount in quota.items():
            if r in totals and totals[r] > amount:
                return ok(f"{len(jobs)} Jobs ask for {_amount(r, totals[r])} against a quota of {_amount(r, amount)}")
    asked = ", ".join(_amount(r, v) if v else f"no {r}" for r, v in totals.items())
    have = "; ".join(_quota_line(q) for q in quotas) or "no quota"
    unrequested = any(not _requests(j)[r] for j in jobs for r in RESOURCES)
    return fail(
        f"{len(jobs)} Jobs ask for {asked}, which fits the quota ({have}) all at once: nothing waits",
        root=NO_REQUESTS if unrequested else WITHIN_QUOTA,
    )


def _why_waiting(state):
    """Why Workloads are not admitted: the queue that admits nothing, else just the queue's turn."""
    for verdict in (_cluster_queue(state), _local_queue(state)):
        if verdict.fraction < 1:
            return verdict.root
    return STILL_QUEUED


@check(points=1)
def flavor(state):
    """A ResourceFlavor exists

    Apply a ResourceFlavor (apiVersion kueue.x-k8s.io/v1beta2, metadata.name default-flavor): on a cluster of one kind
    of node it needs no spec at all.
    """
    flavors = _flavors(state)
    if not flavors:
        return fail("no ResourceFlavor: a ClusterQueue's quota is always quota *of a flavor*", root=NO_FLAVOR)
    return ok("ResourceFlavor " + ", ".join(name(f) for f in flavors))


@check(points=2)
def cluster_queue(state):
    """A ClusterQueue gives CPU and memory quota of that flavor to namespace queues

    spec.namespaceSelector: {} (all namespaces; leaving it out admits none), and under spec.resourceGroups
    coveredResources [cpu, memory] with a flavor whose name is your ResourceFlavor's and a nominalQuota for cpu and for
    memory.
    """
    return _cluster_queue(state)


@check(points=1)
def local_queue(state):
    """A LocalQueue in namespace queues points to a ClusterQueue

    kind: LocalQueue, metadata.namespace: queues, spec.clusterQueue: the name of your ClusterQueue (exactly: a
    LocalQueue that names a missing ClusterQueue stays inactive and admits nothing).
    """
    return _local_queue(state)


@check(
    hint=f"Label every Job (metadata.labels, not the Pod template) {QUEUE_LABEL}: <your LocalQueue>, create it "
    "with spec.suspend: true, and give each container resources.requests for cpu and memory: "
    "quota is counted in requests.",
    points=2,
)
def jobs_queued(state):
    """At least three Jobs are submitted to the LocalQueue, with CPU and memory requests"""
    jobs = _jobs(state)
    if not jobs:
        return fail("no Jobs in namespace queues", root=NOT_QUEUED)
    local = {name(lq) for lq in _local_queues(state)}
    good, problems, unlabelled, unrequested = 0, [], 0, 0
    for job in jobs:
        queue = get(job, f"metadata.labels['{QUEUE_LABEL}']")
        missing = [r for r in RESOURCES if not _requests(job)[r]]
        if not queue:
            unlabelled += 1
            problems.append(f"{name(job)} has no {QUEUE_LABEL} label")
        elif queue not in local:
            problems.append(f"{name(job)} names LocalQueue {queue!r}, which namespace queues does not have")
        elif missing:
            unrequested += 1
            problems.append(f"{name(job)} requests no {' or '.join(missing)}")
        else:
            good += 1
    if good >= MIN_JOBS and not problems:
        return ok(f"{good} Jobs in the queue, all with requests")
    if good < MIN_JOBS:
        problems.append(f"{good} of at least {MIN_JOBS} Jobs are queued with requests")
    if good:
        return partial(min(good, MIN_JOBS) / MIN_JOBS / 2, "; ".join(problems))
    root = NOT_QUEUED if unlabelled == len(jobs) else NO_REQUESTS if unrequested else None
    return fail("; ".join(problems), root=root)


@check(points=1)
def over_quota(state):
    """The Jobs together ask for more than the quota, so some must wait

    Give the Jobs requests that add up to more than the ClusterQueue's nominalQuota (for example four Jobs of 500m CPU
    against a quota of 1 CPU): only then does the queue have something to do.
    """
    return _over_quota(state)


@check(points=2, timeout=90)
def admitted(state):
    """Kueue admitted every Job (its Workload reserved quota)

    kubectl get workloads -n queues; for one that is not admitted, kubectl describe workload shows why in its
    QuotaReserved condition (an inactive LocalQueue or ClusterQueue, a namespace the ClusterQueue does not select, a
    request larger than the whole quota).
    """
    jobs = _queued_jobs(state)
    if not jobs:
        return fail("no Jobs carry the queue label, so Kueue makes no Workloads", root=NOT_QUEUED)
    workloads = _workloads(state)
    done, problems = 0, []
    for job in jobs:
        wl = workloads.get(name(job))
        if wl is None:
            problems.append(f"{name(job)}: no Workload (is the queue label on the Job itself?)")
        elif get(wl, "status.admission.clusterQueue") and is_true(wl, "QuotaReserved") and is_true(wl, "Admitted"):
            done += 1
        else:
            reason = objects.condition(wl, "QuotaReserved") or {}
            problems.append(
                f"{name(job)}: not admitted ({reason.get('message') or reason.get('reason') or 'no decision yet'})"
            )
    if not problems:
        return ok(f"all {done} Workloads admitted")
    if done:
        return partial(done / len(jobs), "; ".join(problems)).with_root(_why_waiting(state))
    return fail("; ".join(problems), root=_why_waiting(state))


def _finished_at(workload, job):
    """When a Job's quota came free: Kueue releases a finished Job's Pods as reclaimable as soon as
    they succeed, which can be a moment before it marks the Workload Finished, so the earlier of
    that and the Job's completionTime counts."""
    times = [
        timestamp(get(objects.condition(workload, "Finished"), "lastTransitionTime"))
        if is_true(workload, "Finished")
        else None,
        timestamp(get(job, "status.completionTime")),
    ]
    return min((t for t in times if t is not None), default=None)


@check(points=2)
def waited(state):
    """At least one Job waited in the queue and was admitted when another finished

    Submit all the Jobs at once (kubectl apply -f jobs.yaml), with requests that add up to more than the quota: Kueue
    admits what fits and the rest when quota is freed.
    """
    workloads = list(_workloads(state).items())
    jobs = {name(j): j for j in _jobs(state)}
    finished = [(job, at) for job, wl in workloads if (at := _finished_at(wl, jobs.get(job))) is not None]
    for job, wl in workloads:
        if not is_true(wl, "Admitted"):
            continue
        admitted_at = timestamp(get(objects.condition(wl, "Admitted"), "lastTransitionTime"))
        created = timestamp(get(wl, "metadata.creationTimestamp"))
        # A Workload is created with its Job, before it is admitted; a creation time after the
        # admission means the object was restored elsewhere (a backup, a test), so it is not used.
        if created is not None and admitted_at is not None and created > admitted_at:
            created = None
        for other, finished_at in finished:
            # Whole-second times from different controllers: a little slack.
            if other == job or admitted_at is None or finished_at - SLACK > admitted_at:
                continue
            if created is None or (created < finished_at and admitted_at - created > SLACK):
                return ok(
                    f"{job} was admitted at {admitted_at:%H:%M:%S}, when {other} finished at {finished_at:%H:%M:%S}"
                )
    if not workloads:
        return fail("no Workloads: no Job went through the queue", root=NOT_QUEUED)
    if not any(is_true(wl, "Admitted") for _, wl in workloads):
        return fail("no Workload has been admitted yet", root=_why_waiting(state))
    queued = sum(1 for _, wl in workloads if not is_true(wl, "Admitted"))
    if queued:
        return fail(
            f"{queued} Workload(s) still wait for quota; none has been admitted after another finished yet",
            root=STILL_QUEUED,
        )
    quota = _over_quota(state)
    return fail(
        "every Workload was admitted before any other finished: no Job had to wait for quota",
        root=quota.root if quota.fraction < 1 else None,
    )


@check(points=2, timeout=150)
def finished(state):
    """Every queued Job ran to completion

    kubectl get jobs -n queues; a Job that stays suspended was never admitted (see the Workload), one that failed shows
    why in kubectl describe job and kubectl logs job/NAME -n queues.
    """
    jobs = _queued_jobs(state)
    if not jobs:
        return fail("no Jobs carry the queue label", root=NOT_QUEUED)
    problems, complete, waiting = [], 0, False
    for job in jobs:
        job = settle(state, job, job_finished, timeout=120 / len(jobs))
        if is_true(job, "Complete"):
            complete += 1
        elif is_true(job, "Failed"):
            problems.append(f"{name(job)} failed ({get(objects.condition(job, 'Failed'), 'reason')})")
        else:
            waiting = True
            suspended = get(job, "spec.suspend") is True
            problems.append(f"{name(job)} is still {'suspended (waiting for admission)' if suspended else 'running'}")
    if not problems:
        return ok(f"all {complete} Jobs complete")
    return fail("; ".join(problems), root=_why_waiting(state) if waiting else None)

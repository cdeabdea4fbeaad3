"""Checks of the scheduling lab, in namespace ``scheduling`` of a cluster with two worker nodes:
a batch Job ``pack`` whose Pods are packed onto as few nodes as their requests allow, and a
Deployment ``portal`` whose replicas are spread over distinct nodes.

Placement is read where the scheduler records it, in each Pod's ``spec.nodeName``, and compared
with the Node objects' allocatable capacity and taints. Placement alone could be luck, so other
checks read the rule that produced it from the Pod templates: pod affinity (or a node selector, or
a packing scheduler profile) for the batch, a topology spread constraint (or pod anti-affinity)
for the service.
"""

from __future__ import annotations

from autograder import objects
from autograder.checks import check, fail, ok, partial
from autograder.expect import require
from autograder.objects import RESOURCES, integer, missing_requests
from autograder.paths import get
from autograder.selectors import selects
from autograder.workloads import expect_job_complete, expect_rolled_out
from manifestlint import quantity

NAMESPACE = "scheduling"
HOSTNAME = "kubernetes.io/hostname"
MIN_BATCH_PODS = 3
MIN_REPLICAS = 2
# What the placement checks' failures follow from, when it is why: each is reported once.
NO_PACK_RULE = ("no-pack-rule", NAMESPACE, "pack")
UNSCHEDULABLE_BATCH = ("unschedulable", NAMESPACE, "pack")
NO_SPREAD_RULE = ("no-spread-rule", NAMESPACE, "portal")
TOO_FEW_REPLICAS = ("too-few-replicas", NAMESPACE, "portal")


def _job(state):
    return require(state, "Job", "pack", namespace=NAMESPACE)


def _deployment(state):
    return require(state, "Deployment", "portal", namespace=NAMESPACE)


def _template(obj):
    return get(obj, "spec.template", default=None) or {}


def _requests(pod_spec):
    total = {r: 0 for r in RESOURCES}
    for c in (pod_spec or {}).get("containers") or []:
        for r in RESOURCES:
            total[r] += quantity(get(c, f"resources.requests.{r}")) or 0
    return total


def _schedulable_nodes(state):
    """Nodes an ordinary Pod may land on: not cordoned, no NoSchedule or NoExecute taint."""
    return [
        n
        for n in state.objects("Node")
        if not get(n, "spec.unschedulable")
        and not any(t.get("effect") in ("NoSchedule", "NoExecute") for t in get(n, "spec.taints", default=None) or [])
    ]


def _own(selector, labels):
    """Whether a rule's selector picks the template's own Pods (and says so: an empty one does not count)."""
    return bool(get(selector, "matchLabels") or get(selector, "matchExpressions")) and selects(selector, labels)


def _pod_terms(template, kind, strength):
    """Pod (anti-)affinity terms on the hostname that select the template's own Pods."""
    labels = get(template, "metadata.labels", default=None) or {}
    terms = get(template, f"spec.affinity.{kind}.{strength}DuringSchedulingIgnoredDuringExecution", default=None) or []
    if strength == "preferred":
        terms = [t.get("podAffinityTerm") or {} for t in terms]
    return [t for t in terms if t.get("topologyKey") == HOSTNAME and _own(t.get("labelSelector"), labels)]


def _batch_pods(state):
    pods = state.objects("Pod", namespace=NAMESPACE, labels={"batch.kubernetes.io/job-name": "pack"})
    return pods or state.objects("Pod", namespace=NAMESPACE, labels={"job-name": "pack"})


def _service_pods(state, deployment):
    labels = get(deployment, "spec.selector.matchLabels", default=None)
    if not labels:
        return []
    return [
        p
        for p in state.objects("Pod", namespace=NAMESPACE, labels=labels)
        if not get(p, "metadata.deletionTimestamp") and get(p, "status.phase") not in ("Succeeded", "Failed")
    ]


def _fewest_nodes(pods, nodes):
    """Nodes the Pods' requests need, by first-fit decreasing onto the largest nodes first (an
    upper bound of the true minimum that equals it for Pods of one size)."""
    free = sorted(
        ({r: quantity(get(n, f"status.allocatable.{r}")) or 0 for r in RESOURCES} for n in nodes),
        key=lambda room: (room["cpu"], room["memory"]),
        reverse=True,
    )
    opened = []
    for want in sorted((_requests(get(p, "spec")) for p in pods), key=lambda w: (w["cpu"], w["memory"]), reverse=True):
        for room in opened:
            if all(room[r] >= want[r] for r in RESOURCES):
                break
        else:
            room = free.pop(0) if free else {r: want[r] for r in RESOURCES}  # too big anywhere: a node of its own
            opened.append(room)
        for r in RESOURCES:
            room[r] -= want[r]
    return len(opened)


def _where(pods):
    counts = {}
    for p in pods:
        counts[get(p, "spec.nodeName")] = counts.get(get(p, "spec.nodeName"), 0) + 1
    return counts


def _counts_line(counts):
    return ", ".join(f"{node} {n}" for node, n in sorted(counts.items()))


def _amounts(req):
    memory = req["memory"]
    memory = f"{int(memory) // 2**20}Mi" if memory and memory % 2**20 == 0 else f"{memory.normalize():f}"
    cpu = req["cpu"]
    cpu = f"{int(cpu * 1000)}m" if cpu and cpu < 1 and (cpu * 1000) % 1 == 0 else f"{cpu.normalize():f}"
    return f"cpu {cpu}, memory {memory}"


def _packing(template):
    """What the Pod template declares about packing, as the pack-rule check grades it."""
    if _pod_terms(template, "podAffinity", "required"):
        return ok("required pod affinity to its own Pods on kubernetes.io/hostname")
    pinned = get(template, f"spec.nodeSelector['{HOSTNAME}']")
    if pinned:
        return ok(f"nodeSelector pins every Pod to node {pinned}")
    scheduler = get(template, "spec.schedulerName")
    if scheduler and scheduler != "default-scheduler":
        return ok(f"scheduled by profile {scheduler} (a packing profile must exist for it)")
    if _pod_terms(template, "podAffinity", "preferred"):
        return partial(
            0.5,
            "pod affinity is only preferred: the scheduler may still spread the Pods when it weighs other scores "
            "higher",
        )
    if get(template, "spec.affinity.podAffinity"):
        return fail(
            "pod affinity is set, but not on kubernetes.io/hostname with a selector that matches the Pods' own labels"
        )
    return fail("nothing in the Pod template asks for packing: the default scheduler spreads Pods (LeastAllocated)")


def _spreading(template):
    """What the Pod template declares about spreading, as the spread-rule check grades it."""
    labels = get(template, "metadata.labels", default=None) or {}
    soft = None
    for c in get(template, "spec.topologySpreadConstraints", default=None) or []:
        if c.get("topologyKey") != HOSTNAME or not _own(c.get("labelSelector"), labels):
            continue
        if c.get("maxSkew") != 1:
            soft = soft or f"maxSkew is {c.get('maxSkew')}: two replicas may then share a node"
        elif c.get("whenUnsatisfiable") != "DoNotSchedule":
            soft = soft or "whenUnsatisfiable is ScheduleAnyway: spreading is only a preference"
        else:
            return ok("topology spread constraint: maxSkew 1 on kubernetes.io/hostname, DoNotSchedule")
    if _pod_terms(template, "podAntiAffinity", "required"):
        return ok("required pod anti-affinity to its own Pods on kubernetes.io/hostname")
    if soft is None and _pod_terms(template, "podAntiAffinity", "preferred"):
        soft = "pod anti-affinity is only preferred"
    if soft:
        return partial(0.5, soft)
    if get(template, "spec.topologySpreadConstraints") or get(template, "spec.affinity.podAntiAffinity"):
        return fail(
            "the spread rule is not on kubernetes.io/hostname with a selector that matches the Pods' own labels"
        )
    return fail("no topologySpreadConstraints or pod anti-affinity: where the replicas land is left to the scores")


def _sizing_problems(workload, too_few):
    """``too_few`` (what is wrong with the Pod count, or None) and the containers missing requests."""
    problems = [too_few] if too_few else []
    missing = missing_requests(workload)
    if missing:
        problems.append("missing requests: " + ", ".join(missing))
    return problems


@check(points=1)
def batch_job(state):
    """Job pack runs at least three Pods at once, each with CPU and memory requests

    Job pack in namespace scheduling with completions and parallelism of 3 or more (the reference uses 4) and
    resources.requests for cpu and memory: the scheduler packs by requests.
    """
    job = _job(state)
    parallelism = integer(get(job, "spec.parallelism"), 1)
    too_few = f"parallelism is {parallelism}; run at least {MIN_BATCH_PODS} Pods at the same time"
    problems = _sizing_problems(job, too_few if parallelism < MIN_BATCH_PODS else None)
    if problems:
        return fail("; ".join(problems))
    return ok(f"{parallelism} Pods at once, each requesting {_amounts(_requests(get(_template(job), 'spec')))}")


@check(points=2)
def pack_rule(state):
    """The batch Pods declare how they are packed (pod affinity, node selector or a packing profile)

    In the Job's Pod template: affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution with topologyKey
    kubernetes.io/hostname and a labelSelector that matches the template's own labels (app: pack). A preferred term is
    only a wish; a scheduler profile with MostAllocated (schedulerName) is accepted too.
    """
    return _packing(_template(_job(state))).with_root(NO_PACK_RULE)


@check(points=2)
def batch_packed(state):
    """The batch Pods ran on the fewest nodes their requests allow

    kubectl get pods -n scheduling -l job-name=pack -o wide shows the NODE of each Pod. Spread over several nodes: add
    the pack rule and re-create the Job. Pending: the Pods do not all fit on one node, so ask for less (kubectl describe
    node shows what is allocatable).
    """
    job = _job(state)
    pods = _batch_pods(state)
    placed = [p for p in pods if get(p, "spec.nodeName")]
    waiting = objects.unschedulable(pods)
    if waiting:
        message = f"{len(waiting)} Pod(s) cannot be scheduled ({objects.scheduling_problem(waiting[0])})"
        return fail(message, root=UNSCHEDULABLE_BATCH)
    if len(placed) < 2:
        return fail(f"{len(placed)} Pod(s) of Job pack have a node: not enough to judge packing")
    counts = _where(placed)
    nodes = _schedulable_nodes(state)
    # Without the Nodes (not captured, or not readable) there is no capacity to pack against:
    # small batch Pods such as this lab's then belong together on one node.
    needed = _fewest_nodes(placed, nodes) if nodes else 1
    if len(counts) <= needed:
        return ok(f"{len(placed)} Pods on {len(counts)} node(s) ({_counts_line(counts)}); their requests need {needed}")
    spread = fail(
        f"{len(placed)} Pods spread over {len(counts)} nodes ({_counts_line(counts)}), "
        f"but their requests fit on {needed}"
    )
    return spread.with_root(NO_PACK_RULE) if _packing(_template(job)).fraction < 1 else spread


@check(points=1, timeout=120)
def batch_completed(state):
    """Job pack completed

    kubectl get job pack -n scheduling; if it hangs, kubectl describe pod on a Pending Pod says which rule no node
    meets.
    """
    job = _job(state)
    stuck = objects.unschedulable(_batch_pods(state))
    # Pods no node can take will not finish by waiting: no wait then, and that is the root cause.
    outcome = expect_job_complete(state, job, timeout=0 if stuck else 90)
    return outcome.with_root(UNSCHEDULABLE_BATCH) if stuck else outcome


@check(points=1)
def service_deployment(state):
    """Deployment portal runs at least two replicas with CPU and memory requests

    Deployment portal in namespace scheduling, spec.replicas: 2 (one per worker node), and resources.requests for cpu
    and memory on its container.
    """
    d = _deployment(state)
    replicas = integer(get(d, "spec.replicas"), 1)
    too_few = f"spec.replicas is {replicas}; spreading needs at least {MIN_REPLICAS}"
    problems = _sizing_problems(d, too_few if replicas < MIN_REPLICAS else None)
    if not problems:
        return ok(f"{replicas} replicas with requests")
    return fail("; ".join(problems), root=TOO_FEW_REPLICAS if replicas < MIN_REPLICAS else None)


@check(points=2)
def spread_rule(state):
    """The portal Pods declare that they spread over nodes

    In the Deployment's Pod template: topologySpreadConstraints with maxSkew: 1, topologyKey: kubernetes.io/hostname,
    whenUnsatisfiable: DoNotSchedule and a labelSelector matching the Pods' labels (app: portal); required
    podAntiAffinity on kubernetes.io/hostname works too.
    """
    return _spreading(_template(_deployment(state))).with_root(NO_SPREAD_RULE)


@check(points=2)
def service_spread(state):
    """The portal replicas run on distinct nodes

    kubectl get pods -n scheduling -l app=portal -o wide: each replica should show a different NODE. Add the spread rule
    and kubectl rollout restart deployment/portal -n scheduling.
    """
    d = _deployment(state)
    placed = [p for p in _service_pods(state, d) if get(p, "spec.nodeName")]
    if len(placed) < MIN_REPLICAS:
        few = fail(f"{len(placed)} portal Pod(s) have a node: nothing to spread yet")
        return few.with_root(TOO_FEW_REPLICAS) if integer(get(d, "spec.replicas"), 1) < MIN_REPLICAS else few
    counts = _where(placed)
    nodes = {objects.name(n) for n in _schedulable_nodes(state)} | set(counts)
    spread = {n: counts.get(n, 0) for n in nodes}
    if len(placed) <= len(nodes):
        good = all(n <= 1 for n in spread.values())
    else:
        good = max(spread.values()) - min(spread.values()) <= 1
    if good:
        return ok(f"{len(placed)} replicas: {_counts_line(counts)}")
    stacked = fail(f"replicas share a node while another has room: {_counts_line(spread)}")
    return stacked.with_root(NO_SPREAD_RULE) if _spreading(_template(d)).fraction < 1 else stacked


@check(points=1, timeout=90)
def service_available(state):
    """Every portal replica is available

    kubectl rollout status deployment/portal -n scheduling; a replica stuck Pending under DoNotSchedule means the
    constraint cannot be met (more replicas than allowed nodes, or a tainted control-plane node counted as a domain: add
    nodeTaintsPolicy: Honor).
    """
    return expect_rolled_out(state, _deployment(state), timeout=60)

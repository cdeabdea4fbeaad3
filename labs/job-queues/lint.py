"""The job-queues lab's own lint rules (run by ``kubecourse lint job-queues FILE``): Kueue's
queue objects have no schema in the linter, so the mistakes that leave a queue silently
inactive are caught here."""

from __future__ import annotations

from manifestlint import Finding, quantity, rule

QUEUE_LABEL = "kueue.x-k8s.io/queue-name"


def _mapping(value):
    return value if isinstance(value, dict) else {}


def _list(value):
    return value if isinstance(value, list) else []


@rule(kinds=["ClusterQueue.kueue.x-k8s.io"])
def cluster_queue_quota(queue):
    spec = _mapping(queue.get("spec"))
    if "namespaceSelector" not in spec:
        yield Finding(
            "spec", "no namespaceSelector: no namespace may use this ClusterQueue (write namespaceSelector: {} for all)"
        )
    elif not isinstance(spec.get("namespaceSelector"), dict):
        yield Finding("spec.namespaceSelector", "must be a label selector; {} selects every namespace")
    for g, group in enumerate(_list(spec.get("resourceGroups"))):
        group = _mapping(group)
        covered = {r for r in _list(group.get("coveredResources")) if isinstance(r, str)}
        for f, flavor in enumerate(_list(group.get("flavors"))):
            names = set()
            for r, res in enumerate(_list(_mapping(flavor).get("resources"))):
                res = _mapping(res)
                names.add(str(res.get("name")))
                if quantity(res.get("nominalQuota")) is None:
                    where = ("spec", "resourceGroups", g, "flavors", f, "resources", r, "nominalQuota")
                    yield Finding(where, f"{res.get('nominalQuota')!r} is not a quantity (e.g. 1, 500m, 512Mi)")
            if names != covered:
                yield Finding(
                    ("spec", "resourceGroups", g, "flavors", f),
                    f"every flavor must list exactly the coveredResources {sorted(covered)}, not {sorted(names)}",
                )


@rule(kinds=["LocalQueue.kueue.x-k8s.io"])
def local_queue_target(queue):
    if not _mapping(queue.get("spec")).get("clusterQueue"):
        yield Finding("spec", "spec.clusterQueue must name the ClusterQueue this LocalQueue submits to")


@rule(kinds=["Job.batch"])
def job_names_a_queue(job):
    if QUEUE_LABEL not in _mapping(_mapping(job.get("metadata")).get("labels")):
        yield Finding(
            "metadata.labels", f"no {QUEUE_LABEL} label: Kueue ignores the Job (and a suspended one never starts)"
        )
    if _mapping(job.get("spec")).get("suspend") is not True:
        yield Finding("spec", "create the Job with suspend: true, so that no Pod starts before Kueue admits it")

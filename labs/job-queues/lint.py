"""The job-queues lab's own lint rules (run by ``kubecourse lint job-queues FILE``): Kueue's
queue objects have no schema in the linter, so the mistakes that leave a queue silently
inactive are caught here."""

from __future__ import annotations

from manifestlint import quantity

QUEUE_LABEL = "kueue.x-k8s.io/queue-name"


def _is_kueue(doc, kind):
    return doc.get("kind") == kind and str(doc.get("apiVersion", "")).startswith("kueue.x-k8s.io/")


def cluster_queue_quota(doc):
    if not _is_kueue(doc, "ClusterQueue"):
        return []
    spec = doc.get("spec") or {}
    found = []
    if "namespaceSelector" not in spec:
        found.append(
            (
                "spec",
                "no namespaceSelector: no namespace may use this ClusterQueue (write namespaceSelector: {} for all)",
            )
        )
    elif not isinstance(spec.get("namespaceSelector"), dict):
        found.append(("spec.namespaceSelector", "must be a label selector; {} selects every namespace"))
    for g, group in enumerate(spec.get("resourceGroups") or []):
        covered = set(group.get("coveredResources") or [])
        for f, flavor in enumerate(group.get("flavors") or []):
            names = set()
            for r, res in enumerate(flavor.get("resources") or []):
                where = f"spec.resourceGroups[{g}].flavors[{f}].resources[{r}]"
                names.add(res.get("name"))
                if quantity(res.get("nominalQuota")) is None:
                    found.append(
                        (
                            f"{where}.nominalQuota",
                            f"{res.get('nominalQuota')!r} is not a quantity (e.g. 1, 500m, 512Mi)",
                        )
                    )
            if names != covered:
                found.append(
                    (
                        f"spec.resourceGroups[{g}].flavors[{f}]",
                        f"every flavor must list exactly the coveredResources {sorted(covered)}, not {sorted(map(str, names))}",
                    )
                )
    return found


def local_queue_target(doc):
    if not _is_kueue(doc, "LocalQueue"):
        return []
    if not (doc.get("spec") or {}).get("clusterQueue"):
        return [("spec", "spec.clusterQueue must name the ClusterQueue this LocalQueue submits to")]
    return []


def job_names_a_queue(doc):
    if doc.get("kind") != "Job":
        return []
    labels = (doc.get("metadata") or {}).get("labels") or {}
    found = []
    if QUEUE_LABEL not in labels:
        found.append(
            ("metadata.labels", f"no {QUEUE_LABEL} label: Kueue ignores the Job (and a suspended one never starts)")
        )
    if (doc.get("spec") or {}).get("suspend") is not True:
        found.append(("spec", "create the Job with suspend: true, so that no Pod starts before Kueue admits it"))
    return found


RULES = [cluster_queue_quota, local_queue_target, job_names_a_queue]

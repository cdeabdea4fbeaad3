"""The scheduling lab's own lint rules (run by ``kubecourse lint scheduling FILE``): placement
rules that the schema accepts but that select nothing, or only wish."""

from __future__ import annotations

HOSTNAME = "kubernetes.io/hostname"


def _template(doc):
    return (doc.get("spec") or {}).get("template") or {}


def _matches_own_labels(selector, labels):
    wanted = (selector or {}).get("matchLabels") or {}
    return bool(wanted) and all(labels.get(k) == v for k, v in wanted.items())


def batch_is_packed(doc):
    if doc.get("kind") != "Job":
        return []
    template = _template(doc)
    spec, labels = template.get("spec") or {}, (template.get("metadata") or {}).get("labels") or {}
    if spec.get("schedulerName") not in (None, "default-scheduler") or HOSTNAME in (spec.get("nodeSelector") or {}):
        return []
    affinity = (spec.get("affinity") or {}).get("podAffinity") or {}
    terms = affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or []
    where = "spec.template.spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution"
    if not terms:
        return [
            (
                "spec.template.spec",
                "nothing asks for packing: add a required podAffinity to the Job's own Pods "
                f"on {HOSTNAME} (the default scheduler spreads)",
            )
        ]
    found = []
    for i, term in enumerate(terms):
        if term.get("topologyKey") != HOSTNAME:
            found.append(
                (f"{where}[{i}].topologyKey", f"use {HOSTNAME}: the same node, not {term.get('topologyKey')!r}")
            )
        if not _matches_own_labels(term.get("labelSelector"), labels):
            found.append(
                (
                    f"{where}[{i}].labelSelector",
                    "matchLabels must match the template's own labels, or the Pods look for Pods that do not exist",
                )
            )
    return found


def service_is_spread(doc):
    if doc.get("kind") != "Deployment":
        return []
    template = _template(doc)
    spec, labels = template.get("spec") or {}, (template.get("metadata") or {}).get("labels") or {}
    constraints = spec.get("topologySpreadConstraints") or []
    anti = ((spec.get("affinity") or {}).get("podAntiAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    )
    if not constraints and not anti:
        return [
            (
                "spec.template.spec",
                "no topologySpreadConstraints (or required podAntiAffinity): the replicas may share a node",
            )
        ]
    found = []
    for i, c in enumerate(constraints):
        where = f"spec.template.spec.topologySpreadConstraints[{i}]"
        if not _matches_own_labels(c.get("labelSelector"), labels):
            found.append(
                (f"{where}.labelSelector", "matchLabels must match the template's own labels, or nothing is counted")
            )
        if c.get("whenUnsatisfiable") == "ScheduleAnyway":
            found.append((f"{where}.whenUnsatisfiable", "ScheduleAnyway is a preference: use DoNotSchedule for a rule"))
        replicas = (doc.get("spec") or {}).get("replicas", 1)
        if (
            c.get("whenUnsatisfiable") == "DoNotSchedule"
            and c.get("nodeTaintsPolicy") != "Honor"
            and isinstance(replicas, int)
            and replicas > 2
        ):
            found.append(
                (
                    where,
                    "without nodeTaintsPolicy: Honor a tainted control-plane node counts as an empty domain, "
                    "so a third replica on two workers exceeds maxSkew 1 and stays Pending",
                )
            )
    return found


RULES = [batch_is_packed, service_is_spread]

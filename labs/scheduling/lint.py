"""The scheduling lab's own lint rules (run by ``kubecourse lint scheduling FILE``): placement
rules that the schema accepts but that select nothing, or only wish."""

from __future__ import annotations

from manifestlint import Finding, rule

HOSTNAME = "kubernetes.io/hostname"


def _mapping(value):
    return value if isinstance(value, dict) else {}


def _list(value):
    return value if isinstance(value, list) else []


def _pod(doc):
    """The Pod template's spec and labels."""
    template = _mapping(_mapping(doc.get("spec")).get("template"))
    return _mapping(template.get("spec")), _mapping(_mapping(template.get("metadata")).get("labels"))


def _matches_own_labels(selector, labels):
    wanted = _mapping(_mapping(selector).get("matchLabels"))
    return bool(wanted) and all(labels.get(k) == v for k, v in wanted.items())


@rule(kinds=["Job.batch"])
def batch_is_packed(job):
    spec, labels = _pod(job)
    if spec.get("schedulerName") not in (None, "default-scheduler") or HOSTNAME in _mapping(spec.get("nodeSelector")):
        return
    affinity = _mapping(_mapping(spec.get("affinity")).get("podAffinity"))
    terms = _list(affinity.get("requiredDuringSchedulingIgnoredDuringExecution"))
    where = "spec.template.spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution"
    if not terms:
        yield Finding(
            "spec.template.spec",
            "nothing asks for packing: add a required podAffinity to the Job's own Pods "
            f"on {HOSTNAME} (the default scheduler spreads)",
        )
    for i, term in enumerate(terms):
        term = _mapping(term)
        if term.get("topologyKey") != HOSTNAME:
            yield Finding(
                f"{where}[{i}].topologyKey", f"use {HOSTNAME}: the same node, not {term.get('topologyKey')!r}"
            )
        if not _matches_own_labels(term.get("labelSelector"), labels):
            yield Finding(
                f"{where}[{i}].labelSelector",
                "matchLabels must match the template's own labels, or the Pods look for Pods that do not exist",
            )


@rule(kinds=["Deployment.apps"])
def service_is_spread(deployment):
    spec, labels = _pod(deployment)
    constraints = _list(spec.get("topologySpreadConstraints"))
    anti = _mapping(_mapping(spec.get("affinity")).get("podAntiAffinity"))
    if not constraints and not anti.get("requiredDuringSchedulingIgnoredDuringExecution"):
        yield Finding(
            "spec.template.spec",
            "no topologySpreadConstraints (or required podAntiAffinity): the replicas may share a node",
        )
    replicas = _mapping(deployment.get("spec")).get("replicas", 1)
    for i, c in enumerate(constraints):
        c = _mapping(c)
        where = f"spec.template.spec.topologySpreadConstraints[{i}]"
        if not _matches_own_labels(c.get("labelSelector"), labels):
            yield Finding(
                f"{where}.labelSelector", "matchLabels must match the template's own labels, or nothing is counted"
            )
        if c.get("whenUnsatisfiable") == "ScheduleAnyway":
            yield Finding(f"{where}.whenUnsatisfiable", "ScheduleAnyway is a preference: use DoNotSchedule for a rule")
        many = isinstance(replicas, int) and not isinstance(replicas, bool) and replicas > 2
        if c.get("whenUnsatisfiable") == "DoNotSchedule" and c.get("nodeTaintsPolicy") != "Honor" and many:
            yield Finding(
                where,
                "without nodeTaintsPolicy: Honor a tainted control-plane node counts as an empty domain, "
                "so a third replica on two workers exceeds maxSkew 1 and stays Pending",
            )

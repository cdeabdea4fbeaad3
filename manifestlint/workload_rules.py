"""Rules for Jobs, CronJobs and Services, and the one rule that reads a whole file: a Service must
select Pods that the file defines (when it defines any), through ports they have.

The Job rules follow the API reference of ``JobSpec``: ``backoffLimitPerIndex`` only with
``completionMode: Indexed`` (and ``restartPolicy: Never``, see :mod:`manifestlint.pod_rules`),
``maxFailedIndexes`` only with ``backoffLimitPerIndex``, an Indexed Job needs ``completions``.
"""

from __future__ import annotations

from collections.abc import Iterator

from manifestlint.fieldpath import FieldPath
from manifestlint.objects import containers, dicts, get, kind_of, mapping, pod_template, text
from manifestlint.rules import Finding, rule

_SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")
_NON_NEGATIVE = ("completions", "parallelism", "backoffLimit", "backoffLimitPerIndex", "maxFailedIndexes")
_NON_NEGATIVE += ("ttlSecondsAfterFinished",)


def _job_spec(obj: dict) -> tuple[FieldPath, dict] | None:
    path = FieldPath(("spec",) if kind_of(obj) == "Job" else ("spec", "jobTemplate", "spec"))
    spec = get(obj, *path)
    return (path, spec) if isinstance(spec, dict) else None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@rule(kinds=["Job", "CronJob"], on_patches=True)
def job_values(obj: dict) -> Iterator[Finding]:
    found = _job_spec(obj)
    if not found:
        return
    path, spec = found
    mode = text(spec.get("completionMode"))
    if mode is not None and mode not in ("NonIndexed", "Indexed"):
        yield Finding(
            path.child("completionMode"), f"completionMode {mode!r} is not one of NonIndexed, Indexed", "enum"
        )
    for field in _NON_NEGATIVE:
        value = spec.get(field)
        if _is_int(value) and value < 0:
            yield Finding(path.child(field), f"{field} must not be negative", "range")
    deadline = spec.get("activeDeadlineSeconds")
    if _is_int(deadline) and deadline <= 0:
        message = "activeDeadlineSeconds must be a positive number of seconds"
        yield Finding(path.child("activeDeadlineSeconds"), message, "range")


@rule(kinds=["Job", "CronJob"])
def indexed_job(obj: dict) -> Iterator[Finding]:
    found = _job_spec(obj)
    if not found:
        return
    path, spec = found
    indexed = spec.get("completionMode") == "Indexed"
    if indexed and spec.get("completions") is None:
        message = "an Indexed Job needs spec.completions (the number of indexes)"
        yield Finding(path.child("completionMode"), message, "indexed-job")
    for field in ("backoffLimitPerIndex", "successPolicy"):
        if spec.get(field) is not None and not indexed:
            yield Finding(path.child(field), f"{field} works only with completionMode: Indexed", "indexed-job")
    if spec.get("maxFailedIndexes") is not None and spec.get("backoffLimitPerIndex") is None:
        message = "maxFailedIndexes works only together with backoffLimitPerIndex"
        yield Finding(path.child("maxFailedIndexes"), message, "indexed-job")


@rule(kinds=["CronJob"], on_patches=True)
def cron_job(obj: dict) -> Iterator[Finding]:
    policy = text(get(obj, "spec", "concurrencyPolicy"))
    if policy is not None and policy not in ("Allow", "Forbid", "Replace"):
        message = f"concurrencyPolicy {policy!r} is not one of Allow, Forbid, Replace"
        yield Finding(("spec", "concurrencyPolicy"), message, "enum")


@rule(kinds=["Service"], on_patches=True)
def service_values(obj: dict) -> Iterator[Finding]:
    kind = text(get(obj, "spec", "type"))
    if kind is not None and kind not in _SERVICE_TYPES:
        yield Finding(("spec", "type"), f"Service type {kind!r} is not one of {', '.join(_SERVICE_TYPES)}", "enum")
    for i, port in dicts(get(obj, "spec", "ports")):
        protocol = text(port.get("protocol"))
        if protocol is not None and protocol not in ("TCP", "UDP", "SCTP"):
            yield Finding(
                ("spec", "ports", i, "protocol"), f"protocol {protocol!r} is not one of TCP, UDP, SCTP", "enum"
            )
        node_port = port.get("nodePort")
        if _is_int(node_port) and not 30000 <= node_port <= 32767 and kind in ("NodePort", "LoadBalancer"):
            message = f"nodePort {node_port} is outside the default range 30000-32767"
            yield Finding(("spec", "ports", i, "nodePort"), message, "range")


@rule(kinds=["Service"])
def service_type(obj: dict) -> Iterator[Finding]:
    kind = get(obj, "spec", "type")
    for i, port in dicts(get(obj, "spec", "ports")):
        if port.get("nodePort") is not None and kind in (None, "ClusterIP"):
            message = "nodePort needs spec.type: NodePort (or LoadBalancer)"
            yield Finding(("spec", "ports", i, "nodePort"), message, "service-type")


@rule(across_file=True)
def services_select_pods(objects: list[dict]) -> Iterator[tuple[int, Finding]]:
    """Each Service must select some Pod template of the file (when the file holds any), and its
    named target ports must exist in the Pods it selects."""
    templates = []
    for obj in objects:
        found = pod_template(obj)
        if found:
            labels = mapping(get(found[1], "metadata", "labels"))
            ports = {text(p.get("name")) for _, c in containers(obj, init=False) for _, p in dicts(c.get("ports"))}
            templates.append((labels, ports))
    if not templates:
        return
    for index, obj in enumerate(objects):
        selector = get(obj, "spec", "selector")
        if kind_of(obj) != "Service" or obj.get("apiVersion") != "v1" or not isinstance(selector, dict) or not selector:
            continue
        chosen = [t for t in templates if all(t[0].get(k) == v for k, v in selector.items())]
        if not chosen:
            shown = ", ".join(f"{k}={v}" for k, v in selector.items())
            message = (
                f"selector {shown} matches none of the Pod templates in this file; the Service would have no endpoints"
            )
            yield index, Finding(("spec", "selector"), message, "selects-nothing")
            continue
        for i, port in dicts(get(obj, "spec", "ports")):
            target = text(port.get("targetPort"))
            if target is not None and not any(target in t[1] for t in chosen):
                message = f"targetPort {target!r} names no container port of the Pods this Service selects"
                yield index, Finding(("spec", "ports", i, "targetPort"), message, "target-port")


__all__ = [
    "cron_job",
    "indexed_job",
    "job_values",
    "service_type",
    "service_values",
    "services_select_pods",
]

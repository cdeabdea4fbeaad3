"""Rules for Pods and Pod templates (Deployments, Jobs, ...): what the schema allows but the API
server refuses, or what it accepts and then silently gets wrong.

Each rule reads the Pod template wherever the kind keeps it (:func:`~manifestlint.objects.pod_template`)
and containers *and* init containers, because both run in the Pod.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from manifestlint.fieldpath import FieldPath
from manifestlint.objects import containers, dicts, get, items, kind_of, mapping, pod_template, text
from manifestlint.quantities import quantity
from manifestlint.rules import Finding, rule

_ENUMS = {  # fields the schema types as plain strings although only these values work
    "imagePullPolicy": ("Always", "IfNotPresent", "Never"),
}
_PROTOCOLS = ("TCP", "UDP", "SCTP")
_RESTART = {"Job": ("Never", "OnFailure"), "CronJob": ("Never", "OnFailure"), "Pod": ("Always", "OnFailure", "Never")}
_CONTAINER_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_PORT_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
_POD_KINDS = ["Pod", "PodTemplate", "Deployment", "ReplicaSet", "ReplicationController"]
_POD_KINDS += ["StatefulSet", "DaemonSet", "Job", "CronJob"]


@rule(kinds=_POD_KINDS)
def restart_policy(obj: dict) -> Iterator[Finding]:
    found = pod_template(obj)
    if not found:
        return
    path, template = found
    kind = kind_of(obj)
    policy = get(template, "spec", "restartPolicy")
    allowed = _RESTART.get(kind, ("Always",))
    job_spec = get(obj, *(("spec",) if kind == "Job" else ("spec", "jobTemplate", "spec")))
    needs_never = [f for f in ("backoffLimitPerIndex", "podFailurePolicy") if get(job_spec, f) is not None]
    if needs_never and kind in ("Job", "CronJob") and policy != "Never":
        where = path.child("spec", "restartPolicy") if policy is not None else path.child("spec")
        message = (
            f"{needs_never[0]} needs restartPolicy: Never in the Pod template"
            f"{f', not {policy}' if policy is not None else ''}: the API server refuses any other policy with it"
        )
        yield Finding(where, message, "restart-policy")
    elif policy is None and "Always" not in allowed:
        message = (
            f"a {kind}'s Pod template must set restartPolicy: Never or OnFailure (the default, Always, is refused)"
        )
        yield Finding(path.child("spec"), message, "restart-policy")
    elif isinstance(policy, str) and policy not in allowed:
        message = f"restartPolicy {policy!r} is not allowed in a {kind}; use {' or '.join(allowed)}"
        yield Finding(path.child("spec", "restartPolicy"), message, "restart-policy")


@rule(kinds=_POD_KINDS, on_patches=True)
def container_names(obj: dict) -> Iterator[Finding]:
    seen: set[str] = set()
    for cpath, c in containers(obj):
        name = text(c.get("name"))
        if name is None:
            continue
        if not _CONTAINER_NAME.match(name) or len(name) > 63:
            message = f"container name {name!r} is not valid: lowercase letters, digits and '-', at most 63 characters"
            yield Finding(cpath.child("name"), message, "container-name")
        elif name in seen:
            message = f"two containers are called {name!r}; names must be unique in a Pod (init containers included)"
            yield Finding(cpath.child("name"), message, "container-name")
        seen.add(name)


@rule(kinds=_POD_KINDS, on_patches=True)
def resources(obj: dict) -> Iterator[Finding]:
    for cpath, c in containers(obj):
        yield from resource_findings(cpath, c)


def resource_findings(cpath: FieldPath, c: dict) -> Iterator[Finding]:
    """Quantities of one container's requests and limits: valid, memory not in ``m``, requests
    not above limits (shared with the Argo rules, whose templates hold containers too)."""
    amounts: dict[str, dict[str, Decimal]] = {}
    for section in ("requests", "limits"):
        for name, raw in mapping(get(c, "resources", section)).items():
            where = cpath.child("resources", section, name)
            amount = quantity(raw)
            if amount is None:
                if isinstance(raw, (str, int, float)) and not isinstance(raw, bool) and "{{" not in str(raw):
                    message = f"{name} {section[:-1]} {raw!r} is not a Kubernetes quantity (e.g. 500m, 2, 512Mi, 4Gi)"
                    yield Finding(where, message, "quantity")
                continue
            if name == "memory" and isinstance(raw, str) and raw.endswith("m"):
                message = f"memory {raw!r} means {raw[:-1]} thousandths of a byte; write Mi (mebibytes), not m"
                yield Finding(where, message, "quantity")
            amounts.setdefault(section, {})[name] = amount
    for name, request in amounts.get("requests", {}).items():
        limit = amounts.get("limits", {}).get(name)
        if limit is not None and request > limit:
            message = f"the {name} request is above its limit; the API server refuses requests above limits"
            yield Finding(cpath.child("resources", "requests", name), message, "quantity")


@rule(kinds=_POD_KINDS, on_patches=True)
def container_fields(obj: dict) -> Iterator[Finding]:
    for cpath, c in containers(obj):
        for field, allowed in _ENUMS.items():
            value = text(c.get(field))
            if value is not None and value not in allowed:
                yield Finding(cpath.child(field), f"{field} {value!r} is not one of {', '.join(allowed)}", "enum")
        for i, port in dicts(c.get("ports")):
            protocol = text(port.get("protocol"))
            if protocol is not None and protocol not in _PROTOCOLS:
                message = f"protocol {protocol!r} is not one of {', '.join(_PROTOCOLS)}"
                yield Finding(cpath.child("ports", i, "protocol"), message, "enum")
            name = text(port.get("name"))
            if name is not None and not port_name_ok(name):
                message = (
                    f"port name {name!r} is not valid: at most 15 lowercase letters, digits and '-', "
                    "with at least one letter and no '--'"
                )
                yield Finding(cpath.child("ports", i, "name"), message, "port-name")


def port_name_ok(name: str) -> bool:
    """An IANA service name, as Kubernetes requires of named ports."""
    return bool(_PORT_NAME.match(name)) and len(name) <= 15 and "--" not in name and bool(re.search("[a-z]", name))


@rule(kinds=_POD_KINDS)
def probe_ports(obj: dict) -> Iterator[Finding]:
    for cpath, c in containers(obj):
        named = {text(p.get("name")) for _, p in dicts(c.get("ports"))} - {None}
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            for action in ("httpGet", "tcpSocket"):
                port = text(get(c, probe, action, "port"))
                if port is not None and port not in named:
                    message = f"{probe} uses port name {port!r}, but the container has no port with that name"
                    yield Finding(cpath.child(probe, action, "port"), message, "probe-port")


@rule(kinds=_POD_KINDS)
def volume_mounts(obj: dict) -> Iterator[Finding]:
    found = pod_template(obj)
    if not found:
        return
    volumes = {text(v.get("name")) for _, v in dicts(get(found[1], "spec", "volumes"))} - {None}
    for cpath, c in containers(obj):
        for i, mount in dicts(c.get("volumeMounts")):
            name = text(mount.get("name"))
            if name is not None and name not in volumes:
                message = f"volumeMount {name!r} names no volume of the Pod; declare it under spec.volumes"
                yield Finding(cpath.child("volumeMounts", i, "name"), message, "volume")


@rule(kinds=["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"])
def selector_matches_template(obj: dict) -> Iterator[Finding]:
    selector = get(obj, "spec", "selector", "matchLabels")
    labels = mapping(get(obj, "spec", "template", "metadata", "labels"))
    if not isinstance(selector, dict):
        return
    wrong = {k: v for k, v in selector.items() if labels.get(k) != v}
    if wrong:
        shown = ", ".join(f"{k}={v}" for k, v in wrong.items())
        message = (
            f"selector {shown} does not match the Pod template's labels; the API server refuses it "
            "(spec.template.metadata.labels must include every matchLabels entry)"
        )
        yield Finding(("spec", "selector", "matchLabels"), message, "selector")


@rule(kinds=["PersistentVolumeClaim"], on_patches=True)
def claim(obj: dict) -> Iterator[Finding]:
    modes = ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod")
    for i, mode in items(get(obj, "spec", "accessModes")):
        if isinstance(mode, str) and mode not in modes:
            yield Finding(("spec", "accessModes", i), f"access mode {mode!r} is not one of {', '.join(modes)}", "enum")
    size = get(obj, "spec", "resources", "requests", "storage")
    if isinstance(size, (str, int, float)) and not isinstance(size, bool) and quantity(size) is None:
        message = f"storage {size!r} is not a Kubernetes quantity (e.g. 100Mi, 10Gi)"
        yield Finding(("spec", "resources", "requests", "storage"), message, "quantity")


__all__ = [
    "claim",
    "container_fields",
    "container_names",
    "port_name_ok",
    "probe_ports",
    "resource_findings",
    "resources",
    "restart_policy",
    "selector_matches_template",
    "volume_mounts",
]

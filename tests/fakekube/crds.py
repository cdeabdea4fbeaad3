"""CustomResourceDefinitions: turning a CRD into served resource types and its status.

The fake accepts a CRD at once (no naming controller runs): its status reports
``NamesAccepted`` and ``Established`` as True, and its custom resources are served from then on
in every served version, with the ``status`` and ``scale`` subresources the CRD declares.
Schemas prune and validate as :mod:`fakekube.schema` says; versions are not converted.
"""

from __future__ import annotations

import re

from .defaults import now
from .errors import invalid
from .resources import ResourceType

_VERSION = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")


def _version_priority(version: str) -> tuple:
    """Kubernetes version priority: GA > beta > alpha, higher numbers first, others last."""
    match = _VERSION.match(version)
    if not match:
        return (3, version)
    major, stage, minor = match.groups()
    rank = {None: 0, "beta": 1, "alpha": 2}[stage]
    return (rank, -int(major), -int(minor or 0))


def validate(crd: dict) -> None:
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    name = (crd.get("metadata") or {}).get("name", "")
    causes = []
    for field in ("plural", "kind"):
        if not names.get(field):
            causes.append((f"spec.names.{field}", "Required value"))
    if not spec.get("group"):
        causes.append(("spec.group", "Required value"))
    if spec.get("scope") not in ("Namespaced", "Cluster"):
        causes.append(
            ("spec.scope", f'Unsupported value: "{spec.get("scope")}": supported values: "Cluster", "Namespaced"')
        )
    versions = spec.get("versions") or []
    if not versions:
        causes.append(("spec.versions", "Invalid value: must have exactly one version marked as storage version"))
    elif sum(1 for v in versions if v.get("storage")) != 1:
        causes.append(("spec.versions", "Invalid value: must have exactly one version marked as storage version"))
    expected = f"{names.get('plural')}.{spec.get('group')}"
    if not causes and name != expected:
        causes.append(("metadata.name", f'Invalid value: "{name}": must be spec.names.plural+"."+spec.group'))
    if causes:
        raise invalid("CustomResourceDefinition", name, causes, "apiextensions.k8s.io")


def resource_types(crd: dict) -> list[ResourceType]:
    """The served versions of a CRD's resource, preferred version first."""
    spec = crd["spec"]
    names = spec["names"]
    served = [v for v in spec.get("versions") or [] if v.get("served", True)]
    served.sort(key=lambda v: _version_priority(v["name"]))
    types = []
    for version in served:
        subresources = version.get("subresources") or spec.get("subresources") or {}
        types.append(
            ResourceType(
                group=spec["group"],
                version=version["name"],
                kind=names["kind"],
                plural=names["plural"],
                namespaced=spec["scope"] == "Namespaced",
                short_names=tuple(names.get("shortNames") or ()),
                categories=tuple(names.get("categories") or ()),
                subresources=frozenset(k for k in ("status", "scale") if k in subresources),
                custom=True,
                printer_columns=tuple(
                    version.get("additionalPrinterColumns") or spec.get("additionalPrinterColumns") or ()
                ),
                schema=((version.get("schema") or spec.get("validation") or {}).get("openAPIV3Schema")),
            )
        )
    return types


def established_status(crd: dict) -> dict:
    spec = crd["spec"]
    names = dict(spec["names"])
    names.setdefault("singular", names["kind"].lower())
    names.setdefault("listKind", f"{names['kind']}List")
    stamp = now()
    return {
        "acceptedNames": names,
        "conditions": [
            {
                "type": "NamesAccepted",
                "status": "True",
                "reason": "NoConflicts",
                "message": "no conflicts found",
                "lastTransitionTime": stamp,
            },
            {
                "type": "Established",
                "status": "True",
                "reason": "InitialNamesAccepted",
                "message": "the initial names have been accepted",
                "lastTransitionTime": stamp,
            },
        ],
        "storedVersions": [v["name"] for v in spec["versions"] if v.get("storage")],
    }


__all__ = ["established_status", "resource_types", "validate"]

"""Sizes and policies of learner namespaces: a :class:`NamespaceSettings` with workshop defaults,
optionally read from a YAML file (``kubecourse class up --backend namespace --settings FILE``).

The file holds a mapping of the field names below (``quota_cpu: "4"``, ``token_ttl: 12h`` ...);
unknown keys and malformed quantities are refused with the file named, so a typo never silently
falls back to a default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from pathlib import Path

from coursecore.errors import UsageError
from coursecore.safeyaml import load_mapping

# Kubernetes resource quantities: a number with an optional SI or binary suffix.
_QUANTITY = re.compile(r"^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")
POD_SECURITY_LEVELS = ("privileged", "baseline", "restricted")
MIN_TOKEN_SECONDS = 600  # the TokenRequest API refuses shorter tokens
MAX_TOKEN_SECONDS = 7 * 86400


@dataclass(frozen=True, kw_only=True)
class NamespaceSettings:
    """What every learner namespace gets; defaults suit a one-day workshop of the course's labs."""

    course: str = "kubecourse"
    """Label value ``kubecourse.io/course``: two courses on one cluster never delete each other's."""
    quota_cpu: str = "2"
    """CPU the learner's Pods may *request* in all."""
    quota_memory: str = "4Gi"
    """Memory the learner's Pods may request in all."""
    quota_cpu_limits: str = "8"
    """CPU *limits* in all. Above the requests: a solver run requests a share and bursts to its
    limit when the node is idle, and argo-salmon's eight runs (each with Argo's executor beside
    it) then go at once instead of two at a time."""
    quota_memory_limits: str = "6Gi"
    """Memory limits in all (kept closer to the requests than CPU: memory is not borrowed back)."""
    quota_pods: int = 20
    quota_pvcs: int = 4
    quota_storage: str = "10Gi"
    quota_services: int = 10
    default_cpu_request: str = "100m"
    default_memory_request: str = "128Mi"
    default_cpu_limit: str = "500m"
    default_memory_limit: str = "512Mi"
    max_container_cpu: str = "1"
    max_container_memory: str = "2Gi"
    pod_security: str = "baseline"
    """Pod Security level enforced on learner namespaces. ``baseline`` forbids privileged and
    host-access pods (host network, PID, IPC, ports and paths) yet runs the labs' unmodified
    manifests; ``restricted`` also demands non-root, seccomp and dropped capabilities, which the
    labs' plain manifests do not set (it is always *warned* about)."""
    token_ttl: int = 8 * 3600
    """Seconds the learner's token is valid; ``class up`` again hands out fresh ones."""
    argo_config: str = "argo/workflow-controller-configmap"
    """NAMESPACE/NAME of Argo's controller ConfigMap on the shared cluster, whose ``executor``
    resources ``class up --lab`` checks for labs that use Argo."""

    def __post_init__(self) -> None:
        for name in (
            "quota_cpu",
            "quota_memory",
            "quota_cpu_limits",
            "quota_memory_limits",
            "quota_storage",
            "default_cpu_request",
            "default_memory_request",
            "default_cpu_limit",
            "default_memory_limit",
            "max_container_cpu",
            "max_container_memory",
        ):
            value = getattr(self, name)
            if not isinstance(value, str) or not _QUANTITY.match(value):
                raise UsageError(
                    f"namespace setting {name}: {value!r} is not a Kubernetes quantity (e.g. 500m, 2, 4Gi)"
                )
        for name in ("quota_pods", "quota_pvcs", "quota_services"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise UsageError(f"namespace setting {name}: {value!r} is not a whole number >= 0")
        if self.pod_security not in POD_SECURITY_LEVELS:
            raise UsageError(
                f"namespace setting pod_security: {self.pod_security!r} is not one of {', '.join(POD_SECURITY_LEVELS)}"
            )
        if self.pod_security == "privileged":
            raise UsageError(
                "namespace setting pod_security: privileged would let learners escape "
                "their namespace; use baseline or restricted"
            )
        if not isinstance(self.course, str) or not self.course or not _LABEL_VALUE.match(self.course):
            raise UsageError(f"namespace setting course: {self.course!r} is not a valid label value")
        if not isinstance(self.argo_config, str) or self.argo_config.count("/") != 1:
            raise UsageError(f"namespace setting argo_config: {self.argo_config!r} is not NAMESPACE/NAME")
        ttl = self.token_ttl
        if not isinstance(ttl, int) or isinstance(ttl, bool) or not MIN_TOKEN_SECONDS <= ttl <= MAX_TOKEN_SECONDS:
            raise UsageError(f"namespace setting token_ttl: {ttl!r} must be from 10m to 7d")


def _token_seconds(value) -> int:
    from sandbox.state import parse_duration  # state pulls in filelock; keep this module light

    if isinstance(value, int) and not isinstance(value, bool):
        return value
    seconds = parse_duration(str(value))
    if seconds is None:
        raise UsageError("namespace setting token_ttl: tokens must expire (e.g. 8h)")
    return seconds


def load_settings(path: Path | None = None, **overrides) -> NamespaceSettings:
    """Defaults, then the mapping in ``path`` (if given), then ``overrides`` (not ``None`` ones)."""
    values: dict = {}
    if path is not None:
        raw = load_mapping(Path(path), what="namespace settings")
        known = {f.name for f in fields(NamespaceSettings)}
        unknown = sorted(str(k) for k in raw if k not in known)
        if unknown:
            raise UsageError(
                f"{path}: unknown namespace setting{'s' * (len(unknown) > 1)} "
                f"{', '.join(unknown)} (known: {', '.join(sorted(known))})"
            )
        values.update(raw)
    values.update({k: v for k, v in overrides.items() if v is not None})
    if "token_ttl" in values:
        values["token_ttl"] = _token_seconds(values["token_ttl"])
    for key in ("quota_cpu", "quota_cpu_limits", "max_container_cpu"):  # YAML reads `quota_cpu: 2` as an int
        if isinstance(values.get(key), (int, float)) and not isinstance(values.get(key), bool):
            values[key] = str(values[key])
    try:
        return replace(NamespaceSettings(), **values)
    except UsageError as err:
        where = f"{path}: " if path is not None else ""
        raise UsageError(where + err.message) from None


__all__ = ["NamespaceSettings", "POD_SECURITY_LEVELS", "load_settings"]

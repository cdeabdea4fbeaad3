"""The resource types the fake API server serves: the built-in table and a thread-safe registry.

A :class:`ResourceType` says everything the server needs about one group/version/resource:
its kind, whether it is namespaced, its subresources and short names, and which list fields
strategic merge patch merges by key. Custom resources join the registry when their
CustomResourceDefinition is created (see :mod:`fakekube.crds`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True, kw_only=True)
class ResourceType:
    """One served group/version/resource."""

    group: str
    """API group, "" for the core group."""
    version: str
    kind: str
    plural: str
    """The resource name in URLs (``configmaps``)."""
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subresources: frozenset[str] = frozenset()
    """Among ``status``, ``scale``, ``token`` (service accounts), ``log`` (pods)."""
    field_labels: frozenset[str] = frozenset()
    """Field selector keys allowed besides metadata.name and metadata.namespace."""
    custom: bool = False
    """True for custom resources: no strategic merge patch, served from a CRD."""
    printer_columns: tuple[dict, ...] = ()
    """additionalPrinterColumns of a CRD version, for Table output."""
    schema: dict | None = field(default=None, compare=False)
    """openAPIV3Schema of a CRD version (see :mod:`fakekube.schema`)."""

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    @property
    def storage_key(self) -> tuple[str, str]:
        """Objects are stored per group and resource, whatever version wrote them."""
        return (self.group, self.plural)

    @property
    def qualified(self) -> str:
        """``deployments.apps``: how the real server names the resource in messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural


def _rt(
    api_version: str,
    kind: str,
    plural: str,
    namespaced: bool = True,
    *,
    short: tuple[str, ...] = (),
    cats: tuple[str, ...] = (),
    sub: tuple[str, ...] = (),
    fields: tuple[str, ...] = (),
) -> ResourceType:
    group, _, version = api_version.rpartition("/")
    return ResourceType(
        group=group,
        version=version,
        kind=kind,
        plural=plural,
        namespaced=namespaced,
        short_names=short,
        categories=cats,
        subresources=frozenset(sub),
        field_labels=frozenset(fields),
    )


BUILTINS: tuple[ResourceType, ...] = (
    _rt("v1", "Namespace", "namespaces", False, short=("ns",), sub=("status",), fields=("status.phase",)),
    _rt("v1", "ConfigMap", "configmaps", short=("cm",)),
    _rt("v1", "Secret", "secrets", fields=("type",)),
    _rt(
        "v1",
        "Pod",
        "pods",
        short=("po",),
        cats=("all",),
        sub=("status", "log"),
        fields=(
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName",
        ),
    ),
    _rt("v1", "Service", "services", short=("svc",), cats=("all",), sub=("status",)),
    _rt("v1", "Endpoints", "endpoints", short=("ep",)),
    _rt("v1", "ServiceAccount", "serviceaccounts", short=("sa",), sub=("token",)),
    _rt("v1", "PersistentVolumeClaim", "persistentvolumeclaims", short=("pvc",), sub=("status",)),
    _rt("v1", "PersistentVolume", "persistentvolumes", False, short=("pv",), sub=("status",)),
    _rt("v1", "ResourceQuota", "resourcequotas", short=("quota",), sub=("status",)),
    _rt("v1", "LimitRange", "limitranges", short=("limits",)),
    _rt("v1", "Node", "nodes", False, short=("no",), sub=("status",), fields=("spec.unschedulable",)),
    _rt(
        "v1",
        "Event",
        "events",
        short=("ev",),
        fields=(
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ),
    ),
    _rt("apps/v1", "Deployment", "deployments", short=("deploy",), cats=("all",), sub=("status", "scale")),
    _rt("apps/v1", "StatefulSet", "statefulsets", short=("sts",), cats=("all",), sub=("status", "scale")),
    _rt("apps/v1", "DaemonSet", "daemonsets", short=("ds",), cats=("all",), sub=("status",)),
    _rt("apps/v1", "ReplicaSet", "replicasets", short=("rs",), cats=("all",), sub=("status", "scale")),
    _rt("batch/v1", "Job", "jobs", cats=("all",), sub=("status",), fields=("status.successful",)),
    _rt("batch/v1", "CronJob", "cronjobs", short=("cj",), cats=("all",), sub=("status",)),
    _rt("rbac.authorization.k8s.io/v1", "Role", "roles"),
    _rt("rbac.authorization.k8s.io/v1", "RoleBinding", "rolebindings"),
    _rt("rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles", False),
    _rt("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "clusterrolebindings", False),
    _rt("networking.k8s.io/v1", "NetworkPolicy", "networkpolicies", short=("netpol",)),
    _rt("networking.k8s.io/v1", "Ingress", "ingresses", short=("ing",), sub=("status",)),
    _rt("storage.k8s.io/v1", "StorageClass", "storageclasses", False, short=("sc",)),
    _rt("policy/v1", "PodDisruptionBudget", "poddisruptionbudgets", short=("pdb",), sub=("status",)),
    _rt("scheduling.k8s.io/v1", "PriorityClass", "priorityclasses", False, short=("pc",)),
    _rt(
        "apiextensions.k8s.io/v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        False,
        short=("crd", "crds"),
        sub=("status",),
    ),
    # Kinds that add-on manifests (Argo, Kueue) and cluster tooling ship; stored, never acted on.
    _rt("v1", "PodTemplate", "podtemplates"),
    _rt("v1", "ReplicationController", "replicationcontrollers", short=("rc",), cats=("all",), sub=("status", "scale")),
    _rt("apps/v1", "ControllerRevision", "controllerrevisions"),
    _rt(
        "autoscaling/v2",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        short=("hpa",),
        cats=("all",),
        sub=("status",),
    ),
    _rt(
        "autoscaling/v1",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        short=("hpa",),
        cats=("all",),
        sub=("status",),
    ),
    _rt("coordination.k8s.io/v1", "Lease", "leases"),
    _rt("discovery.k8s.io/v1", "EndpointSlice", "endpointslices"),
    _rt("networking.k8s.io/v1", "IngressClass", "ingressclasses", False),
    _rt("node.k8s.io/v1", "RuntimeClass", "runtimeclasses", False),
    _rt("storage.k8s.io/v1", "CSIDriver", "csidrivers", False),
    _rt("storage.k8s.io/v1", "CSINode", "csinodes", False),
    _rt("storage.k8s.io/v1", "VolumeAttachment", "volumeattachments", False, sub=("status",)),
    _rt(
        "certificates.k8s.io/v1",
        "CertificateSigningRequest",
        "certificatesigningrequests",
        False,
        short=("csr",),
        sub=("status",),
    ),
    _rt("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", False),
    _rt("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", False),
    _rt(
        "admissionregistration.k8s.io/v1",
        "ValidatingAdmissionPolicy",
        "validatingadmissionpolicies",
        False,
        sub=("status",),
    ),
    _rt(
        "admissionregistration.k8s.io/v1",
        "ValidatingAdmissionPolicyBinding",
        "validatingadmissionpolicybindings",
        False,
    ),
    _rt("apiregistration.k8s.io/v1", "APIService", "apiservices", False, sub=("status",)),
    _rt("flowcontrol.apiserver.k8s.io/v1", "FlowSchema", "flowschemas", False, sub=("status",)),
    _rt(
        "flowcontrol.apiserver.k8s.io/v1",
        "PriorityLevelConfiguration",
        "prioritylevelconfigurations",
        False,
        sub=("status",),
    ),
)

# Strategic merge patch and server-side apply: list fields merged by key, as in the Go types'
# patchMergeKey tags (k8s.io/api). ``ports`` depends on where it sits: containers key by
# containerPort, services by port; the patch code picks the key the items carry.
MERGE_KEYS: dict[str, tuple[str, ...]] = {
    "containers": ("name",),
    "initContainers": ("name",),
    "ephemeralContainers": ("name",),
    "env": ("name",),
    "volumes": ("name",),
    "volumeMounts": ("mountPath",),
    "volumeDevices": ("devicePath",),
    "imagePullSecrets": ("name",),
    "ports": ("containerPort", "port"),
    "conditions": ("type",),
    "ownerReferences": ("uid",),
    "hostAliases": ("ip",),
    "topologySpreadConstraints": ("topologyKey",),
    "resourceClaims": ("name",),
    "secrets": ("name",),
    "addresses": ("type",),
    "readinessGates": ("conditionType",),
    "webhooks": ("name",),
}
# Lists of scalars merged as sets (patchStrategy:"merge" without a key).
MERGED_SCALAR_LISTS = frozenset({"finalizers"})


class Registry:
    """The served resource types, looked up by URL segments or by apiVersion and kind."""

    def __init__(self, types: tuple[ResourceType, ...] = BUILTINS) -> None:
        self._lock = threading.Lock()
        self._types: list[ResourceType] = list(types)
        self.generation = 0
        """Bumped on every change; discovery documents are hashed on it."""

    def all(self) -> list[ResourceType]:
        with self._lock:
            return list(self._types)

    def by_resource(self, group: str, version: str, plural: str) -> ResourceType | None:
        with self._lock:
            for rt in self._types:
                if (rt.group, rt.version, rt.plural) == (group, version, plural):
                    return rt
        return None

    def by_kind(self, api_version: str, kind: str) -> ResourceType | None:
        with self._lock:
            for rt in self._types:
                if rt.api_version == api_version and rt.kind == kind:
                    return rt
        return None

    def versions_of(self, group: str, plural: str) -> list[ResourceType]:
        with self._lock:
            return [rt for rt in self._types if rt.storage_key == (group, plural)]

    def groups(self) -> dict[str, list[str]]:
        """Group name -> served versions, in registration order (the first is preferred)."""
        groups: dict[str, list[str]] = {}
        with self._lock:
            for rt in self._types:
                versions = groups.setdefault(rt.group, [])
                if rt.version not in versions:
                    versions.append(rt.version)
        return groups

    def add(self, types: list[ResourceType]) -> None:
        with self._lock:
            self._types.extend(types)
            self.generation += 1

    def remove(self, group: str, plural: str) -> None:
        with self._lock:
            self._types = [rt for rt in self._types if rt.storage_key != (group, plural)]
            self.generation += 1


__all__ = ["ALL_VERBS", "BUILTINS", "MERGED_SCALAR_LISTS", "MERGE_KEYS", "Registry", "ResourceType"]

"""The manifests of one learner's namespace sandbox, as pure functions of the learner's name.

:func:`learner_objects` returns, in the order they must be applied: the Namespace (Pod Security
admission labels on it), the learner's ServiceAccount, a namespaced Role with what the labs need
and a RoleBinding to it, the Argo executor Role and binding (workflow steps record outputs under
the pod's ServiceAccount), a ResourceQuota (which also forbids NodePort and LoadBalancer
Services: nothing a learner makes can expose the nodes), a LimitRange, and a NetworkPolicy that
admits traffic from the learner's own namespace only. Every object carries the labels
:func:`labels` gives, which is how teardown finds exactly what kubecourse made.

Nothing here is cluster-wide except the Namespace: the Role is a Role, not a ClusterRole, so the
learner's rights end at their namespace by construction, and deleting the Namespace deletes
everything else.
"""

from __future__ import annotations

from sandbox.names import validate_name
from sandbox.namespace.settings import NamespaceSettings

PREFIX = "kc-"
MANAGED_BY = "app.kubernetes.io/managed-by"
MANAGER = "kubecourse"
LEARNER_LABEL = "kubecourse.io/learner"
COURSE_LABEL = "kubecourse.io/course"
SERVICE_ACCOUNT = "learner"
LEARNER_ROLE = "kubecourse-learner"
EXECUTOR_ROLE = "argo-executor"
QUOTA = "kubecourse-quota"
LIMITS = "kubecourse-limits"
NETWORK_POLICY = "kubecourse-same-namespace-only"

ALL = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]
READ = ["get", "list", "watch"]

# What the labs do, namespaced. Deliberately absent: namespaces, resourcequotas, limitranges and
# networkpolicies beyond reading (the learner must not loosen their own fence), roles and
# rolebindings (no privilege escalation), and anything cluster-scoped (a Role cannot grant it).
LEARNER_RULES = [
    {
        "apiGroups": [""],
        "resources": ["pods", "services", "configmaps", "secrets", "persistentvolumeclaims", "serviceaccounts"],
        "verbs": ALL,
    },
    {
        "apiGroups": [""],
        "resources": ["pods/log", "pods/status", "events", "endpoints", "resourcequotas", "limitranges"],
        "verbs": READ,
    },
    {"apiGroups": [""], "resources": ["pods/exec", "pods/portforward"], "verbs": ["get", "create"]},
    {
        "apiGroups": ["apps"],
        "resources": ["deployments", "statefulsets", "replicasets", "deployments/scale", "statefulsets/scale"],
        "verbs": ALL,
    },
    {"apiGroups": ["batch"], "resources": ["jobs", "cronjobs"], "verbs": ALL},
    {"apiGroups": ["autoscaling"], "resources": ["horizontalpodautoscalers"], "verbs": ALL},
    {"apiGroups": ["policy"], "resources": ["poddisruptionbudgets"], "verbs": ALL},
    {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses"], "verbs": ALL},
    {"apiGroups": ["networking.k8s.io"], "resources": ["networkpolicies"], "verbs": READ},
    {"apiGroups": ["argoproj.io"], "resources": ["workflows", "workflowtemplates", "cronworkflows"], "verbs": ALL},
    {"apiGroups": ["argoproj.io"], "resources": ["workflowtaskresults"], "verbs": READ},
    {"apiGroups": ["kueue.x-k8s.io"], "resources": ["localqueues", "workloads"], "verbs": READ},
    {"apiGroups": ["events.k8s.io"], "resources": ["events"], "verbs": READ},
]
EXECUTOR_RULES = [{"apiGroups": ["argoproj.io"], "resources": ["workflowtaskresults"], "verbs": ["create", "patch"]}]


def namespace_of(name: str) -> str:
    """The namespace of learner ``name``: ``kc-NAME`` (at most 42 characters, a valid label)."""
    return PREFIX + validate_name(name)


def labels(name: str, settings: NamespaceSettings) -> dict[str, str]:
    """The labels on everything made for learner ``name``."""
    return {MANAGED_BY: MANAGER, COURSE_LABEL: settings.course, LEARNER_LABEL: validate_name(name)}


def course_selector(settings: NamespaceSettings) -> str:
    """Label selector of every namespace this course made."""
    return f"{MANAGED_BY}={MANAGER},{COURSE_LABEL}={settings.course}"


def learner_selector(name: str, settings: NamespaceSettings) -> str:
    """Label selector of what was made for learner ``name`` (and nothing else)."""
    return f"{course_selector(settings)},{LEARNER_LABEL}={validate_name(name)}"


def _meta(name: str, object_name: str, settings: NamespaceSettings, *, namespaced: bool = True) -> dict:
    meta = {"name": object_name, "labels": labels(name, settings)}
    if namespaced:
        meta["namespace"] = namespace_of(name)
    return meta


def namespace(name: str, settings: NamespaceSettings) -> dict:
    meta = _meta(name, namespace_of(name), settings, namespaced=False)
    level = settings.pod_security
    meta["labels"].update(
        {
            # Pod Security admission: enforced on every learner namespace, so no privileged or
            # host-access pod is ever admitted; `restricted` is warned about and audited as advice.
            "pod-security.kubernetes.io/enforce": level,
            "pod-security.kubernetes.io/enforce-version": "latest",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/warn-version": "latest",
            "pod-security.kubernetes.io/audit": "restricted",
            "pod-security.kubernetes.io/audit-version": "latest",
        }
    )
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta}


def service_account(name: str, settings: NamespaceSettings) -> dict:
    # The learner's token is requested through the TokenRequest API, never mounted into pods.
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": _meta(name, SERVICE_ACCOUNT, settings),
        "automountServiceAccountToken": False,
    }


def learner_role(name: str, settings: NamespaceSettings) -> dict:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": _meta(name, LEARNER_ROLE, settings),
        "rules": LEARNER_RULES,
    }


def _binding(name: str, settings: NamespaceSettings, binding: str, role: str, account: str) -> dict:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": _meta(name, binding, settings),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role},
        "subjects": [{"kind": "ServiceAccount", "name": account, "namespace": namespace_of(name)}],
    }


def learner_binding(name: str, settings: NamespaceSettings) -> dict:
    return _binding(name, settings, LEARNER_ROLE, LEARNER_ROLE, SERVICE_ACCOUNT)


def executor_role(name: str, settings: NamespaceSettings) -> dict:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": _meta(name, EXECUTOR_ROLE, settings),
        "rules": EXECUTOR_RULES,
    }


def executor_binding(name: str, settings: NamespaceSettings) -> dict:
    # Workflow pods run as the namespace's `default` ServiceAccount (the labs set no other).
    return _binding(name, settings, f"{EXECUTOR_ROLE}-default", EXECUTOR_ROLE, "default")


def resource_quota(name: str, settings: NamespaceSettings) -> dict:
    s = settings
    hard = {
        "requests.cpu": s.quota_cpu,
        "limits.cpu": s.quota_cpu,
        "requests.memory": s.quota_memory,
        "limits.memory": s.quota_memory,
        "requests.storage": s.quota_storage,
        "persistentvolumeclaims": str(s.quota_pvcs),
        "pods": str(s.quota_pods),
        "services": str(s.quota_services),
        # Zero of either means no Service of the learner's opens a port on the nodes or asks
        # for an external load balancer: the quota admission plugin rejects it at creation.
        "services.nodeports": "0",
        "services.loadbalancers": "0",
    }
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": _meta(name, QUOTA, settings),
        "spec": {"hard": hard},
    }


def limit_range(name: str, settings: NamespaceSettings) -> dict:
    # Defaults let the labs' manifests (which set no resources) run under a cpu/memory quota,
    # which otherwise rejects every pod that does not state its requests and limits.
    s = settings
    limit = {
        "type": "Container",
        "default": {"cpu": s.default_cpu_limit, "memory": s.default_memory_limit},
        "defaultRequest": {"cpu": s.default_cpu_request, "memory": s.default_memory_request},
        "max": {"cpu": s.max_container_cpu, "memory": s.max_container_memory},
    }
    return {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": _meta(name, LIMITS, settings),
        "spec": {"limits": [limit]},
    }


def network_policy(name: str, settings: NamespaceSettings) -> dict:
    # Ingress only from pods of the same namespace: other learners' pods cannot reach these.
    # Egress stays open (image pulls, the Argo controller, DNS).
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _meta(name, NETWORK_POLICY, settings),
        "spec": {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{"from": [{"podSelector": {}}]}]},
    }


def learner_objects(name: str, settings: NamespaceSettings | None = None) -> list[dict]:
    """Every object of learner ``name``'s sandbox, Namespace first."""
    settings = settings or NamespaceSettings()
    makers = (
        namespace,
        service_account,
        learner_role,
        learner_binding,
        executor_role,
        executor_binding,
        resource_quota,
        limit_range,
        network_policy,
    )
    return [make(name, settings) for make in makers]


__all__ = [
    "COURSE_LABEL",
    "LEARNER_LABEL",
    "LEARNER_ROLE",
    "LEARNER_RULES",
    "MANAGED_BY",
    "MANAGER",
    "PREFIX",
    "SERVICE_ACCOUNT",
    "course_selector",
    "labels",
    "learner_objects",
    "learner_selector",
    "namespace_of",
]

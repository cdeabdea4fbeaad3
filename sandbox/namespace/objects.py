"""The manifests of one learner's namespace sandbox, as pure functions of the learner's name.

:func:`learner_objects` returns, in the order they must be applied: the Namespace (Pod Security
admission labels on it), the learner's ServiceAccount, a namespaced Role with what the labs need
and a RoleBinding to it, the Argo executor Role and binding (workflow steps record outputs under
the pod's ServiceAccount), a ResourceQuota (which also forbids NodePort and LoadBalancer
Services: nothing a learner makes can expose the nodes), a LimitRange, and a NetworkPolicy that
admits traffic from the learner's own namespace only. Every object carries the labels
:func:`labels` gives, which is how teardown finds exactly what kubecourse made.

Nothing here is cluster-wide except the Namespace and one ClusterRole with its binding, which
grant only reads no Role can: the learner's own Namespace (by name) and the nodes. Every right to
write is in the Role, so it ends at the learner's namespace by construction; deleting the
Namespace deletes everything else, and teardown deletes the two cluster-scoped objects by their
labels.
"""

from __future__ import annotations

from coursecore.home import validate_name
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

# What the namespace-mode labs' notebooks ask learners to do, in their namespace, and nothing more
# (tests/unit/test_namespace_permissions.py walks every notebook command against these rules and
# fails on a right no notebook uses). Deliberately absent: Secrets and ServiceAccounts (no
# credentials to mint or mount beyond what the backend hands out), writing RBAC (no privilege
# escalation), writing the quota, limits or network policy (the learner's own fence).
LEARNER_RULES = [
    {"apiGroups": [""], "resources": ["pods", "services", "configmaps", "persistentvolumeclaims"], "verbs": ALL},
    {"apiGroups": [""], "resources": ["pods/log", "events"], "verbs": READ},
    # `kubectl run -it` attaches, `exec` and `cp` exec, `port-forward` port-forwards.
    {"apiGroups": [""], "resources": ["pods/attach", "pods/exec", "pods/portforward"], "verbs": ["get", "create"]},
    {"apiGroups": ["apps"], "resources": ["deployments", "replicasets", "deployments/scale"], "verbs": ALL},
    {"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ALL},
    {"apiGroups": ["argoproj.io"], "resources": ["workflows"], "verbs": ALL},
    {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": READ},
    # Reading (never writing) the namespace's own Roles: argo-salmon checks its set-up Role is there.
    {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles"], "verbs": READ},
]
FENCE_READS = [
    # Not asked for by a notebook, but how a learner reads why a Pod was refused ("exceeded
    # quota", "maximum cpu usage per Container"): the book's namespace-backend page teaches it.
    {"apiGroups": [""], "resources": ["resourcequotas", "limitranges"], "verbs": READ},
]
# The cluster-scoped reads the labs' notebooks ask for, which no Role can grant: the learner's own
# Namespace (`kubectl get namespace`, by name only) and the nodes (`kubectl get nodes`,
# `describe node`: where Pods land is what the scheduling lab is about).
CLUSTER_READ_NODES = {"apiGroups": [""], "resources": ["nodes"], "verbs": READ}
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
        "rules": LEARNER_RULES + FENCE_READS,
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


def cluster_reader_name(name: str) -> str:
    """The learner's ClusterRole and ClusterRoleBinding (RBAC names may hold a colon)."""
    return f"kubecourse:{namespace_of(name)}"


def learner_cluster_rules(name: str) -> list[dict]:
    own = {"apiGroups": [""], "resources": ["namespaces"], "resourceNames": [namespace_of(name)], "verbs": ["get"]}
    return [own, CLUSTER_READ_NODES]


def learner_cluster_role(name: str, settings: NamespaceSettings) -> dict:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": _meta(name, cluster_reader_name(name), settings, namespaced=False),
        "rules": learner_cluster_rules(name),
    }


def learner_cluster_binding(name: str, settings: NamespaceSettings) -> dict:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": _meta(name, cluster_reader_name(name), settings, namespaced=False),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": cluster_reader_name(name)},
        "subjects": [{"kind": "ServiceAccount", "name": SERVICE_ACCOUNT, "namespace": namespace_of(name)}],
    }


CLUSTER_SCOPED = (
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
)
"""What a learner has outside their namespace, in the order teardown deletes it."""


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
        "limits.cpu": s.quota_cpu_limits,
        "requests.memory": s.quota_memory,
        "limits.memory": s.quota_memory_limits,
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
    """Every object of learner ``name``'s sandbox, Namespace first (two are cluster-scoped)."""
    settings = settings or NamespaceSettings()
    makers = (
        namespace,
        service_account,
        learner_role,
        learner_binding,
        learner_cluster_role,
        learner_cluster_binding,
        executor_role,
        executor_binding,
        resource_quota,
        limit_range,
        network_policy,
    )
    return [make(name, settings) for make in makers]


__all__ = [
    "CLUSTER_SCOPED",
    "COURSE_LABEL",
    "LEARNER_LABEL",
    "LEARNER_ROLE",
    "FENCE_READS",
    "LEARNER_RULES",
    "MANAGED_BY",
    "MANAGER",
    "PREFIX",
    "SERVICE_ACCOUNT",
    "cluster_reader_name",
    "course_selector",
    "labels",
    "learner_objects",
    "learner_selector",
    "namespace_of",
]

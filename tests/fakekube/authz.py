"""Who a request is (authentication) and whether RBAC lets it (authorization).

Static tokens (``FakeKubeServer.tokens``) belong to the cluster admin (group
``system:masters``, which RBAC never restricts); ServiceAccount tokens from the TokenRequest API
are ``system:serviceaccount:NS:NAME`` and get exactly what Roles, ClusterRoles and their bindings
grant, as with the real RBAC authorizer. Every authenticated user may read discovery, OpenAPI,
/version and health paths (the default ``system:discovery`` and ``system:public-info-viewer``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ApiError
from .store import Store

RBAC = "rbac.authorization.k8s.io"
_DISCOVERY_PATHS = ("/api", "/apis", "/version", "/openapi", "/healthz", "/livez", "/readyz")


@dataclass(frozen=True)
class User:
    name: str
    groups: tuple[str, ...]

    @property
    def unrestricted(self) -> bool:
        return "system:masters" in self.groups


ADMIN = User("kubernetes-admin", ("kubeadm:cluster-admins", "system:masters", "system:authenticated"))


def service_account_user(namespace: str, name: str) -> User:
    return User(
        f"system:serviceaccount:{namespace}:{name}",
        ("system:serviceaccounts", f"system:serviceaccounts:{namespace}", "system:authenticated"),
    )


@dataclass(frozen=True)
class Request:
    """What is asked: a verb on a resource (or, with ``resource == ""``, on ``path``)."""

    verb: str
    group: str = ""
    resource: str = ""
    subresource: str = ""
    namespace: str = ""
    name: str = ""
    path: str = ""


def _subject_matches(subject: dict, user: User) -> bool:
    kind, name = subject.get("kind"), subject.get("name")
    if kind == "User":
        return name == user.name
    if kind == "Group":
        return name in user.groups
    if kind == "ServiceAccount":
        return f"system:serviceaccount:{subject.get('namespace', '')}:{name}" == user.name
    return False


def _selects(selector: dict, labels: dict) -> bool:
    wanted = selector.get("matchLabels") or {}
    return all(labels.get(k) == v for k, v in wanted.items()) and not selector.get("matchExpressions")


def _role_rules(store: Store, role: dict | None) -> list[dict]:
    """A role's rules; an aggregated ClusterRole has those of the ClusterRoles it selects."""
    if role is None:
        return []
    selectors = (role.get("aggregationRule") or {}).get("clusterRoleSelectors")
    if not selectors:
        return list(role.get("rules") or [])
    rules = []
    for other in store.list((RBAC, "clusterroles")):
        labels = other["metadata"].get("labels") or {}
        if any(_selects(sel, labels) for sel in selectors) and not (other.get("aggregationRule") or {}).get(
            "clusterRoleSelectors"
        ):
            rules.extend(other.get("rules") or [])
    return rules


def _rules(store: Store, user: User, namespace: str) -> list[dict]:
    rules: list[dict] = []
    bindings = [(b, "") for b in store.list((RBAC, "clusterrolebindings"))]
    if namespace:
        bindings += [(b, namespace) for b in store.list((RBAC, "rolebindings"), namespace)]
    for binding, where in bindings:
        if not any(_subject_matches(s, user) for s in binding.get("subjects") or []):
            continue
        ref = binding.get("roleRef") or {}
        if ref.get("kind") == "Role" and where:
            role = store.get((RBAC, "roles"), where, ref.get("name", ""))
        elif ref.get("kind") == "ClusterRole":
            role = store.get((RBAC, "clusterroles"), "", ref.get("name", ""))
        else:
            role = None
        rules.extend(_role_rules(store, role))
    return rules


def _matches(values: list, wanted: str) -> bool:
    return "*" in values or wanted in values


def _resource_rule(rule: dict, request: Request) -> bool:
    resource = f"{request.resource}/{request.subresource}" if request.subresource else request.resource
    resources = rule.get("resources") or []
    resource_ok = _matches(resources, resource) or (
        request.subresource and (f"{request.resource}/*" in resources or f"*/{request.subresource}" in resources)
    )
    names = rule.get("resourceNames") or []
    return (
        _matches(rule.get("verbs") or [], request.verb)
        and _matches(rule.get("apiGroups") or [], request.group)
        and bool(resource_ok)
        and (not names or request.name in names)
    )


def _path_rule(rule: dict, request: Request) -> bool:
    if not _matches(rule.get("verbs") or [], request.verb):
        return False
    return any(
        url == request.path or url == "*" or (url.endswith("*") and request.path.startswith(url[:-1]))
        for url in rule.get("nonResourceURLs") or []
    )


def allowed(store: Store, user: User, request: Request) -> bool:
    if user.unrestricted:
        return True
    if not request.resource:
        if any(request.path == p or request.path.startswith(p + "/") for p in _DISCOVERY_PATHS):
            return True
        return any(_path_rule(rule, request) for rule in _rules(store, user, ""))
    return any(_resource_rule(rule, request) for rule in _rules(store, user, request.namespace))


def forbidden(user: User, request: Request, qualified: str) -> ApiError:
    """403 worded as the RBAC authorizer words it."""
    if not request.resource:
        return ApiError(
            403, "Forbidden", f'forbidden: User "{user.name}" cannot {request.verb} path "{request.path}"', details={}
        )
    resource = f"{request.resource}/{request.subresource}" if request.subresource else request.resource
    scope = f'in the namespace "{request.namespace}"' if request.namespace else "at the cluster scope"
    subject = f'{qualified} "{request.name}"' if request.name else qualified
    details = {"kind": request.resource}
    if request.name:
        details["name"] = request.name
    if request.group:
        details["group"] = request.group
    return ApiError(
        403,
        "Forbidden",
        f'{subject} is forbidden: User "{user.name}" cannot '
        f'{request.verb} resource "{resource}" in API group "{request.group}" '
        f"{scope}",
        details=details,
    )


_READ, _WRITE = ["get", "list", "watch"], ["create", "delete", "deletecollection", "patch", "update"]
_EVERYDAY = [
    (
        "",
        [
            "pods",
            "pods/log",
            "pods/status",
            "services",
            "services/status",
            "endpoints",
            "configmaps",
            "persistentvolumeclaims",
            "persistentvolumeclaims/status",
            "replicationcontrollers",
            "replicationcontrollers/scale",
            "serviceaccounts",
            "events",
            "limitranges",
            "resourcequotas",
            "resourcequotas/status",
            "podtemplates",
        ],
    ),
    (
        "apps",
        [
            "deployments",
            "deployments/scale",
            "deployments/status",
            "statefulsets",
            "statefulsets/scale",
            "statefulsets/status",
            "replicasets",
            "replicasets/scale",
            "replicasets/status",
            "daemonsets",
            "daemonsets/status",
            "controllerrevisions",
        ],
    ),
    ("batch", ["jobs", "jobs/status", "cronjobs", "cronjobs/status"]),
    ("autoscaling", ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
    ("networking.k8s.io", ["ingresses", "ingresses/status", "networkpolicies"]),
    ("policy", ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
    ("discovery.k8s.io", ["endpointslices"]),
]


def _cluster_role(name: str, rules: list[dict], labels: dict | None = None, aggregate: str = "") -> dict:
    meta: dict = {"name": name, "labels": {"kubernetes.io/bootstrapping": "rbac-defaults", **(labels or {})}}
    role = {"apiVersion": f"{RBAC}/v1", "kind": "ClusterRole", "metadata": meta, "rules": rules}
    if aggregate:
        role["aggregationRule"] = {
            "clusterRoleSelectors": [{"matchLabels": {f"{RBAC}/aggregate-to-{aggregate}": "true"}}]
        }
        role["rules"] = []
    return role


def default_objects() -> list[dict]:
    """The bootstrap RBAC every cluster has: cluster-admin for system:masters, and the
    aggregated user-facing ClusterRoles admin, edit and view (abridged rule lists)."""
    to = f"{RBAC}/aggregate-to-"
    read = [{"apiGroups": [g], "resources": r, "verbs": _READ} for g, r in _EVERYDAY]
    read.append({"apiGroups": [""], "resources": ["namespaces"], "verbs": _READ})
    write = [{"apiGroups": [g], "resources": r, "verbs": _WRITE} for g, r in _EVERYDAY]
    write.append({"apiGroups": [""], "resources": ["secrets"], "verbs": _READ + _WRITE})
    write.append({"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"]})
    admin = [{"apiGroups": [RBAC], "resources": ["roles", "rolebindings"], "verbs": _READ + _WRITE}]
    return [
        _cluster_role(
            "cluster-admin",
            [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, {"nonResourceURLs": ["*"], "verbs": ["*"]}],
        ),
        _cluster_role("admin", [], aggregate="admin"),
        _cluster_role("edit", [], {f"{to}admin": "true"}, aggregate="edit"),
        _cluster_role("view", [], {f"{to}admin": "true", f"{to}edit": "true"}, aggregate="view"),
        _cluster_role("system:aggregate-to-admin", admin, {f"{to}admin": "true"}),
        _cluster_role("system:aggregate-to-edit", write, {f"{to}admin": "true", f"{to}edit": "true"}),
        _cluster_role(
            "system:aggregate-to-view", read, {f"{to}admin": "true", f"{to}edit": "true", f"{to}view": "true"}
        ),
        {
            "apiVersion": f"{RBAC}/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {"name": "cluster-admin", "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"}},
            "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": "cluster-admin"},
            "subjects": [{"apiGroup": RBAC, "kind": "Group", "name": "system:masters"}],
        },
    ]


__all__ = ["ADMIN", "default_objects", "Request", "User", "allowed", "forbidden", "service_account_user"]

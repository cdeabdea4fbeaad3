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


ADMIN = User("kubernetes-admin", ("kubeadm:cluster-admins", "system:masters",
                                  "system:authenticated"))


def service_account_user(namespace: str, name: str) -> User:
    return User(f"system:serviceaccount:{namespace}:{name}",
                ("system:serviceaccounts", f"system:serviceaccounts:{namespace}",
                 "system:authenticated"))


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
        rules.extend((role or {}).get("rules") or [])
    return rules


def _matches(values: list, wanted: str) -> bool:
    return "*" in values or wanted in values


def _resource_rule(rule: dict, request: Request) -> bool:
    resource = f"{request.resource}/{request.subresource}" if request.subresource \
        else request.resource
    resources = rule.get("resources") or []
    resource_ok = _matches(resources, resource) or (
        request.subresource and (f"{request.resource}/*" in resources
                                 or f"*/{request.subresource}" in resources))
    names = rule.get("resourceNames") or []
    return (_matches(rule.get("verbs") or [], request.verb)
            and _matches(rule.get("apiGroups") or [], request.group)
            and bool(resource_ok) and (not names or request.name in names))


def _path_rule(rule: dict, request: Request) -> bool:
    if not _matches(rule.get("verbs") or [], request.verb):
        return False
    return any(url == request.path or url == "*" or
               (url.endswith("*") and request.path.startswith(url[:-1]))
               for url in rule.get("nonResourceURLs") or [])


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
        return ApiError(403, "Forbidden", f'forbidden: User "{user.name}" cannot '
                        f'{request.verb} path "{request.path}"', details={})
    resource = f"{request.resource}/{request.subresource}" if request.subresource \
        else request.resource
    scope = f'in the namespace "{request.namespace}"' if request.namespace \
        else "at the cluster scope"
    subject = f'{qualified} "{request.name}"' if request.name else qualified
    details = {"kind": request.resource}
    if request.name:
        details["name"] = request.name
    if request.group:
        details["group"] = request.group
    return ApiError(403, "Forbidden", f'{subject} is forbidden: User "{user.name}" cannot '
                    f'{request.verb} resource "{resource}" in API group "{request.group}" '
                    f"{scope}", details=details)


__all__ = ["ADMIN", "Request", "User", "allowed", "forbidden", "service_account_user"]

"""The few Kubernetes API calls the namespace backend makes, on :mod:`coursecore.kube`.

Objects are written with server-side apply (field manager ``kubecourse``, forced): one request
per object whether it exists or not, so a re-run converges instead of failing on conflicts.
Network failures and 401/403 become :class:`~coursecore.errors.ClusterUnreachable` (exit 3)
naming the cluster; other refusals become :class:`~coursecore.errors.ApiRefused` with the
server's message; both carry a hint for the instructor.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from coursecore import kube
from coursecore.errors import ApiRefused

FIELD_MANAGER = "kubecourse"
ADVICE = kube.Advice(
    reach="check the kubeconfig and --context, and that the cluster is up",
    forbidden="the namespace backend needs a cluster-admin context (--context)",
)


# Plural resource names of the kinds the backend writes (core kinds live under /api/v1).
_PLURALS = {
    "Namespace": "namespaces",
    "ServiceAccount": "serviceaccounts",
    "Role": "roles",
    "RoleBinding": "rolebindings",
    "ClusterRole": "clusterroles",
    "ClusterRoleBinding": "clusterrolebindings",
    "ResourceQuota": "resourcequotas",
    "LimitRange": "limitranges",
    "NetworkPolicy": "networkpolicies",
    "ConfigMap": "configmaps",
    "CustomResourceDefinition": "customresourcedefinitions",
    "ValidatingAdmissionPolicy": "validatingadmissionpolicies",
    "ValidatingAdmissionPolicyBinding": "validatingadmissionpolicybindings",
}


def object_path(api_version: str, kind: str, name: str | None = None, namespace: str | None = None) -> str:
    """The REST path of an object (or, without ``name``, its collection)."""
    base = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
    try:
        plural = _PLURALS[kind]
    except KeyError:
        raise ValueError(f"the namespace backend does not write {kind}") from None
    path = f"{base}/namespaces/{quote(namespace, safe='')}/{plural}" if namespace else f"{base}/{plural}"
    return f"{path}/{quote(name, safe='')}" if name else path


class Cluster:
    """The instructor's cluster: the namespace backend's operations on one :class:`~coursecore.kube.Kube`."""

    def __init__(self, api: kube.Kube) -> None:
        self.api = api
        self.host = api.host
        self.origin = api.origin

    @classmethod
    def connect(cls, kubeconfig: Path, context: str | None = None, *, pool: int = 16) -> Cluster:
        """A client from ``kubeconfig`` (and ``context``) only; ``pool`` concurrent connections."""
        return cls(kube.connect(kubeconfig, context, advice=ADVICE, pool=pool))

    def close(self) -> None:
        self.api.close()

    def request(self, method: str, path: str, **options) -> dict | None:
        """One request (see :meth:`coursecore.kube.Kube.request`)."""
        return self.api.request(method, path, **options)

    # -- operations ----------------------------------------------------------------------------

    def apply(self, obj: dict) -> dict:
        """Create or update ``obj`` by server-side apply (forced: kubecourse owns these fields)."""
        meta = obj["metadata"]
        path = object_path(obj["apiVersion"], obj["kind"], meta["name"], meta.get("namespace"))
        return (
            self.request(
                "PATCH",
                path,
                body=obj,
                content_type="application/apply-patch+yaml",
                query={"fieldManager": FIELD_MANAGER, "force": "true"},
            )
            or {}
        )

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict | None:
        return self.request("GET", object_path(api_version, kind, name, namespace), missing_ok=True)

    def list(self, api_version: str, kind: str, *, namespace: str | None = None, selector: str = "") -> list[dict]:
        query = {"labelSelector": selector} if selector else {}
        found = self.request("GET", object_path(api_version, kind, namespace=namespace), query=query) or {}
        return list(found.get("items") or [])

    def delete(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> bool:
        """Delete one object (background propagation); False if it was already gone."""
        body = {"apiVersion": "v1", "kind": "DeleteOptions", "propagationPolicy": "Background"}
        return (
            self.request("DELETE", object_path(api_version, kind, name, namespace), body=body, missing_ok=True)
            is not None
        )

    def request_token(self, namespace: str, service_account: str, seconds: int) -> tuple[str, str]:
        """A token for ``service_account`` valid ``seconds`` (TokenRequest API): (token, expiry)."""
        path = object_path("v1", "ServiceAccount", service_account, namespace) + "/token"
        body = {
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "TokenRequest",
            "spec": {"expirationSeconds": int(seconds)},
        }
        answer = self.request("POST", path, body=body) or {}
        status = answer.get("status") or {}
        if not status.get("token"):
            raise ApiRefused(f"the TokenRequest for {namespace}/{service_account} returned no token", status=0)
        return status["token"], str(status.get("expirationTimestamp") or "")


__all__ = ["ADVICE", "FIELD_MANAGER", "Cluster", "object_path"]

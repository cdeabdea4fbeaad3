"""The few Kubernetes API calls the namespace backend makes, through the official client.

Objects are written with server-side apply (field manager ``kubecourse``, forced): one request
per object whether it exists or not, so a re-run converges instead of failing on conflicts.
Network failures and 401/403 become :class:`ClusterUnreachable` (exit 3) naming the cluster;
other refusals become :class:`ApiRefused` with the server's message.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import urllib3

from coursecore.errors import EnvironmentProblem, UsageError
from sandbox.errors import SandboxError

FIELD_MANAGER = "kubecourse"
TIMEOUT = (5.0, 30.0)  # connect, read (seconds)


class ClusterUnreachable(EnvironmentProblem, SandboxError):
    """The instructor's cluster cannot be reached or refuses the instructor's credentials."""


class ApiRefused(SandboxError):
    """The API server refused a request (a 4xx or 5xx other than 401 and 404)."""

    exit_code = 3

    def __init__(self, message: str, *, status: int, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.status = status


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
    """Authenticated requests against the instructor's cluster (one client, thread-safe)."""

    def __init__(self, api_client: Any, *, origin: str = "") -> None:
        self.client = api_client
        self.host = api_client.configuration.host
        self.origin = origin

    @classmethod
    def connect(cls, kubeconfig: Path, context: str | None = None, *, pool: int = 16) -> Cluster:
        """A client from ``kubeconfig`` (and ``context``) only; ``pool`` concurrent connections."""
        from coursecore._quickimport import import_jsonschema_quickly

        import_jsonschema_quickly()  # seconds of CPU saved per command (see that module)
        import kubernetes
        from kubernetes.config.config_exception import ConfigException

        configuration = kubernetes.client.Configuration()
        configuration.retries = 1
        configuration.connection_pool_maxsize = max(4, pool)
        try:
            api_client = kubernetes.config.new_client_from_config(
                config_file=str(kubeconfig), context=context, persist_config=False, client_configuration=configuration
            )
        except ConfigException as err:
            raise UsageError(f"kubeconfig {kubeconfig}: {str(err).splitlines()[0]}") from None
        except (OSError, ValueError, TypeError, KeyError) as err:
            raise UsageError(f"kubeconfig {kubeconfig} is not usable: {type(err).__name__}: {err}") from None
        return cls(api_client, origin=str(kubeconfig))

    def close(self) -> None:
        self.client.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        query: dict | None = None,
        content_type: str = "application/json",
        ok_missing: bool = False,
    ) -> dict | None:
        """Send one request; the decoded answer, or ``None`` for a 404 when ``ok_missing``."""
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = content_type
        method, url, headers, _, post = self.client.param_serialize(
            method, path, query_params=list((query or {}).items()), header_params=headers, auth_settings=["BearerToken"]
        )
        # The client's REST layer serialises a dict body itself (JSON is valid apply-patch YAML).
        try:
            response = self.client.call_api(
                method, url, header_params=headers, body=body, post_params=post, _request_timeout=TIMEOUT
            )
            raw = response.read()
        except (urllib3.exceptions.HTTPError, OSError) as err:
            reason = getattr(err, "reason", None) or err
            raise ClusterUnreachable(
                f"cannot reach the cluster at {self._where()}: {reason}",
                hint="check the kubeconfig and --context, and that the cluster is up",
                detail=str(err),
            ) from None
        if response.status == 404 and ok_missing:
            return None
        if not 200 <= response.status <= 299:
            raise self._refusal(response.status, raw, method, path)
        return json.loads(raw) if raw else {}

    def _where(self) -> str:
        return urlsplit(self.host).netloc or self.host

    def _refusal(self, status: int, raw: bytes, method: str, path: str) -> SandboxError:
        try:
            message = json.loads(raw or b"{}").get("message", "")
        except (ValueError, AttributeError):
            message = ""
        if status == 401:
            return ClusterUnreachable(
                f"the cluster at {self._where()} rejected the instructor's credentials (401 Unauthorized)",
                hint="refresh the kubeconfig, or pick --context",
            )
        if status == 403:
            return ClusterUnreachable(
                f"the instructor's credentials may not {method} {path} (403): {message}",
                hint="the namespace backend needs a cluster-admin context (--context)",
            )
        return ApiRefused(f"{method} {path} was refused ({status}): {message or 'no message'}", status=status)

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
        return self.request("GET", object_path(api_version, kind, name, namespace), ok_missing=True)

    def list(self, api_version: str, kind: str, *, namespace: str | None = None, selector: str = "") -> list[dict]:
        query = {"labelSelector": selector} if selector else {}
        found = self.request("GET", object_path(api_version, kind, namespace=namespace), query=query) or {}
        return list(found.get("items") or [])

    def delete(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> bool:
        """Delete one object (background propagation); False if it was already gone."""
        body = {"apiVersion": "v1", "kind": "DeleteOptions", "propagationPolicy": "Background"}
        return (
            self.request("DELETE", object_path(api_version, kind, name, namespace), body=body, ok_missing=True)
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


__all__ = ["ApiRefused", "Cluster", "ClusterUnreachable", "FIELD_MANAGER", "object_path"]

"""Bearer tokens: the tokens a server accepts and ServiceAccount TokenRequests it issues.

Static tokens (``FakeKubeServer.tokens``) never expire; tokens issued through the
``serviceaccounts/{name}/token`` subresource are accepted until their expirationTimestamp and
while their service account exists (see :mod:`fakekube.authz` for what they may do).
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from datetime import UTC, datetime

from .errors import invalid

DEFAULT_AUDIENCE = "https://kubernetes.default.svc.cluster.local"
DEFAULT_EXPIRATION = 3600
MIN_EXPIRATION = 600


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenIssuer:
    """Tokens issued for service accounts, with their expiry time (epoch seconds)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._issued: dict[str, tuple[float, str, str, str]] = {}
        """token -> (expiry in epoch seconds, namespace, service account name, its uid)."""

    def lookup(self, token: str) -> tuple[str, str, str] | None:
        """(namespace, name, uid) of the service account an unexpired token was issued for."""
        with self._lock:
            found = self._issued.get(token)
        if found is None or found[0] <= time.time():
            return None
        return found[1:]

    def revoke_all(self) -> None:
        with self._lock:
            self._issued.clear()

    def issue(self, namespace: str, service_account: dict, request: dict) -> dict:
        """Answer a TokenRequest for ``service_account``; 422 if expirationSeconds < 600."""
        spec = dict((request or {}).get("spec") or {})
        seconds = spec.get("expirationSeconds") or DEFAULT_EXPIRATION
        name = service_account["metadata"]["name"]
        if not isinstance(seconds, int) or seconds < MIN_EXPIRATION:
            raise invalid(
                "TokenRequest",
                name,
                [
                    (
                        "spec.expirationSeconds",
                        f"Invalid value: {seconds}: may not specify a duration less than 10 minutes",
                    )
                ],
                "authentication.k8s.io",
            )
        spec["expirationSeconds"] = seconds
        spec["audiences"] = spec.get("audiences") or [DEFAULT_AUDIENCE]
        spec.setdefault("boundObjectRef", None)
        issued_at = int(time.time())
        expiry = issued_at + seconds
        claims = {
            "aud": spec["audiences"],
            "exp": expiry,
            "iat": issued_at,
            "nbf": issued_at,
            "iss": DEFAULT_AUDIENCE,
            "sub": f"system:serviceaccount:{namespace}:{name}",
            "kubernetes.io": {
                "namespace": namespace,
                "serviceaccount": {"name": name, "uid": service_account["metadata"].get("uid", "")},
            },
        }
        token = ".".join(
            [
                _b64(json.dumps({"alg": "RS256", "kid": "fakekube"}).encode()),
                _b64(json.dumps(claims).encode()),
                _b64(secrets.token_bytes(32)),
            ]
        )
        with self._lock:
            self._issued[token] = (float(expiry), namespace, name, service_account["metadata"].get("uid", ""))
        stamp = datetime.fromtimestamp(expiry, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {
            "kind": "TokenRequest",
            "apiVersion": "authentication.k8s.io/v1",
            "metadata": {
                "name": name,
                "namespace": namespace,
                "creationTimestamp": datetime.fromtimestamp(issued_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
            "spec": spec,
            "status": {"token": token, "expirationTimestamp": stamp},
        }


__all__ = ["DEFAULT_AUDIENCE", "TokenIssuer"]

"""The light transport of :mod:`coursecore.kube`: one request over the standard library's HTTPS.

Importing the ``kubernetes`` client costs about 0.3 s of CPU (its kubeconfig loader pulls in
pydantic, requests, oauthlib, jsonschema ...). A command that only needs an answer or two, such
as ``kubecourse up`` confirming that an existing sandbox's nodes are Ready, can do without it
when the kubeconfig holds its credentials in the plain forms every cluster tool writes: a server
URL, a CA (data or file) or ``insecure-skip-tls-verify``, and a client certificate and key (data
or files, as kind writes them) or a bearer token (as the namespace backend writes it).

Anything else (exec and auth-provider plugins, token files, impersonation, proxies, a TLS server
name, a file that cannot be read, a context that is not there) gets ``None`` from
:func:`transport`, and the caller uses the client, which then behaves, and fails, exactly as
before. The rules follow the client's own loader (kubernetes/config/kube_config.py, v37): the
context named, else ``current-context``; relative file paths resolved beside the kubeconfig;
the token sent as ``Bearer``.
"""

from __future__ import annotations

import base64
import binascii
import http.client
import json
import os
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

CLUSTER_KEYS = {"server", "certificate-authority", "certificate-authority-data", "insecure-skip-tls-verify"}
USER_KEYS = {"client-certificate", "client-certificate-data", "client-key", "client-key-data", "token"}
CONTEXT_KEYS = {"cluster", "user", "namespace"}
PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


@dataclass(frozen=True)
class Answer:
    """A whole response: its status and body (what :class:`coursecore.kube.Kube` reads)."""

    status: int
    data: bytes

    def read(self) -> bytes:
        return self.data


class Transport:
    """Requests to one API server, one connection each (a sandbox check sends one or two)."""

    def __init__(self, *, host: str, context: ssl.SSLContext | None, token: str | None) -> None:
        self.host = host
        parts = urlsplit(host)
        self._https = parts.scheme == "https"
        self._netloc = parts.netloc
        self._prefix = parts.path.rstrip("/")
        self._context = context
        self._token = token

    def send(
        self, method: str, path: str, *, query: list[tuple[str, Any]], body: Any, content_type: str, timeout: Any
    ) -> Answer:
        """Send one request; every failure to get an answer is an :class:`OSError` (TLS and
        timeouts included)."""
        connect_timeout, read_timeout = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        headers = {"Accept": "application/json", "User-Agent": "kubecourse"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers["Content-Type"] = content_type
        url = self._prefix + path + (f"?{urlencode([(k, _text(v)) for k, v in query])}" if query else "")
        if self._https:
            connection = http.client.HTTPSConnection(self._netloc, timeout=connect_timeout, context=self._context)
        else:
            connection = http.client.HTTPConnection(self._netloc, timeout=connect_timeout)
        try:
            connection.connect()
            connection.sock.settimeout(read_timeout)
            connection.request(method, url, body=data, headers=headers)
            response = connection.getresponse()
            return Answer(status=response.status, data=response.read())
        except http.client.HTTPException as err:  # a malformed or cut answer: as a reset connection
            raise ConnectionError(f"{type(err).__name__}: {err}") from None
        finally:
            connection.close()

    def close(self) -> None:
        """Nothing stays open between requests."""


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def transport(config: dict, kubeconfig: Path, context: str | None) -> Transport | None:
    """A transport for ``context`` (default: the current one) of the parsed ``config``, or
    ``None`` when the kubeconfig needs the full client."""
    if any(os.environ.get(name) for name in PROXY_VARIABLES):
        return None  # the client's proxy rules (NO_PROXY, per-scheme variables) are its own
    try:
        name = context or config.get("current-context")
        ctx = _named(config.get("contexts"), name, "context", CONTEXT_KEYS)
        cluster = _named(config.get("clusters"), ctx.get("cluster"), "cluster", CLUSTER_KEYS)
        user = _named(config.get("users"), ctx.get("user"), "user", USER_KEYS) if ctx.get("user") else {}
        server = cluster["server"]
        scheme = urlsplit(server).scheme
        if scheme not in ("http", "https") or not urlsplit(server).hostname:
            return None
        token = user.get("token")
        if token is not None and not isinstance(token, str):
            return None
        tls = _tls_context(cluster, user, kubeconfig.parent) if scheme == "https" else None
    except (_Unsupported, KeyError, TypeError, AttributeError, ValueError, OSError, ssl.SSLError):
        return None
    return Transport(host=server.rstrip("/"), context=tls, token=token)


class _Unsupported(Exception):
    pass


def _named(entries: Any, name: Any, what: str, allowed: set[str]) -> dict:
    """The one entry ``name`` of a kubeconfig list, holding only keys the light path knows."""
    if not isinstance(name, str) or not name or not isinstance(entries, list):
        raise _Unsupported(what)
    found = [e for e in entries if isinstance(e, dict) and e.get("name") == name]
    if len(found) != 1 or not isinstance(found[0].get(what), dict):
        raise _Unsupported(what)
    body = found[0][what]
    if set(body) - allowed or not all(isinstance(v, (str, bool)) for v in body.values()):
        raise _Unsupported(what)
    return body


def _tls_context(cluster: dict, user: dict, base: Path) -> ssl.SSLContext:
    insecure = cluster.get("insecure-skip-tls-verify") is True
    ca_data = _pem(cluster, "certificate-authority", base)
    if not insecure and ca_data is None:
        raise _Unsupported("no CA")  # the client's default trust store is its own choice
    if insecure:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    else:
        context = ssl.create_default_context(cadata=ca_data.decode("ascii"))
    cert, key = _pem(user, "client-certificate", base), _pem(user, "client-key", base)
    if (cert is None) != (key is None):
        raise _Unsupported("a client certificate without its key")
    if cert is not None and key is not None:
        _load_chain(context, cert, key)
    return context


def _pem(entry: dict, key: str, base: Path) -> bytes | None:
    """``key-data`` (base64, as the client requires) or the file ``key`` names, as bytes."""
    data = entry.get(f"{key}-data")
    if data is not None:
        try:
            return base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise _Unsupported(key) from None
    path = entry.get(key)
    if path is None:
        return None
    return (base / Path(path).expanduser()).read_bytes()


def _load_chain(context: ssl.SSLContext, cert: bytes, key: bytes) -> None:
    # ssl loads a certificate and key from files only: private ones (0600 in a 0700 folder),
    # removed as soon as they are loaded.
    with tempfile.TemporaryDirectory(prefix="kubecourse-tls-") as folder:
        paths = []
        for name, content in (("client.crt", cert), ("client.key", key)):
            path = os.path.join(folder, name)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(content)
            paths.append(path)
        context.load_cert_chain(paths[0], paths[1])


__all__ = ["Answer", "Transport", "transport"]

"""``FakeKubeServer``: a Kubernetes API server double on 127.0.0.1 for kubectl and the client.

Start it (``with FakeKubeServer() as server:``), write a kubeconfig for it
(``server.write_kubeconfig(path)``) and point kubectl or the ``kubernetes`` client at that file.
Tests may also read and write objects directly (``create``, ``get``, ``patch_status``,
``objects``, ``delete``) to play the controllers that do not run here, inspect the request log
(``requests``) and revoke credentials (``tokens``, ``expire_tokens``).
"""

from __future__ import annotations

import base64
import copy
import os
import secrets
import ssl
import threading
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path

import yaml

from .authz import ADMIN, User, default_objects, service_account_user
from .deletion import NAMESPACE_KEY
from .errors import bad_request, not_found
from .handler import Handler
from .operations import Operations
from .patching import merge_patch
from .resources import Registry, ResourceType
from .store import Store
from .tokens import TokenIssuer

DEFAULT_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
TLS_DIR = Path(__file__).with_name("tls")
CA_FILE = TLS_DIR / "server.crt"
"""The self-signed certificate the server presents; it is also its own CA."""


@dataclass
class RequestRecord:
    """One request the server received."""

    method: str
    path: str
    query: dict[str, str]
    """Query parameters (the last value of each)."""
    content_type: str = ""
    user_agent: str = ""
    status: int = 0
    """HTTP status answered (0 while in progress)."""
    body: bytes = b""
    """The request body as received."""


@dataclass
class _Counter:
    records: list[RequestRecord] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class FakeKubeServer:
    """A fake API server; see the module docstring."""

    def __init__(
        self,
        *,
        port: int = 0,
        token: str | None = None,
        tls: bool = True,
        allow_anonymous: bool = False,
        namespaces: tuple[str, ...] = DEFAULT_NAMESPACES,
    ) -> None:
        """Args:
        port: TCP port on 127.0.0.1; 0 picks a free one.
        token: the first accepted bearer token (random when None).
        tls: serve HTTPS with :data:`CA_FILE` (kubectl sends tokens only over HTTPS).
        allow_anonymous: let requests without credentials through (plain-HTTP use).
        namespaces: namespaces that exist from the start.
        """
        self.tls = tls
        self.serve_tables = True
        """Answer ``as=Table`` requests with Tables; False makes kubectl print client-side."""
        self.allow_anonymous = allow_anonymous
        self.store = Store()
        self.registry = Registry()
        self.ops = Operations(self.store, self.registry)
        self.issuer = TokenIssuer()
        self.token = token or secrets.token_urlsafe(24)
        self.tokens: set[str] = {self.token}
        """Accepted static bearer tokens; remove one to make its holders get 401."""
        self._port = port
        self._log = _Counter()
        self._pod_logs: dict[tuple[str, str, str], str] = {}
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        for name in namespaces:
            self.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        for obj in default_objects():
            self.create(obj)

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeKubeServer:
        handler = type("BoundHandler", (Handler,), {"fake": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self._port), handler)
        self._httpd.daemon_threads = True
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(CA_FILE, TLS_DIR / "server.key")
            # The handshake runs in the request's thread (Handler.setup), not in accept().
            self._httpd.socket = context.wrap_socket(
                self._httpd.socket, server_side=True, do_handshake_on_connect=False
            )
        self._port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, name=f"fakekube:{self._port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.store.close()
        self.ops.cancel_timers()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeKubeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self._port}"

    # -- credentials -------------------------------------------------------------------------
    def authenticate(self, token: str) -> User | None:
        """The user a bearer token stands for, or None (401) if it is not valid."""
        if token in self.tokens:
            return ADMIN
        issued = self.issuer.lookup(token)
        if issued is None:
            return None
        namespace, name, uid = issued
        account = self.store.get(("", "serviceaccounts"), namespace, name)
        if account is None or account["metadata"].get("uid") != uid:
            return None  # bound tokens die with their service account
        return service_account_user(namespace, name)

    def accepts(self, token: str) -> bool:
        return self.authenticate(token) is not None

    def expire_tokens(self) -> None:
        """Reject every token from now on (static and issued): clients get 401."""
        self.tokens.clear()
        self.issuer.revoke_all()

    def write_kubeconfig(
        self,
        path: str | os.PathLike,
        *,
        token: str | None = None,
        context: str = "fakekube",
        namespace: str | None = None,
    ) -> Path:
        """Write a kubeconfig (mode 0600) for this server and return its path."""
        cluster: dict = {"server": self.url}
        if self.tls:
            cluster["certificate-authority-data"] = base64.b64encode(CA_FILE.read_bytes()).decode()
        ctx: dict = {"cluster": context, "user": context}
        if namespace:
            ctx["namespace"] = namespace
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "preferences": {},
            "clusters": [{"name": context, "cluster": cluster}],
            "users": [{"name": context, "user": {"token": token or self.token}}],
            "contexts": [{"name": context, "context": ctx}],
            "current-context": context,
        }
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            yaml.safe_dump(config, handle, sort_keys=False)
        os.chmod(target, 0o600)
        return target

    # -- pod logs ----------------------------------------------------------------------------
    def set_pod_log(self, name: str, text: str, *, namespace: str = "default", container: str | None = None) -> None:
        """What ``kubectl logs`` shows for a pod (or one of its containers)."""
        with self._log.lock:
            self._pod_logs[(namespace, name, container or "")] = text

    def pod_log(self, pod: dict, container: str | None) -> str:
        """The log text of ``pod``; 400 if it has several containers and none is named."""
        names = [c.get("name") for c in (pod.get("spec") or {}).get("containers") or []]
        meta = pod["metadata"]
        if not container and len(names) > 1:
            raise bad_request(
                f"a container name must be specified for pod {meta['name']}, choose one of: [{' '.join(names)}]"
            )
        container = container or (names[0] if names else "")
        if names and container not in names:
            raise bad_request(f"container {container} is not valid for pod {meta['name']}")
        with self._log.lock:
            logs = self._pod_logs
            return logs.get(
                (meta["namespace"], meta["name"], container), logs.get((meta["namespace"], meta["name"], ""), "")
            )

    # -- request log -------------------------------------------------------------------------
    def log_request(self, method: str, path: str, query: dict, headers) -> RequestRecord:
        record = RequestRecord(
            method, path, dict(query), headers.get("Content-Type") or "", headers.get("User-Agent") or ""
        )
        with self._log.lock:
            self._log.records.append(record)
        return record

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of the requests received so far, oldest first."""
        with self._log.lock:
            return list(self._log.records)

    def clear_requests(self) -> None:
        with self._log.lock:
            self._log.records.clear()

    # -- direct store access for tests -------------------------------------------------------
    def resource_type(self, api_version: str, kind: str) -> ResourceType:
        rt = self.registry.by_kind(api_version, kind)
        if rt is None:
            raise not_found("resourcetypes", f"{api_version}/{kind}")
        return rt

    def create(self, obj: dict) -> dict:
        """Create ``obj`` as a controller would: ``status`` is kept as given."""
        rt = self.resource_type(obj.get("apiVersion", ""), obj.get("kind", ""))
        namespace = (obj.get("metadata") or {}).get("namespace") or ("default" if rt.namespaced else "")
        return self.ops.create(rt, namespace, obj, keep_status=True)

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict | None:
        """The stored object, or None if it does not exist."""
        rt = self.resource_type(api_version, kind)
        stored = self.store.get(rt.storage_key, (namespace or "default") if rt.namespaced else "", name)
        return self.ops.present(rt, stored) if stored is not None else None

    def objects(self, api_version: str, kind: str, namespace: str | None = None) -> list[dict]:
        """All objects of one kind (in one namespace, or in all when None)."""
        rt = self.resource_type(api_version, kind)
        return self.ops.list(rt, namespace if rt.namespaced else None)["items"]

    def update(self, obj: dict) -> dict:
        """Replace an object (status included for types without a status subresource)."""
        rt = self.resource_type(obj.get("apiVersion", ""), obj.get("kind", ""))
        meta = obj.get("metadata") or {}
        namespace = meta.get("namespace") or ("default" if rt.namespaced else "")
        return self.ops.update(rt, namespace, meta.get("name", ""), obj)

    def patch_status(self, api_version: str, kind: str, name: str, status: dict, namespace: str | None = None) -> dict:
        """Merge-patch ``status`` into an object, as its controller would; returns it."""
        rt = self.resource_type(api_version, kind)
        namespace = (namespace or "default") if rt.namespaced else ""
        with self.store.lock:
            old = self.ops.read(rt, namespace, name)
            new = merge_patch(copy.deepcopy(old), {"status": status})
            new["metadata"].pop("resourceVersion", None)
            sub = "status" if "status" in rt.subresources else ""
            return self.ops._commit(rt, old, new, subresource=sub, dry_run=False)

    def delete(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> None:
        """Delete an object; a namespace and its content go at once, without Terminating."""
        rt = self.resource_type(api_version, kind)
        self.ops.delete(rt, (namespace or "default") if rt.namespaced else "", name)
        if rt.storage_key == NAMESPACE_KEY:
            self.ops._finish_namespace(rt, name)

    @property
    def namespace_grace(self) -> float:
        """Seconds a deleted namespace stays Terminating before it and its content go."""
        return self.ops.namespace_grace

    @namespace_grace.setter
    def namespace_grace(self, seconds: float) -> None:
        self.ops.namespace_grace = seconds


__all__ = ["CA_FILE", "DEFAULT_NAMESPACES", "FakeKubeServer", "RequestRecord"]

"""The HTTP side of the fake API server: authentication, routing to operations, watch streams.

One :class:`Handler` subclass is made per server (it carries the server in ``fake``). JSON and
YAML request bodies are accepted, protobuf bodies (kubectl's generator commands since 1.32)
for the kinds :mod:`fakekube.protobuf` knows, others get a 415 Status. Responses are JSON, or a
Table when the client asks ``as=Table``.
"""

from __future__ import annotations

import json
import socket
import ssl
import sys
import traceback
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

from . import authz, discovery, protobuf
from .errors import (
    ApiError,
    bad_request,
    forbidden,
    method_not_allowed,
    path_not_found,
    unauthorized,
    unsupported_media_type,
)
from .routing import Route, parse_resource_path, query_number
from .tables import to_table
from .watch import WatchStreamMixin

if TYPE_CHECKING:
    from .server import FakeKubeServer

PUBLIC_PATHS = {"/version", "/healthz", "/livez", "/readyz"}
ANONYMOUS = authz.User("system:anonymous", ("system:unauthenticated",))
_VERBS = {
    ("GET", False): "list",
    ("GET", True): "get",
    ("POST", False): "create",
    ("POST", True): "create",
    ("PUT", True): "update",
    ("PATCH", True): "patch",
    ("DELETE", False): "deletecollection",
    ("DELETE", True): "delete",
    ("PUT", False): "update",
    ("PATCH", False): "patch",
}
PROTOBUF = "application/vnd.kubernetes.protobuf"


class Handler(WatchStreamMixin, BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fakekube"
    timeout = 300  # idle keep-alive connections end eventually
    fake: FakeKubeServer

    def handle(self) -> None:
        # Headers and body leave in separate writes: without TCP_NODELAY, Nagle's algorithm and
        # the client's delayed ACK add ~40 ms to every response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if isinstance(self.connection, ssl.SSLSocket):
            try:
                self.connection.do_handshake()
            except (ssl.SSLError, OSError):
                return  # a client that gave up or does not trust us; nothing to answer
        super().handle()

    def log_message(self, format: str, *args: object) -> None:  # the stdlib's signature
        pass  # requests are logged in FakeKubeServer.requests instead

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    # -- plumbing ----------------------------------------------------------------------------
    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        record = self._record = self.fake.log_request(method, url.path, query, self.headers)
        self.fake.ops.begin_request(field_validation=query.get("fieldValidation") or "Warn")
        try:
            body = record.body = self._read_body()
            user = self._authenticate(url.path)
            self.fake.ops.set_user(user)
            response = self._dispatch(method, url.path.rstrip("/") or "/", query, body, user)
        except ApiError as err:
            response = (err.code, err.status(), "application/json")
        except Exception as err:  # noqa: BLE001 - a bug in the fake: answer 500 and show it in test output
            traceback.print_exc(file=sys.stderr)
            response = (500, ApiError(500, "InternalError", f"fakekube bug: {err!r}").status(), "application/json")
        if response is None:  # a watch already streamed its answer
            return
        status, payload, content_type = response
        record.status = status
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-cache, private")
            for warning in self.fake.ops.warnings():
                self.send_header("Warning", '299 - "{}"'.format(warning.replace('"', '\\"')))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client went away; nothing left to tell it
            self.close_connection = True

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _authenticate(self, path: str) -> authz.User:
        header = self.headers.get("Authorization", "")
        if header:
            scheme, _, token = header.partition(" ")
            user = self.fake.authenticate(token.strip()) if scheme.lower() == "bearer" else None
            if user is None:
                raise unauthorized()
            return user
        if self.fake.allow_anonymous:
            return authz.ADMIN  # plain-HTTP mode: kubectl sends no credentials at all
        if path not in PUBLIC_PATHS:
            raise forbidden(f'forbidden: User "system:anonymous" cannot get path "{path}"')
        return ANONYMOUS

    def _authorize(self, user: authz.User, request: authz.Request, qualified: str = "") -> None:
        if not authz.allowed(self.fake.store, user, request):
            raise authz.forbidden(user, request, qualified)

    def _parse(self, body: bytes) -> object:
        content_type = (self.headers.get("Content-Type") or "application/json").split(";")[0]
        if content_type == PROTOBUF:
            decoded = protobuf.decode(body)
            if decoded is None:
                raise unsupported_media_type(
                    content_type,
                    "this fake API server decodes "
                    "protobuf only for " + ", ".join(sorted(protobuf.SUPPORTED_KINDS)) + ": use 'kubectl "
                    "apply -f' or 'kubectl create -f' instead of "
                    "this generator command",
                )
            return decoded
        if content_type not in ("application/json", "application/yaml", "text/yaml", "*/*"):
            raise unsupported_media_type(content_type)
        try:
            return yaml.safe_load(body) if "yaml" in content_type else json.loads(body or b"null")
        except (ValueError, yaml.YAMLError) as err:
            raise bad_request(f"the request body could not be decoded: {err}") from None

    # -- routing -----------------------------------------------------------------------------
    def _dispatch(self, method: str, path: str, query: dict, body: bytes, user: authz.User):
        registry = self.fake.registry
        if method == "GET":
            self._authorize(user, authz.Request("get", path=path))
            if path in ("/healthz", "/livez", "/readyz"):
                return 200, b"ok", "text/plain; charset=utf-8"
            found = discovery.document_for(registry, path, self.fake.port, self.headers.get("Accept") or "")
            if found is not None:
                return found
        # Go's net/http hands kube-apiserver a decoded path: `kubecourse%3Akc-x` names `kubecourse:kc-x`.
        segments = [unquote(s) for s in path.split("/") if s]
        route = parse_resource_path(registry, segments)
        if route is None:
            raise path_not_found()
        verb = _VERBS[(method, route.name is not None)]
        if verb == "list" and query.get("watch") in ("true", "1"):
            verb = "watch"
        self._authorize(
            user,
            authz.Request(
                verb, route.rt.group, route.rt.plural, route.subresource, route.namespace or "", route.name or ""
            ),
            route.rt.qualified,
        )
        return self._resource(method, route, query, body)

    def _wants_table(self) -> bool:
        return self.fake.serve_tables and "as=Table" in (self.headers.get("Accept") or "")

    def _resource(self, method: str, route: Route, query: dict, body: bytes):
        ops, rt = self.fake.ops, route.rt
        ns, name, sub = route.namespace or "", route.name, route.subresource
        dry_run = query.get("dryRun") == "All"
        if method == "GET" and name is None:
            if query.get("watch") in ("true", "1"):
                return self._watch(route, query)
            listing = ops.list(
                rt,
                route.namespace,
                label_selector=query.get("labelSelector"),
                field_selector=query.get("fieldSelector"),
                limit=query_number(query, "limit"),
                continue_token=query.get("continue", ""),
            )
            if self._wants_table():
                listing = to_table(
                    rt,
                    listing["items"],
                    listing["metadata"]["resourceVersion"],
                    include_object=query.get("includeObject", "Metadata"),
                    continue_token=listing["metadata"].get("continue", ""),
                )
            return 200, listing, "application/json"
        if method == "GET":
            obj = ops.read(rt, ns, name)
            if sub == "log":
                text = self.fake.pod_log(obj, query.get("container"))
                return 200, text.encode(), "text/plain"
            if sub == "scale":
                return 200, ops.scale_of(rt, obj), "application/json"
            if self._wants_table():
                obj = to_table(
                    rt, [obj], obj["metadata"]["resourceVersion"], include_object=query.get("includeObject", "Metadata")
                )
            return 200, obj, "application/json"
        if method == "POST" and name is None:
            if route.namespace is None and rt.namespaced:
                raise method_not_allowed(method)
            return 201, ops.create(rt, ns, self._parse(body), dry_run=dry_run), "application/json"
        if method == "POST" and sub == "token":
            account = ops.read(rt, ns, name)
            return 201, self.fake.issuer.issue(ns, account, self._parse(body)), "application/json"
        if method in ("PUT", "PATCH") and sub not in ("", "status", "scale"):
            raise method_not_allowed(method)
        if method == "PUT" and name is not None:
            if sub == "scale":
                scale = self._parse(body)
                if not isinstance(scale, dict):
                    raise bad_request("the request body must be a Scale object")
                return 200, ops.update_scale(rt, ns, name, scale, dry_run=dry_run), "application/json"
            return (
                200,
                ops.update(rt, ns, name, self._parse(body), subresource=sub, dry_run=dry_run),
                "application/json",
            )
        if method == "PATCH" and name is not None:
            content_type = self.headers.get("Content-Type") or ""
            if content_type.startswith(PROTOBUF):
                self._parse(body)
            if sub == "scale":
                return 200, ops.patch_scale(rt, ns, name, content_type, body, dry_run=dry_run), "application/json"
            manager = query.get("fieldManager") or ""
            obj, created = ops.patch(
                rt, ns, name, content_type, body, subresource=sub, manager=manager, dry_run=dry_run
            )
            return (201 if created else 200), obj, "application/json"
        if method == "DELETE" and name is None:
            return (
                200,
                ops.delete_collection(
                    rt,
                    route.namespace,
                    label_selector=query.get("labelSelector"),
                    field_selector=query.get("fieldSelector"),
                    dry_run=dry_run,
                ),
                "application/json",
            )
        if method == "DELETE" and not sub:
            options = self._parse(body) if body else {}
            dry_run = dry_run or "All" in ((options or {}).get("dryRun") or [])
            return (
                200,
                ops.delete(rt, ns, name, dry_run=dry_run, preconditions=(options or {}).get("preconditions")),
                "application/json",
            )
        raise method_not_allowed(method)


__all__ = ["Handler"]

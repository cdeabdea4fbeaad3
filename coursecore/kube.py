"""Talking to a Kubernetes API server: a client from one kubeconfig, raw requests, lists and
watches, and every way they fail turned into an error with its exit code.

:func:`connect` builds a private client from exactly one kubeconfig file (and context): never
the process-wide default configuration, never ``~/.kube/config`` unless that is the file named.
:class:`Kube` sends requests to raw REST paths and returns decoded JSON. ``sandbox`` (waits,
the namespace backend) and ``autograder`` (live grading) both go through it.

Why raw paths: the generated API classes of the ``kubernetes`` client (``CoreV1Api`` ...) build
hundreds of pydantic models when first touched, seconds of CPU per process. The client's
``ApiClient`` (kubeconfig loading, TLS, auth) and ``watch.Watch`` are all that is needed, and
importing the package costs only what :mod:`coursecore._quickimport` leaves of it. A caller
that may get by with a request or two (``connect(..., light=True)``) does not even pay that
when the kubeconfig is of the plain kind that :mod:`coursecore._kubehttp` sends with the
standard library; its first watch brings the client in.

Failures: a refused connection, a TLS failure, a timeout and a 401 become
:class:`~coursecore.errors.ClusterUnreachable`; a 403 too, naming what may not be done; any
other error answer becomes :class:`~coursecore.errors.ApiRefused` with its status. All exit 3.
What to do about it (the hint) depends on who is asking, so each caller passes its
:class:`Advice`.
"""

from __future__ import annotations

import importlib
import json
import socket
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from coursecore import safeyaml
from coursecore._quickimport import import_jsonschema_quickly
from coursecore.errors import ApiRefused, ClusterUnreachable, UsageError

REQUEST_TIMEOUT = (5.0, 30.0)  # connect, read (seconds)
MAX_KUBECONFIG_BYTES = 1024 * 1024
_VERBS = {"GET": "read", "POST": "create", "PUT": "replace", "PATCH": "change", "DELETE": "delete"}

# Importing the client from two threads at once can deadlock on its circular imports (kubernetes
# -> config -> client.ApiClient -> rest -> kubernetes.utils): the import runs under one lock.
_import_lock = threading.Lock()
_preloading: list[threading.Thread] = []


def _import_client() -> None:
    with _import_lock:
        import_jsonschema_quickly()  # seconds of CPU saved per process (see that module)
        for module in ("kubernetes.client.api_client", "kubernetes.config.kube_config", "kubernetes.watch"):
            importlib.import_module(module)


def preload() -> None:
    """Import the client in a background thread, e.g. while kind creates a cluster (idempotent)."""
    if not _preloading:
        thread = threading.Thread(target=_import_client, daemon=True, name="kubernetes-import")
        _preloading.append(thread)
        thread.start()


@dataclass(frozen=True, kw_only=True)
class Advice:
    """What to tell the user when the cluster cannot be used: the hints of the errors."""

    reach: str = "check that the cluster is running and that the kubeconfig is current"
    """How to fix an unreachable cluster, a TLS failure or rejected credentials (401)."""
    forbidden: str = "ask for read access or use your own sandbox"
    """How to fix a refusal of the credentials' rights (403)."""


@dataclass(frozen=True, kw_only=True)
class Listing:
    """The items of a list request and the resourceVersion to watch on from."""

    items: list[dict] = field(default_factory=list)
    resource_version: str = ""


class Kube:
    """Authenticated requests against one API server; thread-safe (one connection pool).

    Args:
        api_client: a ``kubernetes.client.ApiClient`` (see :func:`connect`), or ``None`` with
            ``light``.
        timeout: (connect, read) seconds of every request unless one says otherwise.
        origin: where the credentials came from (the kubeconfig path), for messages.
        advice: the hints of the errors.
        light: a :class:`coursecore._kubehttp.Transport` that sends the requests without the
            client; ``make_client`` then builds the client for the first watch.
    """

    def __init__(
        self,
        api_client: Any,
        *,
        timeout: tuple[float, float] = REQUEST_TIMEOUT,
        origin: str = "",
        advice: Advice,
        light: Any = None,
        make_client: Any = None,
    ) -> None:
        self.client = api_client
        self.timeout = timeout
        self.origin = origin
        self.advice = advice
        self._light = light
        self._make_client = make_client
        self._client_lock = threading.Lock()
        self.host: str = light.host if api_client is None else api_client.configuration.host

    @property
    def light(self) -> bool:
        """True while requests go without the client (none has been needed yet)."""
        return self.client is None

    def __repr__(self) -> str:
        return f"Kube({self.host})"

    def __enter__(self) -> Kube:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.client is not None:
            self.client.close()

    def _full_client(self) -> Any:
        """The client, built on first need (a watch) when the connection started light."""
        with self._client_lock:
            if self.client is None:
                self.client = self._make_client()
            return self.client

    # -- requests ----------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        body: Any,
        query: dict[str, Any],
        content_type: str,
        timeout: Any,
        stream: bool = False,
    ):
        params = [(k, v) for k, v in query.items() if v is not None]
        if self._light is not None and not stream:
            try:
                return self._light.send(
                    method, path, query=params, body=body, content_type=content_type, timeout=timeout
                )
            except OSError as err:
                raise self._unreachable(err) from None
        client = self._full_client()
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = content_type
        import urllib3  # here, not at the top: the command line imports this module at start

        method, url, headers, _, post = client.param_serialize(
            method, path, query_params=params, header_params=headers, auth_settings=["BearerToken"]
        )
        # The client's REST layer serialises a dict body itself (JSON is valid apply-patch YAML).
        try:
            return client.call_api(
                method, url, header_params=headers, body=body, post_params=post, _request_timeout=timeout
            )
        except (urllib3.exceptions.HTTPError, OSError) as err:
            raise self._unreachable(err) from None

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        query: dict[str, Any] | None = None,
        content_type: str = "application/json",
        missing_ok: bool = False,
        timeout: Any = None,
    ) -> Any:
        """Send one request and return the decoded JSON answer (``{}`` for an empty one).

        Args:
            missing_ok: return ``None`` for a 404 instead of raising.
            timeout: seconds, or (connect, read); default :attr:`timeout`.

        Raises:
            ClusterUnreachable: no answer, TLS failure, 401 or 403, or an answer that is not JSON.
            ApiRefused: any other error answer.
        """
        response = self._send(
            method, path, body=body, query=query or {}, content_type=content_type, timeout=timeout or self.timeout
        )
        try:
            raw = response.read()
        except Exception as err:
            urllib3 = sys.modules.get("urllib3")  # loaded whenever the answer came through the client
            if isinstance(err, OSError) or (urllib3 is not None and isinstance(err, urllib3.exceptions.HTTPError)):
                raise self._unreachable(err) from None
            raise
        if response.status == 404 and missing_ok:
            return None
        if not 200 <= response.status <= 299:
            raise self._refused(response.status, raw, method, path)
        if not raw:
            return {}
        try:
            return json.loads(raw)
        except ValueError:
            raise ClusterUnreachable(
                f"the server at {self._where()} answered {path} with something that is not JSON",
                hint=self.advice.reach,
            ) from None

    def get(self, path: str, *, query: dict[str, Any] | None = None, missing_ok: bool = False, timeout: Any = None):
        """GET ``path`` as JSON; ``None`` for a 404 when ``missing_ok``."""
        return self.request("GET", path, query=query, missing_ok=missing_ok, timeout=timeout)

    def list(self, path: str, *, query: dict[str, Any] | None = None, timeout: Any = None) -> Listing:
        """List the collection at ``path``; a collection the server does not have is empty."""
        found = self.get(path, query=query, missing_ok=True, timeout=timeout) or {}
        return Listing(
            items=list(found.get("items") or []),
            resource_version=str((found.get("metadata") or {}).get("resourceVersion") or ""),
        )

    def watch(
        self, path: str, *, resource_version: str, seconds: float, query: dict[str, Any] | None = None
    ) -> Iterator[tuple[str, Any]]:
        """Yield ``(event type, object)`` for changes under ``path`` after ``resource_version``
        for about ``seconds``; ``("EXPIRED", None)`` when that version is too old to watch from
        (list again). A stream that goes quiet past its deadline simply ends."""
        self._full_client()  # a light connection builds the client here: watches need it
        import urllib3
        from kubernetes import watch as k8s_watch
        from kubernetes.client.exceptions import ApiException

        server_seconds = max(1, int(seconds + 0.999))
        extra = dict(query or {})

        # No docstring and no return annotation: Watch reads them to find a model to build.
        def open_watch(watch=True, resource_version=None, timeout_seconds=None, _preload_content=False, **_):
            params = {**extra, "watch": "true", "timeoutSeconds": timeout_seconds, "resourceVersion": resource_version}
            # The read timeout bounds silence on the stream, not its length: a little over the
            # server-side timeout, so a server that forgets to close still ends the watch.
            response = self._send(
                "GET",
                path,
                body=None,
                query=params,
                content_type="",
                timeout=(self.timeout[0], server_seconds + 2.0),
                stream=True,
            )
            if response.status == 410:  # as the ERROR event a watch from a too-old version gets
                raise ApiException(status=410, reason="Gone")
            if not 200 <= response.status <= 299:
                raise self._refused(response.status, response.read(), "GET", path)
            return response.response

        watcher = k8s_watch.Watch()
        try:
            for event in watcher.stream(
                open_watch, resource_version=resource_version or None, timeout_seconds=server_seconds
            ):
                if isinstance(event, dict):
                    yield str(event.get("type")), event.get("raw_object", event.get("object"))
        except ApiException as err:
            if err.status == 410:
                yield "EXPIRED", None
                return
            raise self._refused(err.status or 0, b"", "GET", path) from None
        except (urllib3.exceptions.ReadTimeoutError, TimeoutError):
            return  # the caller decides what next
        except (urllib3.exceptions.HTTPError, OSError) as err:
            raise self._unreachable(err) from None
        finally:
            watcher.stop()

    # -- errors ------------------------------------------------------------------------------

    def _where(self) -> str:
        return urlsplit(self.host).netloc or self.host

    def _unreachable(self, err: Exception) -> ClusterUnreachable:
        """The error for a request that got no usable answer (refused, TLS, timeout, reset)."""
        # urllib3 is loaded when the client sent the request; the light transport raises the
        # standard library's errors only (ssl.SSLError's reason is a word, not the cause).
        urllib3 = sys.modules.get("urllib3")
        reason = getattr(err, "reason", None)
        if not isinstance(reason, BaseException):
            reason = err
        text = str(reason)
        where = self._where()
        hint = self.advice.reach
        if (
            (urllib3 is not None and isinstance(reason, urllib3.exceptions.SSLError))
            or "SSL" in type(reason).__name__
            or "CERTIFICATE" in text.upper()
        ):
            why = (
                "certificate has expired" if "expired" in text.lower() else text.split(":")[-1].strip() or "TLS failure"
            )
            return ClusterUnreachable(
                f"TLS handshake with the cluster at {where} failed ({why}): the credentials may have expired "
                "or belong to another cluster",
                hint=hint,
                detail=text,
            )
        # Checked before timeouts: urllib3's NewConnectionError subclasses ConnectTimeoutError.
        if "refused" in text.lower():
            return ClusterUnreachable(
                f"cannot reach the cluster at {where}: connection refused", hint=hint, detail=text
            )
        timeouts = (socket.timeout, TimeoutError) + ((urllib3.exceptions.TimeoutError,) if urllib3 else ())
        if isinstance(reason, timeouts):
            return ClusterUnreachable(f"the cluster at {where} did not answer in time", hint=hint, detail=text)
        cause = text.split(":")[-1].strip() or type(reason).__name__
        return ClusterUnreachable(f"cannot reach the cluster at {where}: {cause}", hint=hint, detail=text)

    def _refused(self, status: int, body: bytes, method: str, path: str) -> ClusterUnreachable | ApiRefused:
        """The error for an error answer: 401 and 403 are about the credentials."""
        try:
            message = json.loads(body or b"{}").get("message", "")
        except (ValueError, AttributeError):
            message = ""
        where = self._where()
        if status == 401:
            return ClusterUnreachable(
                f"the cluster at {where} rejected the credentials (401 Unauthorized): they are wrong or have expired",
                hint=self.advice.reach,
                detail=message,
            )
        if status == 403:
            verb = _VERBS.get(method.upper(), method.upper())
            return ClusterUnreachable(
                f"the credentials may not {verb} {path} (403 Forbidden): {message or 'access denied'}",
                hint=self.advice.forbidden,
                detail=message,
            )
        return ApiRefused(
            f"the cluster at {where} answered {status} to {method.upper()} {path}: {message or 'no message'}",
            status=status,
            detail=message,
        )


def connect(
    kubeconfig: str | Path,
    context: str | None = None,
    *,
    advice: Advice | None = None,
    timeout: tuple[float, float] = REQUEST_TIMEOUT,
    retries: int = 1,
    pool: int | None = None,
    light: bool = False,
) -> Kube:
    """A :class:`Kube` for the cluster that ``kubeconfig`` (and ``context``) points at.

    Nothing is sent: probe with a request when an early, single error matters.

    Args:
        retries: urllib3 retries of a failed connection (0 for callers that loop themselves).
        pool: concurrent connections (default: the client's).
        light: send requests without importing the client when the kubeconfig allows it
            (:mod:`coursecore._kubehttp`: one connection per request, no retries); the first
            watch imports it. For callers that send a few requests, not many in parallel.

    Raises:
        UsageError: the kubeconfig is missing, too large, malformed, or lacks the context.
    """
    path = Path(kubeconfig)
    # The client parses the file with plain yaml.safe_load: vet it first (size, alias bombs).
    config = safeyaml.load_mapping(path, what="kubeconfig", max_bytes=MAX_KUBECONFIG_BYTES)

    def make_client() -> Any:
        return _api_client(path, context, retries=retries, pool=pool)

    if light:
        from coursecore import _kubehttp

        plain = _kubehttp.transport(config, path, context)
        if plain is not None:
            return Kube(
                None, timeout=timeout, origin=str(path), advice=advice or Advice(), light=plain, make_client=make_client
            )
    return Kube(make_client(), timeout=timeout, origin=str(path), advice=advice or Advice())


def _api_client(path: Path, context: str | None, *, retries: int, pool: int | None) -> Any:
    """The client's ``ApiClient`` for ``path``, loaded by the client's own kubeconfig loader."""
    _import_client()
    from kubernetes.client.api_client import ApiClient
    from kubernetes.client.configuration import Configuration
    from kubernetes.config import kube_config
    from kubernetes.config.config_exception import ConfigException

    configuration = Configuration()
    configuration.retries = retries
    if pool is not None:
        configuration.connection_pool_maxsize = max(4, pool)
    try:
        kube_config.load_kube_config(
            config_file=str(path), context=context, client_configuration=configuration, persist_config=False
        )
    except ConfigException as err:
        raise UsageError(f"kubeconfig {path}: {str(err).splitlines()[0]}") from None
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as err:
        raise UsageError(f"kubeconfig {path} is not usable: {type(err).__name__}: {err}") from None
    return ApiClient(configuration)


__all__ = ["REQUEST_TIMEOUT", "Advice", "Kube", "Listing", "connect", "preload"]

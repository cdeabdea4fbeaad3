"""HTTP to the Kubernetes API through the official client, with its failures made readable.

Every request :mod:`autograder.live` makes goes through :class:`Api`: GETs of JSON and watches
(streamed with ``kubernetes.watch.Watch``). Refused connections, TLS failures, timeouts and
401/403 answers become one :class:`~autograder.errors.ClusterUnreachable` (exit 3) that says
which it was and what to do.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import urllib3

from coursecore._quickimport import import_jsonschema_quickly

import_jsonschema_quickly()  # import kubernetes reaches jsonschema: skip its grammar

from kubernetes import watch as k8s_watch  # noqa: E402
from kubernetes.client.exceptions import ApiException  # noqa: E402

from autograder.errors import ClusterUnreachable


class Api:
    """Authenticated GETs and watches against one API server."""

    def __init__(self, api_client: Any, *, request_timeout: tuple[float, float], sandbox: str | None = None) -> None:
        self.client = api_client
        self.timeout = request_timeout
        self.host = api_client.configuration.host
        self.sandbox = sandbox

    # -- errors ------------------------------------------------------------------------------

    def _fix(self) -> str:
        if self.sandbox:
            return f"see `kubecourse ls`, or recreate it with `kubecourse up --name {self.sandbox} --recreate`"
        return "check that the cluster is running and that the kubeconfig is current"

    def _network_error(self, err: Exception) -> ClusterUnreachable:
        reason = getattr(err, "reason", None) or err
        text = str(reason)
        where = urlsplit(self.host).netloc or self.host
        if (
            isinstance(reason, urllib3.exceptions.SSLError)
            or "SSL" in type(reason).__name__
            or "CERTIFICATE" in text.upper()
        ):
            why = (
                "certificate has expired" if "expired" in text.lower() else text.split(":")[-1].strip() or "TLS failure"
            )
            return ClusterUnreachable(
                f"TLS handshake with the cluster at {where} failed ({why}): the credentials may have expired "
                f"or belong to another cluster; {self._fix()}",
                detail=text,
            )
        # Checked before timeouts: urllib3's NewConnectionError subclasses ConnectTimeoutError.
        if "refused" in text.lower():
            return ClusterUnreachable(
                f"cannot reach the cluster at {where}: connection refused; {self._fix()}", detail=text
            )
        if isinstance(reason, (urllib3.exceptions.TimeoutError, socket.timeout, TimeoutError)):
            return ClusterUnreachable(f"the cluster at {where} did not answer in time; {self._fix()}", detail=text)
        return ClusterUnreachable(
            f"cannot reach the cluster at {where}: {text.split(':')[-1].strip() or type(reason).__name__}; {self._fix()}",
            detail=text,
        )

    def _status_error(self, status: int, body: bytes, path: str) -> ClusterUnreachable:
        try:
            message = json.loads(body or b"{}").get("message", "")
        except (ValueError, AttributeError):
            message = ""
        where = urlsplit(self.host).netloc or self.host
        if status == 401:
            return ClusterUnreachable(
                f"the cluster at {where} rejected the credentials (401 Unauthorized): they are wrong or have "
                f"expired; {self._fix()}",
                detail=message,
            )
        if status == 403:
            return ClusterUnreachable(
                f"the credentials may not read {path} (403 Forbidden): {message or 'access denied'}; ask for "
                f"read access or use your own sandbox",
                detail=message,
            )
        return ClusterUnreachable(
            f"the cluster at {where} answered {status} for {path}: {message or 'no message'}", detail=message
        )

    # -- requests ----------------------------------------------------------------------------

    def _open(self, path: str, query: dict[str, Any], timeout: Any):
        method, url, headers, body, post = self.client.param_serialize(
            "GET",
            path,
            query_params=list(query.items()),
            header_params={"Accept": "application/json"},
            auth_settings=["BearerToken"],
        )
        try:
            return self.client.call_api(
                method, url, header_params=headers, body=body, post_params=post, _request_timeout=timeout
            )
        except (urllib3.exceptions.HTTPError, OSError) as err:
            raise self._network_error(err) from None

    def get_json(self, path: str, *, query: dict[str, Any] | None = None, missing_ok: bool = False) -> Any:
        """GET ``path`` and return the decoded JSON; ``None`` for a 404 when ``missing_ok``."""
        response = self._open(path, query or {}, self.timeout)
        try:
            data = response.read()
        except (urllib3.exceptions.HTTPError, OSError) as err:
            raise self._network_error(err) from None
        if response.status == 404 and missing_ok:
            return None
        if response.status == 404:
            return {}
        if not 200 <= response.status <= 299:
            raise self._status_error(response.status, data, path)
        try:
            return json.loads(data)
        except ValueError:
            raise ClusterUnreachable(
                f"the server at {self.host} answered {path} with something that is not JSON"
            ) from None

    def watch(
        self, path: str, resource_version: str, seconds: float, *, field_selector: str | None = None
    ) -> Iterator[tuple[str, Any]]:
        """Yield ``(event type, object)`` for changes under ``path`` after ``resource_version``
        for about ``seconds``; ``("EXPIRED", None)`` when the version is too old to watch from."""
        server_seconds = max(1, int(seconds + 0.999))

        def open_watch(
            watch: bool = True,
            resource_version: str | None = None,
            timeout_seconds: int | None = None,
            _preload_content: bool = False,
            **_: Any,
        ):
            query = {"watch": "true", "timeoutSeconds": timeout_seconds}
            if resource_version:
                query["resourceVersion"] = resource_version
            if field_selector:
                query["fieldSelector"] = field_selector
            # The read timeout bounds silence on the stream, not its length: a little over the
            # server-side timeout, so a server that forgets to close still ends the watch.
            response = self._open(path, query, (self.timeout[0], server_seconds + 2.0))
            if not 200 <= response.status <= 299:
                raise self._status_error(response.status, response.read(), path)
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
            raise self._status_error(err.status or 0, b"", path) from None
        except (urllib3.exceptions.ReadTimeoutError, TimeoutError):
            return  # the stream went quiet past its deadline: the caller decides what next
        except (urllib3.exceptions.HTTPError, OSError) as err:
            raise self._network_error(err) from None
        finally:
            watcher.stop()


__all__ = ["Api"]

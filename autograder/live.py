"""Reading a live cluster through the Kubernetes API, as a :class:`State`.

:func:`connect` finds the learner's kubeconfig (:mod:`coursecore.home`), connects with exactly
that file (:mod:`coursecore.kube`) and probes the API once, so that an unreachable cluster or
rejected credentials are reported before any check runs.
Resources are found through API discovery; reads are plain list calls filtered with the same
:func:`~autograder.state.select` a snapshot uses; :meth:`LiveState.wait_for` watches.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from urllib.parse import quote

from autograder.state import Obj, select
from coursecore import home, kube
from coursecore.labs import Capture

REQUEST_TIMEOUT = kube.REQUEST_TIMEOUT


def connect(
    kubeconfig: str | os.PathLike[str] | None = None,
    context: str | None = None,
    *,
    name: str | None = None,
    request_timeout: tuple[float, float] = REQUEST_TIMEOUT,
    probe: bool = True,
) -> LiveState:
    """A :class:`LiveState` for the cluster ``kubeconfig`` (or sandbox ``name``) points at; with
    neither, the one :func:`coursecore.home.learner_kubeconfig` finds.

    Raises:
        UsageError: the kubeconfig is missing, malformed or lacks the context asked for.
        ClusterUnreachable: the API server cannot be reached or rejects the credentials.
    """
    path = home.learner_kubeconfig(name=name, kubeconfig=kubeconfig)
    sandbox = name or home.sandbox_of(path)  # a sandbox's file however it was found: hints can name it
    advice = kube.Advice()
    if sandbox:
        advice = kube.Advice(
            reach=f"see `kubecourse ls`, or recreate it with `kubecourse up --name {sandbox} --recreate`"
        )
    state = LiveState(kube.connect(path, context, advice=advice, timeout=request_timeout))
    if probe:
        state.probe()
    return state


class LiveState:
    """Cluster state read on demand from a live API server (``source == "live"``)."""

    source = "live"

    def __init__(self, api: kube.Kube) -> None:
        self.api = api
        self.origin = api.origin
        self.reads: set[tuple[str, str | None, str | None]] = set()
        """(kind, apiVersion, namespace) of every read, to compare with a lab's capture list."""
        self._resources: dict[str, dict[str, tuple[str, str, bool]]] = {}
        self._groups: list[tuple[str, list[str]]] | None = None

    def __repr__(self) -> str:
        return f"LiveState({self.api.host})"

    def probe(self) -> None:
        """Ask the API for its core resources once; raises ClusterUnreachable if it cannot."""
        self.api.get("/api", missing_ok=True)

    # -- discovery ---------------------------------------------------------------------------

    def _group_versions(self) -> list[tuple[str, list[str]]]:
        """``[(group, [preferred version, other versions...]), ...]``; the core group is ``""``."""
        if self._groups is None:
            groups: list[tuple[str, list[str]]] = [("", ["v1"])]
            for group in (self.api.get("/apis", missing_ok=True) or {}).get("groups") or []:
                preferred = (group.get("preferredVersion") or {}).get("version")
                versions = [v.get("version") for v in group.get("versions") or [] if v.get("version")]
                ordered = ([preferred] if preferred else []) + [v for v in versions if v != preferred]
                groups.append((group.get("name", ""), ordered))
            self._groups = groups
        return self._groups

    def _resources_of(self, group_version: str) -> dict[str, tuple[str, str, bool]]:
        """kind (lowercase) -> (Kind, plural, namespaced) served at ``group_version``."""
        if group_version not in self._resources:
            path = "/api/v1" if group_version == "v1" else f"/apis/{group_version}"
            found: dict[str, tuple[str, str, bool]] = {}
            listing = self.api.get(path, missing_ok=True) or {}
            for res in listing.get("resources") or []:
                if "/" in res.get("name", "") or "list" not in (res.get("verbs") or []):
                    continue  # subresources (pods/status) and kinds that cannot be listed
                found.setdefault(res["kind"].lower(), (res["kind"], res["name"], bool(res.get("namespaced"))))
            self._resources[group_version] = found
        return self._resources[group_version]

    def resolve(self, kind: str, api_version: str | None) -> tuple[str, str, str, bool] | None:
        """(apiVersion, Kind, plural, namespaced) of ``kind``, or None if the server lacks it."""
        if api_version and "/" in api_version or api_version == "v1":
            candidates = [api_version]
        else:
            candidates = []
            for group, versions in self._group_versions():
                if api_version and group != api_version:
                    continue
                candidates += [f"{group}/{v}" if group else v for v in versions[: 1 if not api_version else None]]
        for group_version in candidates:
            hit = self._resources_of(group_version).get(kind.lower())
            if hit:
                return (group_version, *hit)
        return None

    # -- reading -----------------------------------------------------------------------------

    def _collection(self, group_version: str, plural: str, namespaced: bool, namespace: str | None) -> str:
        base = "/api/v1" if group_version == "v1" else f"/apis/{group_version}"
        if namespaced and namespace:
            return f"{base}/namespaces/{quote(namespace, safe='')}/{plural}"
        return f"{base}/{plural}"

    def _list(self, kind, api_version, namespace, label_selector=None) -> tuple[list[Obj], str]:
        self.reads.add((kind, api_version, namespace))
        found = self.resolve(kind, api_version)
        if found is None:
            return [], ""
        group_version, kind_name, plural, namespaced = found
        query = {"labelSelector": label_selector} if label_selector else {}
        listing = self.api.list(self._collection(group_version, plural, namespaced, namespace), query=query)
        items = []
        for item in listing.items:
            item.setdefault("kind", kind_name)
            item.setdefault("apiVersion", group_version)
            (item.get("metadata") or {}).pop("managedFields", None)
            items.append(item)
        return items, listing.resource_version

    def objects(self, kind, *, api_version=None, namespace=None, name=None, labels=None):
        items, _ = self._list(kind, api_version, namespace)
        return select(items, kind, api_version=api_version, namespace=namespace, name=name, labels=labels)

    def get(self, kind, name, *, namespace=None, api_version=None):
        found = self.objects(kind, api_version=api_version, namespace=namespace, name=name)
        return found[-1] if found else None

    def newest(self, kind, *, namespace=None, api_version=None, name_prefix=None):
        items, _ = self._list(kind, api_version, namespace)
        picked = select(items, kind, api_version=api_version, namespace=namespace, name_prefix=name_prefix)
        return picked[-1] if picked else None

    def capture(self, capture: Capture) -> list[Obj]:
        items, _ = self._list(capture.kind, capture.api_version, capture.namespace, capture.label_selector)
        return select(
            items,
            capture.kind,
            api_version=capture.api_version,
            namespace=capture.namespace,
            label_selector=capture.label_selector,
        )

    def wait_for(self, kind, name, *, namespace=None, condition: Callable[[Obj], bool], timeout: float):
        """Watch ``kind/name`` until ``condition`` holds or ``timeout`` seconds pass."""
        deadline = time.monotonic() + max(0.0, float(timeout))
        while True:
            items, version = self._list(kind, None, namespace)
            current = select(items, kind, namespace=namespace, name=name)
            obj = current[-1] if current else None
            if obj is not None and condition(obj):
                return obj
            found = self.resolve(kind, None)
            remaining = deadline - time.monotonic()
            if found is None or remaining <= 0:
                return None
            group_version, kind_name, plural, namespaced = found
            path = self._collection(group_version, plural, namespaced, namespace)
            events = self.api.watch(
                path, resource_version=version, seconds=remaining, query={"fieldSelector": f"metadata.name={name}"}
            )
            for event_type, item in events:
                if event_type == "EXPIRED":
                    break  # our resourceVersion is too old: list again, then watch on
                if event_type in ("ADDED", "MODIFIED"):
                    meta = item.get("metadata") or {}
                    if meta.get("name") != name or (namespace and meta.get("namespace") != namespace):
                        continue
                    item.setdefault("kind", kind_name)
                    item.setdefault("apiVersion", group_version)
                    meta.pop("managedFields", None)
                    if condition(item):
                        return item
            else:
                if time.monotonic() >= deadline:
                    return None


__all__ = ["LiveState", "connect"]

"""Deleting objects: finalizers, namespace termination and CRD removal.

A deleted namespace turns Terminating at once (creating in it is then forbidden) and a
stand-in for the namespace controller removes its content and then the namespace after
``namespace_grace`` seconds -- so ``kubectl delete -f`` of a file that starts with its namespace
still finds the objects that follow, as on a real cluster. Objects with finalizers get a
deletionTimestamp and stay until an update empties ``metadata.finalizers``.
"""

from __future__ import annotations

import copy
import threading

from .defaults import now
from .errors import conflict
from .resources import ResourceType

CRD_KEY = ("apiextensions.k8s.io", "customresourcedefinitions")
NAMESPACE_KEY = ("", "namespaces")


def success_status(rt: ResourceType, obj: dict) -> dict:
    meta = obj.get("metadata") or {}
    details = {"name": meta.get("name", ""), "kind": rt.plural, "uid": meta.get("uid", "")}
    if rt.group:
        details["group"] = rt.group
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}


class DeletionMixin:
    """The delete half of :class:`fakekube.operations.Operations`."""

    def delete(
        self, rt: ResourceType, namespace: str, name: str, *, dry_run: bool = False, preconditions: dict | None = None
    ) -> dict:
        with self.store.lock:
            old = self.read(rt, namespace, name)
            for field in ("uid", "resourceVersion"):
                wanted = (preconditions or {}).get(field)
                if wanted and wanted != old["metadata"].get(field):
                    raise conflict(
                        rt.plural,
                        name,
                        rt.group,
                        f"Precondition failed: {field} in precondition: {wanted}, "
                        f"{field} in object meta: {old['metadata'].get(field)}",
                    )
            if dry_run:
                return success_status(rt, old)
            if old["metadata"].get("deletionTimestamp"):
                return old  # already on its way out
            if old["metadata"].get("finalizers"):
                return self._mark_deleted(rt, old)
            if rt.storage_key == NAMESPACE_KEY and self.namespace_grace > 0:
                marked = self._mark_deleted(rt, old, phase="Terminating")
                timer = threading.Timer(self.namespace_grace, self._finish_namespace, args=(rt, name))
                timer.daemon = True
                self.timers.append(timer)
                timer.start()
                return marked
            removed = self._remove(rt, old)
            return removed if rt.kind == "Pod" else success_status(rt, removed)

    def _mark_deleted(self, rt: ResourceType, old: dict, *, phase: str = "") -> dict:
        marked = copy.deepcopy(old)
        marked["metadata"]["deletionTimestamp"] = now()
        marked["metadata"]["deletionGracePeriodSeconds"] = 0
        if phase:
            marked.setdefault("status", {})["phase"] = phase
        return self.store.put(rt.storage_key, marked, event_type="MODIFIED", old=old)

    def _finish_namespace(self, rt: ResourceType, name: str) -> None:
        with self.store.lock:
            if self.store.closed:
                return
            namespace = self.store.get(NAMESPACE_KEY, "", name)
            if namespace is not None and namespace["metadata"].get("deletionTimestamp"):
                self._remove(rt, self.present(rt, namespace))

    def _remove(self, rt: ResourceType, obj: dict) -> dict:
        meta = obj["metadata"]
        if rt.storage_key == NAMESPACE_KEY:
            for key in {resource.storage_key for resource in self.registry.all() if resource.namespaced}:
                for item in self.store.list(key, meta["name"]):
                    self.store.remove(key, meta["name"], item["metadata"]["name"])
        if rt.storage_key == CRD_KEY:
            group, plural = obj["spec"]["group"], obj["spec"]["names"]["plural"]
            for item in self.store.list((group, plural)):
                self.store.remove((group, plural), item["metadata"].get("namespace", ""), item["metadata"]["name"])
            self.registry.remove(group, plural)
        removed = self.store.remove(rt.storage_key, meta.get("namespace", ""), meta["name"])
        return self.present(rt, removed or obj)

    def delete_collection(
        self,
        rt: ResourceType,
        namespace: str | None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        dry_run: bool = False,
    ) -> dict:
        with self.store.lock:
            listing = self.list(rt, namespace, label_selector=label_selector, field_selector=field_selector)
            for item in listing["items"]:
                meta = item["metadata"]
                self.delete(rt, meta.get("namespace", ""), meta["name"], dry_run=dry_run)
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}

    def cancel_timers(self) -> None:
        for timer in self.timers:
            timer.cancel()
        self.timers.clear()


__all__ = ["CRD_KEY", "DeletionMixin", "NAMESPACE_KEY", "success_status"]

"""The ``scale`` subresource (autoscaling/v1 Scale) of Deployments, StatefulSets, ReplicaSets."""

from __future__ import annotations

import copy
import json

from .errors import bad_request
from .patching import JSON_PATCH, STRATEGIC_PATCH, json_patch, merge_patch, strategic_merge
from .resources import ResourceType


class ScaleMixin:
    """The scale half of :class:`fakekube.operations.Operations`."""

    def scale_of(self, rt: ResourceType, obj: dict) -> dict:
        meta = obj["metadata"]
        selector = ((obj.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
        return {
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {
                k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp") if k in meta
            },
            "spec": {"replicas": (obj.get("spec") or {}).get("replicas", 0)},
            "status": {
                "replicas": (obj.get("status") or {}).get("replicas", 0),
                "selector": ",".join(f"{k}={v}" for k, v in sorted(selector.items())),
            },
        }

    def update_scale(self, rt: ResourceType, namespace: str, name: str, scale: dict, *, dry_run: bool = False) -> dict:
        with self.store.lock:
            old = self.read(rt, namespace, name)
            replicas = (scale.get("spec") or {}).get("replicas")
            if not isinstance(replicas, int) or replicas < 0:
                raise bad_request("spec.replicas must be a non-negative integer")
            new = copy.deepcopy(old)
            new.setdefault("spec", {})["replicas"] = replicas
            wanted = (scale.get("metadata") or {}).get("resourceVersion")
            new["metadata"]["resourceVersion"] = wanted or old["metadata"]["resourceVersion"]
            return self.scale_of(rt, self._commit(rt, old, new, subresource="", dry_run=dry_run))

    def patch_scale(
        self, rt: ResourceType, namespace: str, name: str, content_type: str, body: bytes, *, dry_run: bool = False
    ) -> dict:
        """PATCH /scale: the patch applies to the Scale object, then spec.replicas is copied."""
        with self.store.lock:
            scale = self.scale_of(rt, self.read(rt, namespace, name))
            try:
                patch = json.loads(body or b"null")
            except ValueError as err:
                raise bad_request(f"error decoding patch: {err}") from None
            kind = content_type.split(";")[0].strip()
            if kind == JSON_PATCH:
                scale = json_patch(scale, patch)
            elif kind == STRATEGIC_PATCH:
                scale = strategic_merge(scale, patch)
            else:
                scale = merge_patch(scale, patch)
            return self.update_scale(rt, namespace, name, scale, dry_run=dry_run)


__all__ = ["ScaleMixin"]

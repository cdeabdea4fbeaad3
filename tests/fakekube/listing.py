"""LIST: selectors, pagination with ``limit`` and ``continue``, and the list's resourceVersion."""

from __future__ import annotations

import base64
import json

from .errors import bad_request
from .resources import ResourceType
from .selection import object_matcher


class ListingMixin:
    """The list half of :class:`fakekube.operations.Operations`."""

    def list(
        self,
        rt: ResourceType,
        namespace: str | None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        limit: int = 0,
        continue_token: str = "",
    ) -> dict:
        matches = object_matcher(rt, label_selector, field_selector)
        with self.store.lock:
            items = [self.present(rt, obj) for obj in self.store.list(rt.storage_key, namespace) if matches(obj)]
            rv = str(self.store.rv)
        metadata: dict = {"resourceVersion": rv}
        if continue_token:
            try:
                after = json.loads(base64.urlsafe_b64decode(continue_token.encode()))["after"]
            except (ValueError, KeyError, TypeError):
                raise bad_request("continue key is not valid") from None
            items = [i for i in items if [i["metadata"].get("namespace", ""), i["metadata"]["name"]] > after]
        if limit and len(items) > limit:
            last = items[limit - 1]["metadata"]
            token = {"after": [last.get("namespace", ""), last["name"]]}
            metadata["continue"] = base64.urlsafe_b64encode(json.dumps(token).encode()).decode()
            metadata["remainingItemCount"] = len(items) - limit
            items = items[:limit]
        return {"kind": rt.list_kind, "apiVersion": rt.api_version, "metadata": metadata, "items": items}


__all__ = ["ListingMixin"]

"""The REST semantics of the fake API server: create, read, list, update, patch and delete.

:class:`Operations` turns requests into store writes the way kube-apiserver does: it assigns
uid, creationTimestamp, generation and resourceVersion, rejects stale updates (409), existing
names (409) and missing namespaces (404), keeps ``status`` apart when a type has the status
subresource, honours finalizers, cascades namespace and CRD deletion, and serves the
``scale`` subresource. It is shared by the HTTP layer and the Python API for tests.
"""

from __future__ import annotations

import copy
import json
import threading
import uuid

import yaml

from . import crds, schema, webhooks
from .admission import Admission, Attributes
from .defaults import apply_defaults, generate_name, normalize, now, validate_metadata
from .deletion import CRD_KEY, NAMESPACE_KEY, DeletionMixin
from .errors import (
    ApiError,
    already_exists,
    bad_request,
    conflict,
    forbidden,
    invalid,
    not_found,
    unsupported_media_type,
)
from .listing import ListingMixin
from .patching import APPLY_PATCH, JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, json_patch, merge_patch, strategic_merge
from .resources import Registry, ResourceType
from .scale import ScaleMixin
from .serverside import server_side_apply
from .store import Store

_SERVER_OWNED_META = (
    "uid",
    "creationTimestamp",
    "name",
    "namespace",
    "generation",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
)


class Operations(DeletionMixin, ListingMixin, ScaleMixin):
    """Kubernetes API semantics over a :class:`Store` and a :class:`Registry`."""

    def __init__(self, store: Store, registry: Registry) -> None:
        self.store = store
        self.registry = registry
        self.namespace_grace = 0.5
        """Seconds a deleted namespace stays Terminating before its content goes (0: at once)."""
        self.timers: list[threading.Timer] = []
        self._local = threading.local()  # per-request options and warnings (one thread each)
        self.admission = Admission(store)

    def begin_request(self, *, field_validation: str = "Warn") -> None:
        """Start an HTTP request: its fieldValidation mode, and no warnings yet."""
        self._local.field_validation = field_validation
        self._local.warnings = []
        self._local.user = None

    def set_user(self, user) -> None:
        """Who makes the current HTTP request: their writes go through admission."""
        self._local.user = user

    def _admit(
        self, operation: str, rt: ResourceType, obj: dict, old: dict | None, *, subresource: str = "", dry_run: bool
    ) -> None:
        # Requests through the Python API (tests playing controllers) have no user: not admitted.
        user = getattr(self._local, "user", None)
        if user is None:
            return
        meta = obj.get("metadata") or {}
        attrs = Attributes(
            operation=operation,
            rt=rt,
            namespace=meta.get("namespace", "") if rt.namespaced else "",
            name=meta.get("name", ""),
            obj=obj,
            old=old,
            username=user.name,
            groups=tuple(user.groups),
            subresource=subresource,
            dry_run=dry_run,
        )
        webhooks.call(self.store, attrs)  # mutating webhooks come first in kube-apiserver's chain
        self._local.warnings.extend(self.admission.admit(attrs))

    def warnings(self) -> list[str]:
        """Warnings for the current request (sent back in ``Warning`` headers)."""
        return list(getattr(self._local, "warnings", []))

    def _check_schema(self, rt: ResourceType, obj: dict) -> None:
        """Prune and validate a custom resource; direct test writes prune silently."""
        if not rt.custom or not rt.schema:
            return
        report = schema.check(obj, rt.schema)
        mode = getattr(self._local, "field_validation", "Ignore")
        unknown = ", ".join(f'unknown field "{path}"' for path in report.unknown)
        if unknown and mode == "Strict":
            raise bad_request(
                f'{rt.kind} in version "{rt.version}" cannot be handled as a '
                f"{rt.kind}: strict decoding error: {unknown}"
            )
        if unknown and mode == "Warn":
            self._local.warnings.extend(f'unknown field "{path}"' for path in report.unknown)
        if report.errors:
            raise invalid(rt.kind, obj["metadata"].get("name", ""), report.errors, rt.group)

    # -- helpers ---------------------------------------------------------------------------
    @staticmethod
    def present(rt: ResourceType, obj: dict) -> dict:
        """The object as served through ``rt`` (its version, for multi-version CRDs)."""
        obj["apiVersion"] = rt.api_version
        obj["kind"] = rt.kind
        return obj

    def _require_namespace(self, rt: ResourceType, namespace: str, name: str) -> None:
        if not rt.namespaced:
            return
        found = self.store.get(NAMESPACE_KEY, "", namespace)
        if found is None:
            raise not_found("namespaces", namespace)
        if found["metadata"].get("deletionTimestamp"):
            raise forbidden(
                f'{rt.qualified} "{name}" is forbidden: unable to create new '
                f"content in namespace {namespace} because it is being terminated"
            )

    def read(self, rt: ResourceType, namespace: str, name: str) -> dict:
        obj = self.store.get(rt.storage_key, namespace if rt.namespaced else "", name)
        if obj is None:
            raise not_found(rt.plural, name, rt.group)
        return self.present(rt, obj)

    @staticmethod
    def _body(rt: ResourceType, body: object) -> dict:
        if not isinstance(body, dict):
            raise bad_request("the request body must be a JSON or YAML object")
        api_version, kind = body.get("apiVersion"), body.get("kind")
        if (api_version and api_version != rt.api_version) or (kind and kind != rt.kind):
            raise bad_request(
                f"the API version in the data ({api_version}) does not match the "
                f"expected API version ({rt.api_version}) or kind ({kind} != "
                f"{rt.kind})"
            )
        obj = copy.deepcopy(body)
        if not isinstance(obj.get("metadata"), dict):
            obj["metadata"] = {}
        return obj

    # -- create ----------------------------------------------------------------------------
    def create(
        self, rt: ResourceType, namespace: str, body: object, *, dry_run: bool = False, keep_status: bool = False
    ) -> dict:
        obj = self._body(rt, body)
        meta = obj["metadata"]
        if rt.namespaced:
            if meta.get("namespace") and meta["namespace"] != namespace:
                raise bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
        with self.store.lock:
            if not meta.get("name") and meta.get("generateName"):
                meta["name"] = generate_name(meta["generateName"])
                while self.store.get(rt.storage_key, meta.get("namespace", ""), meta["name"]):
                    meta["name"] = generate_name(meta["generateName"])
            validate_metadata(rt, obj)
            self._require_namespace(rt, namespace, meta["name"])
            if self.store.get(rt.storage_key, meta.get("namespace", ""), meta["name"]):
                raise already_exists(rt.plural, meta["name"], rt.group)
            if rt.storage_key == CRD_KEY:
                self._check_crd(obj)
            if not keep_status and "status" in rt.subresources:
                obj.pop("status", None)
            normalize(rt, obj)
            apply_defaults(rt, obj)
            self._check_schema(rt, obj)
            for field in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"):
                meta.pop(field, None)
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = now()
            meta["generation"] = 1
            self.present(rt, obj)
            if rt.storage_key == CRD_KEY:
                obj["status"] = crds.established_status(obj)
            self._admit("CREATE", rt, obj, None, dry_run=dry_run)
            if dry_run:
                return obj
            stored = self.store.put(rt.storage_key, obj, event_type="ADDED")
            if rt.storage_key == CRD_KEY:
                self.registry.add(crds.resource_types(stored))
            return stored

    def _check_crd(self, crd: dict, *, existing: dict | None = None) -> None:
        crds.validate(crd)
        spec = crd["spec"]
        taken = self.registry.versions_of(spec["group"], spec["names"]["plural"])
        if existing is None and taken:
            raise ApiError(
                409,
                "AlreadyExists",
                f"the resource {spec['names']['plural']}.{spec['group']} is already served by the API server",
            )

    # -- update ----------------------------------------------------------------------------
    def update(
        self, rt: ResourceType, namespace: str, name: str, body: object, *, subresource: str = "", dry_run: bool = False
    ) -> dict:
        new = self._body(rt, body)
        if new["metadata"].get("name", name) != name:
            raise bad_request(
                f"the name of the object ({new['metadata']['name']}) does not match the name on the URL ({name})"
            )
        if rt.namespaced and new["metadata"].get("namespace", namespace) != namespace:
            raise bad_request("the namespace of the provided object does not match the namespace sent on the request")
        with self.store.lock:
            old = self.read(rt, namespace, name)
            return self._commit(rt, old, new, subresource=subresource, dry_run=dry_run)

    def _commit(self, rt: ResourceType, old: dict, new: dict, *, subresource: str, dry_run: bool) -> dict:
        old_meta = old["metadata"]
        new_meta = new.setdefault("metadata", {})
        wanted_rv = new_meta.get("resourceVersion")
        if wanted_rv and wanted_rv != old_meta["resourceVersion"]:
            raise conflict(rt.plural, old_meta["name"], rt.group)
        if subresource == "status":
            result = copy.deepcopy(old)
            if "status" in new:
                result["status"] = new["status"]
            else:
                result.pop("status", None)
            if "managedFields" in new_meta:
                result["metadata"]["managedFields"] = new_meta["managedFields"]
        else:
            result = new
            if "status" in rt.subresources:
                if "status" in old:
                    result["status"] = copy.deepcopy(old["status"])
                else:
                    result.pop("status", None)
            for field in _SERVER_OWNED_META:
                if field in old_meta:
                    new_meta[field] = old_meta[field]
                else:
                    new_meta.pop(field, None)
            if "managedFields" not in new_meta and "managedFields" in old_meta:
                new_meta["managedFields"] = old_meta["managedFields"]
            validate_metadata(rt, result)
            normalize(rt, result)
            apply_defaults(rt, result)
            if rt.storage_key == CRD_KEY:
                self._check_crd(result, existing=old)
                result["status"] = crds.established_status(result)
                result["status"]["conditions"] = (
                    old.get("status", {}).get("conditions", []) or result["status"]["conditions"]
                )
        self.present(rt, result)
        self._check_schema(rt, result)
        result["metadata"]["resourceVersion"] = old_meta["resourceVersion"]
        if self._spec_part(rt, old) != self._spec_part(rt, result):
            result["metadata"]["generation"] = int(old_meta.get("generation", 1)) + 1
        self._admit("UPDATE", rt, result, old, subresource=subresource, dry_run=dry_run)
        if result == old or dry_run:
            return result
        if result["metadata"].get("deletionTimestamp") and not result["metadata"].get("finalizers"):
            return self._remove(rt, result)
        stored = self.store.put(rt.storage_key, result, event_type="MODIFIED", old=old)
        if rt.storage_key == CRD_KEY:
            self.registry.remove(old["spec"]["group"], old["spec"]["names"]["plural"])
            self.registry.add(crds.resource_types(stored))
        return stored

    @staticmethod
    def _spec_part(rt: ResourceType, obj: dict) -> dict:
        """What a generation bump looks at: all but metadata (and status, if a subresource)."""
        skip = {"metadata", "apiVersion", "kind"} | ({"status"} if "status" in rt.subresources else set())
        return {k: v for k, v in obj.items() if k not in skip}

    # -- patch -----------------------------------------------------------------------------
    def patch(
        self,
        rt: ResourceType,
        namespace: str,
        name: str,
        content_type: str,
        body: bytes,
        *,
        subresource: str = "",
        manager: str = "",
        dry_run: bool = False,
    ) -> tuple[dict, bool]:
        """Apply a patch; returns (object, created) -- apply patches create missing objects."""
        content_type = content_type.split(";")[0].strip()
        with self.store.lock:
            stored = self.store.get(rt.storage_key, namespace if rt.namespaced else "", name)
            old = self.present(rt, stored) if stored is not None else None
            if content_type == APPLY_PATCH:
                return self._server_side_apply(
                    rt, namespace, name, old, body, subresource=subresource, manager=manager, dry_run=dry_run
                )
            if old is None:
                raise not_found(rt.plural, name, rt.group)
            try:
                patch = json.loads(body or b"null")
            except ValueError as err:
                raise bad_request(f"error decoding patch: {err}") from None
            if content_type == MERGE_PATCH:
                new = merge_patch(old, patch)
            elif content_type == JSON_PATCH:
                new = json_patch(old, patch)
            elif content_type == STRATEGIC_PATCH:
                if rt.custom:
                    raise unsupported_media_type(
                        content_type, "strategic merge patch is not supported for custom resources"
                    )
                new = strategic_merge(old, patch)
            else:
                raise unsupported_media_type(content_type)
            if not isinstance(new, dict):
                raise bad_request("the patch must leave an object")
            return self._commit(rt, old, new, subresource=subresource, dry_run=dry_run), False

    def _server_side_apply(
        self,
        rt: ResourceType,
        namespace: str,
        name: str,
        old: dict | None,
        body: bytes,
        *,
        subresource: str,
        manager: str,
        dry_run: bool,
    ) -> tuple[dict, bool]:
        try:
            applied = yaml.safe_load(body or b"")
        except yaml.YAMLError as err:
            raise bad_request(f"error decoding YAML: {err}") from None
        if not isinstance(applied, dict) or not applied.get("apiVersion") or not applied.get("kind"):
            raise bad_request("apply patches must have apiVersion and kind set")
        self._body(rt, applied)
        if (applied.get("metadata") or {}).get("name", name) != name:
            raise bad_request("the name of the object does not match the name on the URL")
        if not manager:
            raise bad_request("PATCH requests with apply content type must set fieldManager")
        if subresource == "status":
            applied = {k: v for k, v in applied.items() if k in ("apiVersion", "kind", "status")}
        elif "status" in rt.subresources:
            applied = {k: v for k, v in applied.items() if k != "status"}
        if old is None:
            if subresource:
                raise not_found(rt.plural, name, rt.group)
            new = server_side_apply(None, applied, manager=manager, api_version=rt.api_version)
            new["metadata"]["name"] = name
            return self.create(rt, namespace, new, dry_run=dry_run), True
        new = server_side_apply(old, applied, manager=manager, api_version=rt.api_version, subresource=subresource)
        new["metadata"].pop("resourceVersion", None)
        return self._commit(rt, old, new, subresource=subresource, dry_run=dry_run), False


__all__ = ["Operations"]

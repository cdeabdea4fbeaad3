"""Discovery documents: /version, /api, /apis, the per-version resource lists and OpenAPI stubs.

kubectl needs these before it sends any request. The OpenAPI v3 stub declares, per resource, a
PATCH operation carrying ``x-kubernetes-group-version-kind`` and the ``fieldValidation`` query
parameter: kubectl then leaves field validation to the server. The PATCH request body does not
list strategic merge patch, so ``kubectl apply`` computes strategic patches from its compiled-in
types (exactly what it does against real clusters whose OpenAPI it cannot use). OpenAPI v2 is
served empty, in the protobuf content type kubectl asks for.
"""

from __future__ import annotations

import hashlib

from .errors import path_not_found
from .resources import ALL_VERBS, Registry, ResourceType

KUBERNETES_MINOR = "37"
OPENAPI_V2_CONTENT_TYPE = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
_SUBRESOURCES = {
    "status": ("", "", None, ("get", "patch", "update")),
    "scale": ("autoscaling", "v1", "Scale", ("get", "patch", "update")),
    "token": ("authentication.k8s.io", "v1", "TokenRequest", ("create",)),
    "log": ("", "", "Pod", ("get",)),
}


def version() -> dict:
    return {
        "major": "1",
        "minor": KUBERNETES_MINOR,
        "emulationMajor": "1",
        "emulationMinor": KUBERNETES_MINOR,
        "gitVersion": f"v1.{KUBERNETES_MINOR}.0-fakekube",
        "gitCommit": "0" * 40,
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.25.0",
        "compiler": "gc",
        "platform": "linux/amd64",
    }


def core_versions(address: str) -> dict:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": address}],
    }


def _group(name: str, versions: list[str]) -> dict:
    entries = [{"groupVersion": f"{name}/{v}", "version": v} for v in versions]
    return {"name": name, "versions": entries, "preferredVersion": entries[0]}


def group_list(registry: Registry) -> dict:
    groups = [_group(name, versions) for name, versions in registry.groups().items() if name]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def group(registry: Registry, name: str) -> dict | None:
    versions = registry.groups().get(name)
    if not name or not versions:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group(name, versions)}


def _resource_entries(rt: ResourceType) -> list[dict]:
    digest = hashlib.sha256(f"{rt.api_version}/{rt.kind}".encode()).hexdigest()[:11]
    entries = [
        {
            "name": rt.plural,
            "singularName": rt.singular,
            "namespaced": rt.namespaced,
            "kind": rt.kind,
            "verbs": list(ALL_VERBS),
            "storageVersionHash": digest,
        }
    ]
    if rt.short_names:
        entries[0]["shortNames"] = list(rt.short_names)
    if rt.categories:
        entries[0]["categories"] = list(rt.categories)
    for sub in sorted(rt.subresources):
        group_name, group_version, kind, verbs = _SUBRESOURCES[sub]
        entry = {
            "name": f"{rt.plural}/{sub}",
            "singularName": "",
            "namespaced": rt.namespaced,
            "kind": kind or rt.kind,
            "verbs": list(verbs),
        }
        if group_name:
            entry["group"], entry["version"] = group_name, group_version
        entries.append(entry)
    return entries


def resource_list(registry: Registry, group_name: str, version_name: str) -> dict | None:
    types = [rt for rt in registry.all() if (rt.group, rt.version) == (group_name, version_name)]
    if not types:
        return None
    resources = [entry for rt in types for entry in _resource_entries(rt)]
    group_version = f"{group_name}/{version_name}" if group_name else version_name
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources}


def _gv_path(group_name: str, version_name: str) -> str:
    return f"apis/{group_name}/{version_name}" if group_name else f"api/{version_name}"


def openapi_v3_root(registry: Registry) -> dict:
    digest = hashlib.sha256(str(registry.generation).encode()).hexdigest()[:16].upper()
    paths = {}
    for group_name, versions in registry.groups().items():
        for version_name in versions:
            path = _gv_path(group_name, version_name)
            paths[path] = {"serverRelativeURL": f"/openapi/v3/{path}?hash={digest}"}
    return {"paths": paths}


def _schema_name(rt: ResourceType) -> str:
    group = ".".join(reversed(rt.group.split("."))) if rt.group else "core"
    return f"io.k8s.fakekube.{group}.{rt.version}.{rt.kind}"


def openapi_v3_document(registry: Registry, gv_path: str) -> dict | None:
    parts = gv_path.strip("/").split("/")
    if parts[:1] == ["api"] and len(parts) == 2:
        group_name, version_name = "", parts[1]
    elif parts[:1] == ["apis"] and len(parts) == 3:
        group_name, version_name = parts[1], parts[2]
    else:
        return None
    types = [rt for rt in registry.all() if (rt.group, rt.version) == (group_name, version_name)]
    if not types:
        return None
    paths, schemas = {}, {}
    for rt in types:
        gvk = {"group": rt.group, "version": rt.version, "kind": rt.kind}
        scope = "/namespaces/{namespace}" if rt.namespaced else ""
        ref = {"$ref": f"#/components/schemas/{_schema_name(rt)}"}
        body_types = ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"]
        paths[f"/{gv_path}{scope}/{rt.plural}/{{name}}"] = {
            "patch": {
                "operationId": f"patch{rt.kind}",
                "x-kubernetes-group-version-kind": gvk,
                "x-kubernetes-action": "patch",
                "parameters": [
                    {"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": True}},
                    {"name": "fieldManager", "in": "query", "schema": {"type": "string", "uniqueItems": True}},
                    {"name": "dryRun", "in": "query", "schema": {"type": "string", "uniqueItems": True}},
                ],
                "requestBody": {"content": {t: {"schema": {"type": "object"}} for t in body_types}, "required": True},
                "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": ref}}}},
            }
        }
        schemas[_schema_name(rt)] = {
            "type": "object",
            "x-kubernetes-group-version-kind": [gvk],
            "x-kubernetes-preserve-unknown-fields": True,
        }
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes (fakekube)", "version": f"v1.{KUBERNETES_MINOR}.0"},
        "paths": paths,
        "components": {"schemas": schemas},
    }


AGGREGATED_CONTENT_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"


def _aggregated_resource(rt: ResourceType) -> dict:
    kind = {"group": rt.group, "version": rt.version, "kind": rt.kind}
    entry = {
        "resource": rt.plural,
        "responseKind": kind,
        "singularResource": rt.singular,
        "scope": "Namespaced" if rt.namespaced else "Cluster",
        "verbs": list(ALL_VERBS),
    }
    if rt.short_names:
        entry["shortNames"] = list(rt.short_names)
    if rt.categories:
        entry["categories"] = list(rt.categories)
    subresources = []
    for sub in sorted(rt.subresources):
        group_name, group_version, sub_kind, verbs = _SUBRESOURCES[sub]
        response = {
            "group": group_name or rt.group,
            "version": group_version or rt.version,
            "kind": sub_kind or rt.kind,
        }
        subresources.append({"subresource": sub, "responseKind": response, "verbs": list(verbs)})
    if subresources:
        entry["subresources"] = subresources
    return entry


def aggregated(registry: Registry, *, core: bool) -> dict:
    """APIGroupDiscoveryList (apidiscovery.k8s.io/v2): all of /api or /apis in one document,
    which saves kubectl one request per group version on a cold cache."""
    items = []
    for name, versions in registry.groups().items():
        if (name == "") != core:
            continue
        entries = []
        for version_name in versions:
            types = [rt for rt in registry.all() if (rt.group, rt.version) == (name, version_name)]
            entries.append(
                {
                    "version": version_name,
                    "freshness": "Current",
                    "resources": [_aggregated_resource(rt) for rt in types],
                }
            )
        items.append({"metadata": {"name": name} if name else {}, "versions": entries})
    return {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {}, "items": items}


def document_for(registry: Registry, path: str, port: int, accept: str = "") -> tuple[int, object, str] | None:
    """(status, body, content type) for a discovery path; None if ``path`` is not one."""
    segments = [s for s in path.split("/") if s]
    document: object = None
    if path in ("/api", "/apis") and "as=APIGroupDiscoveryList" in accept and "v=v2;" in accept.replace(" ", "") + ";":
        return 200, aggregated(registry, core=path == "/api"), AGGREGATED_CONTENT_TYPE
    if path == "/version":
        document = version()
    elif path == "/api":
        document = core_versions(f"127.0.0.1:{port}")
    elif path == "/apis":
        document = group_list(registry)
    elif segments[:1] == ["api"] and len(segments) == 2:
        document = resource_list(registry, "", segments[1])
    elif segments[:1] == ["apis"] and len(segments) == 2:
        document = group(registry, segments[1])
    elif segments[:1] == ["apis"] and len(segments) == 3:
        document = resource_list(registry, segments[1], segments[2])
    elif path == "/openapi/v2":
        return 200, b"", OPENAPI_V2_CONTENT_TYPE
    elif path == "/openapi/v3":
        document = openapi_v3_root(registry)
    elif path.startswith("/openapi/v3/"):
        document = openapi_v3_document(registry, path[len("/openapi/v3/") :])
    else:
        return None
    if document is None:
        raise path_not_found()
    return 200, document, "application/json"


__all__ = [
    "AGGREGATED_CONTENT_TYPE",
    "aggregated",
    "document_for",
    "KUBERNETES_MINOR",
    "OPENAPI_V2_CONTENT_TYPE",
    "core_versions",
    "group",
    "group_list",
    "openapi_v3_document",
    "openapi_v3_root",
    "resource_list",
    "version",
]

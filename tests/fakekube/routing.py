"""URL parsing: which resource, namespace, name and subresource a request path addresses."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import bad_request, path_not_found
from .resources import Registry, ResourceType


@dataclass(frozen=True)
class Route:
    """A resource request: ``namespace`` is None for cluster-wide lists and watches."""

    rt: ResourceType
    namespace: str | None
    name: str | None
    subresource: str


def parse_resource_path(registry: Registry, segments: list[str]) -> Route | None:
    """Parse ``/api/v1/...`` or ``/apis/g/v/...``; None for a path that is not a resource."""
    if segments[:1] == ["api"] and len(segments) >= 3:
        group, version, rest = "", segments[1], segments[2:]
    elif segments[:1] == ["apis"] and len(segments) >= 4:
        group, version, rest = segments[1], segments[2], segments[3:]
    else:
        return None
    namespace = None
    if rest[0] == "namespaces" and len(rest) >= 3 and not (len(rest) == 3 and rest[2] in ("status", "finalize")):
        namespace, rest = rest[1], rest[2:]
    rt = registry.by_resource(group, version, rest[0])
    if rt is None or len(rest) > 3:
        raise path_not_found()
    if namespace is not None and not rt.namespaced:
        raise path_not_found()
    name = rest[1] if len(rest) >= 2 else None
    subresource = rest[2] if len(rest) == 3 else ""
    if (
        subresource
        and subresource not in rt.subresources
        and not (rt.kind == "Namespace" and subresource == "finalize")
    ):
        raise path_not_found()
    if rt.namespaced and name is not None and namespace is None:
        raise path_not_found()
    return Route(rt, namespace if rt.namespaced else None, name, subresource)


def query_number(query: dict, name: str) -> int:
    """A non-negative integer query parameter (0 when absent); 400 if malformed."""
    text = query.get(name) or "0"
    if not text.isdigit():
        raise bad_request(f'invalid value for query parameter {name}: "{text}"')
    return int(text)


__all__ = ["Route", "parse_resource_path", "query_number"]

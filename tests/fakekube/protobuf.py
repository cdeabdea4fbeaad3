"""Decoding the protobuf bodies kubectl's generator commands send, for a few small kinds.

Since 1.32 kubectl sends ``application/vnd.kubernetes.protobuf`` for ``kubectl create
namespace|configmap|secret generic|serviceaccount|role|clusterrole|rolebinding|
clusterrolebinding|token``. The body is ``k8s\\0`` + a ``runtime.Unknown`` wrapping the object;
this module turns the kinds above into the JSON objects the rest of the server handles, using
their field numbers from k8s.io/api's generated.proto. Other kinds stay unsupported (415).
"""

from __future__ import annotations

import base64

from .errors import bad_request

MAGIC = b"k8s\x00"

# message -> {field number: (json name, type)}; a type is a message name, "string", "bytes",
# "int", "bool", "[...]" for repeated, or "map:string"/"map:bytes".
_META = {
    1: ("name", "string"),
    2: ("generateName", "string"),
    3: ("namespace", "string"),
    11: ("labels", "map:string"),
    12: ("annotations", "map:string"),
    14: ("finalizers", "[string]"),
}
_MESSAGES: dict[str, dict[int, tuple[str, str]]] = {
    "ObjectMeta": _META,
    "Unknown": {1: ("typeMeta", "TypeMeta"), 2: ("raw", "bytes")},
    "TypeMeta": {1: ("apiVersion", "string"), 2: ("kind", "string")},
    "Namespace": {1: ("metadata", "ObjectMeta")},
    "ConfigMap": {
        1: ("metadata", "ObjectMeta"),
        2: ("data", "map:string"),
        3: ("binaryData", "map:bytes"),
        4: ("immutable", "bool"),
    },
    "Secret": {
        1: ("metadata", "ObjectMeta"),
        2: ("data", "map:bytes"),
        3: ("type", "string"),
        4: ("stringData", "map:string"),
        5: ("immutable", "bool"),
    },
    "ServiceAccount": {1: ("metadata", "ObjectMeta"), 4: ("automountServiceAccountToken", "bool")},
    "TokenRequest": {1: ("metadata", "ObjectMeta"), 2: ("spec", "TokenRequestSpec")},
    "TokenRequestSpec": {
        1: ("audiences", "[string]"),
        3: ("boundObjectRef", "BoundObjectRef"),
        4: ("expirationSeconds", "int"),
    },
    "BoundObjectRef": {1: ("kind", "string"), 2: ("apiVersion", "string"), 3: ("name", "string"), 4: ("uid", "string")},
    "Role": {1: ("metadata", "ObjectMeta"), 2: ("rules", "[PolicyRule]")},
    "ClusterRole": {1: ("metadata", "ObjectMeta"), 2: ("rules", "[PolicyRule]")},
    "PolicyRule": {
        1: ("verbs", "[string]"),
        2: ("apiGroups", "[string]"),
        3: ("resources", "[string]"),
        4: ("resourceNames", "[string]"),
        5: ("nonResourceURLs", "[string]"),
    },
    "RoleBinding": {1: ("metadata", "ObjectMeta"), 2: ("subjects", "[Subject]"), 3: ("roleRef", "RoleRef")},
    "ClusterRoleBinding": {1: ("metadata", "ObjectMeta"), 2: ("subjects", "[Subject]"), 3: ("roleRef", "RoleRef")},
    "Subject": {1: ("kind", "string"), 2: ("apiGroup", "string"), 3: ("name", "string"), 4: ("namespace", "string")},
    "RoleRef": {1: ("apiGroup", "string"), 2: ("kind", "string"), 3: ("name", "string")},
}
SUPPORTED_KINDS = frozenset(
    {
        "Namespace",
        "ConfigMap",
        "Secret",
        "ServiceAccount",
        "TokenRequest",
        "Role",
        "ClusterRole",
        "RoleBinding",
        "ClusterRoleBinding",
    }
)


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data):
            raise bad_request("truncated protobuf body")
        byte = data[pos]
        result |= (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            return result, pos
        shift += 7


def _fields(data: bytes):
    """(field number, wire value) pairs: ints for varints, bytes for length-delimited."""
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 2:
            length, pos = _varint(data, pos)
            if pos + length > len(data):
                raise bad_request("truncated protobuf body")
            value, pos = data[pos : pos + length], pos + length
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            value, pos = data[pos : pos + size], pos + size
        else:
            raise bad_request(f"unsupported protobuf wire type {wire}")
        yield number, value


def _scalar(kind: str, value: object) -> object:
    if kind == "string":
        return value.decode("utf-8")
    if kind == "bytes":
        return base64.b64encode(value).decode()
    if kind == "int":
        return value
    if kind == "bool":
        return bool(value)
    return decode_message(kind, value)


def decode_message(name: str, data: bytes) -> dict:
    """One message as JSON, leaving out empty values (the JSON encoder's omitempty)."""
    schema = _MESSAGES[name]
    result: dict = {}
    for number, value in _fields(data):
        if number not in schema:
            continue
        key, kind = schema[number]
        if kind.startswith("map:"):
            entry = dict(_fields(value))
            mapped = _scalar(kind[4:], entry.get(2, b""))
            result.setdefault(key, {})[entry.get(1, b"").decode()] = mapped
        elif kind.startswith("["):
            result.setdefault(key, []).append(_scalar(kind[1:-1], value))
        else:
            result[key] = _scalar(kind, value)
    return {
        k: v for k, v in result.items() if v not in ("", {}, [], 0, False, None) or (k == "immutable" and v is True)
    }


def decode(body: bytes) -> dict | None:
    """The object in a kubectl protobuf body, or None if its kind is not supported here."""
    if not body.startswith(MAGIC):
        raise bad_request("protobuf body without the k8s magic prefix")
    try:
        unknown = decode_message("Unknown", body[len(MAGIC) :])
        type_meta = unknown.get("typeMeta") or {}
        kind = type_meta.get("kind", "")
        if kind not in SUPPORTED_KINDS:
            return None
        obj = decode_message(kind, base64.b64decode(unknown.get("raw", "")))
    except (UnicodeDecodeError, ValueError, AttributeError, TypeError) as err:
        raise bad_request(f"the protobuf body could not be decoded: {err}") from None
    return {"apiVersion": type_meta.get("apiVersion", ""), "kind": kind, **obj}


__all__ = ["SUPPORTED_KINDS", "decode", "decode_message"]

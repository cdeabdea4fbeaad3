"""CRD structural schemas: pruning, unknown-field detection and basic value validation.

As kube-apiserver does for custom resources: fields the schema does not declare are pruned
(unless ``x-kubernetes-preserve-unknown-fields``) -- with ``fieldValidation=Strict`` they are a
400 ``strict decoding error`` instead, with ``Warn`` (the default) a warning. Types, ``enum``,
``required`` and ``nullable`` are checked (422 Invalid); formats, patterns, bounds and CEL rules
are not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
}
_JSON_NAMES = {
    dict: "object",
    list: "array",
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
    type(None): "null",
}


@dataclass
class SchemaReport:
    """What :func:`check` found; ``unknown`` paths were pruned from the object."""

    unknown: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    """(field path, message) pairs, worded as the real server words them."""


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def check(obj: dict, schema: dict | None) -> SchemaReport:
    """Validate a custom resource against its version's openAPIV3Schema, pruning in place."""
    report = SchemaReport()
    if not schema:
        return report
    root = dict(schema)
    properties = dict(root.get("properties") or {})
    for key in ("apiVersion", "kind", "metadata"):
        properties.setdefault(key, {"x-kubernetes-preserve-unknown-fields": True})
    root["properties"] = properties
    _walk(obj, root, "", report)
    return report


def _walk(value: object, schema: dict, path: str, report: SchemaReport) -> None:
    if value is None:
        if not schema.get("nullable") and schema.get("type"):
            report.errors.append(
                (path, f'Invalid value: "null": {path} in body must be of type {schema["type"]}: "null"')
            )
        return
    if schema.get("x-kubernetes-int-or-string"):
        if not isinstance(value, (int, str)) or isinstance(value, bool):
            report.errors.append((path, f"Invalid value: {value!r}: must be an integer or a string"))
        return
    kind = schema.get("type")
    if kind and kind in _TYPES and not _TYPES[kind](value):
        actual = _JSON_NAMES.get(type(value), "unknown")
        report.errors.append((path, f'Invalid value: "{actual}": {path} in body must be of type {kind}: "{actual}"'))
        return
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(f'"{v}"' for v in schema["enum"])
        report.errors.append((path, f'Unsupported value: "{value}": supported values: {allowed}'))
    if isinstance(value, dict):
        _walk_object(value, schema, path, report)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            _walk(item, schema["items"], f"{path}[{index}]", report)


def _walk_object(value: dict, schema: dict, path: str, report: SchemaReport) -> None:
    properties = schema.get("properties") or {}
    additional = schema.get("additionalProperties")
    preserve = schema.get("x-kubernetes-preserve-unknown-fields", False)
    if schema.get("x-kubernetes-embedded-resource"):
        properties = {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"x-kubernetes-preserve-unknown-fields": True},
            **properties,
        }
    for name in schema.get("required") or []:
        if name not in value:
            report.errors.append((_join(path, name), "Required value"))
    for key in list(value):
        child = _join(path, key)
        if key in properties:
            _walk(value[key], properties[key], child, report)
        elif isinstance(additional, dict):
            _walk(value[key], additional, child, report)
        elif additional is True or preserve:
            continue
        elif properties or additional is False or "type" in schema:
            report.unknown.append(child)
            del value[key]


__all__ = ["SchemaReport", "check"]

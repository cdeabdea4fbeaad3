"""The ``argo-workflow`` linter: checks an Argo Workflow file offline, before it is submitted.

Three layers, each reporting problems with the line they are on:

1. *structure and types*, against the Pydantic models that hera generates from Argo's own
   schema (``hera.workflows.models.Workflow``);
2. *unknown keys*: the models silently drop fields they do not know, so a typo such as
   ``dependancies`` would pass unnoticed (and Argo 3.x would ignore it too, running the collect
   step far too early). The input is walked alongside the model classes, by the fields' JSON
   names (hera's aliases: ``withItems``, not ``with_items``), and every key that is not a field
   is reported with the closest real field name;
3. *meaning* (:mod:`manifestlint.argo_rules`): the entrypoint and referenced templates exist,
   dependencies exist and form no cycle, ``{{item}}`` only inside loops, the apiVersion is
   ``argoproj.io/v1alpha1``, every container requests CPU and memory, no duplicated step names.
"""

from __future__ import annotations

import difflib
import types
import typing
from pathlib import Path
from typing import Any

import pydantic
from hera.workflows import models

from coursecore.safeyaml import read_text
from manifestlint.argo_rules import TextLine, semantic_problems
from manifestlint.report import LintReport, Problem
from manifestlint.yamlpos import Document, format_path, parse_with_lines

LINTER = "argo-workflow"
MAX_FILE_BYTES = 2 * 1024 * 1024
# Go's AnyString (parameter values) and resource.Quantity accept JSON numbers and booleans;
# the generated models type them as str. Convert those, and only those, before validating.
_ANY_STRING_FIELDS = {(models.Parameter, "value"), (models.Parameter, "default")}


def lint_file(path: str | Path, lab: Any = None) -> LintReport:
    """Lint the Workflow(s) in ``path`` (``lab`` is accepted for the linters' common call).

    Raises:
        UsageError: the file is missing, too large, binary, or not YAML.
    """
    text = read_text(Path(path), what="workflow file", max_bytes=MAX_FILE_BYTES)
    return lint_text(text, source=str(path))


def lint_text(text: str, *, source: str = "<text>") -> LintReport:
    """Lint YAML text holding one or more Workflow documents."""
    docs = parse_with_lines(text, source=source)
    problems: list[Problem] = []
    if not docs:
        problems.append(
            Problem(line=1, path="", rule="empty", message="the file holds no YAML document; write a Workflow")
        )
    for number, doc in enumerate(docs, start=1):
        problems += _lint_document(doc, number)
    problems.sort(key=lambda p: (p.document, p.line, p.path))
    return LintReport(source=source, linter=LINTER, documents=len(docs), problems=tuple(problems))


def _lint_document(doc: Document, number: int) -> list[Problem]:
    def problem(path: tuple, rule: str, message: str) -> Problem:
        text_line = 0
        if path and isinstance(path[-1], TextLine):
            path, text_line = path[:-1], int(path[-1])
        line = doc.line_of(path, text_line)
        return Problem(line=line, path=format_path(path), rule=rule, message=message, document=number)

    if not isinstance(doc.data, dict):
        kind = type(doc.data).__name__
        return [problem((), "not-a-mapping", f"document {number} is a {kind}, not a Workflow mapping")]
    found = [
        Problem(
            line=d.line,
            path=format_path(d.path),
            rule="duplicate-key",
            document=number,
            message=f"key '{d.path[-1]}' appears twice in one mapping (first on line {d.first_line}); YAML keeps only the last",
        )
        for d in doc.duplicates
    ]
    unknown: list[tuple[tuple, str]] = []
    data = _walk(doc.data, models.Workflow, (), unknown)
    found += [problem(path, "unknown-field", message) for path, message in unknown]
    found += [problem(path, "schema", message) for path, message in _schema_errors(data)]
    found += [problem(path, rule, message) for path, rule, message in semantic_problems(data)]
    return found


def _schema_errors(data: dict) -> list[tuple[tuple, str]]:
    try:
        models.Workflow.model_validate(data)
    except pydantic.ValidationError as err:
        out: dict[tuple, str] = {}
        for e in err.errors():
            path = _real_path(data, e["loc"], missing=e["type"] == "missing")
            if path in out:
                continue  # a union reports once per alternative; the first says enough
            if e["type"] == "missing":
                out[path] = f"{format_path(path)} is required"
            else:
                got = e.get("input")
                shown = (
                    repr(got)
                    if not isinstance(got, (dict, list))
                    else f"a {'mapping' if isinstance(got, dict) else 'list'}"
                )
                out[path] = (
                    f"{format_path(path)}: {e['msg'].lower().replace('input should be', 'should be')} (got {shown})"
                )
        return list(out.items())
    return []


def _real_path(data: Any, loc: tuple, *, missing: bool) -> tuple:
    """Drop the parts of a Pydantic error location that are union tags, not fields."""
    path: list = []
    node = data
    for position, part in enumerate(loc):
        if isinstance(node, dict) and part in node:
            node = node[part]
            path.append(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            path.append(part)
        elif missing and position == len(loc) - 1 and isinstance(node, dict):
            path.append(part)  # the missing required field itself: name it
    return tuple(path)


def _walk(value: Any, annotation: Any, path: tuple, unknown: list) -> Any:
    """Return ``value`` with number-as-string coercions applied; collect unknown keys."""
    annotation = _resolve(annotation, value)
    if annotation is None:
        return value
    origin = typing.get_origin(annotation)
    if origin is list:
        (item_type,) = typing.get_args(annotation) or (Any,)
        if isinstance(value, list):
            return [_walk(v, item_type, path + (i,), unknown) for i, v in enumerate(value)]
        return value
    if origin is dict:
        _, item_type = typing.get_args(annotation) or (str, Any)
        if isinstance(value, dict):
            return {k: _walk(v, item_type, path + (k,), unknown) for k, v in value.items()}
        return value
    if not isinstance(annotation, type) or not issubclass(annotation, pydantic.BaseModel):
        return value
    if issubclass(annotation, pydantic.RootModel):
        if annotation is models.Quantity and isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        return _walk(value, annotation.model_fields["root"].annotation, path, unknown)
    if not isinstance(value, dict):
        return value
    fields = {(f.alias or name): (name, f) for name, f in annotation.model_fields.items()}
    out = {}
    for key, item in value.items():
        if key not in fields:
            unknown.append((path + (key,), _unknown_message(key, fields, path)))
            out[key] = item
            continue
        name, info = fields[key]
        if (annotation, name) in _ANY_STRING_FIELDS and isinstance(item, (int, float, bool)):
            item = str(item).lower() if isinstance(item, bool) else str(item)
        out[key] = _walk(item, info.annotation, path + (key,), unknown)
    return out


def _resolve(annotation: Any, value: Any) -> Any:
    """Strip ``Optional``/``Annotated``; pick the best model of a union for ``value``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(options) == 1:
                annotation = options[0]
                continue
            model_options = [a for a in options if isinstance(a, type) and issubclass(a, pydantic.BaseModel)]
            if not model_options or not isinstance(value, dict):
                return None
            annotation = max(
                model_options, key=lambda m: len(set(value) & {f.alias or n for n, f in m.model_fields.items()})
            )
            continue
        if annotation is Any:
            return None
        return annotation


def _unknown_message(key: Any, fields: dict, path: tuple) -> str:
    where = format_path(path) or "the top level"
    close = difflib.get_close_matches(str(key), list(fields), n=1, cutoff=0.6)
    if close:
        return f"unknown field '{key}' in {where}; did you mean '{close[0]}'? (Argo would ignore it or reject the workflow)"
    return f"unknown field '{key}' in {where} (Argo would ignore it or reject the workflow); known fields: {', '.join(sorted(fields)[:12])}{' ...' if len(fields) > 12 else ''}"


__all__ = ["LINTER", "lint_file", "lint_text"]

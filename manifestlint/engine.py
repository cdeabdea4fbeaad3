"""The linter: every document of every file, checked by what it is, findings placed on lines.

For each object, in order: what it is (:mod:`manifestlint.classify`); its schema (Kubernetes',
Argo's, kustomize's, or for a custom resource the metadata every object shares); the rules of
meaning of its kind; the lab's rules when a lab is named and the object is in its scope. A value
the schema already rejects is not reported again by a rule (one finding per mistake). Nothing a
file holds can make the linter raise: unusable input (not YAML, a Helm template, too large)
becomes the file's ``error``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coursecore.errors import UsageError
from manifestlint import (
    argo_refs,
    argo_rules,
    argo_schema,
    kube_schema,
    kustomize,
    meta_rules,
    pod_rules,
    workload_rules,
)
from manifestlint.argo_walk import TextLine
from manifestlint.classify import Identity, identify, list_items
from manifestlint.fieldpath import FieldPath
from manifestlint.labrules import LabLint, for_lab
from manifestlint.report import FileReport, Problem
from manifestlint.rules import Finding, Rule, collect
from manifestlint.schema_findings import finding as schema_finding
from manifestlint.yamlpos import Document, parse_with_lines

MAX_FILE_BYTES = 2 * 1024 * 1024
# Go template actions as Helm writes them; Argo's variables never start with '.', '$' or a keyword.
_HELM = re.compile(r"\{\{-?\s*(\.[A-Za-z]|\$|(include|template|define|if|else|range|with|end|toYaml)\b)")
_ARGO_UNKNOWN = " (Argo {version} ignores unknown keys without a word)"


@dataclass(frozen=True, kw_only=True)
class _Context:
    lab: LabLint | None = None
    role: kustomize.Role | None = None
    filename: str = ""

    @property
    def patch(self) -> bool:
        return self.role is not None and self.role.part == "patch"


@functools.cache
def _rules() -> dict[str, tuple[Rule, ...]]:
    meta = tuple(collect(meta_rules))
    return {
        "kubernetes": meta + tuple(collect(pod_rules)) + tuple(collect(workload_rules)),
        "argo": meta + tuple(collect(argo_rules)) + tuple(collect(argo_refs)),
        "custom": meta,
        "kustomize": (),
    }


def lint_object(obj: Any, *, lab: Any = None) -> list[Finding]:
    """Every finding for one parsed object (a mapping, as ``yaml.safe_load`` returns it)."""
    if not isinstance(obj, dict):
        return [Finding((), f"a Kubernetes object is a mapping, not {_a(obj)}", "not-an-object")]
    context = _Context(lab=for_lab(lab) if lab is not None else None)
    return _object_findings(obj, identify(obj), context)


def _object_findings(obj: dict, who: Identity, ctx: _Context) -> list[Finding]:
    found = list(who.findings)
    if who.family in ("tool", "unknown"):
        return found
    if who.family == "kustomize":
        violations = kustomize.SCHEMAS.validate(kustomize.kustomization_schema(), obj)
        suffix = " (kustomize refuses unknown fields)"
    elif who.family == "kubernetes":
        violations = kube_schema.validate(obj, who.api_version or "", who.kind or "")
        suffix = ""
    elif who.family == "argo":
        violations = argo_schema.validate(obj, who.kind or "")
        suffix = _ARGO_UNKNOWN.format(version=argo_schema.ARGO_VERSION)
    else:
        violations = kube_schema.validate_metadata(obj)
        suffix = ""
    schema = [
        schema_finding(v, unknown_suffix=suffix)
        for v in violations
        if v.path[:1] not in (("apiVersion",), ("kind",))  # what the object is was judged above
        and not (v.kind == "required" and _filled_by_kustomize(v.path, ctx))
    ]
    in_scope = ctx.lab is not None and ctx.lab.in_scope(who.kind, who.group)
    rules = _rules()[who.family] + (ctx.lab.rules if in_scope and ctx.lab else ())
    ruled = []
    for r in rules:
        if r.across_file or not r.applies_to(who.kind, who.group) or (ctx.patch and not r.on_patches):
            continue
        ruled += [f for f in r.run(obj) if isinstance(f, Finding)]
    if ctx.role is not None and ctx.role.fills_selectors:
        ruled = [f for f in ruled if f.rule != "selector"]
    if in_scope and ctx.lab:
        ruled += _namespace(obj, ctx)
    # One finding per mistake: a rule that explains a value better than the schema replaces the
    # schema's finding at the same path; a rule about a value inside one the schema rejected is
    # a consequence, not a second mistake.
    exact = {f.path for f in ruled}
    schema = [s for s in schema if s.path not in exact]
    return found + schema + [f for f in ruled if not any(f.path.within(s.path) for s in schema)]


def _filled_by_kustomize(path: tuple, ctx: _Context) -> bool:
    if ctx.patch:
        return True  # a patch says only what it changes
    return ctx.role is not None and ctx.role.fills_selectors and tuple(path) == ("spec", "selector")


def _namespace(obj: dict, ctx: _Context) -> list[Finding]:
    meta = obj.get("metadata")
    ns = meta.get("namespace") if isinstance(meta, dict) else None
    lab = ctx.lab
    if lab is None or not lab.namespaces or not isinstance(ns, str) or obj.get("kind") == "Namespace":
        return []
    if ns in lab.namespaces or (ctx.role is not None and ctx.role.namespace is not None):
        return []
    message = (
        f"namespace {ns!r} is not one of this lab's ({', '.join(lab.namespaces)}); the checks will not find it there"
    )
    return [Finding(("metadata", "namespace"), message, "namespace")]


# ---------------------------------------------------------------------------------------------
# Files


def lint_text(text: str, *, source: str = "<text>", lab: Any = None, path: Path | None = None) -> FileReport:
    """Lint YAML text holding one or more documents; ``path`` (the file it came from) lets the
    linter see the kustomization beside it."""
    context = _Context(
        lab=for_lab(lab) if lab is not None and not isinstance(lab, LabLint) else lab,
        role=kustomize.role_of(path) if path is not None else None,
        filename=path.name if path is not None else (Path(source).name if not source.startswith("<") else ""),
    )
    return _lint_text(text, source, context)


def _lint_text(text: str, source: str, ctx: _Context) -> FileReport:
    helm = _HELM.search(text)
    if helm:
        line = text.count("\n", 0, helm.start()) + 1
        return FileReport(
            source=source,
            error=f"line {line} is a Helm template directive: render the chart first "
            "(helm template CHART | kubecourse lint -) and lint what it prints",
        )
    try:
        docs = parse_with_lines(text, source=source)
    except UsageError as err:
        return FileReport(source=source, error=_unquote_source(err.message, source) + _template_hint(text))
    if ctx.role is not None and ctx.role.part == "config":
        note = f"a kustomize transformer or generator configuration ({ctx.role.kustomization.name}): not linted"
        return FileReport(source=source, documents=len(docs), notes=(note,))
    problems: list[Problem] = []
    notes: list[str] = []
    objects: list[tuple[Document, FieldPath, dict, Identity]] = []
    for doc in docs:
        problems += [
            _problem(
                doc,
                d.path,
                "duplicate-key",
                f"key '{d.path[-1]}' appears twice in one mapping "
                f"(first on line {d.first_line}); YAML keeps only the last",
            )
            for d in doc.duplicates
        ]
        for prefix, item in _items_of(doc):
            if not isinstance(item, dict):
                if ctx.patch and isinstance(item, list) and not prefix:
                    notes.append(f"document {doc.number}: a JSON patch for kustomize (its operations are not linted)")
                else:
                    problems.append(_problem(doc, prefix, "not-an-object", _shape_message(doc, prefix, item)))
                continue
            who = identify(item, filename=ctx.filename)
            if who.note:
                notes.append(f"document {doc.number}: {who.note}; not a Kubernetes API object, not linted")
            objects.append((doc, prefix, item, who))
            problems += [
                _problem(doc, prefix + f.path, f.rule or "", f.message) for f in _object_findings(item, who, ctx)
            ]
    if not ctx.patch:
        problems += _file_rule_problems(objects)
    if not docs or all(d.empty for d in docs):
        problems.append(
            Problem(line=1, path="", rule="empty", message="the file holds no YAML document; write a Kubernetes object")
        )
    if ctx.patch:
        notes.append(f"a patch of {ctx.role.kustomization.name}: checked as the partial object it is")
    notes += _scope_notes(objects, ctx)
    problems = sorted(dict.fromkeys(problems), key=lambda p: (p.document, p.line, p.path, p.rule))
    return FileReport(
        source=source,
        documents=len(docs),
        problems=tuple(problems),
        notes=tuple(notes),
        apply_hint=_apply_hint(objects, ctx, source),
    )


def _items_of(doc: Document) -> Iterable[tuple[FieldPath, Any]]:
    if doc.data is None:
        if not doc.empty:
            yield FieldPath(), None
        return
    listed = list_items(doc.data) if isinstance(doc.data, dict) else None
    if listed is None:
        yield FieldPath(), doc.data
    else:
        yield from listed


def _shape_message(doc: Document, prefix: FieldPath, item: Any) -> str:
    if item is None and not prefix:
        return f"document {doc.number} is null (a lone '~' or 'null'); remove it or write an object"
    if prefix == ("items",):
        return f"items must be a list of Kubernetes objects, not {_a(item)}"
    where = f"{prefix}" if prefix else f"document {doc.number}"
    return f"{where} must be a Kubernetes object (a mapping), not {_a(item)}"


def _file_rule_problems(objects: list[tuple[Document, FieldPath, dict, Identity]]) -> list[Problem]:
    api = [(doc, prefix, obj) for doc, prefix, obj, who in objects if who.family == "kubernetes"]
    out = []
    for r in _rules()["kubernetes"]:
        if r.across_file:
            for index, f in r.run([obj for *_, obj in api]):  # type: ignore[misc]
                doc, prefix, _ = api[index]
                out.append(_problem(doc, prefix + f.path, f.rule or r.id, f.message))
    return out


def _scope_notes(objects: list[tuple[Document, FieldPath, dict, Identity]], ctx: _Context) -> list[str]:
    lab = ctx.lab
    if lab is None or not objects or any(lab.in_scope(who.kind, who.group) for *_, who in objects):
        return []
    return [
        f"outside the {lab.id} lab: the file holds no {lab.scope_words()}, the kinds the lab works with, "
        "so only the general rules were applied"
    ]


def _apply_hint(objects: list[tuple[Document, FieldPath, dict, Identity]], ctx: _Context, source: str) -> str | None:
    if ctx.role is not None and ctx.role.part != "resource" or not objects or not ctx.filename:
        return None  # a patch or config (kustomize applies it), nothing to apply, or not a file
    if any(who.family == "kustomize" for *_, who in objects):
        return f"kubectl apply -k {Path(source).parent}"
    if not all(who.family in ("kubernetes", "argo", "custom") for *_, who in objects):
        return None
    generated = any(
        isinstance(obj.get("metadata"), dict) and obj["metadata"].get("name") is None for *_, obj, _ in objects
    )
    # kubectl apply needs a name; an object with only generateName is made anew by each create.
    return f"kubectl {'create' if generated else 'apply'} -f {source}"


def _problem(doc: Document, path: tuple, rule: str, message: str) -> Problem:
    text_line = 0
    if path and isinstance(path[-1], TextLine):
        path, text_line = path[:-1], int(path[-1])
    return Problem(
        line=doc.line_of(path, text_line), path=str(FieldPath(path)), rule=rule, message=message, document=doc.number
    )


def _a(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    return f"a {type(value).__name__.replace('str', 'string').replace('dict', 'mapping')} ({value!r})"[:80]


def _unquote_source(message: str, source: str) -> str:
    return message[len(source) + 2 :] if message.startswith(source + ": ") else message


def _template_hint(text: str) -> str:
    if "{{" in text:
        return "; a value that starts with '{{' must be quoted (value: \"{{item}}\"), or YAML reads it as a mapping"
    return ""


__all__ = ["MAX_FILE_BYTES", "lint_object", "lint_text"]

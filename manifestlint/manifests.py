"""The ``manifests`` linter: checks Kubernetes manifests offline, before the learner applies them.

Three layers, each reporting problems with the line they are on:

1. *schema*: every built-in kind is validated against the JSON schemas that the maintained
   ``kubernetes-validate`` package ships, in their strict form (unknown fields are errors, as
   with ``kubectl apply --validate=strict``), for the Kubernetes version the sandbox runs;
   apiVersions that the API server does not serve for a kind are named with the ones it does;
2. *meaning* (:mod:`manifestlint.rules`): what the API server or the controllers would reject
   or silently get wrong but the schema allows (quantities, selectors that match nothing,
   a Job without ``restartPolicy``, label syntax, enum typos such as ``completionMode: Indexd``);
3. *the lab's own rules*: ``labs/<id>/lint.py`` may declare ``RULES``, a list of functions
   ``(doc: dict) -> list[Finding | (path, message)]`` run on each schema-valid document.

Custom resources (Argo Workflows, Kueue queues) have no schema here; their documents get the
generic metadata rules only.
"""

from __future__ import annotations

import difflib
import functools
import importlib.util
import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from coursecore._quickimport import import_jsonschema_quickly

import_jsonschema_quickly()  # before kubernetes_validate pulls jsonschema in

import jsonschema  # noqa: E402
import kubernetes_validate  # noqa: E402
from kubernetes_validate import utils as kv_utils  # noqa: E402
from referencing import Registry, Resource  # noqa: E402

from coursecore.errors import UsageError  # noqa: E402
from coursecore.safeyaml import read_text  # noqa: E402
from manifestlint.report import LintReport, Problem  # noqa: E402
from manifestlint.rules import Finding, as_finding, document_findings, file_findings  # noqa: E402
from manifestlint.yamlpos import Document, format_path, parse_with_lines  # noqa: E402

LINTER = "manifests"
MAX_FILE_BYTES = 2 * 1024 * 1024
KUBERNETES_VERSION = "1.35"
"""Kubernetes minor version of the sandbox's kind node image (``sandbox.kind.DEFAULT_NODE_IMAGE``,
which this package may not import; a test keeps the two equal); schemas are chosen to match it."""
_SCHEMA_ROOT = "kubernetes-json-schema"

Rule = Callable[[dict], list]


def lint_file(path: str | Path, lab: Any = None) -> LintReport:
    """Lint the manifests in ``path``; ``lab`` (a :class:`coursecore.labs.Lab`) adds its rules.

    Raises:
        UsageError: the file is missing, too large, binary or not YAML, or the lab's
            ``lint.py`` cannot be loaded.
    """
    text = read_text(Path(path), what="manifest file", max_bytes=MAX_FILE_BYTES)
    return lint_text(text, source=str(path), lab=lab)


def lint_text(text: str, *, source: str = "<text>", lab: Any = None) -> LintReport:
    """Lint YAML text holding one or more Kubernetes objects (or ``kind: List`` documents)."""
    docs = parse_with_lines(text, source=source)
    lab_rules = load_lab_rules(lab.path) if lab is not None else []
    namespaces = tuple(lab.cluster.namespaces) if lab is not None else ()
    problems: list[Problem] = []
    if not docs:
        problems.append(
            Problem(line=1, path="", rule="empty", message="the file holds no YAML document; write a Kubernetes object")
        )
    objects: list[tuple[int, Document, tuple, dict]] = []
    for number, doc in enumerate(docs, start=1):
        problems += [
            Problem(
                line=d.line,
                path=format_path(d.path),
                rule="duplicate-key",
                document=number,
                message=f"key '{d.path[-1]}' appears twice in one mapping (first on line {d.first_line}); YAML keeps only the last",
            )
            for d in doc.duplicates
        ]
        for prefix, obj, shape_problem in _objects(doc.data):
            if shape_problem:
                problems.append(_problem(doc, number, Finding(prefix, shape_problem, "not-an-object")))
                continue
            objects.append((number, doc, prefix, obj))
    for number, doc, prefix, obj in objects:
        schema_findings = schema_problems(obj)
        findings = schema_findings + document_findings(obj, namespaces=namespaces)
        if not schema_findings:
            findings += _run_lab_rules(lab_rules, obj)
        problems += [_problem(doc, number, f, prefix) for f in findings]
    for index, finding in file_findings([obj for *_, obj in objects]):
        number, doc, prefix, _ = objects[index]
        problems.append(_problem(doc, number, finding, prefix))
    problems = list(dict.fromkeys(problems))
    problems.sort(key=lambda p: (p.document, p.line, p.path, p.rule))
    return LintReport(source=source, linter=LINTER, documents=len(docs), problems=tuple(problems))


def _objects(data: Any):
    """Yield ``(path prefix, object, shape problem)``; a ``kind: List`` yields its items."""
    if not isinstance(data, dict):
        yield (), None, f"a document must be a mapping (a Kubernetes object), not a {type(data).__name__}"
        return
    if data.get("kind") == "List" and isinstance(data.get("items"), list):
        for i, item in enumerate(data["items"]):
            if isinstance(item, dict):
                yield ("items", i), item, None
            else:
                yield ("items", i), None, f"items[{i}] must be a Kubernetes object, not a {type(item).__name__}"
        return
    yield (), data, None


def _problem(doc: Document, number: int, finding: Finding, prefix: tuple = ()) -> Problem:
    path = tuple(prefix) + tuple(finding.path)
    return Problem(
        line=doc.line_of(path), path=format_path(path), rule=finding.rule, message=finding.message, document=number
    )


# ---------------------------------------------------------------------------------------------
# Schema layer


def schema_problems(obj: dict, version: str = KUBERNETES_VERSION) -> list[Finding]:
    """Findings of the strict schema of ``obj``'s kind (empty for custom resources)."""
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    missing = [f for f, v in (("apiVersion", api_version), ("kind", kind)) if not isinstance(v, str) or not v]
    if missing:
        return [
            Finding(
                (f,),
                f"{f} is required (a string such as {'apps/v1' if f == 'apiVersion' else 'Deployment'})",
                "required",
            )
            for f in missing
        ]
    validator = _validator(api_version, kind, version)
    if validator is None:
        group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
        if group and not _is_builtin_group(group, version):
            return []  # a custom resource (or a tool's file, such as a Kustomization): no schema
        return [_unknown_kind(api_version, kind, version)]
    return _dedupe([f for e in validator.iter_errors(obj) for f in _findings(e)])


def _unknown_kind(api_version: str, kind: str, version: str) -> Finding:
    served = _served_versions(version)
    if kind in served:
        options = ", ".join(sorted(served[kind]))
        return Finding(
            ("apiVersion",),
            f"Kubernetes {version} does not serve {kind} as {api_version}; use apiVersion {options}",
            "api-version",
        )
    close = difflib.get_close_matches(kind, list(served), n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return Finding(("kind",), f"Kubernetes {version} has no kind '{kind}' in {api_version}{hint}", "unknown-kind")


def _is_builtin_group(group: str, version: str) -> bool:
    """Whether the API server itself serves ``group`` (``apps``, ``rbac.authorization.k8s.io``),
    judged by the schema files' names (``role-rbac-v1.json``): cheap, no file is opened."""
    if "." not in group:
        return True  # custom resources must use a dotted group, so these are Kubernetes' own
    return group.endswith(".k8s.io") and group.split(".", 1)[0] in _group_prefixes(version)


@functools.lru_cache(maxsize=4)
def _group_prefixes(version: str) -> frozenset[str]:
    folder = resources.files("kubernetes_validate").joinpath(_SCHEMA_ROOT, _schema_dir(version))
    parts = (entry.name[: -len(".json")].split("-") for entry in folder.iterdir() if entry.name.endswith(".json"))
    return frozenset(p[1] for p in parts if len(p) == 3)


@functools.lru_cache(maxsize=4)
def _served_versions(version: str) -> dict[str, set[str]]:
    """Kind -> apiVersions, read from the schema files' own ``apiVersion``/``kind`` enums."""
    folder = resources.files("kubernetes_validate").joinpath(_SCHEMA_ROOT, _schema_dir(version))
    served: dict[str, set[str]] = {}
    for entry in folder.iterdir():
        if entry.name.startswith("_") or not entry.name.endswith(".json"):
            continue
        schema = kv_utils.schema_contents(f"{_SCHEMA_ROOT}/{_schema_dir(version)}/{entry.name}", version)
        props = schema.get("properties", {})
        kinds = props.get("kind", {}).get("enum") or []
        for kind in kinds:
            if not kind.endswith("List"):
                served.setdefault(kind, set()).update(props.get("apiVersion", {}).get("enum") or [])
    return served


def _schema_dir(version: str) -> str:
    # kubernetes-validate's own rule: the newest schema not newer than the requested version.
    chosen = [v for v in kv_utils.all_versions() if kv_utils.major_minor(v) <= version][-1]
    return f"v{chosen}-local-strict"


@functools.lru_cache(maxsize=64)
def _validator(api_version: str, kind: str, version: str) -> jsonschema.protocols.Validator | None:
    """The strict validator of one kind, built the way ``kubernetes_validate.validate`` builds it
    (kept and reused, because that function re-reads 1.5 MB of definitions on every call and
    stops at the first error)."""
    folder = f"{_SCHEMA_ROOT}/{_schema_dir(version)}"
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    try:
        schema = kv_utils.schema_contents(f"{folder}/{kind.lower()}-{group_version}.json", version)
    except (FileNotFoundError, kubernetes_validate.InvalidSchemaError):
        return None
    if api_version not in (schema.get("properties", {}).get("apiVersion", {}).get("enum") or [api_version]):
        return None  # e.g. apps.example.com/v1 maps to the same file name as apps/v1
    definitions = kv_utils.schema_contents(f"{folder}/_definitions.json", version)
    registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.validators.Draft202012Validator(schema, registry=registry)


def _findings(error: jsonschema.ValidationError) -> list[Finding]:
    path = tuple(error.absolute_path)
    where = format_path(path) or "the object"
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = list(error.schema.get("properties", {}))
        out = []
        for key in error.instance:
            if key in known:
                continue
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            hint = (
                f"; did you mean '{close[0]}'?"
                if close
                else f" (known fields: {', '.join(sorted(known)[:10])}{' ...' if len(known) > 10 else ''})"
            )
            out.append(Finding(path + (key,), f"unknown field '{key}' in {where}{hint}", "unknown-field"))
        return out
    if error.validator == "required" and isinstance(error.instance, dict):
        return [
            Finding(path, f"{format_path(path + (name,))} is required", "required")
            for name in error.validator_value
            if name not in error.instance
        ]
    if error.validator == "type":
        wanted = [t for t in _as_list(error.validator_value) if t != "null"]
        return [
            Finding(
                path,
                f"{where} must be {_type_words(wanted)}, not {_describe(error.instance)}{_quote_hint(wanted, error.instance)}",
                "type",
            )
        ]
    if error.validator in ("oneOf", "anyOf"):
        wanted = sorted(
            {
                t
                for c in error.context or ()
                if c.validator == "type"
                for t in _as_list(c.validator_value)
                if t != "null"
            }
        )
        if wanted:
            return [Finding(path, f"{where} must be {_type_words(wanted)}, not {_describe(error.instance)}", "type")]
    if error.validator == "enum":
        options = ", ".join(repr(v) for v in error.validator_value)
        return [Finding(path, f"{where} is {error.instance!r}; expected one of {options}", "enum")]
    return [Finding(path, f"{where}: {error.message}", "schema")]


def _as_list(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _type_words(types: list[str]) -> str:
    words = {
        "integer": "a whole number",
        "number": "a number",
        "string": "a string",
        "boolean": "true or false",
        "object": "a mapping",
        "array": "a list",
    }
    return " or ".join(words.get(t, t) for t in types) or "something else"


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _quote_hint(wanted: list[str], value: Any) -> str:
    if wanted == ["string"] and isinstance(value, (int, float, bool)):
        shown = str(value).lower() if isinstance(value, bool) else str(value)
        return f' (put it in quotes: "{shown}")'
    return ""


def _dedupe(findings: list[Finding]) -> list[Finding]:
    return list(dict.fromkeys(findings))


# ---------------------------------------------------------------------------------------------
# The lab's own rules


def load_lab_rules(lab_folder: Path) -> list[Rule]:
    """The ``RULES`` list of ``lab_folder/lint.py`` (empty when the lab has no such file).

    Raises:
        UsageError: ``lint.py`` fails to import or ``RULES`` is not a list of functions.
    """
    path = Path(lab_folder) / "lint.py"
    if not path.is_file():
        return []
    spec = importlib.util.spec_from_file_location(
        f"_kubecourse_lab_lint_{Path(lab_folder).name.replace('-', '_')}", path
    )
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as err:  # an author's bug; name the file instead of a traceback
        raise UsageError(f"{path}: the lab's lint rules cannot be loaded: {type(err).__name__}: {err}") from err
    rules = getattr(module, "RULES", None)
    if not isinstance(rules, (list, tuple)) or not all(callable(r) for r in rules):
        raise UsageError(f"{path}: RULES must be a list of functions (doc -> list of problems)")
    return list(rules)


def _run_lab_rules(rules: list[Rule], obj: dict) -> list[Finding]:
    out: list[Finding] = []
    for rule in rules:
        name = getattr(rule, "__name__", "lab-rule").replace("_", "-")
        try:
            found = rule(obj) or []
        except Exception as err:  # a rule that cannot handle an odd manifest must not hide the others
            out.append(
                Finding(
                    (),
                    f"the lab's lint rule {name} failed on this document: {type(err).__name__}: {err}",
                    "lab-rule-error",
                )
            )
            continue
        out += [as_finding(item, default_rule=name) for item in found]
    return out


__all__ = ["KUBERNETES_VERSION", "LINTER", "lint_file", "lint_text", "load_lab_rules", "schema_problems"]

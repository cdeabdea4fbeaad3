"""Derive the linter's Argo Workflows schema from the JSON schema that Argo publishes.

Argo releases carry ``api/jsonschema/schema.json`` (generated from their Go types). The linter
needs it in a stricter and smaller form, written to ``manifestlint/data/argo-workflows-<tag>.json``:

- only the definitions that Workflow, WorkflowTemplate, ClusterWorkflowTemplate, CronWorkflow and
  WorkflowEventBinding reach, without descriptions;
- strict, like ``kubectl apply --validate=strict``: objects with declared properties refuse other
  keys (``additionalProperties: false``). Argo 3.x drops unknown keys without a word, which is
  exactly the mistake the linter exists to catch;
- corrected where the generated schema says less than the Go decoder accepts:
  ``IntOrString`` is an integer or a string (``retryStrategy.limit: 3``), a ``Quantity`` is a
  string or a number (``cpu: 1``), and Argo's ``AnyString`` fields (``Parameter.value``,
  ``default``, ``description`` and ``enum`` items, ``ValueFrom.default``) take strings, numbers and
  booleans (pkg/apis/workflow/v1alpha1/anystring.go).

Usage (the upstream file from the release tag the sandbox installs)::

    git show v3.7.3:api/jsonschema/schema.json > /tmp/schema.json   # in an argo-workflows clone
    python scripts/argo_schema.py /tmp/schema.json --tag v3.7.3 --commit <sha of the tag>
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PREFIX = "io.argoproj.workflow.v1alpha1."
ROOTS = ("Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow", "WorkflowEventBinding")
REF = "#/definitions/"
ANY_STRING = {"type": ["string", "number", "boolean"]}
# (definition, property) -> schema: what the Go decoder accepts where the generator wrote less.
PATCHES: dict[tuple[str, str | None], dict[str, Any]] = {
    ("io.k8s.apimachinery.pkg.util.intstr.IntOrString", None): {"type": ["integer", "string"]},
    ("io.k8s.apimachinery.pkg.api.resource.Quantity", None): {"type": ["string", "number"]},
    (PREFIX + "Parameter", "value"): ANY_STRING,
    (PREFIX + "Parameter", "default"): ANY_STRING,
    (PREFIX + "Parameter", "description"): ANY_STRING,
    (PREFIX + "Parameter", "enum"): {"type": "array", "items": ANY_STRING},
    (PREFIX + "ValueFrom", "default"): ANY_STRING,
}
_DROP = {"description", "title"}


def derive(upstream: dict[str, Any], *, tag: str, commit: str) -> dict[str, Any]:
    definitions = upstream["definitions"]
    wanted = _reachable(definitions, [PREFIX + r for r in ROOTS])
    out = {name: _strict(_strip(definitions[name])) for name in sorted(wanted)}
    for (name, prop), schema in PATCHES.items():
        if name not in out or (prop is not None and prop not in out[name].get("properties", {})):
            raise SystemExit(f"the upstream schema has no {name}{'.' + prop if prop else ''} to correct")
        if prop is None:
            out[name] = dict(schema)
        else:
            out[name]["properties"][prop] = dict(schema)
    return {
        "x-kubecourse-source": {
            "project": "https://github.com/argoproj/argo-workflows",
            "tag": tag,
            "commit": commit,
            "path": "api/jsonschema/schema.json",
            "license": "Apache-2.0",
            "derived-by": "scripts/argo_schema.py",
        },
        "roots": {r: REF + PREFIX + r for r in ROOTS},
        "definitions": out,
    }


def _reachable(definitions: dict[str, Any], roots: list[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += [ref[len(REF) :] for ref in _refs(definitions[name])]
    return seen


def _refs(schema: Any):
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _refs(value)


def _strip(schema: Any) -> Any:
    if isinstance(schema, dict):
        out = {k: _strip(v) for k, v in schema.items() if k not in _DROP and k != "properties"}
        if isinstance(schema.get("properties"), dict):  # property names are data, not keywords
            out["properties"] = {name: _strip(sub) for name, sub in schema["properties"].items()}
        return out
    if isinstance(schema, list):
        return [_strip(v) for v in schema]
    return schema


def _strict(schema: Any) -> Any:
    if isinstance(schema, dict):
        out = {k: _strict(v) for k, v in schema.items() if k != "properties"}
        if isinstance(schema.get("properties"), dict):
            out["properties"] = {name: _strict(sub) for name, sub in schema["properties"].items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("upstream", type=Path, help="api/jsonschema/schema.json of the release")
    parser.add_argument("--tag", required=True, help="the release tag, e.g. v3.7.3")
    parser.add_argument("--commit", required=True, help="the commit the tag points at")
    args = parser.parse_args()
    derived = derive(json.loads(args.upstream.read_text()), tag=args.tag, commit=args.commit)
    target = REPO / "manifestlint" / "data" / f"argo-workflows-{args.tag}.json"
    target.write_text(json.dumps(derived, indent=None, separators=(",", ":"), sort_keys=True) + "\n")
    print(f"{target.relative_to(REPO)}: {len(derived['definitions'])} definitions", file=sys.stderr)


if __name__ == "__main__":
    main()

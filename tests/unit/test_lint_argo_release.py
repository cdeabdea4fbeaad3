"""The linter's Argo schema is the installed Argo's: one version for the add-on, the schema and the
book, and fields that exist only in that release are accepted (and fields of later releases are not)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from coursecore.versions import ARGO_VERSION
from manifestlint import argo_schema, kube_schema, lint_text
from manifestlint._schema import unsupported_keywords

REPO = Path(__file__).resolve().parents[2]

WORKFLOW = """\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: locks-}
spec:
  entrypoint: main
  synchronization:
    mutex: {name: one-at-a-time}          # v3.7 only (v4.0 keeps mutexes, the list)
  templates:
    - name: main
      synchronization:
        semaphore:                        # v3.7 only (v4.0 keeps semaphores)
          configMapKeyRef: {name: limits, key: workflow}
      memoize:
        key: "{{workflow.name}}"
        maxAge: 1h
        cache:
          configMap: {name: cache, key: entries}   # key: v3.7 only (v4.0: a LocalObjectReference)
      container:
        image: busybox:1.36
        command: [echo, hi]
"""


def _lint(text: str):
    return lint_text(textwrap.dedent(text), source="wf.yaml")


def test_fields_of_the_installed_release_are_valid():
    report = _lint(WORKFLOW)
    assert report.ok, report.lines()


def test_fields_of_a_later_release_are_unknown():
    text = WORKFLOW.replace(
        "        command: [echo, hi]\n",
        "        command: [echo, hi]\n"
        "      outputs:\n        artifacts:\n          - {name: a, path: /a, plugin: {name: p}}\n",
    )
    (problem,) = _lint(text).problems
    assert (problem.rule, problem.path) == ("unknown-field", "spec.templates[0].outputs.artifacts[0].plugin")
    assert f"Argo {ARGO_VERSION} ignores unknown keys" in problem.message


def test_one_version_for_the_add_on_the_schema_and_the_book():
    from sandbox.addons.registry import REGISTRY

    assert REGISTRY["argo-workflows"].version == ARGO_VERSION
    assert argo_schema.schema_version() == ARGO_VERSION
    source = json.loads((REPO / "manifestlint" / "data" / f"argo-workflows-{ARGO_VERSION}.json").read_text())
    assert source["x-kubecourse-source"]["tag"] == ARGO_VERSION
    assert source["x-kubecourse-source"]["license"] == "Apache-2.0"
    chapter = (REPO / "book" / "08-salmon-case-study.md").read_text(encoding="utf-8")
    assert f"Argo {ARGO_VERSION}" in chapter, "the book must name the Argo release the linter checks against"


def test_the_schemas_use_no_keyword_the_validator_would_skip():
    assert unsupported_keywords({"definitions": argo_schema._data()["definitions"]}) == set()
    path = kube_schema._schema_folder() / "_definitions.json"
    assert unsupported_keywords(json.loads(path.read_text())) == set()


def test_go_decoder_types_where_the_published_schema_says_less():
    # retryStrategy.limit is an IntOrString, a Quantity may be a number, Argo's AnyString
    # parameter values take numbers and booleans (pkg/apis/workflow/v1alpha1/anystring.go).
    text = WORKFLOW.replace(
        "      container:\n",
        "      retryStrategy: {limit: 3}\n"
        "      inputs: {parameters: [{name: count, value: 8}, {name: b, default: true}]}\n"
        "      container:\n        resources: {requests: {cpu: 1, memory: 67108864}}\n",
    )
    report = _lint(text)
    assert report.ok, report.lines()
    (problem,) = _lint(text.replace("value: 8", "value: {a: 1}")).problems
    assert problem.rule == "type" and "a string or a number or true or false" in problem.message

"""The linter's schema validator agrees with the ``jsonschema`` library on the linter's schemas.

:mod:`manifestlint._schema` implements the part of JSON Schema that OpenAPI-generated schemas use;
here its verdict (valid or not) is compared with jsonschema's Draft 2020-12 validator on the
samples of ``lint_samples`` and thousands of mutations of them.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lint_samples import documents, mutated

from coursecore._quickimport import import_jsonschema_quickly
from manifestlint import argo_schema, kube_schema
from manifestlint._schema import SchemaSet

import_jsonschema_quickly()
import jsonschema  # noqa: E402

KUBE = ["deployment", "job"]
ARGO = ["dag", "steps"]


def _kube_validator(obj: dict) -> tuple[SchemaSet, dict, jsonschema.protocols.Validator] | None:
    name = kube_schema.definition(str(obj.get("apiVersion")), str(obj.get("kind")))
    if name is None:
        return None
    defs = kube_schema.schemas()._definitions
    return (
        kube_schema.schemas(),
        defs[name],
        jsonschema.Draft202012Validator({"$defs": defs, "$ref": f"#/$defs/{name}"}),
    )


def _argo_validator(kind: str):
    defs = argo_schema._data()["definitions"]
    root = argo_schema._data()["roots"][kind]
    return argo_schema.schemas(), {"$ref": root}, jsonschema.Draft202012Validator({"definitions": defs, "$ref": root})


def _no_nulls(value) -> bool:
    if value is None:
        return False
    if isinstance(value, dict):
        return all(_no_nulls(v) for v in value.values())
    if isinstance(value, list):
        return all(_no_nulls(v) for v in value)
    return True


def _json_like(value) -> bool:
    """Keys are strings and numbers finite, as in anything kubectl could send."""
    if isinstance(value, dict):
        return all(isinstance(k, str) for k in value) and all(_json_like(v) for v in value.values())
    if isinstance(value, list):
        return all(_json_like(v) for v in value)
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    return not hasattr(value, "isoformat")


def _agree(doc) -> None:
    if not isinstance(doc, dict) or not _json_like(doc):
        return
    kind = doc.get("kind")
    if kind in argo_schema.KINDS and _no_nulls(doc):  # Argo's schema leaves null out; Go reads it as unset
        found = _argo_validator(kind)
    else:
        found = _kube_validator(doc)
    if found is None:
        return
    ours, schema, theirs = found
    assert (ours.validate(schema, doc) == []) == theirs.is_valid(doc), doc


@pytest.mark.parametrize("name", KUBE + ARGO)
def test_samples_are_valid_both_ways(name):
    for doc in documents(name):
        _agree(doc)


@pytest.mark.parametrize("name", KUBE + ARGO)
@settings(max_examples=150, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_verdicts_agree_on_mutations(name, data):
    for doc in data.draw(mutated(name)):
        _agree(doc)

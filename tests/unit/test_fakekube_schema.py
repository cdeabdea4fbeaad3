"""CRD schema handling of the fake API server: pruning, unknown fields, types, enums."""

from __future__ import annotations

from fakekube.schema import check

SCHEMA = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "required": ["entrypoint"],
            "properties": {
                "entrypoint": {"type": "string"},
                "parallelism": {"type": "integer"},
                "mode": {"type": "string", "enum": ["fast", "exact"]},
                "port": {"x-kubernetes-int-or-string": True},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "templates": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "name": {"type": "string"},
                            "container": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                            "manifest": {
                                "type": "object",
                                "x-kubernetes-embedded-resource": True,
                                "properties": {"data": {"type": "object", "additionalProperties": {"type": "string"}}},
                            },
                        },
                    },
                },
            },
        },
        "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
    },
}


def _workflow(**spec) -> dict:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"name": "w", "labels": {"a": "b"}},
        "spec": {"entrypoint": "main", **spec},
    }


def test_a_valid_object_passes_untouched():
    obj = _workflow(
        parallelism=2,
        mode="fast",
        port="http",
        labels={"x": "y"},
        templates=[{"name": "main", "container": {"image": "alpine", "any": 1}}],
    )
    before = repr(obj)
    report = check(obj, SCHEMA)
    assert report.unknown == [] and report.errors == []
    assert repr(obj) == before


def test_unknown_fields_are_reported_and_pruned():
    obj = _workflow(templates=[{"name": "main", "dependancies": ["x"]}], extra={"deep": 1})
    obj["status"] = {"phase": "Running", "nodes": {"n": {}}}
    obj["toplevel"] = 1
    report = check(obj, SCHEMA)
    assert sorted(report.unknown) == ["spec.extra", "spec.templates[0].dependancies", "toplevel"]
    assert obj["spec"]["templates"] == [{"name": "main"}] and "toplevel" not in obj
    assert obj["status"]["phase"] == "Running"  # preserve-unknown keeps everything below


def test_embedded_resources_keep_their_type_and_metadata():
    manifest = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "v"}, "stray": True}
    obj = _workflow(templates=[{"name": "t", "manifest": manifest}])
    report = check(obj, SCHEMA)
    assert report.unknown == ["spec.templates[0].manifest.stray"]
    assert set(obj["spec"]["templates"][0]["manifest"]) == {"apiVersion", "kind", "metadata", "data"}


def test_types_enums_and_required_fields():
    obj = _workflow(parallelism="two", mode="slow", port=1.5, labels={"x": 3})
    del obj["spec"]["entrypoint"]
    errors = dict(check(obj, SCHEMA).errors)
    assert errors["spec.entrypoint"] == "Required value"
    assert errors["spec.parallelism"] == (
        'Invalid value: "string": spec.parallelism in body must be of type integer: "string"'
    )
    assert errors["spec.mode"] == 'Unsupported value: "slow": supported values: "fast", "exact"'
    assert "spec.port" in errors and "spec.labels.x" in errors


def test_no_schema_means_no_checks():
    obj = _workflow(anything="goes")
    assert check(obj, None).unknown == [] and obj["spec"]["anything"] == "goes"


def test_an_object_without_properties_prunes_everything_below():
    obj = _workflow(templates=[{"name": "t", "manifest": {"apiVersion": "v1", "kind": "X", "data": {"k": "v"}}}])
    schema = {
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "properties": {"entrypoint": {"type": "string"}, "templates": {"type": "object"}},
            }
        },
    }
    report = check(obj, schema)
    assert report.errors and report.errors[0][0] == "spec.templates"  # an array, not an object
    obj = _workflow(extra={"k": "v"})
    schema["properties"]["spec"]["properties"]["extra"] = {"type": "object"}
    assert check(obj, schema).unknown == ["spec.extra.k"] and obj["spec"]["extra"] == {}

"""Patch semantics of the fake API server: merge, JSON, strategic merge and server-side apply."""

from __future__ import annotations

import copy

import pytest
from fakekube.errors import ApiError
from fakekube.patching import json_patch, merge_patch, strategic_merge
from fakekube.serverside import decode_fields, encode_fields, field_set, server_side_apply

POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "p", "labels": {"app": "a", "tier": "t"}, "finalizers": ["x", "y"]},
    "spec": {
        "containers": [
            {
                "name": "c1",
                "image": "one",
                "args": ["--a", "--b"],
                "ports": [{"containerPort": 80, "name": "http"}],
                "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
            },
            {"name": "c2", "image": "two"},
        ],
        "volumes": [{"name": "v1", "emptyDir": {}}],
    },
}


# --- JSON merge patch (RFC 7386) --------------------------------------------------------------


@pytest.mark.parametrize(
    "target, patch, expected",
    [
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
        ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
        ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
        ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
        ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
        ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
        ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    ],
)
def test_merge_patch_follows_rfc_7386(target, patch, expected):
    assert merge_patch(target, patch) == expected


def test_merge_patch_replaces_lists_and_leaves_the_original_alone():
    original = copy.deepcopy(POD)
    patched = merge_patch(original, {"spec": {"containers": [{"name": "c3", "image": "x"}]}})
    assert patched["spec"]["containers"] == [{"name": "c3", "image": "x"}]
    assert original == POD


# --- JSON patch (RFC 6902) --------------------------------------------------------------------


def test_json_patch_operations():
    doc = {"a": {"b": [1, 2, 3]}, "x/y": 1, "m~n": 2}
    result = json_patch(
        doc,
        [
            {"op": "add", "path": "/a/b/1", "value": 9},
            {"op": "add", "path": "/a/b/-", "value": 10},
            {"op": "remove", "path": "/a/b/0"},
            {"op": "replace", "path": "/x~1y", "value": 5},
            {"op": "copy", "from": "/m~0n", "path": "/copied"},
            {"op": "move", "from": "/copied", "path": "/moved"},
            {"op": "test", "path": "/moved", "value": 2},
        ],
    )
    assert result == {"a": {"b": [9, 2, 3, 10]}, "x/y": 5, "m~n": 2, "moved": 2}
    assert doc == {"a": {"b": [1, 2, 3]}, "x/y": 1, "m~n": 2}


@pytest.mark.parametrize(
    "operations",
    [
        [{"op": "test", "path": "/a", "value": 2}],
        [{"op": "remove", "path": "/missing"}],
        [{"op": "replace", "path": "/missing", "value": 1}],
        [{"op": "add", "path": "/list/7", "value": 1}],
        [{"op": "add", "path": "/nowhere/deep", "value": 1}],
    ],
)
def test_json_patch_failures_are_422(operations):
    with pytest.raises(ApiError) as failure:
        json_patch({"a": 1, "list": []}, operations)
    assert failure.value.code == 422


@pytest.mark.parametrize("operations", [{"op": "add"}, [{"op": "jump", "path": "/a"}], [{"path": "/a"}]])
def test_malformed_json_patch_is_400(operations):
    with pytest.raises(ApiError) as failure:
        json_patch({"a": 1}, operations)
    assert failure.value.code == 400


# --- strategic merge patch --------------------------------------------------------------------


def test_strategic_merge_merges_containers_by_name_and_env_by_name():
    patched = strategic_merge(
        POD, {"spec": {"containers": [{"name": "c1", "image": "new", "env": [{"name": "B", "value": "3"}]}]}}
    )
    c1, c2 = patched["spec"]["containers"]
    assert c1["image"] == "new" and c2 == {"name": "c2", "image": "two"}
    assert c1["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "3"}]
    assert c1["args"] == ["--a", "--b"]


def test_strategic_merge_replaces_lists_without_a_merge_key():
    patched = strategic_merge(POD, {"spec": {"containers": [{"name": "c1", "args": ["--c"]}]}})
    assert patched["spec"]["containers"][0]["args"] == ["--c"]


def test_strategic_merge_null_deletes_and_new_items_append():
    patched = strategic_merge(
        POD,
        {"metadata": {"labels": {"tier": None}}, "spec": {"volumes": [{"name": "v2", "secret": {"secretName": "s"}}]}},
    )
    assert patched["metadata"]["labels"] == {"app": "a"}
    assert [v["name"] for v in patched["spec"]["volumes"]] == ["v1", "v2"]


def test_strategic_merge_delete_directive_in_a_list():
    patched = strategic_merge(POD, {"spec": {"containers": [{"name": "c2", "$patch": "delete"}]}})
    assert [c["name"] for c in patched["spec"]["containers"]] == ["c1"]


def test_strategic_merge_replace_directives():
    replaced_list = strategic_merge(
        POD, {"spec": {"containers": [{"name": "only", "image": "i"}, {"$patch": "replace"}]}}
    )
    assert replaced_list["spec"]["containers"] == [{"name": "only", "image": "i"}]
    replaced_map = strategic_merge(POD, {"metadata": {"labels": {"$patch": "replace", "n": "1"}}})
    assert replaced_map["metadata"]["labels"] == {"n": "1"}
    deleted_map = strategic_merge(POD, {"metadata": {"labels": {"$patch": "delete"}}})
    assert "labels" not in deleted_map["metadata"]


def test_strategic_merge_set_element_order_as_kubectl_apply_sends_it():
    patch = {
        "spec": {
            "$setElementOrder/containers": [{"name": "c2"}, {"name": "c1"}],
            "containers": [{"name": "c2", "image": "two-b"}],
        }
    }
    patched = strategic_merge(POD, patch)
    assert [c["name"] for c in patched["spec"]["containers"]] == ["c2", "c1"]
    assert patched["spec"]["containers"][0]["image"] == "two-b"
    assert "$setElementOrder/containers" not in patched["spec"]


def test_strategic_merge_retain_keys():
    deployment = {"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}}
    patched = strategic_merge(deployment, {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}})
    assert patched["spec"]["strategy"] == {"type": "Recreate"}


def test_strategic_merge_primitive_set_lists():
    patched = strategic_merge(POD, {"metadata": {"finalizers": ["y", "z"]}})
    assert patched["metadata"]["finalizers"] == ["x", "y", "z"]
    removed = strategic_merge(POD, {"metadata": {"$deleteFromPrimitiveList/finalizers": ["x"]}})
    assert removed["metadata"]["finalizers"] == ["y"]


def test_strategic_merge_ports_key_depends_on_where_they_are():
    service = {"spec": {"ports": [{"port": 80, "name": "http"}, {"port": 443, "name": "https"}]}}
    patched = strategic_merge(service, {"spec": {"ports": [{"port": 443, "targetPort": 8443}]}})
    assert patched["spec"]["ports"][1] == {"port": 443, "name": "https", "targetPort": 8443}
    pod = strategic_merge(POD, {"spec": {"containers": [{"name": "c1", "ports": [{"containerPort": 81}]}]}})
    assert [p["containerPort"] for p in pod["spec"]["containers"][0]["ports"]] == [80, 81]


def test_strategic_merge_leaves_the_original_alone():
    before = copy.deepcopy(POD)
    strategic_merge(POD, {"spec": {"containers": [{"name": "c1", "$patch": "delete"}]}})
    assert POD == before


# --- server-side apply ------------------------------------------------------------------------


def test_field_set_round_trips_through_fields_v1():
    paths = field_set(POD)
    encoded = encode_fields(paths)
    assert encoded["f:spec"]["f:containers"]['k:{"name":"c1"}']["."] == {}
    assert "f:name" not in encoded["f:metadata"]  # the server owns the name
    assert 'v:"x"' in encoded["f:metadata"]["f:finalizers"]
    assert decode_fields(encoded) == paths


def test_apply_removes_fields_the_manager_dropped_and_keeps_others():
    applied = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c", "labels": {"a": "1", "b": "2"}},
        "data": {"x": "1", "y": "2"},
    }
    live = server_side_apply(None, applied, manager="alice", api_version="v1")
    live["data"]["written-by-update"] = "kept"
    live = server_side_apply(
        live,
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"z": "bob"}},
        manager="bob",
        api_version="v1",
    )
    second = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c", "labels": {"a": "1"}},
        "data": {"x": "changed"},
    }
    result = server_side_apply(live, second, manager="alice", api_version="v1")
    assert result["data"] == {"x": "changed", "written-by-update": "kept", "z": "bob"}
    assert result["metadata"]["labels"] == {"a": "1"}
    managers = {e["manager"]: e for e in result["metadata"]["managedFields"]}
    assert set(managers) == {"alice", "bob"}
    assert managers["alice"]["operation"] == "Apply"
    assert managers["alice"]["fieldsV1"]["f:data"] == {"f:x": {}}


def test_apply_merges_keyed_lists_and_drops_items_no_longer_applied():
    first = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "a", "image": "1"}, {"name": "b", "image": "2"}]},
    }
    live = server_side_apply(None, first, manager="m", api_version="v1")
    live["spec"]["containers"][0]["imagePullPolicy"] = "Always"  # a default the server set
    second = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "a", "image": "3"}]},
    }
    result = server_side_apply(live, second, manager="m", api_version="v1")
    assert result["spec"]["containers"] == [{"name": "a", "image": "3", "imagePullPolicy": "Always"}]

"""REST semantics of the fake API server, through its Python API (no HTTP, no kubectl)."""

from __future__ import annotations

import copy

import pytest
from fakekube import ApiError, FakeKubeServer
from fakekube.manifests import workflow, workflow_crd
from fakekube.selection import object_matcher
from fakekube.watch import visible


@pytest.fixture
def server():
    return FakeKubeServer()  # never started: the store and semantics work without HTTP


def _configmap(name: str = "c", **data) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"}, "data": data}


def test_create_stamps_server_fields_and_rejects_duplicates(server):
    created = server.create(_configmap(a="1"))
    meta = created["metadata"]
    assert meta["uid"] and meta["creationTimestamp"] and meta["generation"] == 1
    assert int(meta["resourceVersion"]) > 0
    with pytest.raises(ApiError) as duplicate:
        server.create(_configmap(a="2"))
    assert (duplicate.value.code, duplicate.value.reason) == (409, "AlreadyExists")


def test_missing_namespace_and_bad_names(server):
    orphan = _configmap()
    orphan["metadata"]["namespace"] = "nowhere"
    with pytest.raises(ApiError) as missing:
        server.create(orphan)
    assert missing.value.code == 404 and missing.value.message == 'namespaces "nowhere" not found'
    with pytest.raises(ApiError) as bad:
        server.create(_configmap("Not_A_Name"))
    assert bad.value.code == 422 and bad.value.reason == "Invalid"


def test_stale_update_is_a_conflict_and_no_op_keeps_the_version(server):
    first = server.create(_configmap(a="1"))
    unchanged = server.update(copy.deepcopy(first))
    assert unchanged["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]
    newer = copy.deepcopy(first)
    newer["data"] = {"a": "2"}
    server.update(newer)
    first["data"] = {"a": "3"}
    with pytest.raises(ApiError) as stale:
        server.update(first)
    assert stale.value.code == 409 and "has been modified" in stale.value.message


def test_status_subresource_rules(server):
    pod = server.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p", "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": "i"}]},
        }
    )
    changed = copy.deepcopy(pod)
    changed["status"] = {"phase": "Running"}
    changed["metadata"].pop("resourceVersion")
    assert server.update(changed).get("status") == pod.get("status")  # main writes keep status
    patched = server.patch_status("v1", "Pod", "p", {"phase": "Succeeded"})
    assert patched["status"]["phase"] == "Succeeded" and patched["metadata"]["generation"] == 1


def test_generation_counts_spec_changes_only(server):
    server.create(workflow_crd())
    created = server.create(workflow("w"))
    with_status = server.patch_status("argoproj.io/v1alpha1", "Workflow", "w", {"phase": "Running"})
    assert with_status["metadata"]["generation"] == 2  # no status subresource: status counts
    labelled = copy.deepcopy(with_status)
    labelled["metadata"]["labels"] = {"x": "y"}
    assert server.update(labelled)["metadata"]["generation"] == 2
    assert created["metadata"]["generation"] == 1


def test_finalizers_delay_deletion(server):
    held = _configmap()
    held["metadata"]["finalizers"] = ["example.com/hold"]
    server.create(held)
    server.delete("v1", "ConfigMap", "c")
    marked = server.get("v1", "ConfigMap", "c")
    assert marked["metadata"]["deletionTimestamp"]
    marked["metadata"]["finalizers"] = []
    server.update(marked)
    assert server.get("v1", "ConfigMap", "c") is None


def test_namespace_deletion_takes_its_content_and_custom_resources(server):
    server.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "lab"}})
    server.create(workflow_crd())
    server.create(workflow("w", namespace="lab"))
    server.create(dict(_configmap(), metadata={"name": "c", "namespace": "lab"}))
    server.delete("v1", "Namespace", "lab")
    assert server.objects("v1", "ConfigMap", "lab") == []
    assert server.objects("argoproj.io/v1alpha1", "Workflow", "lab") == []
    server.delete("apiextensions.k8s.io/v1", "CustomResourceDefinition", "workflows.argoproj.io")
    with pytest.raises(ApiError):
        server.objects("argoproj.io/v1alpha1", "Workflow")


def test_watch_sees_selector_transitions(server):
    rt = server.resource_type("v1", "ConfigMap")
    start = server.store.rv
    server.create(dict(_configmap("x"), metadata={"name": "x", "namespace": "default", "labels": {"app": "a"}}))
    obj = server.get("v1", "ConfigMap", "x")
    obj["metadata"]["labels"] = {"app": "b"}
    server.update(obj)
    server.delete("v1", "ConfigMap", "x")
    matches = object_matcher(rt, "app=a", None)
    seen = [visible(e, rt, "default", matches) for e in server.store.events_after(start)]
    assert [s[0] for s in seen if s] == ["ADDED", "DELETED"]  # left the selection, then gone
    matches_b = object_matcher(rt, "app=b", None)
    seen_b = [visible(e, rt, None, matches_b) for e in server.store.events_after(start)]
    assert [s[0] for s in seen_b if s] == ["ADDED", "DELETED"]  # entered, then deleted

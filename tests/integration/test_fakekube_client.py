"""The fake API server against the real ``kubernetes`` Python client."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from fakekube.manifests import workflow, workflow_crd
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

WF = ("argoproj.io", "v1alpha1", "workflows")


@pytest.fixture
def api(fake_kube):
    api_client = fake_kube.client()
    yield api_client
    api_client.close()


def _namespace(core: client.CoreV1Api, name: str) -> None:
    core.create_namespace({"metadata": {"name": name}})


def test_core_v1_crud_and_conflicts(fake_kube, api):
    core = client.CoreV1Api(api)
    _namespace(core, "lab")
    created = core.create_namespaced_config_map(
        "lab", {"metadata": {"name": "cfg", "labels": {"app": "salmon"}}, "data": {"k": "v"}}
    )
    assert created.metadata.uid and created.metadata.creation_timestamp
    assert created.metadata.generation == 1

    with pytest.raises(ApiException) as exists:
        core.create_namespaced_config_map("lab", {"metadata": {"name": "cfg"}})
    assert exists.value.status == 409 and "AlreadyExists" in exists.value.body

    read = core.read_namespaced_config_map("cfg", "lab")
    read.data["k"] = "w"
    replaced = core.replace_namespaced_config_map("cfg", "lab", read)
    assert int(replaced.metadata.resource_version) > int(created.metadata.resource_version)

    read.data["k"] = "stale"  # still carries the old resourceVersion
    with pytest.raises(ApiException) as stale:
        core.replace_namespaced_config_map("cfg", "lab", read)
    assert stale.value.status == 409 and '"reason": "Conflict"' in stale.value.body

    patched = core.patch_namespaced_config_map("cfg", "lab", {"data": {"extra": "1"}})
    assert patched.data == {"k": "w", "extra": "1"}

    core.delete_namespaced_config_map("cfg", "lab")
    with pytest.raises(ApiException) as gone:
        core.read_namespaced_config_map("cfg", "lab")
    assert gone.value.status == 404

    with pytest.raises(ApiException) as missing_ns:
        core.create_namespaced_config_map("nowhere", {"metadata": {"name": "cfg"}})
    assert missing_ns.value.status == 404 and 'namespaces \\"nowhere\\" not found' in missing_ns.value.body


def test_secrets_pods_services_and_generate_name(api):
    core = client.CoreV1Api(api)
    secret = core.create_namespaced_secret(
        "default", {"metadata": {"name": "creds"}, "stringData": {"password": "hunter2"}}
    )
    assert secret.data == {"password": "aHVudGVyMg=="} and secret.type == "Opaque"
    pod = core.create_namespaced_pod(
        "default",
        {"metadata": {"generateName": "solver-"}, "spec": {"containers": [{"name": "c", "image": "python:3.11"}]}},
    )
    assert pod.metadata.name.startswith("solver-") and pod.status.phase == "Pending"
    service = core.create_namespaced_service(
        "default", {"metadata": {"name": "web"}, "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}
    )
    assert service.spec.cluster_ip and service.spec.type == "ClusterIP"
    assert service.spec.ports[0].protocol == "TCP"


def test_apps_batch_rbac_and_scale(api):
    apps, batch = client.AppsV1Api(api), client.BatchV1Api(api)
    rbac = client.RbacAuthorizationV1Api(api)
    template = {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    deployment = apps.create_namespaced_deployment(
        "default",
        {"metadata": {"name": "web"}, "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": template}},
    )
    assert deployment.spec.replicas == 1
    scale = apps.patch_namespaced_deployment_scale("web", "default", {"spec": {"replicas": 3}})
    assert scale.spec.replicas == 3 and scale.status.selector == "app=web"
    assert apps.read_namespaced_deployment("web", "default").metadata.generation == 2

    job = batch.create_namespaced_job(
        "default",
        {
            "metadata": {"name": "seeds"},
            "spec": {
                "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "alpine"}]}}
            },
        },
    )
    assert job.spec.backoff_limit == 6
    job.status = {"succeeded": 1}
    batch.replace_namespaced_job_status("seeds", "default", job)
    assert batch.read_namespaced_job("seeds", "default").status.succeeded == 1

    rbac.create_namespaced_role(
        "default",
        {
            "metadata": {"name": "reader"},
            "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}],
        },
    )
    rbac.create_namespaced_role_binding(
        "default",
        {
            "metadata": {"name": "reader"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
            "subjects": [{"kind": "ServiceAccount", "name": "default", "namespace": "default"}],
        },
    )
    rbac.create_cluster_role({"metadata": {"name": "system:salmon-reader"}, "rules": []})
    names = [r.metadata.name for r in rbac.list_cluster_role().items]
    assert {"system:salmon-reader", "cluster-admin", "admin", "edit", "view"} <= set(names)
    assert rbac.read_namespaced_role_binding("reader", "default").role_ref.name == "reader"


def test_list_with_label_and_field_selectors(api):
    core = client.CoreV1Api(api)
    for name, labels in [
        ("a", {"app": "salmon", "tier": "web"}),
        ("b", {"app": "salmon", "tier": "db"}),
        ("c", {"app": "argo"}),
        ("d", {}),
    ]:
        core.create_namespaced_config_map("default", {"metadata": {"name": name, "labels": labels}})

    def names(**selectors) -> list[str]:
        listing = core.list_namespaced_config_map("default", **selectors)
        return [item.metadata.name for item in listing.items]

    assert names(label_selector="app=salmon") == ["a", "b"]
    assert names(label_selector="app!=salmon") == ["c", "d"]
    assert names(label_selector="tier in (web, db)") == ["a", "b"]
    assert names(label_selector="tier notin (web)") == ["b", "c", "d"]
    assert names(label_selector="tier") == ["a", "b"]
    assert names(label_selector="!tier") == ["c", "d"]
    assert names(label_selector="app=salmon,tier=db") == ["b"]
    assert names(field_selector="metadata.name=c") == ["c"]
    assert names(field_selector="metadata.name!=c,metadata.namespace=default") == ["a", "b", "d"]
    first = core.list_namespaced_config_map("default", limit=3)
    assert len(first.items) == 3 and first.metadata._continue
    rest = core.list_namespaced_config_map("default", limit=3, _continue=first.metadata._continue)
    assert [i.metadata.name for i in rest.items] == ["d"]
    everywhere = core.list_config_map_for_all_namespaces()
    assert everywhere.kind == "ConfigMapList" and everywhere.metadata.resource_version
    with pytest.raises(ApiException) as bad:
        core.list_namespaced_config_map("default", field_selector="data.k=v")
    assert bad.value.status == 400


def test_watch_stream_replays_from_a_resource_version(api):
    core = client.CoreV1Api(api)
    start = core.list_namespaced_config_map("default").metadata.resource_version
    core.create_namespaced_config_map("default", {"metadata": {"name": "early"}})

    def later() -> None:
        time.sleep(0.3)
        core.patch_namespaced_config_map("early", "default", {"data": {"k": "v"}})
        core.create_namespaced_config_map("default", {"metadata": {"name": "ignored", "labels": {"skip": "1"}}})
        core.delete_namespaced_config_map("early", "default")

    threading.Thread(target=later, daemon=True).start()
    seen = []
    stream = watch.Watch()
    for event in stream.stream(
        core.list_namespaced_config_map, "default", resource_version=start, label_selector="!skip", timeout_seconds=10
    ):
        seen.append((event["type"], event["object"].metadata.name))
        if event["type"] == "DELETED":
            stream.stop()
    assert seen == [("ADDED", "early"), ("MODIFIED", "early"), ("DELETED", "early")]


def test_token_request_and_expired_credentials(fake_kube, api):
    core = client.CoreV1Api(api)
    core.create_namespaced_service_account("default", {"metadata": {"name": "robot"}})
    before = datetime.now(UTC)
    answer = core.create_namespaced_service_account_token("robot", "default", {"spec": {"expirationSeconds": 1200}})
    assert answer.status.token.count(".") == 2
    lifetime = answer.status.expiration_timestamp - before
    assert timedelta(seconds=1190) < lifetime <= timedelta(seconds=1201)
    with pytest.raises(ApiException) as too_short:
        core.create_namespaced_service_account_token("robot", "default", {"spec": {"expirationSeconds": 60}})
    assert too_short.value.status == 422

    # The issued token is itself a credential: it gets what RBAC grants the service account.
    robot = fake_kube.server.write_kubeconfig(fake_kube.kubeconfig.with_name("robot"), token=answer.status.token)
    robot_client = config.new_client_from_config(config_file=str(robot))
    with pytest.raises(ApiException) as not_yet:
        client.CoreV1Api(robot_client).read_namespace("default")
    assert not_yet.value.status == 403
    rbac = client.RbacAuthorizationV1Api(api)
    rbac.create_cluster_role(
        {
            "metadata": {"name": "ns-reader"},
            "rules": [{"apiGroups": [""], "resources": ["namespaces"], "verbs": ["get"]}],
        }
    )
    rbac.create_cluster_role_binding(
        {
            "metadata": {"name": "robot-ns-reader"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "ns-reader"},
            "subjects": [{"kind": "ServiceAccount", "name": "robot", "namespace": "default"}],
        }
    )
    assert client.CoreV1Api(robot_client).read_namespace("default").metadata.name == "default"

    fake_kube.server.expire_tokens()
    for api_client in (api, robot_client):
        with pytest.raises(ApiException) as denied:
            client.CoreV1Api(api_client).list_namespace()
        assert denied.value.status == 401 and denied.value.reason == "Unauthorized"


def test_wrong_token_is_401(fake_kube):
    other = fake_kube.server.write_kubeconfig(fake_kube.kubeconfig.with_name("wrong"), token="not-a-valid-token")
    with pytest.raises(ApiException) as denied:
        client.CoreV1Api(config.new_client_from_config(config_file=str(other))).list_namespace()
    assert denied.value.status == 401


@pytest.mark.parametrize("status_subresource", [False, True])
def test_custom_objects_crud_and_status(fake_kube, api, status_subresource):
    extensions = client.ApiextensionsV1Api(api)
    extensions.create_custom_resource_definition(workflow_crd(status_subresource=status_subresource))
    crd = extensions.read_custom_resource_definition("workflows.argoproj.io")
    assert {c.type: c.status for c in crd.status.conditions}["Established"] == "True"

    custom = client.CustomObjectsApi(api)
    body = workflow(generate_name="salmon-")
    created = custom.create_namespaced_custom_object(*WF[:2], "default", WF[2], body)
    name = created["metadata"]["name"]
    with_status = dict(created, status={"phase": "Running"})
    custom.replace_namespaced_custom_object(*WF[:2], "default", WF[2], name, with_status)
    stored = custom.get_namespaced_custom_object(*WF[:2], "default", WF[2], name)
    assert ("status" in stored) is not status_subresource
    if status_subresource:
        custom.patch_namespaced_custom_object_status(
            *WF[:2], "default", WF[2], name, {"status": {"phase": "Succeeded"}}
        )
        stored = custom.get_namespaced_custom_object(*WF[:2], "default", WF[2], name)
        assert stored["status"]["phase"] == "Succeeded" and stored["metadata"]["generation"] == 1
    listing = custom.list_namespaced_custom_object(*WF[:2], "default", WF[2])
    assert listing["kind"] == "WorkflowList" and len(listing["items"]) == 1
    custom.delete_namespaced_custom_object(*WF[:2], "default", WF[2], name)
    assert custom.list_namespaced_custom_object(*WF[:2], "default", WF[2])["items"] == []

    # Deleting the CRD stops serving its resources.
    extensions.delete_custom_resource_definition("workflows.argoproj.io")
    with pytest.raises(ApiException) as unserved:
        custom.list_namespaced_custom_object(*WF[:2], "default", WF[2])
    assert unserved.value.status == 404


def test_request_log_records_what_the_client_did(fake_kube, api):
    fake_kube.server.clear_requests()
    client.CoreV1Api(api).list_namespaced_pod("default", label_selector="app=x")
    (request,) = fake_kube.server.requests
    assert (request.method, request.path) == ("GET", "/api/v1/namespaces/default/pods")
    assert request.query["labelSelector"] == "app=x" and request.status == 200


def test_custom_objects_unknown_fields_warn_or_fail(fake_kube, api):
    crd = workflow_crd()
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"] = {
        "type": "object",
        "properties": {"spec": {"type": "object", "properties": {"entrypoint": {"type": "string"}}}},
    }
    client.ApiextensionsV1Api(api).create_custom_resource_definition(crd)
    custom = client.CustomObjectsApi(api)
    body = workflow("w")
    with pytest.raises(ApiException) as strict:
        custom.create_namespaced_custom_object(*WF[:2], "default", WF[2], body, field_validation="Strict")
    assert strict.value.status == 400 and 'unknown field \\"spec.templates\\"' in strict.value.body
    created = custom.create_namespaced_custom_object(*WF[:2], "default", WF[2], body)
    assert created["spec"] == {"entrypoint": "main"}  # Warn (the default) prunes


def test_dynamic_client_with_legacy_discovery(fake_kube, api):
    from kubernetes import dynamic

    fake_kube.server.create(workflow_crd())
    fake_kube.server.create(workflow("w1"))
    resources = dynamic.DynamicClient(api).resources
    workflows = resources.get(api_version="argoproj.io/v1alpha1", kind="Workflow")
    assert [w.metadata.name for w in workflows.get(namespace="default").items] == ["w1"]
    nodes = resources.get(api_version="v1", kind="Node")
    assert nodes.namespaced is False
    assert any(r.path == "/apis/argoproj.io/v1alpha1" for r in fake_kube.server.requests)


def test_bindings_to_the_default_edit_and_view_cluster_roles(fake_kube, api):
    core, rbac = client.CoreV1Api(api), client.RbacAuthorizationV1Api(api)
    _namespace(core, "lab")
    tokens = {}
    for name, role in [("editor", "edit"), ("viewer", "view")]:
        core.create_namespaced_service_account("lab", {"metadata": {"name": name}})
        rbac.create_namespaced_role_binding(
            "lab",
            {
                "metadata": {"name": name},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
                "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": "lab"}],
            },
        )
        token = core.create_namespaced_service_account_token(name, "lab", {"spec": {}})
        path = fake_kube.server.write_kubeconfig(fake_kube.kubeconfig.with_name(name), token=token.status.token)
        tokens[name] = client.CoreV1Api(config.new_client_from_config(config_file=str(path)))
    secret = {"metadata": {"name": "s"}, "stringData": {"k": "v"}}
    tokens["editor"].create_namespaced_secret("lab", secret)
    tokens["editor"].create_namespaced_config_map("lab", {"metadata": {"name": "c"}})
    assert tokens["viewer"].read_namespaced_config_map("c", "lab").metadata.name == "c"
    for denied in (
        lambda: tokens["viewer"].read_namespaced_secret("s", "lab"),
        lambda: tokens["viewer"].delete_namespaced_config_map("c", "lab"),
        lambda: tokens["editor"].list_namespaced_config_map("default"),
    ):
        with pytest.raises(ApiException) as refused:
            denied()
        assert refused.value.status == 403
    # An add-on's ClusterRole labelled aggregate-to-view extends view, as Argo's install does.
    rbac.create_cluster_role(
        {
            "metadata": {
                "name": "argo-aggregate-to-view",
                "labels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"},
            },
            "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}],
        }
    )
    assert tokens["viewer"].read_namespaced_secret("s", "lab").metadata.name == "s"

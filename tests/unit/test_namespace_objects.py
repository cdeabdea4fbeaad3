"""The namespace backend's manifests and settings, as pure data."""

from __future__ import annotations

import pytest

from coursecore.errors import UsageError
from sandbox.errors import InvalidName
from sandbox.namespace import objects
from sandbox.namespace.settings import NamespaceSettings, load_settings

KINDS = [
    "Namespace",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "ClusterRole",
    "ClusterRoleBinding",
    "Role",
    "RoleBinding",
    "ResourceQuota",
    "LimitRange",
    "NetworkPolicy",
]


def by_kind_name(objs):
    return {(o["kind"], o["metadata"]["name"]): o for o in objs}


def test_objects_in_apply_order_all_labelled_and_in_the_learner_namespace():
    objs = objects.learner_objects("alice")
    assert [o["kind"] for o in objs] == KINDS
    for obj in objs:
        labels = obj["metadata"]["labels"]
        assert labels["app.kubernetes.io/managed-by"] == "kubecourse"
        assert labels["kubecourse.io/learner"] == "alice"
        assert labels["kubecourse.io/course"] == "kubecourse"
        if obj["kind"] not in ("Namespace", "ClusterRole", "ClusterRoleBinding"):
            assert obj["metadata"]["namespace"] == "kc-alice"
    assert objs[0]["metadata"]["name"] == "kc-alice" and "namespace" not in objs[0]["metadata"]


def test_pod_security_enforced_on_the_namespace():
    ns = objects.learner_objects("bob", NamespaceSettings(pod_security="restricted"))[0]
    labels = ns["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    assert labels["pod-security.kubernetes.io/enforce-version"] == "latest"
    assert objects.learner_objects("bob")[0]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "baseline"


def test_learner_role_is_namespaced_and_cannot_touch_its_own_fence():
    objs = by_kind_name(objects.learner_objects("alice"))
    role = objs[("Role", "kubecourse-learner")]
    writable = {
        (g, r)
        for rule in role["rules"]
        for g in rule["apiGroups"]
        for r in rule["resources"]
        if set(rule["verbs"]) & {"create", "update", "patch", "delete"}
    }
    for forbidden in [
        ("", "namespaces"),
        ("", "resourcequotas"),
        ("", "limitranges"),
        ("networking.k8s.io", "networkpolicies"),
        ("rbac.authorization.k8s.io", "roles"),
        ("rbac.authorization.k8s.io", "rolebindings"),
        ("", "nodes"),
    ]:
        assert forbidden not in writable
    for needed in [
        ("", "pods"),
        ("batch", "jobs"),
        ("apps", "deployments"),
        ("argoproj.io", "workflows"),
        ("", "persistentvolumeclaims"),
        ("", "configmaps"),
        ("", "services"),
    ]:
        assert needed in writable
    assert all("*" not in rule["verbs"] and "*" not in rule["resources"] for rule in role["rules"])
    binding = objs[("RoleBinding", "kubecourse-learner")]
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "kubecourse-learner"}
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "learner", "namespace": "kc-alice"}]
    assert objs[("ServiceAccount", "learner")]["automountServiceAccountToken"] is False


def test_quota_closes_node_exposure_and_takes_sizes_from_settings():
    settings = NamespaceSettings(quota_cpu="4", quota_memory="8Gi", quota_memory_limits="12Gi", quota_pods=50)
    quota = by_kind_name(objects.learner_objects("alice", settings))[("ResourceQuota", "kubecourse-quota")]
    hard = quota["spec"]["hard"]
    assert hard["services.nodeports"] == "0" and hard["services.loadbalancers"] == "0"
    assert hard["requests.cpu"] == "4" and hard["limits.memory"] == "12Gi" and hard["pods"] == "50"
    assert hard["limits.cpu"] == NamespaceSettings().quota_cpu_limits
    limits = by_kind_name(objects.learner_objects("alice"))[("LimitRange", "kubecourse-limits")]["spec"]["limits"][0]
    assert limits["defaultRequest"] == {"cpu": "100m", "memory": "128Mi"}


def test_network_policy_admits_only_the_same_namespace():
    policy = by_kind_name(objects.learner_objects("alice"))[("NetworkPolicy", "kubecourse-same-namespace-only")]
    assert policy["spec"] == {
        "podSelector": {},
        "policyTypes": ["Ingress"],
        "ingress": [{"from": [{"podSelector": {}}]}],
    }


def test_selectors():
    s = NamespaceSettings(course="ws-2026")
    assert objects.course_selector(s) == "app.kubernetes.io/managed-by=kubecourse,kubecourse.io/course=ws-2026"
    assert objects.learner_selector("al", s).endswith(",kubecourse.io/learner=al")


def test_invalid_learner_names_refused():
    with pytest.raises(InvalidName):
        objects.namespace_of("Alice")


def test_settings_file(tmp_path):
    path = tmp_path / "ns.yaml"
    path.write_text("quota_cpu: 4\nquota_memory: 8Gi\ntoken_ttl: 2h\ncourse: spring\n")
    s = load_settings(path)
    assert (s.quota_cpu, s.quota_memory, s.token_ttl, s.course) == ("4", "8Gi", 7200, "spring")
    assert load_settings(path, course="other").course == "other"


@pytest.mark.parametrize(
    "text, words",
    [
        ("quota_cpus: 4\n", "unknown namespace setting quota_cpus"),
        ("quota_memory: lots\n", "not a Kubernetes quantity"),
        ("pod_security: privileged\n", "escape"),
        ("token_ttl: 1m\n", "from 10m to 7d"),
        ("token_ttl: none\n", "must expire"),
        ("quota_pods: -1\n", "whole number"),
        ("- a\n", "expected one YAML mapping"),
    ],
)
def test_bad_settings_named(tmp_path, text, words):
    path = tmp_path / "ns.yaml"
    path.write_text(text)
    with pytest.raises(UsageError, match=words):
        load_settings(path)


def test_the_only_cluster_wide_rights_are_reading_the_own_namespace_and_the_nodes():
    objs = by_kind_name(objects.learner_objects("alice"))
    role = objs[("ClusterRole", "kubecourse:kc-alice")]
    assert role["rules"] == [
        {"apiGroups": [""], "resources": ["namespaces"], "resourceNames": ["kc-alice"], "verbs": ["get"]},
        {"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list", "watch"]},
    ]
    binding = objs[("ClusterRoleBinding", "kubecourse:kc-alice")]
    assert binding["roleRef"]["name"] == "kubecourse:kc-alice"
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "learner", "namespace": "kc-alice"}]


@pytest.mark.parametrize(
    ("configmap", "problem"),
    [
        (None, "was not found"),
        ({"data": {}}, "sets no executor resources"),
        ({"data": {"executor": "imagePullPolicy: IfNotPresent\n"}}, "has no resources"),
        (
            {"data": {"executor": "resources: {requests: {cpu: 10m}}"}},
            "leave out requests.memory, limits.cpu, limits.memory",
        ),
        ({"data": {"executor": "[unclosed"}}, "has no resources"),
        (
            {
                "data": {
                    "executor": "resources:\n  requests: {cpu: 10m, memory: 64Mi}\n"
                    "  limits: {cpu: 100m, memory: 128Mi}\n"
                }
            },
            None,
        ),
    ],
)
def test_argo_executor_resources_are_checked(configmap, problem):
    from sandbox.namespace import executor

    found = executor.executor_problem(configmap, "argo/workflow-controller-configmap")
    assert (found is None) if problem is None else (problem in found)


def test_the_fix_command_sets_what_the_check_asks_for():
    import json
    import shlex

    from sandbox.namespace import executor

    words = shlex.split(executor.fix_command("argo/workflow-controller-configmap"))
    assert words[:5] == ["kubectl", "-n", "argo", "patch", "configmap"]
    patched = {"data": json.loads(words[-1])["data"]}
    assert executor.executor_problem(patched, "argo/workflow-controller-configmap") is None

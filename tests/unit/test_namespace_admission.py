"""The CEL of the shared-cluster admission policies, evaluated against admission requests.

Each case is an admission/v1 ``AdmissionRequest`` with the fields kube-apiserver fills in
(k8s.io/api/admission/v1/types.go: kind, resource, requestKind, name, namespace, operation,
userInfo, object, oldObject, dryRun), for the identities that meet on a shared cluster: a learner's
token (``system:serviceaccount:kc-NAME:learner``), a Pod in the learner's namespace running as
``default``, Argo's workflow controller (``system:serviceaccount:argo:argo``) and the
instructor (``kubernetes-admin`` in ``system:masters``). The policies' own expressions are
evaluated by a CEL library (cel-python) the way validator.go does: match conditions, then each
validation. Allowed and denied cases for every rule.
"""

from __future__ import annotations

import copy

import pytest
from fakekube.admission import Evaluator, evaluate_policy

from sandbox.namespace import admission

EVALUATOR = Evaluator()


def _user(username: str, *groups: str) -> dict:
    return {"username": username, "uid": f"uid-{username}", "groups": [*groups, "system:authenticated"]}


def _sa(namespace: str, name: str) -> dict:
    return _user(
        f"system:serviceaccount:{namespace}:{name}", "system:serviceaccounts", f"system:serviceaccounts:{namespace}"
    )


LEARNER = _sa("kc-alice", "learner")
LEARNER_POD = _sa("kc-alice", "default")
CONTROLLER = _sa("argo", "argo")
INSTRUCTOR = _user("kubernetes-admin", "kubeadm:cluster-admins", "system:masters")
OTHER_TEAM = _sa("research", "pipeline")  # a namespace kubecourse did not make


def _request(operation: str, resource: tuple[str, str, str, str], user: dict, obj: dict | None, old: dict | None):
    group, version, kind, plural = resource
    meta = (obj or old or {}).get("metadata", {})
    return {
        "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
        "kind": {"group": group, "version": version, "kind": kind},
        "resource": {"group": group, "version": version, "resource": plural},
        "requestKind": {"group": group, "version": version, "kind": kind},
        "requestResource": {"group": group, "version": version, "resource": plural},
        "name": meta.get("name", ""),
        "namespace": meta.get("namespace", ""),
        "operation": operation,
        "userInfo": user,
        "object": obj,
        "oldObject": old,
        "dryRun": False,
        "options": {"apiVersion": "meta.k8s.io/v1", "kind": f"{operation.title()}Options"},
    }


WORKFLOW = ("argoproj.io", "v1alpha1", "Workflow", "workflows")
SECRET = ("", "v1", "Secret", "secrets")
NAMESPACE = ("", "v1", "Namespace", "namespaces")

SUBMITTED = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "Workflow",
    "metadata": {"name": "salmon-x7k2p", "namespace": "kc-alice", "labels": {"app": "salmon"}},
    "spec": {"entrypoint": "main", "templates": [{"name": "main", "container": {"image": "busybox:1.36"}}]},
}
RUNNING = copy.deepcopy(SUBMITTED)
RUNNING["metadata"]["labels"]["workflows.argoproj.io/phase"] = "Running"
RUNNING["status"] = {"phase": "Running", "startedAt": "2026-12-04T10:00:00Z", "nodes": {}}
SUCCEEDED = copy.deepcopy(RUNNING)
SUCCEEDED["metadata"]["labels"].update(
    {"workflows.argoproj.io/phase": "Succeeded", "workflows.argoproj.io/completed": "true"}
)
SUCCEEDED["status"] = {"phase": "Succeeded", "nodes": {"salmon-x7k2p": {"phase": "Succeeded"}}}


def _with(obj: dict, **changes) -> dict:
    out = copy.deepcopy(obj)
    for path, value in changes.items():
        target = out
        *parents, last = path.split("__")
        for part in parents:
            target = target.setdefault(part, {})
        if value is None:
            target.pop(last, None)
        else:
            target[last] = value
    return out


def _forged_status() -> dict:
    return {"phase": "Succeeded", "nodes": {"salmon-x7k2p": {"phase": "Succeeded", "outputs": {"parameters": []}}}}


COMPLETED = "workflows.argoproj.io/completed"
PHASE = "workflows.argoproj.io/phase"


def _label(obj: dict, key: str, value: str | None) -> dict:
    out = copy.deepcopy(obj)
    labels = out["metadata"].setdefault("labels", {})
    if value is None:
        labels.pop(key, None)
    else:
        labels[key] = value
    return out


WORKFLOW_CASES = [
    # (case, user, operation, object, oldObject, allowed)
    ("learner submits a workflow", LEARNER, "CREATE", SUBMITTED, None, True),
    ("learner submits with an empty status", LEARNER, "CREATE", _with(SUBMITTED, status={}), None, True),
    ("learner submits with a forged status", LEARNER, "CREATE", _with(SUBMITTED, status=_forged_status()), None, False),
    ("learner submits already completed", LEARNER, "CREATE", _label(SUBMITTED, COMPLETED, "true"), None, False),
    ("learner submits with a phase label", LEARNER, "CREATE", _label(SUBMITTED, PHASE, "Succeeded"), None, False),
    ("learner patches the status", LEARNER, "UPDATE", _with(RUNNING, status=_forged_status()), RUNNING, False),
    (
        "learner's pod patches the status",
        LEARNER_POD,
        "UPDATE",
        _with(RUNNING, status=_forged_status()),
        RUNNING,
        False,
    ),
    ("learner removes the status", LEARNER, "UPDATE", _with(RUNNING, status=None), RUNNING, False),
    ("learner marks it completed", LEARNER, "UPDATE", _label(RUNNING, COMPLETED, "true"), RUNNING, False),
    ("learner changes the phase label", LEARNER, "UPDATE", _label(RUNNING, PHASE, "Succeeded"), RUNNING, False),
    ("learner removes the completed label", LEARNER, "UPDATE", _label(SUCCEEDED, COMPLETED, None), SUCCEEDED, False),
    ("learner adds a label of their own", LEARNER, "UPDATE", _label(RUNNING, "try", "2"), RUNNING, True),
    ("learner stops a running workflow", LEARNER, "UPDATE", _with(RUNNING, spec__shutdown="Stop"), RUNNING, True),
    ("controller starts it", CONTROLLER, "UPDATE", RUNNING, SUBMITTED, True),
    ("controller finishes it", CONTROLLER, "UPDATE", SUCCEEDED, RUNNING, True),
    ("instructor patches the status", INSTRUCTOR, "UPDATE", _with(RUNNING, status=_forged_status()), RUNNING, True),
    (
        "another team's pipeline writes status",
        OTHER_TEAM,
        "UPDATE",
        _with(RUNNING, status=_forged_status()),
        RUNNING,
        True,
    ),
]

TOKEN_SECRET = {
    "apiVersion": "v1",
    "kind": "Secret",
    "metadata": {
        "name": "forever",
        "namespace": "kc-alice",
        "annotations": {"kubernetes.io/service-account.name": "learner"},
    },
    "type": "kubernetes.io/service-account-token",
}
OPAQUE = {
    "apiVersion": "v1",
    "kind": "Secret",
    "metadata": {"name": "db", "namespace": "kc-alice"},
    "type": "Opaque",
    "data": {"password": "aHVudGVyMg=="},
}
UNTYPED = _with(OPAQUE, type=None)

SECRET_CASES = [
    ("learner creates a token secret", LEARNER, "CREATE", TOKEN_SECRET, None, False),
    ("learner's pod creates a token secret", LEARNER_POD, "CREATE", TOKEN_SECRET, None, False),
    ("learner creates an opaque secret", LEARNER, "CREATE", OPAQUE, None, True),
    ("learner creates a secret without a type", LEARNER, "CREATE", UNTYPED, None, True),
    ("learner updates an opaque secret", LEARNER, "UPDATE", _with(OPAQUE, data={"password": "eA=="}), OPAQUE, True),
    ("instructor creates a token secret", INSTRUCTOR, "CREATE", TOKEN_SECRET, None, True),
]

LEARNER_NS = {
    "apiVersion": "v1",
    "kind": "Namespace",
    "metadata": {
        "name": "kc-alice",
        "labels": {
            "app.kubernetes.io/managed-by": "kubecourse",
            "kubecourse.io/course": "kubecourse",
            "kubecourse.io/learner": "alice",
            "pod-security.kubernetes.io/enforce": "baseline",
        },
    },
}

NAMESPACE_CASES = [
    (
        "learner relaxes pod security",
        LEARNER,
        "UPDATE",
        _label(LEARNER_NS, "pod-security.kubernetes.io/enforce", "privileged"),
        LEARNER_NS,
        False,
    ),
    (
        "learner drops the managed-by label",
        LEARNER,
        "UPDATE",
        _label(LEARNER_NS, "app.kubernetes.io/managed-by", None),
        LEARNER_NS,
        False,
    ),
    (
        "learner renames the learner label",
        LEARNER,
        "UPDATE",
        _label(LEARNER_NS, "kubecourse.io/learner", "bob"),
        LEARNER_NS,
        False,
    ),
    (
        "learner annotates the namespace",
        LEARNER,
        "UPDATE",
        _with(LEARNER_NS, metadata__annotations={"note": "x"}),
        LEARNER_NS,
        True,
    ),
    (
        "instructor relabels the namespace",
        INSTRUCTOR,
        "UPDATE",
        _label(LEARNER_NS, "kubecourse.io/course", "spring"),
        LEARNER_NS,
        True,
    ),
]


def _decide(policy: dict, resource, user, operation, obj, old) -> list[tuple[str, str]]:
    return evaluate_policy(EVALUATOR, policy, _request(operation, resource, user, obj, old))


@pytest.mark.parametrize(
    ("case", "user", "operation", "obj", "old", "allowed"), WORKFLOW_CASES, ids=[c[0] for c in WORKFLOW_CASES]
)
def test_workflow_status_policy(case, user, operation, obj, old, allowed):
    denied = _decide(admission.workflow_policy(), WORKFLOW, user, operation, obj, old)
    assert (not denied) == allowed, denied
    assert all(reason == "Forbidden" for reason, _ in denied)


@pytest.mark.parametrize(
    ("case", "user", "operation", "obj", "old", "allowed"), SECRET_CASES, ids=[c[0] for c in SECRET_CASES]
)
def test_token_secret_policy(case, user, operation, obj, old, allowed):
    denied = _decide(admission.secret_policy(), SECRET, user, operation, obj, old)
    assert (not denied) == allowed, denied


@pytest.mark.parametrize(
    ("case", "user", "operation", "obj", "old", "allowed"), NAMESPACE_CASES, ids=[c[0] for c in NAMESPACE_CASES]
)
def test_namespace_label_policy(case, user, operation, obj, old, allowed):
    denied = _decide(admission.namespace_policy(), NAMESPACE, user, operation, obj, old)
    assert (not denied) == allowed, denied


def test_a_forged_status_is_refused_with_the_policys_own_message():
    denied = _decide(
        admission.workflow_policy(), WORKFLOW, LEARNER, "CREATE", _with(SUBMITTED, status=_forged_status()), None
    )
    assert denied == [("Forbidden", admission.workflow_policy()["spec"]["validations"][0]["message"])]


def test_every_policy_has_a_binding_that_denies():
    objects = admission.guard_objects()
    policies = [o for o in objects if o["kind"] == "ValidatingAdmissionPolicy"]
    bindings = {o["spec"]["policyName"]: o for o in objects if o["kind"] == "ValidatingAdmissionPolicyBinding"}
    assert {p["metadata"]["name"] for p in policies} == set(bindings)
    for policy in policies:
        assert policy["spec"]["failurePolicy"] == "Fail"
        assert bindings[policy["metadata"]["name"]]["spec"]["validationActions"] == ["Deny"]
        # every expression compiles in a CEL parser
        for expr in policy["spec"]["matchConditions"] + policy["spec"]["variables"] + policy["spec"]["validations"]:
            EVALUATOR.program(expr["expression"])


def test_a_learner_group_of_another_prefix_is_not_matched():
    user = _sa("kcx-alice", "learner")  # "kcx-" is not a learner namespace
    assert not _decide(
        admission.workflow_policy(), WORKFLOW, user, "CREATE", _with(SUBMITTED, status=_forged_status()), None
    )
    assert admission.LEARNER_GROUP_PREFIX == "system:serviceaccounts:kc-"

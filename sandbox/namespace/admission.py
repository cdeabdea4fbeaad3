"""The admission rules that keep a shared-cluster class honest, as ValidatingAdmissionPolicies.

RBAC decides *which* objects a learner may write; it cannot say *which fields*. Three holes
matter for grading and for credentials, and the API server closes them with these policies
(``admissionregistration.k8s.io/v1``, GA since Kubernetes 1.30), installed once per cluster by
``kubecourse class up --backend namespace``:

- **Workflow status.** Argo's Workflow CRD has no status subresource (``subresources: {}``), so
  whoever may patch a Workflow may write ``status.phase`` and ``status.nodes``; and a Workflow
  labelled ``workflows.argoproj.io/completed=true`` is never reconciled by the controller. A
  learner may not create a Workflow with a status, change one's status, or set or change the
  labels Argo's controller owns (``completed``, ``phase``, ``workflow-archiving-status``, from
  workflow/common/common.go). Live grading reads exactly these fields.
- **Tokens that never expire.** A Secret of type ``kubernetes.io/service-account-token`` gets a
  legacy token that lives as long as the Secret: a learner may not create one (nor turn a Secret
  into one).
- **The namespace fence.** A learner may not change the labels of a Namespace (they name the
  learner and course that teardown, grading and the Pod Security level go by). RBAC already
  denies it; the policy holds even if an admin grants more.

Who is a learner: any ServiceAccount of a learner namespace (group
``system:serviceaccounts:kc-NAME``), which covers the learner's own token, the Pods they run
under any account of their namespace, and accounts they create there. Argo's controller, the
instructor and every other user are not matched, so they keep writing status as before.
"""

from __future__ import annotations

from sandbox.errors import SandboxError
from sandbox.namespace.objects import MANAGED_BY, MANAGER, PREFIX

API_VERSION = "admissionregistration.k8s.io/v1"
LEARNER_GROUP_PREFIX = f"system:serviceaccounts:{PREFIX}"
ARGO_CONTROLLER_LABELS = (
    "workflows.argoproj.io/completed",
    "workflows.argoproj.io/phase",
    "workflows.argoproj.io/workflow-archiving-status",
)
SA_TOKEN_TYPE = "kubernetes.io/service-account-token"

WORKFLOW_POLICY = "kubecourse-learner-workflow-status"
SECRET_POLICY = "kubecourse-learner-token-secrets"
NAMESPACE_POLICY = "kubecourse-learner-namespace-labels"

LEARNER_CONDITION = {
    "name": "requested-by-a-learner",
    # `groups` is absent for some system users; has() keeps the condition from erroring.
    "expression": (
        f"has(request.userInfo.groups) && request.userInfo.groups.exists(g, g.startsWith('{LEARNER_GROUP_PREFIX}'))"
    ),
}

# The fields before and after the write, as maps ({} when absent), so that one comparison
# covers create (nothing before) and update alike.
_LABEL_VARIABLES = [
    {"name": "newLabels", "expression": "has(object.metadata.labels) ? object.metadata.labels : {}"},
    {
        "name": "oldLabels",
        "expression": (
            "request.operation == 'UPDATE' && has(oldObject.metadata.labels) ? oldObject.metadata.labels : {}"
        ),
    },
]
_STATUS_VARIABLES = [
    {"name": "newStatus", "expression": "has(object.status) ? object.status : {}"},
    {
        "name": "oldStatus",
        "expression": "request.operation == 'UPDATE' && has(oldObject.status) ? oldObject.status : {}",
    },
]


def _rule(group: str, resource: str, operations: list[str]) -> dict:
    return {"apiGroups": [group], "apiVersions": ["*"], "operations": operations, "resources": [resource]}


def _policy(name: str, rules: list[dict], variables: list[dict], validations: list[dict]) -> dict:
    return {
        "apiVersion": API_VERSION,
        "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": name, "labels": {MANAGED_BY: MANAGER}},
        "spec": {
            "failurePolicy": "Fail",
            "matchConstraints": {"resourceRules": rules},
            "matchConditions": [LEARNER_CONDITION],
            "variables": variables,
            "validations": validations,
        },
    }


def _binding(policy: str) -> dict:
    # No namespaceSelector: a learner relabelling their namespace must not step out of the rule;
    # the match condition (a learner's group) is what scopes it.
    return {
        "apiVersion": API_VERSION,
        "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": {"name": policy, "labels": {MANAGED_BY: MANAGER}},
        "spec": {"policyName": policy, "validationActions": ["Deny"]},
    }


def _labels_unchanged(keys: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{key}'" for key in keys)
    return (
        f"[{listed}].all(k, (k in variables.newLabels) == (k in variables.oldLabels) && "
        "(!(k in variables.newLabels) || variables.newLabels[k] == variables.oldLabels[k]))"
    )


def workflow_policy() -> dict:
    """Learners cannot write a Workflow's status or the labels Argo's controller owns."""
    return _policy(
        WORKFLOW_POLICY,
        [_rule("argoproj.io", "workflows", ["CREATE", "UPDATE"])],
        _STATUS_VARIABLES + _LABEL_VARIABLES,
        [
            {
                "expression": "variables.newStatus == variables.oldStatus",
                "message": "a Workflow's status is written by Argo's controller, not by learners: "
                "submit the Workflow without a status and let it run",
                "reason": "Forbidden",
            },
            {
                "expression": _labels_unchanged(ARGO_CONTROLLER_LABELS),
                "message": "the labels " + ", ".join(ARGO_CONTROLLER_LABELS) + " belong to Argo's controller",
                "reason": "Forbidden",
            },
        ],
    )


def secret_policy() -> dict:
    """Learners cannot make service-account token Secrets (legacy tokens that never expire)."""
    return _policy(
        SECRET_POLICY,
        [_rule("", "secrets", ["CREATE", "UPDATE"])],
        [],
        [
            {
                "expression": f"!has(object.type) || object.type != '{SA_TOKEN_TYPE}'",
                "message": "service-account token Secrets never expire; use the token in your kubeconfig "
                "(kubecourse hands out tokens that expire)",
                "reason": "Forbidden",
            }
        ],
    )


def namespace_policy() -> dict:
    """Learners cannot change the labels of a Namespace (their own included)."""
    return _policy(
        NAMESPACE_POLICY,
        [_rule("", "namespaces", ["UPDATE"])],
        _LABEL_VARIABLES,
        [
            {
                "expression": "variables.newLabels == variables.oldLabels",
                "message": "a learner namespace's labels are set by the instructor's kubecourse",
                "reason": "Forbidden",
            }
        ],
    )


def guard_objects() -> list[dict]:
    """Every policy, each followed by its binding, in the order to apply them."""
    objects = []
    for policy in (workflow_policy(), secret_policy(), namespace_policy()):
        objects += [policy, _binding(policy["metadata"]["name"])]
    return objects


class GuardUnavailable(SandboxError):
    """The shared cluster cannot enforce the guard (no ValidatingAdmissionPolicy v1)."""

    exit_code = 3


POLICY_PATH = "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies"


def install(cluster) -> list[str]:
    """Apply every policy and binding (idempotent); the names applied.

    Raises:
        GuardUnavailable: the API server does not serve ValidatingAdmissionPolicy v1
            (Kubernetes before 1.30, or the API turned off).
    """
    if cluster.request("GET", POLICY_PATH, query={"limit": "1"}, missing_ok=True) is None:
        version = cluster.request("GET", "/version", missing_ok=True) or {}
        found = version.get("gitVersion") or "an unknown version"
        raise GuardUnavailable(
            f"the shared cluster (Kubernetes {found}) does not serve ValidatingAdmissionPolicy "
            "(admissionregistration.k8s.io/v1): learners could forge the Workflow status that live "
            "grading reads and mint tokens that never expire",
            hint="the namespace backend needs Kubernetes 1.30 or newer",
        )
    applied = []
    for obj in guard_objects():
        cluster.apply(obj)
        applied.append(obj["metadata"]["name"])
    return applied


__all__ = [
    "GuardUnavailable",
    "install",
    "ARGO_CONTROLLER_LABELS",
    "LEARNER_GROUP_PREFIX",
    "NAMESPACE_POLICY",
    "SECRET_POLICY",
    "WORKFLOW_POLICY",
    "guard_objects",
    "namespace_policy",
    "secret_policy",
    "workflow_policy",
]

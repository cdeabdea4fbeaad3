"""Ready-made manifests for tests: Argo's Workflow CRD (as Argo 3.x ships it), a node, and
Kueue's admission webhooks (as Kueue v0.17.1's release manifests name them).

Argo's own Workflow CRD declares no ``status`` subresource, so a controller writes status with
the object; ``workflow_crd(status_subresource=True)`` gives the variant that has one.
"""

from __future__ import annotations

import copy


def workflow_crd(*, status_subresource: bool = False) -> dict:
    """The ``workflows.argoproj.io`` CRD: namespaced, v1alpha1, schema not enforced."""
    version = {
        "name": "v1alpha1",
        "served": True,
        "storage": True,
        "schema": {
            "openAPIV3Schema": {
                "type": "object",
                "x-kubernetes-preserve-unknown-fields": True,
                "required": ["metadata", "spec"],
            }
        },
        "additionalPrinterColumns": [
            {"name": "Status", "type": "string", "jsonPath": ".status.phase", "description": "Status of the workflow"},
            {
                "name": "Age",
                "type": "date",
                "jsonPath": ".status.startedAt",
                "format": "date-time",
                "description": "When the workflow was started",
            },
            {
                "name": "Message",
                "type": "string",
                "jsonPath": ".status.message",
                "priority": 1,
                "description": "Human readable message indicating details",
            },
        ],
    }
    if status_subresource:
        version["subresources"] = {"status": {}}
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "workflows.argoproj.io"},
        "spec": {
            "group": "argoproj.io",
            "scope": "Namespaced",
            "names": {
                "kind": "Workflow",
                "listKind": "WorkflowList",
                "plural": "workflows",
                "singular": "workflow",
                "shortNames": ["wf"],
            },
            "versions": [copy.deepcopy(version)],
        },
    }


def workflow(
    name: str = "", *, namespace: str = "default", generate_name: str = "", image: str = "alpine:3.20"
) -> dict:
    """A one-step Argo Workflow; pass ``generate_name`` instead of ``name`` for a fresh name."""
    metadata = {"namespace": namespace}
    if name:
        metadata["name"] = name
    if generate_name:
        metadata["generateName"] = generate_name
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": metadata,
        "spec": {
            "entrypoint": "main",
            "templates": [{"name": "main", "container": {"image": image, "command": ["echo", "hello"]}}],
        },
    }


def ready_node(name: str) -> dict:
    """A Node whose Ready condition is True, as a kind node would report it."""
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux"}},
        "status": {
            "conditions": [
                {
                    "type": "Ready",
                    "status": "True",
                    "reason": "KubeletReady",
                    "message": "kubelet is posting ready status",
                }
            ]
        },
    }


KUEUE_WEBHOOK_SERVICE = "kueue-webhook-service"
KUEUE_SELECTOR = {"control-plane": "controller-manager"}
_NOT_SYSTEM = {
    "matchExpressions": [
        {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["kube-system", "kueue-system"]}
    ]
}


def _kueue_webhook(name: str, group: str, version: str, resources: list[str], operations: list[str], **extra) -> dict:
    kind = "mutate" if name.startswith("m") else "validate"
    return {
        "name": name,
        "admissionReviewVersions": ["v1"],
        "clientConfig": {
            "service": {
                "name": KUEUE_WEBHOOK_SERVICE,
                "namespace": "kueue-system",
                "path": f"/{kind}-{group.replace('.', '-')}-{version}-{resources[0][:-1]}",
            }
        },
        "failurePolicy": "Fail",
        "sideEffects": "None",
        "rules": [{"apiGroups": [group], "apiVersions": [version], "operations": operations, "resources": resources}],
        **extra,
    }


def kueue_webhooks() -> list[dict]:
    """Kueue's webhook Service and configurations, as Kueue v0.17.1's release ``manifests.yaml``
    (``kustomize build config/default``, Makefile target ``artifacts``) holds them:
    config/components/webhook/manifests.yaml and service.yaml, the namespace selectors its
    kustomization.yaml patches onto the Pod, Deployment and StatefulSet webhooks, and
    config/default/kustomization.yaml's ``kueue-`` name prefix, ``kueue-system`` namespace and
    ``control-plane: controller-manager`` selector label. Only the webhooks for Kubernetes' own
    kinds and Kueue's are kept (the release also has ones for Kubeflow, Ray, JobSet, AppWrapper,
    LeaderWorkerSet, Spark and Trainer kinds, none of which a lab uses); names, paths, rules,
    operations and failure policies are the release's. Every Job, Pod, Deployment and StatefulSet
    outside kube-system and kueue-system goes through them."""
    kueue = ("kueue.x-k8s.io", "v1beta2")
    create, write = ["CREATE"], ["CREATE", "UPDATE"]
    mutating = [
        _kueue_webhook("mclusterqueue.kb.io", *kueue, ["clusterqueues"], create),
        _kueue_webhook("mdeployment.kb.io", "apps", "v1", ["deployments"], write, namespaceSelector=_NOT_SYSTEM),
        _kueue_webhook("mjob.kb.io", "batch", "v1", ["jobs"], create),
        _kueue_webhook("mpod.kb.io", "", "v1", ["pods"], create, namespaceSelector=_NOT_SYSTEM),
        _kueue_webhook("mresourceflavor.kb.io", *kueue, ["resourceflavors"], create),
        _kueue_webhook("mstatefulset.kb.io", "apps", "v1", ["statefulsets"], write, namespaceSelector=_NOT_SYSTEM),
        _kueue_webhook("mworkload.kb.io", *kueue, ["workloads"], create),
    ]
    validating = [
        _kueue_webhook("vclusterqueue.kb.io", *kueue, ["clusterqueues"], write),
        _kueue_webhook("vcohort.kb.io", *kueue, ["cohorts"], write),
        _kueue_webhook("vdeployment.kb.io", "apps", "v1", ["deployments"], write, namespaceSelector=_NOT_SYSTEM),
        _kueue_webhook("vjob.kb.io", "batch", "v1", ["jobs"], write),
        _kueue_webhook("vpod.kb.io", "", "v1", ["pods"], write, namespaceSelector=_NOT_SYSTEM),
        _kueue_webhook("vresourceflavor.kb.io", *kueue, ["resourceflavors"], write),
        _kueue_webhook("vstatefulset.kb.io", "apps", "v1", ["statefulsets"], write, namespaceSelector=_NOT_SYSTEM),
        _kueue_webhook("vworkload.kb.io", *kueue, ["workloads", "workloads/status"], write),
    ]
    return [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": KUEUE_WEBHOOK_SERVICE,
                "namespace": "kueue-system",
                "labels": {"app.kubernetes.io/component": "webhook-service", "control-plane": "controller-manager"},
            },
            "spec": {"ports": [{"port": 443, "protocol": "TCP", "targetPort": 9443}], "selector": KUEUE_SELECTOR},
        },
        {
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "MutatingWebhookConfiguration",
            "metadata": {"name": "kueue-mutating-webhook-configuration"},
            "webhooks": mutating,
        },
        {
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingWebhookConfiguration",
            "metadata": {"name": "kueue-validating-webhook-configuration"},
            "webhooks": validating,
        },
    ]


__all__ = ["KUEUE_SELECTOR", "KUEUE_WEBHOOK_SERVICE", "kueue_webhooks", "ready_node", "workflow", "workflow_crd"]

"""Ready-made manifests for tests: Argo's Workflow CRD (as Argo 3.x ships it) and a node.

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


__all__ = ["ready_node", "workflow", "workflow_crd"]

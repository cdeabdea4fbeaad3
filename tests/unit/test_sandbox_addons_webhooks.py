"""Which Services an add-on's webhooks call (sandbox/addons/webhooks.py), read from manifests
shaped like Kueue v0.17.1's release manifests.yaml (tests/fakekube/manifests.py), and when a
Service's EndpointSlices count as ready (sandbox/readiness.py, discovery/v1 semantics)."""

import pytest
import yaml
from fakekube.manifests import kueue_webhooks, workflow_crd

from coursecore.errors import UsageError
from sandbox.addons import webhooks
from sandbox.readiness import endpoint_problem


def kueue_release() -> str:
    # CRDs first and the webhook configurations last, as `kustomize build` orders them.
    return yaml.safe_dump_all([workflow_crd(), *kueue_webhooks()])


def test_kueues_webhooks_call_one_service():
    (service,) = webhooks.services_in_text(kueue_release(), source="manifests.yaml", default_namespace="kueue-system")
    assert str(service) == "kueue-system/kueue-webhook-service"
    assert "mjob.kb.io" in service.webhooks and "vworkload.kb.io" in service.webhooks
    assert len(service.webhooks) == 15


def test_manifests_without_webhooks_give_nothing():
    argo_like = yaml.safe_dump_all([workflow_crd(), {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"}}])
    assert webhooks.services_in_text(argo_like, source="install.yaml", default_namespace="argo") == []


def test_url_webhooks_lists_and_several_services():
    text = """# a comment before the first document
---
apiVersion: v1
kind: List
items:
- apiVersion: admissionregistration.k8s.io/v1
  kind: ValidatingWebhookConfiguration
  metadata: {name: a}
  webhooks:
  - name: outside.example.com
    clientConfig: {url: "https://hooks.example.com/validate"}
  - name: inside.example.com
    clientConfig: {service: {name: hooks}}
--- # the next one
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: b}
webhooks:
- name: other.example.com
  clientConfig: {service: {name: other, namespace: elsewhere, path: /m}}
- name: again.example.com
  clientConfig: {service: {name: hooks, namespace: addon}}
"""
    found = webhooks.services_in_text(text, source="x.yaml", default_namespace="addon")
    assert [(str(s), s.webhooks) for s in found] == [
        ("addon/hooks", ("inside.example.com", "again.example.com")),
        ("elsewhere/other", ("other.example.com",)),
    ]


def test_a_document_marker_inside_text_does_not_confuse_the_cut():
    text = 'kind: ConfigMap\ndata:\n  a: "---x"\n---\n' + yaml.safe_dump(kueue_webhooks()[1])
    assert [str(s) for s in webhooks.services_in_text(text, source="x", default_namespace="n")] == [
        "kueue-system/kueue-webhook-service"
    ]


def test_files_merge_services(tmp_path):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(yaml.safe_dump(kueue_webhooks()[1]))
    second.write_text(yaml.safe_dump(kueue_webhooks()[2]))
    (service,) = webhooks.services_in_files([first, second], default_namespace="x")
    assert service.webhooks[0] == "mclusterqueue.kb.io" and service.webhooks[-1] == "vworkload.kb.io"


def test_malformed_webhook_documents_are_a_usage_error():
    with pytest.raises(UsageError, match="bad.yaml"):
        webhooks.services_in_text(
            "kind: MutatingWebhookConfiguration\nwebhooks: [\n", source="bad.yaml", default_namespace="n"
        )


@pytest.mark.parametrize(
    ("slices", "problem"),
    [
        ([], "no EndpointSlice yet (no Pod of the Service has been seen)"),
        ([{"endpoints": None}], "no endpoints yet"),
        ([{"endpoints": [{"addresses": [], "conditions": {"ready": True}}]}], "no endpoints yet"),
        ([{"endpoints": [{"addresses": ["10.0.0.1"], "conditions": {"ready": False}}]}], "1 endpoint(s), none ready"),
        ([{"endpoints": [{"addresses": ["10.0.0.1"]}]}], None),
        (
            [
                {"endpoints": [{"addresses": ["10.0.0.1"], "conditions": {"ready": False}}]},
                {"endpoints": [{"addresses": ["10.0.0.2"], "conditions": {"ready": True}}]},
            ],
            None,
        ),
    ],
)
def test_endpoint_problem(slices, problem):
    assert endpoint_problem(slices) == problem

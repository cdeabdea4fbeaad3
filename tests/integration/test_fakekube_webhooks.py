"""The fake API server's admission webhooks fail as kube-apiserver's do while the webhook's
Service has no ready endpoint (tests/fakekube/webhooks.py follows k8s.io/apiserver
pkg/admission/plugin/webhook: rules, namespace selectors, failurePolicy and the
"failed calling webhook" InternalError), seen through the real kubectl; and the readiness wait
for a Service's endpoint, with its timeout (Kueue v0.17.1's webhooks from
tests/fakekube/manifests.py, as its release manifests.yaml holds them)."""

import json
import time

import pytest
from fakekube.handler import Handler
from fakekube.manifests import KUEUE_SELECTOR, KUEUE_WEBHOOK_SERVICE, kueue_webhooks
from fakekube.webhooks import ROUTED_AFTER

from coursecore.errors import ApiRefused
from sandbox import readiness
from sandbox.errors import NotReady

JOB = """apiVersion: batch/v1
kind: Job
metadata: {name: hello, namespace: lab}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: busybox:1.36, command: [true]}]
"""


def endpoint_slice(ready, *, routed_after: float | None = None):
    conditions = {} if ready is None else {"ready": ready}
    annotations = {} if routed_after is None else {ROUTED_AFTER: str(routed_after)}
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {
            "name": f"{KUEUE_WEBHOOK_SERVICE}-abcde",
            "namespace": "kueue-system",
            "labels": {"kubernetes.io/service-name": KUEUE_WEBHOOK_SERVICE},
            "annotations": annotations,
        },
        "addressType": "IPv4",
        "endpoints": [{"addresses": ["10.244.0.7"], "conditions": conditions}],
        "ports": [{"port": 9443, "protocol": "TCP"}],
    }


@pytest.fixture
def kueue(fake_kube):
    server = fake_kube.server
    for name in ("kueue-system", "lab"):
        server.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    for obj in kueue_webhooks():
        server.create(obj)
    return fake_kube


def test_a_matched_write_fails_until_the_service_has_a_ready_endpoint(kueue):
    failed = kueue.kubectl("apply", "-f", "-", input=JOB, check=False)
    assert failed.returncode == 1
    assert (
        'Error from server (InternalError): error when creating "STDIN": Internal error occurred: '
        'failed calling webhook "mjob.kb.io": failed to call webhook: Post '
        '"https://kueue-webhook-service.kueue-system.svc:443/mutate-batch-v1-job?timeout=10s": '
        'no endpoints available for service "kueue-webhook-service"'
    ) in failed.stderr
    assert kueue.server.objects("batch/v1", "Job", "lab") == []

    kueue.server.create(endpoint_slice(ready=False))  # a Pod that is not Ready yet
    assert kueue.kubectl("apply", "-f", "-", input=JOB, check=False).returncode == 1

    kueue.server.delete("discovery.k8s.io/v1", "EndpointSlice", f"{KUEUE_WEBHOOK_SERVICE}-abcde", "kueue-system")
    kueue.server.create(endpoint_slice(ready=None))  # an unset condition means ready
    kueue.kubectl("apply", "-f", "-", input=JOB)
    assert [j["metadata"]["name"] for j in kueue.server.objects("batch/v1", "Job", "lab")] == ["hello"]


def test_writes_the_webhooks_do_not_match_pass(kueue):
    # kueue-system is outside the Deployment webhooks' namespaceSelector (the release's
    # kustomization), and nothing matches ConfigMaps.
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "kueue-controller-manager", "namespace": "kueue-system"},
        "spec": {
            "selector": {"matchLabels": KUEUE_SELECTOR},
            "template": {
                "metadata": {"labels": KUEUE_SELECTOR},
                "spec": {"containers": [{"name": "manager", "image": "registry.k8s.io/kueue/kueue:v0.17.1"}]},
            },
        },
    }
    kueue.server.create(deployment)
    kueue.kubectl("-n", "lab", "create", "configmap", "notes", "--from-literal=a=b")
    deployment["metadata"]["namespace"] = "lab"
    failed = kueue.kubectl("apply", "-f", "-", input=json.dumps(deployment), check=False)
    assert 'failed calling webhook "mdeployment.kb.io"' in failed.stderr


def test_failure_policy_ignore_lets_the_write_through(kueue):
    config = kueue.server.get(
        "admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "kueue-mutating-webhook-configuration"
    )
    for webhook in config["webhooks"]:
        webhook["failurePolicy"] = "Ignore"
    kueue.server.update(config)
    kueue.server.delete(
        "admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "kueue-validating-webhook-configuration"
    )
    kueue.kubectl("apply", "-f", "-", input=JOB)


def test_the_endpoint_wait_returns_once_one_is_ready(kueue):
    kueue.server.create(endpoint_slice(ready=True))
    readiness.wait_service_endpoint(kueue.kubeconfig, "kueue-system", KUEUE_WEBHOOK_SERVICE, timeout=5)


def test_the_endpoint_wait_times_out_naming_the_service(kueue):
    kueue.server.create(endpoint_slice(ready=False))
    with pytest.raises(NotReady) as info:
        readiness.wait_service_endpoint(
            kueue.kubeconfig, "kueue-system", KUEUE_WEBHOOK_SERVICE, timeout=1, hint="look at its pods"
        )
    assert info.value.message == (
        "timed out after 1 s waiting for a ready endpoint of service kueue-system/kueue-webhook-service: "
        "1 endpoint(s), none ready"
    )
    assert info.value.hint == "look at its pods" and info.value.exit_code == 3


def test_the_endpoint_wait_says_when_there_is_no_endpoint_slice(fake_kube):
    with pytest.raises(NotReady, match="kueue-system/kueue-webhook-service: no EndpointSlice yet"):
        readiness.wait_service_endpoint(fake_kube.kubeconfig, "kueue-system", KUEUE_WEBHOOK_SERVICE, timeout=0.5)


JOBS = "/apis/batch/v1/namespaces/lab/jobs"
PROBE = {
    "apiVersion": "batch/v1",
    "kind": "Job",
    "metadata": {"name": "probe"},
    "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "m", "image": "busybox"}]}}},
}


def test_a_ready_endpoint_is_refused_until_kube_proxy_routes_it(kueue):
    """kube-apiserver dials the Service's ClusterIP; until kube-proxy routes it, connection refused."""
    kueue.server.create(endpoint_slice(ready=True, routed_after=time.time() + 3600))
    failed = kueue.kubectl("apply", "-f", "-", input=JOB, check=False)
    assert failed.returncode == 1 and "connect: connection refused" in failed.stderr, failed.stderr
    ip = kueue.server.get("v1", "Service", KUEUE_WEBHOOK_SERVICE, "kueue-system")["spec"]["clusterIP"]
    assert f"dial tcp {ip}:443" in failed.stderr


def test_the_webhook_probe_returns_once_the_webhooks_answer(kueue):
    routed_at = time.time() + 1.5
    kueue.server.create(endpoint_slice(ready=True, routed_after=routed_at))
    readiness.wait_webhooks_answer(kueue.kubeconfig, JOBS, PROBE, timeout=30)
    assert time.time() >= routed_at  # it kept trying while the calls were refused
    assert kueue.server.objects("batch/v1", "Job", "lab") == []  # a dry run keeps nothing


def test_the_webhook_probe_times_out_with_the_servers_words(kueue):
    kueue.server.create(endpoint_slice(ready=True, routed_after=time.time() + 3600))
    with pytest.raises(NotReady) as info:
        readiness.wait_webhooks_answer(kueue.kubeconfig, JOBS, PROBE, timeout=1, hint="look at its pods")
    assert info.value.message.startswith("admission webhooks did not answer within 1 s: ")
    assert "connect: connection refused" in info.value.message
    assert info.value.hint == "look at its pods" and info.value.exit_code == 3


def test_a_last_try_the_deadline_cuts_short_still_times_out_with_the_servers_words(kueue, monkeypatch):
    """The last try runs at the deadline with what is left of it (0.1 s): a server slow to answer
    it, as on a loaded machine, ends the wait as a timeout with the webhooks' last error, not as
    an unreachable cluster."""
    kueue.server.create(endpoint_slice(ready=True, routed_after=time.time() + 3600))
    started = time.monotonic()
    answer = Handler.do_POST

    def slow_at_the_deadline(handler):
        if time.monotonic() >= started + 0.9:
            time.sleep(0.5)
        answer(handler)

    monkeypatch.setattr(Handler, "do_POST", slow_at_the_deadline)
    with pytest.raises(NotReady) as info:
        readiness.wait_webhooks_answer(kueue.kubeconfig, JOBS, PROBE, timeout=1)
    assert info.value.message.startswith("admission webhooks did not answer within 1 s: ")
    assert "connect: connection refused" in info.value.message


def test_a_webhook_that_answers_with_a_refusal_is_up():
    refused = ApiRefused("answered 422", status=422, detail='admission webhook "vjob.kb.io" denied the request')
    unreachable = ApiRefused(
        "answered 500", status=500, detail='Internal error occurred: failed calling webhook "mjob.kb.io": ...'
    )
    assert not readiness.webhook_unanswered(refused) and readiness.webhook_unanswered(unreachable)

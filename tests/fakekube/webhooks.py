"""Admission webhooks, as far as a server that cannot call them goes: a write that a Mutating- or
ValidatingWebhookConfiguration matches fails while the webhook's Service has no ready endpoint,
as it does on a real cluster whose add-on (Kueue) is still starting; once an endpoint is ready
the write is admitted (no webhook server runs behind the fake).

Follows kubernetes staging/src/k8s.io/apiserver/pkg/admission/plugin/webhook: which webhooks a
request calls (predicates/rules/rules.go: operations, apiGroups, apiVersions, resources and
scope; predicates/namespace and predicates/object: the namespace and object selectors), the
failure of a call (webhook/errors.go ErrCallingWebhook "failed calling webhook %q: %v", turned
into a 500 InternalError "Internal error occurred: ..." by the dispatchers unless the webhook's
failurePolicy is Ignore) and the endpoint lookup's "no endpoints available for service %q"
(util/proxy ResolveEndpoint, which kube-apiserver uses with ``--enable-aggregator-routing``, as
Kueue's own kind clusters set it; kind's default dials the Service's ClusterIP and fails with
"connect: connection refused" instead, at the same moments). Only service webhooks are checked;
a ``url`` one is taken as reachable.

A ready endpoint is not yet a routed one: kube-apiserver dials the Service's ClusterIP, which
works once kube-proxy on the node has written its rules for the new endpoint (pkg/proxy follows
EndpointSlices on its own clock). An EndpointSlice annotated ``ROUTED_AFTER`` (a Unix time, set by
the fake cluster's stand-in controllers) stands for that lag: until then a call fails with
"connect: connection refused". Kueue's own end-to-end scripts, and projects that install it,
retry a write after its pods are Ready for that reason (project-codeflare/appwrapper
hack/deploy-kueue.sh: "This won't work until kueue's webhooks are actually configured and
working").
"""

from __future__ import annotations

import time

from .admission import Attributes, _rule_matches, _selector_matches
from .errors import ApiError
from .store import Store

CONFIGURATIONS = (
    ("admissionregistration.k8s.io", "mutatingwebhookconfigurations"),
    ("admissionregistration.k8s.io", "validatingwebhookconfigurations"),
)
SERVICE_NAME_LABEL = "kubernetes.io/service-name"
ROUTED_AFTER = "fakekube.kubecourse/routed-after"


def _ready_slices(store: Store, namespace: str, service: str) -> list[dict]:
    """The EndpointSlices of ``service`` that hold an address that is ready (a missing
    ``conditions.ready`` means ready, discovery/v1 types.go)."""
    return [
        eps
        for eps in store.list(("discovery.k8s.io", "endpointslices"), namespace)
        if ((eps.get("metadata") or {}).get("labels") or {}).get(SERVICE_NAME_LABEL) == service
        and any(
            endpoint.get("addresses") and (endpoint.get("conditions") or {}).get("ready") is not False
            for endpoint in eps.get("endpoints") or []
        )
    ]


def _routed(slices: list[dict]) -> bool:
    """Whether one of these ready EndpointSlices is past its ``ROUTED_AFTER`` time (or has none)."""
    now = time.time()
    return any(
        float(((eps.get("metadata") or {}).get("annotations") or {}).get(ROUTED_AFTER, 0)) <= now for eps in slices
    )


def _called(store: Store, webhook: dict, attrs: Attributes) -> bool:
    if not any(_rule_matches(rule, attrs) for rule in webhook.get("rules") or []):
        return False
    if attrs.rt.namespaced or attrs.rt.plural == "namespaces":
        if attrs.rt.plural == "namespaces" and not attrs.rt.group:
            labels = (((attrs.obj or attrs.old) or {}).get("metadata") or {}).get("labels") or {}
        else:
            ns = store.get(("", "namespaces"), "", attrs.namespace) or {}
            labels = (ns.get("metadata") or {}).get("labels") or {}
        if not _selector_matches(webhook.get("namespaceSelector"), labels):
            return False
    selector = webhook.get("objectSelector")
    new = ((attrs.obj or {}).get("metadata") or {}).get("labels") or {}
    old = ((attrs.old or {}).get("metadata") or {}).get("labels") or {}
    return _selector_matches(selector, new) or (attrs.old is not None and _selector_matches(selector, old))


def _unreachable(store: Store, webhook: dict) -> str | None:
    """Why the API server cannot call ``webhook``, or None."""
    service = (webhook.get("clientConfig") or {}).get("service")
    if not service:
        return None
    namespace, name = service.get("namespace", ""), service.get("name", "")
    port = service.get("port", 443)
    url = f"https://{name}.{namespace}.svc:{port}{service.get('path', '')}?timeout={webhook.get('timeoutSeconds', 10)}s"
    if store.get(("", "services"), namespace, name) is None:
        return f'failed to call webhook: Post "{url}": service "{name}" not found'
    slices = _ready_slices(store, namespace, name)
    if not slices:
        return f'failed to call webhook: Post "{url}": no endpoints available for service "{name}"'
    if not _routed(slices):
        cluster_ip = ((store.get(("", "services"), namespace, name) or {}).get("spec") or {}).get("clusterIP", "")
        return f'failed to call webhook: Post "{url}": dial tcp {cluster_ip}:{port}: connect: connection refused'
    return None


def call(store: Store, attrs: Attributes) -> None:
    """Raise the API server's error if a webhook this write calls cannot be reached."""
    for key in CONFIGURATIONS:
        for configuration in store.list(key):
            for webhook in configuration.get("webhooks") or []:
                if not _called(store, webhook, attrs):
                    continue
                reason = _unreachable(store, webhook)
                if reason is None or webhook.get("failurePolicy", "Fail") == "Ignore":
                    continue
                message = f'Internal error occurred: failed calling webhook "{webhook.get("name")}": {reason}'
                raise ApiError(500, "InternalError", message, details={"causes": [{"message": reason}]})


__all__ = ["ROUTED_AFTER", "call"]

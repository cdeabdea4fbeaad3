"""Which Services an add-on's admission webhooks call, read from its verified manifests.

A Mutating- or ValidatingWebhookConfiguration whose ``clientConfig.service`` names a Service makes
the API server call that Service for every write its rules match, and (with ``failurePolicy:
Fail``, Kueue's choice) refuse the write while nothing answers: Kueue v0.17.1's webhooks match
every Job, Pod and Deployment outside kube-system and kueue-system
(config/components/webhook/manifests.yaml and kustomization.yaml). ``start`` therefore waits for
each such Service to have a ready endpoint (:func:`sandbox.readiness.wait_service_endpoint`).

Only the documents that name a webhook configuration are parsed: release manifests are mostly
CRDs (Kueue's is about 1.7 MB), which this does not need to build.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from coursecore.errors import UsageError
from coursecore.safeyaml import parse_documents

WEBHOOK_KINDS = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")
# A line starting a YAML document: the only place a manifest can be cut without parsing it (inside
# a block scalar such a line ends the scalar too).
_DOCUMENT_START = re.compile(r"^(?=---(?:[ \t]|$))", re.MULTILINE)


@dataclass(frozen=True, order=True)
class WebhookService:
    """A Service that admission webhooks call."""

    namespace: str
    name: str
    webhooks: tuple[str, ...] = ()
    """The webhooks that call it, by name (for messages)."""

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


def services_in_text(text: str, *, source: str, default_namespace: str) -> list[WebhookService]:
    """The Services the webhook configurations in one manifest stream call, in order of first
    mention. ``default_namespace`` stands in for a reference without one (the API server
    requires it, so this only matters for a manifest it would refuse anyway)."""
    found: dict[tuple[str, str], list[str]] = {}
    for document in _documents_naming_webhooks(text, source):
        for obj in _objects(document):
            if obj.get("kind") not in WEBHOOK_KINDS:
                continue
            for webhook in obj.get("webhooks") or []:
                if not isinstance(webhook, dict):
                    continue
                service = (webhook.get("clientConfig") or {}).get("service")
                if not isinstance(service, dict) or not service.get("name"):
                    continue  # a `url` webhook: outside the cluster, nothing here to wait for
                key = (str(service.get("namespace") or default_namespace), str(service["name"]))
                found.setdefault(key, []).append(str(webhook.get("name") or "?"))
    return [WebhookService(namespace=ns, name=name, webhooks=tuple(hooks)) for (ns, name), hooks in found.items()]


def services_in_files(paths: Iterable[Path], *, default_namespace: str) -> list[WebhookService]:
    """:func:`services_in_text` over several manifest files, each Service once."""
    merged: dict[tuple[str, str], list[str]] = {}
    for path in paths:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        for service in services_in_text(text, source=str(path), default_namespace=default_namespace):
            merged.setdefault((service.namespace, service.name), []).extend(service.webhooks)
    return [WebhookService(namespace=ns, name=name, webhooks=tuple(hooks)) for (ns, name), hooks in merged.items()]


def _documents_naming_webhooks(text: str, source: str) -> list:
    if not any(kind in text for kind in WEBHOOK_KINDS):
        return []
    pieces = [piece for piece in _DOCUMENT_START.split(text) if any(kind in piece for kind in WEBHOOK_KINDS)]
    try:
        return [doc for piece in pieces for doc in parse_documents(piece, source=source)]
    except UsageError:
        # A cut the simple split got wrong (a directive before `---`, say): read the whole stream.
        return parse_documents(text, source=source)


def _objects(document) -> list[dict]:
    """The objects of one document (a ``kind: List`` holds them in ``items``)."""
    if not isinstance(document, dict):
        return []
    if document.get("kind") == "List" or str(document.get("kind", "")).endswith("List"):
        return [item for item in document.get("items") or [] if isinstance(item, dict)]
    return [document]


__all__ = ["WEBHOOK_KINDS", "WebhookService", "services_in_files", "services_in_text"]

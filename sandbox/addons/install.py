"""Installing an add-on into a sandbox: namespace, verified manifests (server-side apply), then
wait until its Deployments are Available, every Service its admission webhooks call has a ready
endpoint, and (where the registry names a probe) a dry-run write shows the webhooks answer.
Re-running converges and changes nothing.

The second wait is what makes the learner's first ``kubectl apply`` work: a Deployment is
Available before the EndpointSlice controller has published its Pod as an endpoint, and until
then the API server refuses every write a ``failurePolicy: Fail`` webhook matches ("failed calling
webhook ... no endpoints available for service", or "connection refused" where it dials the
ClusterIP); Kueue's webhooks match every Job, Pod and Deployment. The endpoint alone is not enough
on kind: the ClusterIP routes only once kube-proxy has caught up, so the probe retries a write
the webhooks check, as Kueue's own end-to-end scripts do.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sandbox import kubectl, readiness
from sandbox.addons import cache, lock, webhooks
from sandbox.addons.registry import Addon
from sandbox.backend import Progress, quiet


@dataclass(frozen=True, kw_only=True)
class Installed:
    """One add-on made ready."""

    name: str
    version: str
    namespace: str
    manifests: tuple[str, ...]
    """Local (cached, verified) files that were applied."""
    webhook_services: tuple[str, ...] = ()
    """``namespace/name`` of each Service its webhooks call, each waited for."""


def namespace_manifest(name: str) -> str:
    return f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n"


def install(
    addon: Addon,
    kubeconfig: Path,
    *,
    offline: bool = False,
    timeout: float | None = None,
    pins: lock.Pins | None = None,
    progress: Progress = quiet,
) -> Installed:
    """Install ``addon`` into the cluster of ``kubeconfig`` and wait for it.

    Every manifest is fetched and verified (against ``pins``) before anything is applied, so a
    checksum mismatch leaves the cluster untouched. ``timeout`` bounds each wait (default:
    :data:`readiness.DEPLOYMENTS_TIMEOUT` for the Deployments, :data:`readiness.ENDPOINT_TIMEOUT`
    for each webhook Service).

    Raises:
        NotReady: a Deployment or a webhook Service did not become ready in time (exit code 3).
    """
    pins = pins or lock.current()
    files = [cache.fetch(addon, m, offline=offline, pins=pins) for m in addon.manifests]
    kubectl.apply(kubeconfig, text=namespace_manifest(addon.namespace))
    for path in files:
        kubectl.apply(kubeconfig, path=path, namespace=addon.namespace)
    if addon.deployments:
        readiness.wait_deployments_available(
            kubeconfig, addon.namespace, names=list(addon.deployments), timeout=timeout or readiness.DEPLOYMENTS_TIMEOUT
        )
    services = webhooks.services_in_files(files, default_namespace=addon.namespace)
    for service in services:
        progress(f"add-on {addon.name}: waiting for webhook service {service} to have a ready endpoint")
        readiness.wait_service_endpoint(
            kubeconfig,
            service.namespace,
            service.name,
            timeout=timeout or readiness.ENDPOINT_TIMEOUT,
            hint=_endpoint_hint(addon, service, kubeconfig),
        )
    if addon.probe is not None and services:
        progress(f"add-on {addon.name}: waiting until its webhooks answer")
        readiness.wait_webhooks_answer(
            kubeconfig,
            addon.probe.path,
            addon.probe.body,
            timeout=timeout or readiness.ENDPOINT_TIMEOUT,
            hint=_endpoint_hint(addon, services[0], kubeconfig),
        )
    return Installed(
        name=addon.name,
        version=addon.version,
        namespace=addon.namespace,
        manifests=tuple(str(p) for p in files),
        webhook_services=tuple(str(s) for s in services),
    )


def _endpoint_hint(addon: Addon, service: webhooks.WebhookService, kubeconfig: Path) -> str:
    hooks = ", ".join(service.webhooks[:3]) + (", ..." if len(service.webhooks) > 3 else "")
    return (
        f"until it has one, the API server refuses the writes {addon.name}'s webhooks check ({hooks}); "
        f"see why its pods are not Ready with `kubectl --kubeconfig {kubeconfig} -n {service.namespace} "
        f"get pods,endpointslices` and `kubectl ... describe pods`, then run `kubecourse start` again"
    )


__all__ = ["Installed", "install", "namespace_manifest"]

"""Installing an add-on into a sandbox: namespace, verified manifests (server-side apply), then
wait until its Deployments are Available. Re-running converges and changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sandbox import kubectl, readiness
from sandbox.addons import cache, lock
from sandbox.addons.registry import Addon


@dataclass(frozen=True, kw_only=True)
class Installed:
    """One add-on made ready."""

    name: str
    version: str
    namespace: str
    manifests: tuple[str, ...]
    """Local (cached, verified) files that were applied."""


def namespace_manifest(name: str) -> str:
    return f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n"


def install(
    addon: Addon,
    kubeconfig: Path,
    *,
    offline: bool = False,
    timeout: float | None = None,
    pins: lock.Pins | None = None,
) -> Installed:
    """Install ``addon`` into the cluster of ``kubeconfig`` and wait for it.

    Every manifest is fetched and verified (against ``pins``) before anything is applied, so a
    checksum mismatch leaves the cluster untouched.
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
    return Installed(
        name=addon.name, version=addon.version, namespace=addon.namespace, manifests=tuple(str(p) for p in files)
    )


__all__ = ["Installed", "install", "namespace_manifest"]

"""``kubecourse start LAB``: make the sandbox and install what the lab's ``lab.yaml`` asks for.

Preparation is an ordered list of steps (namespaces, add-ons, lab manifests, images, data), each idempotent:
running ``start`` again re-applies the same objects, finds images already loaded and data
already copied, and changes nothing. It runs under the sandbox's lock, so two ``start`` for one
sandbox do not interleave.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from coursecore import labs
from sandbox import addons, data, images, kubectl, lifecycle, state
from sandbox.addons import cache, lock
from sandbox.addons.install import install, namespace_manifest
from sandbox.backend import Progress, quiet
from sandbox.errors import ChecksumMismatch


@dataclass(frozen=True, kw_only=True)
class StartResult:
    """A sandbox prepared for a lab."""

    lab: str
    sandbox: lifecycle.UpResult
    steps: list[dict] = field(default_factory=list)
    """One ``{"step", "detail", "seconds"}`` per thing done, in order."""
    seconds: float = 0.0

    def to_json(self) -> dict:
        return {
            "lab": self.lab,
            "sandbox": self.sandbox.to_json(),
            "steps": self.steps,
            "seconds": round(self.seconds, 3),
        }


def start(
    lab_id: str,
    name: str | None = None,
    *,
    offline: bool = False,
    progress: Progress = quiet,
    labs_root: Path | None = None,
    lock_wait: float = lifecycle.LOCK_WAIT,
    pins: lock.Pins | None = None,
) -> StartResult:
    """Create (or reuse) the sandbox and prepare lab ``lab_id`` in it.

    Args:
        lab_id: a lab under ``labs/`` (or ``labs_root``).
        name: sandbox name (default: the login name).
        offline: use only cached manifests and local images; never download.
        pins: the add-on lock files in force (default: :func:`sandbox.addons.lock.current`).
    """
    started = time.monotonic()
    lab = labs.find(lab_id, labs_root)
    lab.require_backend("kind")
    needs = lab.cluster
    pins = pins or lock.current()
    # Unknown add-ons, mismatching manifests, strict mode and a missing network fail here,
    # before any cluster is made; install() then finds the verified files in the cache. A first
    # download is recorded in the lock and said in one line.
    for addon_name in needs.addons:
        addon = addons.get(addon_name)
        for manifest in addon.manifests:
            cache.fetch(addon, manifest, offline=offline, pins=pins, notice=progress)
    # A sandbox with fewer nodes than the lab needs is refused by `up`, with the fix.
    sandbox = lifecycle.up(name, nodes=needs.nodes, lab=lab.id, progress=progress, lock_wait=lock_wait)
    kubeconfig = sandbox.kubeconfig
    done: list[dict] = []

    def step(title: str, action, detail) -> None:
        progress(title)
        t0 = time.monotonic()
        outcome = action()
        done.append({"step": title, "detail": detail(outcome), "seconds": round(time.monotonic() - t0, 3)})

    with state.lock(sandbox.state.name, timeout=lock_wait):
        for ns in needs.namespaces:
            step(
                f"namespace {ns}",
                lambda ns=ns: kubectl.apply(kubeconfig, text=namespace_manifest(ns)),
                lambda out: out.strip(),
            )
        for addon_name in needs.addons:
            addon = addons.get(addon_name)
            # Images fetched by `kubecourse prefetch` go into the nodes first, so that the add-on
            # starts without a registry; missing ones are pulled by the nodes as usual.
            for image in addon.images:
                if images.present(image):
                    step(
                        f"image {image}",
                        lambda image=image: _load_addon_image(sandbox.state.cluster, image, pins),
                        lambda loaded: f"loaded into the nodes ({loaded.method})",
                    )
            step(
                f"add-on {addon.name} {addon.version}",
                lambda addon=addon: install(addon, kubeconfig, offline=offline, pins=pins, progress=progress),
                lambda r: (
                    f"ready in namespace {r.namespace}"
                    + (
                        f" (webhook service {', '.join(r.webhook_services)} has a ready endpoint)"
                        if r.webhook_services
                        else ""
                    )
                ),
            )
        for manifest in needs.manifests:
            step(
                f"manifest {manifest}",
                lambda manifest=manifest: kubectl.apply(kubeconfig, path=lab.path / manifest),
                lambda out: out.strip(),
            )
        for image in needs.images:
            step(
                f"image {image.name}",
                lambda image=image: images.prepare(image, sandbox.state.cluster, lab.path, offline=offline),
                lambda r: f"{r.source}, loaded into the nodes ({r.method})",
            )
        for volume in needs.data:
            step(
                f"data {volume.source}/ onto claim {volume.namespace}/{volume.claim}",
                lambda volume=volume: data.copy(volume, lab.path, kubeconfig),
                lambda r: f"{r.files} files, {r.bytes} bytes" + ("" if r.copied else " (already there)"),
            )
        saved = state.load(sandbox.state.name)
        if saved is not None and saved.lab != lab.id:
            state.update(saved, lab=lab.id)
    return StartResult(lab=lab.id, sandbox=sandbox, steps=done, seconds=time.monotonic() - started)


def _load_addon_image(cluster: str, image: str, pins: lock.Pins) -> images.Loaded:
    """Load a prefetched add-on image, after checking its registry digest against the lock (the
    first one seen is recorded there, like the manifest that names it)."""
    repo = images.split_pinned(image)[0].rsplit(":", 1)[0]
    found = [d.split("@", 1)[1] for d in images.repo_digests(image) if d.split("@", 1)[0].endswith(repo)]
    if found:
        pinned = pins.record_image_digest(image, found[0])
        if pinned is not None and pinned not in found:
            raise ChecksumMismatch(
                f"failed to verify image {image}: the local copy has digest {found[0]}, the add-on lock pins {pinned}",
                hint=f"remove the local image (`docker image rm {image}`) and run `kubecourse prefetch` again",
            )
    return images.load(cluster, image)


__all__ = ["StartResult", "start"]

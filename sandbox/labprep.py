"""``kubecourse start LAB``: make the sandbox and install what the lab's ``lab.yaml`` asks for.

Preparation is an ordered list of steps (namespaces, add-ons, lab manifests, images, data), each idempotent:
running ``start`` again re-applies the same objects, finds images already loaded and data
already copied, and changes nothing. It runs under the sandbox's lock, so two ``start`` for one
sandbox do not interleave.

A room (``class up --lab``, :mod:`sandbox.classroom`) runs :func:`start` once per learner, after
:func:`prepare_host` has done the host's share once (manifests into the cache, images built or
pulled), and shares the image archives saved for loading between the learners' clusters.
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
from sandbox.steps import Steps


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


def find(lab_id: str, labs_root: Path | None = None) -> labs.Lab:
    """Lab ``lab_id``, refused (:class:`UsageError`, exit 2) if unknown or not for the kind backend."""
    lab = labs.find(lab_id, labs_root)
    lab.require_backend("kind")
    return lab


def verify_manifests(
    lab: labs.Lab, *, offline: bool = False, pins: lock.Pins, progress: Progress = quiet
) -> list[dict]:
    """Every add-on manifest ``lab`` needs, verified into the cache; one step per manifest.

    Unknown add-ons, mismatching manifests, strict mode and a missing network fail here, before
    any cluster is made; the installs then find the verified files in the cache. A first
    download is recorded in the lock and said in one line through ``progress``.
    """
    steps = Steps()  # not announced: the cache says a first download itself, through ``progress``
    for addon_name in lab.cluster.addons:
        addon = addons.get(addon_name)
        for manifest in addon.manifests:
            steps.run(
                f"manifest {addon.name} {addon.version} {manifest.filename}",
                lambda addon=addon, manifest=manifest: cache.fetch(
                    addon, manifest, offline=offline, pins=pins, notice=progress
                ),
                lambda path: f"verified in the cache ({path})",
            )
    return steps.done


def prepare_host(lab: labs.Lab, *, offline: bool = False, pins: lock.Pins, progress: Progress = quiet) -> list[dict]:
    """What ``start`` needs of this host rather than of a cluster, done once for a room of
    sandboxes (``class up --lab``): the add-on manifests verified into the cache and the lab's
    images built or pulled. Each learner's :func:`start` then finds them there, instead of
    downloading a manifest or building an image once per learner at the same time.

    Returns:
        One ``{"step", "detail", "seconds"}`` per thing done, in order.
    """
    manifests = verify_manifests(lab, offline=offline, pins=pins, progress=progress)
    steps = Steps(progress)
    for image in lab.cluster.images:
        steps.run(f"image {image.name}", lambda image=image: images.ensure_local(image, lab.path, offline=offline), str)
    return manifests + steps.done


def start(
    lab_id: str,
    name: str | None = None,
    *,
    offline: bool = False,
    progress: Progress = quiet,
    labs_root: Path | None = None,
    lock_wait: float = lifecycle.LOCK_WAIT,
    pins: lock.Pins | None = None,
    archives: images.SavedArchives | None = None,
) -> StartResult:
    """Create (or reuse) the sandbox and prepare lab ``lab_id`` in it.

    Args:
        lab_id: a lab under ``labs/`` (or ``labs_root``).
        name: sandbox name (default: the login name).
        offline: use only cached manifests and local images; never download.
        pins: the add-on lock files in force (default: :func:`sandbox.addons.lock.current`).
        archives: image archives shared with the room's other sandboxes (``class up --lab``);
            default: each image saved for this sandbox alone.
    """
    started = time.monotonic()
    lab = find(lab_id, labs_root)
    needs = lab.cluster
    pins = pins or lock.current()
    verify_manifests(lab, offline=offline, pins=pins, progress=progress)
    # A sandbox with fewer nodes than the lab needs is refused by `up`, with the fix.
    sandbox = lifecycle.up(name, nodes=needs.nodes, lab=lab.id, progress=progress, lock_wait=lock_wait)
    kubeconfig = sandbox.kubeconfig
    steps = Steps(progress)
    with state.lock(sandbox.state.name, timeout=lock_wait):
        for ns in needs.namespaces:
            steps.run(
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
                    steps.run(
                        f"image {image}",
                        lambda image=image: _load_addon_image(sandbox.state.cluster, image, pins, archives),
                        lambda loaded: f"loaded into the nodes ({loaded.method})",
                    )
            steps.run(
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
            steps.run(
                f"manifest {manifest}",
                lambda manifest=manifest: kubectl.apply(kubeconfig, path=lab.path / manifest),
                lambda out: out.strip(),
            )
        for image in needs.images:
            steps.run(
                f"image {image.name}",
                lambda image=image: images.prepare(
                    image, sandbox.state.cluster, lab.path, offline=offline, archives=archives
                ),
                lambda r: f"{r.source}, loaded into the nodes ({r.method})",
            )
        for volume in needs.data:
            steps.run(
                f"data {volume.source}/ onto claim {volume.namespace}/{volume.claim}",
                lambda volume=volume: data.copy(volume, lab.path, kubeconfig),
                lambda r: r.summary(),
            )
        saved = state.load(sandbox.state.name)
        if saved is not None and saved.lab != lab.id:
            state.update(saved, lab=lab.id)
    return StartResult(lab=lab.id, sandbox=sandbox, steps=steps.done, seconds=time.monotonic() - started)


def _load_addon_image(
    cluster: str, image: str, pins: lock.Pins, archives: images.SavedArchives | None
) -> images.Loaded:
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
    return images.load(cluster, image, archives=archives)


__all__ = ["StartResult", "find", "prepare_host", "start", "verify_manifests"]

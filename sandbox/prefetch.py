"""``kubecourse prefetch``: download and cache everything labs need, so that a room with a poor
network can start every lab offline afterwards (``kubecourse start LAB --offline``).

Fetched: the pinned kind node image, each add-on's manifests (verified, into the cache) and
images, and each lab's images (built from the lab's Dockerfile, or pulled). Every item is tried;
failures are reported per item, not raised, so one bad download does not hide the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coursecore import labs
from coursecore.errors import KubecourseError
from coursecore.labs import Image
from sandbox import addons, images, kind
from sandbox.addons import cache, lock
from sandbox.backend import Progress, quiet


@dataclass(frozen=True, kw_only=True)
class Fetched:
    """One item of a prefetch."""

    kind: str
    """``node image``, ``manifest``, ``add-on image`` or ``lab image``."""
    name: str
    status: str
    """``cached`` / ``local`` (already there), ``downloaded``, ``pinned`` (downloaded and
    recorded in the add-on lock for the first time), ``pulled``, ``built`` or ``failed``."""
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status != "failed"

    def to_json(self) -> dict:
        return {"kind": self.kind, "name": self.name, "status": self.status, "detail": self.detail}


def prefetch(
    lab_ids: list[str] | None = None,
    *,
    node_image: str = kind.DEFAULT_NODE_IMAGE,
    labs_root: Path | None = None,
    progress: Progress = quiet,
    pins: lock.Pins | None = None,
) -> list[Fetched]:
    """Fetch what ``lab_ids`` (default: every lab) need; return one :class:`Fetched` per item.

    Manifests are verified against ``pins`` (default :func:`sandbox.addons.lock.current`); one
    that nothing pins is recorded in the home lock, which the instructor can then ship."""
    pins = pins or lock.current()
    chosen = [labs.find(i, labs_root) for i in lab_ids] if lab_ids else labs.discover(labs_root)
    results = [_try("node image", node_image, lambda: _pull(node_image), progress)]
    seen: set[str] = set()
    for lab in chosen:
        for addon_name in lab.cluster.addons:
            if addon_name in seen:
                continue
            seen.add(addon_name)
            addon = addons.get(addon_name)
            for manifest in addon.manifests:
                results.append(
                    _try(
                        "manifest",
                        f"{addon.name} {addon.version} {manifest.filename}",
                        lambda a=addon, m=manifest: _manifest(a, m, pins, progress),
                        progress,
                    )
                )
            for image in addon.images:
                results.append(_try("add-on image", image, lambda i=image: _pull(i), progress))
        for image in lab.cluster.images:
            if image.name in seen:
                continue
            seen.add(image.name)
            results.append(
                _try("lab image", image.name, lambda i=image, p=lab.path: images.ensure_local(i, p), progress)
            )
    return results


def _manifest(addon, manifest, pins: lock.Pins, progress: Progress) -> tuple[str, str]:
    if cache.cached(addon, manifest, pins) is not None:
        return "cached", ""
    said: list[str] = []

    def notice(line: str) -> None:
        said.append(line)
        progress(line)

    cache.fetch(addon, manifest, pins=pins, notice=notice)
    return ("pinned", said[0]) if said else ("downloaded", "")


def _pull(image: str) -> str:
    return images.ensure_local(Image(name=image))


def _try(kind_: str, name: str, action, progress: Progress) -> Fetched:
    progress(f"{kind_} {name}")
    try:
        outcome = action()
    except KubecourseError as err:
        return Fetched(kind=kind_, name=name, status="failed", detail=err.message)
    status, detail = outcome if isinstance(outcome, tuple) else (outcome, "")
    return Fetched(kind=kind_, name=name, status=status, detail=detail)


__all__ = ["Fetched", "prefetch"]

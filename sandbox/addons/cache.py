"""Downloading add-on manifests once, verifying them against their pins, and serving them from
``$KUBECOURSE_HOME/cache/addons`` afterwards, so that the next cluster (and a room with no
network) needs no download.

A download streams into a temporary file beside its target while hashing; only a file that
matches its pin (:mod:`sandbox.addons.lock`; a first download is recorded there) is moved into
place. A cached file is hashed again before every use: a corrupted or tampered cache entry is
deleted and fetched again, never applied.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from coursecore.home import home
from sandbox import state
from sandbox.addons import lock
from sandbox.addons.registry import Addon, Manifest
from sandbox.errors import ChecksumMismatch, CommandFailed

DOWNLOAD_TIMEOUT = 60
MAX_MANIFEST_BYTES = 32 * 1024 * 1024  # Argo's install.yaml is ~1 MB; anything this big is wrong
CHUNK = 64 * 1024


def cache_dir(addon: Addon) -> Path:
    return home() / "cache" / "addons" / addon.name / addon.version


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def cached(addon: Addon, manifest: Manifest, pins: lock.Pins | None = None) -> Path | None:
    """The verified cached copy of ``manifest``, or ``None`` (unpinned, absent, or a bad copy,
    which is deleted)."""
    return _cached_against(addon, manifest, (pins or lock.current()).find(addon, manifest))


def fetch(
    addon: Addon,
    manifest: Manifest,
    *,
    offline: bool = False,
    pins: lock.Pins | None = None,
    notice: Callable[[str], None] | None = None,
) -> Path:
    """A verified local copy of ``manifest``: from the cache, else downloaded (unless ``offline``).

    The file must match its pin (the registry's, the instructor's lock or the home lock, see
    :mod:`sandbox.addons.lock`). A manifest pinned nowhere is downloaded once and its sha256
    recorded in the home lock (``notice`` is told, in one line with the hash), unless strict
    mode refuses it.

    Raises:
        SandboxError: strict mode and nothing pins the manifest.
        ChecksumMismatch: the file does not match its pin; nothing is kept or applied.
        CommandFailed: the download failed, or ``offline`` and the cache lacks the file.
    """
    pins = pins or lock.current()
    pin = pins.find(addon, manifest)
    if pin is None:
        pins.refuse_unpinned(addon, manifest)
    hit = _cached_against(addon, manifest, pin)
    if hit is not None:
        return hit
    if offline:
        raise CommandFailed(
            f'add-on "{addon.name}" {addon.version} is not in the cache and this run is offline',
            hint="run `kubecourse prefetch` on a machine with a network first",
        )
    folder = state.private_dir(cache_dir(addon))
    target = folder / manifest.filename
    fd, name = tempfile.mkstemp(dir=folder, prefix=f".{manifest.filename}.", suffix=".part")
    os.close(fd)
    tmp = Path(name)
    try:
        actual, size = _download(manifest.url, tmp)
        if pin is not None:
            _verify(addon, manifest, pin, actual, size)
        else:
            recorded = pins.record(
                addon, manifest, sha256=actual, size=size, images=lock.images_named(tmp.read_text(errors="replace"))
            )
            if recorded is None:  # another command recorded it first: verify against its pin
                pin = pins.find(addon, manifest)
                if pin is not None:
                    _verify(addon, manifest, pin, actual, size)
            elif notice is not None:
                notice(recorded.line)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _verify(addon: Addon, manifest: Manifest, pin: lock.Pin, actual: str, size: int) -> None:
    if actual != pin.sha256 or (pin.size is not None and size != pin.size):
        raise ChecksumMismatch(
            f'failed to verify add-on "{addon.name}" {addon.version}: sha256 of {manifest.url} '
            f"is {actual} ({size} bytes), expected {pin.sha256}"
            + (f" ({pin.size} bytes)" if pin.size is not None else "")
            + f" as pinned by {pin.source}; the download was discarded",
            hint="a changed release asset or a tampering mirror; nothing was applied. If the new file "
            f"is trusted, remove its entry from {pin.source} and run again",
        )


def _cached_against(addon: Addon, manifest: Manifest, pin: lock.Pin | None) -> Path | None:
    path = cache_dir(addon) / manifest.filename
    if pin is None or not path.is_file():
        return None
    if sha256_of(path) != pin.sha256:
        path.unlink(missing_ok=True)
        return None
    return path


def _download(url: str, into: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response, open(into, "wb") as out:
            for chunk in iter(lambda: response.read(CHUNK), b""):
                size += len(chunk)
                if size > MAX_MANIFEST_BYTES:
                    raise CommandFailed(f"failed to download {url}: larger than {MAX_MANIFEST_BYTES} bytes")
                digest.update(chunk)
                out.write(chunk)
    except (urllib.error.URLError, OSError, ValueError) as err:
        reason = getattr(err, "reason", None) or err
        raise CommandFailed(
            f"failed to download {url}: {reason}",
            hint="check the network, or run `kubecourse prefetch` where there is one",
        ) from err
    return digest.hexdigest(), size


__all__ = ["DOWNLOAD_TIMEOUT", "MAX_MANIFEST_BYTES", "cache_dir", "cached", "fetch", "sha256_of"]

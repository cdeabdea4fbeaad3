"""Downloading add-on manifests once, verifying them against their pinned sha256, and serving
them from ``$KUBECOURSE_HOME/cache/addons`` afterwards, so that the next cluster (and a room
with no network) needs no download.

A download streams into a temporary file beside its target while hashing; only a file whose
sha256 matches the pin is moved into place. A cached file is hashed again before every use: a
corrupted or tampered cache entry is deleted and fetched again, never applied.
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from pathlib import Path

from sandbox import state
from sandbox.addons.registry import Addon, Manifest
from sandbox.errors import ChecksumMismatch, CommandFailed, SandboxError

DOWNLOAD_TIMEOUT = 60
MAX_MANIFEST_BYTES = 32 * 1024 * 1024  # Argo's install.yaml is ~1 MB; anything this big is wrong
CHUNK = 64 * 1024


def cache_dir(addon: Addon) -> Path:
    return state.home() / "cache" / "addons" / addon.name / addon.version


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def cached(addon: Addon, manifest: Manifest) -> Path | None:
    """The verified cached copy of ``manifest``, or ``None`` (a bad copy is deleted)."""
    path = cache_dir(addon) / manifest.filename
    if not path.is_file() or manifest.sha256 is None:
        return None
    if sha256_of(path) != manifest.sha256:
        path.unlink(missing_ok=True)
        return None
    return path


def fetch(addon: Addon, manifest: Manifest, *, offline: bool = False) -> Path:
    """A verified local copy of ``manifest``: from the cache, else downloaded (unless ``offline``).

    Raises:
        SandboxError: the add-on has no pinned checksum (it is never trusted unpinned).
        ChecksumMismatch: the download does not match the pin; nothing is kept.
        CommandFailed: the download failed, or ``offline`` and the cache lacks the file.
    """
    if manifest.sha256 is None:
        raise SandboxError(
            f'add-on "{addon.name}" {addon.version} has no pinned sha256 for {manifest.url}',
            hint="on a machine with internet, run `curl -sL URL | sha256sum` and pin it in "
            f"{state.home() / 'addons.yaml'} as `{addon.name}: {{sha256: ...}}`",
        )
    hit = cached(addon, manifest)
    if hit is not None:
        return hit
    if offline:
        raise CommandFailed(
            f'add-on "{addon.name}" {addon.version} is not in the cache and this run is offline',
            hint="run `kubecourse prefetch` on a machine with a network first",
        )
    folder = state.private_dir(cache_dir(addon))
    target = folder / manifest.filename
    tmp = folder / f".{manifest.filename}.{os.getpid()}.part"
    try:
        actual = _download(manifest.url, tmp)
        if actual != manifest.sha256:
            raise ChecksumMismatch(
                f'failed to verify add-on "{addon.name}" {addon.version}: sha256 of {manifest.url} '
                f"is {actual}, expected {manifest.sha256}; the download was discarded",
                hint="a changed release asset or a tampering mirror; nothing was applied",
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _download(url: str, into: Path) -> str:
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
    return digest.hexdigest()


__all__ = ["DOWNLOAD_TIMEOUT", "MAX_MANIFEST_BYTES", "cache_dir", "cached", "fetch", "sha256_of"]

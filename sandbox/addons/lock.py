"""Add-on pins kept in a lock file: the first download of a manifest that no release pins is
recorded (URL, size, sha256, the images it names), and every later use is verified against it.

Upstream projects publish their install manifests without checksums in the release notes, so a
kubecourse release cannot always carry one. Refusing every unpinned add-on made ``start
argo-salmon`` fail out of the box; trusting them blindly would apply whatever a compromised
mirror serves. The lock is the middle way that package managers use (trust on first use, then
verify): the first download is recorded and announced with its hash, and from then on a changed
file is refused with both hashes.

Where pins come from, first match wins:

1. the registry (a release of kubecourse that ships the sha256) and ``$KUBECOURSE_HOME/addons.yaml``;
2. the instructor's lock: ``--addons-lock FILE`` or ``$KUBECOURSE_ADDONS_LOCK``, else
   ``addons.lock`` shipped with the course beside the ``labs/`` folder, so that a whole room
   verifies against the same pins; it is only read;
3. this home's lock ``$KUBECOURSE_HOME/addons.lock``, where first downloads are recorded.

Strict mode (``--strict-addons``, ``$KUBECOURSE_ADDONS_STRICT=1``, or ``strict: true`` in the
instructor's lock) refuses a manifest pinned nowhere instead of recording it.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from filelock import FileLock

from coursecore import labs
from coursecore.errors import UsageError
from coursecore.home import home
from coursecore.safeyaml import load_mapping
from sandbox import state
from sandbox.addons.registry import Addon, Manifest
from sandbox.errors import SandboxError

LOCK_FILE = "addons.lock"
ENV_LOCK = "KUBECOURSE_ADDONS_LOCK"
ENV_STRICT = "KUBECOURSE_ADDONS_STRICT"
FORMAT_VERSION = 1
MAX_LOCK_BYTES = 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_HEADER = (
    "# kubecourse add-on lock: the manifests each add-on applies, pinned by sha256.\n"
    "# Written on a manifest's first download and verified on every later use; a changed file\n"
    "# is refused. Ship it with the course (beside labs/) or hand it out with --addons-lock.\n"
)


@dataclass(frozen=True, kw_only=True)
class Pin:
    """What one manifest must hash to, and where that was said."""

    sha256: str
    size: int | None
    """Bytes; ``None`` when the pin came from the registry (which records only the hash)."""
    source: str
    """``registry`` or the lock file's path."""
    images: dict[str, str] = field(default_factory=dict)
    """Images the manifest names -> their digest (``sha256:...``), empty until known."""


@dataclass(frozen=True, kw_only=True)
class Recorded:
    """A first download, written into the home lock."""

    addon: str
    version: str
    filename: str
    url: str
    sha256: str
    size: int
    lock: Path
    images: tuple[str, ...] = ()

    @property
    def line(self) -> str:
        """The one line said to the user, with the hash to compare against the release."""
        return (
            f"pinned add-on {self.addon} {self.version} {self.filename} on first download: "
            f"sha256 {self.sha256} ({self.size} bytes) recorded in {self.lock}"
        )


@dataclass(frozen=True, kw_only=True)
class Pins:
    """The lock files in force for one command."""

    instructor: Path | None = None
    """The instructor's (or course's) lock, read only; ``None`` when there is none."""
    home: Path
    """This home's lock, where first downloads are recorded."""
    strict: bool = False
    """Refuse manifests pinned nowhere instead of recording them."""

    def find(self, addon: Addon, manifest: Manifest) -> Pin | None:
        """The pin of ``manifest``: the registry's, else the instructor's lock, else the home's."""
        if manifest.sha256 is not None:
            return Pin(sha256=manifest.sha256, size=None, source="registry")
        for path in (self.instructor, self.home):
            if path is not None and path.is_file():
                entry = _entry(read(path), addon, manifest)
                if entry is not None:
                    return Pin(sha256=entry["sha256"], size=entry.get("size"), source=str(path), images=entry["images"])
        return None

    def refuse_unpinned(self, addon: Addon, manifest: Manifest) -> None:
        """Raise in strict mode: nothing pins ``manifest``."""
        if self.strict:
            where = self.instructor or self.home
            raise SandboxError(
                f'add-on "{addon.name}" {addon.version} {manifest.filename} is pinned nowhere and strict mode '
                "refuses to record a new pin",
                hint=f"add it to the course's lock {where} (run `kubecourse prefetch` without strict mode on a "
                "trusted machine and ship the addons.lock it writes)",
            )

    def record(self, addon: Addon, manifest: Manifest, *, sha256: str, size: int, images: list[str]) -> Recorded | None:
        """Write the first download's pin into the home lock; ``None`` when another command
        recorded one first (a room of ``start`` commands may record at once under the file
        lock: the first writer wins, the others then verify against its pin)."""
        folder = state.private_dir(self.home.parent)
        with FileLock(str(folder / f".{self.home.name}.flock"), mode=0o600):
            data = read(self.home) if self.home.is_file() else _empty()
            if _entry(data, addon, manifest) is not None:
                return None
            entries = data["addons"].setdefault(addon.name, {}).setdefault(addon.version, {})
            entries[manifest.filename] = {
                "url": manifest.url,
                "size": size,
                "sha256": sha256,
                "recorded": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "images": {image: _digest_in(image) for image in images},
            }
            state.write_private(self.home, _HEADER + yaml.safe_dump(data, sort_keys=True))
        return Recorded(
            addon=addon.name,
            version=addon.version,
            filename=manifest.filename,
            url=manifest.url,
            sha256=sha256,
            size=size,
            lock=self.home,
            images=tuple(images),
        )

    def record_image_digest(self, image: str, digest: str) -> str | None:
        """Remember ``digest`` for ``image`` where the home lock names it without one; return
        the digest already pinned for it (in any lock), or ``None``."""
        for path in (self.instructor, self.home):
            if path is not None and path.is_file():
                pinned = _image_pins(read(path)).get(image)
                if pinned:
                    return pinned
        if not self.home.is_file():
            return None
        folder = state.private_dir(self.home.parent)
        with FileLock(str(folder / f".{self.home.name}.flock"), mode=0o600):
            data = read(self.home)
            changed = False
            for versions in data["addons"].values():
                for files in versions.values():
                    for entry in files.values():
                        if image in entry["images"] and not entry["images"][image]:
                            entry["images"][image] = digest
                            changed = True
            if changed:
                state.write_private(self.home, _HEADER + yaml.safe_dump(data, sort_keys=True))
        return None


def current(lock_file: Path | None = None, *, strict: bool | None = None) -> Pins:
    """The pins in force: ``lock_file`` (or ``$KUBECOURSE_ADDONS_LOCK``, or the course's
    ``addons.lock``), the home lock, and strict mode from the flag, the environment or the
    instructor's lock."""
    explicit = lock_file or (Path(os.environ[ENV_LOCK]).expanduser() if os.environ.get(ENV_LOCK) else None)
    if explicit is not None and not explicit.is_file():
        raise UsageError(f"add-on lock not found: {explicit}")
    instructor = explicit or _course_lock()
    demanded = bool(instructor is not None and read(instructor).get("strict"))
    if strict is None:
        strict = os.environ.get(ENV_STRICT, "").strip().lower() in ("1", "true", "yes")
    return Pins(instructor=instructor, home=home() / LOCK_FILE, strict=strict or demanded)


def _course_lock() -> Path | None:
    try:
        path = labs.labs_root().parent / LOCK_FILE
    except Exception:  # noqa: BLE001 - no labs folder: no course lock
        return None
    return path if path.is_file() else None


def images_named(text: str) -> list[str]:
    """Every container image a manifest's pod templates name, in order of appearance."""
    found: list[str] = []
    try:
        docs = list(yaml.safe_load_all(text))
    except yaml.YAMLError:
        return found

    def walk(node) -> None:
        if isinstance(node, dict):
            for key in ("containers", "initContainers", "ephemeralContainers"):
                for container in node.get(key) or []:
                    image = container.get("image") if isinstance(container, dict) else None
                    if isinstance(image, str) and image not in found:
                        found.append(image)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for doc in docs:
        walk(doc)
    return found


def read(path: Path) -> dict:
    """A lock file, validated: ``{"version", "strict", "addons": {name: {version: {file: entry}}}}``."""
    raw = load_mapping(path, what="add-on lock", max_bytes=MAX_LOCK_BYTES)
    if raw.get("version", FORMAT_VERSION) != FORMAT_VERSION:
        raise UsageError(f"{path}: lock format version {raw.get('version')!r} is not {FORMAT_VERSION}")
    if not isinstance(raw.get("strict", False), bool):
        raise UsageError(f"{path}: strict must be true or false")
    addons = raw.get("addons") or {}
    if not isinstance(addons, dict):
        raise UsageError(f"{path}: addons must be a mapping of add-on -> version -> file")
    for name, versions in addons.items():
        if not isinstance(versions, dict):
            raise UsageError(f"{path}: addons.{name} must map versions to files")
        for version, files in versions.items():
            if not isinstance(files, dict):
                raise UsageError(f"{path}: addons.{name}.{version} must map file names to pins")
            for filename, entry in files.items():
                _check_entry(path, f"addons.{name}.{version}.{filename}", entry)
    return {"version": FORMAT_VERSION, "strict": raw.get("strict", False), "addons": addons}


def _check_entry(path: Path, where: str, entry) -> None:
    if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str) or not _SHA256.match(entry["sha256"]):
        raise UsageError(f"{path}: {where} needs sha256: 64 lowercase hex digits")
    size = entry.get("size")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
        raise UsageError(f"{path}: {where}.size must be a byte count")
    images = entry.setdefault("images", {})
    if images is None:
        entry["images"] = images = {}
    if not isinstance(images, dict):
        raise UsageError(f"{path}: {where}.images must map image references to digests")
    for image, digest in images.items():
        if digest not in (None, "") and not (isinstance(digest, str) and _DIGEST.match(digest)):
            raise UsageError(f"{path}: {where}.images[{image!r}] must be sha256:<64 hex> or empty")
        images[image] = digest or ""


def _entry(data: dict, addon: Addon, manifest: Manifest) -> dict | None:
    return ((data["addons"].get(addon.name) or {}).get(addon.version) or {}).get(manifest.filename)


def _image_pins(data: dict) -> dict[str, str]:
    pins: dict[str, str] = {}
    for versions in data["addons"].values():
        for files in versions.values():
            for entry in files.values():
                pins.update({k: v for k, v in entry["images"].items() if v})
    return pins


def _digest_in(image: str) -> str:
    _, _, digest = image.partition("@")
    return digest if _DIGEST.match(digest) else ""


def _empty() -> dict:
    return {"version": FORMAT_VERSION, "strict": False, "addons": {}}


__all__ = [
    "ENV_LOCK",
    "ENV_STRICT",
    "LOCK_FILE",
    "Pin",
    "Pins",
    "Recorded",
    "current",
    "images_named",
    "read",
]

"""The add-on lock: a first download is recorded and announced with its hash, later uses verify
against it, a changed file is refused with both hashes, an instructor's lock is shared by a
room, and strict mode refuses what nothing pins. Manifests come from a local HTTP server."""

import hashlib
import threading
from dataclasses import replace

import pytest
import yaml
from fakekind.httpserver import FileServer

from coursecore.errors import UsageError
from sandbox import addons
from sandbox.addons import cache, lock
from sandbox.errors import ChecksumMismatch, SandboxError

BODY = (
    b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: workflow-controller}\nspec:\n  template:\n"
    b"    spec:\n      containers:\n      - {name: c, image: 'quay.io/argoproj/workflow-controller:v3.7.3'}\n"
    b"      initContainers:\n      - {name: i, image: 'busybox:1.36.1@sha256:" + b"a" * 64 + b"'}\n"
)
SHA = hashlib.sha256(BODY).hexdigest()
CHANGED = BODY + b"# a changed release asset\n"


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECOURSE_HOME", str(tmp_path / "kc"))
    monkeypatch.setenv("KUBECOURSE_LABS", str(tmp_path / "course" / "labs"))  # a course without a lock
    for key in (lock.ENV_LOCK, lock.ENV_STRICT):
        monkeypatch.delenv(key, raising=False)
    return tmp_path / "kc"


@pytest.fixture
def server():
    with FileServer({"/install.yaml": BODY}) as srv:
        yield srv


def unpinned(url):
    base = addons.REGISTRY["argo-workflows"]
    return replace(base, manifests=(replace(base.manifests[0], url=url, sha256=None),))


def test_first_download_is_recorded_and_announced_then_verified(home, server):
    addon = unpinned(server.url("/install.yaml"))
    said = []
    path = cache.fetch(addon, addon.manifests[0], notice=said.append)
    assert path.read_bytes() == BODY
    (line,) = said
    assert SHA in line and f"({len(BODY)} bytes)" in line and str(home / "addons.lock") in line
    data = yaml.safe_load((home / "addons.lock").read_text())
    entry = data["addons"]["argo-workflows"]["v3.7.3"]["install.yaml"]
    assert entry["sha256"] == SHA and entry["size"] == len(BODY) and entry["url"] == server.url("/install.yaml")
    assert entry["images"] == {
        "quay.io/argoproj/workflow-controller:v3.7.3": "",
        f"busybox:1.36.1@sha256:{'a' * 64}": f"sha256:{'a' * 64}",
    }
    assert oct((home / "addons.lock").stat().st_mode & 0o777) == "0o600"
    # Later uses verify the cached file against the lock and say nothing more.
    assert cache.fetch(addon, addon.manifests[0], notice=said.append) == path
    assert len(said) == 1 and server.hits == ["/install.yaml"]


def test_a_changed_file_is_refused_with_both_hashes(home, server):
    addon = unpinned(server.url("/install.yaml"))
    cache.fetch(addon, addon.manifests[0])
    cache.cache_dir(addon).joinpath("install.yaml").unlink()  # a new machine, same lock
    server.files["/install.yaml"] = CHANGED
    with pytest.raises(ChecksumMismatch) as info:
        cache.fetch(addon, addon.manifests[0])
    new = hashlib.sha256(CHANGED).hexdigest()
    assert f"is {new}" in info.value.message and f"expected {SHA}" in info.value.message
    assert str(home / "addons.lock") in info.value.message and info.value.exit_code == 3
    assert not cache.cache_dir(addon).joinpath("install.yaml").exists()


def test_a_tampered_cache_entry_is_not_applied(home, server):
    addon = unpinned(server.url("/install.yaml"))
    path = cache.fetch(addon, addon.manifests[0])
    path.write_bytes(b"kind: Evil\n")
    assert cache.fetch(addon, addon.manifests[0]).read_bytes() == BODY
    assert len(server.hits) == 2


def test_instructor_lock_pins_a_room_and_can_demand_strict_mode(home, server, tmp_path, monkeypatch):
    addon = unpinned(server.url("/install.yaml"))
    shipped = tmp_path / "course.lock"
    shipped.write_text(
        yaml.safe_dump(
            {
                "version": 1,
                "strict": True,
                "addons": {"argo-workflows": {"v3.7.3": {"install.yaml": {"sha256": SHA, "size": len(BODY)}}}},
            }
        )
    )
    pins = lock.current(shipped)
    assert pins.strict and pins.instructor == shipped
    said = []
    cache.fetch(addon, addon.manifests[0], pins=pins, notice=said.append)
    assert said == [] and not (home / "addons.lock").exists()  # verified, nothing recorded
    server.files["/install.yaml"] = CHANGED
    cache.cache_dir(addon).joinpath("install.yaml").unlink()
    with pytest.raises(ChecksumMismatch, match=str(shipped)):
        cache.fetch(addon, addon.manifests[0], pins=pins)
    kueue = replace(addons.REGISTRY["kueue"], manifests=(replace(addon.manifests[0], filename="manifests.yaml"),))
    with pytest.raises(SandboxError, match="strict mode refuses") as info:
        cache.fetch(kueue, kueue.manifests[0], pins=pins)
    assert str(shipped) in info.value.hint
    # The environment points class up, prefetch and learners at the same file.
    monkeypatch.setenv(lock.ENV_LOCK, str(shipped))
    assert lock.current().instructor == shipped


def test_course_lock_beside_the_labs_folder(home, tmp_path, server):
    course = tmp_path / "course"
    (course / "labs").mkdir(parents=True)
    (course / "addons.lock").write_text(
        f"addons:\n  argo-workflows:\n    v3.7.3:\n      install.yaml: {{sha256: {SHA}}}\n"
    )
    pins = lock.current()
    assert pins.instructor == course / "addons.lock" and not pins.strict
    addon = unpinned(server.url("/install.yaml"))
    assert pins.find(addon, addon.manifests[0]).sha256 == SHA


def test_strict_mode_from_the_environment(home, server, monkeypatch):
    monkeypatch.setenv(lock.ENV_STRICT, "1")
    addon = unpinned(server.url("/install.yaml"))
    with pytest.raises(SandboxError, match="pinned nowhere"):
        cache.fetch(addon, addon.manifests[0])
    assert server.hits == []


def test_registry_pins_still_win(home, server):
    base = unpinned(server.url("/install.yaml"))
    pinned = replace(base, manifests=(replace(base.manifests[0], sha256=SHA),))
    said = []
    cache.fetch(pinned, pinned.manifests[0], notice=said.append)
    assert said == [] and not (home / "addons.lock").exists()


def test_concurrent_first_downloads_record_once(home, server):
    addon = unpinned(server.url("/install.yaml"))
    said, errors = [], []

    def one():
        try:
            cache.fetch(addon, addon.manifests[0], notice=said.append)
        except Exception as err:  # noqa: BLE001 - collected for the assertion
            errors.append(err)

    threads = [threading.Thread(target=one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(said) == 1
    assert yaml.safe_load((home / "addons.lock").read_text())["addons"]["argo-workflows"]["v3.7.3"]


def test_image_digests_are_recorded_once_and_then_pinned(home, server):
    addon = unpinned(server.url("/install.yaml"))
    cache.fetch(addon, addon.manifests[0])
    pins = lock.current()
    image = "quay.io/argoproj/workflow-controller:v3.7.3"
    assert pins.record_image_digest(image, "sha256:" + "b" * 64) is None
    assert pins.record_image_digest(image, "sha256:" + "c" * 64) == "sha256:" + "b" * 64


@pytest.mark.parametrize(
    "text, error",
    [
        ("addons: [1]\n", "addons must be a mapping"),
        ("addons: {argo-workflows: {v1: {install.yaml: {sha256: xyz}}}}\n", "64 lowercase hex"),
        ("version: 9\n", "format version"),
        ("strict: maybe\n", "strict must be true or false"),
        ("addons: {a: {v1: {f: {sha256: " + "a" * 64 + ", size: -1}}}}\n", "size must be a byte count"),
        ("addons: {a: {v1: {f: {sha256: " + "a" * 64 + ", images: {x: latest}}}}}\n", "sha256:<64 hex>"),
        ("- a\n", "expected one YAML mapping"),
    ],
)
def test_bad_lock_files_are_usage_errors_naming_the_file(home, tmp_path, text, error):
    path = tmp_path / "bad.lock"
    path.write_text(text)
    with pytest.raises(UsageError, match=error) as info:
        lock.current(path)
    assert "bad.lock" in info.value.message


def test_a_missing_lock_file_is_a_usage_error(home, tmp_path):
    with pytest.raises(UsageError, match="add-on lock not found"):
        lock.current(tmp_path / "nope.lock")

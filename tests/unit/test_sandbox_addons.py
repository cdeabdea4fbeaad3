"""Add-on registry, overrides, and the verified download cache (against a local HTTP server)."""

import hashlib
from dataclasses import replace

import pytest
from fakekind.httpserver import FileServer

from coursecore.errors import UsageError
from sandbox import addons
from sandbox.addons import cache
from sandbox.errors import ChecksumMismatch, CommandFailed

BODY = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\n"
SHA = hashlib.sha256(BODY).hexdigest()


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECOURSE_HOME", str(tmp_path / "kc"))
    return tmp_path / "kc"


@pytest.fixture
def server():
    with FileServer({"/install.yaml": BODY, "/big.yaml": b"x" * 100}) as srv:
        yield srv


def addon_at(url, sha=SHA):
    base = addons.REGISTRY["argo-workflows"]
    return replace(base, manifests=(replace(base.manifests[0], url=url, sha256=sha),))


def test_registry_entries_are_pinned_releases():
    for addon in addons.REGISTRY.values():
        assert addon.version.startswith("v")
        for m in addon.manifests:
            assert m.url.startswith("https://github.com/") and f"/download/{addon.version}/" in m.url
            assert m.sha256 is None or len(m.sha256) == 64
        assert all(addon.version in image for image in addon.images)


def test_unknown_addon_is_a_usage_error(home):
    with pytest.raises(UsageError, match="known add-ons: argo-workflows, kueue"):
        addons.get("istio")


def test_download_verify_and_cache(home, server):
    addon = addon_at(server.url("/install.yaml"))
    path = cache.fetch(addon, addon.manifests[0])
    assert path.read_bytes() == BODY
    assert path == home / "cache" / "addons" / "argo-workflows" / addon.version / "install.yaml"
    assert cache.fetch(addon, addon.manifests[0], offline=True) == path
    cache.fetch(addon, addon.manifests[0])
    assert server.hits == ["/install.yaml"]  # the next cluster needs no network


def test_checksum_mismatch_keeps_nothing(home, server):
    addon = addon_at(server.url("/install.yaml"), sha="0" * 64)
    with pytest.raises(ChecksumMismatch) as info:
        cache.fetch(addon, addon.manifests[0])
    assert f"is {SHA} ({len(BODY)} bytes), expected {'0' * 64} as pinned by registry" in info.value.message
    assert info.value.exit_code == 3
    assert list(cache.cache_dir(addon).iterdir()) == []


def test_a_tampered_cache_entry_is_fetched_again(home, server):
    addon = addon_at(server.url("/install.yaml"))
    path = cache.fetch(addon, addon.manifests[0])
    path.write_bytes(b"kind: Evil\n")
    assert cache.cached(addon, addon.manifests[0]) is None and not path.exists()
    assert cache.fetch(addon, addon.manifests[0]).read_bytes() == BODY
    assert len(server.hits) == 2


def test_offline_without_cache_and_download_errors(home, server, monkeypatch):
    addon = addon_at(server.url("/install.yaml"))
    with pytest.raises(CommandFailed, match="offline"):
        cache.fetch(addon, addon.manifests[0], offline=True)
    missing = addon_at(server.url("/nothing.yaml"))
    with pytest.raises(CommandFailed, match="failed to download .*Not Found"):
        cache.fetch(missing, missing.manifests[0])
    monkeypatch.setattr(cache, "MAX_MANIFEST_BYTES", 50)
    big = addon_at(server.url("/big.yaml"))
    with pytest.raises(CommandFailed, match="larger than 50 bytes"):
        cache.fetch(big, big.manifests[0])
    assert list(cache.cache_dir(big).iterdir()) == []


def test_overrides_file_pins_and_mirrors(home, server):
    home.mkdir(parents=True)
    (home / "addons.yaml").write_text(f"argo-workflows:\n  url: {server.url('/install.yaml')}\n  sha256: {SHA}\n")
    addon = addons.get("argo-workflows")
    assert addon.manifests[0].sha256 == SHA
    assert cache.fetch(addon, addon.manifests[0]).read_bytes() == BODY
    assert addons.get("kueue") == addons.REGISTRY["kueue"]


@pytest.mark.parametrize(
    "text, error",
    [
        ("istio: {sha256: abc}\n", "unknown add-on 'istio'"),
        ("kueue: {sha256: ABC}\n", "64 lowercase hex"),
        ("kueue: {url: ftp://x}\n", "http"),
        ("kueue: {colour: red}\n", "mapping with 'url'"),
        ("- a\n", "expected one YAML mapping"),
    ],
)
def test_bad_overrides_are_usage_errors_naming_the_file(home, text, error):
    home.mkdir(parents=True)
    (home / "addons.yaml").write_text(text)
    with pytest.raises(UsageError, match=error) as info:
        addons.get("kueue")
    assert "addons.yaml" in info.value.message

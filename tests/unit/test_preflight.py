"""sandbox.preflight: probes report problems with fixes; capacity comes from the scarcest resource."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from sandbox import preflight

GiB = 1024**3


def fake_tool(bindir: Path, name: str, script: str) -> None:
    path = bindir / name
    path.write_text(f"#!{sys.executable}\n{script}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def bindir(tmp_path, monkeypatch):
    """A PATH holding only the fake tools a test creates (kubectl still comes from the venv)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    return folder


def test_memory_and_disk_findings():
    assert preflight.probe_memory(8 * GiB).ok
    low = preflight.probe_memory(1 * GiB)
    assert not low.ok and low.fix
    assert not preflight.probe_disk(1 * GiB, Path("/")).ok
    assert preflight.probe_disk(100 * GiB, Path("/")).ok


def test_inotify_fix_is_a_sysctl_line():
    finding = preflight.probe_inotify(8192, 128)
    assert "sudo sysctl fs.inotify.max_user_watches=524288" in finding.fix
    assert "fs.inotify.max_user_instances=512" in finding.fix
    assert preflight.probe_inotify(524288, 512).fix == ""
    assert not preflight.probe_inotify(1000, 50).ok


def test_capacity_is_the_minimum_over_resources():
    limits = preflight.estimate_capacity(memory=20 * GiB, disk=300 * GiB, watches=524288, instances=512)
    assert limits == {"memory": 10, "disk": 100, "inotify": 51}


def test_sysctl_and_meminfo_readers(tmp_path):
    (tmp_path / "fs" / "inotify").mkdir(parents=True)
    (tmp_path / "fs" / "inotify" / "max_user_watches").write_text("65536\n")
    assert preflight.read_sysctl("fs.inotify.max_user_watches", root=tmp_path) == 65536
    assert preflight.read_sysctl("fs.inotify.max_user_instances", root=tmp_path) is None
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal: 100 kB\nMemAvailable:    2048 kB\n")
    assert preflight.read_meminfo(meminfo) == 2048 * 1024
    assert preflight.read_meminfo(tmp_path / "missing") == 0


def test_missing_kind_has_an_install_hint(bindir):
    finding = preflight.probe_kind()
    assert not finding.ok and "kind.sigs.k8s.io" in finding.fix


@pytest.mark.parametrize(
    "printed, ok, words",
    [
        ("kind v0.31.0 go1.25.5 linux/amd64", True, "kind v0.31.0"),
        ("kind v0.31.2 go1.25.5 linux/amd64", True, "kind v0.31.2"),
        ("kind v0.32.0 go1.26 linux/amd64", True, "tested with v0.31.0"),
        ("kind v0.29.0 go1.24.2 linux/amd64", False, "older than v0.31.0"),
        ("kind v0.11.1 go1.16.4 linux/amd64", False, "older than v0.31.0"),
        ("kind version unknown", False, "cannot read a version"),
    ],
)
def test_kind_is_checked_against_the_release_of_the_pinned_node_image(bindir, printed, ok, words):
    fake_tool(bindir, "kind", f"print({printed!r})")
    finding = preflight.probe_kind()
    assert finding.ok is ok and words in finding.detail
    if not ok:
        assert "go install sigs.k8s.io/kind@v0.31.0" in finding.fix


DOCKER_V = "print('Docker version 28.2.2, build e6534b4')"
PODMAN_V = "print('podman version 5.4.0')"


def engine_script(version: str, info: str) -> str:
    return f"import sys\nif sys.argv[1:] == ['-v']:\n    {version}\nelse:\n    {info}"


@pytest.mark.parametrize(
    "engines, ok, words",
    [
        ({}, False, "docker: not installed"),
        (
            {
                "docker": engine_script(
                    DOCKER_V, "sys.stderr.write('Cannot connect to the Docker daemon\\n'); sys.exit(1)"
                )
            },
            False,
            "no daemon answers",
        ),
        ({"docker": engine_script(DOCKER_V, "print('28.2.2')")}, True, "docker 28.2.2"),
        ({"podman": engine_script(PODMAN_V, "print('5.4.0')")}, True, "podman 5.4.0 through kind's Podman provider"),
        # Podman's docker shim prints "podman version": kind (and kubecourse) then use Podman.
        (
            {"docker": engine_script(PODMAN_V, "print('5.4.0')"), "podman": engine_script(PODMAN_V, "print('5.4.0')")},
            True,
            "podman 5.4.0",
        ),
        # A Docker whose daemon is down: kind still picks Docker, so Podman beside it does not help.
        (
            {
                "docker": engine_script(DOCKER_V, "sys.exit(1)"),
                "podman": engine_script(PODMAN_V, "print('5.4.0')"),
            },
            False,
            "kind would use docker, not podman",
        ),
    ],
)
def test_container_engine(bindir, engines, ok, words):
    from sandbox import engine

    engine.forget()
    for name, script in engines.items():
        fake_tool(bindir, name, script)
    finding = preflight.probe_container_engine()
    assert finding.ok is ok and words in finding.detail
    assert bool(finding.fix) is (not ok)


def test_kubectl_comes_from_the_virtualenv(bindir):
    finding = preflight.probe_kubectl()
    assert finding.ok, finding.detail
    assert str(Path(sys.executable).parent) in finding.detail


def test_run_preflight_without_docker_is_not_ready(bindir, tmp_path):
    report = preflight.run_preflight(tmp_path / "home")
    assert not report.ready
    names = [f.name for f in report.findings]
    assert names == ["kubectl", "kind", "container engine", "memory", "disk", "inotify"]
    data = report.to_json()
    assert data["ready"] is False and data["capacity"] == min(data["limits"].values())
    assert os.environ["PATH"] == str(bindir)

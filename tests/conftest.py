"""Shared pytest set-up: the test doubles' fixtures and the ``kind`` marker's skip rule."""

from __future__ import annotations

import shutil
import subprocess

import pytest

# Fixture plugins of the test doubles (modules under tests/, importable through pythonpath).
pytest_plugins: list[str] = ["fakekind.fixtures", "fakekube.fixtures"]


def _real_kind_available() -> str | None:
    """None when real kind and a reachable Docker daemon exist, else the reason to skip."""
    if shutil.which("kind") is None:
        return "kind is not installed (see https://kind.sigs.k8s.io/docs/user/quick-start/)"
    docker = shutil.which("docker") or shutil.which("podman")
    if docker is None:
        return "neither docker nor podman is installed"
    try:
        probe = subprocess.run([docker, "info"], capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"{docker} info failed: {err}"
    if probe.returncode != 0:
        return f"no reachable container engine ({docker} info exited {probe.returncode})"
    return None


def pytest_collection_modifyitems(config, items):
    kind_items = [item for item in items if "kind" in item.keywords]
    if not kind_items:
        return
    reason = _real_kind_available()
    if reason is None:
        return
    skip = pytest.mark.skip(reason=f"end-to-end test needs real kind and Docker: {reason}")
    for item in kind_items:
        item.add_marker(skip)

"""Shared pytest set-up: the test doubles' fixtures, the ``kind`` marker's skip rule and the order in
which xdist hands out the modules."""

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


# `make test` runs the suite on pytest-xdist workers with `--dist loadscope --no-loadscope-reorder`
# (pyproject.toml): each module runs on one worker, so what it shares (a course built and graded
# once per module, the book built once per session) is made once per run, and the modules are
# handed out in collection order. These start first, slowest first (their share of a run, measured
# with --durations=0), so that no worker is left with one of them at the end while the other
# idles. A module missing here only runs later; nothing else depends on this list.
SLOWEST_FIRST = (
    "integration/test_lab_notebooks.py",
    "integration/test_grading_runs.py",
    "integration/test_grading_inert.py",
    "integration/test_rehearsal.py",
    "integration/test_sandbox_lifecycle.py",
    "unit/test_lint_robustness.py",
    "integration/test_grading.py",
    "integration/test_sandbox_labprep.py",
    "integration/test_sandbox_realhost.py",
    "integration/test_book.py",
)


def _start_order(item) -> int:
    module = item.nodeid.split("::")[0].removeprefix("tests/")
    return SLOWEST_FIRST.index(module) if module in SLOWEST_FIRST else len(SLOWEST_FIRST)


def pytest_collection_modifyitems(config, items):
    items.sort(key=_start_order)  # stable: the other modules keep their order

    kind_items = [item for item in items if "kind" in item.keywords]
    if not kind_items:
        return
    reason = _real_kind_available()
    if reason is None:
        return
    skip = pytest.mark.skip(reason=f"end-to-end test needs real kind and Docker: {reason}")
    for item in kind_items:
        item.add_marker(skip)

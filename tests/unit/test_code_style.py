"""The tree is formatted and linted as pyproject.toml's [tool.ruff] says, so `make test` (and CI,
which runs it) fails on a style regression with ruff's own report."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _ruff(*args: str) -> subprocess.CompletedProcess:
    # the ruff pinned in the [test] extra, next to this interpreter: not whatever is on PATH
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    "args",
    [("format", "--check", "--no-cache", "."), ("check", "--no-cache", "--output-format", "concise", ".")],
    ids=["ruff format", "ruff check"],
)
def test_the_tree_passes_ruff(args):
    done = _ruff(*args)
    if "No module named ruff" in done.stderr:
        pytest.fail("ruff is not installed next to this Python: run `make env` (it is in the [test] extra)")
    assert done.returncode == 0, (
        f"`ruff {' '.join(args)}` found problems; run `.venv/bin/ruff format` and `.venv/bin/ruff check --fix`:\n"
        + done.stdout
        + done.stderr
    )

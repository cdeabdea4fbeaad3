"""End to end with real kind and Docker (or Podman), expressed through ``kubecourse rehearse``:
every lab on a throwaway sandbox, start, the reference solution as the notebook gives it, full
marks, the starter at zero, and everything deleted. The same command instructors run on a
workshop host, and the one the CI workflow (.github/workflows/rehearse.yml) runs on a hosted
runner with Docker.

Marked ``kind``: skipped (by tests/conftest.py) where kind or a reachable engine is missing.
``KUBECOURSE_E2E_LABS`` (space-separated lab ids) narrows the rehearsal; default: every lab.
"""

import hashlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sandbox import kind, lifecycle, state

pytestmark = pytest.mark.kind
KUBECOURSE = str(Path(sys.executable).parent / "kubecourse")


def default_kubeconfig_fingerprint() -> str:
    path = Path.home() / ".kube" / "config"
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "absent"


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECOURSE_HOME", str(tmp_path / "kc"))
    return tmp_path / "kc"


def test_rehearse_every_lab_on_real_kind(home):
    before = default_kubeconfig_fingerprint()
    labs = os.environ.get("KUBECOURSE_E2E_LABS", "").split()
    proc = subprocess.run(
        [KUBECOURSE, "rehearse", *(labs or ["--all"]), "--json"],
        capture_output=True,
        text=True,
        timeout=3 * 3600,
        env=dict(os.environ),
    )
    assert "Traceback" not in proc.stderr, proc.stderr[-4000:]
    report = json.loads(proc.stdout)
    failures = {r["lab"]: r["error"] for r in report["labs"] if not r["passed"]}
    assert proc.returncode == 0 and report["passed"], failures
    for r in report["labs"]:
        assert r["starter_score"] == 0 and r["score"] == r["max_score"]
    assert not [c for c in kind.get_clusters() if c.startswith("kubecourse-rehearse-")]
    assert state.names() == []
    assert default_kubeconfig_fingerprint() == before  # ~/.kube/config never touched


def test_ctrl_c_during_real_creation_leaves_nothing(home):
    name = f"e2e-{secrets.token_hex(3)}"
    cluster = f"kubecourse-{name}"
    proc = subprocess.Popen(
        [KUBECOURSE, "up", "--name", name],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        deadline = time.monotonic() + 120
        while cluster not in kind.get_clusters() and time.monotonic() < deadline:
            time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=300)
        assert proc.returncode == 130
        assert cluster not in kind.get_clusters()
        assert state.load(name) is None
    finally:
        lifecycle.down(name, include_foreign=True)

"""End to end with real kind and Docker: create a sandbox, use it, put data on a claim, delete it.

Marked ``kind``: skipped (by tests/conftest.py) where kind or a reachable Docker daemon is
missing. Each test uses its own sandbox name and deletes it, even when it fails.
"""

import hashlib
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coursecore.labs import DataVolume
from sandbox import _run, data, kind, kubectl, lifecycle, state

pytestmark = pytest.mark.kind


@pytest.fixture
def sandbox_name(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECOURSE_HOME", str(tmp_path / "kc"))
    name = f"e2e-{secrets.token_hex(3)}"
    yield name
    lifecycle.down(name)


def default_kubeconfig_fingerprint() -> str:
    path = Path.home() / ".kube" / "config"
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "absent"


def test_up_use_and_down(sandbox_name):
    before = default_kubeconfig_fingerprint()
    result = lifecycle.up(sandbox_name, nodes=2)
    assert result.created and len(result.nodes) == 2
    assert lifecycle.up(sandbox_name).created is False
    done = _run.run(["kubectl", "--kubeconfig", str(result.kubeconfig), "get", "nodes", "-o", "name"], timeout=60)
    assert len(done.stdout.split()) == 2
    kubectl.apply(
        result.kubeconfig, text="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: e2e, namespace: default}\n"
    )
    assert oct(result.kubeconfig.stat().st_mode & 0o777) == "0o600"
    assert default_kubeconfig_fingerprint() == before
    lifecycle.down(sandbox_name)
    assert f"kubecourse-{sandbox_name}" not in kind.get_clusters()
    assert state.load(sandbox_name) is None


def test_lab_data_lands_on_a_claim(sandbox_name, tmp_path):
    result = lifecycle.up(sandbox_name)
    lab = tmp_path / "lab"
    (lab / "data" / "sub").mkdir(parents=True)
    (lab / "data" / "a.txt").write_text("hello\n")
    (lab / "data" / "sub" / "b.bin").write_bytes(bytes(range(256)))
    kubectl.apply(result.kubeconfig, text="apiVersion: v1\nkind: Namespace\nmetadata: {name: e2e}\n")
    copied = data.copy(DataVolume(claim="e2e-data", namespace="e2e", source="data"), lab, result.kubeconfig)
    assert copied.copied and copied.files == 2
    logs = _run.run(
        ["kubectl", "--kubeconfig", str(result.kubeconfig), "-n", "e2e", "logs", f"job/{copied.job}"], timeout=60
    ).stdout
    assert "a.txt" in logs and "b.bin" in logs
    again = data.copy(DataVolume(claim="e2e-data", namespace="e2e", source="data"), lab, result.kubeconfig)
    assert not again.copied


def test_ctrl_c_during_real_creation_leaves_nothing(sandbox_name):
    cluster = f"kubecourse-{sandbox_name}"
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "kubecourse"), "up", "--name", sandbox_name],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    deadline = time.monotonic() + 120
    while cluster not in kind.get_clusters() and time.monotonic() < deadline:
        time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=300)
    assert proc.returncode == 130
    assert cluster not in kind.get_clusters()
    assert state.load(sandbox_name) is None

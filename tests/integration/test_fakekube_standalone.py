"""``python -m fakekube``: the fake API server as a process, as the fake kind starts it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import yaml

TESTS = Path(__file__).resolve().parents[1]


def test_standalone_server_prints_its_url_and_serves_kubectl(tmp_path):
    kubeconfig = tmp_path / "kubeconfig"
    extra = tmp_path / "objects.yaml"
    extra.write_text(
        yaml.safe_dump(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "preloaded", "namespace": "default"}}
        )
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fakekube",
            "--port",
            "0",
            "--kubeconfig",
            str(kubeconfig),
            "--node",
            "lab-control-plane",
            "--load",
            str(extra),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        url = process.stdout.readline().strip()
        assert url.startswith("https://127.0.0.1:")
        assert process.stdout.readline().strip() == str(kubeconfig)
        assert kubeconfig.stat().st_mode & 0o777 == 0o600
        assert yaml.safe_load(kubeconfig.read_text())["clusters"][0]["cluster"]["server"] == url
        kubectl = Path(sys.executable).with_name("kubectl")
        kube_env = {**os.environ, "KUBECONFIG": str(kubeconfig), "KUBECACHEDIR": str(tmp_path / "cache")}
        result = subprocess.run(
            [str(kubectl), "get", "nodes,configmaps", "-A", "-o", "name"],
            capture_output=True,
            text=True,
            env=kube_env,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["node/lab-control-plane", "configmap/preloaded"]
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_standalone_server_rejects_a_bad_load_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: Gadget\nmetadata: {name: x}\n")
    env = {**os.environ, "PYTHONPATH": str(TESTS)}
    result = subprocess.run(
        [sys.executable, "-m", "fakekube", "--load", str(bad)], capture_output=True, text=True, env=env, timeout=30
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "v1/Gadget" in result.stderr

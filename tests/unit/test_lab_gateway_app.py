"""The science-gateway lab's web app (shipped inside a ConfigMap) serves what the lab promises."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
import yaml

from coursecore.labs import find


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    configmap = yaml.safe_load((find("science-gateway").path / "starter" / "gateway-app.yaml").read_text())
    app = tmp_path_factory.mktemp("app") / "app.py"
    app.write_text(configmap["data"]["app.py"])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {"PORT": str(port), "POD_NAME": "gateway-test-pod", "PATH": "/usr/bin:/bin"}
    proc = subprocess.Popen([sys.executable, str(app)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.05)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def test_health_page_and_estimate(gateway):
    assert _get(gateway + "/healthz") == (200, "ok\n")
    status, page = _get(gateway + "/")
    assert status == 200 and "gateway-test-pod" in page and "<form" in page
    status, body = _get(gateway + "/estimate?n=20000&seed=3")
    result = json.loads(body)
    assert status == 200 and result["n"] == 20000 and result["pod"] == "gateway-test-pod"
    assert abs(result["pi"] - 3.14159) < 0.1


@pytest.mark.parametrize("query", ["n=abc", "n=0", "n=99999999", "seed=x"])
def test_bad_input_is_a_400_not_a_crash(gateway, query):
    status, body = _get(gateway + "/estimate?" + query)
    assert status == 400 and "error" in json.loads(body)
    assert _get(gateway + "/healthz")[0] == 200


def test_unknown_path_is_404(gateway):
    assert _get(gateway + "/nope")[0] == 404

"""What a readiness wait says at its deadline: what it saw of the cluster, or, when the API
server never answered, that (not the nodes it was still expecting)."""

import socket

import pytest
import yaml

from sandbox import readiness
from sandbox.errors import NotReady


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_server_that_never_answers_is_named_at_the_deadline(fake_kube, tmp_path):
    kubeconfig = fake_kube.server.write_kubeconfig(tmp_path / "kubeconfig")
    config = yaml.safe_load(kubeconfig.read_text())
    config["clusters"][0]["cluster"]["server"] = f"https://127.0.0.1:{closed_port()}"
    kubeconfig.write_text(yaml.safe_dump(config))
    with pytest.raises(NotReady) as info:
        readiness.wait_nodes_ready(kubeconfig, ["kubecourse-a-control-plane"], timeout=1.5)
    assert "the API server never answered" in info.value.message, info.value.message
    assert "not registered" not in info.value.message


def test_a_server_that_answers_reports_what_it_holds(fake_kube, tmp_path):
    kubeconfig = fake_kube.server.write_kubeconfig(tmp_path / "kubeconfig")
    with pytest.raises(NotReady, match="kubecourse-a-control-plane: not registered"):
        readiness.wait_nodes_ready(kubeconfig, ["kubecourse-a-control-plane"], timeout=1)

"""Learner kubeconfigs from the instructor's cluster entry, and the CLI's backend options."""

from __future__ import annotations

import base64

import pytest
import yaml

from coursecore.errors import UsageError
from sandbox.namespace.kubeconfig import cluster_entry, learner_kubeconfig

ADMIN = {
    "apiVersion": "v1",
    "kind": "Config",
    "current-context": "admin",
    "clusters": [
        {"name": "prod", "cluster": {"server": "https://k8s.example.edu:6443", "certificate-authority": "ca.crt"}},
        {"name": "lab", "cluster": {"server": "https://10.0.0.1:6443", "certificate-authority-data": "Q0E="}},
    ],
    "users": [{"name": "root", "user": {"token": "admin-secret"}}],
    "contexts": [
        {"name": "admin", "context": {"cluster": "prod", "user": "root"}},
        {"name": "shared", "context": {"cluster": "lab", "user": "root"}},
    ],
}


@pytest.fixture
def admin(tmp_path):
    (tmp_path / "ca.crt").write_bytes(b"-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n")
    path = tmp_path / "admin.kubeconfig"
    path.write_text(yaml.safe_dump(ADMIN))
    return path


def test_current_context_with_a_ca_file_is_embedded(admin):
    entry = cluster_entry(admin)
    assert entry.context == "admin" and entry.server == "https://k8s.example.edu:6443"
    assert base64.b64decode(entry.ca_data).startswith(b"-----BEGIN CERTIFICATE-----")


def test_learner_kubeconfig_has_the_token_and_namespace_and_no_admin_secret(admin):
    entry = cluster_entry(admin, "shared")
    text = learner_kubeconfig(entry, learner="alice", namespace="kc-alice", token="tok-123")
    config = yaml.safe_load(text)
    assert "admin-secret" not in text
    assert config["clusters"][0]["cluster"] == {"server": "https://10.0.0.1:6443", "certificate-authority-data": "Q0E="}
    assert config["users"][0]["user"] == {"token": "tok-123"}
    assert config["contexts"][0]["context"]["namespace"] == "kc-alice"
    assert config["current-context"] == "kubecourse-alice"


def test_unknown_context_and_missing_file_are_usage_errors(admin, tmp_path):
    with pytest.raises(UsageError, match="no context named 'nope'"):
        cluster_entry(admin, "nope")
    with pytest.raises(UsageError, match="not found"):
        cluster_entry(tmp_path / "absent")


def test_namespace_only_options_refused_for_kind(capsys):
    from kubecourse.cli.main import run

    with pytest.raises(SystemExit) as done:
        run(["class", "up", "--roster", "r.csv", "--context", "shared"])
    assert done.value.code == 2 and "--context applies to the namespace backend only" in capsys.readouterr().err
    with pytest.raises(SystemExit) as done:
        run(["up", "--backend", "docker"])
    assert done.value.code == 2 and "--backend must be one of kind, namespace" in capsys.readouterr().err

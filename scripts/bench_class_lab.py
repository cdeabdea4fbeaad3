"""Benchmark of ``class up --lab`` on the kind backend against a fake kind and a fake docker that
sleep fixed times, with a lab whose preparation is loading two images into every cluster.

Prints medians of several runs of three room set-ups of the same roster, each measured in the
same run, with ratios against the first:

1. ``class up`` alone (the baseline: clusters only);
2. ``class up --lab``: each image's archive saved once on the host and loaded into every cluster
   (what the command does);
3. ``class up --lab`` with each learner saving its own archives, as N separate ``start`` would.

Needs no Docker: the fake kind (tests/fakekind) registers Nodes with the fake API server
(tests/fakekube). Run: ``python scripts/bench_class_lab.py [--runs 3] [--learners 8]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fakekind.fixtures import write_wrappers  # noqa: E402
from fakekube.server import CA_FILE, FakeKubeServer  # noqa: E402

LAB = """id: bench-images
title: Bench
tier: general
minutes: 5
summary: Two images to load.
cluster:
  images:
    - {name: "solver:1.0"}
    - {name: "collector:1.0"}
"""

ROOM_RUN = """
import contextlib, json, sys, time
from pathlib import Path
from sandbox import classroom, images
work, learners, parallel, runs = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
log = Path(sys.argv[5])
import kubernetes.client  # warm: every timing below starts with the client imported
shared = images.saved_archives

@contextlib.contextmanager
def unshared():
    yield None  # labprep.start then saves each image for its own cluster, as a lone `start` does

def saves():
    return sum(1 for line in log.read_text().splitlines() if '"verb": "save"' in line) if log.exists() else 0

times = {"class up": [], "class up --lab (shared archives)": [], "class up --lab (archive per learner)": []}
counts = {}
for r in range(runs):
    for i, label in enumerate(times):
        roster = work / f"roster-{r}-{i}.csv"
        roster.write_text("name\\n" + "\\n".join(f"r{r}x{i}-l{n}" for n in range(learners)) + "\\n")
        classroom.images.saved_archives = unshared if "per learner" in label else shared
        before = saves()
        t0 = time.perf_counter()
        report = classroom.class_up(
            roster, output=work / f"out-{r}-{i}", parallel=parallel, force=True, lab=None if i == 0 else "bench-images"
        )
        times[label].append(time.perf_counter() - t0)
        counts[label] = saves() - before
        assert report.ok, report.to_json()
        classroom.class_down(roster, parallel=8)
print(json.dumps({"times": times, "saves": counts}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (medians are printed)")
    parser.add_argument("--learners", type=int, default=8)
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--create", type=float, default=2.0, help="seconds the fake kind spends per create")
    parser.add_argument("--save", type=float, default=1.5, help="seconds the fake docker spends per image save")
    parser.add_argument("--load", type=float, default=0.3, help="seconds the fake kind spends per archive load")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-class-lab-") as tmp, FakeKubeServer() as server:
        work = Path(tmp)
        write_wrappers(work / "bin")
        (work / "labs" / "bench-images").mkdir(parents=True)
        (work / "labs" / "bench-images" / "lab.yaml").write_text(LAB)
        log = work / "invocations.jsonl"
        env = {
            **os.environ,
            "PATH": f"{work / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOME": str(work / "home"),
            "KUBECOURSE_HOME": str(work / "kc"),
            "KUBECOURSE_LABS": str(work / "labs"),
            "FAKE_KIND_STATE": str(work / "state"),
            "FAKE_KIND_LOG": str(log),
            "FAKE_KIND_API_URL": server.url,
            "FAKE_KIND_TOKEN": server.token,
            "FAKE_KIND_CA": str(CA_FILE),
            "FAKE_KIND_SLEEP": f"create:{args.create},load-archive:{args.load}",
            "FAKE_DOCKER_SLEEP": f"save:{args.save}",
            "KUBECACHEDIR": str(work / "kubecache"),
        }
        env.pop("KUBECONFIG", None)
        for image in ("solver:1.0", "collector:1.0"):  # present locally, as after `kubecourse prefetch`
            subprocess.run(["docker", "pull", image], env=env, check=True, capture_output=True, timeout=60)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(
            f"{args.runs} runs; {args.learners} learners at --parallel {args.parallel}; fake kind create "
            f"{args.create:.1f} s, load {args.load:.1f} s per image; fake docker save {args.save:.1f} s per image; "
            f"{os.cpu_count()} CPUs, load average {load:.1f} at start",
            flush=True,
        )
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                ROOM_RUN,
                str(work),
                str(args.learners),
                str(args.parallel),
                str(args.runs),
                str(log),
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=3600,
        )
        data = json.loads(done.stdout.strip().splitlines()[-1])
        base = statistics.median(data["times"]["class up"])
        for label, values in data["times"].items():
            median = statistics.median(values)
            saves = data["saves"][label]
            print(
                f"   {label:38s} {median:7.2f} s  ratio {median / base:5.2f}  image saves {saves:3d}"
                f"   (runs: {', '.join(f'{x:.2f}' for x in values)})"
            )


if __name__ == "__main__":
    main()

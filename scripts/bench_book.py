"""Benchmark of the book build: median wall time of full builds and of cached rebuilds.

A *full* build starts from an empty output folder (nothing parsed, notebooks executed); a
*cached* build runs again into the same folder with no source changed, which is what an author
pays after each edit. Run from anywhere:

    python scripts/bench_book.py [--runs 3]

It prints the median of each (wall and CPU time), every single run's wall time, and the ratio
cached/full measured in the same run. Build output goes to temporary folders; the repository's
own ``_build/`` is not touched.
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
TIMEOUT = 900


def jupyter_book() -> str:
    beside = Path(sys.executable).with_name("jupyter-book")
    found = str(beside) if beside.exists() else shutil.which("jupyter-book")
    if found is None:
        sys.exit("error: jupyter-book is not installed (pip install -e . in the repository)")
    return found


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build(output: Path) -> tuple[float, float]:
    """One build into ``output``; (wall seconds, CPU seconds of the build and its kernels).

    CPU time is reported beside wall time because on a shared two-core machine wall time also
    measures everyone else's load. Exits if the build fails.
    """
    cmd = [jupyter_book(), "build", str(REPO), "--path-output", str(output), "-W", "-n", "--keep-going"]
    cpu0, start = _child_cpu(), time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, cwd=REPO)
    elapsed, cpu = time.perf_counter() - start, _child_cpu() - cpu0
    if proc.returncode != 0:
        sys.exit(f"error: book build failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="builds of each kind (default 3)")
    args = parser.parse_args()

    full, cached = [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="bench-book-") as tmp:
            full.append(build(Path(tmp)))
            cached.append(build(Path(tmp)))
    pages = len([line for line in (REPO / "_toc.yml").read_text().splitlines() if "file:" in line]) + 1
    print(f"book: {pages} pages, {args.runs} runs each (load average {os.getloadavg()[0]:.1f} at the end)")
    for label, runs in (("full build  ", full), ("cached build", cached)):
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        print(
            f"{label} median {wall:6.2f} s wall, {cpu:6.2f} s CPU   wall runs: "
            + ", ".join(f"{r[0]:.2f}" for r in runs)
        )
    ratio_wall = statistics.median(r[0] for r in cached) / statistics.median(r[0] for r in full)
    ratio_cpu = statistics.median(r[1] for r in cached) / statistics.median(r[1] for r in full)
    print(f"cached / full = {ratio_wall:.2f} (wall), {ratio_cpu:.2f} (CPU)")


if __name__ == "__main__":
    main()

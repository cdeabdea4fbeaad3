"""Benchmark of the book build: median wall time of full builds and of cached rebuilds.

A *full* build starts from an empty output folder (nothing parsed, notebooks executed); a
*cached* build runs again into the same folder with no source changed, which is what an author
pays after each edit. Run from anywhere:

    python scripts/bench_book.py [--runs 3]

It prints the median of each, every single time, and the ratio cached/full measured in the same
run. Build output goes to temporary folders; the repository's own ``_build/`` is not touched.
"""

from __future__ import annotations

import argparse
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


def build(output: Path) -> float:
    """One build into ``output``; seconds of wall time. Exits if the build fails."""
    cmd = [jupyter_book(), "build", str(REPO), "--path-output", str(output), "-W", "-n", "--keep-going"]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, cwd=REPO)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"error: book build failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    return elapsed


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
    f, c = statistics.median(full), statistics.median(cached)
    print(f"book: {pages} pages, {args.runs} runs each")
    print(f"full build   median {f:6.2f} s   runs: {', '.join(f'{x:.2f}' for x in full)}")
    print(f"cached build median {c:6.2f} s   runs: {', '.join(f'{x:.2f}' for x in cached)}")
    print(f"cached / full = {c / f:.2f}")


if __name__ == "__main__":
    main()

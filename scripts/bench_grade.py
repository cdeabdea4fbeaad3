"""Benchmark: ``kubecourse grade`` against serial ``nbgrader autograde`` on one class.

Builds a throwaway course from the first-pod lab, generates SUBMISSIONS submissions (the release
notebook plus one of the lab's snapshot fixtures each: solution, starter and every failure mode,
in turn), then times, in alternating order, each command on its own fresh copy of that course:

- ``nbgrader autograde first-pod --force`` (nbgrader's one-at-a-time grading in a kernel per
  notebook: the baseline);
- ``kubecourse grade first-pod --no-feedback`` (the same result recorded: the lab's checks run in
  the grader process, no kernel).

With ``--feedback`` it also times ``nbgrader autograde`` + ``nbgrader generate_feedback``
against ``kubecourse grade`` with its feedback pages. It prints the median wall time of each,
CPU seconds, the ratio to the baseline, and whether every gradebook holds identical scores for
every cell (exit 1 if not).

    python scripts/bench_grade.py                 # 40 submissions, 3 runs
    python scripts/bench_grade.py --runs 1 --submissions 10 --feedback
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

LAB = "first-pod"
BIN = Path(sys.executable).parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=4, help="kubecourse grade --jobs")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--feedback", action="store_true", help="also compare with feedback generation")
    args = parser.parse_args()

    from autograder.course import build_course
    from coursecore import labs

    lab = labs.find(LAB)
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as tmp:
        pristine = Path(tmp) / "pristine"
        print(f"building a {LAB} course with {args.submissions} submissions in {tmp} ...", flush=True)
        build_course(pristine, lab_ids=[LAB], validate=False)
        fixtures = sorted((lab.path / "tests" / "snapshots").glob("*.yaml"))
        for i in range(args.submissions):
            folder = pristine / "submitted" / f"student{i:03d}" / LAB
            folder.mkdir(parents=True)
            shutil.copy(pristine / "release" / LAB / f"{LAB}.ipynb", folder)
            shutil.copy(fixtures[i % len(fixtures)], folder / "snapshot.yaml")

        serial = [str(BIN / "nbgrader"), "autograde", LAB, "--force"]
        ours = [str(BIN / "kubecourse"), "grade", LAB, "--course", ".", "--jobs", str(args.jobs), "--json"]
        variants = {
            "nbgrader autograde (serial)": [serial],
            "kubecourse grade --no-feedback": [[*ours, "--no-feedback"]],
        }
        if args.feedback:
            variants["nbgrader autograde + generate_feedback"] = [
                serial,
                [str(BIN / "nbgrader"), "generate_feedback", LAB, "--force"],
            ]
            variants["kubecourse grade (with feedback)"] = [ours]
        times: dict[str, list[float]] = {name: [] for name in variants}
        cpu_times: dict[str, list[float]] = {name: [] for name in variants}
        scores: dict[str, dict] = {}
        names = list(variants)
        for run in range(args.runs):
            order = names if run % 2 == 0 else names[::-1]  # alternate, so neither always runs warm
            for name in order:
                course = Path(tmp) / f"run{run}-{names.index(name)}"
                shutil.copytree(pristine, course)
                seconds, cpu = _time(variants[name], course)
                times[name].append(seconds)
                cpu_times[name].append(cpu)
                scores[name] = _scores(course)
                print(f"  run {run + 1}: {name}: {seconds:.2f} s wall, {cpu:.2f} s CPU", flush=True)
                shutil.rmtree(course)

    baseline = statistics.median(times[names[0]])
    print(
        f"\n{args.submissions} submissions, {os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f}, "
        f"median of {args.runs} run(s):"
    )
    best_baseline = min(times[names[0]])
    for name in names:
        median, best = statistics.median(times[name]), min(times[name])
        cpu = statistics.median(cpu_times[name])
        print(
            f"  {name:42s} {median:7.2f} s wall  x{baseline / median:5.1f} vs serial autograde   "
            f"(best run {best:.2f} s, x{best_baseline / best:.1f})   {cpu:6.2f} s CPU"
        )
    pairs = [s / p for s, p in zip(times[names[0]], times[names[1]], strict=True)]
    print(
        f"  per-run ratios serial/kubecourse: {', '.join(f'{r:.1f}' for r in pairs)} "
        "(other load on the machine moves these; CPU seconds show the work done)"
    )
    if args.feedback:
        with_fb = statistics.median(times[names[2]]) / statistics.median(times[names[3]])
        print(f"  with feedback on both sides: x{with_fb:.1f}")
    reference = scores[names[0]]
    identical = all(scores[name] == reference for name in names)
    graded = sum(1 for cells in reference.values() if cells)
    print(f"  grades identical across all variants: {'yes' if identical else 'NO'} ({graded} submissions compared)")
    return 0 if identical else 1


def _time(commands: list[list[str]], course: Path) -> tuple[float, float]:
    """Wall seconds, and CPU seconds of the command and everything it started (kernels included)."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    for command in commands:
        done = subprocess.run(command, cwd=course, env=env, capture_output=True, text=True, timeout=3600)
        if done.returncode not in (0, 1):
            sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _scores(course: Path) -> dict[str, dict[str, float | None]]:
    from nbgrader.api import Gradebook

    result = {}
    with Gradebook(f"sqlite:///{course}/gradebook.db", "kubecourse") as gb:
        for submission in gb.assignment_submissions(LAB):
            result[submission.student_id] = {
                (nb.name, g.name): g.score for nb in submission.notebooks for g in nb.grades
            }
    return result


if __name__ == "__main__":
    sys.exit(main())

"""The baselines benchmark (scripts/bench_salmon_baselines.py): honest scores, a greedy that is right, optional solvers.

Runs on instances generated here (the fragbench data is not part of a clone). LKH-3 and OR-Tools
are the optional extra ``kubecourse[baselines]``: where they are installed the end-to-end test
checks their rows; a second run hides them and checks that they are skipped with a message.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from salmon_algorithm.generate import generate
from salmon_algorithm.instance import DNA_K, parse_instance

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "bench_salmon_baselines.py"


@pytest.fixture(scope="module")
def bench():
    name = "_bench_salmon_baselines"
    spec = importlib.util.spec_from_file_location(name, SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    del sys.modules[name]


@pytest.fixture
def generated(tmp_path):
    """A generated instance written as the lab writes one: the matrix and its true layout beside it."""
    made = generate(genome_length=600, coverage=4, fragment_length=80, seed=11)
    path = tmp_path / "gen.txt"
    path.write_text(made.matrix_text())
    path.with_name("gen.txt.layout.json").write_text(json.dumps({"true-score": made.true_score}))
    return path, made


def test_greedy_joins_the_largest_overlaps_into_one_layout(bench):
    # Fragments 0 -> 1 -> 2 overlap by 50 and 40; 2 -> 0 (30) would close a cycle and is refused.
    overlaps = {(0, 1): 50, (1, 2): 40, (2, 0): 30, (1, 0): 5}
    cost = np.full((4, 4), DNA_K, dtype=np.float64)
    for (i, j), overlap in overlaps.items():
        cost[i, j] = DNA_K - overlap
    tour = bench.greedy_tour(cost)
    assert tour == [3, 0, 1, 2]
    assert bench.score_of_tour(parse_instance_from(cost), tour) == 90


def parse_instance_from(cost: np.ndarray):
    text = f"{cost.shape[0]}\n" + "\n".join(" ".join(str(int(v)) for v in row) for row in cost)
    return parse_instance(text, name="m")


def test_greedy_gives_a_layout_within_the_bounds_of_any_layout(bench, generated):
    path, made = generated
    instance = parse_instance(path.read_text(), name="gen")
    tour = bench.greedy_tour(instance.cost)
    assert sorted(tour) == list(range(instance.n)) and tour[0] == instance.n - 1
    overlaps = DNA_K - instance.cost[:-1, :-1]
    np.fill_diagonal(overlaps, 0)
    # No layout overlaps more than every fragment's best successor; greedy comes close on these.
    bound = overlaps.max(axis=1).sum()
    assert 0.8 * made.true_score <= bench.score_of_tour(instance, tour) <= bound


def run(args: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=600, env=env or dict(os.environ)
    )


def test_end_to_end_table_figure_and_record(tmp_path, generated):
    path, made = generated
    figure, record = tmp_path / "quality.svg", tmp_path / "baselines.json"
    record.write_text(json.dumps({"other.txt": {"best-known": 1}}))  # merged, not replaced
    proc = run(
        [
            "--instances",
            str(path),
            "--seeds",
            "2",
            "--ortools-seconds",
            "0.2",
            "--lkh-runs",
            "1",
            "--figure",
            str(figure),
            "--record",
            str(record),
        ]
    )
    assert proc.returncode == 0, proc.stderr
    # Columns: instance (9), method (17), then runs, score, best, known, gap, cpu s, wall s.
    rows = {line[10:27].strip(): line[27:].split() for line in proc.stdout.splitlines() if line.startswith("gen ")}
    assert {"greedy", "salmon", "salmon best of N"} <= rows.keys()
    assert rows["salmon"][0] == rows["salmon best of N"][0] == "2"  # two seeds
    for installed, method in (
        (importlib.util.find_spec("elkai"), "lkh"),
        (importlib.util.find_spec("ortools"), "or-tools"),
    ):
        assert (method in rows) == (installed is not None)
    assert figure.read_text().lstrip().startswith("<?xml") and "<svg" in figure.read_text()
    data = json.loads(record.read_text())
    assert data["other.txt"] == {"best-known": 1}
    entry = data["gen.txt"]
    assert entry["best-known"] >= made.true_score
    assert entry["greedy"]["score"] == int(rows["greedy"][2])
    if "lkh" in rows:
        assert entry["lkh"]["method"].startswith("LKH-3") and entry["lkh"]["score"] <= entry["best-known"]


def test_missing_solvers_are_skipped_with_a_message(tmp_path, generated):
    path, _ = generated
    hidden = tmp_path / "hide"
    for module in ("elkai", "ortools"):
        (hidden / module).mkdir(parents=True)
        (hidden / module / "__init__.py").write_text(f"raise ImportError('{module} hidden by the test')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(hidden), os.environ.get("PYTHONPATH")]))}
    proc = run(["--instances", str(path), "--seeds", "1", "--json"], env)
    assert proc.returncode == 0, proc.stderr
    assert "elkai is not installed, so LKH-3 is skipped (pip install 'kubecourse[baselines]')" in proc.stderr
    assert "ortools is not installed, so OR-Tools is skipped" in proc.stderr
    methods = {o["method"] for o in json.loads(proc.stdout)["outcomes"]}
    assert methods == {"greedy", "salmon", "salmon best of N"}


def test_a_tsp_or_missing_instance_is_refused(tmp_path):
    tsp = tmp_path / "square.txt"
    tsp.write_text("4\n1 0 0\n2 3 0\n3 3 4\n4 0 4\n")
    proc = run(["--instances", str(tsp)])
    assert proc.returncode != 0 and "compares DNA assemblies" in proc.stderr
    proc = run(["--instances", str(tmp_path / "none.txt")])
    assert proc.returncode != 0 and "no instance" in proc.stderr

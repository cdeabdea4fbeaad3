"""Collecting per-seed results (salmon_algorithm.collect): best run, mean, spread, honesty."""

from __future__ import annotations

import json

import pytest
from salmon_algorithm.collect import main
from salmon_algorithm.generate import generate
from salmon_algorithm.instance import parse_instance
from salmon_algorithm.search import Parameters, solve

FAST = Parameters(generations=15, population=30, survival=6, elite=2)


@pytest.fixture
def runs(tmp_path):
    """An instance file and a folder of real results for seeds 1..4."""
    text = generate(genome_length=300, coverage=4, fragment_length=60, seed=2).matrix_text()
    (tmp_path / "gen.txt").write_text(text)
    instance = parse_instance(text, name="gen.txt")
    folder = tmp_path / "results"
    folder.mkdir()
    results = [solve(instance, FAST, seed).as_json() for seed in (1, 2, 3, 4)]
    for result in results:
        (folder / f"{result['seed']}.json").write_text(json.dumps(result))
    (folder / ".5.json.tmp").write_text("half a fi")  # a run still writing: ignored
    return tmp_path, folder, results


def test_prints_best_seed_mean_and_spread(runs, capsys):
    root, folder, results = runs
    assert main([str(folder), "--instance", str(root / "gen.txt"), "--params-dir", str(root / "params")]) == 0
    summary = json.loads(capsys.readouterr().out)
    scores = {r["seed"]: r["score"] for r in results}
    best = max(scores.values())
    assert summary["best-score"] == best and scores[summary["best-seed"]] == best
    assert summary["best-seed"] == min(s for s, v in scores.items() if v == best)
    assert summary["runs"] == 4
    assert summary["mean"] == pytest.approx(sum(scores.values()) / 4, abs=1e-3)
    assert (root / "params" / "best-score").read_text() == f"{best}\n"
    assert (root / "params" / "best-seed").read_text() == f"{summary['best-seed']}\n"


def test_tsp_results_prefer_the_shortest(tmp_path, capsys):
    for seed, score in ((1, 10.5), (2, 9.25), (3, 12.0)):
        (tmp_path / f"{seed}.json").write_text(json.dumps({"seed": seed, "score": score, "format": "tsp"}))
    assert main([str(tmp_path)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["best-score"], summary["best-seed"], summary["runs"]) == (9.25, 2, 3)


def test_a_tampered_result_is_caught_with_the_instance(runs, capsys):
    root, folder, results = runs
    forged = {**results[0], "score": results[0]["score"] + 500}
    (folder / "1.json").write_text(json.dumps(forged))
    assert main([str(folder), "--instance", str(root / "gen.txt")]) == 2
    err = capsys.readouterr().err
    assert "1.json" in err and "does not check out" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "no *.json result files"),
        ({"1.json": "{not json"}, "not a JSON result"),
        ({"1.json": "[1, 2]"}, "expected a JSON object"),
        ({"1.json": '{"seed": "one", "score": 3}'}, "seed is missing"),
        ({"1.json": '{"seed": 1}'}, "score is missing"),
        (
            {
                "1.json": '{"seed": 1, "score": 3, "instance": "a"}',
                "2.json": '{"seed": 2, "score": 3, "instance": "b"}',
            },
            "mix instances",
        ),
    ],
)
def test_bad_folders_are_one_line_errors(files, message, tmp_path, capsys):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_missing_folder_is_an_error(tmp_path, capsys):
    assert main([str(tmp_path / "nowhere")]) == 2
    assert "is not a folder" in capsys.readouterr().err

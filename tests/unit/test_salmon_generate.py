"""The instance generator (salmon_algorithm.generate): reproducible instances with a known truth."""

from __future__ import annotations

import json

import pytest
from salmon_algorithm.generate import generate, main, overlap_matrix
from salmon_algorithm.instance import DNA_K, read_instance, tour_length


def brute_overlap(a: str, b: str, minimum: int) -> int:
    return max((k for k in range(minimum, min(len(a), len(b))) if a[-k:] == b[:k]), default=0)


def test_overlaps_are_longest_suffix_prefix_matches():
    fragments = ["ACGTACGT", "TACGTTTT", "GTTTTACG", "CGTACGTA", "AAAAAAAA"]
    matrix = overlap_matrix(fragments, min_overlap=2)
    for a, fa in enumerate(fragments):
        for b, fb in enumerate(fragments):
            assert matrix[a, b] == (0 if a == b else brute_overlap(fa, fb, 2)), (fa, fb)


def test_fragments_come_from_the_genome_and_the_truth_is_consistent():
    generated = generate(genome_length=500, coverage=5, fragment_length=100, seed=4)
    count = len(generated.layout)
    assert count == 25 and sorted(generated.layout) == list(range(count))
    starts = [generated.starts[f] for f in generated.layout]
    assert starts == sorted(starts) and starts[0] == 0 and starts[-1] == 400
    # Consecutive true fragments overlap by at least their shared stretch of genome.
    for a, b in zip(generated.layout, generated.layout[1:], strict=False):
        shared = 100 - (generated.starts[b] - generated.starts[a])
        assert generated.overlaps[a, b] >= (shared if shared >= 8 else 0)
    assert generated.layout != sorted(generated.layout)  # the numbering does not give the answer away


def test_same_arguments_same_files_and_the_truth_scores_as_written(tmp_path, capsys):
    args = ["--genome-length", "600", "--coverage", "4", "--fragment-length", "120", "--seed", "9"]
    assert main([*args, "-o", str(tmp_path / "a.txt")]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert main([*args, "-o", str(tmp_path / "b.txt")]) == 0
    assert (tmp_path / "a.txt").read_text() == (tmp_path / "b.txt").read_text()
    truth = json.loads((tmp_path / "a.txt.layout.json").read_text())
    instance = read_instance(tmp_path / "a.txt")
    assert instance.n == truth["vertices"] == truth["fragments"] + 1 == summary["vertices"]
    dummy = instance.n - 1
    length = tour_length(instance.cost, [dummy, *truth["layout"]])
    assert length == truth["best-known-length"] == instance.n * DNA_K - truth["true-score"]
    assert len(truth["genome"]) == 600 and truth["seed"] == 9


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--genome-length", "100", "--coverage", "2", "--fragment-length", "200"], "--fragment-length"),
        (["--genome-length", "100", "--coverage", "0", "--fragment-length", "20"], "--coverage"),
        (["--genome-length", "100", "--coverage", "90", "--fragment-length", "20"], "do not fit"),
        (
            ["--genome-length", "100", "--coverage", "2", "--fragment-length", "20", "--min-overlap", "20"],
            "--min-overlap",
        ),
    ],
)
def test_impossible_sizes_are_one_line_errors(args, message, tmp_path, capsys):
    assert main([*args, "--seed", "1", "-o", str(tmp_path / "x.txt")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
    assert not (tmp_path / "x.txt").exists()

"""Reading, validating and scoring Salmon-algorithm instances (salmon_algorithm.instance)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from salmon_algorithm.errors import InstanceError, ResultMismatch
from salmon_algorithm.instance import (
    DNA_K,
    layout_of,
    parse_instance,
    read_instance,
    score_of,
    tour_length,
    verify,
)

TSP_SQUARE = "4\n1 0 0\n2 3 0\n3 3 4\n4 0 4\n"


def dna_text(overlaps: list[list[int]]) -> str:
    """A dna-format instance for the given fragment overlaps, with the dummy appended."""
    n = len(overlaps) + 1
    rows = []
    for i in range(n):
        row = [DNA_K if i == n - 1 or j == n - 1 or i == j else DNA_K - overlaps[i][j] for j in range(n)]
        rows.append(" ".join(map(str, row)))
    return f"{n}\n" + "\n".join(rows) + "\n"


THREE_FRAGMENTS = [[0, 5, 1], [0, 0, 7], [2, 0, 0]]


def test_tsp_reads_coordinates_as_euclidean_costs(tmp_path):
    path = tmp_path / "square.txt"
    path.write_text(TSP_SQUARE)
    inst = read_instance(path)
    assert (inst.format, inst.n, inst.name) == ("tsp", 4, "square.txt")
    assert inst.cost[0, 2] == pytest.approx(5.0)
    assert tour_length(inst.cost, [0, 1, 2, 3]) == pytest.approx(14.0)
    assert score_of(inst, 14.0) == 14.0


def test_dna_reads_matrix_and_scores_total_overlap():
    inst = parse_instance(dna_text(THREE_FRAGMENTS), name="three")
    assert (inst.format, inst.n) == ("dna", 4)
    # Layout 0 -> 1 -> 2 overlaps 5 + 7; the dummy (3) closes the tour at cost K on both sides.
    length = tour_length(inst.cost, [3, 0, 1, 2])
    assert length == 4 * DNA_K - 12
    assert score_of(inst, length) == 12
    assert layout_of(inst, [1, 2, 3, 0]) == [0, 1, 2]


def test_dna_matrix_may_wrap_over_lines():
    text = dna_text(THREE_FRAGMENTS)
    header, body = text.split("\n", 1)
    wrapped = header + "\n" + "\n".join(" ".join(pair) for pair in zip(*[iter(body.split())] * 2, strict=False))
    assert np.array_equal(parse_instance(wrapped, name="w").cost, parse_instance(text, name="t").cost)


def test_three_vertex_files_are_told_apart_by_their_numbering():
    assert parse_instance("3\n1 0 0\n2 1 0\n3 0 1\n", name="t").format == "tsp"
    assert parse_instance("3\n10000 9990 10000\n9990 10000 10000\n10000 10000 10000\n", name="d").format == "dna"


def test_explicit_format_overrides_detection():
    with pytest.raises(InstanceError, match="dna instance needs 16 matrix entries"):
        parse_instance(TSP_SQUARE, name="square", fmt="dna")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("four\n", "not an integer"),
        ("4 4\n", "only the vertex count"),
        ("2\n1 0 0\n2 1 1\n", "must be 3 to"),
        ("4\n1 0 0\n2 3 0\n3 3 4\n", "expected 4 lines"),
        ("4\n1 0 0\n2 3 0\n4 3 4\n3 0 4\n", "starts with '4', expected 3"),
        ("4\n1 0 0\n2 x 0\n3 3 4\n4 0 4\n", "non-numeric"),
        ("4\n1 0 0\n2 nan 0\n3 3 4\n4 0 4\n", "finite"),
        (dna_text(THREE_FRAGMENTS).replace("9995", "99.5"), r"entry \(1, 2\) is '99.5'"),
        (dna_text(THREE_FRAGMENTS).replace("9995", "10001"), r"entry \(1, 2\) is 10001, outside"),
        (dna_text(THREE_FRAGMENTS).replace("9995", "-1"), "outside"),
        ("3\n10000 9990 10000\n9990 10000 9000\n10000 10000 10000\n", "dummy"),
    ],
)
def test_malformed_instances_are_rejected_with_a_clear_message(text, message):
    with pytest.raises(InstanceError, match=message) as caught:
        parse_instance(text, name="bad")
    assert "\n" not in str(caught.value)
    assert 'instance "bad"' in str(caught.value)


def test_unreadable_files_are_rejected(tmp_path):
    with pytest.raises(InstanceError, match="No such file"):
        read_instance(tmp_path / "missing.txt")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"4\n\0\0")
    with pytest.raises(InstanceError, match="binary"):
        read_instance(binary)
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"4\n\xe9")
    with pytest.raises(InstanceError, match="UTF-8"):
        read_instance(latin)
    with pytest.raises(InstanceError, match="unknown format"):
        read_instance(latin, fmt="csv")


def test_files_past_the_size_limit_are_refused_before_reading(tmp_path, monkeypatch):
    import salmon_algorithm.instance as module

    path = tmp_path / "big.txt"
    path.write_text(TSP_SQUARE)
    monkeypatch.setattr(module, "MAX_FILE_BYTES", 10)
    with pytest.raises(InstanceError, match=r"big.txt\": 26 bytes is more than the limit of 10 bytes"):
        read_instance(path)


def test_a_body_far_larger_than_its_header_allows_is_refused_before_splitting():
    text = "3\n" + "1 " * 200_000
    with pytest.raises(InstanceError, match="far more than an instance of 3 vertices needs"):
        parse_instance(text, name="padded")


def test_blank_lines_before_the_header_are_skipped():
    assert parse_instance("\n  \n" + TSP_SQUARE, name="s").n == 4
    with pytest.raises(InstanceError, match="empty"):
        parse_instance(" \n\t\n", name="blank")


def test_tour_length_requires_a_permutation():
    cost = parse_instance(TSP_SQUARE, name="s").cost
    for tour in ([0, 1, 2], [0, 1, 1, 3], [0, 1, 2, 4], "abcd"):
        with pytest.raises(ResultMismatch, match="permutation|vertex numbers"):
            tour_length(cost, tour)


def test_verify_accepts_honest_results_and_names_tampered_ones():
    inst = parse_instance(dna_text(THREE_FRAGMENTS), name="three")
    honest = {"tour": [3, 0, 1, 2], "length": 4 * DNA_K - 12, "score": 12}
    assert verify(inst, honest) == 4 * DNA_K - 12
    with pytest.raises(ResultMismatch, match="reports score 13"):
        verify(inst, {**honest, "score": 13})
    with pytest.raises(ResultMismatch, match="reports length"):
        verify(inst, {**honest, "length": 1})
    with pytest.raises(ResultMismatch, match="lacks tour"):
        verify(inst, {"length": 1, "score": 2})
    tsp = parse_instance(TSP_SQUARE, name="s")
    assert math.isclose(verify(tsp, {"tour": [0, 1, 2, 3], "length": 14.0, "score": 14.0}), 14.0)

"""The "Salmon results" summary (labs/argo-salmon/salmon_results.py): best known score and baseline, from records.

The runs come from the Workflow's nodes (see test_salmon_checks.py); what is compared with them
comes from files recorded with the lab's data, read here from the lab itself and from folders
made for each case (missing, malformed, a record that beats the true layout).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coursecore.lab_package import lab_module

LAB = Path(__file__).resolve().parents[2] / "labs" / "argo-salmon"


@pytest.fixture(scope="module")
def results_module():
    return lab_module(LAB, "salmon_results.py")


def lab_folder(tmp_path: Path, *, layout=None, baselines=None) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    for name, content in (("lab.txt.layout.json", layout), ("baselines.json", baselines)):
        if content is not None:
            (data / name).write_text(content if isinstance(content, str) else json.dumps(content))
    return tmp_path


def test_the_labs_own_instance_is_recorded_with_its_baseline(results_module):
    """The record shipped with the lab: dna30's best known is its true layout, and LKH-3 reaches it."""
    facts = results_module.known(LAB, "/data/dna30.txt")
    assert facts.true_layout == facts.best_known == 1740
    assert facts.baseline is not None and facts.baseline.method.startswith("LKH-3")
    assert facts.baseline.score == 1740 and facts.baseline.cpu_seconds >= 0


def test_a_recorded_score_above_the_true_layout_is_the_best_known(results_module, tmp_path):
    folder = lab_folder(
        tmp_path,
        layout={"true-score": 100},
        baselines={
            "lab.txt": {
                "best-known": 104,
                "best-known-source": "found here by lkh",
                "lkh": {"method": "LKH-3 (elkai, 10 runs)", "score": 104, "cpu-seconds": 0.01},
            }
        },
    )
    facts = results_module.known(folder, "lab.txt")
    assert (facts.true_layout, facts.best_known, facts.source) == (100, 104, "found here by lkh")
    assert facts.baseline.score == 104


def test_the_true_layout_wins_over_a_lower_record(results_module, tmp_path):
    folder = lab_folder(tmp_path, layout={"true-score": 100}, baselines={"lab.txt": {"best-known": 90}})
    facts = results_module.known(folder, "lab.txt")
    assert (facts.best_known, facts.source, facts.baseline) == (100, "the true layout", None)


@pytest.mark.parametrize(
    ("layout", "baselines"),
    [
        (None, None),
        ("{not json", "[1, 2]"),
        ({"true-score": "100"}, {"lab.txt": {"best-known": True, "lkh": {"method": "x", "score": 1.5}}}),
        ({"true-score": None}, {"lab.txt": "104"}),
    ],
)
def test_missing_or_malformed_records_mean_unknown_not_a_crash(results_module, tmp_path, layout, baselines):
    facts = results_module.known(lab_folder(tmp_path, layout=layout, baselines=baselines), "lab.txt")
    assert (facts.true_layout, facts.best_known, facts.baseline) == (None, None, None)


def test_an_instance_without_a_name_knows_nothing(results_module):
    assert results_module.known(LAB, None) == results_module.Known()


def test_the_summary_rows_and_json_carry_best_known_and_baseline():
    from kubecourse.results import salmon_summary

    summary = salmon_summary(snapshot=LAB / "tests" / "snapshots" / "solution.yaml")
    rows = dict(summary.rows())
    assert rows["best known score"].startswith("1740 (")
    assert rows["true layout score"] == "1740"
    assert rows["baseline"].startswith("LKH-3 (elkai, 10 runs): 1740 in ")
    data = summary.to_json()
    assert data["best-known"] == 1740 and data["true-layout"] == 1740
    assert data["baseline"]["method"].startswith("LKH-3") and data["baseline"]["score"] == 1740
    assert "cpu-seconds" in data["baseline"]

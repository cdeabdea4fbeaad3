"""The complete checks.py the author guide shows is a working lab: full marks for a good Job,
one root cause for a Job in the wrong namespace, a hidden check that teaches."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from autograder import MemoryState, load_checks, run_checks

GUIDE = Path(__file__).resolve().parents[2] / "book" / "author-guide.md"

JOB = {
    "apiVersion": "batch/v1",
    "kind": "Job",
    "metadata": {"name": "sweep", "namespace": "sweep", "labels": {"kueue.x-k8s.io/queue-name": "team"}},
    "spec": {
        "completionMode": "Indexed",
        "completions": 5,
        "template": {
            "spec": {"containers": [{"name": "run", "resources": {"requests": {"cpu": "250m", "memory": "32Mi"}}}]}
        },
    },
    "status": {
        "succeeded": 5,
        "completedIndexes": "0-4",
        "conditions": [{"type": "Complete", "status": "True"}],
    },
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    section = GUIDE.read_text(encoding="utf-8").split("## Writing checks", 1)[1]
    source = re.search(r"^```python\n(.*?)^```", section, re.S | re.M).group(1)
    folder = tmp_path_factory.mktemp("labs") / "queue-sweep"
    folder.mkdir()
    (folder / "lab.yaml").write_text(
        "id: queue-sweep\ntitle: A sweep\ntier: advanced\nminutes: 45\nsummary: A sweep through a queue.\n"
    )
    (folder / "checks.py").write_text(source)
    return folder


def test_the_example_declares_its_checks_in_order(lab):
    assert [c.id for c in load_checks(lab).checks] == ["job-exists", "indexed", "requests", "queued", "completed"]


def test_a_good_job_earns_full_marks(lab):
    report = run_checks(lab, MemoryState([JOB]))
    assert report.passed and report.score == report.max_score == 7, report.to_json()


def test_a_job_in_the_wrong_namespace_is_one_root_cause(lab):
    elsewhere = copy.deepcopy(JOB)
    elsewhere["metadata"]["namespace"] = "default"
    checks = run_checks(lab, MemoryState([elsewhere])).to_json()["checks"]
    assert checks[0]["message"] == "found Job sweep in namespace default, expected sweep"
    assert [c["consequence_of"] for c in checks[1:]] == ["job-exists"] * 4


def test_the_hidden_check_shows_its_hint_not_its_rule(lab):
    unlabelled = copy.deepcopy(JOB)
    del unlabelled["metadata"]["labels"]
    queued = run_checks(lab, MemoryState([unlabelled])).to_json()["checks"][3]
    assert queued["message"] == "hidden check did not pass"
    assert "Kueue knows which queue" in queued["hint"] and "team" not in queued["hint"]


def test_partial_objects_name_what_differs(lab):
    small = copy.deepcopy(JOB)
    small["spec"]["completions"] = 3
    indexed = run_checks(lab, MemoryState([small])).to_json()["checks"][1]
    assert (
        indexed["message"] == "Job sweep differs from what is expected in spec; completions: expected at least 5, got 3"
    )

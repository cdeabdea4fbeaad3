"""Every lab linted with ``manifests``: its reference manifests lint clean, its snapshot fixtures
are valid Kubernetes objects, each fixture passes exactly the checks ``tests/expected.yaml``
names, and its notebook mirrors its checks."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from autograder import load_snapshot, run_checks
from autograder.lab_notebook import declared_checks, read_lab_notebook, verify
from autograder.lint.manifests import lint_file, schema_problems
from kubecourse.labs import discover

LABS = [lab for lab in discover() if lab.grading.lint == "manifests"]
IDS = [lab.id for lab in LABS]


def _snapshots():
    for lab in LABS:
        for path in sorted((lab.path / "tests" / "snapshots").glob("*.yaml")):
            yield pytest.param(lab, path, id=f"{lab.id}/{path.name}")


def _expected(lab) -> dict:
    return yaml.safe_load((lab.path / "tests" / "expected.yaml").read_text()) or {}


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_reference_solution_lints_clean(lab):
    files = sorted((lab.path / "solution").glob("*.yaml"))
    assert files, f"{lab.id} has no solution manifests"
    for path in files:
        report = lint_file(path, lab=lab)
        assert report.ok, report.lines()


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_every_snapshot_has_an_expectation_and_back(lab):
    names = {p.name for p in (lab.path / "tests" / "snapshots").glob("*.yaml")}
    assert {"solution.yaml", "starter.yaml"} <= names
    assert set(_expected(lab)) == names


@pytest.mark.parametrize(("lab", "path"), list(_snapshots()))
def test_snapshot_objects_are_valid_kubernetes_objects(lab, path):
    for obj in _items(path):
        spec_only = {k: v for k, v in obj.items() if k != "status"}
        assert schema_problems(spec_only) == [], (obj.get("kind"), obj.get("metadata", {}).get("name"))


def _items(path: Path) -> list[dict]:
    doc = yaml.safe_load(path.read_text())
    return doc.get("items") or []


@pytest.mark.parametrize(("lab", "path"), list(_snapshots()))
def test_snapshot_passes_exactly_the_expected_checks(lab, path):
    want = _expected(lab)[path.name]
    report = run_checks(lab, load_snapshot(path))
    passed = want["passed"] if isinstance(want, dict) else (want or [])
    assert report.passed_ids() == set(passed), [(r.check.id, r.status, r.message) for r in report.checks]
    if isinstance(want, dict) and "score" in want:
        assert report.score == pytest.approx(want["score"], abs=1e-3)
    if path.name == "solution.yaml":
        assert report.score == report.max_score
    if path.name == "starter.yaml":
        assert report.score == 0


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_notebook_mirrors_the_checks(lab):
    verify(lab, read_lab_notebook(lab), declared_checks(lab))

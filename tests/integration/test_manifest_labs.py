"""Every lab linted with ``manifests``: its reference manifests lint clean, the objects in its
snapshot fixtures are valid Kubernetes objects (strict schema, status aside), and its notebook
mirrors its checks. (Which checks each fixture passes: tests/integration/test_lab_snapshots.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from autograder.lab_notebook import declared_checks, read_lab_notebook, verify
from autograder.lint.manifests import lint_file, schema_problems
from kubecourse.labs import discover

LABS = [lab for lab in discover() if lab.grading.lint == "manifests"]
IDS = [lab.id for lab in LABS]


def _snapshots():
    for lab in LABS:
        for path in sorted((lab.path / "tests" / "snapshots").glob("*.yaml")):
            yield pytest.param(lab, path, id=f"{lab.id}/{path.name}")


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_reference_solution_lints_clean(lab):
    files = sorted((lab.path / "solution").glob("*.yaml"))
    assert files, f"{lab.id} has no solution manifests"
    for path in files:
        report = lint_file(path, lab=lab)
        assert report.ok, report.lines()


@pytest.mark.parametrize(("lab", "path"), list(_snapshots()))
def test_snapshot_objects_are_valid_kubernetes_objects(lab, path):
    for obj in _items(path):
        spec_only = {k: v for k, v in obj.items() if k != "status"}
        assert schema_problems(spec_only) == [], (obj.get("kind"), obj.get("metadata", {}).get("name"))


def _items(path: Path) -> list[dict]:
    doc = yaml.safe_load(path.read_text())
    return doc.get("items") or []


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_notebook_mirrors_the_checks(lab):
    verify(lab, read_lab_notebook(lab), declared_checks(lab))


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_the_starter_is_not_yet_a_valid_answer(lab):
    # Every lab's starter has something the learner must fix that the linter can already see
    # (TODOs in the batch labs, a Service that selects nothing in troubleshooting).
    reports = [lint_file(path, lab=lab) for path in sorted((lab.path / "starter").glob("*.yaml"))]
    assert reports and any(not r.ok for r in reports)

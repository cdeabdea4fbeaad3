"""Every lab linted with ``manifests``: its reference manifests lint clean, the objects in its
snapshot fixtures are valid Kubernetes objects (strict schema, status aside). (Which checks each
fixture passes: tests/integration/test_lab_snapshots.py; the notebooks: test_lab_notebooks.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from manifest_lab_tools import IDS, LABS, kustomize, kustomize_tree, overlays

from manifestlint import containers, lint_file, lint_object


def _snapshots():
    for lab in LABS:
        for path in sorted((lab.path / "tests" / "snapshots").glob("*.yaml")):
            yield pytest.param(lab, path, id=f"{lab.id}/{path.name}")


def solution_files(lab, tmp_path: Path) -> list[Path]:
    """What a learner would lint: the manifests, or for a kustomize lab each overlay's
    kustomization.yaml and its built output."""
    root = kustomize_tree(lab, tmp_path)
    if root is None:
        return sorted((lab.path / "solution").glob("*.yaml"))
    files = []
    for overlay in overlays(lab, root):
        built = overlay / "built.yaml"
        built.write_text(kustomize(overlay))
        files += [overlay / "kustomization.yaml", built]
    return files


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_reference_solution_lints_clean(lab, tmp_path):
    files = solution_files(lab, tmp_path)
    assert files, f"{lab.id} has no solution manifests"
    for path in files:
        report = lint_file(path, lab=lab)
        assert report.ok, report.lines()


@pytest.mark.parametrize(("lab", "path"), list(_snapshots()))
def test_snapshot_objects_are_valid_kubernetes_objects(lab, path):
    for obj in _items(path):
        spec_only = {k: v for k, v in obj.items() if k != "status"}
        schema = [f for f in lint_object(spec_only) if f.rule in ("unknown-field", "required", "type", "enum")]
        assert schema == [], (obj.get("kind"), obj.get("metadata", {}).get("name"))


def _items(path: Path) -> list[dict]:
    doc = yaml.safe_load(path.read_text())
    return doc.get("items") or []


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_the_starter_is_not_yet_a_valid_answer(lab):
    # Every lab's starter has something the learner must fix that the linter can already see
    # (TODOs in the batch labs, a Service that selects nothing in troubleshooting).
    reports = [
        lint_file(path, lab=lab)
        for path in sorted((lab.path / "starter").rglob("*.yaml"))
        if path.name == "kustomization.yaml" or not any((lab.path / "starter").rglob("kustomization.yaml"))
    ]
    assert reports and any(not r.ok for r in reports)


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_the_solution_runs_only_declared_images(lab, tmp_path):
    # Declared images are preloaded into the nodes, so the solution runs in a room without a network.
    declared = {image.name for image in lab.cluster.images}
    used = set()
    for path in solution_files(lab, tmp_path):
        for doc in yaml.safe_load_all(path.read_text()):
            if isinstance(doc, dict):
                used |= {c.get("image") for _, c in containers(doc)}
    assert used and used <= declared, f"not in lab.yaml cluster.images: {sorted(used - declared)}"

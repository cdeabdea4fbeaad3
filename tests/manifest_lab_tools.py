"""Helpers for the tests of labs graded with the ``manifests`` linter: which labs, and how a
kustomize lab's repository is assembled and built (as the learner would)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from coursecore.labs import discover

LABS = [lab for lab in discover() if lab.grading.lint == "manifests"]
IDS = [lab.id for lab in LABS]


def kustomize_tree(lab, tmp_path: Path) -> Path | None:
    """For a kustomize lab: the starter with the solution laid over it, as in the learner's repo."""
    if not any((lab.path / "solution").rglob("kustomization.yaml")):
        return None
    root = tmp_path / "repo"
    shutil.copytree(lab.path / "starter", root)
    shutil.copytree(lab.path / "solution", root, dirs_exist_ok=True)
    return root


def overlays(lab, root: Path) -> list[Path]:
    """The solution's kustomization folders, inside the assembled repository ``root``."""
    return [
        root / k.parent.relative_to(lab.path / "solution")
        for k in sorted((lab.path / "solution").rglob("kustomization.yaml"))
    ]


def kustomize(directory: Path) -> str:
    """``kubectl kustomize DIRECTORY`` with the virtualenv's kubectl (kustomize is built in)."""
    kubectl = Path(sys.executable).parent / "kubectl"
    return subprocess.run(
        [str(kubectl), "kustomize", str(directory)], capture_output=True, text=True, check=True, timeout=60
    ).stdout

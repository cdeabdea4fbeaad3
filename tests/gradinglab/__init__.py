"""A tiny, self-contained lab for nbgrader round trips, written into a temporary labs folder.

``toy-pod`` has three checks that exercise what grading must get right: a plain pass/fail
check, a check giving partial credit, and a hidden check whose message and logic must never
reach learner feedback (its failure message carries :data:`HIDDEN_SECRET`), only its hint
(:data:`HIDDEN_HINT`). Snapshots:
``solution`` (4/4 points), ``starter`` (0), ``partial`` (pod exists, image unpinned: 1 + 2 * 0.25).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import yaml

LAB_ID = "toy-pod"
HIDDEN_SECRET = "SECRET-LOGIC-7731"
HIDDEN_HINT = "Label the Pod with the team that runs it."
MAX_SCORE = 4.0
PARTIAL_SCORE = 1.5

CHECKS_PY = f'''\
"""Checks of the toy-pod test lab."""

from autograder.checks import check, fail, ok, partial


@check(id="pod-exists", title="Pod web exists in namespace toy", points=1, hint="kubectl apply -f pod.yaml")
def pod_exists(state):
    return ok("found it") if state.get("Pod", "web", namespace="toy") else fail("no Pod web in namespace toy")


@check(id="image-pinned", title="Pod web runs nginx with a pinned tag", points=2, hint="use nginx:1.27")
def image_pinned(state):
    pod = state.get("Pod", "web", namespace="toy")
    if not pod:
        return fail("no Pod web")
    image = pod["spec"]["containers"][0]["image"]
    if image == "nginx:1.27":
        return ok("pinned")
    if image.startswith("nginx"):
        return partial(0.25, f"image {{image}} is nginx but not pinned to 1.27")
    return fail(f"image {{image}} is not nginx")


@check(id="labelled", title="Hidden: the pod carries the team label", points=1, hidden=True, hint="{HIDDEN_HINT}")
def labelled(state):
    pod = state.get("Pod", "web", namespace="toy")
    labels = (pod or {{}}).get("metadata", {{}}).get("labels") or {{}}
    # {HIDDEN_SECRET}: the hidden rule is that team must equal "research"
    if labels.get("team") == "research":
        return ok()
    return fail("{HIDDEN_SECRET} team label is not research")
'''

LAB_YAML = f"""\
id: {LAB_ID}
title: A toy pod for grading tests
tier: general
minutes: 5
summary: Run one pod.
grading:
  checks: checks.py
  capture:
    - {{apiVersion: v1, kind: Pod, namespace: toy}}
"""


def pod(image: str, labels: dict | None = None) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "web",
            "namespace": "toy",
            "labels": labels or {},
            "creationTimestamp": "2026-01-01T00:00:00Z",
        },
        "spec": {"containers": [{"name": "web", "image": image}]},
    }


SNAPSHOTS = {
    "solution": [pod("nginx:1.27", {"team": "research"})],
    "starter": [],
    "partial": [pod("nginx:latest")],
}
EXPECTED_SCORES = {"solution": MAX_SCORE, "starter": 0.0, "partial": PARTIAL_SCORE}


def snapshot_text(name: str) -> str:
    return yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": SNAPSHOTS[name]}, sort_keys=False)


def notebook():
    """The lab notebook as nbformat, following the grading conventions."""
    import nbformat.v4 as v4

    def test_cell(check_id: str, points: float):
        cell = v4.new_code_cell(f'from autograder.notebook import grade\ngrade("{LAB_ID}", "{check_id}")')
        cell.metadata["nbgrader"] = {
            "grade": True,
            "grade_id": f"check-{check_id}",
            "locked": True,
            "points": points,
            "solution": False,
            "schema_version": 3,
        }
        return cell

    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        v4.new_markdown_cell("# Toy pod\n\nRun a pod called `web` in namespace `toy`."),
        v4.new_code_cell("print('your work happens on the cluster')"),
        test_cell("pod-exists", 1),
        test_cell("image-pinned", 2),
        test_cell("labelled", 1),
        v4.new_code_cell(f'from autograder.notebook import submit\nsubmit("{LAB_ID}")'),
    ]
    return nb


def write_lab(labs_root: Path) -> Path:
    """Write the lab into ``labs_root/toy-pod`` and return its folder."""
    import jupytext

    folder = Path(labs_root) / LAB_ID
    (folder / "tests" / "snapshots").mkdir(parents=True, exist_ok=True)
    (folder / "starter").mkdir(exist_ok=True)
    (folder / "lab.yaml").write_text(LAB_YAML)
    (folder / "checks.py").write_text(CHECKS_PY)
    (folder / "starter" / "pod.yaml").write_text(
        textwrap.dedent("""\
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: toy}
        spec:
          containers:
            - name: web
              image: TODO
        """)
    )
    for name in SNAPSHOTS:
        (folder / "tests" / "snapshots" / f"{name}.yaml").write_text(snapshot_text(name))
    (folder / f"{LAB_ID}.md").write_text(jupytext.writes(notebook(), fmt="md:myst"))
    return folder


def add_submission(course: Path, student: str, snapshot: str | None, *, learner_code: str = "", mutate=None) -> Path:
    """Put a submission in ``course/submitted/<student>/toy-pod/``: the release notebook with
    ``learner_code`` as a cell before the tests (and ``mutate(nb)`` applied), plus a snapshot."""
    import nbformat

    folder = Path(course) / "submitted" / student / LAB_ID
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.read(str(Path(course) / "release" / LAB_ID / f"{LAB_ID}.ipynb"), as_version=4)
    if learner_code:
        nb.cells.insert(2, nbformat.v4.new_code_cell(textwrap.dedent(learner_code)))
    if mutate is not None:
        mutate(nb)
    nbformat.write(nb, str(folder / f"{LAB_ID}.ipynb"))
    if snapshot is not None:
        (folder / "snapshot.yaml").write_text(snapshot_text(snapshot))
    return folder


__all__ = [
    "add_submission",
    "EXPECTED_SCORES",
    "HIDDEN_HINT",
    "HIDDEN_SECRET",
    "LAB_ID",
    "MAX_SCORE",
    "PARTIAL_SCORE",
    "SNAPSHOTS",
    "notebook",
    "pod",
    "snapshot_text",
    "write_lab",
]

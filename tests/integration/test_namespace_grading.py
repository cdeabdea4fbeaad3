"""``kubecourse grade --live`` on the namespace backend: every score comes from the checks run on
the student's live namespace, so a forged snapshot earns nothing."""

from __future__ import annotations

import shutil

import pytest
import yaml

from autograder.course import build_course
from autograder.grading import grade_assignment
from coursecore import labs
from kubecourse.grading_target import live_states_for
from sandbox.namespace import room

pytestmark = pytest.mark.notebook
LAB = "first-pod"


def test_live_grading_ignores_a_forged_snapshot(fake_kube, tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECOURSE_HOME", str(tmp_path / "home"))
    roster = tmp_path / "roster.csv"
    roster.write_text("name\nsol\nforger\n")
    room.class_up(roster, output=tmp_path / "o", kubeconfig=fake_kube.kubeconfig)
    lab = labs.find(LAB)
    pod = yaml.safe_load((lab.path / "solution" / "pod.yaml").read_text())
    pod["metadata"]["namespace"] = "kc-sol"
    fake_kube.server.create(pod)
    fake_kube.server.patch_status(
        "v1",
        "Pod",
        "hello",
        {
            "phase": "Succeeded",
            "containerStatuses": [
                {
                    "name": "hello",
                    "image": "busybox:1.36",
                    "ready": False,
                    "restartCount": 0,
                    "state": {"terminated": {"exitCode": 0}},
                }
            ],
        },
        namespace="kc-sol",
    )
    course = tmp_path / "course"
    build_course(course, lab_ids=[LAB], validate=False)
    for student in ("sol", "forger", "ghost"):  # ghost has no namespace at all
        folder = course / "submitted" / student / LAB
        folder.mkdir(parents=True)
        shutil.copy(course / "release" / LAB / f"{LAB}.ipynb", folder)
        shutil.copy(lab.path / "tests" / "snapshots" / "solution.yaml", folder / "snapshot.yaml")

    result = grade_assignment(course, LAB, jobs=2, with_feedback=False, live=live_states_for(LAB))
    by_student = {s.student: s for s in result.students}
    assert by_student["sol"].score == 7.0 and result.source == "live"
    assert by_student["forger"].score == 0.0  # its snapshot.yaml is the reference solution's
    assert by_student["ghost"].score == 0.0 and "no namespace sandbox" in by_student["ghost"].snapshot_note

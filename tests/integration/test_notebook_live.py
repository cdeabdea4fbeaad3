"""autograder.notebook against a live (fake) cluster: grade reads it, submit snapshots it, and the
snapshot grades the same under autograde."""

from __future__ import annotations

import yaml
from gradinglab import LAB_ID, SNAPSHOTS, write_lab

from autograder import notebook


def test_grade_live_then_submit_then_grade_the_snapshot(fake_kube, tmp_path, monkeypatch, capsys):
    write_lab(tmp_path / "labs")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("KUBECOURSE_LABS", str(tmp_path / "labs"))
    monkeypatch.setenv("KUBECONFIG", str(fake_kube.kubeconfig))
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.chdir(work)
    notebook._cache.clear()
    pod = SNAPSHOTS["solution"][0]
    manifest = {
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "toy"}},
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {k: pod["metadata"][k] for k in ("name", "namespace", "labels")},
                "spec": pod["spec"],
            },
        ],
    }
    fake_kube.kubectl("apply", "-f", "-", input=yaml.safe_dump(manifest))

    live = [notebook.grade(LAB_ID, c) for c in ("pod-exists", "image-pinned", "labelled")]
    assert live == [1.0, 2.0, 1.0]
    assert "graded from live state" in capsys.readouterr().out

    assert notebook.submit(LAB_ID) == work / "snapshot.yaml"
    saved = yaml.safe_load((work / "snapshot.yaml").read_text())
    assert [o["metadata"]["name"] for o in saved["items"]] == ["web"]

    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    fake_kube.kubectl("delete", "pod", "web", "-n", "toy")  # autograde must not look at the cluster
    graded = [notebook.grade(LAB_ID, c) for c in ("pod-exists", "image-pinned", "labelled")]
    assert graded == live
    captured = capsys.readouterr()
    assert "graded from snapshot state" in captured.out
    assert captured.err == ""

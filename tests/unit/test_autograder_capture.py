"""autograder.capture: snapshots hold exactly what a lab captures, in YAML or JSON by suffix."""

from __future__ import annotations

import json

import pytest
import yaml

from autograder import load_snapshot, run_checks
from autograder.capture import capture_objects, write_snapshot
from autograder.state import MemoryState
from coursecore.errors import UsageError


def pod(name, ns, ts, **labels):
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": ns,
            "creationTimestamp": ts,
            "labels": labels,
            "managedFields": [{"manager": "kubectl-client-side-apply"}],
        },
    }


STATE = MemoryState(
    [
        pod("b", "first-pod", "2"),
        pod("a", "first-pod", "1"),
        pod("x", "default", "0"),
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "first-pod"}},
    ]
)


def test_captures_only_what_the_lab_lists():
    names = [(o["kind"], o["metadata"]["name"]) for o in capture_objects("first-pod", STATE)]
    assert names == [("Pod", "a"), ("Pod", "b")]


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json"])
def test_write_by_suffix_and_read_back(tmp_path, suffix):
    out = tmp_path / "sub" / f"snapshot{suffix}"
    assert write_snapshot("first-pod", STATE, out) == 2
    text = out.read_text()
    doc = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    assert doc["apiVersion"] == "v1" and doc["kind"] == "List" and len(doc["items"]) == 2
    assert "managedFields" not in text
    assert len(load_snapshot(out)) == 2
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no temporary left


def test_snapshot_of_a_snapshot_grades_the_same(tmp_path):
    from pathlib import Path

    fixture = Path(__file__).resolve().parents[2] / "labs" / "first-pod" / "tests" / "snapshots" / "cpu-only.yaml"
    original = load_snapshot(fixture)
    write_snapshot("first-pod", original, tmp_path / "again.yaml")
    first = run_checks("first-pod", original).to_json(reveal_hidden=True)
    again = run_checks("first-pod", load_snapshot(tmp_path / "again.yaml")).to_json(reveal_hidden=True)
    assert first == again


def test_lab_without_capture_and_unwritable_output(tmp_path):
    folder = tmp_path / "bare"
    folder.mkdir()
    (folder / "lab.yaml").write_text("id: bare\ntitle: Bare\ntier: general\nminutes: 5\nsummary: s\n")
    with pytest.raises(UsageError, match="declares nothing to capture"):
        write_snapshot(folder, STATE, tmp_path / "s.yaml")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(UsageError, match="failed to write snapshot"):
        write_snapshot("first-pod", STATE, blocker / "s.yaml")

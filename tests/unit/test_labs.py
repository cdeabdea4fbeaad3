"""coursecore.labs: lab.yaml validation names the file and field of every mistake."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from coursecore import labs
from coursecore.errors import UsageError

GOOD = {
    "id": "demo",
    "title": "A demo lab",
    "tier": "general",
    "minutes": 20,
    "summary": "Run a pod.",
    "cluster": {"nodes": 2, "addons": ["argo-workflows"], "namespaces": ["demo"]},
    "grading": {"capture": [{"apiVersion": "v1", "kind": "Pod", "namespace": "demo"}]},
}


def write_lab(root: Path, data: dict, folder: str = "demo") -> Path:
    lab = root / folder
    lab.mkdir(parents=True, exist_ok=True)
    (lab / "lab.yaml").write_text(yaml.safe_dump(data))
    return lab


def test_good_lab_loads(tmp_path):
    write_lab(tmp_path, GOOD)
    lab = labs.find("demo", tmp_path)
    assert lab.cluster.nodes == 2 and lab.cluster.addons == ("argo-workflows",)
    assert lab.grading.capture[0].kind == "Pod" and lab.grading.checks == "checks.py"
    assert lab.cluster.describe() == "2 nodes, argo-workflows, ns demo"
    assert lab.to_json()["cluster"]["namespaces"] == ["demo"]


def test_discover_sorts_and_skips_folders_without_lab_yaml(tmp_path):
    write_lab(tmp_path, {**GOOD, "id": "zeta"}, "zeta")
    write_lab(tmp_path, GOOD)
    (tmp_path / "not-a-lab").mkdir()
    assert [lab.id for lab in labs.discover(tmp_path)] == ["demo", "zeta"]


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"tier": "expert"}, "tier", "expected one of general, intermediate, advanced"),
        ({"minutes": "soon"}, "minutes", "whole number"),
        ({"minutes": True}, "minutes", "whole number"),
        ({"id": "other"}, "id", "folder is 'demo'"),
        ({"id": "Bad_Id"}, "id", "not a lab id"),
        ({"title": ""}, "title", "non-empty string"),
        ({"colour": "red"}, "colour", "not a known field"),
        ({"cluster": {"nodes": 0}}, "cluster.nodes", "from 1 to 8"),
        ({"cluster": {"addons": "argo"}}, "cluster.addons", "must be a list"),
        ({"cluster": {"namespaces": ["Salmon"]}}, "cluster.namespaces[0]", "DNS label"),
        ({"cluster": {"images": [{"build": "x"}]}}, "cluster.images[0].build", "no Dockerfile"),
        ({"cluster": {"images": [{}]}}, "cluster.images[0].name", "is required"),
        (
            {"cluster": {"data": [{"claim": "d", "namespace": "n", "source": "none"}]}},
            "cluster.data[0].source",
            "does not exist",
        ),
        ({"cluster": []}, "cluster", "must be a mapping"),
        ({"cluster": {"manifests": ["setup/missing.yaml"]}}, "cluster.manifests[0]", "is not a file"),
        ({"grading": {"capture": [{"kind": "Pod"}]}}, "grading.capture[0].apiVersion", "is required"),
        (
            {"grading": {"capture": [{"apiVersion": "v1", "kind": "Pod", "ns": "x"}]}},
            "grading.capture[0].ns",
            "not a known field",
        ),
    ],
)
def test_mistakes_name_file_and_field(tmp_path, change, field, words):
    lab = write_lab(tmp_path, {**GOOD, **change})
    with pytest.raises(UsageError) as info:
        labs.load_lab(lab)
    message = str(info.value)
    assert str(lab / "lab.yaml") in message
    assert f"field '{field}'" in message
    assert words in message


def test_missing_required_field(tmp_path):
    data = dict(GOOD)
    del data["summary"]
    with pytest.raises(UsageError, match="field 'summary' is required"):
        labs.load_lab(write_lab(tmp_path, data))


def test_unknown_lab_lists_the_known_ones(tmp_path):
    write_lab(tmp_path, GOOD)
    with pytest.raises(UsageError, match=r"unknown lab 'nope' \(known labs: demo\)"):
        labs.find("nope", tmp_path)


def test_path_like_lab_ids_are_refused(tmp_path):
    with pytest.raises(UsageError, match="invalid lab id"):
        labs.find("../etc", tmp_path)


def test_missing_labs_folder(tmp_path):
    with pytest.raises(UsageError, match="labs folder not found"):
        labs.discover(tmp_path / "nowhere")


def test_every_shipped_lab_is_valid():
    for lab in labs.discover():
        assert lab.path.name == lab.id

"""``kubecourse lint [LAB] PATH...``: exit codes, output, JSON, notes and the next step."""

from __future__ import annotations

import io
import json

import pytest

from kubecourse.cli.main import run

POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: busybox:1.36}]}\n"
WORKFLOW = (
    "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: w-}\n"
    "spec: {entrypoint: main, templates: [{name: main, container: {image: busybox:1.36}}]}\n"
)


def _cli(*args: str) -> int:
    with pytest.raises(SystemExit) as exit_info:
        run(list(args))
    return exit_info.value.code


@pytest.fixture
def files(tmp_path):
    (tmp_path / "pod.yaml").write_text(POD)
    (tmp_path / "wf.yaml").write_text(WORKFLOW)
    (tmp_path / "bad.yaml").write_text(POD.replace("busybox:1.36", "busybox:1.36, imagePullPolicy: Sometimes"))
    (tmp_path / "notyaml.yaml").write_text("a: [1, 2\n")
    return tmp_path


def test_clean_file_suggests_kubectl_apply(files, capsys):
    assert _cli("lint", str(files / "pod.yaml")) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == f"{files / 'pod.yaml'}: no problems found"
    assert f"next: kubectl apply -f {files / 'pod.yaml'}" in captured.err


def test_generate_name_needs_kubectl_create(files, capsys):
    assert _cli("lint", "argo-salmon", str(files / "wf.yaml")) == 1  # the lab asks for requests
    assert _cli("lint", str(files / "wf.yaml")) == 0
    assert f"next: kubectl create -f {files / 'wf.yaml'}" in capsys.readouterr().err


def test_findings_exit_1_and_name_their_line(files, capsys):
    assert _cli("lint", str(files / "bad.yaml")) == 1
    out = capsys.readouterr().out
    assert (
        f"{files / 'bad.yaml'}:4: imagePullPolicy 'Sometimes' is not one of Always, IfNotPresent, Never [enum]" in out
    )


def test_several_files_and_unusable_input_exit_2_and_lose_nothing(files, capsys):
    assert _cli("lint", str(files / "pod.yaml"), str(files / "bad.yaml"), str(files / "notyaml.yaml")) == 2
    captured = capsys.readouterr()
    assert "[enum]" in captured.out  # the other files were still linted
    assert "3 files: 1 problem found in 1 file; 1 could not be linted" in captured.out
    assert "notyaml.yaml: line 2, column 1:" in captured.err and "not valid YAML" in captured.err


def test_json_is_always_valid_json(files, capsys):
    assert _cli("lint", "--json", str(files / "notyaml.yaml"), str(files / "pod.yaml")) == 2
    data = json.loads(capsys.readouterr().out)
    assert data["exit_code"] == 2 and [f["ok"] for f in data["files"]] == [False, True]
    assert "not valid YAML" in data["files"][0]["error"]
    assert _cli("lint", "--json", "no-such-lab", str(files / "pod.yaml")) == 2
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and "unknown lab" in data["error"]


def test_a_folder_and_stdin(files, capsys, monkeypatch):
    assert _cli("lint", str(files)) == 2  # notyaml.yaml is in it
    assert "4 files:" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(POD.encode())))
    assert _cli("lint", "-") == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == "<stdin>: no problems found" and "next:" not in captured.err


def test_lab_scope_note(files, capsys):
    assert _cli("lint", "batch-jobs", str(files / "pod.yaml")) == 0
    assert "note: " in capsys.readouterr().out


def test_a_lab_alone_is_a_usage_error(capsys):
    assert _cli("lint", "first-pod") == 2
    assert "first-pod is a lab; name the files to lint as well" in capsys.readouterr().err

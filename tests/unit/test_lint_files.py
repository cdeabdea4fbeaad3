"""The linter on files and folders: what a file is for (a lab's scope, a kustomization's patch or
base), files it cannot lint (Helm templates, non-YAML), lists, stray nulls, standard input."""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path

import pytest

from coursecore.labs import find
from manifestlint import lint_file, lint_paths, lint_text

POD = """\
apiVersion: v1
kind: Pod
metadata: {name: hello, namespace: batch}
spec:
  restartPolicy: Never
  containers: [{name: hello, image: busybox:1.36, command: [echo, hi]}]
"""

INDEXED_JOB = """\
apiVersion: batch/v1
kind: Job
metadata: {name: sweep, namespace: batch}
spec:
  completionMode: Indexed
  completions: 4
  parallelism: 2
  backoffLimitPerIndex: 1
  activeDeadlineSeconds: 600
  ttlSecondsAfterFinished: 7200
  template:
    spec:
      restartPolicy: Never
      initContainers:
        - name: pick
          image: busybox:1.36
          command: [sh, -c, 'echo "seed $JOB_COMPLETION_INDEX" > /work/seed']
          volumeMounts: [{name: work, mountPath: /work}]
      containers:
        - name: run
          image: busybox:1.36
          command: [sh, -c, "cat /work/seed"]
          volumeMounts: [{name: work, mountPath: /work}]
      volumes: [{name: work, emptyDir: {}}]
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def test_a_file_outside_the_labs_scope_gets_a_note_not_a_pass(tmp_path):
    report = lint_file(_write(tmp_path, "pod.yaml", POD), lab=find("batch-jobs"))
    assert report.ok  # nothing wrong with the Pod itself ...
    assert report.notes == (  # ... but the lab's rules did not apply to it
        "outside the batch-jobs lab: the file holds no Job, the kinds the lab works with, "
        "so only the general rules were applied",
    )
    deployment = POD.replace("kind: Pod", "kind: Deployment").replace("apiVersion: v1", "apiVersion: apps/v1")
    report = lint_file(_write(tmp_path, "d.yaml", deployment), lab=find("first-pod"))
    assert "outside the first-pod lab" in report.notes[0]


def test_the_index_may_be_read_in_an_init_container(tmp_path):
    report = lint_file(_write(tmp_path, "sweep.yaml", INDEXED_JOB), lab=find("batch-jobs"))
    assert report.ok, report.lines()
    no_index = INDEXED_JOB.replace("$JOB_COMPLETION_INDEX", "42")
    report = lint_file(_write(tmp_path, "sweep.yaml", no_index), lab=find("batch-jobs"))
    assert [p.rule for p in report.problems] == ["seed-from-index"]


@pytest.mark.parametrize("policy", ["OnFailure", None])
def test_backoff_limit_per_index_needs_restart_policy_never(tmp_path, policy):
    text = INDEXED_JOB.replace("restartPolicy: Never", f"restartPolicy: {policy}" if policy else "")
    (problem,) = lint_text(text, source="sweep.yaml").problems
    assert problem.rule == "restart-policy"
    assert "backoffLimitPerIndex needs restartPolicy: Never" in problem.message
    assert problem.line == (13 if policy else 12)


def test_kustomize_patch_and_base_files_are_read_for_what_they_are(tmp_path):
    base = tmp_path / "base"
    _write(
        base,
        "kustomization.yaml",
        "resources: [deployment.yaml]\nlabels: [{pairs: {app: web}, includeSelectors: true}]\n",
    )
    _write(
        base,
        "deployment.yaml",
        """\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          template:
            spec: {containers: [{name: web, image: nginx:1.27}]}
        """,
    )
    overlay = tmp_path / "overlays" / "prod"
    _write(
        overlay,
        "kustomization.yaml",
        """\
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources: [../../base]
        namespace: deploy-prod
        patches: [{path: resources.yaml}]
        """,
    )
    _write(
        overlay,
        "resources.yaml",
        """\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          template:
            spec:
              containers:
                - name: web
                  resources: {requests: {cpu: 50m, memory: 32Mi}}
        """,
    )
    run = lint_paths([str(tmp_path)], lab=find("declarative-deploy"))
    assert run.ok, [line for f in run.files for line in f.lines()]
    patch = next(f for f in run.files if f.source.endswith("resources.yaml"))
    assert patch.notes == ("a patch of kustomization.yaml: checked as the partial object it is",)
    assert patch.apply_hint is None
    # A patch is still checked for what it says.
    bad = (overlay / "resources.yaml").read_text().replace("cpu: 50m", "cpu: 50 millicores")
    (overlay / "resources.yaml").write_text(bad)
    assert [p.rule for p in lint_file(overlay / "resources.yaml").problems] == ["quantity"]


def test_helm_templates_must_be_rendered_first(tmp_path):
    chart = tmp_path / "chart"
    _write(chart, "Chart.yaml", "apiVersion: v2\nname: web\nversion: 0.1.0\n")
    template = _write(chart, "templates/deployment.yaml", "metadata:\n  name: {{ .Release.Name }}-web\n")
    report = lint_file(template)
    assert report.error.startswith("line 2 is a Helm template directive: render the chart first")
    run = lint_paths([str(tmp_path)])
    assert run.exit_code == 2  # nothing else to lint: the folder held only the chart
    assert any("is a Helm chart: render its templates first" in n for n in run.notes)
    _write(tmp_path, "pod.yaml", POD)
    run = lint_paths([str(tmp_path)])
    assert run.exit_code == 0 and [f.source for f in run.files] == [str(tmp_path / "pod.yaml")]
    assert lint_paths([str(chart)]).exit_code == 2


def test_an_unquoted_argo_variable_says_to_quote_it():
    report = lint_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: {{item}}\n")
    assert "not valid YAML" in report.error and "must be quoted" in report.error


def test_a_stray_null_document_is_reported_on_its_own_line():
    text = POD + "---\n# a comment\n\n~\n---\n" + POD.replace("hello", "again")
    report = lint_text(text, source="f.yaml")
    assert [(p.document, p.line, p.rule) for p in report.problems] == [(2, 10, "not-an-object")]
    assert report.documents == 3


def test_empty_documents_are_not_mistakes():
    assert lint_text("---\n" + POD + "---\n").ok


def test_json_manifests(tmp_path):
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": 5}]},
    }
    path = tmp_path / "pod.json"
    path.write_text(json.dumps(pod, indent=2))
    assert [(p.line, p.rule, p.path) for p in lint_file(path).problems] == [(11, "type", "spec.containers[0].image")]


def test_folders_are_searched_recursively_in_order(tmp_path):
    _write(tmp_path, "b/pod.yml", POD)
    _write(tmp_path, "a/pod.yaml", POD.replace("hello", "first"))
    _write(tmp_path, "a/notes.txt", "not yaml")
    _write(tmp_path, ".git/config.yaml", "broken: [")
    _write(tmp_path, "c/data.json", json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}))
    run = lint_paths([str(tmp_path)])
    assert [Path(f.source).relative_to(tmp_path).as_posix() for f in run.files] == [
        "a/pod.yaml",
        "b/pod.yml",
        "c/data.json",
    ]
    assert run.ok and run.summary() == "3 files: no problems found"


def test_missing_paths_and_empty_folders_are_unusable_input(tmp_path):
    (tmp_path / "empty").mkdir()
    _write(tmp_path, "pod.yaml", POD)
    run = lint_paths([str(tmp_path / "pod.yaml"), str(tmp_path / "missing.yaml"), str(tmp_path / "empty")])
    assert [f.error is None for f in run.files] == [True, False, False]
    assert run.exit_code == 2 and run.files[0].ok


def test_standard_input(monkeypatch):
    text = POD.replace("command: [echo, hi]", "resources: {limits: {memory: 1G b}}")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    run = lint_paths(["-"])
    (report,) = run.files
    assert report.source == "<stdin>" and [p.rule for p in report.problems] == ["quantity"]
    assert report.apply_hint is None
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"\x00\x01")))
    assert "binary" in lint_paths(["-"]).files[0].error


def test_utf16_from_windows_powershell_is_linted_as_kubectl_reads_it(tmp_path, monkeypatch):
    """PowerShell 5.1's `>` writes UTF-16LE with a BOM; kubectl applies such a file (go-yaml
    decodes UTF-16 by its BOM), so the linter reads it too, on disk and on standard input."""
    path = tmp_path / "pod.yaml"
    path.write_bytes(POD.encode("utf-16"))
    report = lint_file(path)
    assert report.error is None and report.ok, report
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(POD.encode("utf-16"))))
    (stdin,) = lint_paths(["-"]).files
    assert stdin.error is None and stdin.ok

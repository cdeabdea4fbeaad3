"""The linter on Argo Workflows: planted mistakes in the argo-salmon lab's reference workflows,
each caught with its rule, message and line (with the lab's rules, as ``kubecourse lint
argo-salmon FILE`` runs them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from coursecore.errors import UsageError
from coursecore.labs import find
from manifestlint import lint, lint_file
from manifestlint import lint_text as _lint_text

LAB = Path(__file__).resolve().parents[2] / "labs" / "argo-salmon"
DAG = (LAB / "solution" / "workflow-dag.yaml").read_text()
STEPS = (LAB / "solution" / "workflow-steps.yaml").read_text()


def lint_text(text: str, source: str = "workflow.yaml"):
    return _lint_text(text, source=source, lab=find("argo-salmon"))


# (name, base text, old, new, rule, message fragment, text on the line the problem must name)
MISTAKES = [
    (
        "api-v1alpha2",
        DAG,
        "argoproj.io/v1alpha1",
        "argoproj.io/v1alpha2",
        "api-version",
        "'argoproj.io/v1alpha2' does not exist",
        "apiVersion:",
    ),
    (
        "api-v2alpha1",
        STEPS,
        "argoproj.io/v1alpha1",
        "argoproj.io/v2alpha1",
        "api-version",
        "serves only 'argoproj.io/v1alpha1'",
        "apiVersion:",
    ),
    (
        "kind-plural",
        DAG,
        "kind: Workflow",
        "kind: Workflows",
        "unknown-kind",
        "write 'kind: Workflow'",
        "kind: Workflows",
    ),
    (
        "dependancies",
        DAG,
        "dependencies: [run]",
        "dependancies: [run]",
        "unknown-field",
        "did you mean 'dependencies'?",
        "dependancies",
    ),
    ("withitems", DAG, "withItems: [3", "withitems: [3", "unknown-field", "did you mean 'withItems'?", "withitems"),
    (
        "resource-singular",
        DAG,
        "        resources:\n          requests:\n            cpu: 200m",
        "        resource:\n          requests:\n            cpu: 200m",
        "unknown-field",
        "did you mean 'resources'?",
        "resource:",
    ),
    (
        "generatename",
        DAG,
        "generateName: salmon-",
        "generatename: salmon-",
        "unknown-field",
        "did you mean 'generateName'?",
        "generatename",
    ),
    (
        "entrypoint-typo",
        DAG,
        "entrypoint: main",
        "entrypoint: mian",
        "entrypoint",
        "entrypoint 'mian' is not the name of any template",
        "entrypoint: mian",
    ),
    ("entrypoint-missing", DAG, "  entrypoint: main\n", "", "entrypoint", "spec.entrypoint is missing", "spec:"),
    (
        "template-missing",
        DAG,
        "template: collect\n",
        "template: colect\n",
        "template-ref",
        "runs template 'colect', which does not exist",
        "template: colect",
    ),
    (
        "dependency-missing",
        DAG,
        "dependencies: [run]",
        "dependencies: [runs]",
        "dependency",
        "depends on 'runs', which is not a task",
        "dependencies: [runs]",
    ),
    (
        "depends-missing",
        DAG,
        "dependencies: [run]",
        'depends: "run && setup"',
        "dependency",
        "depends on 'setup'",
        "depends:",
    ),
    (
        "cycle",
        DAG,
        "            template: solve\n",
        "            template: solve\n            dependencies: [collect]\n",
        "dependency-cycle",
        "run -> collect -> run",
        "- name: run",
    ),
    (
        "item-no-loop",
        DAG,
        "            withItems: [3, 7, 11, 13, 17, 19, 23, 29]\n",
        "",
        "item-outside-loop",
        "only defined in a step or task with withItems/withParam",
        'value: "{{item}}"',
    ),
    (
        "item-in-container",
        DAG,
        "--seed {{inputs.parameters.seed}}",
        "--seed {{item}}",
        "item-outside-loop",
        "pass the item in as an input parameter",
        "--seed {{item}}",
    ),
    ("no-memory", DAG, "            memory: 256Mi\n", "", "requests", "requests no memory", "    container:"),
    (
        "no-resources",
        DAG,
        "        resources:\n          requests:\n            cpu: 100m\n            memory: 128Mi\n",
        "",
        "requests",
        "template 'collect': the container requests no cpu",
        "      container:\n        image: salmon-solver:1.0\n        imagePullPolicy: IfNotPresent\n        command",
    ),
    (
        "duplicate-step",
        STEPS,
        "        - - name: collect",
        "        - - name: run",
        "duplicate-step",
        "step name 'run' is used twice",
        "- - name: run            # group 3",
    ),
    (
        "duplicate-task",
        DAG,
        "          - name: collect\n",
        "          - name: run\n",
        "duplicate-task",
        "task name 'run' is used twice",
        "          - name: run\n            template: collect",
    ),
    (
        "duplicate-template",
        DAG,
        "\n    - name: collect\n",
        "\n    - name: solve\n",
        "duplicate-template",
        "template name 'solve' is used twice",
        "    - name: solve\n      container:\n        image: salmon-solver:1.0\n"
        "        imagePullPolicy: IfNotPresent\n        command",
    ),
    (
        "dependencies-string",
        DAG,
        "dependencies: [run]",
        "dependencies: run",
        "type",
        "dependencies must be a list, not 'run'",
        "dependencies: run",
    ),
    (
        "quantity",
        DAG,
        "cpu: 200m",
        "cpu: 1 core",
        "quantity",
        "cpu request '1 core' is not a Kubernetes quantity",
        "cpu: 1 core",
    ),
    (
        "input-typo",
        DAG,
        "--seed {{inputs.parameters.seed}}",
        "--seed {{inputs.parameters.sede}}",
        "unknown-input",
        "declares no input parameter 'sede'",
        "--seed {{inputs.parameters.sede}}",
    ),
    (
        "duplicate-key",
        DAG,
        "  arguments:\n",
        "  entrypoint: main\n  arguments:\n",
        "duplicate-key",
        "key 'entrypoint' appears twice",
        "  entrypoint: main\n  arguments:",
    ),
    (
        "steps-not-grouped",
        STEPS,
        "        - - name: seeds              # group 1: make the seeds\n            template: make-seeds\n",
        "        - name: seeds\n          template: make-seeds\n",
        "step-group",
        "two dashes",
        "- name: seeds",
    ),
    (
        "step-ref",
        STEPS,
        "{{steps.seeds.outputs.result}}",
        "{{steps.seed.outputs.result}}",
        "reference",
        "refers to 'seed'",
        "withParam:",
    ),
    (
        "two-volume-sources",
        DAG,
        "        claimName: salmon-data\n",
        "        claimName: salmon-data\n      emptyDir: {}\n",
        "volume",
        "has both persistentVolumeClaim and emptyDir",
        "emptyDir",
    ),
    (
        "mount-without-volume",
        DAG,
        "    - name: lab-data             # created",
        "    - name: work             # created",
        "volume",
        "volumeMount 'lab-data' names no volume",
        "          - name: lab-data\n            mountPath: /data",
    ),
    (
        "no-image",
        DAG,
        "        image: salmon-solver:1.0\n        imagePullPolicy: IfNotPresent   #",
        "        imagePullPolicy: IfNotPresent   #",
        "image",
        "without an image",
        "    container:",
    ),
    (
        "argument-missing",
        DAG,
        "                - name: seed\n",
        "                - name: sead\n",
        "arguments",
        "does not pass parameter 'seed'",
        "          - name: run",
    ),
    (
        "global-param",
        DAG,
        "/data/{{workflow.parameters.instance}}",
        "/data/{{workflow.parameters.instace}}",
        "unknown-parameter",
        "names no parameter in spec.arguments.parameters",
        "/data/{{workflow.parameters.instace}}",
    ),
    (
        "task-output-not-dependency",
        DAG,
        "            dependencies: [run]  # waits for every run(i:seed)\n",
        "            arguments:\n              parameters:\n                - name: x\n"
        '                  value: "{{tasks.run.outputs.parameters.score}}"\n',
        "dependency",
        "does not depend on 'run'",
        "{{tasks.run.outputs.parameters.score}}",
    ),
    (
        "wrong-output-name",
        STEPS,
        "{{steps.seeds.outputs.result}}",
        "{{steps.seeds.outputs.parameters.seed-list}}",
        "reference",
        "declares no output parameter 'seed-list'",
        "withParam:",
    ),
]


def _line_of(text: str, marker: str) -> int:
    assert text.count(marker) >= 1, f"marker {marker!r} not in the mutated file"
    return text[: text.index(marker)].count("\n") + 1 + len(marker) - len(marker.lstrip("\n"))


@pytest.mark.parametrize("base", [DAG, STEPS], ids=["dag", "steps"])
def test_reference_solutions_are_clean(base):
    report = lint_text(base, source="workflow.yaml")
    assert report.ok, report.lines()


def test_enough_distinct_planted_mistakes():
    """At least 20 mistakes, each a different edit expecting a different finding (a copy pasted
    twice under two names would count once)."""
    assert len({m[0] for m in MISTAKES}) == len(MISTAKES), "two mistakes share a name"
    assert len({(m[1], m[2], m[3]) for m in MISTAKES}) == len(MISTAKES), "two mistakes make the same edit"
    assert len({(m[4], m[5]) for m in MISTAKES}) >= 20


@pytest.mark.parametrize(
    ("name", "base", "old", "new", "rule", "fragment", "marker"), MISTAKES, ids=[m[0] for m in MISTAKES]
)
def test_planted_mistake_is_caught(name, base, old, new, rule, fragment, marker):
    assert base.count(old) >= 1, f"{name}: the reference no longer contains {old!r}"
    text = base.replace(old, new, 1)
    report = lint_text(text, source="workflow.yaml")
    matching = [p for p in report.problems if p.rule == rule and fragment in p.message]
    assert matching, f"{name}: expected [{rule}] '{fragment}', got:\n" + "\n".join(report.lines())
    assert matching[0].line == _line_of(text, marker), f"{name}: wrong line\n" + "\n".join(report.lines())


def test_parameter_values_may_be_numbers():
    text = STEPS.replace('value: "8"', "value: 8").replace("memory: 64Mi", "memory: 67108864")
    assert lint_text(text).ok


def test_problem_lines_in_report_and_json(tmp_path):
    path = tmp_path / "workflow.yaml"
    path.write_text(DAG.replace("dependencies: [run]", "dependancies: [run]"))
    report = lint("argo-workflow", path)
    assert not report.ok
    typo = _line_of(path.read_text(), "dependancies: [run]")
    assert report.lines()[0].startswith(f"{path}:{typo}: unknown field 'dependancies'")
    data = report.to_json()
    assert data["ok"] is False and data["file"] == str(path)
    assert data["problems"][0]["path"] == "spec.templates[0].dag.tasks[1].dependancies"


def test_a_list_is_not_a_workflow():
    report = lint_text("- a\n- b\n")
    assert [p.rule for p in report.problems] == ["not-an-object"]


def test_empty_file():
    assert [p.rule for p in lint_text("# nothing\n").problems] == ["empty"]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"a: [1, 2\n", "not valid YAML"),
        (b"\x00\x01binary", "binary"),
        (b"a: &a [1]\n" + b"".join(b"k%d: *a\n" % i for i in range(100)), "alias"),
    ],
    ids=["malformed", "binary", "alias-bomb"],
)
def test_bad_files_are_the_files_error(tmp_path, content, fragment):
    path = tmp_path / "w.yaml"
    path.write_bytes(content)
    report = lint_file(path)
    assert fragment in report.error and not report.ok


def test_missing_file_and_unknown_linter(tmp_path):
    assert "not found" in lint_file(tmp_path / "nope.yaml").error
    with pytest.raises(UsageError, match="unknown linter"):
        lint("argo", tmp_path / "nope.yaml")


def _cli(*args: str) -> int:
    from kubecourse.cli.main import run

    with pytest.raises(SystemExit) as exit_info:
        run(list(args))
    return exit_info.value.code


def test_cli_exit_codes(tmp_path, capsys):
    assert _cli("lint", "argo-salmon", str(LAB / "solution" / "workflow-dag.yaml")) == 0
    assert "no problems found" in capsys.readouterr().out
    assert _cli("lint", "argo-salmon", str(LAB / "starter" / "workflow.yaml")) == 1
    out = capsys.readouterr().out
    item = _line_of((LAB / "starter" / "workflow.yaml").read_text(), 'value: "{{item}}"')
    assert f"workflow.yaml:{item}:" in out and "problems found" in out
    assert _cli("lint", "argo-salmon", str(tmp_path / "missing.yaml")) == 2
    assert "missing.yaml: file not found" in capsys.readouterr().err
    assert _cli("lint", "no-such-lab", str(tmp_path / "missing.yaml")) == 2


def test_cli_json(capsys):
    import json

    assert _cli("lint", "argo-salmon", str(LAB / "starter" / "workflow.yaml"), "--json") == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and data["lab"] == "argo-salmon" and data["exit_code"] == 1
    assert {p["rule"] for p in data["files"][0]["problems"]} == {"item-outside-loop", "requests"}

"""coursecore.labsteps: a lab notebook's file and command steps, and the rules they follow."""

from __future__ import annotations

import textwrap

import pytest

from coursecore.errors import UsageError
from coursecore.labs import load_lab
from coursecore.labsteps import Command, WriteFile, lab_steps, problems

LAB_YAML = """\
id: demo
title: Demo
tier: general
minutes: 5
summary: A demo.
cluster: {namespaces: [demo]}
"""
STARTER = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers: [{name: web, image: TODO}]\n"
SOLUTION = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers: [{name: web, image: nginx:1.27}]\n"
HEADER = """\
---
jupytext:
  text_representation: {extension: .md, format_name: myst}
kernelspec: {name: python3, display_name: Python 3, language: python}
---
"""
SET_UP = """
```{code-cell}
from autograder.notebook import use_sandbox

NS = use_sandbox("demo")
```
"""


def cell(source: str, meta: str = "") -> str:
    head = f"---\n{meta}\n---\n" if meta else ""
    return f"\n```{{code-cell}}\n{head}{source}\n```\n"


def make_lab(tmp_path, *cells: str, set_up: bool = True, files: dict | None = None):
    folder = tmp_path / "demo"
    (folder / "starter").mkdir(parents=True)
    (folder / "solution").mkdir()
    (folder / "lab.yaml").write_text(LAB_YAML)
    (folder / "starter" / "pod.yaml").write_text(STARTER)
    (folder / "solution" / "pod.yaml").write_text(SOLUTION)
    for name, text in (files or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    body = HEADER + "# Demo\n" + (SET_UP if set_up else "") + "".join(cells)
    (folder / "demo.md").write_text(body)
    return load_lab(folder)


def test_steps_follow_the_notebook_with_starter_and_solution_text(tmp_path):
    lab = make_lab(
        tmp_path,
        cell("%%writefile pod.yaml\n" + STARTER.rstrip("\n")),
        cell("print('python cells are not steps')"),
        cell(
            "# apply, then wait\n!kubectl apply -n $NS -f pod.yaml\n"
            "!kubectl wait -n ${NS} pod/web --for=condition=Ready"
        ),
        cell("!kubecourse lint demo pod.yaml"),
    )
    assert problems(lab) == []
    write, apply, wait, lint = lab_steps(lab)
    assert isinstance(write, WriteFile) and write.path == "pod.yaml"
    assert write.starter == STARTER and write.solution == SOLUTION and write.solution_file == "solution/pod.yaml"
    assert isinstance(apply, Command) and apply.line == "kubectl apply -n $NS -f pod.yaml"
    assert apply.argv("kc-alice") == ["kubectl", "apply", "-n", "kc-alice", "-f", "pod.yaml"]
    assert wait.argv("demo")[3] == "demo" and not wait.may_fail
    assert lint.argv("demo") == ["kubecourse", "lint", "demo", "pod.yaml"]
    assert apply.cell == wait.cell != lint.cell


def test_a_solution_named_in_the_cell_metadata_and_a_file_without_one(tmp_path):
    lab = make_lab(
        tmp_path,
        cell("%%writefile broken.yaml\nkind: Broken", meta="kubecourse:\n  solution: solution/pod.yaml"),
        cell("%%writefile notes.txt\nused as given"),
        cell("!kubectl apply -n $NS -f broken.yaml", meta="tags: [may-fail]"),
    )
    broken, notes, apply = lab_steps(lab)
    assert broken.solution == SOLUTION and broken.solution_file == "solution/pod.yaml"
    assert notes.solution == notes.starter == "used as given\n" and notes.solution_file is None
    assert apply.may_fail


def test_a_file_under_starter_maps_to_the_same_file_under_solution(tmp_path):
    lab = make_lab(
        tmp_path,
        cell("%%writefile starter/overlay/k.yaml\nresources: [TODO]"),
        files={"starter/overlay/k.yaml": "resources: [TODO]\n", "solution/overlay/k.yaml": "resources: [../base]\n"},
    )
    [step] = [s for s in lab_steps(lab) if isinstance(s, WriteFile)]
    assert step.solution_file == "solution/overlay/k.yaml" and step.solution == "resources: [../base]\n"


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("!kubectl get pods -n $NS | grep web", "'|' is shell syntax"),
        ("!kubectl get pods -n $NS > pods.txt", "'>' is shell syntax"),
        ("!kubectl get pods -n $NS; kubectl get jobs", "';' is shell syntax"),
        ("!kubectl get pods -n $(whoami)", "'$(' is shell syntax"),
        ("!kubectl apply -f *.yaml", "'*' is shell syntax"),
        ("!kubectl get pods -n $HOME", "$HOME is not set by the notebook"),
        ("!kubectl get pods -o jsonpath='{.items[*].metadata.name}$NS'", "a $ inside single quotes"),
        ("!docker build -t x .", "runs 'docker'; commands run kubectl or kubecourse"),
        ("!kubectl get pods -n 'unterminated", "cannot be split into arguments"),
        ("x = 1\n!kubectl get pods -n $NS", "mixes Python with shell commands"),
        ("%%writefile /etc/passwd\nroot", "write inside the notebook's folder"),
        ("%%writefile ../outside.yaml\nx: 1", "write inside the notebook's folder"),
        ("%%writefile -a pod.yaml\nx: 1", "with one path and no options"),
        ("%%writefile pod.yaml\nkind: Different", "differs from starter/pod.yaml"),
    ],
)
def test_rule_breaches_are_named(tmp_path, source, words):
    lab = make_lab(tmp_path, cell(source))
    found = problems(lab)
    assert any(words in p for p in found), found
    with pytest.raises(UsageError, match="lab demo"):
        lab_steps(lab)


def test_quoted_shell_characters_and_jsonpath_are_fine(tmp_path):
    lab = make_lab(
        tmp_path,
        cell(
            textwrap.dedent("""\
            !kubectl get job sweep -n $NS -o jsonpath='{range .status.conditions[*]}{.type}{"\\n"}{end}'
            !kubectl get pods -n "$NS" -l 'app in (web, api)'
            !kubectl wait -n $NS pod/web --for=jsonpath='{.status.phase}'=Succeeded""")
        ),
    )
    assert problems(lab) == []
    first, second, third = lab_steps(lab)
    assert first.argv("demo")[-1] == 'jsonpath={range .status.conditions[*]}{.type}{"\\n"}{end}'
    assert second.argv("demo")[4] == "demo" and second.argv("demo")[-1] == "app in (web, api)"
    assert third.argv("demo")[-1] == "--for=jsonpath={.status.phase}=Succeeded"


def test_commands_before_the_set_up_cell_are_refused(tmp_path):
    lab = make_lab(tmp_path, cell("!kubectl get pods -n $NS"), set_up=False)
    assert any('NS = use_sandbox("demo")' in p for p in problems(lab))


def test_a_missing_solution_named_in_metadata(tmp_path):
    lab = make_lab(tmp_path, cell("%%writefile x.yaml\na: 1", meta="kubecourse:\n  solution: solution/none.yaml"))
    assert any("its solution solution/none.yaml is not a file of the lab" in p for p in problems(lab))

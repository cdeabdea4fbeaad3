"""Every lab notebook, as learners get it and as a learner who solved the lab runs it.

- Each notebook mirrors its lab's checks and follows the cell rules (``coursecore.labsteps``).
- One nbgrader round trip of the whole course: the release notebooks give the reference solution
  full marks and the blank starter none; ``labs.md`` lists them in teaching order; and every path
  a notebook names exists in its released folder (``release/<lab>/`` holds the notebook and
  ``starter/``, not the lab's source folder).
- The solution notebooks (file cells holding the reference solution) run under nbval against the
  fake API server, their ``!kubectl`` commands included, each command exiting 0; the snapshot the
  last cell writes earns full marks. A second run plays a learner on a shared cluster, whose
  kubeconfig names their own namespace: the same notebook, unedited, works there.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from lab_notebook_tools import FixtureControllers, exit_code_hook, prepare_cluster

import autograder
from autograder.course import build_course
from autograder.lab_notebook import declared_checks, read_lab_notebook, solution_notebook, verify
from coursecore.labs import discover
from coursecore.labsteps import Command, WriteFile, lab_steps

LABS = [lab for lab in discover() if (lab.path / f"{lab.id}.md").is_file()]
IDS = [lab.id for lab in LABS]


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_notebook_mirrors_the_checks_and_follows_the_cell_rules(lab):
    verify(lab, read_lab_notebook(lab), declared_checks(lab))
    steps = lab_steps(lab)
    assert any(isinstance(s, Command) for s in steps), "a lab notebook runs its commands in cells"
    for step in steps:
        if isinstance(step, WriteFile) and step.solution_file is None:
            assert "TODO" not in step.starter, f"{step.path}: a file with TODOs needs a solution"


# -- the course as nbgrader builds it -----------------------------------------------------------

# A path into the lab's source folder, or into the folders of it that are released or not.
PATH_WORD = re.compile(r"(?<![\w/.$-])((?:labs|starter|solution|setup|data|solver|tests)/[\w./-]*)")


def _mentioned_paths(nb) -> list[str]:
    found = []
    for cell in nb.cells:
        source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
        found += [m.rstrip(".") for m in PATH_WORD.findall(source)]
    return found


def _command_files(lab, nb) -> list[str]:
    """Files the notebook's commands read that neither a file cell nor an earlier command wrote:
    ``-f``/``-k`` arguments and the files ``kubecourse lint`` reads."""
    read, written = [], set()
    for step in lab_steps(lab, nb):
        if isinstance(step, WriteFile):
            written.add(step.path)
            continue
        words = step.argv("ns")
        pairs = list(zip(words, words[1:], strict=False))
        inputs = [v for flag, v in pairs if flag in ("-f", "-k", "--filename", "--kustomize") and v != "-"]
        if words[:2] == ["kubecourse", "lint"]:
            inputs += words[3:]
        read += [path for path in inputs if path not in written]
        if words[:2] == ["kubectl", "kustomize"]:
            written |= {v for flag, v in pairs if flag in ("-o", "--output")}
    return read


@pytest.mark.notebook
def test_the_course_builds_grades_and_releases_what_the_notebooks_name(tmp_path):
    built = build_course(tmp_path / "course", lab_ids=IDS)
    assert [a.lab for a in built.assignments] == IDS  # teaching order
    for assignment in built.assignments:
        assert assignment.validation == "solution earns full marks, starter earns none", assignment
    index = (built.course / "labs.md").read_text()
    assert [index.index(f"| {lab.id} |") for lab in LABS] == sorted(index.index(f"| {lab.id} |") for lab in LABS)

    missing = []
    for lab in LABS:
        release = built.course / "release" / lab.id
        nb = nbformat.read(release / f"{lab.id}.ipynb", as_version=4)
        written = {s.path for s in lab_steps(lab, nb) if isinstance(s, WriteFile)}
        for path in _mentioned_paths(nb):
            if path.startswith(("labs/", "solution/")) or not (path in written or (release / path).exists()):
                missing.append(f"{lab.id}: mentions {path}, which is not in release/{lab.id}/")
        for path in _command_files(lab, nb):
            if not (release / path).exists():
                missing.append(f"{lab.id}: a command reads {path}, which is neither released nor written first")
    assert not missing, "\n".join(missing)


# -- the solution notebooks, run against the fake API server -------------------------------------


def _run_solution_notebooks(kube, tmp_path: Path, labs, *, namespaces: dict[str, str] | None = None) -> Path:
    """Lay out each lab as released (``starter/`` next to the notebook), with the solution in its
    file cells, and run them all under nbval in one process; return the folder."""
    work = tmp_path / "work"
    paths = []
    for lab in labs:
        folder = work / lab.id
        folder.mkdir(parents=True)
        if (lab.path / "starter").is_dir():
            shutil.copytree(
                lab.path / "starter", folder / "starter", ignore=shutil.ignore_patterns("__pycache__", ".*")
            )
        nbformat.write(solution_notebook(lab), folder / f"{lab.id}.ipynb")
        paths.append(str(folder / f"{lab.id}.ipynb"))
    prepare_cluster(kube, labs, namespaces=namespaces)
    log = tmp_path / "commands.log"
    env = {k: v for k, v in kube.env.items() if k not in ("KUBECOURSE_SANDBOX", "NBGRADER_EXECUTION")}
    env.update(
        KUBECOURSE_HOME=str(tmp_path / "no-home"),
        IPYTHONDIR=str(exit_code_hook(tmp_path / "ipython")),
        KUBECOURSE_TEST_COMMAND_LOG=str(log),
    )
    with FixtureControllers(kube.server, labs, namespaces=namespaces):  # fails on a bug in the fakes
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-q", "--color=no"]
            + ["--rootdir", str(work)]
            + paths,
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=1200,
        )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    ran = log.read_text() if log.exists() else ""
    for lab in labs:
        assert f"\t{work / lab.id}\t" in ran, f"{lab.id}: no command ran"
    return work


def _full_marks(lab, snapshot: Path) -> None:
    assert snapshot.is_file(), f"{lab.id}: the submit cell wrote no snapshot.yaml"
    report = autograder.run_checks(lab, autograder.load_snapshot(snapshot))
    assert report.score == report.max_score, [(r.check.id, r.message) for r in report.checks if not r.passed]


@pytest.mark.notebook
def test_solution_notebooks_run_their_commands_against_the_fake_api_server(fake_kube, tmp_path):
    work = _run_solution_notebooks(fake_kube, tmp_path, LABS)
    for lab in LABS:
        _full_marks(lab, work / lab.id / "snapshot.yaml")


@pytest.mark.notebook
def test_on_a_shared_cluster_the_same_notebook_works_in_the_learners_namespace(fake_kube, tmp_path):
    lab = next(lab for lab in LABS if lab.id == "first-pod")
    fake_kube.server.write_kubeconfig(fake_kube.kubeconfig, namespace="kc-alice")
    work = _run_solution_notebooks(fake_kube, tmp_path, [lab], namespaces={"first-pod": "kc-alice"})
    assert fake_kube.server.get("v1", "Pod", "hello", "kc-alice") is not None
    assert fake_kube.server.get("v1", "Namespace", "first-pod") is None
    assert not fake_kube.server.objects("v1", "Pod", "default")
    _full_marks(lab, work / lab.id / "snapshot.yaml")  # recorded as the lab's namespace
    snapshot = yaml.safe_load((work / lab.id / "snapshot.yaml").read_text())
    assert {o["metadata"]["namespace"] for o in snapshot["items"]} == {"first-pod"}

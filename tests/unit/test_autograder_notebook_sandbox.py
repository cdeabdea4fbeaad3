"""autograder.notebook_sandbox: where a lab notebook's shell commands go, and its namespace NS."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from autograder import notebook_sandbox as nbs
from coursecore.errors import UsageError

LAB_YAML = "id: demo\ntitle: Demo\ntier: general\nminutes: 5\nsummary: A demo.\ncluster: {namespaces: [demo]}\n"


def kubeconfig(path: Path, namespace: str | None = None) -> Path:
    context = {"cluster": "c", "user": "u"} | ({"namespace": namespace} if namespace else {})
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:9"}}],
                "users": [{"name": "u", "user": {"token": "t"}}],
                "contexts": [{"name": "k", "context": context}],
                "current-context": "k",
            }
        )
    )
    return path


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A labs folder with lab ``demo``, no sandbox, and an environment restored afterwards."""
    (tmp_path / "labs" / "demo").mkdir(parents=True)
    (tmp_path / "labs" / "demo" / "lab.yaml").write_text(LAB_YAML)
    monkeypatch.setenv("KUBECOURSE_LABS", str(tmp_path / "labs"))
    monkeypatch.setenv("KUBECOURSE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    for name in ("KUBECONFIG", "KUBECOURSE_SANDBOX", "NBGRADER_EXECUTION", "NS"):
        monkeypatch.delenv(name, raising=False)
    for variable in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(variable, "nobody-here")
    return tmp_path


def run(program: str) -> subprocess.CompletedProcess:
    """Run ``program`` as a notebook's ``!`` line would: through the shell, with os.environ."""
    return subprocess.run(["/bin/sh", "-c", f"{program} get pods"], capture_output=True, text=True, timeout=30)


def test_on_a_sandbox_of_ones_own_ns_is_the_labs_namespace(env, capsys, monkeypatch):
    config = kubeconfig(env / "kubeconfig")
    monkeypatch.setenv("KUBECONFIG", str(config))
    assert nbs.use_sandbox("demo") == "demo"
    assert os.environ["KUBECONFIG"] == str(config.resolve()) and os.environ["NS"] == "demo"
    assert os.environ["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)  # the course's kubectl
    out = capsys.readouterr().out
    assert "NS = demo  (the lab's namespace)" in out and f"export KUBECONFIG={config.resolve()} NS=demo" in out


def test_on_a_shared_cluster_ns_is_the_learners_own_and_the_notebook_says_so(env, capsys, monkeypatch):
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig(env / "alice.kubeconfig", namespace="kc-alice")))
    found = nbs.find_sandbox("demo")
    assert found.shared and found.namespace == "kc-alice" and found.lab_namespace == "demo"
    assert nbs.use_sandbox("demo") == "kc-alice" and os.environ["NS"] == "kc-alice"
    out = capsys.readouterr().out
    assert "NS = kc-alice" in out and "shared cluster" in out and "namespace demo" in out


def test_a_sandbox_made_by_kubecourse_up_is_found_by_name(env, monkeypatch):
    folder = env / "home" / "sandboxes" / "alice"
    folder.mkdir(parents=True)
    kubeconfig(folder / "kubeconfig")
    monkeypatch.setenv("KUBECOURSE_SANDBOX", "alice")
    assert nbs.find_sandbox("demo").kubeconfig == (folder / "kubeconfig").resolve()


def test_without_a_sandbox_kubectl_says_why_and_never_reaches_a_cluster(env, capsys):
    assert nbs.use_sandbox("demo") == "demo"
    assert "no sandbox found" in capsys.readouterr().out
    done = run("kubectl")
    assert done.returncode == 3 and "kubecourse start demo" in done.stdout
    assert "KUBECONFIG" not in os.environ  # ~/.kube/config is never a fallback
    lint = subprocess.run(["/bin/sh", "-c", "command -v kubecourse"], capture_output=True, text=True)
    assert "kubecourse-no-kubectl" not in lint.stdout  # offline tools still work


def test_a_sandbox_found_later_replaces_the_stand_in(env, monkeypatch):
    nbs.use_sandbox("demo")
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig(env / "kubeconfig")))
    nbs.use_sandbox("demo")
    assert not any("kubecourse-no-kubectl" in p for p in os.environ["PATH"].split(os.pathsep))


@pytest.mark.parametrize("mode", ["validate", "autograde"])
def test_while_grading_no_command_runs_whatever_the_environment_says(env, mode, monkeypatch):
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig(env / "graders.kubeconfig")))
    monkeypatch.setenv("NBGRADER_EXECUTION", mode)
    assert nbs.find_sandbox("demo").mode == nbs.GRADING
    nbs.use_sandbox("demo")
    for program in ("kubectl", "kubecourse"):
        done = run(program)
        assert done.returncode == 0 and "not run while the notebook is graded" in done.stdout


def test_an_unreadable_kubeconfig_is_reported_not_raised(env, capsys, monkeypatch):
    bad = env / "kubeconfig"
    bad.write_text("- just\n- a list\n")
    monkeypatch.setenv("KUBECONFIG", str(bad))
    assert nbs.use_sandbox("demo") == "demo"
    assert "not run" in capsys.readouterr().out
    assert run("kubectl").returncode == 3


def test_an_unknown_lab_is_the_authors_mistake(env):
    with pytest.raises(UsageError, match="unknown lab"):
        nbs.use_sandbox("nope")

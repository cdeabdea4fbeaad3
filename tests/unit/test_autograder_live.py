"""autograder.live without a server: which kubeconfig a name, a path or the environment means."""

from __future__ import annotations

import pytest

from autograder.errors import ClusterUnreachable
from autograder.live import resolve_kubeconfig, sandbox_kubeconfig
from coursecore.errors import UsageError


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECOURSE_HOME", str(tmp_path))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("KUBECOURSE_SANDBOX", raising=False)
    for variable in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(variable, "nobody-here")
    folder = tmp_path / "sandboxes" / "alice"
    folder.mkdir(parents=True)
    (folder / "kubeconfig").write_text("apiVersion: v1\nkind: Config\n")
    return tmp_path


def test_sandbox_name_is_a_file_contract(home):
    assert sandbox_kubeconfig("alice") == home / "sandboxes" / "alice" / "kubeconfig"
    with pytest.raises(ClusterUnreachable, match="no sandbox bob: run kubecourse up --name bob"):
        sandbox_kubeconfig("bob")


@pytest.mark.parametrize("bad", ["Alice", "a_b", "-a", "a" * 40, "../etc", ""])
def test_invalid_sandbox_names(home, bad):
    with pytest.raises(UsageError, match="invalid sandbox name"):
        sandbox_kubeconfig(bad)


def test_resolution_order(home, monkeypatch, tmp_path):
    explicit = tmp_path / "explicit"
    explicit.write_text("x: 1\n")
    assert resolve_kubeconfig(name="alice") == home / "sandboxes" / "alice" / "kubeconfig"
    assert resolve_kubeconfig(kubeconfig=explicit) == explicit
    with pytest.raises(UsageError, match="kubeconfig not found"):
        resolve_kubeconfig(kubeconfig=tmp_path / "missing")
    with pytest.raises(UsageError, match="say which cluster"):
        resolve_kubeconfig()
    monkeypatch.setenv("KUBECOURSE_SANDBOX", "alice")
    assert resolve_kubeconfig() == home / "sandboxes" / "alice" / "kubeconfig"
    monkeypatch.setenv("KUBECONFIG", f"{tmp_path / 'missing'}:{explicit}")
    assert resolve_kubeconfig() == explicit  # the first file of the list that exists
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing"))
    with pytest.raises(UsageError, match="KUBECONFIG names no existing file"):
        resolve_kubeconfig()


def test_the_default_sandbox_is_named_after_the_login(home, monkeypatch):
    (home / "sandboxes" / "jane-doe").mkdir()
    (home / "sandboxes" / "jane-doe" / "kubeconfig").write_text("x: 1\n")
    monkeypatch.setenv("LOGNAME", "Jane.Doe")
    assert resolve_kubeconfig() == home / "sandboxes" / "jane-doe" / "kubeconfig"

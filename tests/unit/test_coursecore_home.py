"""coursecore.home without a server: the kubecourse home, sandbox names, and which kubeconfig a
name, a path or the environment means, the same for the command line and the notebook helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder import notebook
from coursecore import home
from coursecore.errors import ClusterUnreachable, InvalidName, UsageError


@pytest.fixture
def kchome(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECOURSE_HOME", str(tmp_path))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("KUBECOURSE_SANDBOX", raising=False)
    login(monkeypatch, "nobody-here")
    sandbox(tmp_path, "alice")
    return tmp_path


def login(monkeypatch, name: str) -> None:
    """getpass.getuser() reads these, in this order."""
    for variable in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(variable, name)


def sandbox(root: Path, name: str) -> Path:
    folder = root / "sandboxes" / name
    folder.mkdir(parents=True)
    (folder / "kubeconfig").write_text("apiVersion: v1\nkind: Config\n")
    return folder / "kubeconfig"


def test_home_is_the_variable_with_tilde_expanded_else_dot_kubecourse(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBECOURSE_HOME", raising=False)
    assert home.home() == tmp_path / ".kubecourse"
    monkeypatch.setenv("KUBECOURSE_HOME", "")  # set but empty: the default, not the working directory
    assert home.home() == tmp_path / ".kubecourse"
    monkeypatch.setenv("KUBECOURSE_HOME", "~/kc")
    assert home.home() == tmp_path / "kc"
    assert home.kubeconfig_path("bob") == tmp_path / "kc" / "sandboxes" / "bob" / "kubeconfig"


def test_a_tilde_home_is_found_by_every_reader(monkeypatch, tmp_path):
    """sandbox.state expanded ``~`` and autograder.live and the notebook helper did not."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("KUBECOURSE_HOME", "~/kc")
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.setenv("KUBECOURSE_SANDBOX", "alice")
    config = sandbox(tmp_path / "kc", "alice")
    assert home.learner_kubeconfig() == config
    assert home.find_learner_kubeconfig() == config


def test_sandbox_name_is_a_file_contract(kchome):
    assert home.sandbox_kubeconfig("alice") == kchome / "sandboxes" / "alice" / "kubeconfig"
    with pytest.raises(ClusterUnreachable, match="no sandbox bob: run kubecourse up --name bob") as info:
        home.sandbox_kubeconfig("bob")
    assert info.value.exit_code == 3


@pytest.mark.parametrize("bad", ["Alice", "a_b", "-a", "bob-", "a.b", "a b", "élodie", "a" * 40, "../etc", ""])
def test_invalid_sandbox_names_are_refused_with_the_rule(kchome, bad):
    with pytest.raises(InvalidName, match="invalid sandbox name") as info:
        home.sandbox_kubeconfig(bad)
    assert info.value.exit_code == 2


@pytest.mark.parametrize("name", ["alice", "a", "bob-2", "x" * 39, "0day"])
def test_valid_names_pass_unchanged(name):
    assert home.validate_name(name) == name


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Jane.Doe", "jane-doe"),
        ("  Bob  ", "bob"),
        ("ÉLODIE", "lodie"),
        ("a__b", "a-b"),
        ("---", ""),
        ("x" * 50, "x" * 50),
    ],
)
def test_normalize_never_shortens(raw, expected):
    assert home.normalize_name(raw) == expected


def test_default_name_is_the_login_cut_to_the_limit(monkeypatch):
    login(monkeypatch, "Jane.Doe")
    assert home.default_name() == "jane-doe"
    login(monkeypatch, "x" * 45 + ".y")
    assert home.default_name() == "x" * 39
    login(monkeypatch, "___")
    with pytest.raises(InvalidName, match="--name"):
        home.default_name()
    assert home.login_name() == ""


def test_resolution_order(kchome, monkeypatch, tmp_path):
    explicit = tmp_path / "explicit"
    explicit.write_text("x: 1\n")
    assert home.learner_kubeconfig(name="alice") == kchome / "sandboxes" / "alice" / "kubeconfig"
    assert home.learner_kubeconfig(kubeconfig=explicit) == explicit
    with pytest.raises(UsageError, match="kubeconfig not found"):
        home.learner_kubeconfig(kubeconfig=tmp_path / "missing")
    with pytest.raises(UsageError, match="say which cluster"):
        home.learner_kubeconfig()
    assert home.find_learner_kubeconfig() is None
    monkeypatch.setenv("KUBECOURSE_SANDBOX", "alice")
    assert home.learner_kubeconfig() == kchome / "sandboxes" / "alice" / "kubeconfig"
    monkeypatch.setenv("KUBECONFIG", f"{tmp_path / 'missing'}:{explicit}")
    assert home.learner_kubeconfig() == explicit  # the first file of the list that exists
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing"))
    with pytest.raises(UsageError, match="KUBECONFIG names no existing file"):
        home.learner_kubeconfig()


def test_the_default_sandbox_is_named_after_the_login(kchome, monkeypatch):
    jane = sandbox(kchome, "jane-doe")
    login(monkeypatch, "Jane.Doe")
    assert home.learner_kubeconfig() == jane
    assert home.sandbox_of(jane) == "jane-doe"
    assert home.sandbox_of(kchome / "elsewhere" / "kubeconfig") is None


def test_the_notebook_helper_and_the_command_line_agree(kchome, monkeypatch, tmp_path):
    """USER=Jane.Doe: the command line found sandboxes/jane-doe, the notebook looked for
    sandboxes/Jane.Doe and found nothing; a KUBECONFIG list reached the notebook as one path."""
    sandbox(kchome, "jane-doe")
    login(monkeypatch, "Jane.Doe")
    cases = [
        {},
        {"KUBECOURSE_SANDBOX": "alice"},
        {"KUBECONFIG": f"{tmp_path / 'missing'}:{kchome / 'sandboxes' / 'alice' / 'kubeconfig'}"},
    ]
    for env in cases:
        for key in ("KUBECONFIG", "KUBECOURSE_SANDBOX"):
            monkeypatch.delenv(key, raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        assert notebook.home.find_learner_kubeconfig() == home.learner_kubeconfig(), env
    assert notebook.home is home  # one resolution, not a copy


def test_a_missing_named_sandbox_is_an_error_not_silence(kchome, monkeypatch):
    monkeypatch.setenv("KUBECOURSE_SANDBOX", "ghost")
    with pytest.raises(ClusterUnreachable, match="no sandbox ghost"):
        home.find_learner_kubeconfig()


def test_instructor_kubeconfig(kchome, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "h"))
    admin = tmp_path / "admin"
    admin.write_text("x: 1\n")
    assert home.instructor_kubeconfig(admin) == admin
    with pytest.raises(UsageError, match="kubeconfig not found"):
        home.instructor_kubeconfig(tmp_path / "nope")
    with pytest.raises(UsageError, match="--kubeconfig FILE"):
        home.instructor_kubeconfig()
    default = tmp_path / "h" / ".kube" / "config"
    default.parent.mkdir(parents=True)
    default.write_text("x: 1\n")
    assert home.instructor_kubeconfig() == default  # read only, as kubectl would
    monkeypatch.setenv("KUBECONFIG", str(admin))
    assert home.instructor_kubeconfig() == admin
    # As kubectl: a KUBECONFIG that names nothing does not fall back to ~/.kube/config.
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "nope"))
    with pytest.raises(UsageError, match="KUBECONFIG names no existing file"):
        home.instructor_kubeconfig()

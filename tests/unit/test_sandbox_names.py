"""Sandbox names: validation, normalisation, cluster names."""

import pytest

from sandbox import names
from sandbox.errors import InvalidName


@pytest.mark.parametrize("name", ["alice", "a", "bob-2", "x" * 39, "0day"])
def test_valid_names_pass_unchanged(name):
    assert names.validate_name(name) == name
    assert names.cluster_name(name) == f"kubecourse-{name}"


@pytest.mark.parametrize("name", ["", "Alice", "-bob", "bob-", "a_b", "a.b", "x" * 40, "élodie", "a b"])
def test_invalid_names_are_refused_with_the_rule(name):
    with pytest.raises(InvalidName) as info:
        names.validate_name(name)
    assert info.value.exit_code == 2
    assert "sandbox name" in info.value.message


def test_longest_name_fits_kinds_cluster_name_cap():
    assert len(names.cluster_name("x" * names.MAX_NAME)) == 50


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Jane.Doe", "jane-doe"),
        ("  Bob  ", "bob"),
        ("ÉLODIE", "lodie"),
        ("a__b", "a-b"),
        ("x" * 50, "x" * 39),
        ("---", ""),
    ],
)
def test_normalize(raw, expected):
    assert names.normalize(raw) == expected


def test_sandbox_of_reverses_cluster_name():
    assert names.sandbox_of("kubecourse-alice") == "alice"
    assert names.sandbox_of("kind") is None
    assert names.sandbox_of("kubecourse-Bad_Name") is None


def test_default_name_uses_login(monkeypatch):
    monkeypatch.setenv("LOGNAME", "Jane.Doe")
    monkeypatch.setenv("USER", "Jane.Doe")
    assert names.default_name() == "jane-doe"
    monkeypatch.setenv("LOGNAME", "___")
    monkeypatch.setenv("USER", "___")
    with pytest.raises(InvalidName, match="--name"):
        names.default_name()

"""Sandbox names as kind cluster names (the name rule itself: tests/unit/test_coursecore_home.py)."""

import pytest

from coursecore.errors import InvalidName
from coursecore.home import MAX_NAME
from sandbox import names


@pytest.mark.parametrize("name", ["alice", "a", "bob-2", "x" * 39, "0day"])
def test_cluster_names(name):
    assert names.cluster_name(name) == f"kubecourse-{name}"


@pytest.mark.parametrize("name", ["", "Alice", "-bob", "a_b", "x" * 40])
def test_invalid_names_make_no_cluster_name(name):
    with pytest.raises(InvalidName) as info:
        names.cluster_name(name)
    assert info.value.exit_code == 2


def test_longest_name_fits_kinds_cluster_name_cap():
    assert len(names.cluster_name("x" * MAX_NAME)) == 50


def test_sandbox_of_reverses_cluster_name():
    assert names.sandbox_of("kubecourse-alice") == "alice"
    assert names.sandbox_of("kind") is None
    assert names.sandbox_of("kubecourse-Bad_Name") is None

"""autograder.paths: dotted paths, indices, quoted keys and [*] over Kubernetes objects."""

from __future__ import annotations

import pytest

from autograder.paths import WILDCARD, format_path, get, has, parse

POD = {
    "metadata": {"name": "hello", "labels": {"app.kubernetes.io/name": "hello", "app": "hello"}},
    "spec": {"containers": [{"name": "a", "image": "busybox:1.36"}, {"name": "b", "image": "nginx:1.27"}]},
    "status": {"phase": None},
}


@pytest.mark.parametrize(
    "path, value",
    [
        ("metadata.name", "hello"),
        ("spec.containers[0].image", "busybox:1.36"),
        ("spec.containers[-1].name", "b"),
        ("metadata.labels['app.kubernetes.io/name']", "hello"),
        ('metadata.labels["app.kubernetes.io/name"]', "hello"),
        ("spec.containers[*].image", ["busybox:1.36", "nginx:1.27"]),
        ("metadata.labels[*]", ["hello", "hello"]),
        ("spec.containers[*].missing", []),
        ("spec.containers[5].image", None),
        ("spec.containers.image", None),
        ("metadata.name.more", None),
        ("status.phase", None),
    ],
)
def test_get(path, value):
    assert get(POD, path) == value


def test_default_only_when_missing():
    assert get(POD, "spec.nodeName", default="none") == "none"
    assert get(POD, "status.phase", default="none") is None  # present, null


def test_has_distinguishes_null_from_missing():
    assert has(POD, "status.phase")
    assert not has(POD, "status.podIP")
    assert has(POD, "spec.containers[*].image")
    assert not has(POD, "spec.volumes[*]")


def test_nested_wildcards_flatten():
    wf = {"spec": {"templates": [{"steps": [[{"name": "a"}, {"name": "b"}], [{"name": "c"}]]}]}}
    assert get(wf, "spec.templates[*].steps[*][*].name") == ["a", "b", "c"]


@pytest.mark.parametrize("bad", [".a", "a.", "a..b", "a[", "a[x]", "a[0]b", "", "a b"])
def test_invalid_paths_raise_value_error(bad):
    if bad == "":
        assert parse(bad) == ()
        return
    with pytest.raises(ValueError, match="invalid path"):
        get(POD, bad)


def test_format_path_round_trips():
    tokens = ("metadata", "labels", "app.kubernetes.io/name")
    assert format_path(tokens) == "metadata.labels['app.kubernetes.io/name']"
    assert parse(format_path(tokens)) == tokens
    assert format_path(("a", 0, WILDCARD, "b")) == "a[0][*].b"


def test_non_container_roots():
    assert get(None, "a.b") is None
    assert get([1, 2], "[1]") == 2
    assert get("text", "[*]") == []

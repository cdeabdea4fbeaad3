"""autograder.snapshot: reading every accepted shape, refusing every bad input, writing Lists."""

from __future__ import annotations

import json

import pytest
import yaml

from autograder.errors import SnapshotError
from autograder.snapshot import dump_snapshot, load_snapshot, parse_snapshot, snapshot_document
from coursecore.errors import UsageError

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "hello", "namespace": "lab"}}
CM = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "lab"}}
BOMB = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
)


def test_list_in_yaml_and_json():
    doc = {"apiVersion": "v1", "kind": "List", "items": [POD, CM]}
    for text in (yaml.safe_dump(doc), json.dumps(doc)):
        state = parse_snapshot(text)
        assert len(state) == 2 and state.get("Pod", "hello", namespace="lab") == POD


def test_single_object_and_multi_document_stream():
    assert len(parse_snapshot(yaml.safe_dump(POD))) == 1
    assert len(parse_snapshot(yaml.safe_dump(POD) + "---\n" + yaml.safe_dump(CM) + "---\n")) == 2


def test_typed_list_items_get_kind_and_api_version():
    raw = {"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": [{"metadata": {"name": "p"}}]}
    state = parse_snapshot(json.dumps(raw))
    assert state.get("Pod", "p")["apiVersion"] == "v1"


def test_empty_list_is_an_empty_state():
    assert len(parse_snapshot("apiVersion: v1\nkind: List\nitems: []\n")) == 0
    assert len(parse_snapshot("apiVersion: v1\nkind: List\nitems:\n")) == 0


def test_anchors_within_limit_are_fine():
    text = "apiVersion: v1\nkind: List\nitems:\n- &p {apiVersion: v1, kind: Pod, metadata: {name: a}}\n- *p\n"
    assert len(parse_snapshot(text)) == 2


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "empty"),
        ("# only a comment\n", "empty"),
        ("apiVersion: v1\nkind: List\nitems: [1, 2]\n", "item 0 is a int"),
        (
            "apiVersion: v1\nkind: List\nitems: [{kind: Pod, metadata: {name: a}}]\n",
            "item 0 is not a Kubernetes object: 'apiVersion'",
        ),
        (
            "apiVersion: v1\nkind: List\nitems:\n"
            "- {apiVersion: v1, kind: Pod, metadata: {name: a}}\n- {apiVersion: v1, kind: Pod}\n",
            "item 1 (Pod) has no metadata.name",
        ),
        ("apiVersion: v1\nkind: List\nitems: {a: 1}\n", "'items' of the List must be a list"),
        ("- 1\n- 2\n", "document 1 is a list"),
        ("just a string\n", "document 1 is a str"),
        ("{apiVersion: v1, kind: Pod, metadata: {name: a, labels: [x]}}", "metadata.labels must be a mapping"),
        ("apiVersion: v1\nkind: [\n", "line"),
        ('{"apiVersion": "v1", "kind": ', "line"),
        (BOMB, "alias bomb"),
        ("[" * 5000 + "]" * 5000, "levels deep"),
        ("[" * 200000 + "]" * 200000, "levels deep"),
        ("a:\n" + "- " * 20000 + "x\n", "levels deep"),
        ("a: &x 1\nb: " + "[" * 3000 + "]" * 3000, "s.yaml"),
    ],
)
def test_bad_snapshots_are_one_line_snapshot_errors(text, fragment):
    with pytest.raises(SnapshotError) as info:
        parse_snapshot(text, source="s.yaml")
    message = str(info.value)
    assert fragment in message and "s.yaml" in message and "\n" not in message
    assert isinstance(info.value, UsageError) and info.value.exit_code == 2


def test_files(tmp_path):
    with pytest.raises(SnapshotError, match="not found"):
        load_snapshot(tmp_path / "missing.yaml")
    garbage = tmp_path / "garbage.yaml"
    garbage.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(SnapshotError, match="binary"):
        load_snapshot(garbage)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("kind: caf\xe9\n".encode("latin-1"))
    with pytest.raises(SnapshotError, match="UTF-8"):
        load_snapshot(latin)


def test_size_limit(tmp_path, monkeypatch):
    import autograder.snapshot as snapshot

    monkeypatch.setattr(snapshot, "MAX_SNAPSHOT_BYTES", 1000)
    big = tmp_path / "big.yaml"
    big.write_text("# " + "x" * 2000 + "\n" + yaml.safe_dump(POD))
    with pytest.raises(SnapshotError, match="over the"):
        load_snapshot(big)


def test_write_and_read_back_yaml_and_json():
    managed = {**POD, "metadata": {**POD["metadata"], "managedFields": [{"manager": "kubectl"}]}}
    doc = snapshot_document([managed])
    assert doc["kind"] == "List" and "managedFields" not in doc["items"][0]["metadata"]
    for as_json in (False, True):
        assert parse_snapshot(dump_snapshot(doc, as_json=as_json)).get("Pod", "hello") == POD


@pytest.mark.parametrize("anchor", ["", "&m "])
def test_unquoted_timestamps_stay_text_as_in_the_api(anchor):
    """YAML 1.1 would make a datetime of them; live objects carry strings (both readers agree)."""
    text = f"apiVersion: v1\nkind: Pod\nmetadata: {anchor}{{name: a, creationTimestamp: 2026-11-28T10:00:00Z}}\n"
    assert parse_snapshot(text).get("Pod", "a")["metadata"]["creationTimestamp"] == "2026-11-28T10:00:00Z"


SCALARS = [
    "0x1F",
    "0o17",
    "017",
    "1_000",
    "1:20",
    "-1.5e3",
    "1.0",
    "+1",
    "-0",
    "0b101",
    "12:30:45",
    "1e3",
    ".inf",
    "-.Inf",
    "yes",
    "No",
    "ON",
    "off",
    "y",
    "n",
    "true",
    "False",
    "TRUE",
    "~",
    "null",
    "Null",
    "",
    "2026-01-01",
    "2026-11-28T10:00:00Z",
    "2026-11-28 10:00:00.5 +01:00",
    "'1'",
    '"2"',
    "'yes'",
    "0.5Gi",
    "50m",
    "v1",
    "a b c",
    "-",
    "--x",
    "123abc",
    "1.2.3",
    "=x",
    "[1, 2]",
    "{a: 1, b: [x, y]}",
    "|\n    block 1\n",
    ">-\n    folded\n    text\n",
    "'multi\n    line'",
]


class _TextTimestamps(yaml.SafeLoader):
    """PyYAML's own safe loader with timestamps kept as text: what the snapshot reader promises."""


_TextTimestamps.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


@pytest.mark.parametrize("scalar", SCALARS)
@pytest.mark.parametrize("anchored", [False, True])
def test_the_snapshot_reader_agrees_with_pyyaml(scalar, anchored):
    from autograder._yaml_reader import documents

    key = scalar.splitlines()[0] if scalar and scalar[0].isalnum() else "x"
    anchor, alias = ("&v ", "  again: *v\n") if anchored else ("", "")
    text = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: a}}\ndata:\n  k: {anchor}{scalar}\n  {key}: 1\n{alias}"
    try:
        expected = [d for d in yaml.load_all(text, Loader=_TextTimestamps) if d is not None]
    except yaml.YAMLError:
        with pytest.raises(SnapshotError):
            documents(text, "s.yaml")
        return
    assert documents(text, "s.yaml") == expected


def test_merge_keys_are_read_as_pyyaml_reads_them():
    text = "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: a}, <<: {x: 1}}\n"
    assert parse_snapshot(text).get("Pod", "a")["x"] == 1
    text = "base: &b {x: 1, y: 1}\nmore: &m {x: 2, z: 2}\nobj:\n  y: 9\n  <<: [*b, *m]\n"
    from autograder._yaml_reader import documents

    assert documents(text, "s") == list(yaml.safe_load_all(text))


def test_nan_is_read_alike():
    from autograder._yaml_reader import documents

    value = documents("a: .nan\n", "s")[0]["a"]
    assert value != value  # NaN


def test_an_alias_is_a_copy_not_a_shared_object():
    state = parse_snapshot(
        "apiVersion: v1\nkind: List\nitems:\n- &p {apiVersion: v1, kind: Pod, metadata: {name: a}}\n- *p\n"
    )
    first, second = state.objects("Pod")
    first["metadata"]["name"] = "changed"
    assert second["metadata"]["name"] == "a"


def _pods(n: int) -> list[dict]:
    return [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p{i}"}} for i in range(n)]


@pytest.mark.parametrize("as_json", [False, True])
def test_object_count_is_bounded(as_json):
    from autograder._yaml_reader import MAX_OBJECTS

    doc = snapshot_document(_pods(MAX_OBJECTS + 1))
    with pytest.raises(SnapshotError, match=f"more than {MAX_OBJECTS}"):
        parse_snapshot(dump_snapshot(doc, as_json=as_json), source="s.yaml")
    assert len(parse_snapshot(dump_snapshot(snapshot_document(_pods(50)), as_json=as_json))) == 50


def test_a_stream_of_too_many_documents_is_refused():
    from autograder._yaml_reader import MAX_OBJECTS

    text = "".join(f"---\n{{apiVersion: v1, kind: Pod, metadata: {{name: p{i}}}}}\n" for i in range(MAX_OBJECTS + 1))
    with pytest.raises(SnapshotError, match="documents"):
        parse_snapshot(text, source="s.yaml")


def test_values_are_bounded_with_aliases_counted_in_full(monkeypatch):
    """A legitimately anchored file within the limit is read; one whose aliases expand past the
    value limit is refused before the expansion is built."""
    from autograder import _yaml_reader

    spec = "spec: &spec {containers: [{name: c, image: busybox, resources: {requests: {cpu: 1m, memory: 1Mi}}}]}"
    items = "".join(f"- {{apiVersion: v1, kind: Pod, metadata: {{name: p{i}}}, spec: *spec}}\n" for i in range(300))
    text = f"apiVersion: v1\nkind: List\nholder: {{{spec}}}\nitems:\n{items}"
    text = text.replace("holder: {spec: &spec", "holder: {spec: &spec", 1)
    state = parse_snapshot(text, source="s.yaml")
    assert len(state) == 300 and state.get("Pod", "p299")["spec"]["containers"][0]["image"] == "busybox"
    monkeypatch.setattr(_yaml_reader, "SNAPSHOT_LIMITS", _yaml_reader.safeyaml.Limits(max_nodes=2000, max_items=10_000))
    monkeypatch.setattr(_yaml_reader.documents, "__defaults__", (_yaml_reader.SNAPSHOT_LIMITS,))
    with pytest.raises(SnapshotError, match="alias bomb"):
        parse_snapshot(text, source="s.yaml")


def test_recursive_and_undefined_aliases_are_refused():
    for text in ("a: &a [1, *a]\n", "a: *nowhere\n"):
        with pytest.raises(SnapshotError, match="alias"):
            parse_snapshot(text, source="s.yaml")


def test_special_files_are_refused_without_reading(tmp_path):
    import os

    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    with pytest.raises(SnapshotError, match="not a regular file"):
        load_snapshot(fifo)  # opening a FIFO for reading would block; reading it never ends
    with pytest.raises(SnapshotError, match="not a regular file"):
        load_snapshot("/dev/zero")
    link = tmp_path / "link.yaml"
    link.symlink_to("/dev/zero")
    with pytest.raises(SnapshotError, match="not a regular file"):
        load_snapshot(link)

"""coursecore.safeyaml: every way a user's YAML can be wrong becomes a one-line UsageError."""

from __future__ import annotations

import pytest

from coursecore.errors import UsageError
from coursecore.safeyaml import MAX_ALIASES, Limits, load_documents, load_mapping, parse_documents, read_text

BOMB = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
)


def test_multi_document_stream_skips_empty_documents():
    assert parse_documents("a: 1\n---\n---\nb: 2\n", source="s") == [{"a": 1}, {"b": 2}]


def test_json_is_yaml():
    assert parse_documents('{"kind": "List", "items": []}', source="s") == [{"kind": "List", "items": []}]


def test_alias_bomb_is_refused_quickly():
    with pytest.raises(UsageError, match="alias bomb"):
        parse_documents(BOMB, source="bomb.yaml")


def test_a_few_aliases_are_fine():
    docs = parse_documents("base: &b {x: 1}\none: *b\ntwo: *b\n", source="s")
    assert docs[0]["two"] == {"x": 1}
    assert MAX_ALIASES >= 2


@pytest.mark.parametrize(
    "text, fragment",
    [("a: [1,", "line 1"), ("a: b: c", "line 1"), ("key: 'unterminated", "line 1"), ("\tx: 1", "line 1")],
)
def test_malformed_yaml_names_the_line(text, fragment):
    with pytest.raises(UsageError) as info:
        parse_documents(text, source="bad.yaml")
    assert "bad.yaml" in str(info.value) and fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(UsageError, match="not found"):
        read_text(tmp_path / "nope.yaml")


def test_directory_is_not_a_file(tmp_path):
    with pytest.raises(UsageError, match="directory"):
        read_text(tmp_path)


def test_binary_garbage(tmp_path):
    path = tmp_path / "garbage.yaml"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(UsageError, match="binary"):
        load_documents(path)


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(UsageError, match="not UTF-8"):
        load_documents(path)


def test_size_limit_is_checked_before_reading(tmp_path):
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(60 * 1024 * 1024)  # sparse: no 60 MB written
    with pytest.raises(UsageError, match="over the 50 MiB limit"):
        load_documents(path)


def test_load_mapping_rejects_lists_and_streams(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("- a\n- b\n")
    with pytest.raises(UsageError, match="expected one YAML mapping, found list"):
        load_mapping(path)
    path.write_text("a: 1\n---\nb: 2\n")
    with pytest.raises(UsageError, match="2 documents"):
        load_mapping(path)
    path.write_text("")
    with pytest.raises(UsageError, match="empty"):
        load_mapping(path)


SAMPLES = [
    "a: 1\n---\n---\nb: 2\n",
    "a: &x {b: [1, 2.5, true, null, ~, 0x1f, 1_000, .inf, 2026-01-01, 0o17, 1:20, yes, off]}\n"
    "c: *x\nd: {<<: *x, e: 3}\n",
    "t: 2026-11-28T10:00:00Z\n",
    "- !!str 123\n- !!int '7'\n- !!float 1\n- !!bool yes\n- !!null ''\n",
    "a: b\nmerge:\n  <<: [{x: 1, y: 1}, {x: 2, z: 2}]\n  y: 9\n",
    "key:\nother: ''\nq: \"2\"\nlit: |\n  line\n",
    "- ? a\n  : b\n",
    "x: !!binary aGVsbG8=\n",
    "? !!str 1\n: one\n",
    "[a, {b: c}, [d]]",
    # one text in many places (a plain scalar is resolved once per text), and a repeated key
    "yes: yes\nl: [yes, 'yes', !!str yes, 1, '1', 1, null, ~, '', 0x10]\nm: {1: one, '1': uno}\nyes: again\n",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_values_are_what_pyyaml_safe_load_gives(text):
    import yaml

    assert parse_documents(text, source="s") == [d for d in yaml.safe_load_all(text) if d is not None]


def test_timestamps_can_stay_text():
    assert parse_documents("t: 2026-11-28T10:00:00Z\n", source="s", timestamps_as_text=True) == [
        {"t": "2026-11-28T10:00:00Z"}
    ]


@pytest.mark.parametrize(
    ("text", "limits", "fragment"),
    [
        ("a: [1, 2, 3, 4]\n", Limits(max_items=3), "more than 3 items in one list"),
        ("{a: 1, b: 2, c: 3, d: 4}\n", Limits(max_items=3), "more than 3 entries in one mapping"),
        ("a: 1\n---\nb: 2\n---\nc: 3\n", Limits(max_items=2), "more than 2 documents"),
        ("a: [[[[1]]]]\n", Limits(max_depth=3), "nested more than 3 levels"),
        ("a: [1, 2, 3, 4, 5, 6]\n", Limits(max_nodes=5), "more than 5 values"),
        ("a: &a [1, 2, 3]\nb: *a\nc: *a\n", Limits(max_nodes=10), "alias bomb"),
        ("a: " + "[" * 300 + "]" * 300, Limits(), "nested more than 200 levels"),
    ],
)
def test_limits_are_enforced_while_parsing(text, limits, fragment):
    with pytest.raises(UsageError, match=fragment) as info:
        parse_documents(text, source="s.yaml", limits=limits)
    assert "s.yaml" in info.value.message and "\n" not in info.value.message


def test_the_time_limit_is_a_usage_error(monkeypatch):
    from coursecore import safeyaml

    monkeypatch.setattr(safeyaml, "_CHECK_CLOCK_EVERY", 1)
    with pytest.raises(UsageError, match="took more than 0 s"):
        parse_documents("a: [1, 2, 3]\n", source="s", limits=Limits(seconds=0.0))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("a: &a [1, *a]\n", "recursive alias"),
        ("a: *nowhere\n", "undefined alias"),
        ("a: &x 1\nb: &x 2\n", "duplicate anchor"),
        ("a: !!set {x}\n", "could not determine a constructor"),
        ("a: !custom x\n", "could not determine a constructor"),
        ("{[1]: 2}\n", "unhashable key"),
        ("a:\n  <<: 3\n", "for merging"),
    ],
)
def test_structural_errors_name_the_line(text, fragment):
    with pytest.raises(UsageError, match=fragment) as info:
        parse_documents(text, source="s.yaml")
    assert "line" in info.value.message


def test_an_alias_is_a_copy():
    doc = parse_documents("a: &a {x: [1]}\nb: *a\n", source="s")[0]
    doc["b"]["x"].append(2)
    assert doc["a"] == {"x": [1]}


def test_special_files_are_refused_without_reading(tmp_path):
    import os

    os.mkfifo(tmp_path / "fifo")
    for path in (tmp_path / "fifo", "/dev/zero"):
        with pytest.raises(UsageError, match="not a regular file"):
            read_text(path)


POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: hello\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_text_with_a_byte_order_mark_is_read_as_kubectl_reads_it(tmp_path, encoding):
    """Windows PowerShell 5.1 writes `kubectl get ... -o yaml > file` as UTF-16LE with a BOM, and
    kubectl reads it back: go-yaml decodes UTF-16 by its BOM (yaml/go-yaml v2.4.2 readerc.go,
    yaml_parser_determine_encoding)."""
    path = tmp_path / "pod.yaml"
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    path.write_bytes(bom + POD.encode(encoding))
    assert read_text(path) == POD
    assert load_documents(path) == [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "hello"}}]


def test_utf32_is_refused_by_name(tmp_path):
    """go-yaml knows no UTF-32 (kubectl: "control characters are not allowed")."""
    path = tmp_path / "pod.yaml"
    path.write_bytes(POD.encode("utf-32"))
    with pytest.raises(UsageError, match="UTF-32"):
        read_text(path)


def test_an_equals_sign_is_text_as_kubectl_prints_it():
    """`kubectl get configmap -o yaml` prints the value "=" unquoted (go-yaml v2 resolves it as a
    string); YAML 1.1's value type must not make that snapshot unreadable."""
    assert parse_documents("data:\n  sep: =\n  other: '='\n", source="s") == [{"data": {"sep": "=", "other": "="}}]

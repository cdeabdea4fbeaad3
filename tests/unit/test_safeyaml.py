"""coursecore.safeyaml: every way a user's YAML can be wrong becomes a one-line UsageError."""

from __future__ import annotations

import pytest

from coursecore.errors import UsageError
from coursecore.safeyaml import MAX_ALIASES, load_documents, load_mapping, parse_documents, read_text

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

"""Roster parsing: columns, normalisation, and every kind of bad line, reported together."""

import pytest

from coursecore.errors import UsageError
from sandbox.roster import read_roster


def write(tmp_path, text, name="roster.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_names_are_normalised_and_other_columns_kept(tmp_path):
    path = write(tmp_path, "\ufeffEmail,Name\na@x.org,Alice\nb@x.org, Bob Smith \n\n,\nc@x.org,carol.jones\n")
    learners = read_roster(path)
    assert [(learner.name, learner.given, learner.line) for learner in learners] == [
        ("alice", "Alice", 2),
        ("bob-smith", "Bob Smith", 3),
        ("carol-jones", "carol.jones", 6),
    ]
    assert learners[0].columns == {"email": "a@x.org"}


@pytest.mark.parametrize(
    "text, error",
    [
        ("", "the roster is empty"),
        ("email\na@x\n", "no 'name' column in the header (columns: email)"),
        ("name\n", "no learners below the header"),
        ("name\nalice\nalice\n", "line 3: duplicate name 'alice' (line 2)"),
        ("name\nAlice\nalice\n", "line 3: 'alice' and 'Alice' both become 'alice' (line 2)"),
        ("name\nJane Doe\njane.doe\n", "both become 'jane-doe'"),
        ("name,email\n,a@x\n", "line 2: empty name"),
        ("name\n___\n", "line 2: '___' gives no valid sandbox name"),
        ("name\n" + "x" * 40 + "\n", "longer than 39 characters"),
    ],
)
def test_problems_name_the_file_and_line(tmp_path, text, error):
    path = write(tmp_path, text)
    with pytest.raises(UsageError) as info:
        read_roster(path)
    assert str(path) in info.value.message and error in info.value.message
    assert info.value.exit_code == 2


def test_all_problems_at_once_then_a_count(tmp_path):
    path = write(tmp_path, "name\n" + "\n".join(["a", "a"] * 5 + ["!!"]) + "\n")
    with pytest.raises(UsageError) as info:
        read_roster(path)
    assert "10 problems" in info.value.message and "(and 5 more)" in info.value.message


def test_missing_and_binary_files(tmp_path):
    with pytest.raises(UsageError, match="not found|does not exist|No such"):
        read_roster(tmp_path / "nope.csv")
    path = tmp_path / "bin.csv"
    path.write_bytes(b"name\n\x00\x01\x02")
    with pytest.raises(UsageError):
        read_roster(path)

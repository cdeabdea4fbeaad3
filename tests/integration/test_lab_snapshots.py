"""Every lab's snapshot fixtures give exactly the passing checks its ``tests/expected.yaml`` lists.

A lab opts in by shipping ``labs/<id>/tests/snapshots/*.yaml`` and ``labs/<id>/tests/expected.yaml``
(snapshot file -> list of passing check ids, or ``{passed: [...], score: N}``). Every snapshot
must be listed, and the reference solution must earn full marks and the starter zero. Every check
has a hint, and every failure either gives one or names the earlier failure it follows from.
"""

from __future__ import annotations

import pytest

from autograder import load_checks, load_snapshot, run_checks
from coursecore import labs as catalogue
from coursecore.safeyaml import load_mapping

# Folders, not Lab objects: a lab whose lab.yaml is broken fails its own tests, not collection.
LABS = sorted(p.parent.parent for p in catalogue.labs_root().glob("*/tests/expected.yaml"))


def _cases():
    for folder in LABS:
        try:
            expected = load_mapping(folder / "tests" / "expected.yaml", what="expected results")
        except Exception as err:  # noqa: BLE001 - reported by the test below, with the lab's name
            yield pytest.param(folder, "expected.yaml", err, id=f"{folder.name}/expected.yaml")
            continue
        for name, want in sorted(expected.items()):
            yield pytest.param(folder, name, want, id=f"{folder.name}/{name}")


@pytest.mark.parametrize("folder, snapshot, want", list(_cases()))
def test_snapshot_passes_exactly_the_expected_checks(folder, snapshot, want):
    if isinstance(want, Exception):
        raise want
    lab = catalogue.load_lab(folder)
    report = run_checks(lab, load_snapshot(lab.path / "tests" / "snapshots" / snapshot))
    passed = want["passed"] if isinstance(want, dict) else want
    known = {c.id for c in load_checks(lab).checks}
    assert set(passed) <= known, f"expected.yaml names unknown checks: {set(passed) - known}"
    errors = [f"{r.check.id}: {r.message}" for r in report.checks if r.status == "error"]
    assert not errors, errors
    details = {r.check.id: r.message for r in report.checks}
    assert report.passed_ids() == set(passed), details
    if isinstance(want, dict) and "score" in want:
        assert report.score == pytest.approx(want["score"])


@pytest.mark.parametrize("folder", LABS, ids=lambda folder: folder.name)
def test_every_fixture_is_listed_and_solution_and_starter_bracket_the_score(folder):
    lab = catalogue.load_lab(folder)
    expected = load_mapping(lab.path / "tests" / "expected.yaml", what="expected results")
    on_disk = {p.name for p in (lab.path / "tests" / "snapshots").glob("*.yaml")}
    assert on_disk == set(expected), "every snapshot fixture needs a line in expected.yaml and vice versa"
    assert {"solution.yaml", "starter.yaml"} <= on_disk
    snapshots = lab.path / "tests" / "snapshots"
    assert run_checks(lab, load_snapshot(snapshots / "solution.yaml")).passed
    assert run_checks(lab, load_snapshot(snapshots / "starter.yaml")).score == 0


def test_first_pod_is_covered():
    assert "first-pod" in {folder.name for folder in LABS}


@pytest.mark.parametrize(
    "folder", sorted(p.parent for p in catalogue.labs_root().glob("*/lab.yaml")), ids=lambda f: f.name
)
def test_every_check_has_a_hint_hidden_ones_included(folder):
    """A failed hidden check shows its hint instead of what it found: it must have one."""
    for declared in load_checks(catalogue.load_lab(folder)).checks:
        assert len(declared.hint.strip()) >= 20, f"{folder.name}/{declared.id} has no hint that teaches"


@pytest.mark.parametrize("folder, snapshot, want", list(_cases()))
def test_every_failure_says_what_to_do_or_what_it_follows_from(folder, snapshot, want):
    if isinstance(want, Exception):
        raise want
    lab = catalogue.load_lab(folder)
    data = run_checks(lab, load_snapshot(lab.path / "tests" / "snapshots" / snapshot)).to_json()
    ids = [c["id"] for c in data["checks"]]
    for entry in data["checks"]:
        if entry["passed"]:
            continue
        if entry["consequence_of"] is None:
            assert entry["hint"], f"{entry['id']} failed with no hint"
        else:  # a consequence points back at an earlier failure that explains it
            cause = data["checks"][ids.index(entry["consequence_of"])]
            assert ids.index(cause["id"]) < ids.index(entry["id"]) and not cause["passed"] and not entry["hint"]

"""A lab's ``tests/make_fixtures.py`` rebuilds its committed snapshot fixtures byte for byte.

The argo-salmon fixtures once went stale: its solution's CPU request and namespace changed, the
fixture script followed, and the snapshots kept the old text. Each script is rebuilt here into a
temporary folder and compared with what is committed. A full argo-salmon rebuild runs the solver
126 times (over a minute), too slow for the suite, so for it only the fixtures whose pods run
no command are rebuilt: the starter, a spec the controller rejects and runs OOM-killed before they
start; the last two hold the solution's whole text, so a solution or script change that was not
rebuilt still fails here. The stand-in controller (labs/argo-salmon/tests/argosim.py) models run
times rather than measuring them, so a rebuild does not depend on the machine's load.
"""

from __future__ import annotations

import difflib
import importlib.util
import sys

import pytest

from coursecore import labs as catalogue

# lab -> the fixtures rebuilt here (None: all of them)
REBUILT = {
    "argo-warmup": None,  # its pods run echo: the whole set in about a second
    "argo-salmon": ["starter", "invalid-spec", "failed-oom"],
}


def test_every_fixture_script_is_rebuilt_here():
    scripts = {p.parent.parent.name for p in catalogue.labs_root().glob("*/tests/make_fixtures.py")}
    assert scripts == set(REBUILT), "list each lab's fixture script in REBUILT (and what it can rebuild quickly)"


@pytest.mark.parametrize("lab", sorted(REBUILT))
def test_fixture_script_rebuilds_the_committed_snapshots(lab, tmp_path, monkeypatch):
    script = catalogue.labs_root() / lab / "tests" / "make_fixtures.py"
    monkeypatch.setattr(sys, "path", list(sys.path))  # the scripts put their argosim folder first
    spec = importlib.util.spec_from_file_location(f"make_fixtures_{lab.replace('-', '_')}", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    names = REBUILT[lab] or list(module.FIXTURES)
    assert set(names) <= set(module.FIXTURES)
    module.main(names, tmp_path)
    committed = script.parent / "snapshots"
    for name in names:
        want = (committed / f"{name}.yaml").read_text().splitlines(keepends=True)
        got = (tmp_path / f"{name}.yaml").read_text().splitlines(keepends=True)
        diff = "".join(difflib.unified_diff(want, got, "committed", "rebuilt", n=1))
        assert not diff, (
            f"labs/{lab}/tests/snapshots/{name}.yaml is stale: run python labs/{lab}/tests/make_fixtures.py\n{diff}"
        )

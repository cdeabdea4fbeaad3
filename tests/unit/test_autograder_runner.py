"""autograder.runner and loader: outcomes, exceptions, time limits, hidden checks and bad labs."""

from __future__ import annotations

import json
import textwrap

import pytest

from autograder import load_checks, run_checks
from autograder.errors import ChecksError, ClusterUnreachable
from autograder.state import MemoryState
from coursecore.errors import UsageError

CHECKS = """
import time
from autograder.checks import check, ok, fail, partial
from autograder.errors import ClusterUnreachable

@check(id="passes", title="Passes", points=1, hint="never shown")
def passes(state):
    return ok("fine")

@check(id="fails", title="Fails", points=2, hint="do the thing")
def fails(state):
    return fail("not done", ["spec.x: expected 1, got 2"])

@check(id="half", title="Half", points=2, hint="more")
def half(state):
    return partial(0.5, "half way")

@check(id="asserts", title="Asserts", points=1)
def asserts(state):
    assert state.get("Pod", "p") is not None, "no pod p"

@check(id="bare-assert", title="Bare assert", points=1)
def bare_assert(state):
    assert 1 + 1 == 3

@check(id="raises", title="Raises", points=1, hint="h")
def raises(state):
    return {}["missing"]

@check(id="returns-none", title="None is a pass", points=1)
def returns_none(state):
    pass

@check(id="returns-false", title="False is a fail", points=1)
def returns_false(state):
    return False

@check(id="returns-junk", title="Junk", points=1)
def returns_junk(state):
    return 42

@check(id="exits", title="Exits", points=1)
def exits(state):
    raise SystemExit(3)

@check(id="hangs", title="Hangs", points=1, timeout=0.2)
def hangs(state):
    time.sleep(5)

@check(id="secret", title="Secret", points=1, hidden=True, hint="secret hint")
def secret(state):
    return fail("restartPolicy is Always")

@check(id="edits", title="Edits what it reads", points=1)
def edits(state):
    for obj in state.objects("ConfigMap"):
        obj["data"]["k"] = "changed"

@check(id="sees-original", title="Sees the original", points=1)
def sees_original(state):
    assert all(o["data"]["k"] == "v" for o in state.objects("ConfigMap"))
"""

STATE = MemoryState([{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "v"}}])


@pytest.fixture
def lab(tmp_path):
    folder = tmp_path / "demo-lab"
    folder.mkdir()
    (folder / "lab.yaml").write_text(
        "id: demo-lab\ntitle: Demo\ntier: general\nminutes: 5\nsummary: A demo.\n"
        "grading:\n  capture:\n    - {apiVersion: v1, kind: ConfigMap}\n"
    )
    (folder / "checks.py").write_text(CHECKS)
    return folder


def test_every_kind_of_outcome(lab):
    report = run_checks(lab, STATE)
    by_id = {r.check.id: r for r in report.checks}
    expect = {
        "passes": ("passed", 1, "fine"),
        "fails": ("failed", 0, "not done"),
        "half": ("failed", 1, "half way"),
        "asserts": ("failed", 0, "no pod p"),
        "bare-assert": ("failed", 0, "assertion failed: assert 1 + 1 == 3"),
        "raises": ("error", 0, "internal error in check: KeyError: 'missing'"),
        "returns-none": ("passed", 1, ""),
        "returns-false": ("failed", 0, "check returned False"),
        "returns-junk": ("error", 0, "internal error in check: it returned a int"),
        "exits": ("error", 0, "internal error in check: SystemExit: 3"),
        "hangs": ("error", 0, "internal error in check: did not finish within 0.2 s"),
        "secret": ("failed", 0, "restartPolicy is Always"),
        "edits": ("passed", 1, ""),
        "sees-original": ("passed", 1, ""),
    }
    for check_id, (status, points, message) in expect.items():
        result = by_id[check_id]
        assert (result.status, result.points) == (status, points), check_id
        assert result.message.startswith(message), (check_id, result.message)
    assert [r.check.id for r in report.checks] == list(expect)  # declaration order
    assert report.lab == "demo-lab" and report.max_score == 16.0 and report.score == 5.0 and not report.passed


def test_report_json_is_the_documented_object(lab):
    data = run_checks(lab, STATE).to_json()
    assert list(data) == ["lab", "score", "max_score", "passed", "checks"]
    entry = data["checks"][1]
    assert entry == {
        "id": "fails",
        "title": "Fails",
        "passed": False,
        "points": 0.0,
        "max_points": 2.0,
        "message": "not done; spec.x: expected 1, got 2",
        "hint": "do the thing",
        "status": "failed",
    }
    assert data["checks"][0]["hint"] == ""  # hints only for what failed
    json.dumps(data)


def test_hidden_checks_are_masked_unless_revealed(lab):
    report = run_checks(lab, STATE, only=["secret"])
    masked = report.to_json()["checks"][0]
    assert masked["message"] == "hidden check did not pass" and masked["hint"] == ""
    revealed = report.to_json(reveal_hidden=True)["checks"][0]
    assert revealed["message"] == "restartPolicy is Always" and revealed["hint"] == "secret hint"


def test_only_and_unknown_ids(lab):
    assert [r.check.id for r in run_checks(lab, STATE, only=["half", "passes"]).checks] == ["passes", "half"]
    with pytest.raises(ChecksError, match="no check 'nope'"):
        run_checks(lab, STATE, only=["nope"])


def test_an_unreachable_cluster_aborts_the_run(lab):
    (lab / "checks.py").write_text(
        "from autograder.checks import check\nfrom autograder.errors import ClusterUnreachable\n"
        "@check(id='a', title='A')\ndef a(state):\n    raise ClusterUnreachable('gone')\n"
    )
    with pytest.raises(ClusterUnreachable, match="gone"):
        run_checks(lab, STATE)


@pytest.mark.parametrize(
    "source, problem",
    [
        ("def broken(:\n", "syntax error on line 1"),
        ("import no_such_module_here\n", "ModuleNotFoundError"),
        ("raise RuntimeError('boom')\n", "RuntimeError: boom"),
        ("x = 1\n", "declares no checks"),
        ("CHECKS = ['a']\n", "CHECKS must be the list"),
        ("from autograder.checks import check\n@check(id='Bad Id')\ndef f(s): pass\n", "not a DNS label"),
    ],
)
def test_broken_checks_files_are_usage_errors(lab, source, problem):
    (lab / "checks.py").write_text(source)
    with pytest.raises(ChecksError) as info:
        load_checks(lab)
    assert problem in str(info.value) and "checks.py" in str(info.value)
    assert isinstance(info.value, UsageError)


def test_loading_is_cached_until_the_file_changes(lab):
    first = load_checks(lab).checks
    assert load_checks(lab).checks is first
    import os
    import time

    (lab / "checks.py").write_text(textwrap.dedent(CHECKS) + "\n# edited\n")
    os.utime(lab / "checks.py", ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    assert load_checks(lab).checks is not first


def test_unknown_lab_and_missing_checks(tmp_path, lab, monkeypatch):
    monkeypatch.setenv("KUBECOURSE_LABS", str(tmp_path))
    with pytest.raises(UsageError, match="unknown lab 'nope'"):
        run_checks("nope", STATE)
    assert run_checks("demo-lab", STATE).lab == "demo-lab"
    (lab / "checks.py").unlink()
    with pytest.raises(ChecksError, match="not found"):
        load_checks("demo-lab")
    with pytest.raises(ChecksError, match="no lab.yaml"):
        load_checks(tmp_path / "elsewhere")

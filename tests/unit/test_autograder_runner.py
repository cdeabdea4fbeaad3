"""autograder.runner and loader: outcomes, exceptions, time limits, hidden checks, root causes,
collection in module order, labs as packages, and bad labs."""

from __future__ import annotations

import json
import os
import textwrap
import time

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

@check(id="secret", title="Secret", points=1, hidden=True, hint="a one-off command should run once")
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
        "consequence_of": None,
    }
    assert data["checks"][0]["hint"] == ""  # hints only for what failed
    json.dumps(data)


def test_hidden_checks_show_their_hint_but_never_what_they_found(lab):
    report = run_checks(lab, STATE, only=["secret"])
    masked = report.to_json()["checks"][0]
    assert masked["message"] == "hidden check did not pass"
    assert masked["hint"] == "a one-off command should run once"
    revealed = report.to_json(reveal_hidden=True)["checks"][0]
    assert revealed["message"] == "restartPolicy is Always" and revealed["hint"] == masked["hint"]


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
        ("CHECKS = ['a']\n", "declares no checks"),
        ("from autograder.checks import check\n@check(id='Bad Id')\ndef f(s): pass\n", "not a DNS label"),
        (
            "from autograder.checks import check\n@check(id='x')\ndef f(s): pass\n@check(id='x')\ndef g(s): pass\n",
            "duplicate check id 'x' (f and g)",
        ),
        ("from . import no_such_sibling\n", "ImportError"),
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


ROOTS = """
from autograder.checks import Unmet, check, fail, ok
from autograder.expect import require


@check(id="pod-exists", title="Pod hello exists", points=1, hint="apply pod.yaml")
def pod_exists(state):
    require(state, "Pod", "hello", namespace="first-pod")
    return ok()


@check(id="image", title="Image pinned", points=1, hint="pin the tag")
def image(state):
    pod = require(state, "Pod", "hello", namespace="first-pod")
    return ok(pod["spec"]["containers"][0]["image"])


@check(id="ran", title="The workflow ran", points=1, hint="about ordering")
def ran(state):
    raise Unmet("never ran: invalid spec", root="never-ran", hint="fix the spec first")


@check(id="ordered", title="Collect after runs", points=1, hidden=True, hint="about ordering")
def ordered(state):
    return fail("no runs", root="never-ran")


@check(id="independent", title="Independent", points=1, hint="its own hint")
def independent(state):
    return fail("its own problem")
"""


def test_one_root_cause_one_message_the_others_marked_as_consequences(lab):
    (lab / "checks.py").write_text(ROOTS)
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "hello", "namespace": "default"}}
    report = run_checks(lab, MemoryState([pod]))
    data = {c["id"]: c for c in report.to_json()["checks"]}
    assert data["pod-exists"]["message"] == "found Pod hello in namespace default, expected first-pod"
    assert data["pod-exists"]["hint"] == "apply pod.yaml" and data["pod-exists"]["consequence_of"] is None
    assert data["image"]["consequence_of"] == "pod-exists" and data["image"]["hint"] == ""
    assert data["ran"]["hint"] == "fix the spec first"  # the failure's own hint, not the check's
    assert data["ordered"]["consequence_of"] == "ran" and data["ordered"]["hint"] == ""
    assert data["independent"]["consequence_of"] is None and data["independent"]["hint"] == "its own hint"
    assert [r.check.id for r in report.consequences("pod-exists")] == ["image"]
    assert all(not c["passed"] and c["points"] == 0 for c in data.values())  # scores do not change


def test_checks_are_collected_in_module_order_once_each(lab):
    (lab / "checks.py").write_text(
        "from autograder.checks import check\n"
        "@check(id='zeta')\ndef zeta(state): pass\n"
        "alias = zeta\n"
        "@check(id='alpha')\ndef alpha(state): pass\n"
    )
    assert [c.id for c in load_checks(lab).checks] == ["zeta", "alpha"]


def test_a_lab_is_a_package_whose_files_import_each_other(lab):
    (lab / "reader.py").write_text("NAME = 'from a sibling'\n")
    (lab / "checks.py").write_text(
        "from autograder.checks import check, ok\n"
        "from . import reader\n"
        "@check(id='sibling')\ndef sibling(state):\n    return ok(reader.NAME)\n"
    )
    assert run_checks(lab, STATE).checks[0].message == "from a sibling"
    (lab / "reader.py").write_text("NAME = 'edited sibling'\n")
    os.utime(lab / "reader.py", ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    assert run_checks(lab, STATE).checks[0].message == "edited sibling"  # a sibling's edit reloads the lab

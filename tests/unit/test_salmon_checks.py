"""The argo-salmon lab's checks on its snapshot fixtures and on hand-made Workflow objects.

Which checks pass on every fixture is asserted by the shared snapshot test from
``labs/argo-salmon/tests/expected.yaml``; here: the messages say what is wrong, the hints teach,
the newest attempt is graded, and the node shapes Argo writes (retries, map items, steps) are read.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from autograder import MemoryState, load_snapshot, run_checks

LAB = Path(__file__).resolve().parents[2] / "labs" / "argo-salmon"
SNAPSHOTS = LAB / "tests" / "snapshots"
EXPECTED = yaml.safe_load((LAB / "tests" / "expected.yaml").read_text())


def report(fixture: str):
    return run_checks(LAB, load_snapshot(SNAPSHOTS / fixture))


def results(fixture: str) -> dict:
    return {c["id"]: c for c in report(fixture).to_json()["checks"]}


def test_points_total_ten_and_hints_teach():
    r = report("starter.yaml")
    assert r.max_score == 10
    assert all(len(c.check.hint) > 40 for c in r.checks)
    root, *others = r.to_json()["checks"]
    assert root["id"] == "workflow-exists" and "kubectl create" in root["hint"]
    assert all(not c["passed"] and c["consequence_of"] == "workflow-exists" and not c["hint"] for c in others)


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_fixture_verdicts(fixture):
    expected = EXPECTED[fixture]
    passed = set(expected["passed"] if isinstance(expected, dict) else expected)
    got = {c["id"] for c in results(fixture).values() if c["passed"]}
    assert got == passed
    statuses = {c["status"] for c in results(fixture).values()}
    assert "error" not in statuses


def test_solutions_earn_full_marks():
    for fixture in ("solution.yaml", "solution-steps.yaml", "withparam-dag.yaml", "claim-template.yaml"):
        r = report(fixture)
        assert r.score == r.max_score == 10, fixture


@pytest.mark.parametrize(
    ("fixture", "check", "fragments"),
    [
        ("starter.yaml", "workflow-exists", ["no Workflow in namespace salmon"]),
        ("too-few-runs.yaml", "fan-out", ["only 3 run(s)", "at least 5"]),
        ("duplicate-seeds.yaml", "fan-out", ["seed(s) 7 repeat", "only 1 distinct"]),
        ("no-pvc.yaml", "shared-storage", ["only read-only", "results stay in the pod"]),
        ("missing-requests.yaml", "resource-requests", ["collect", "no memory"]),
        ("collect-early-dag.yaml", "collect-after-runs", ["before", "finished"]),
        ("collect-early-steps.yaml", "collect-after-runs", ["before", "finished"]),
        ("failed-oom.yaml", "workflow-succeeded", ["Failed", "OOMKilled"]),
        ("failed-oom.yaml", "collect-after-runs", ["salmon-t4jzs.run(0:3) failed", "OOMKilled"]),
        ("invalid-spec.yaml", "fan-out", ["never ran: invalid spec"]),
        ("dishonest-best-score.yaml", "honest-collect", ["but the highest run score is"]),
        ("wrong-best-seed.yaml", "honest-collect", ["best-seed is", "scored"]),
    ],
)
def test_failure_messages(fixture, check, fragments):
    entry = results(fixture)[check]
    assert not entry["passed"]
    for fragment in fragments:
        assert fragment in entry["message"], entry["message"]


@pytest.mark.parametrize(
    ("fixture", "root", "consequences", "hint"),
    [
        ("invalid-spec.yaml", "fan-out", ["collect-after-runs", "workflow-succeeded", "honest-collect"], "refused"),
        ("failed-oom.yaml", "collect-after-runs", ["workflow-succeeded", "honest-collect"], "OOMKilled means"),
        ("collect-early-dag.yaml", "collect-after-runs", ["workflow-succeeded", "honest-collect"], "dependencies"),
        ("no-pvc.yaml", "shared-storage", ["workflow-succeeded", "honest-collect"], "emptyDir"),
    ],
)
def test_one_root_cause_one_message(fixture, root, consequences, hint):
    """The Workflow never ran, its runs failed, collect ran early or saw no shared volume: one
    failure says so with the hint for it; the others follow from it, without hints of their own."""
    checks = results(fixture)
    assert checks[root]["consequence_of"] is None and hint in checks[root]["hint"]
    assert [c for c, e in checks.items() if e["consequence_of"] == root] == consequences
    assert all(checks[c]["hint"] == "" for c in consequences)
    if fixture == "invalid-spec.yaml":  # not "the collect step ran before the runs finished"
        assert "before the runs finished" not in " ".join(e["hint"] for e in checks.values())


def test_ordering_hint_names_both_fixes():
    hint = results("collect-early-dag.yaml")["collect-after-runs"]["hint"]
    assert "dependencies: [run]" in hint and "later step group" in hint


def test_wrong_seed_earns_half_of_honest_collect():
    assert results("wrong-best-seed.yaml")["honest-collect"]["points"] == 1.0


def test_newest_attempt_is_graded():
    assert "newest of 2 attempts" in results("good-then-bad.yaml")["workflow-exists"]["message"]
    assert report("good-then-bad.yaml").score < 10
    assert report("bad-then-good.yaml").score == 10


def test_other_namespaces_and_names_are_not_graded():
    wf = _workflow("solution.yaml")
    elsewhere = copy.deepcopy(wf)
    elsewhere["metadata"]["namespace"] = "default"
    renamed = copy.deepcopy(wf)
    renamed["metadata"]["name"] = "hello-abcde"
    r = run_checks(LAB, MemoryState([elsewhere, renamed]))
    assert r.score == 0
    assert "hello-abcde" in r.to_json()["checks"][0]["message"]


def test_retried_runs_count_once():
    wf = _workflow("solution.yaml")
    nodes = wf["status"]["nodes"]
    pod_id, pod = next((k, n) for k, n in nodes.items() if n["displayName"] == "run(0:3)")
    # Argo with retryStrategy: a Retry node named like the run, with the attempts as Pod children.
    retry = {**pod, "type": "Retry", "children": [pod_id + "r0", pod_id + "r1"]}
    first = {
        **pod,
        "id": pod_id + "r0",
        "name": pod["name"] + "(0)",
        "displayName": "run(0:3)(0)",
        "phase": "Failed",
        "message": "OOMKilled (exit code 137)",
        "outputs": {"exitCode": "137"},
    }
    second = {**pod, "id": pod_id + "r1", "name": pod["name"] + "(1)", "displayName": "run(0:3)(1)"}
    nodes[pod_id] = retry
    nodes[pod_id + "r0"] = first
    nodes[pod_id + "r1"] = second
    r = run_checks(LAB, MemoryState([wf]))
    assert r.score == 10, r.to_json()
    assert "8 runs" in {c.check.id: c for c in r.checks}["fan-out"].message


def test_steps_withparam_map_items_are_read():
    r = report("withparam-dag.yaml")
    fan_out = {c.check.id: c for c in r.checks}["fan-out"]
    assert fan_out.passed and "101" in fan_out.message


def test_runs_without_score_fail_honest_collect():
    wf = _workflow("solution-steps.yaml")
    for node in wf["status"]["nodes"].values():
        if node["templateName"] == "solve":
            node["outputs"]["parameters"] = [p for p in node["outputs"]["parameters"] if p["name"] != "score"]
    entry = {c.check.id: c for c in run_checks(LAB, MemoryState([wf])).checks}["honest-collect"]
    assert not entry.passed and "exposes no integer output parameter 'score'" in entry.message


def test_no_status_yet():
    wf = _workflow("solution.yaml")
    del wf["status"]
    got = {c.check.id: c.passed for c in run_checks(LAB, MemoryState([wf])).checks}
    assert got == {
        "workflow-exists": True,
        "fan-out": False,
        "shared-storage": True,
        "resource-requests": True,
        "collect-after-runs": False,
        "workflow-succeeded": False,
        "honest-collect": False,
    }


def _workflow(fixture: str) -> dict:
    items = yaml.safe_load((SNAPSHOTS / fixture).read_text())["items"]
    return copy.deepcopy(next(i for i in items if i["kind"] == "Workflow"))


# -- the Salmon results summary (kubecourse results) ------------------------------------------------


def _cli(*args: str) -> int:
    from kubecourse.cli.main import run

    with pytest.raises(SystemExit) as exit_info:
        run(list(args))
    return exit_info.value.code


def test_summary_recomputes_the_study_numbers():
    import statistics

    from kubecourse.results import salmon_summary

    summary = salmon_summary(snapshot=SNAPSHOTS / "solution.yaml")
    scores = [
        int(p["value"])
        for n in _workflow("solution.yaml")["status"]["nodes"].values()
        if n["type"] == "Pod" and n["templateName"] == "solve"
        for p in n["outputs"]["parameters"]
        if p["name"] == "score"
    ]
    assert len(summary.runs) == len(scores) == 8
    assert summary.best_score == max(scores)
    assert summary.mean == pytest.approx(statistics.fmean(scores))
    assert summary.stdev == pytest.approx(statistics.stdev(scores))
    assert summary.best_known == 1740  # the true layout's score, from data/dna30.txt.layout.json
    assert summary.reported_best_seed in summary.best_seeds
    assert all(r.generation is not None for r in summary.runs)
    assert summary.best_generation == min(r.generation for r in summary.runs if r.score == summary.best_score)


def test_results_cli_json_and_figure(tmp_path, capsys):
    import json

    figure = tmp_path / "salmon.png"
    assert _cli("results", "--snapshot", str(SNAPSHOTS / "solution-steps.yaml"), "--json", "--figure", str(figure)) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["workflow"].startswith("salmon-") and len(data["runs"]) == 8
    assert data["best-score"] == max(r["score"] for r in data["runs"])
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_results_cli_table_and_exit_codes(capsys):
    assert _cli("results", "--snapshot", str(SNAPSHOTS / "failed-oom.yaml")) == 1  # no run scored
    assert _cli("results", "--snapshot", str(SNAPSHOTS / "solution.yaml")) == 0
    out = capsys.readouterr().out
    assert "Salmon results" in out and "true layout score" in out
    assert _cli("results", "--snapshot", str(SNAPSHOTS / "starter.yaml")) == 1
    assert "no salmon-* Workflow" in capsys.readouterr().out
    assert _cli("results", "--snapshot", "/nonexistent.yaml") == 2


def test_a_running_workflow_in_a_snapshot_is_not_waited_for():
    wf = _workflow("solution.yaml")
    wf["status"]["phase"] = "Running"
    entry = {c.check.id: c for c in run_checks(LAB, MemoryState([wf])).checks}["workflow-succeeded"]
    assert not entry.passed and "still Running" in entry.message

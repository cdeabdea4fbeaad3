"""The fake controllers retry failed writes and report their own bugs, as real controllers do.

After client-go's workqueue (``staging/src/k8s.io/client-go/util/workqueue/default_rate_limiters.go``:
a failed key is requeued with per-item exponential backoff, ``Forget`` on success) and
``utilruntime.HandleError`` / ``HandleCrash`` (``staging/src/k8s.io/apimachinery/pkg/util/runtime/runtime.go``:
errors are logged, never dropped; a panic crashes the controller).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fakekind.controllers import Controllers
from fakekind.replay import Replay
from fakekind.workqueue import FakeControllerBug, WorkQueue
from fakekube import FakeKubeServer
from fakekube.errors import conflict, not_found

ROOT = Path(__file__).resolve().parents[2]


class Flaky:
    """Raises the given errors, one per call, then succeeds."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def test_a_failed_item_backs_off_exponentially_and_is_forgotten_on_success():
    queue = WorkQueue(base_delay=0.05, max_delay=0.15)
    work = Flaky(conflict("jobs", "j", "batch"), conflict("jobs", "j", "batch"))
    assert queue.run("j", work) is False
    assert queue.run("j", work) is False and work.calls == 1  # backing off: not tried again at once
    time.sleep(0.06)
    assert queue.run("j", work) is False and work.calls == 2
    time.sleep(0.06)
    assert queue.run("j", work) is False and work.calls == 2  # the second failure waits 0.1 s
    time.sleep(0.05)
    assert queue.run("j", work) is True and work.calls == 3
    assert queue.add_rate_limited("j") == 0.05  # success forgot the failures
    assert queue.add_rate_limited("j") == 0.1 and queue.add_rate_limited("j") == 0.15  # capped
    assert [f.error.split(":")[0] for f in queue.expected_failures] == ["ApiError", "ApiError"]
    assert all("Traceback" in f.traceback for f in queue.expected_failures)
    queue.check()  # races a real controller meets are retried quietly


@pytest.mark.parametrize("error", [not_found("pods", "p"), conflict("pods", "p")])
def test_races_a_real_controller_meets_are_not_bugs(error):
    queue = WorkQueue()
    queue.run("p", Flaky(error))
    assert queue.unexpected == [] and len(queue.expected_failures) == 1
    queue.check()


def test_a_bug_in_a_fake_fails_with_its_traceback_once():
    queue = WorkQueue(base_delay=0)

    def buggy():
        return {}["status"]

    assert queue.run("pass", buggy) is False
    assert queue.run("pass", buggy) is False  # the same bug twice is reported once
    with pytest.raises(FakeControllerBug) as bug:
        queue.check()
    assert "KeyError: 'status'" in str(bug.value) and "in buggy" in str(bug.value)
    assert "while reconciling 'pass'" in str(bug.value)
    queue.check()  # already reported


def _server_with_job() -> FakeKubeServer:
    server = FakeKubeServer()
    server.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}})
    server.create(
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": "j", "namespace": "a"},
            "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "x"}], "restartPolicy": "Never"}}},
        }
    )
    return server


def _wait(predicate, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_controllers_retry_a_failed_status_write(monkeypatch):
    server = _server_with_job()
    real = server.patch_status
    failures = [conflict("jobs", "j", "batch")]

    def patch_status(*args, **kwargs):
        if failures:
            raise failures.pop()
        return real(*args, **kwargs)

    monkeypatch.setattr(server, "patch_status", patch_status)
    controllers = Controllers(server, period=0.02).start()
    try:
        assert _wait(lambda: (server.get("batch/v1", "Job", "j", "a").get("status") or {}).get("conditions"))
    finally:
        controllers.stop()
    assert [f.item for f in controllers.queue.expected_failures] == [("j", "a", "j")]


def test_controllers_stop_fails_on_a_bug_in_a_pass(monkeypatch):
    server = _server_with_job()
    monkeypatch.setattr(server, "patch_status", lambda *a, **k: None + 1)
    controllers = Controllers(server, period=0.02).start()
    assert _wait(lambda: controllers.queue.unexpected)
    with pytest.raises(FakeControllerBug, match="TypeError"):
        controllers.stop()


def test_replay_does_not_mark_a_failed_status_write_done():
    """A status the replay could not write is written on a later pass (it used to be marked
    done before the write, so a failed write was never retried)."""
    server = FakeKubeServer()
    replay = Replay(ROOT / "labs")
    lab, items = next((lab, items) for lab, items in replay.fixtures.items() if any(o["kind"] == "Job" for o in items))
    job = next(o for o in items if o["kind"] == "Job" and o.get("status"))
    replay.fixtures = {lab: [job]}
    server.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "kc-control-plane"}})
    server.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": job["metadata"]["namespace"]}})
    applied = {k: v for k, v in job.items() if k != "status"}
    applied["metadata"] = {"name": job["metadata"]["name"], "namespace": job["metadata"]["namespace"]}
    server.create(applied)
    real = server.patch_status
    calls = []

    def patch_status(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise not_found("jobs", job["metadata"]["name"], "batch")
        return real(*args, **kwargs)

    server.patch_status = patch_status
    queue = WorkQueue(base_delay=0)
    replay.reconcile(server, queue)
    assert not server.get("batch/v1", "Job", job["metadata"]["name"], job["metadata"]["namespace"]).get("status")
    replay.reconcile(server, queue)
    assert server.get("batch/v1", "Job", job["metadata"]["name"], job["metadata"]["namespace"])["status"]
    replay.reconcile(server, queue)
    assert len(calls) == 2  # done once written
    queue.check()


def test_fixture_controllers_retry_a_failed_status_write_and_fail_on_a_bug():
    """The lab notebook tests' stand-in (tests/lab_notebook_tools.py) marked a status written
    before writing it; a write that failed was never retried."""
    from lab_notebook_tools import FixtureControllers

    from coursecore.labs import discover

    lab = next(lab for lab in discover(ROOT / "labs") if lab.id == "batch-jobs")
    server = FakeKubeServer()
    controllers = FixtureControllers(server, [lab], period=0.02)
    fixture = next(o for o in controllers.fixtures if o["kind"] == "Job" and o.get("status"))
    meta = fixture["metadata"]
    server.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": meta["namespace"]}})
    server.create({k: v for k, v in fixture.items() if k != "status"} | {"metadata": dict(meta)})
    real, calls = server.patch_status, []

    def patch_status(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise conflict("jobs", meta["name"], "batch")
        return real(*args, **kwargs)

    server.patch_status = patch_status
    with controllers:
        assert _wait(lambda: server.get("batch/v1", "Job", meta["name"], meta["namespace"]).get("status"))
    assert len(calls) == 2
    server.patch_status = lambda *a, **k: None + 1
    server.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}})
    buggy = FixtureControllers(server, [lab], namespaces={meta["namespace"]: "other"}, period=0.02)
    server.create({k: v for k, v in fixture.items() if k != "status"} | {"metadata": dict(meta, namespace="other")})
    with pytest.raises(FakeControllerBug, match="TypeError"):
        with buggy:
            assert _wait(lambda: buggy.queue.unexpected)

"""sandbox.class_run: one piece of work per learner, in parallel, every learner reported in
roster order, a failure (named where that backend puts the sandbox) never stopping the others."""

from __future__ import annotations

import threading
import time

import pytest

from coursecore.errors import UsageError
from sandbox.class_run import LearnerResult, check_parallel, run_all
from sandbox.errors import CreateFailed
from sandbox.roster import Learner


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple] = []
        self.lock = threading.Lock()

    def begin(self, total):
        self.events.append(("begin", total))

    def started(self, name):
        with self.lock:
            self.events.append(("started", name))

    def step(self, name, text):
        with self.lock:
            self.events.append(("step", name, text))

    def finished(self, result):
        with self.lock:
            self.events.append(("finished", result.name, result.status))

    def end(self):
        self.events.append(("end",))


def test_rows_in_roster_order_and_failures_carry_on():
    learners = [Learner(name=n, given=n, line=i + 2) for i, n in enumerate(["ann", "bob", "cy", "dee"])]
    running, peak = [0], [0]
    lock = threading.Lock()

    def work(learner, report):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        report("working")
        time.sleep(0.05 if learner.name != "ann" else 0.15)  # ann finishes last
        with lock:
            running[0] -= 1
        if learner.name == "bob":
            raise CreateFailed("failed to create sandbox: boom", hint="try again")
        return LearnerResult(name=learner.name, cluster=f"c-{learner.name}", status="created", seconds=0)

    observer = Recorder()
    report = run_all("up", learners, work, parallel=2, place=lambda name: f"kc-{name}", observer=observer)
    assert [r.name for r in report.results] == ["ann", "bob", "cy", "dee"]
    bob = report.results[1]
    assert (bob.status, bob.cluster, bob.error, bob.hint) == (
        "failed",
        "kc-bob",
        "failed to create sandbox: boom",
        "try again",
    )
    assert not report.ok and report.counts() == {"created": 3, "failed": 1} and peak[0] == 2
    assert all(r.seconds > 0 for r in report.results)
    assert observer.events[0] == ("begin", 4) and observer.events[-1] == ("end",)
    assert ("step", "cy", "working") in observer.events


@pytest.mark.parametrize("parallel", [0, -1, 65])
def test_parallel_outside_the_limits_is_refused(parallel):
    with pytest.raises(UsageError, match="--parallel must be from 1 to 64"):
        check_parallel(parallel)

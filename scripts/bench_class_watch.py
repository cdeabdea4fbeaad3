"""Benchmark of ``kubecourse class watch``: one round over N learners (default 200) on a shared
cluster, against the fake API server in its own process.

Set-up (not timed): ``class up --backend namespace`` of N learners with the product's own code,
then the first-pod solution Pod in every second learner's namespace (status written as the
kubelet would). Timed: ``Room.round()`` (read every learner's captured kinds and run the lab's
checks), median over ``--rounds``; as the baseline measured in the same run, grading learners
one at a time on the live cluster the way ``kubecourse check LAB --name NAME`` does (a live state
mapped to the learner's namespace per learner), on ``--baseline`` learners, scaled to N.
Goal: a round of 200 learners in under 2 s.

Run: ``python scripts/bench_class_watch.py [--learners 200] [--rounds 7] [--baseline 20]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_namespace import start_server  # noqa: E402 (the scripts folder is not a package)

POD = """apiVersion: v1
kind: Pod
metadata: {{name: hello, namespace: {ns}, labels: {{app: hello}}}}
spec:
  restartPolicy: Never
  containers:
    - name: hello
      image: busybox:1.36
      command: [echo, hello]
      resources: {{requests: {{cpu: 50m, memory: 16Mi}}}}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--baseline", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        os.environ["KUBECOURSE_HOME"] = str(work / "home")
        server, kubeconfig = start_server(work)
        try:
            run(args, work, kubeconfig)
        finally:
            server.terminate()
            server.wait(timeout=10)


def run(args, work: Path, kubeconfig: Path) -> None:
    from autograder.live import connect
    from autograder.namespace_map import NamespaceMapped
    from autograder.runner import run_checks
    from kubecourse.class_watch import Room, seats
    from sandbox.namespace import room
    from sandbox.namespace.api import Cluster

    names = [f"learner-{i:04d}" for i in range(args.learners)]
    roster = work / "roster.csv"
    roster.write_text("name\n" + "".join(f"{n}\n" for n in names))
    t0 = time.monotonic()
    room.class_up(roster, output=work / "out", kubeconfig=kubeconfig, parallel=8)
    admin = connect(kubeconfig=kubeconfig)
    writer = Cluster.connect(kubeconfig)
    for name in names[::2]:
        ns = f"kc-{name}"
        writer.request("POST", f"/api/v1/namespaces/{ns}/pods", body=_pod(ns))
        writer.request(
            "PATCH",
            f"/api/v1/namespaces/{ns}/pods/hello/status",
            body={"status": {"phase": "Succeeded"}},
            content_type="application/merge-patch+json",
        )
    writer.close()
    print(f"set-up: {args.learners} learners provisioned, {len(names[::2])} Pods, {time.monotonic() - t0:.1f} s")

    watch = Room("first-pod", seats(names))
    watch.round()  # warm: connection, discovery, lab files
    rounds = []
    for _ in range(args.rounds):
        started = time.monotonic()
        view = watch.round()
        rounds.append(time.monotonic() - started)
    working = sum(1 for r in view.learners if r.presence == "working")
    print(
        f"class watch round, {args.learners} learners ({working} working): median {statistics.median(rounds):.3f} s, "
        f"min {min(rounds):.3f} s, max {max(rounds):.3f} s over {args.rounds} rounds"
    )

    one = []
    for name in names[: args.baseline]:
        started = time.monotonic()
        state = NamespaceMapped(admin, lab_namespaces=("first-pod",), target=f"kc-{name}")
        run_checks("first-pod", state)
        one.append(time.monotonic() - started)
    scaled = statistics.median(one) * args.learners
    print(
        f"baseline, live check per learner: median {statistics.median(one):.3f} s per learner, "
        f"{scaled:.2f} s for {args.learners} (scaled from {args.baseline})"
    )
    print(f"ratio: a watch round is {scaled / statistics.median(rounds):.1f}x faster than checking learners one by one")


def _pod(namespace: str) -> dict:
    import yaml

    return yaml.safe_load(POD.format(ns=namespace))


if __name__ == "__main__":
    main()

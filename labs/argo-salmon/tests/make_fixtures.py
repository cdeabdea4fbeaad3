"""Rebuild the argo-salmon snapshot fixtures: ``python labs/argo-salmon/tests/make_fixtures.py``.

Each fixture is what ``kubecourse snapshot argo-salmon`` would capture after a learner submitted
some workflow: the lab's PersistentVolumeClaim plus the Workflow object(s) with the status Argo
writes. The workflows are the reference solutions or variations of them (one mistake each), and
:mod:`argosim` really runs their commands (the solver, the collect step, the seed generator), so
scores and seeds are genuine; times follow the workflow's dependencies with each pod's run time
modelled (:data:`argosim.SOLVER_SECONDS`), so a rebuild is byte for byte what is committed
(tests/integration/test_lab_fixture_scripts.py rebuilds those that run no command). ``expected.yaml``
beside this file says which checks each fixture passes: it is written by hand, not generated, so
a rebuild that changes a verdict fails the tests.

Usage: make_fixtures.py [NAME ...]   (default: all fixtures)
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from argosim import simulate, write_fixtures

HERE = Path(__file__).resolve().parent
LAB = HERE.parent
OUT = HERE / "snapshots"
DAG = (LAB / "solution" / "workflow-dag.yaml").read_text()
STEPS = (LAB / "solution" / "workflow-steps.yaml").read_text()
T0 = datetime(2026, 11, 28, 9, 0, 0, tzinfo=UTC)


def edit(text: str, *pairs: tuple[str, str]) -> str:
    """Apply (old, new) replacements, each of which must match."""
    for old, new in pairs:
        assert old in text, f"fixture edit does not match: {old!r}"
        text = text.replace(old, new, 1)
    return text


NO_DEPENDENCIES = (
    "            dependencies: [run]  # waits for every run(i:seed)\n",
    "            dependancies: [run]  # the typo Argo 3.x ignores\n",
)
COLLECT_SAME_GROUP = (
    "        - - name: collect            # group 3: starts only when every run has finished\n",
    "          - name: collect            # same group as the runs: starts with them\n",
)
RESULTS_ON_EMPTYDIR = [
    ("        claimName: salmon-data\n", "        claimName: salmon-data\n    - name: scratch\n      emptyDir: {}\n"),
    (
        "          - name: lab-data\n            mountPath: /results\n            subPath: results\n",
        "          - name: scratch\n            mountPath: /results\n",
    ),
    (
        "          - name: lab-data\n            mountPath: /results\n            subPath: results\n",
        "          - name: scratch\n            mountPath: /results\n",
    ),
]
COLLECT_MIN = (
    """            python -m salmon_algorithm.collect /results/{{workflow.name}} \\
              --instance /data/{{workflow.parameters.instance}} --params-dir /tmp
""",
    """            # the learner's own collect: takes the LOWEST score (right for a TSP length,
            # wrong for a DNA assembly score, where higher is better)
            python - <<'PY'
            import glob, json
            runs = [json.load(open(f)) for f in glob.glob("/results/{{workflow.name}}/*.json")]
            best = min(runs, key=lambda r: r["score"])
            open("/tmp/best-score", "w").write(str(best["score"]))
            open("/tmp/best-seed", "w").write(str(best["seed"]))
            PY
""",
)
COLLECT_INDEX = (
    COLLECT_MIN[0],
    """            # the learner's own collect: a copy-and-paste slip writes the score as the seed
            python - <<'PY'
            import glob, json
            runs = [json.load(open(f)) for f in glob.glob("/results/{{workflow.name}}/*.json")]
            best = max(runs, key=lambda r: r["score"])
            open("/tmp/best-score", "w").write(str(best["score"]))
            open("/tmp/best-seed", "w").write(str(best["score"]))
            PY
""",
)
WITHPARAM_DAG = [
    (
        "      dag:\n        tasks:\n",
        """      dag:
        tasks:
          - name: seeds
            template: make-seeds
""",
    ),
    (
        """            withItems: [3, 7, 11, 13, 17, 19, 23, 29]\n""",
        """            withParam: "{{tasks.seeds.outputs.result}}"\n            dependencies: [seeds]\n""",
    ),
    (
        "\n    - name: solve\n",
        """
    - name: make-seeds
      script:
        image: salmon-solver:1.0
        imagePullPolicy: IfNotPresent
        command: [python]
        source: |
          import json
          print(json.dumps([{"seed": s} for s in range(101, 107)]))
        resources:
          requests:
            cpu: 100m
            memory: 64Mi

    - name: solve
""",
    ),
    ('value: "{{item}}"', 'value: "{{item.seed}}"'),
]
CLAIM_TEMPLATE = [
    (
        "  volumes:\n",
        """  volumeClaimTemplates:          # a fresh claim per workflow for the results
    - metadata:
        name: results
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 64Mi
  volumes:
""",
    ),
    (
        "          - name: lab-data\n            mountPath: /results\n            subPath: results\n",
        "          - name: results\n            mountPath: /results\n",
    ),
    (
        "          - name: lab-data\n            mountPath: /results\n            subPath: results\n",
        "          - name: results\n            mountPath: /results\n",
    ),
]

# fixture -> workflows submitted, oldest first: (name, workflow text)
FIXTURES: dict[str, list[tuple[str, str]]] = {
    "starter": [],
    "solution": [("salmon-x7k2p", DAG)],
    "solution-steps": [("salmon-q4mzt", STEPS)],
    "withparam-dag": [("salmon-b8vhc", edit(DAG, *WITHPARAM_DAG))],
    "claim-template": [("salmon-r2nwd", edit(DAG, *CLAIM_TEMPLATE))],
    "too-few-runs": [("salmon-k9tfz", edit(DAG, ("[3, 7, 11, 13, 17, 19, 23, 29]", "[3, 7, 11]")))],
    "duplicate-seeds": [("salmon-m5ggp", edit(DAG, ("[3, 7, 11, 13, 17, 19, 23, 29]", "[7, 7, 7, 7, 7, 7]")))],
    "no-pvc": [("salmon-w6dcl", edit(DAG, *RESULTS_ON_EMPTYDIR))],
    "missing-requests": [
        ("salmon-h3sxq", edit(DAG, ("            cpu: 100m\n            memory: 128Mi\n", "            cpu: 100m\n")))
    ],
    "collect-early-dag": [("salmon-v2lrk", edit(DAG, NO_DEPENDENCIES))],
    "collect-early-steps": [("salmon-f7pnb", edit(STEPS, COLLECT_SAME_GROUP))],
    "failed-oom": [
        (
            "salmon-t4jzs",
            edit(
                DAG,
                (
                    "            cpu: 200m\n            memory: 256Mi\n",
                    "            cpu: 200m\n            memory: 64Mi\n          limits:\n            memory: 64Mi\n",
                ),
            ),
        )
    ],
    "invalid-spec": [("salmon-n8kcw", edit(DAG, ("dependencies: [run]", "dependencies: [runs]")))],
    "dishonest-best-score": [("salmon-z5tqm", edit(DAG, COLLECT_MIN))],
    "wrong-best-seed": [("salmon-c6bwh", edit(DAG, COLLECT_INDEX))],
    "good-then-bad": [("salmon-x7k2p", DAG), ("salmon-p3vzn", edit(DAG, NO_DEPENDENCIES))],
    "bad-then-good": [("salmon-p3vzn", edit(DAG, NO_DEPENDENCIES)), ("salmon-x7k2p", DAG)],
}


def claim() -> dict:
    """The claim `kubecourse start argo-salmon` makes and fills with the lab's data."""
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {
            "name": "salmon-data",
            "namespace": "salmon",
            "uid": "5f0c9a53-2f5e-4d8e-9d83-3c1f2b7f0a11",
            "creationTimestamp": "2026-11-28T08:40:12Z",
            "resourceVersion": "1187",
            "labels": {"app.kubernetes.io/managed-by": "kubecourse", "kubecourse.io/lab": "argo-salmon"},
            "annotations": {
                "pv.kubernetes.io/bind-completed": "yes",
                "volume.kubernetes.io/selected-node": "kubecourse-alice-control-plane",
                "volume.kubernetes.io/storage-provisioner": "rancher.io/local-path",
            },
        },
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "1Gi"}},
            "storageClassName": "standard",
            "volumeMode": "Filesystem",
            "volumeName": "pvc-5f0c9a53-2f5e-4d8e-9d83-3c1f2b7f0a11",
        },
        "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"}},
    }


def build(fixture: str) -> dict:
    items = [claim()]
    with tempfile.TemporaryDirectory(prefix="salmon-claims-") as claims:
        for i, (name, text) in enumerate(FIXTURES[fixture]):
            workflow = yaml.safe_load(text)
            # Learners create the lab's files with `kubectl create -n salmon`: the object gets the namespace.
            workflow["metadata"]["namespace"] = "salmon"
            created = T0 + timedelta(minutes=20 * i)
            items.append(simulate(workflow, name=name, created=created, claims=Path(claims)))
    return {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": items}


def main(names: list[str], out: Path = OUT) -> None:
    write_fixtures(names, FIXTURES, build, out, "labs/argo-salmon/tests/make_fixtures.py")


if __name__ == "__main__":
    main(sys.argv[1:])

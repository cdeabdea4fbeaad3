"""The lint rules of the job-queues and scheduling labs (``labs/<id>/lint.py``): each mistake
they exist for is reported on its line, and the reference solutions pass."""

from __future__ import annotations

import pytest

from coursecore.labs import find
from manifestlint import lint_file, lint_text

QUEUES = """\
apiVersion: kueue.x-k8s.io/v1beta2
kind: ClusterQueue
metadata: {name: research}
spec:
  resourceGroups:
    - coveredResources: [cpu, memory]
      flavors:
        - name: default-flavor
          resources:
            - {name: cpu, nominalQuota: lots}
---
apiVersion: kueue.x-k8s.io/v1beta2
kind: LocalQueue
metadata: {name: team, namespace: queues}
spec: {}
"""

JOB = """\
apiVersion: batch/v1
kind: Job
metadata: {name: sim-1, namespace: queues}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: sim, image: busybox:1.36, resources: {requests: {cpu: 500m, memory: 64Mi}}}]
"""

PACK = """\
apiVersion: batch/v1
kind: Job
metadata: {name: pack, namespace: scheduling}
spec:
  parallelism: 4
  template:
    metadata: {labels: {app: pack}}
    spec:
      restartPolicy: Never
      %s
      containers: [{name: work, image: busybox:1.36}]
"""

PORTAL = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: portal, namespace: scheduling}
spec:
  replicas: %d
  selector: {matchLabels: {app: portal}}
  template:
    metadata: {labels: {app: portal}}
    spec:
      %s
      containers: [{name: web, image: busybox:1.36}]
"""


def _messages(text, lab_id):
    return [(p.line, p.message) for p in lint_text(text, lab=find(lab_id)).problems]


@pytest.mark.parametrize("lab_id", ["job-queues", "scheduling"])
def test_reference_solutions_pass_the_lab_rules(lab_id):
    lab = find(lab_id)
    for path in sorted((lab.path / "solution").glob("*.yaml")):
        assert lint_file(path, lab=lab).ok, path


def test_queue_mistakes_are_named_on_their_lines():
    found = _messages(QUEUES, "job-queues")
    assert any(line == 4 and "no namespaceSelector" in m for line, m in found), found
    assert any(line == 10 and "'lots' is not a quantity" in m for line, m in found), found
    assert any("exactly the coveredResources" in m for _, m in found), found
    assert any(line == 15 and "spec.clusterQueue must name" in m for line, m in found), found


def test_a_job_without_queue_label_or_suspend_is_flagged():
    found = [m for _, m in _messages(JOB, "job-queues")]
    assert any("kueue.x-k8s.io/queue-name" in m for m in found), found
    assert any("suspend: true" in m for m in found), found
    labelled = JOB.replace("namespace: queues}", "namespace: queues, labels: {kueue.x-k8s.io/queue-name: team}}")
    labelled = labelled.replace("spec:\n  template", "spec:\n  suspend: true\n  template")
    assert _messages(labelled, "job-queues") == []


@pytest.mark.parametrize(
    ("affinity", "words"),
    [
        ("", "nothing asks for packing"),
        (
            "affinity: {podAffinity: {requiredDuringSchedulingIgnoredDuringExecution: "
            "[{topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: other}}}]}}",
            "own labels",
        ),
        (
            "affinity: {podAffinity: {requiredDuringSchedulingIgnoredDuringExecution: "
            "[{topologyKey: topology.kubernetes.io/zone, labelSelector: {matchLabels: {app: pack}}}]}}",
            "the same node",
        ),
    ],
)
def test_batch_without_a_working_pack_rule_is_flagged(affinity, words):
    found = [m for _, m in _messages(PACK % affinity, "scheduling")]
    assert any(words in m for m in found), found


def test_a_node_selector_or_a_scheduler_profile_counts_as_a_pack_rule():
    assert _messages(PACK % "nodeSelector: {kubernetes.io/hostname: kubecourse-alice-worker}", "scheduling") == []
    assert _messages(PACK % "schedulerName: batch-packing", "scheduling") == []


@pytest.mark.parametrize(
    ("replicas", "spread", "words"),
    [
        (2, "", "no topologySpreadConstraints"),
        (
            2,
            "topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, "
            "whenUnsatisfiable: ScheduleAnyway, "
            "labelSelector: {matchLabels: {app: portal}}}]",
            "preference",
        ),
        (
            2,
            "topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, "
            "whenUnsatisfiable: DoNotSchedule, "
            "labelSelector: {matchLabels: {app: web}}}]",
            "nothing is counted",
        ),
        (
            3,
            "topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, "
            "whenUnsatisfiable: DoNotSchedule, "
            "labelSelector: {matchLabels: {app: portal}}}]",
            "nodeTaintsPolicy: Honor",
        ),
    ],
)
def test_service_spread_mistakes_are_flagged(replicas, spread, words):
    found = [m for _, m in _messages(PORTAL % (replicas, spread), "scheduling")]
    assert any(words in m for m in found), found

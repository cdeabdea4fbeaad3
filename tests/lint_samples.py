"""Small valid manifests written for the linter's tests, and a Hypothesis strategy that breaks them.

The samples cover what the linter reads: a Deployment with its Service, an Indexed Job, a
CronJob, a PersistentVolumeClaim, Argo Workflows with a dag, steps, loops and exit hooks, a
CronWorkflow and a kustomization. :func:`mutated` replaces, removes or adds one value anywhere
in a sample, with any value YAML can hold.
"""

from __future__ import annotations

import copy
import datetime
import functools
from typing import Any

import yaml
from hypothesis import strategies as st

SAMPLES: dict[str, str] = {
    "deployment": """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: demo, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      nodeSelector: {disk: ssd}
      initContainers: [{name: init, image: busybox:1.36, command: ["true"]}]
      containers:
        - name: web
          image: nginx:1.27
          ports: [{name: http, containerPort: 8080, protocol: TCP}]
          resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 128Mi}}
          readinessProbe: {httpGet: {path: /, port: http}}
          volumeMounts: [{name: data, mountPath: /data}]
      volumes: [{name: data, emptyDir: {}}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: demo}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: http, nodePort: 30080}]
""",
    "job": """\
apiVersion: batch/v1
kind: Job
metadata: {name: sweep}
spec:
  completionMode: Indexed
  completions: 5
  parallelism: 2
  backoffLimitPerIndex: 1
  maxFailedIndexes: 2
  activeDeadlineSeconds: 600
  template:
    spec:
      restartPolicy: Never
      containers: [{name: run, image: busybox:1.36, args: ["$(JOB_COMPLETION_INDEX)"]}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 2 * * *"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: run, image: busybox:1.36}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
""",
    "dag": """\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: fan-}
spec:
  entrypoint: main
  arguments: {parameters: [{name: count, value: "3"}]}
  volumes: [{name: work, emptyDir: {}}]
  templates:
    - name: main
      dag:
        tasks:
          - name: make
            template: make
          - name: run
            template: run
            depends: make.Succeeded
            withParam: "{{tasks.make.outputs.result}}"
            arguments: {parameters: [{name: seed, value: "{{item}}"}]}
            hooks:
              exit: {template: note, arguments: {parameters: [{name: s, value: "{{tasks.run.status}}"}]}}
          - name: sum
            template: sum
            dependencies: [run]
            arguments: {parameters: [{name: all, value: "{{tasks.run.outputs.parameters.score}}"}]}
    - name: make
      script: {image: python:3.12, command: [python], source: "print([1, 2, 3])"}
    - name: run
      inputs: {parameters: [{name: seed}]}
      outputs: {parameters: [{name: score, valueFrom: {path: /tmp/score}}]}
      container:
        image: busybox:1.36
        args: ["{{inputs.parameters.seed}}", "{{workflow.parameters.count}}"]
        resources: {requests: {cpu: 100m, memory: 32Mi}}
        volumeMounts: [{name: work, mountPath: /work}]
    - name: sum
      inputs: {parameters: [{name: all}]}
      container: {image: busybox:1.36}
    - name: note
      inputs: {parameters: [{name: s}]}
      container: {image: busybox:1.36}
""",
    "steps": """\
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata: {name: nightly}
spec:
  schedules: ["0 3 * * *"]
  workflowSpec:
    entrypoint: main
    templates:
      - name: main
        steps:
          - - {name: seeds, template: seeds}
          - - name: run
              template: run
              withItems: [1, 2, {a: b}]
              arguments: {parameters: [{name: seed, value: "{{item}}"}]}
          - - name: last
              template: run
              arguments: {parameters: [{name: seed, value: "{{steps.seeds.outputs.result}}"}]}
      - name: seeds
        script: {image: python:3.12, command: [python], source: print(1)}
      - name: run
        retryStrategy: {limit: 2}
        inputs: {parameters: [{name: seed}]}
        container: {image: busybox:1.36}
""",
    "kustomization": """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [../base]
namespace: prod
labels: [{pairs: {env: prod}, includeTemplates: true}]
replicas: [{name: web, count: 3}]
images: [{name: nginx, newTag: 1.27.3}]
configMapGenerator: [{name: site, behavior: replace, files: [index.html]}]
patches: [{path: patch.yaml, target: {kind: Deployment, name: web}}]
""",
}


@functools.cache
def _parsed(name: str) -> tuple[Any, ...]:
    return tuple(d for d in yaml.safe_load_all(SAMPLES[name]) if d is not None)


def documents(name: str) -> list[Any]:
    return copy.deepcopy(list(_parsed(name)))


@functools.cache
def _all_paths(name: str) -> tuple[tuple[int, tuple], ...]:
    return tuple((i, path) for i, doc in enumerate(_parsed(name)) for path in _paths(doc))


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["{{item}}", "{{steps.x.outputs.result}}", "500m", "1Gi", "Never", "Indexed", "", "~", "a/b"]),
    st.dates(min_value=datetime.date(1, 1, 1)),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(st.text(max_size=8), st.integers(), st.booleans(), st.none()), inner, max_size=3),
    ),
    max_leaves=4,
)


def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    out = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += _paths(item, path + (i,))
    return out


@st.composite
def mutated(draw: st.DrawFn, name: str) -> list[Any]:
    """The documents of sample ``name`` with one value replaced, removed or added."""
    docs = documents(name)
    index, path = draw(st.sampled_from(_all_paths(name)))
    doc = docs[index]
    action = draw(st.sampled_from(["replace", "replace", "remove", "add"]))
    if not path:
        docs[index] = draw(values) if action != "add" else doc
        return docs
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if action == "replace":
        parent[last] = draw(values)
    elif action == "remove":
        del parent[last]
    elif isinstance(parent[last], dict):
        parent[last][draw(st.text(min_size=1, max_size=10))] = draw(values)
    elif isinstance(parent[last], list):
        parent[last].append(draw(values))
    else:
        parent[last] = [parent[last], draw(values)]
    return docs

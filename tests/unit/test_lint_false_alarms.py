"""Valid files the linter once called wrong, and malformed ones it once crashed on (issue 13).

Each case is a small file written for this test; every valid one must lint clean, every
malformed one must give exactly the findings named, never a traceback.
"""

from __future__ import annotations

import textwrap

import pytest

from manifestlint import lint_text


def _lint(text: str, source: str = "f.yaml"):
    return lint_text(textwrap.dedent(text), source=source)


def _found(text: str, source: str = "f.yaml") -> list[tuple[str, str]]:
    return [(p.rule, p.path) for p in _lint(text, source).problems]


VALID = {
    "workflow-template-ref": """\
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {generateName: from-template-}
        spec:
          workflowTemplateRef: {name: salmon-template}
          entrypoint: main            # a template of salmon-template, not of this file
          arguments:
            parameters: [{name: seeds, value: "8"}]
        """,
    "exit-hook-reads-own-step": """\
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {generateName: hooks-}
        spec:
          entrypoint: main
          templates:
            - name: main
              steps:
                - - name: work
                    template: produce
                    hooks:
                      exit:
                        template: report
                        arguments:
                          parameters:
                            - {name: result, value: "{{steps.work.outputs.parameters.count}}"}
                            - {name: status, value: "{{steps.work.status}}"}
            - name: produce
              container: {image: busybox:1.36, command: [sh, -c, "echo 3 > /tmp/n"]}
              outputs:
                parameters: [{name: count, valueFrom: {path: /tmp/n}}]
            - name: report
              inputs: {parameters: [{name: result}, {name: status}]}
              container: {image: busybox:1.36, command: [echo, "{{inputs.parameters.result}}"]}
        """,
    "dag-exit-hook-reads-own-task": """\
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {generateName: dag-hooks-}
        spec:
          entrypoint: main
          templates:
            - name: main
              dag:
                tasks:
                  - name: work
                    template: produce
                    hooks:
                      exit:
                        template: report
                        arguments: {parameters: [{name: status, value: "{{tasks.work.status}}"}]}
            - name: produce
              container: {image: busybox:1.36}
            - name: report
              inputs: {parameters: [{name: status}]}
              container: {image: busybox:1.36}
        """,
    "documented-variables": """\
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {generateName: variables-}
        spec:
          entrypoint: main
          arguments: {parameters: [{name: greeting, value: hi}]}
          templates:
            - name: main
              inputs: {parameters: [{name: who, value: you}]}
              steps:
                - - name: first
                    template: show
                    arguments:
                      parameters:
                        - {name: text, value: "{{steps.name}} {{workflow.parameters.json}} {{workflow.parameters}}"}
            - name: show
              inputs: {parameters: [{name: text}]}
              container:
                image: busybox:1.36
                args: ["{{inputs.parameters}} {{workflow.name}} {{pod.name}} {{retries}} {{node.name}}"]
            - name: graph
              dag:
                tasks:
                  - name: a
                    template: show
                    arguments: {parameters: [{name: text, value: "{{tasks.name}} {{=sprig.trim(workflow.name)}}"}]}
        """,
    "rbac-names-with-colons": """\
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: "system:kube-scheduler:extra"}
        rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: "system:kube-scheduler:extra"}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:kube-scheduler:extra"}
        subjects: [{kind: User, name: "system:kube-scheduler", apiGroup: rbac.authorization.k8s.io}]
        """,
    "kind-cluster-config": """\
        kind: Cluster
        apiVersion: kind.x-k8s.io/v1alpha4
        nodes: [{role: control-plane}, {role: worker}]
        """,
    "audit-policy": """\
        apiVersion: audit.k8s.io/v1
        kind: Policy
        rules: [{level: Metadata}]
        """,
    "egress-selector": """\
        apiVersion: apiserver.k8s.io/v1beta1
        kind: EgressSelectorConfiguration
        egressSelections: [{name: cluster, connection: {proxyProtocol: Direct}}]
        """,
    "scheduler-config": """\
        apiVersion: kubescheduler.config.k8s.io/v1
        kind: KubeSchedulerConfiguration
        profiles: [{schedulerName: batch-packing}]
        """,
    "kubeconfig": """\
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]
        contexts: []
        users: []
        """,
    "workflow-list": """\
        apiVersion: argoproj.io/v1alpha1
        kind: WorkflowList
        items:
          - metadata: {name: one}
            spec:
              entrypoint: main
              templates: [{name: main, container: {image: busybox:1.36}}]
        """,
    "pod-list-without-item-kinds": """\
        apiVersion: v1
        kind: PodList
        metadata: {resourceVersion: "1"}
        items:
          - metadata: {name: p}
            spec: {containers: [{name: c, image: busybox:1.36}]}
        """,
}


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_files_lint_clean(name):
    report = _lint(VALID[name])
    assert report.ok, report.lines()


def test_tool_files_are_named_in_a_note():
    report = _lint(VALID["kind-cluster-config"])
    assert report.notes == (
        "document 1: a kind cluster configuration (read by kind create cluster --config); "
        "not a Kubernetes API object, not linted",
    )
    assert report.apply_hint is None


def test_a_kustomization_without_apiversion_is_recognised_by_its_name():
    text = "resources: [deployment.yaml]\nnamePrefix: dev-\n"
    assert _lint(text, "kustomization.yaml").ok
    assert _found(text, "other.yaml") == [("not-an-object", "")]
    assert _found("resources: [a.yaml]\nresource: [b.yaml]\n", "kustomization.yaml") == [("unknown-field", "resource")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # one type error, not one enum error per letter
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\n"
            "spec: {accessModes: ReadWriteOnce, resources: {requests: {storage: 1Gi}}}\n",
            [("type", "spec.accessModes")],
        ),
        ("apiVersion: v1\nkind: ConfigMap\n", [("metadata", "metadata")]),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: {tier: 3}}\n",
            [("type", "metadata.labels.tier")],
        ),
        (  # ports: 80 once crashed the linter
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: {app: a}, ports: 80}\n",
            [("type", "spec.ports")],
        ),
        (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i, ports: 80}]}\n",
            [("type", "spec.containers[0].ports")],
        ),
        (  # template: [t] once crashed the Argo rules
            "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: w}\nspec:\n  entrypoint: main\n"
            "  templates:\n  - name: main\n    steps: [[{name: s, template: [t]}]]\n"
            "  - name: t\n    container: {image: i}\n",
            [("type", "spec.templates[0].steps[0][0].template")],
        ),
    ],
    ids=[
        "access-modes-string",
        "missing-metadata",
        "numeric-label",
        "service-ports-80",
        "container-ports-80",
        "template-list",
    ],
)
def test_one_finding_per_mistake(text, expected):
    assert _found(text) == expected


def test_documented_steps_name_next_to_a_real_reference_mistake():
    text = VALID["documented-variables"].replace("{{steps.name}}", "{{steps.frist.outputs.result}}")
    assert _found(text) == [("reference", "spec.templates[0].steps[0][0].arguments.parameters[0].value")]

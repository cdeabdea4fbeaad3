"""The linter on Kubernetes' own kinds: schema layer, rules of meaning, line numbers, lab rules.

The manifests are small files written for these tests."""

from __future__ import annotations

import textwrap

import pytest

from coursecore.errors import UsageError
from manifestlint import FieldPath, Finding, lint, lint_file, lint_text, quantity
from manifestlint.labrules import load_rules

GOOD_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: gateway
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports: [{name: http, containerPort: 8080}]
          resources:
            requests: {cpu: 100m, memory: 64Mi}
            limits: {memory: 128Mi}
          readinessProbe:
            httpGet: {path: /, port: http}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: gateway}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
"""


def _lint(text: str):
    return lint_text(textwrap.dedent(text), source="m.yaml")


def _rules(report) -> list[tuple[int, str]]:
    return [(p.line, p.rule) for p in report.problems]


def test_valid_file_has_no_problems():
    report = _lint(GOOD_DEPLOYMENT)
    assert report.ok, report.lines()
    assert report.documents == 2 and report.apply_hint == "kubectl apply -f m.yaml"


def test_unknown_field_is_named_on_its_line_with_a_suggestion():
    report = _lint(GOOD_DEPLOYMENT.replace("  replicas: 2", "  replicas: 2\n  replics: 3"))
    (p,) = report.problems
    assert (p.line, p.rule, p.path) == (8, "unknown-field", "spec.replics")
    assert "did you mean 'replicas'" in p.message


def test_unknown_field_deep_in_a_container():
    report = _lint(
        GOOD_DEPLOYMENT.replace(
            "          image: nginx:1.27", "          image: nginx:1.27\n          imagePullPolicyy: Always"
        )
    )
    assert _rules(report) == [(17, "unknown-field")]
    assert report.problems[0].path == "spec.template.spec.containers[0].imagePullPolicyy"


def test_wrong_type_on_its_line():
    report = _lint(GOOD_DEPLOYMENT.replace("replicas: 2", "replicas: two"))
    assert _rules(report) == [(7, "type")]
    assert "spec.replicas must be a whole number, not 'two'" in report.problems[0].message


def test_number_where_a_string_belongs_says_to_quote_it():
    report = _lint(
        GOOD_DEPLOYMENT.replace(
            "          image: nginx:1.27", "          image: nginx:1.27\n          env: [{name: SEEDS, value: 8}]"
        )
    )
    assert _rules(report) == [(17, "type")]
    assert 'quotes: "8"' in report.problems[0].message


def test_missing_required_field():
    report = _lint(GOOD_DEPLOYMENT.replace("        - name: web\n          image", "        - image"))
    assert ("spec.template.spec.containers[0].name is required") in report.problems[0].message
    assert _rules(report) == [(15, "required")]


def test_wrong_api_version_for_kind_names_the_served_one():
    report = _lint(GOOD_DEPLOYMENT.replace("apiVersion: apps/v1", "apiVersion: extensions/v1beta1"))
    assert _rules(report) == [(1, "api-version")]
    assert "use apiVersion apps/v1" in report.problems[0].message


def test_misspelled_kind_gets_a_suggestion():
    report = _lint("apiVersion: batch/v1\nkind: Jobs\nmetadata: {name: sweep}\n")
    assert _rules(report) == [(2, "unknown-kind")]
    assert "did you mean 'Job'" in report.problems[0].message


def test_missing_kind_and_api_version_is_one_finding():
    report = _lint("metadata: {name: x}\n")
    assert _rules(report) == [(1, "not-an-object")]
    report = _lint("kind: Pod\nmetadata: {name: x}\n")
    assert [(p.rule, p.path) for p in report.problems] == [("required", "apiVersion")]


def test_custom_resources_get_the_metadata_schema_and_rules_only():
    report = _lint("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {anything: goes}\n")
    assert report.ok, report.lines()
    report = _lint("apiVersion: example.com/v1\nkind: Widget\nmetadata: {labels: {a: b c, k: 5}, nme: x}\n")
    assert sorted((p.rule, p.path) for p in report.problems) == [
        ("label", "metadata.labels.a"),
        ("metadata", "metadata"),
        ("type", "metadata.labels.k"),
        ("unknown-field", "metadata.nme"),
    ]


def test_tool_files_in_k8s_io_groups_are_not_built_in_kinds():
    report = _lint("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [../base]\n")
    assert report.ok, report.lines()
    report = _lint("apiVersion: networking.k8s.io/v1\nkind: Ingres\nmetadata: {name: x}\n")
    assert [p.rule for p in report.problems] == ["unknown-kind"]


def test_multi_document_file_reports_document_numbers_and_lines():
    text = GOOD_DEPLOYMENT + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: 5}\n"
    report = _lint(text)
    (p,) = report.problems
    assert (p.document, p.line, p.rule, p.path) == (3, 34, "type", "data.k")
    assert report.documents == 3


def test_kind_list_items_are_linted_with_their_path():
    report = _lint(
        "apiVersion: v1\nkind: List\nitems:\n"
        "  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: c}\n    dta: {}\n"
    )
    (p,) = report.problems
    assert (p.line, p.path, p.rule) == (7, "items[0].dta", "unknown-field")


def test_bad_yaml_is_the_files_error_with_its_line():
    report = lint_text("apiVersion: v1\nkind: Pod\nmetadata: {name: [x}\n", source="m.yaml")
    assert not report.ok and report.problems == ()
    assert report.error.startswith("line 3, column ") and "not valid YAML" in report.error


def test_missing_file_is_the_files_error(tmp_path):
    assert "not found" in lint_file(tmp_path / "nope.yaml").error


def test_empty_file_and_non_mapping_documents():
    assert _rules(_lint("# nothing\n")) == [(1, "empty")]
    assert _rules(_lint("- a\n- b\n")) == [(1, "not-an-object")]


def test_duplicate_keys_are_reported():
    report = _lint("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: x}\ndata: {b: z}\n")
    assert _rules(report) == [(5, "duplicate-key")]


@pytest.mark.parametrize(
    ("old", "new", "rule"),
    [
        ("cpu: 100m", "cpu: 2 cpus", "quantity"),
        ("limits: {memory: 128Mi}", "limits: {memory: 128m}", "quantity"),
        ("memory: 64Mi}", "memory: 256Mi}", "quantity"),  # request above the 128Mi limit
        ("labels: {app: web}", "labels: {app: webapp}", "selector"),
        ("port: http}", "port: web}", "probe-port"),
        ("name: web\n          image", "name: web\n          imagePullPolicy: Sometimes\n          image", "enum"),
        ("name: web\n  namespace", "name: Web_1\n  namespace", "name"),
    ],
)
def test_rules_of_meaning(old, new, rule):
    text = GOOD_DEPLOYMENT.replace(old, new, 1)
    assert text != GOOD_DEPLOYMENT
    report = _lint(text)
    assert rule in {p.rule for p in report.problems}, report.lines()


def test_claim_access_modes_and_size():
    claim = (
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\n"
        "spec:\n  accessModes: [ReadWriteOnly]\n  resources: {requests: {storage: 10GB}}\n"
    )
    assert [(p.line, p.rule) for p in _lint(claim).problems] == [(5, "enum"), (6, "quantity")]
    assert _lint(claim.replace("ReadWriteOnly", "ReadWriteOnce").replace("10GB", "10Gi")).ok


def test_service_that_selects_nothing_in_the_file():
    report = _lint(GOOD_DEPLOYMENT.replace("  selector: {app: web}\n  ports", "  selector: {app: wbe}\n  ports"))
    assert _rules(report) == [(28, "selects-nothing")]
    assert report.problems[0].document == 2


def test_named_target_port_must_exist():
    report = _lint(GOOD_DEPLOYMENT.replace("targetPort: http", "targetPort: htp"))
    assert _rules(report) == [(29, "target-port")]


def test_job_rules():
    job = """\
    apiVersion: batch/v1
    kind: Job
    metadata: {name: sweep}
    spec:
      completionMode: Indexd
      backoffLimitPerIndex: 1
      template:
        spec:
          containers: [{name: c, image: busybox:1.36}]
    """
    job = textwrap.dedent(job)
    rules = {p.rule for p in _lint(job).problems}
    assert rules == {"enum", "indexed-job", "restart-policy"}
    fixed = (
        job.replace("Indexd", "Indexed")
        .replace("backoffLimitPerIndex: 1", "backoffLimitPerIndex: 1\n  completions: 5")
        .replace("    spec:\n      containers", "    spec:\n      restartPolicy: Never\n      containers")
    )
    assert _lint(fixed).ok, _lint(fixed).lines()


def test_lab_namespaces_and_lab_rules(tmp_path):
    (tmp_path / "lint.py").write_text(
        "from manifestlint import Finding, rule\n"
        "@rule(kinds=['Deployment.apps'])\n"
        "def needs_three_replicas(doc):\n"
        "    if doc['spec'].get('replicas', 1) < 3:\n"
        "        yield Finding('spec.replicas', 'run at least 3 replicas')\n"
        "@rule(kinds=['Deployment'])\n"
        "def crashes(doc):\n"
        "    raise KeyError('x')\n"
    )

    class Lab:
        id = "demo"
        path = tmp_path
        cluster = type("Cluster", (), {"namespaces": ("batch",)})()
        grading = type("Grading", (), {"capture": ()})()

    report = lint_text(GOOD_DEPLOYMENT, source="m.yaml", lab=Lab())
    got = {(p.line, p.rule) for p in report.problems}
    assert got == {(7, "needs-three-replicas"), (5, "namespace"), (1, "rule-error")}, report.lines()
    assert "the rule crashes failed on this object: KeyError" in report.lines()[0]


def test_broken_lab_rules_file_is_a_usage_error(tmp_path):
    (tmp_path / "lint.py").write_text("RULES = []\n")
    with pytest.raises(UsageError, match="tag each rule with @manifestlint.rule"):
        load_rules(tmp_path)
    (tmp_path / "lint.py").write_text("import nonexistent_module_xyz\n")
    with pytest.raises(UsageError, match="failed to load .*lint.py: ModuleNotFoundError"):
        load_rules(tmp_path)
    assert load_rules(tmp_path / "absent") == []


def test_dispatch_through_the_linter_registry(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(GOOD_DEPLOYMENT)
    assert lint("manifests", path).ok


@pytest.mark.parametrize(
    ("text", "value"),
    [("500m", "0.5"), ("2", "2"), ("4Gi", str(4 * 2**30)), ("1e3", "1000"), ("1.5k", "1500"), (2, "2")],
)
def test_quantities(text, value):
    assert quantity(text) == type(quantity(2))(value)


@pytest.mark.parametrize("text", ["4GB", "2 cpus", "", "1K", True, None, "Gi"])
def test_not_quantities(text):
    assert quantity(text) is None


def test_finding_paths_from_strings_tuples_and_field_paths():
    assert Finding("spec.template.spec.containers[0].image", "m").path == FieldPath(
        ("spec", "template", "spec", "containers", 0, "image")
    )
    assert Finding(("metadata", "labels", "app.kubernetes.io/name"), "m").path == FieldPath.of(
        "metadata.labels['app.kubernetes.io/name']"
    )
    assert str(Finding("", "whole doc").path) == ""
    with pytest.raises(ValueError, match="invalid field path"):
        FieldPath.of("spec..x")


def test_schemas_match_the_sandbox_kubernetes_version():
    from manifestlint import KUBERNETES_VERSION
    from sandbox.kind import DEFAULT_NODE_IMAGE

    tag = DEFAULT_NODE_IMAGE.split("@")[0].rsplit(":", 1)[1]  # v1.35.0
    assert tag.lstrip("v").rsplit(".", 1)[0] == KUBERNETES_VERSION

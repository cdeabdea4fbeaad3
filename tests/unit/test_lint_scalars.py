"""Plain YAML scalars typed as kubectl types them, so the linter judges what the API server gets.

kubectl turns YAML into JSON with sigs.k8s.io/yaml, which reads YAML with go-yaml v2
(go.yaml.in/yaml/v2 v2.4.2, resolve.go), not with YAML 1.1's tables as PyYAML does. Where the two
differ, a learner sees a false alarm (``value: 12:30`` is text to kubectl, the number 750 to
PyYAML) or no warning before ``kubectl apply`` fails (``value: 1e-3`` is a number to kubectl, text
to PyYAML). The expected values below are what kubectl 1.37's ``create --dry-run=client -o json``
printed for each scalar.
"""

from __future__ import annotations

import math

import pytest

from manifestlint import lint_text
from manifestlint.scalars import plain_scalar
from manifestlint.yamlpos import parse_with_lines

KUBECTL = [
    # text to kubectl: sexagesimal numbers were dropped by go-yaml ("a bad idea")
    ("12:30", "12:30"),
    ("190:20:30", "190:20:30"),
    ("1:20.5", "1:20.5"),
    # numbers to kubectl that YAML 1.1 leaves as text
    ("1e3", 1000.0),
    ("1e-3", 0.001),
    ("+.5", 0.5),
    ("0o17", 15),
    ("08", 8.0),  # not octal, so a float
    # integers the same way in both
    ("0755", 493),
    ("0x1F", 31),
    ("0b101", 5),
    ("-0b101", -5),
    ("+12", 12),
    ("1_000", 1000),
    ("18446744073709551615", 18446744073709551615),  # ParseUint's range
    ("18446744073709551616", 1.8446744073709552e19),
    # booleans: y and n too, but not mixed case
    ("y", True),
    ("Y", True),
    ("yes", True),
    ("ON", True),
    ("n", False),
    ("No", False),
    ("off", False),
    ("tRUE", "tRUE"),
    # nulls
    ("", None),
    ("~", None),
    ("Null", None),
    ("NULL", None),
    # text, where YAML 1.1 has types kubectl does not
    ("=", "="),
    ("2020-01-01", "2020-01-01"),
    ("2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"),
    ("1e400", "1e400"),  # out of float range: kept as written
    ("nan", "nan"),
    ("0x", "0x"),
    ("busybox:1.36", "busybox:1.36"),
    ("500m", "500m"),
]


@pytest.mark.parametrize(("text", "expected"), KUBECTL, ids=[repr(t) for t, _ in KUBECTL])
def test_plain_scalars_are_typed_as_kubectl_types_them(text, expected):
    value = plain_scalar(text)
    assert value == expected and type(value) is type(expected)
    (doc,) = parse_with_lines(f"v: {text}\n", source="t.yaml")
    assert doc.data["v"] == expected and type(doc.data["v"]) is type(expected)


def test_special_floats_and_quoted_text():
    assert math.isnan(plain_scalar(".nan")) and plain_scalar("-.Inf") == -math.inf
    (doc,) = parse_with_lines("a: '12:30'\nb: \"y\"\nc: !!str 1e3\nd: !!int '0o17'\n", source="t.yaml")
    assert doc.data == {"a": "12:30", "b": "y", "c": "1e3", "d": 15}


def test_merge_keys_still_merge():
    (doc,) = parse_with_lines("base: &b {a: 1, b: 2}\nm:\n  <<: *b\n  b: 3\n", source="t.yaml")
    assert doc.data["m"] == {"a": 1, "b": 3}


POD = """\
apiVersion: v1
kind: Pod
metadata: {{name: train}}
spec:
  restartPolicy: Never
  containers:
  - name: train
    image: busybox:1.36
    command: [sh, -c, 'echo $LEARNING_RATE']
    resources: {{requests: {{cpu: 100m, memory: 64Mi}}, limits: {{memory: 64Mi}}}}
    env:
    - name: LEARNING_RATE
      value: {value}
"""


def test_a_time_of_day_is_not_a_false_alarm():
    report = lint_text(POD.format(value="12:30"), source="pod.yaml")
    assert report.ok, report.problems


@pytest.mark.parametrize("value", ["1e-3", "y", "0o17"])
def test_what_kubectl_sends_as_a_number_or_boolean_is_found(value):
    """`kubectl apply` fails on these (the API wants EnvVar.value as a string)."""
    report = lint_text(POD.format(value=value), source="pod.yaml")
    assert [p.rule for p in report.problems] == ["type"], report.problems
    assert "env[0].value must be a string" in report.problems[0].message

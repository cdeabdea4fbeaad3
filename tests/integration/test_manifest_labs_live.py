"""The manifest labs graded live: the reference manifests (and troubleshooting's broken ones)
applied with the real kubectl to the fake API server, the status their controllers would write
copied from the ``solution.yaml`` fixture (objects that controllers create, such as Pods, created
as a controller would), then the checks run against the live API and against the snapshot
written from it."""

from __future__ import annotations

import copy

import pytest
import yaml
from fakekube.resources import ResourceType
from manifest_lab_tools import LABS, kustomize_tree, overlays

import autograder
from autograder.live import connect


def _fixture_objects(lab, fixture: str) -> list[dict]:
    return yaml.safe_load((lab.path / "tests" / "snapshots" / fixture).read_text())["items"]


def _cases():
    for lab in LABS:
        yield pytest.param(lab, None, "solution.yaml", id=f"{lab.id}/solution")
        if (lab.path / "starter" / "broken.yaml").is_file():  # troubleshooting: the broken service as handed out
            yield pytest.param(lab, [lab.path / "starter" / "broken.yaml"], "broken.yaml", id=f"{lab.id}/broken")


def _results(report):
    return [(r["id"], r["status"], r["points"]) for r in report.to_json(reveal_hidden=True)["checks"]]


@pytest.mark.parametrize(("lab", "manifests", "fixture"), list(_cases()))
def test_live_grading_matches_the_fixture_and_the_snapshot(lab, manifests, fixture, fake_kube, tmp_path):
    server = fake_kube.server
    if server.registry.by_kind("discovery.k8s.io/v1", "EndpointSlice") is None:
        # The fake does not ship EndpointSlices; a plain namespaced type is all the checks read.
        server.registry.add(
            [
                ResourceType(
                    group="discovery.k8s.io",
                    version="v1",
                    kind="EndpointSlice",
                    plural="endpointslices",
                    namespaced=True,
                )
            ]
        )
    for crds in sorted((lab.path / "tests" / "crds").glob("*.yaml")):  # an add-on's kinds (Kueue's queues)
        fake_kube.kubectl("apply", "-f", str(crds))
        fake_kube.kubectl("wait", "--for=condition=Established", "-f", str(crds), "--timeout=10s")
    for namespace in lab.cluster.namespaces:
        fake_kube.kubectl(
            "apply", "-f", "-", input=f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {namespace}}}\n"
        )
    tree = kustomize_tree(lab, tmp_path)
    if tree is not None:  # a Git-repo-like lab: apply each overlay of the solution with -k
        for overlay in overlays(lab, tree):
            fake_kube.kubectl("apply", "-k", str(overlay))
    for path in (
        manifests if manifests is not None else (sorted((lab.path / "solution").glob("*.yaml")) if tree is None else [])
    ):
        fake_kube.kubectl("apply", "-n", lab.cluster.namespaces[0], "-f", str(path))  # as the notebook applies it
    for obj in _fixture_objects(lab, fixture):
        meta = obj["metadata"]
        if server.get(obj["apiVersion"], obj["kind"], meta["name"], namespace=meta.get("namespace")) is not None:
            server.patch_status(
                obj["apiVersion"], obj["kind"], meta["name"], obj.get("status") or {}, namespace=meta.get("namespace")
            )
        else:  # made by a controller (Pods, EndpointSlices): create it the way it would
            made = copy.deepcopy(obj)
            for field in ("uid", "resourceVersion", "creationTimestamp"):
                made["metadata"].pop(field, None)
            server.create(made)

    live = connect(fake_kube.kubeconfig)
    live_report = autograder.run_checks(lab, live)
    expected = yaml.safe_load((lab.path / "tests" / "expected.yaml").read_text())[fixture]
    expected = set(expected["passed"] if isinstance(expected, dict) else expected)
    assert live_report.passed_ids() == expected, [(r.check.id, r.message) for r in live_report.checks]

    out = tmp_path / "snapshot.yaml"
    autograder.write_snapshot(lab, live, out)
    snap_report = autograder.run_checks(lab, autograder.load_snapshot(out))
    assert _results(snap_report) == _results(live_report)

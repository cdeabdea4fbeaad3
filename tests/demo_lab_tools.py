"""A small lab for the tests of ``start`` and ``class up --lab`` with the fake kind: one add-on
(Argo Workflows, its manifest served from a local HTTP server and pinned in the home's
``addons.yaml``), a namespace, a manifest, a built and a pulled image, and a data volume."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fakekind.httpserver import FileServer

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec: {{containers: [{{name: main, image: quay.io/argoproj/{name}:v3.7.3}}]}}
"""
MANIFEST = "\n---\n".join(DEPLOYMENT.format(name=n) for n in ("workflow-controller", "argo-server")).encode()
SHA = hashlib.sha256(MANIFEST).hexdigest()

LAB = """id: demo-lab
title: Demo
tier: general
minutes: 10
summary: A lab for tests.
cluster:
  nodes: {nodes}
  addons: [argo-workflows]
  namespaces: [demo]
  manifests: [setup/rbac.yaml]
  images:
    - {{name: "demo-solver:1.0", build: image}}
    - {{name: "{copy}"}}
  data:
    - {{claim: demo-data, namespace: demo, source: data, size: 2Gi, image: "{copy}"}}
"""
COPY_IMAGE = "busybox:1.36.1@sha256:" + "7" * 64
STEPS = [
    "namespace demo",
    "add-on argo-workflows v3.7.3",
    "manifest setup/rbac.yaml",
    "image demo-solver:1.0",
    f"image {COPY_IMAGE}",
    "data data/ onto claim demo/demo-data",
]
"""What ``start demo-lab`` does, in order, when no add-on image was prefetched."""


@contextmanager
def demo_lab(fake_kind, tmp_path: Path, monkeypatch) -> Iterator[tuple[FileServer, Path]]:
    """Lab ``demo-lab`` under ``tmp_path/labs`` (``$KUBECOURSE_LABS``), the stand-in controllers
    running, and its add-on manifest served; yields the file server and the lab's folder."""
    root = tmp_path / "labs"
    lab = root / "demo-lab"
    (lab / "image").mkdir(parents=True)
    (lab / "image" / "Dockerfile").write_text("FROM scratch\n")
    (lab / "data" / "sub").mkdir(parents=True)
    (lab / "data" / "a.txt").write_text("hello\n")
    (lab / "data" / "sub" / "b.bin").write_bytes(bytes(range(256)))
    (lab / "setup").mkdir()
    (lab / "setup" / "rbac.yaml").write_text(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: executor, namespace: demo}\n"
        "rules: [{apiGroups: [argoproj.io], resources: [workflowtaskresults], verbs: [create, patch]}]\n"
    )
    (lab / "lab.yaml").write_text(LAB.format(nodes=1, copy=COPY_IMAGE))
    monkeypatch.setenv("KUBECOURSE_LABS", str(root))
    fake_kind.play_controllers()
    with FileServer({"/install.yaml": MANIFEST}) as server:
        fake_kind.kubecourse_home.mkdir(parents=True, exist_ok=True)
        (fake_kind.kubecourse_home / "addons.yaml").write_text(
            f"argo-workflows:\n  url: {server.url('/install.yaml')}\n  sha256: {SHA}\n"
        )
        yield server, lab


def api(fake_kind):
    """The fake API server every fake kind cluster answers from."""
    return getattr(fake_kind.kube, "server", fake_kind.kube)


__all__ = ["COPY_IMAGE", "LAB", "MANIFEST", "SHA", "STEPS", "api", "demo_lab"]

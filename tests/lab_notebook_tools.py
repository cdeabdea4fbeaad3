"""Running the labs' solution notebooks against the fake API server, as a learner would run them.

The fake API server runs no controllers, so :class:`FixtureControllers` plays them from each lab's
``tests/snapshots/solution.yaml``: when the notebook's commands create an object the fixture
holds (same kind, namespace and name, or the newest object of a ``generateName`` family), it gets
the fixture's ``status`` as the controller would write it (Deployments' ``observedGeneration``
follows the object's generation, so ``kubectl rollout status`` and ``kubectl wait`` work); objects
that controllers make (Pods of a Job or a ReplicaSet, EndpointSlices of a Service, Kueue's
Workloads) appear once their owner exists. What ``kubecourse start`` prepares (namespaces, the
lab's data claims and set-up manifests, the cluster's nodes, add-on CRDs) is made up front by
:func:`prepare_cluster`. A namespace map makes the same fixtures serve a learner whose namespace
is not the lab's (the namespace backend's ``kc-NAME``).

:func:`exit_code_hook` writes an IPython start-up file that records every ``!`` command's exit
code and fails the cell when one is not 0, and fails the submit cell when it writes no
``snapshot.yaml`` (with what it printed): a notebook whose commands fail does not pass nbval.
"""

from __future__ import annotations

import copy
import json
import threading
from pathlib import Path

import yaml
from fakekind.workqueue import WorkQueue
from fakekube.manifests import workflow_crd
from fakekube.resources import ResourceType

ROOT = Path(__file__).resolve().parents[1]
SERVER_FIELDS = ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields")


def fixture_objects(lab, fixture: str = "solution.yaml") -> list[dict]:
    return yaml.safe_load((lab.path / "tests" / "snapshots" / fixture).read_text())["items"]


def _in(obj: dict, namespaces: dict[str, str]) -> dict:
    """``obj`` moved from a lab namespace to the learner's (``namespaces`` maps one to the other)."""
    obj = copy.deepcopy(obj)
    meta = obj["metadata"]
    if meta.get("namespace") in namespaces:
        meta["namespace"] = namespaces[meta["namespace"]]
    for field in SERVER_FIELDS:
        meta.pop(field, None)
    return obj


def prepare_cluster(kube, labs, *, namespaces: dict[str, str] | None = None) -> None:
    """What ``kubecourse start`` leaves behind for each of ``labs`` (and the kinds they use)."""
    server = kube.server
    namespaces = namespaces or {}
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
    crds = [yaml.safe_dump(workflow_crd())]
    crds += [p.read_text() for lab in labs for p in sorted((lab.path / "tests" / "crds").glob("*.yaml"))]
    kube.kubectl("apply", "-f", "-", input="\n---\n".join(crds))
    kube.kubectl("wait", "--for=condition=Established", "crd", "--all", "--timeout=20s")
    made = set()
    for lab in labs:
        for namespace in lab.cluster.namespaces:
            target = namespaces.get(namespace, namespace)
            if target not in made:
                server.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": target}})
                made.add(target)
        for manifest in lab.cluster.manifests:
            for doc in yaml.safe_load_all((lab.path / manifest).read_text()):
                if doc:
                    doc.setdefault("metadata", {}).setdefault("namespace", lab.cluster.namespaces[0])
                    server.create(_in(doc, namespaces))
        claims = {(d.namespace, d.claim) for d in lab.cluster.data}
        for obj in fixture_objects(lab):
            key = (obj["metadata"].get("namespace"), obj["metadata"]["name"])
            if obj["kind"] == "Node" or (obj["kind"] == "PersistentVolumeClaim" and key in claims):
                if server.get(obj["apiVersion"], obj["kind"], obj["metadata"]["name"]) is None or obj["kind"] != "Node":
                    server.create(_in(obj, namespaces))


class FixtureControllers:
    """Plays the controllers from the labs' solution fixtures (see the module docstring).

    A write that fails is retried on a later pass, backed off, as a real controller's workqueue
    does (:mod:`fakekind.workqueue`); leaving the ``with`` block raises
    :class:`fakekind.workqueue.FakeControllerBug` if a pass hit an error no real controller meets."""

    def __init__(self, server, labs, *, namespaces: dict[str, str] | None = None, period: float = 0.1) -> None:
        self.server = server
        self.namespaces = namespaces or {}
        self.fixtures = [_in(obj, {}) | {"status": obj.get("status")} for lab in labs for obj in fixture_objects(lab)]
        for obj in self.fixtures:
            ns = obj["metadata"].get("namespace")
            if ns in self.namespaces:
                obj["metadata"]["namespace"] = self.namespaces[ns]
        self.period = period
        self._done: set[tuple] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="fixture-controllers")
        self.queue = WorkQueue()

    def __enter__(self) -> FixtureControllers:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.queue.check()

    def _loop(self) -> None:
        while not self._stop.wait(self.period):
            self.queue.run("pass", self.reconcile)

    def reconcile(self) -> None:
        for fixture in self.fixtures:
            meta = fixture["metadata"]
            if meta.get("ownerReferences"):
                self._make_owned(fixture)
            elif fixture.get("status"):
                live = self._live(fixture)
                if live is not None:
                    self._set_status(fixture, live)

    def _live(self, fixture: dict) -> dict | None:
        meta = fixture["metadata"]
        found = self.server.get(fixture["apiVersion"], fixture["kind"], meta["name"], meta.get("namespace"))
        if found is not None or not meta.get("generateName"):
            return found
        family = [
            o
            for o in self.server.objects(fixture["apiVersion"], fixture["kind"], meta.get("namespace"))
            if o["metadata"].get("generateName") == meta["generateName"]
        ]
        return max(family, key=lambda o: int(o["metadata"]["resourceVersion"]), default=None)

    def _set_status(self, fixture: dict, live: dict) -> None:
        meta = live["metadata"]
        key = (meta["uid"], meta.get("generation"))
        if key not in self._done and self.queue.run(key, self._write_status, fixture, live):
            self._done.add(key)

    def _write_status(self, fixture: dict, live: dict) -> None:
        meta = live["metadata"]
        text = json.dumps(fixture["status"])
        if meta["name"] != fixture["metadata"]["name"]:  # a generateName sibling: its own name throughout
            text = text.replace(fixture["metadata"]["name"], meta["name"])
        status = json.loads(text)
        if "observedGeneration" in status:
            status["observedGeneration"] = meta.get("generation", 1)
        self.server.patch_status(live["apiVersion"], live["kind"], meta["name"], status, meta.get("namespace"))

    def _make_owned(self, fixture: dict) -> None:
        meta = fixture["metadata"]
        if self.server.get(fixture["apiVersion"], fixture["kind"], meta["name"], meta.get("namespace")) is not None:
            return
        if ("made", meta.get("namespace"), meta["name"]) in self._done:
            return  # made once; a learner who deletes it sees it gone
        owner = meta["ownerReferences"][0]
        kind, name = owner["kind"], owner["name"]
        if kind == "ReplicaSet":  # not captured: its Deployment is its name without the hash
            kind, name = "Deployment", name.rsplit("-", 1)[0]
        api = {"Job": "batch/v1", "Deployment": "apps/v1", "Service": "v1"}.get(kind, owner.get("apiVersion"))
        made_by = self.server.get(api, kind, name, meta.get("namespace"))
        if made_by is None:
            return
        obj = copy.deepcopy(fixture)
        if owner["kind"] == kind:  # point at the live owner, as the controller's reference would
            obj["metadata"]["ownerReferences"][0]["uid"] = made_by["metadata"]["uid"]
        key = ("made", meta.get("namespace"), meta["name"])
        if self.queue.run(key, self.server.create, obj):
            self._done.add(key)


IPYTHON_STARTUP = """
# Written by tests/lab_notebook_tools.py: fail a notebook cell whose shell command fails.
import os
from IPython import get_ipython

_ip = get_ipython()
_ip.run_line_magic("colors", "nocolor")  # tracebacks in the test's failure message, without escapes
_system = _ip.system


def _checked(command):
    _system(command)
    code = _ip.user_ns.get("_exit_code")
    with open(os.environ["KUBECOURSE_TEST_COMMAND_LOG"], "a") as log:
        log.write(f"{code}\\t{os.getcwd()}\\t{command}\\n")
    if code != 0:
        raise RuntimeError(f"exit code {code}: !{command}")


_ip.system = _checked


# The submit cell prints why it wrote no snapshot.yaml and returns None (a learner's notebook
# shows no traceback); here that fails the cell, with what it printed, so the test says why.
import contextlib
import io
import time

import autograder.notebook as _notebook

_submit = _notebook.submit


def _checked_submit(lab_id):
    printed = io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stdout(printed):
        path = _submit(lab_id)
    print(printed.getvalue(), end="")
    if path is None:
        raise RuntimeError(
            f"submit({lab_id!r}) wrote no snapshot.yaml after {time.monotonic() - started:.1f} s: "
            + printed.getvalue().strip()
        )
    return path


_notebook.submit = _checked_submit
"""


def exit_code_hook(ipython_dir: Path) -> Path:
    """An IPYTHONDIR whose start-up file fails a cell on a non-zero ``!`` command, or a submit cell
    that wrote no ``snapshot.yaml``."""
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / "00-command-exit-codes.py").write_text(IPYTHON_STARTUP)
    return ipython_dir


__all__ = ["FixtureControllers", "exit_code_hook", "fixture_objects", "prepare_cluster"]

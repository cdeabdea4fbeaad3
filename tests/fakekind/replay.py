"""Controllers that replay what the real ones wrote for a lab's reference solution.

The fake API server runs no scheduler, kubelet, Job or Deployment controller, Argo or Kueue.
Each lab ships ``tests/snapshots/solution.yaml``: the objects its reference solution leaves on a
real cluster, status included, as the real controllers wrote it. When the objects a learner
applies appear on the fake cluster, this stand-in plays those controllers back:

- an object of the fixture that exists live (same kind, namespace and name; for a Workflow
  made with ``generateName``, the newest one of that prefix) gets the fixture's ``status``, and
  what the scheduler and kubelet set (a Pod's ``spec.nodeName``; a Node's labels and taints);
  ``observedGeneration`` follows the live object's generation, as a controller's does;
- an object a controller makes (it has ``ownerReferences``: Pods of Jobs and Workflows,
  EndpointSlices of Services, Kueue Workloads of Jobs) is created once its owner exists live,
  with the owner's live name and uid written in.

Names of the fixture's cluster (``kubecourse-alice``, its nodes) become the live cluster's. The
replay only answers objects of the fixture: a learner object it does not know stays as applied
(no status), so a wrong solution does not converge here, as it would not on a real cluster.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import yaml
from fakekube.errors import ApiError

FIXTURE_CLUSTER = "kubecourse-alice"
SERVER_FIELDS = ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields")


class Replay:
    """Call :meth:`reconcile` periodically with the fake server and a
    :class:`fakekind.workqueue.WorkQueue` (``Controllers`` does): a write that fails is not marked
    done; the queue records its error and retries it on a later pass, backed off."""

    def __init__(self, labs_root: Path) -> None:
        self.fixtures: dict[str, list[dict]] = {}
        for path in sorted(Path(labs_root).glob("*/tests/snapshots/solution.yaml")):
            self.fixtures[path.parents[2].name] = (yaml.safe_load(path.read_text()) or {}).get("items") or []
        self._done: set[tuple] = set()

    def reconcile(self, server, queue) -> None:
        cluster = _live_cluster(server)
        if cluster is None:
            return
        for items in self.fixtures.values():
            self._replay(server, queue, items, cluster)

    def _replay(self, server, queue, items: list[dict], cluster: str) -> None:
        names = {FIXTURE_CLUSTER: cluster}
        uids: dict[str, str] = {}
        live_of: dict[int, dict] = {}
        for i, obj in enumerate(items):
            live = _find_live(server, obj, cluster)
            if live is not None:
                live_of[i] = live
                meta = obj["metadata"]
                if meta.get("name") and meta["name"] != live["metadata"]["name"]:
                    names[meta["name"]] = live["metadata"]["name"]
                if meta.get("uid"):
                    uids[meta["uid"]] = live["metadata"]["uid"]
        for i, obj in enumerate(items):
            mapped = _rename(obj, names, uids)
            live = live_of.get(i)
            if live is not None:
                meta = live["metadata"]
                key = ("status", obj["kind"], meta.get("namespace"), meta["name"], meta["uid"], meta.get("generation"))
                if key not in self._done and queue.run(key, self._write_status, server, mapped, live):
                    self._done.add(key)
            elif mapped["metadata"].get("ownerReferences"):
                self._create_owned(server, queue, mapped, names, uids)

    def _write_status(self, server, fixture: dict, live: dict) -> None:
        """What the scheduler, kubelet and controllers write for ``live``; raises if a write fails."""
        meta = live["metadata"]
        api, kind, ns = live["apiVersion"], live["kind"], meta.get("namespace")
        if kind == "Node" or (kind == "Pod" and fixture.get("spec", {}).get("nodeName")):
            updated = copy.deepcopy(live)
            if kind == "Node":
                updated["metadata"].setdefault("labels", {}).update(fixture["metadata"].get("labels") or {})
                if (fixture.get("spec") or {}).get("taints"):
                    updated.setdefault("spec", {})["taints"] = fixture["spec"]["taints"]
            elif not (live.get("spec") or {}).get("nodeName"):
                updated["spec"]["nodeName"] = fixture["spec"]["nodeName"]
            updated["metadata"].pop("resourceVersion", None)
            server.update(updated)
        status = copy.deepcopy(fixture.get("status"))
        if not status:
            return
        if "observedGeneration" in status and meta.get("generation"):
            status["observedGeneration"] = meta["generation"]
        server.patch_status(api, kind, meta["name"], status, ns)

    def _create_owned(self, server, queue, fixture: dict, names: dict, uids: dict) -> None:
        meta = fixture["metadata"]
        ns = meta.get("namespace")
        owners = meta["ownerReferences"]
        for ref in owners:
            owner = server.get(ref["apiVersion"], ref["kind"], ref["name"], ns)
            if owner is None and ref["kind"] == "ReplicaSet":
                owner = _replica_set_for(server, ref, ns)
            if owner is None:
                return  # its owner is not there (yet, or this solution made none)
            ref["uid"] = owner["metadata"]["uid"]
        key = ("create", fixture["kind"], ns, meta.get("name"), tuple(r["uid"] for r in owners))
        if key in self._done or server.get(fixture["apiVersion"], fixture["kind"], meta["name"], ns) is not None:
            return
        made = copy.deepcopy(fixture)
        for field in SERVER_FIELDS:
            made["metadata"].pop(field, None)
        if queue.run(key, server.create, made):
            self._done.add(key)


def _replica_set_for(server, ref: dict, namespace: str) -> dict | None:
    """The ReplicaSet ``<deployment>-<hash>`` the Deployment controller makes for a live
    Deployment (fixtures keep the Pods, which name it, not the ReplicaSet)."""
    for deployment in server.objects("apps/v1", "Deployment", namespace):
        name = deployment["metadata"]["name"]
        if ref["name"].startswith(name + "-") and "-" not in ref["name"][len(name) + 1 :]:
            spec = deployment.get("spec") or {}
            made = {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "metadata": {
                    "name": ref["name"],
                    "namespace": namespace,
                    "labels": (spec.get("template") or {}).get("metadata", {}).get("labels") or {},
                    "ownerReferences": [
                        {
                            "apiVersion": "apps/v1",
                            "kind": "Deployment",
                            "name": name,
                            "uid": deployment["metadata"]["uid"],
                            "controller": True,
                        }
                    ],
                },
                "spec": {
                    "replicas": spec.get("replicas", 1),
                    "selector": spec.get("selector") or {},
                    "template": spec.get("template") or {},
                },
            }
            try:
                return server.create(made)
            except ApiError as error:
                if error.code != 409:  # not "made meanwhile": the queue records it
                    raise
                return server.get("apps/v1", "ReplicaSet", ref["name"], namespace)
    return None


def _live_cluster(server) -> str | None:
    for node in server.objects("v1", "Node"):
        name = node["metadata"]["name"]
        if name.endswith("-control-plane"):
            return name.removesuffix("-control-plane")
    return None


def _find_live(server, obj: dict, cluster: str) -> dict | None:
    meta = obj["metadata"]
    try:
        ns = meta.get("namespace")
        if meta.get("generateName"):
            made = [
                o
                for o in server.objects(obj["apiVersion"], obj["kind"], ns)
                if o["metadata"].get("generateName") == meta["generateName"]
            ]
            return max(made, key=lambda o: o["metadata"]["creationTimestamp"], default=None)
        name = meta["name"].replace(FIXTURE_CLUSTER, cluster)
        return server.get(obj["apiVersion"], obj["kind"], name, ns)
    except ApiError as error:
        if error.code != 404:  # not "a kind this cluster does not serve (yet)"
            raise
        return None


def _rename(obj: dict, names: dict[str, str], uids: dict[str, str]) -> dict:
    text = json.dumps(obj)
    for old, new in sorted({**names, **uids}.items(), key=lambda kv: -len(kv[0])):
        if old and old != new:
            text = text.replace(old, new)
    return json.loads(text)


__all__ = ["Replay"]

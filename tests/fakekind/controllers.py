"""Stand-ins for the controllers a kind cluster runs (the fake API server runs none): a thread
that marks Deployments Available, Jobs Complete (or Failed, when told) and claims Bound, the way
kube-controller-manager and the kubelet would once the pods ran, and gives an add-on's webhook
Service its EndpointSlice once the Deployment behind it is Available (``endpoint_delay`` seconds
later: the EndpointSlice controller and the Deployment controller each follow the Pods, so a
Deployment can be Available before its Service has an endpoint; Services of labs get theirs
from the replay).

A Job fails as it would on a real node when its container runs a program its image does not
have: kind's local-path helper image (``kindest/local-path-helper``) holds only ``sh``, ``rm`` and
``mkdir`` (kind v0.31.0, images/local-path-helper/Dockerfile), so ``cp`` there is "not found".
"""

from __future__ import annotations

import re
import shlex
import threading
import time

from fakekube.webhooks import ROUTED_AFTER

from fakekind.workqueue import WorkQueue

# Image (by repository) -> the programs it contains; images not listed are assumed complete.
IMAGE_PROGRAMS = {"kindest/local-path-helper": {"sh", "rm", "mkdir"}}
SHELL_BUILTINS = {"set", "cd", "echo", "printf", "test", "[", "exit", "true", "false", ":", "export", "read"}


def missing_program(container: dict) -> str | None:
    """The first program ``container`` runs that its image lacks (``None`` if all are there)."""
    image = container.get("image") or ""
    repo = image.split("@")[0].rsplit(":", 1)[0].removeprefix("docker.io/")
    have = IMAGE_PROGRAMS.get(repo)
    if have is None:
        return None
    argv = list(container.get("command") or []) + list(container.get("args") or [])
    programs = argv[:1]
    if argv[:2] in (["sh", "-c"], ["/bin/sh", "-c"]) and len(argv) > 2:
        for part in re.split(r"&&|\|\||;|\||\n", argv[2]):
            words = shlex.split(part, comments=True) if part.strip() else []
            if words:
                programs.append(words[0])
    for program in programs:
        name = program.rsplit("/", 1)[-1]
        if name not in have and name not in SHELL_BUILTINS:
            return name
    return None


class Controllers:
    """Start with :meth:`start`; stop with :meth:`stop`. ``fail_jobs`` holds Job names to fail."""

    def __init__(
        self,
        server,
        *,
        period: float = 0.1,
        delay: float = 0.0,
        replay=None,
        endpoint_delay: float = 0.0,
        proxy_delay: float = 0.0,
    ) -> None:
        self.server = server
        self.replay = replay
        """A :class:`fakekind.replay.Replay` playing back the real controllers for labs, or None."""
        self.period = period
        self.delay = delay
        """Seconds an object must exist before its status is set (to exercise the watches)."""
        self.endpoint_delay = endpoint_delay
        """Seconds between a Deployment becoming Available and its webhook Service's endpoint."""
        self.proxy_delay = proxy_delay
        """Seconds between that endpoint and kube-proxy routing the Service's ClusterIP to it
        (webhook calls are refused meanwhile: fakekube.webhooks.ROUTED_AFTER)."""
        self.fail_jobs: set[str] = set()
        self.logs: dict[tuple[str, str], str] = {}
        """What a failed Job's pod printed, by (namespace, job)."""
        self._first_seen: dict[tuple, float] = {}
        self.queue = WorkQueue()
        """Backs failed items off and records errors; :meth:`stop` fails on a bug in the fakes."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="fake-controllers")

    def start(self) -> Controllers:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the thread; raise :class:`fakekind.workqueue.FakeControllerBug` if a pass hit a bug."""
        self._stop.set()
        self._thread.join(timeout=5)
        self.queue.check()

    def _due(self, key: tuple, delay: float | None = None) -> bool:
        now = time.monotonic()
        return now - self._first_seen.setdefault(key, now) >= (self.delay if delay is None else delay)

    def _loop(self) -> None:
        while not self._stop.wait(self.period):
            self.queue.run("pass", self.reconcile)

    def reconcile(self) -> None:
        if self.replay is not None:
            self.replay.reconcile(self.server, self.queue)
        webhook_services = {
            (service.get("namespace"), service.get("name"))
            for kind in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")
            for configuration in self.server.objects("admissionregistration.k8s.io/v1", kind)
            for webhook in configuration.get("webhooks") or []
            if (service := (webhook.get("clientConfig") or {}).get("service"))
        }
        for ns in [n["metadata"]["name"] for n in self.server.objects("v1", "Namespace")]:
            for dep in self.server.objects("apps/v1", "Deployment", ns):
                name = dep["metadata"]["name"]
                want = (dep.get("spec") or {}).get("replicas", 1)
                if (dep.get("status") or {}).get("availableReplicas") != want and self._due(("d", ns, name)):
                    self._write(
                        ("d", ns, name),
                        "apps/v1",
                        "Deployment",
                        name,
                        {
                            "replicas": want,
                            "readyReplicas": want,
                            "availableReplicas": want,
                            "updatedReplicas": want,
                            "observedGeneration": dep["metadata"].get("generation", 1),
                            "conditions": [
                                {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"}
                            ],
                        },
                        ns,
                    )
            for job in self.server.objects("batch/v1", "Job", ns):
                name = job["metadata"]["name"]
                if not (job.get("status") or {}).get("conditions") and self._due(("j", ns, name)):
                    containers = (((job.get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers")
                    lacking = [p for p in map(missing_program, containers or []) if p]
                    failed = name in self.fail_jobs or bool(lacking)
                    if lacking:
                        self.logs[(ns, name)] = f"sh: {lacking[0]}: not found"
                    kind = "Failed" if failed else "Complete"
                    self._write(
                        ("j", ns, name),
                        "batch/v1",
                        "Job",
                        name,
                        {
                            "succeeded": 0 if failed else 1,
                            "failed": 1 if failed else 0,
                            "conditions": [{"type": kind, "status": "True"}],
                        },
                        ns,
                    )
            self._webhook_endpoints(ns, webhook_services)
            for pvc in self.server.objects("v1", "PersistentVolumeClaim", ns):
                if (pvc.get("status") or {}).get("phase") != "Bound":
                    name = pvc["metadata"]["name"]
                    self._write(("p", ns, name), "v1", "PersistentVolumeClaim", name, {"phase": "Bound"}, ns)

    def _write(self, item: tuple, api_version: str, kind: str, name: str, status: dict, ns: str) -> None:
        """Write one object's status; a failed write is retried on a later pass, backed off."""
        self.queue.run(item, self.server.patch_status, api_version, kind, name, status, ns)

    def _webhook_endpoints(self, ns: str, services: set[tuple]) -> None:
        for svc in self.server.objects("v1", "Service", ns):
            name, selector = svc["metadata"]["name"], (svc.get("spec") or {}).get("selector") or {}
            if (ns, name) not in services or not selector:
                continue
            if self.server.get("discovery.k8s.io/v1", "EndpointSlice", f"{name}-fake", ns) is not None:
                continue
            available = [
                dep
                for dep in self.server.objects("apps/v1", "Deployment", ns)
                if (dep.get("status") or {}).get("availableReplicas")
                and selector.items()
                <= ((((dep.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels") or {}).items()
            ]
            if available and self._due(("e", ns, name), self.endpoint_delay):
                ports = [p.get("targetPort", p.get("port")) for p in (svc.get("spec") or {}).get("ports") or []]
                slice_ = {
                    "apiVersion": "discovery.k8s.io/v1",
                    "kind": "EndpointSlice",
                    "metadata": {
                        "name": f"{name}-fake",
                        "namespace": ns,
                        "labels": {"kubernetes.io/service-name": name},
                        "annotations": {ROUTED_AFTER: str(time.time() + self.proxy_delay)},
                    },
                    "addressType": "IPv4",
                    "endpoints": [{"addresses": ["10.244.0.10"], "conditions": {"ready": True}}],
                    "ports": [{"port": p, "protocol": "TCP"} for p in ports if isinstance(p, int)],
                }
                self.queue.run(("e", ns, name), self.server.create, slice_)


__all__ = ["Controllers"]

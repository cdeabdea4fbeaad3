"""Stand-ins for the controllers a kind cluster runs (the fake API server runs none): a thread
that marks Deployments Available, Jobs Complete (or Failed, when told) and claims Bound, the way
kube-controller-manager and the kubelet would once the pods ran."""

from __future__ import annotations

import threading
import time


class Controllers:
    """Start with :meth:`start`; stop with :meth:`stop`. ``fail_jobs`` holds Job names to fail."""

    def __init__(self, server, *, period: float = 0.1, delay: float = 0.0) -> None:
        self.server = server
        self.period = period
        self.delay = delay
        """Seconds an object must exist before its status is set (to exercise the watches)."""
        self.fail_jobs: set[str] = set()
        self._first_seen: dict[tuple, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="fake-controllers")

    def start(self) -> Controllers:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _due(self, key: tuple) -> bool:
        now = time.monotonic()
        return now - self._first_seen.setdefault(key, now) >= self.delay

    def _loop(self) -> None:
        while not self._stop.wait(self.period):
            try:
                self.reconcile()
            except Exception:  # the server may be shutting down between tests
                continue

    def reconcile(self) -> None:
        for ns in [n["metadata"]["name"] for n in self.server.objects("v1", "Namespace")]:
            for dep in self.server.objects("apps/v1", "Deployment", ns):
                name = dep["metadata"]["name"]
                want = (dep.get("spec") or {}).get("replicas", 1)
                if (dep.get("status") or {}).get("availableReplicas") != want and self._due(("d", ns, name)):
                    self.server.patch_status(
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
                    failed = name in self.fail_jobs
                    kind = "Failed" if failed else "Complete"
                    self.server.patch_status(
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
            for pvc in self.server.objects("v1", "PersistentVolumeClaim", ns):
                if (pvc.get("status") or {}).get("phase") != "Bound":
                    self.server.patch_status(
                        "v1", "PersistentVolumeClaim", pvc["metadata"]["name"], {"phase": "Bound"}, ns
                    )


__all__ = ["Controllers"]

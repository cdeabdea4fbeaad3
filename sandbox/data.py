"""Putting a lab's data files onto a PersistentVolumeClaim, in a way that works on kind's
local-path provisioner and needs no registry.

The files travel in a ConfigMap (``binaryData``, so any bytes survive; nested folders through
the volume's ``items[].path``). A short-lived Job mounts the ConfigMap and the claim and copies
the files across; its name carries a hash of the content, so running again with the same files
finds the finished Job and does nothing, while changed files get a new Job. The claim has no
storage class, so kind's default (``standard``, local-path, WaitForFirstConsumer) binds it when
the copy pod is scheduled.

The copy runs in an image the lab pins by digest (``cluster.data[].image``, also listed in
``cluster.images``), which ``start`` pulls by digest and loads into the nodes before copying: no
registry, no network, and a known ``cp``. It does not borrow the image of kind's local-path
provisioner: that is ``kindest/local-path-helper``, a distroless image with only ``sh``, ``rm``
and ``mkdir`` (kind v0.31.0, images/local-path-helper/Dockerfile), where ``cp`` is "not found".
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from coursecore.errors import KubecourseError, UsageError
from coursecore.labs import DataVolume
from sandbox import kubectl, readiness
from sandbox.errors import SandboxError
from sandbox.images import node_name

MAX_DATA_BYTES = 900 * 1024  # a ConfigMap holds at most 1 MiB including its metadata
MANAGED_BY = {"app.kubernetes.io/managed-by": "kubecourse"}


@dataclass(frozen=True, kw_only=True)
class CopiedData:
    """One data volume made ready."""

    claim: str
    namespace: str
    files: int
    bytes: int
    job: str
    copied: bool
    """False when an earlier run had already copied the same content."""

    def summary(self) -> str:
        """What was copied, in a few words (a step's detail in ``start`` and ``class up``)."""
        return f"{self.files} files, {self.bytes} bytes" + ("" if self.copied else " (already there)")


def collect(folder: Path) -> list[tuple[str, bytes]]:
    """(relative path, content) of every regular file under ``folder``, sorted."""
    files = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            files.append((path.relative_to(folder).as_posix(), path.read_bytes()))
    return files


def content_hash(files: list[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256()
    for rel, body in files:
        digest.update(rel.encode() + b"\0" + hashlib.sha256(body).digest())
    return digest.hexdigest()


def manifests(volume: DataVolume, files: list[tuple[str, bytes]], *, loaded: bool = True) -> tuple[str, str]:
    """(Job name, YAML stream of PVC + ConfigMap + Job) for copying ``files`` onto the claim, in
    the lab's pinned copy image: under the name ``start`` loaded it by (``loaded``), else by its
    digest, for clusters whose nodes pull it (the namespace backend's shared cluster)."""
    if not volume.image:
        raise UsageError(f"data for claim {volume.claim!r} names no copy image (cluster.data[].image in lab.yaml)")
    import base64

    digest = content_hash(files)
    base = f"kubecourse-data-{volume.claim}"[:52]
    job_name = f"{base}-{digest[:8]}"
    meta = {"namespace": volume.namespace, "labels": MANAGED_BY}
    pvc = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": volume.claim, **meta},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": volume.size}}},
    }
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": job_name, **meta, "annotations": {"kubecourse.io/content-sha256": digest}},
        "binaryData": {f"f{i}": base64.b64encode(body).decode() for i, (_, body) in enumerate(files)},
    }
    items = [{"key": f"f{i}", "path": rel} for i, (rel, _) in enumerate(files)]
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": job_name, **meta},
        "spec": {
            "backoffLimit": 2,
            "template": {
                "metadata": {"labels": MANAGED_BY},
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [
                        {
                            "name": "copy",
                            "image": node_name(volume.image) if loaded else volume.image,
                            # Loaded into the nodes by `start`; a registry is only the last resort.
                            "imagePullPolicy": "IfNotPresent",
                            # -L: ConfigMap volumes are symlink farms; copy the files, not the links.
                            "command": ["sh", "-c", "cp -RL /src/. /dst/ && ls -lR /dst"],
                            "volumeMounts": [
                                {"name": "src", "mountPath": "/src", "readOnly": True},
                                {"name": "dst", "mountPath": "/dst"},
                            ],
                            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
                        }
                    ],
                    "volumes": [
                        {"name": "src", "configMap": {"name": job_name, "items": items}},
                        {"name": "dst", "persistentVolumeClaim": {"claimName": volume.claim}},
                    ],
                },
            },
        },
    }
    return job_name, "\n---\n".join(json.dumps(doc) for doc in (pvc, config_map, job))


def copy(
    volume: DataVolume, lab_path: Path, kubeconfig: Path, *, timeout: float | None = None, loaded: bool = True
) -> CopiedData:
    """Create the claim and copy the lab's files onto it (once per content). ``loaded``: the copy
    image was loaded into the nodes (kind); otherwise the nodes pull it by digest."""
    files = collect(lab_path / volume.source)
    size = sum(len(body) for _, body in files)
    if size > MAX_DATA_BYTES:
        raise UsageError(
            f"data folder {lab_path / volume.source} holds {size} bytes; labs ship at most "
            f"{MAX_DATA_BYTES} bytes of data (generate larger inputs inside the cluster)"
        )
    job_name, text = manifests(volume, files, loaded=loaded)
    already = _job_outcome(kubeconfig, volume.namespace, job_name)
    if already == "Complete":
        return CopiedData(
            claim=volume.claim, namespace=volume.namespace, files=len(files), bytes=size, job=job_name, copied=False
        )
    if already == "Failed":  # a Job never runs again: replace it to retry
        kubectl.delete(kubeconfig, "job", job_name, namespace=volume.namespace)
    kubectl.apply(kubeconfig, text=text)
    outcome = readiness.wait_job(kubeconfig, volume.namespace, job_name, timeout=timeout or readiness.JOB_TIMEOUT)
    if outcome != "Complete":
        raise SandboxError(
            f'failed to copy data onto claim "{volume.claim}": job {volume.namespace}/{job_name} {outcome}',
            hint=f"see `kubectl -n {volume.namespace} logs job/{job_name}`",
        )
    return CopiedData(
        claim=volume.claim, namespace=volume.namespace, files=len(files), bytes=size, job=job_name, copied=True
    )


def _job_outcome(kubeconfig: Path, namespace: str, name: str) -> str | None:
    with readiness.connect(kubeconfig) as api:
        try:
            job = api.get(f"/apis/batch/v1/namespaces/{namespace}/jobs/{name}", missing_ok=True)
        except KubecourseError as err:
            raise SandboxError(f"failed to read job {namespace}/{name}: {err.message}", hint=err.hint) from err
    return None if job is None else readiness.job_outcome(job)


__all__ = [
    "MAX_DATA_BYTES",
    "CopiedData",
    "collect",
    "content_hash",
    "copy",
    "manifests",
]

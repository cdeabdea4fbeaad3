"""Learner kubeconfigs: the instructor's cluster entry (server and CA) with a learner's token.

The cluster entry is read from the instructor's kubeconfig and context (a CA given as a file is
embedded, so the learner's file stands alone); the learner's context defaults to their
namespace, so plain ``kubectl get pods`` works without ``-n``.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

import yaml

from coursecore.errors import UsageError
from coursecore.safeyaml import load_mapping

MAX_KUBECONFIG_BYTES = 1024 * 1024


@dataclass(frozen=True, kw_only=True)
class ClusterEntry:
    """Where the shared cluster is and how to trust it."""

    context: str
    server: str
    ca_data: str = ""
    """Base64 PEM, as in ``certificate-authority-data``."""
    insecure: bool = False


def _named(entries, name: str, what: str, path: Path) -> dict:
    for entry in entries or []:
        if isinstance(entry, dict) and entry.get("name") == name:
            return entry.get(what) or {}
    raise UsageError(f"kubeconfig {path}: no {what} named {name!r}")


def cluster_entry(kubeconfig: Path, context: str | None = None) -> ClusterEntry:
    """The server and CA of ``context`` (default: the current context) in ``kubeconfig``."""
    path = Path(kubeconfig)
    config = load_mapping(path, what="kubeconfig", max_bytes=MAX_KUBECONFIG_BYTES)
    context = context or config.get("current-context")
    if not context:
        raise UsageError(f"kubeconfig {path} has no current context: pass --context")
    cluster_name = _named(config.get("contexts"), context, "context", path).get("cluster")
    cluster = _named(config.get("clusters"), cluster_name, "cluster", path)
    server = cluster.get("server")
    if not isinstance(server, str) or not server:
        raise UsageError(f"kubeconfig {path}: cluster {cluster_name!r} has no server")
    ca_data = cluster.get("certificate-authority-data") or ""
    if not ca_data and cluster.get("certificate-authority"):
        ca_path = Path(cluster["certificate-authority"])
        if not ca_path.is_absolute():
            ca_path = path.parent / ca_path
        try:
            ca_data = base64.b64encode(ca_path.read_bytes()).decode()
        except OSError as err:
            raise UsageError(f"kubeconfig {path}: cannot read its certificate authority {ca_path}: {err}") from None
    return ClusterEntry(
        context=context, server=server, ca_data=ca_data, insecure=bool(cluster.get("insecure-skip-tls-verify"))
    )


def learner_kubeconfig(entry: ClusterEntry, *, learner: str, namespace: str, token: str) -> str:
    """kubeconfig text that reaches the shared cluster as ``learner`` in ``namespace``."""
    cluster: dict = {"server": entry.server}
    if entry.ca_data:
        cluster["certificate-authority-data"] = entry.ca_data
    if entry.insecure:
        cluster["insecure-skip-tls-verify"] = True
    context = f"kubecourse-{learner}"
    document = {
        "apiVersion": "v1",
        "kind": "Config",
        "preferences": {},
        "clusters": [{"name": "kubecourse", "cluster": cluster}],
        "users": [{"name": f"kubecourse-{learner}", "user": {"token": token}}],
        "contexts": [
            {
                "name": context,
                "context": {"cluster": "kubecourse", "user": f"kubecourse-{learner}", "namespace": namespace},
            }
        ],
        "current-context": context,
    }
    return yaml.safe_dump(document, sort_keys=False)


__all__ = ["ClusterEntry", "cluster_entry", "learner_kubeconfig"]

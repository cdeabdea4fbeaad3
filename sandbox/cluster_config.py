"""kind cluster configuration files: one control plane plus ``nodes - 1`` workers.

kind reads a ``kind: Cluster`` document (API ``kind.x-k8s.io/v1alpha4``,
https://kind.sigs.k8s.io/docs/user/configuration/). We always write one, even for a single node,
so that the file in the sandbox folder records exactly how the cluster was made.
"""

from __future__ import annotations

import yaml

from coursecore.errors import UsageError

MAX_NODES = 8
API_VERSION = "kind.x-k8s.io/v1alpha4"


def render(*, nodes: int = 1, image: str | None = None) -> str:
    """The YAML text of a kind cluster config with ``nodes`` nodes.

    Args:
        nodes: total nodes, 1 to :data:`MAX_NODES`; node 1 is the control plane.
        image: node image for every node (kind's ``--image`` does the same; writing it here
            keeps the file self-contained).
    """
    if isinstance(nodes, bool) or not isinstance(nodes, int) or not 1 <= nodes <= MAX_NODES:
        raise UsageError(f"invalid node count {nodes!r}: use 1 to {MAX_NODES}")
    roles = ["control-plane"] + ["worker"] * (nodes - 1)
    doc = {
        "kind": "Cluster",
        "apiVersion": API_VERSION,
        "nodes": [{"role": role, **({"image": image} if image else {})} for role in roles],
    }
    return "# written by kubecourse; one control plane plus workers\n" + yaml.safe_dump(doc, sort_keys=False)


def node_names(cluster: str, nodes: int) -> list[str]:
    """Node names kind gives a cluster: ``C-control-plane``, ``C-worker``, ``C-worker2`` ..."""
    names = [f"{cluster}-control-plane"]
    names += [f"{cluster}-worker" + (str(i) if i > 1 else "") for i in range(1, nodes)]
    return names


__all__ = ["API_VERSION", "MAX_NODES", "node_names", "render"]

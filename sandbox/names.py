"""kind cluster names of sandboxes: ``kubecourse-NAME``, and back.

The sandbox NAME itself (its rule, the login's default) is :mod:`coursecore.home`'s: the
autograder and the notebook helpers find a sandbox's kubeconfig by the same name. kind refuses
cluster names longer than 50 characters, which is why NAME has at most 39.
"""

from __future__ import annotations

from coursecore.errors import InvalidName
from coursecore.home import validate_name

PREFIX = "kubecourse-"


def cluster_name(name: str) -> str:
    """The kind cluster name of sandbox ``name``: ``kubecourse-NAME``."""
    return PREFIX + validate_name(name)


def sandbox_of(cluster: str) -> str | None:
    """The sandbox name of a kind cluster, or ``None`` if kubecourse did not make it."""
    if not cluster.startswith(PREFIX):
        return None
    name = cluster[len(PREFIX) :]
    try:
        return validate_name(name)
    except InvalidName:
        return None


__all__ = ["PREFIX", "cluster_name", "sandbox_of"]

"""The backend protocol: what a way of making sandboxes must offer (kind today, namespaces later)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class Backend(Protocol):
    """Creates, deletes, lists and hands out credentials of clusters named by kubecourse."""

    name: str
    """Stored in each sandbox's state, e.g. ``kind``."""

    def create(self, cluster: str, *, kubeconfig: Path, config: Path, image: str) -> None:
        """Create ``cluster``, writing its credentials into ``kubeconfig`` only."""

    def delete(self, cluster: str, *, kubeconfig: Path) -> None:
        """Delete ``cluster``; succeed if it is already gone."""

    def list(self) -> list[str]:
        """Every cluster this backend can see on the host, kubecourse's or not."""

    def kubeconfig(self, cluster: str) -> str:
        """The credentials of ``cluster`` as kubeconfig text."""

    def load_image(self, cluster: str, image: str) -> None:
        """Make a local container image available on every node."""


__all__ = ["Backend"]

"""Writing snapshots: capture what a lab's ``grading.capture`` lists, from any state, to a file.

The result is a ``List`` like ``kubectl get -o yaml`` prints (JSON when the file name ends in
``.json``), holding exactly the objects the lab's checks may read, so that checking the file
gives the same result as checking the cluster it came from.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from autograder.loader import resolve_lab
from autograder.snapshot import dump_snapshot, snapshot_document, write_text_atomically
from autograder.state import Obj, sort_key
from coursecore.errors import UsageError
from coursecore.labs import Lab


def capture_objects(lab: str | Path | Lab, state: Any) -> list[Obj]:
    """Every object ``lab`` captures, in capture order, without duplicates.

    Raises:
        UsageError: the lab declares nothing to capture.
    """
    found_lab = resolve_lab(lab)
    if not found_lab.grading.capture:
        raise UsageError(f"lab {found_lab.id} declares nothing to capture (grading.capture in its lab.yaml)")
    seen: set[tuple[str, str, str, str]] = set()
    objects: list[Obj] = []
    for capture in found_lab.grading.capture:
        for obj in sorted(state.capture(capture), key=sort_key):
            meta = obj.get("metadata") or {}
            key = (obj.get("apiVersion", ""), obj.get("kind", ""), meta.get("namespace") or "", meta.get("name", ""))
            if key not in seen:
                seen.add(key)
                objects.append(obj)
    return objects


def capture_document(lab: str | Path | Lab, state: Any) -> dict[str, Any]:
    """The snapshot ``List`` of ``lab``'s captured objects."""
    return snapshot_document(capture_objects(lab, state))


def write_snapshot(
    lab: str | Path | Lab, state_or_kubeconfig: Any, out_path: str | os.PathLike[str], *, context: str | None = None
) -> int:
    """Capture ``lab``'s objects from a state (or the cluster a kubeconfig path points at) into
    ``out_path``; returns how many objects were written.

    Raises:
        UsageError: unknown lab, nothing to capture, or the file cannot be written.
        ClusterUnreachable: the cluster cannot be read.
    """
    state = state_or_kubeconfig
    if isinstance(state, (str, os.PathLike)):
        from autograder.live import connect

        state = connect(kubeconfig=state, context=context)
    objects = capture_objects(lab, state)
    out = Path(out_path)
    text = dump_snapshot(snapshot_document(objects), as_json=out.suffix.lower() == ".json")
    write_text_atomically(out, text)
    return len(objects)


__all__ = ["capture_document", "capture_objects", "write_snapshot"]

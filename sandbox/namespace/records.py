"""What kubecourse keeps on disk about a namespace sandbox, beside the usual ``sandbox.json``.

``sandboxes/NAME/namespace.json`` names the shared cluster (the instructor's kubeconfig file and
context) so that ``kubecourse check --name NAME`` and ``down`` reach it with the instructor's
credentials later; ``sandboxes/NAME/kubeconfig`` is the learner's own (token) kubeconfig.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from coursecore.home import sandbox_dir
from sandbox import state
from sandbox.errors import SandboxError

RECORD_FILE = "namespace.json"


@dataclass(frozen=True, kw_only=True)
class NamespaceRecord:
    """Where learner ``name``'s namespace lives."""

    name: str
    namespace: str
    kubeconfig: str
    """The instructor's kubeconfig file (absolute path), read again by grading and teardown."""
    context: str
    server: str
    course: str
    token_expires: str = ""

    def to_json(self) -> dict:
        return asdict(self)


def save(record: NamespaceRecord, root: Path | None = None) -> None:
    folder = state.private_dir(sandbox_dir(record.name, root))
    state.write_private(folder / RECORD_FILE, json.dumps(record.to_json(), indent=2) + "\n")


def load(name: str, root: Path | None = None) -> NamespaceRecord | None:
    """The record of sandbox ``name``, or ``None`` if it is not a namespace sandbox."""
    path = sandbox_dir(name, root) / RECORD_FILE
    try:
        raw = json.loads(path.read_text())
        return NamespaceRecord(**{k: raw[k] for k in raw if k in NamespaceRecord.__dataclass_fields__})
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError) as err:
        raise SandboxError(
            f"failed to read {path}: {err}", hint=f"run `kubecourse up --backend namespace --name {name}` again"
        ) from err


__all__ = ["RECORD_FILE", "NamespaceRecord", "load", "save"]

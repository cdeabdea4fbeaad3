"""The sandbox a lab notebook works on: which kubeconfig, which namespace, and its shell set-up.

A lab notebook's first code cell is::

    from autograder.notebook import use_sandbox

    NS = use_sandbox("first-pod")

after which every ``!kubectl ... -n $NS`` cell runs against the learner's own sandbox with the
course's kubectl (the one installed next to this Python), and the learner's namespace is in
``NS`` (IPython substitutes ``$NS`` from Python; it is exported to the shell too):

- on a kind sandbox the kubeconfig's context names no namespace, so ``NS`` is the lab's own
  (``first-pod``);
- on a shared cluster (the namespace backend) the learner's kubeconfig names their namespace
  (``kc-alice``), so ``NS`` is that one and the notebook says so once;
- with no sandbox at all, ``kubectl`` is shadowed by a stand-in that prints why nothing ran: a
  notebook never falls back to ``~/.kube/config`` (which may be anyone's production cluster);
- while nbgrader validates or autogrades the notebook, ``kubectl`` and ``kubecourse`` are both
  shadowed so: grading reads the submitted snapshot and never touches a cluster from the
  learner's commands.

:func:`find_sandbox` only looks; :func:`use_sandbox` also changes this process's environment
(``KUBECONFIG``, ``NS``, ``PATH``), which is what the shell commands of the notebook inherit.
"""

from __future__ import annotations

import atexit
import os
import shlex
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from coursecore import home, safeyaml
from coursecore.errors import KubecourseError, UsageError

GRADING = "grading"
LIVE = "sandbox"
NONE = "no-sandbox"


@dataclass(frozen=True, kw_only=True)
class NotebookSandbox:
    """Where a lab notebook's commands go."""

    lab: str
    """The lab id."""
    mode: str
    """``sandbox`` (commands reach the learner's cluster), ``no-sandbox`` or ``grading``."""
    namespace: str
    """``NS``: the learner's namespace for this lab."""
    lab_namespace: str
    """The namespace the lab itself names (``first-pod``); equal to ``namespace`` on kind."""
    kubeconfig: Path | None = None
    """The one kubeconfig file the commands and the checks read (``mode == "sandbox"``)."""
    reason: str = ""
    """Why commands do not run (``no-sandbox``, ``grading``)."""

    @property
    def shared(self) -> bool:
        """True on a shared cluster: the learner's namespace is not the lab's."""
        return self.namespace != self.lab_namespace


def find_sandbox(lab_id: str, *, kubeconfig: str | os.PathLike[str] | None = None) -> NotebookSandbox:
    """Find the sandbox for lab ``lab_id`` without changing anything.

    ``kubeconfig`` overrides the search (``$KUBECONFIG``, then ``$KUBECOURSE_SANDBOX``'s, then the
    sandbox named after the login, as ``kubecourse check`` does).

    Raises:
        UsageError: unknown lab, a ``kubeconfig`` given that does not exist, or a kubeconfig that
            cannot be read.
    """
    from coursecore.labs import find

    lab = find(lab_id)
    lab_namespace = lab.cluster.namespaces[0] if lab.cluster.namespaces else "default"
    if os.environ.get("NBGRADER_EXECUTION"):
        return NotebookSandbox(
            lab=lab_id,
            mode=GRADING,
            namespace=lab_namespace,
            lab_namespace=lab_namespace,
            reason="not run while the notebook is graded: the grader reads the submitted snapshot.yaml",
        )
    try:
        path = home.learner_kubeconfig(kubeconfig=kubeconfig)
    except KubecourseError as error:
        if kubeconfig is not None:
            raise
        return NotebookSandbox(
            lab=lab_id,
            mode=NONE,
            namespace=lab_namespace,
            lab_namespace=lab_namespace,
            reason=(
                f"not run: no sandbox found ({error.message}). Run `kubecourse up` and `kubecourse start "
                f"{lab_id}` in a terminal (or set KUBECONFIG to the file your instructor gave you), then run "
                "the notebook's first cell again"
            ),
        )
    namespace = context_namespace(path) or lab_namespace
    return NotebookSandbox(
        lab=lab_id, mode=LIVE, namespace=namespace, lab_namespace=lab_namespace, kubeconfig=path.resolve()
    )


def use_sandbox(lab_id: str, *, kubeconfig: str | os.PathLike[str] | None = None) -> str:
    """Point this notebook's shell commands at the lab's sandbox, say where, and return ``NS``.

    A learner's situation (no sandbox, an unreadable kubeconfig) is printed, not raised, and
    ``kubectl`` is then shadowed so that no command reaches a cluster by accident.

    Raises:
        UsageError: ``lab_id`` names no lab (the notebook's author's mistake).
    """
    from coursecore.labs import find

    lab = find(lab_id)
    try:
        found = find_sandbox(lab_id, kubeconfig=kubeconfig)
    except KubecourseError as error:
        namespace = lab.cluster.namespaces[0] if lab.cluster.namespaces else "default"
        found = NotebookSandbox(
            lab=lab_id, mode=NONE, namespace=namespace, lab_namespace=namespace, reason=f"not run: {error.message}"
        )
    _apply(found)
    print(describe(found))
    return found.namespace


def describe(found: NotebookSandbox) -> str:
    """What :func:`use_sandbox` prints: where commands go, the namespace, the terminal equivalent."""
    if found.mode != LIVE:
        return f"kubectl commands in this notebook are {found.reason}.\nNS = {found.namespace}"
    lines = [f"Sandbox:   {found.kubeconfig}"]
    if found.shared:
        lines.append(
            f"Namespace: NS = {found.namespace}  (yours, from your kubeconfig: you are on a shared cluster; "
            f"where this lab says namespace {found.lab_namespace}, your work lives in {found.namespace})"
        )
    else:
        lines.append(f"Namespace: NS = {found.namespace}  (the lab's namespace)")
    lines.append(
        "In a terminal, the same commands work after: "
        f"export KUBECONFIG={shlex.quote(str(found.kubeconfig))} NS={shlex.quote(found.namespace)}"
    )
    return "\n".join(lines)


MAX_KUBECONFIG_BYTES = 1024 * 1024


def context_namespace(path: str | os.PathLike[str], context: str | None = None) -> str | None:
    """The namespace that ``context`` (default: the current context) of a kubeconfig names, if any.

    A learner's kubeconfig on a shared cluster names their namespace (``kc-NAME``); a kind
    sandbox's names none.

    Raises:
        UsageError: the file is not a readable kubeconfig, or lacks the context.
    """
    config = safeyaml.load_mapping(Path(path), what="kubeconfig", max_bytes=MAX_KUBECONFIG_BYTES)
    name = context or config.get("current-context")
    if not name:
        return None
    for entry in config.get("contexts") or []:
        if isinstance(entry, dict) and entry.get("name") == name:
            namespace = (entry.get("context") or {}).get("namespace")
            return namespace if isinstance(namespace, str) and namespace else None
    raise UsageError(f"kubeconfig {path}: no context named {name!r}")


# -- the process environment the notebook's shell commands inherit -----------------------------
# The product's one lasting change to os.environ, on purpose: this runs in the learner's kernel, and
# `!kubectl` cells only see what is exported here (elsewhere: autograder._environ, for a block).

_guard_dir: Path | None = None


def _apply(found: NotebookSandbox) -> None:
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != str(_guard_dir)]
    bin_dir = str(Path(sys.executable).parent)  # the course's kubectl and kubecourse live here
    path = [bin_dir] + [p for p in path if p != bin_dir]
    os.environ["NS"] = found.namespace
    if found.mode == LIVE:
        os.environ["KUBECONFIG"] = str(found.kubeconfig)
    elif found.mode == GRADING:
        # Nothing the notebook's commands do counts while grading (the snapshot does), and each
        # `kubecourse lint` would start a Python process per cell and per validation run.
        path.insert(0, str(_guard(found.reason, 0, ("kubectl", "kubecourse"))))
    else:
        # Without a sandbox `kubecourse lint` still works (it needs no cluster); kubectl must not
        # fall back to ~/.kube/config.
        path.insert(0, str(_guard(found.reason, 3, ("kubectl",))))
    os.environ["PATH"] = os.pathsep.join(path)


def _guard(reason: str, code: int, programs: tuple[str, ...]) -> Path:
    """A folder whose ``programs`` print ``reason`` and exit ``code`` (3: environment not ready)."""
    global _guard_dir
    if _guard_dir is None:
        _guard_dir = Path(tempfile.mkdtemp(prefix="kubecourse-no-kubectl-"))
        atexit.register(shutil.rmtree, _guard_dir, True)
    for old in _guard_dir.iterdir():
        old.unlink()
    for program in programs:
        script = _guard_dir / program
        script.write_text(f"#!/bin/sh\necho {shlex.quote(program + ': ' + reason)}\nexit {code}\n")
        script.chmod(0o755)
    return _guard_dir


__all__ = [
    "GRADING",
    "LIVE",
    "NONE",
    "NotebookSandbox",
    "context_namespace",
    "describe",
    "find_sandbox",
    "use_sandbox",
]

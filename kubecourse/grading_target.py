"""Where grading reads a sandbox: the one place that joins ``sandbox`` and ``autograder``.

``sandbox`` knows where a sandbox lives (its backend's :meth:`~sandbox.backend.Backend.grading_target`:
a kind cluster read with the learner's own credentials, or a learner's namespace on a shared
cluster read with the instructor's credentials it was made with); ``autograder`` reads a cluster
from a kubeconfig and never imports ``sandbox``. The command line's ``check``, ``snapshot``,
``results`` and ``grade --live`` get their live state here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from autograder.live import connect
from autograder.loader import resolve_lab
from autograder.namespace_map import NamespaceMapped
from coursecore.errors import KubecourseError, UsageError
from coursecore.home import normalize_name
from sandbox import backends


def live_state(
    lab: Any,
    *,
    name: str | None = None,
    kubeconfig: Path | None = None,
    context: str | None = None,
    namespace: str | None = None,
):
    """The live state the checks of ``lab`` read: sandbox ``name`` where its backend says,
    ``kubeconfig`` (and ``context``) as given, or the learner's default cluster
    (:func:`coursecore.home.learner_kubeconfig`). With ``namespace`` (or a namespace sandbox),
    the lab's namespaces are read from that one namespace.

    Raises:
        UsageError: nothing names a cluster, a name is invalid, a kubeconfig is unusable.
        ClusterUnreachable: the sandbox does not exist, or its cluster cannot be read.
    """
    if name is not None and kubeconfig is None:
        target = backends.for_sandbox(name).grading_target(name)
        kubeconfig, context, namespace = target.kubeconfig, context or target.context, namespace or target.namespace
    state = connect(kubeconfig=kubeconfig, context=context)
    return _mapped(state, _lab_namespaces(lab), namespace) if namespace else state


def live_states_for(lab: str) -> Callable[[str], Any]:
    """student id -> their namespace's live state, read with the credentials their sandbox was
    made with (one connection per cluster, shared by every student on it); for ``grade --live``."""
    lab_namespaces = _lab_namespaces(lab)  # an unknown lab is reported before any student
    connections: dict = {}

    def state_of(student: str):
        # As the roster turns a learner's name into a sandbox name (never shortened).
        name = normalize_name(student)
        try:
            target = backends.for_sandbox(name).grading_target(name) if name else None
        except KubecourseError:
            target = None
        if target is None or target.namespace is None:
            raise UsageError(f"student {student} has no namespace sandbox (kubecourse ls)")
        key = (str(target.kubeconfig), target.context)
        if key not in connections:
            connections[key] = connect(kubeconfig=target.kubeconfig, context=target.context)
        return _mapped(connections[key], lab_namespaces, target.namespace)

    return state_of


def _lab_namespaces(lab: Any) -> tuple[str, ...]:
    return resolve_lab(lab).cluster.namespaces


def _mapped(state: Any, lab_namespaces: tuple[str, ...], namespace: str) -> NamespaceMapped:
    return NamespaceMapped(state, lab_namespaces=lab_namespaces, target=namespace)


__all__ = ["live_state", "live_states_for"]

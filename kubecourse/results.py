"""The "Salmon results" of the newest argo-salmon workflow, for ``kubecourse results`` and for
the lab's notebook.

The numbers come from the Workflow object's node outputs (each run's ``seed``, ``score`` and
``generation``), so they can be read from a live sandbox long after the pods are gone, or from a
snapshot file. What the summary says is the lab's own (``labs/argo-salmon/salmon_results.py``,
imported as part of the lab's package by :mod:`coursecore.lab_package`); this module finds the
state to read (a snapshot, or a cluster as :mod:`kubecourse.grading_target` finds it) and the
workflow in it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from coursecore import labs
from coursecore.errors import UsageError
from coursecore.lab_package import lab_module

LAB = "argo-salmon"
SUMMARY_MODULE = "salmon_results.py"


def salmon_summary(
    *,
    name: str | None = None,
    kubeconfig: str | os.PathLike[str] | None = None,
    snapshot: str | os.PathLike[str] | None = None,
    namespace: str = "salmon",
) -> Any:
    """The summary of the newest ``salmon-*`` Workflow in ``namespace``, or ``None`` if there is
    none.

    Reads a sandbox (``name``), a kubeconfig, or a snapshot file; with none of them, the
    learner's default cluster (``$KUBECONFIG``, ``$KUBECOURSE_SANDBOX``, the login's sandbox).
    ``namespace`` is the lab's ``salmon``, or a learner's own on a shared cluster read with their
    own kubeconfig (the notebook passes its ``NS``); a namespace sandbox named by ``name`` is
    read with the instructor's credentials, its namespace standing for ``salmon``.

    Raises:
        UsageError: more than one source given, or a source that cannot be read.
        ClusterUnreachable: the cluster cannot be read.
    """
    if sum(x is not None for x in (name, kubeconfig, snapshot)) > 1:
        raise UsageError("choose one of --name, --kubeconfig and --snapshot")
    if snapshot is not None:
        from autograder import load_snapshot

        state = load_snapshot(Path(snapshot))
        namespace = "salmon"  # a snapshot records the lab's namespace, whoever made it
    else:
        from kubecourse.grading_target import live_state

        state = live_state(LAB, name=name, kubeconfig=Path(kubeconfig) if kubeconfig is not None else None)
    lab = labs.find(LAB)
    workflow = state.newest("Workflow", namespace=namespace, api_version="argoproj.io/v1alpha1", name_prefix="salmon-")
    if workflow is None:
        return None
    return lab_module(lab.path, SUMMARY_MODULE).summarize(workflow, lab_folder=lab.path)


__all__ = ["LAB", "salmon_summary"]

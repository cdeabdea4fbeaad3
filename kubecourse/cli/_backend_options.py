"""Options of ``up`` and ``class up/down`` that choose and configure a sandbox backend.

The options are declared once here for both command files; what they mean, and which backend
refuses which, is :mod:`sandbox.backends`'.
"""

from __future__ import annotations

import typer

BACKEND = typer.Option(
    "kind",
    "--backend",
    help="kind: a cluster per learner on this host; namespace: "
    "a namespace per learner on an existing cluster (--kubeconfig/--context).",
)
KUBECONFIG = typer.Option(
    None,
    "--kubeconfig",
    help="namespace backend: the instructor's (admin) kubeconfig "
    "(default: $KUBECONFIG, then ~/.kube/config, read only).",
)
CONTEXT = typer.Option(None, "--context", help="namespace backend: context of that kubeconfig (default: current).")
SETTINGS = typer.Option(
    None,
    "--settings",
    help="namespace backend: YAML file of quota, limit, Pod Security and "
    "token settings (see the book's namespace-backend page).",
)
LAB = typer.Option(
    None,
    "--lab",
    help="Prepare every sandbox for this lab: as `kubecourse start LAB` does (kind), or check that the "
    "cluster-wide add-ons it needs are installed and copy its data into each namespace (namespace).",
)

__all__ = ["BACKEND", "CONTEXT", "KUBECONFIG", "LAB", "SETTINGS"]

"""The namespace backend's side of ``up``, ``down`` and ``class up/down``: shared options and the
calls they make, so that the kind commands stay as they were with ``--backend kind`` (the default).
"""

from __future__ import annotations

from pathlib import Path

import typer

from coursecore.errors import UsageError

BACKENDS = ("kind", "namespace")
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
    help="namespace backend: check that the cluster-wide add-ons this lab needs are installed, and record the lab.",
)


def backend_of(value: str) -> str:
    if value not in BACKENDS:
        raise UsageError(f"--backend must be one of {', '.join(BACKENDS)}, not {value!r}")
    return value


def refuse_kind_only(backend: str, **given) -> None:
    """Options that only mean something to one backend are refused for the other."""
    used = [f"--{k.replace('_', '-')}" for k, v in given.items() if v]
    if used:
        raise UsageError(
            f"{', '.join(used)} appl{'ies' if len(used) == 1 else 'y'} to the namespace backend "
            f"only, not to --backend {backend}"
        )


def settings(path: Path | None):
    from sandbox.namespace.settings import load_settings

    return load_settings(path)


def class_up(roster, *, output, kubeconfig, context, settings_file, parallel, ttl, lab, observer):
    from sandbox.namespace import room

    return room.class_up(
        roster,
        output=output,
        kubeconfig=kubeconfig,
        context=context,
        settings=settings(settings_file),
        parallel=parallel,
        ttl=ttl,
        lab=lab,
        observer=observer,
    )


def class_down(roster, *, output, kubeconfig, context, settings_file, parallel, observer):
    from sandbox.namespace import room

    return room.class_down(
        roster,
        output=output,
        kubeconfig=kubeconfig,
        context=context,
        settings=settings(settings_file),
        parallel=parallel,
        observer=observer,
    )


def up_one(name: str | None, *, kubeconfig, context, settings_file, ttl, lab, progress):
    from coursecore.home import default_name
    from sandbox.namespace import room

    with room.Session(kubeconfig, context, settings(settings_file), parallel=1) as session:
        return session.up(name or default_name(), ttl=ttl, lab=lab, progress=progress)


def recorded(name: str | None) -> bool:
    """Whether sandbox ``name`` (default: the login's) is a namespace sandbox."""
    from coursecore.home import default_name
    from sandbox.namespace import records

    return records.load(name or default_name()) is not None


def down_one(name: str | None) -> str:
    from coursecore.home import default_name
    from sandbox.namespace import room

    return room.down_recorded(name or default_name())


__all__ = [
    "BACKEND",
    "CONTEXT",
    "KUBECONFIG",
    "LAB",
    "SETTINGS",
    "backend_of",
    "class_down",
    "class_up",
    "down_one",
    "recorded",
    "refuse_kind_only",
    "up_one",
]


def grading_target(name, kubeconfig, context, namespace):
    """(name, kubeconfig, context, namespace) to grade: a namespace sandbox ``name`` becomes the
    instructor's kubeconfig and context it was made with, and its namespace."""
    if name is None or kubeconfig is not None:
        return name, kubeconfig, context, namespace
    from coursecore.home import validate_name
    from sandbox.namespace import records

    try:
        record = records.load(validate_name(name))
    except UsageError:
        return name, kubeconfig, context, namespace  # the autograder reports a bad name its way
    if record is None:
        return name, kubeconfig, context, namespace
    return None, Path(record.kubeconfig), context or record.context, namespace or record.namespace


def live_states_for(lab: str):
    """student id -> their namespace's live state, read with the credentials their sandbox was
    made with (one connection per cluster, shared by every student on it)."""
    from autograder.live import connect
    from autograder.loader import resolve_lab
    from autograder.namespace_map import NamespaceMapped
    from coursecore.home import normalize_name

    lab_namespaces = resolve_lab(lab).cluster.namespaces
    connections: dict = {}

    def state_of(student: str):
        name = normalize_name(student)  # as the roster turns a learner's name into a sandbox name
        _, kubeconfig, context, namespace = grading_target(name or "-", None, None, None)
        if namespace is None:
            raise UsageError(f"student {student} has no namespace sandbox (kubecourse ls)")
        key = (str(kubeconfig), context)
        if key not in connections:
            connections[key] = connect(kubeconfig=kubeconfig, context=context)
        return NamespaceMapped(connections[key], lab_namespaces=lab_namespaces, target=namespace)

    return state_of

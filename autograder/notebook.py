"""The two helpers a lab notebook calls: ``grade`` in each autograded test cell, ``submit`` last.

A test cell is exactly::

    from autograder.notebook import grade
    grade("first-pod", "pod-running")

and its final value is the points earned, a number from 0 to the check's points, which is how
nbgrader gives partial credit. nbgrader scores a test cell 0 if it writes anything to stderr and
gives *full* credit for a final value that is not a number, so both helpers print on stdout only
(warnings and log records of the Kubernetes client included) and ``grade`` always returns a float,
0 when anything goes wrong.

Where ``grade`` reads the cluster state:

- under ``nbgrader autograde`` (``NBGRADER_EXECUTION=autograde``): only the ``snapshot.yaml``
  next to the notebook; a missing file is 0 points with a message saying so;
- otherwise the live sandbox, found as ``kubecourse check`` finds it
  (:func:`coursecore.home.find_learner_kubeconfig`: ``$KUBECONFIG``, ``$KUBECOURSE_SANDBOX``, the
  sandbox named after the login); with no cluster, the ``snapshot.yaml`` next to the notebook if
  there is one. ``~/.kube/config`` is never read. When the kubeconfig's context names a
  namespace other than the lab's (a learner's ``kc-NAME`` on a shared cluster), the checks read
  that namespace as the lab's, as ``kubecourse check --namespace`` does, and ``submit`` records
  it so.

A notebook's first cell calls :func:`use_sandbox` (from :mod:`autograder.notebook_sandbox`),
which points its ``!kubectl`` commands at the same sandbox and returns the namespace ``NS``.

These helpers serve the learner working in their notebook, and plain ``nbgrader autograde`` for
those who insist on it. ``kubecourse grade`` never runs a notebook: it runs the checks itself on
the submitted snapshot and writes what :func:`describe` says into the test cells' outputs (see
the book's trust model: under ``nbgrader autograde`` learner code runs first in the same kernel
and can patch these functions).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from autograder.notebook_sandbox import context_namespace, use_sandbox
from coursecore import home
from coursecore.errors import KubecourseError

SNAPSHOT_NAME = "snapshot.yaml"
AUTOGRADE = "autograde"


def grade(lab_id: str, check_id: str) -> float:
    """Run one check of a lab, print what it found, and return the points earned.

    Args:
        lab_id: the lab, e.g. ``"first-pod"``.
        check_id: the check's id in the lab's ``checks.py``.

    Returns:
        Points earned, from 0 to the check's points (0 if the state cannot be read).
    """
    with _stdout_only():
        try:
            report = _report(lab_id, check_id)
        except _NoState as reason:
            print(f"✗ {check_id}: 0 points. {reason}")
            return 0.0
        except KubecourseError as error:
            print(f"✗ {check_id}: 0 points. {error.message}")
            if error.hint:
                print(f"  hint: {error.hint}")
            return 0.0
        except Exception as error:  # noqa: BLE001 - nbgrader must see a number, never a traceback
            print(f"✗ {check_id}: 0 points. The grader failed: {type(error).__name__}: {error}")
            return 0.0
        try:
            result = report.result(check_id)
        except KeyError:
            print(f"✗ {check_id}: 0 points. Lab {lab_id!r} has no check {check_id!r}.")
            return 0.0
        print(describe(result, report.source))
        return float(result.points)


def describe(result: Any, source: str) -> str:
    """What a learner reads about one check's result (a test cell's output, in the notebook and
    in the feedback): its title, points, what it found and, if it failed, the hint (or the check
    it follows from).

    A hidden check shows whether it passed and its hint, never its message: the message can
    spell out the rule the check enforces.
    """
    shown = result.to_json()  # masks hidden checks' messages
    mark = "✓" if result.passed else "✗"
    lines = [f"{mark} {shown['title']}: {_num(shown['points'])}/{_num(shown['max_points'])} points"]
    if shown["message"]:
        lines.append(f"  {shown['message']}")
    if shown.get("consequence_of"):
        lines.append(f"  this follows from check {shown['consequence_of']!r}: fix that first")
    if shown["hint"]:
        lines.append(f"  hint: {shown['hint']}")
    lines.append(f"  (graded from {source} state)")
    return "\n".join(lines)


def submit(lab_id: str) -> Path | None:
    """Write ``snapshot.yaml`` next to the notebook from the live sandbox, for grading.

    A no-op under ``nbgrader autograde`` (the submitted snapshot is what gets graded).

    Returns:
        The snapshot's path, or ``None`` if nothing was written.
    """
    with _stdout_only():
        if os.environ.get("NBGRADER_EXECUTION") == AUTOGRADE:
            print("Autograding: grading the submitted snapshot.yaml; nothing to capture.")
            return None
        try:
            import autograder
            from coursecore import labs

            lab = labs.find(lab_id)
            kubeconfig = home.find_learner_kubeconfig()
            if kubeconfig is None:
                print("No sandbox found (set KUBECONFIG or run `kubecourse up`); snapshot.yaml was not written.")
                return None
            target = Path.cwd() / SNAPSHOT_NAME
            autograder.write_snapshot(lab, _live_state(lab, kubeconfig), target)
        except KubecourseError as error:
            print(f"Could not write snapshot.yaml: {error.message}")
            if error.hint:
                print(f"  hint: {error.hint}")
            return None
        except Exception as error:  # noqa: BLE001 - never a traceback in the learner's notebook
            print(f"Could not write snapshot.yaml: {type(error).__name__}: {error}")
            return None
        print(f"Saved {target.name} ({target.stat().st_size} bytes): submit this folder for grading.")
        return target


class _NoState(Exception):
    """Neither a cluster nor a snapshot to grade."""


def _report(lab_id: str, check_id: str) -> Any:
    """The lab's report for the state this notebook should be graded on."""
    import autograder
    from coursecore import labs

    snapshot = Path.cwd() / SNAPSHOT_NAME
    if os.environ.get("NBGRADER_EXECUTION") == AUTOGRADE:
        if not snapshot.is_file():
            raise _NoState(
                "No snapshot.yaml was submitted next to the notebook: run the last cell "
                "(submit) on your sandbox before submitting."
            )
        return _snapshot_report(lab_id, snapshot)
    try:
        kubeconfig = home.find_learner_kubeconfig()
        state = None if kubeconfig is None else _live_state(labs.find(lab_id), kubeconfig)
    except KubecourseError:
        # A cluster named but not usable: the snapshot, if there is one, is still gradable.
        if not snapshot.is_file():
            raise
        state = None
    if state is not None:
        # Live checks may wait for the cluster: run only this cell's check.
        return autograder.run_checks(lab_id, state, only=[check_id])
    if snapshot.is_file():
        return _snapshot_report(lab_id, snapshot)
    raise _NoState(
        "No sandbox to read (run `kubecourse up` and `kubecourse start`, or set KUBECONFIG) "
        "and no snapshot.yaml next to the notebook."
    )


def _live_state(lab: Any, kubeconfig: Path) -> Any:
    """The sandbox's state, seen through the learner's own namespace when it is not the lab's."""
    import autograder

    state = autograder.connect(kubeconfig=kubeconfig)
    namespace = context_namespace(kubeconfig)
    if namespace and namespace not in lab.cluster.namespaces:
        from autograder.namespace_map import NamespaceMapped

        state = NamespaceMapped(state, lab_namespaces=lab.cluster.namespaces, target=namespace)
    return state


# Every test cell grades the same file: run the lab's checks once per version of it.
_cache: dict[tuple, Any] = {}


def _snapshot_report(lab_id: str, snapshot: Path) -> Any:
    import autograder

    stat = snapshot.stat()
    key = (lab_id, str(snapshot.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _cache:
        _cache.clear()
        _cache[key] = autograder.run_checks(lab_id, autograder.load_snapshot(snapshot))
    return _cache[key]


@contextlib.contextmanager
def _stdout_only() -> Iterator[None]:
    """Send everything this call would write to stderr to stdout, and mute warnings and logs.

    nbgrader gives 0 points to a test cell with any stderr output; a deprecation warning from a
    client library must not cost a learner their points.
    """
    previous_disable = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with contextlib.redirect_stderr(sys.stdout):
                yield
    finally:
        logging.disable(previous_disable)


def _num(value: float) -> str:
    return f"{value:g}"


__all__ = ["SNAPSHOT_NAME", "describe", "grade", "submit", "use_sandbox"]

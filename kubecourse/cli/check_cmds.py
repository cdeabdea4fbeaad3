"""``kubecourse check`` and ``kubecourse snapshot``: grade a lab against a cluster or a snapshot."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from coursecore.errors import EXIT_FAILED, UsageError
from kubecourse.cli._output import err, next_step, out, print_json

_NAME = typer.Option(None, "--name", "-n", help="Read the sandbox NAME made by `kubecourse up --name NAME`.")
_KUBECONFIG = typer.Option(None, "--kubeconfig", help="Read the cluster this kubeconfig file points at.")
_CONTEXT = typer.Option(None, "--context", help="Context to use from the kubeconfig (default: its current context).")
_NAMESPACE = typer.Option(
    None,
    "--namespace",
    help="Read the lab's namespaces from this one instead: a learner's "
    "namespace on a shared cluster (kc-NAME; automatic with --name on the namespace backend).",
)


def _live_state(name: str | None, kubeconfig: Path | None, context: str | None, lab=None, namespace: str | None = None):
    from kubecourse.grading_target import live_state

    state = live_state(lab, name=name, kubeconfig=kubeconfig, context=context, namespace=namespace)
    err.print(f"[dim]reading the cluster of {state.origin} (checks may wait for it to settle)[/dim]")
    return state


def _render(report, *, reveal_hidden: bool) -> None:
    data = report.to_json(reveal_hidden=reveal_hidden)
    titles = {e["id"]: e["title"] for e in data["checks"]}
    table = Table(title=f"{report.lab} ({report.source})", title_justify="left")
    table.add_column("check")
    table.add_column("result")
    table.add_column("points", justify="right")
    table.add_column("message", overflow="fold")
    colour = {"passed": "green", "failed": "red", "error": "magenta"}
    for entry in data["checks"]:
        word = {"passed": "PASS", "failed": "FAIL", "error": "ERROR"}[entry["status"]]
        message = escape(entry["message"])
        if entry["consequence_of"]:
            # One root cause, one message: the row says where its failure comes from instead.
            message = f"[dim]follows from: {escape(titles[entry['consequence_of']])}[/dim]"
        table.add_row(
            escape(entry["title"]),
            f"[{colour[entry['status']]}]{word}[/]",
            f"{entry['points']:g}/{entry['max_points']:g}",
            message,
        )
    out.print(table)
    hints = [(e["title"], e["hint"]) for e in data["checks"] if not e["passed"] and e["hint"]]
    if hints:
        out.print("Hints:")
        for title, hint in hints:
            out.print(f"  - {escape(title)}: {escape(hint)}")
    failed = sum(1 for e in data["checks"] if not e["passed"])
    following = sum(1 for e in data["checks"] if e["consequence_of"])
    verdict = "all checks passed" if not failed else f"{failed} of {len(data['checks'])} checks not passed"
    if following:
        verdict += f"; {following} of them follow from the others: fix those first"
    out.print(f"Score: {data['score']:g}/{data['max_score']:g} ({verdict})")


def check(
    lab: str = typer.Argument(..., help="Lab id (see `kubecourse labs`) or a lab folder."),
    name: str = _NAME,
    kubeconfig: Path = _KUBECONFIG,
    context: str = _CONTEXT,
    namespace: str = _NAMESPACE,
    snapshot: Path = typer.Option(None, "--snapshot", "-s", help="Grade this snapshot file instead of a cluster."),
    json_output: bool = typer.Option(False, "--json", help="Print the report as one JSON object."),
    reveal_hidden: bool = typer.Option(
        False, "--reveal-hidden", help="Show hidden checks' messages and hints (for instructors)."
    ),
) -> None:
    """Run a lab's checks and say what passed, what failed, why, and what to try.

    The state comes from exactly one of: a sandbox (`--name`), a kubeconfig (`--kubeconfig`,
    optionally `--context`), or a snapshot file (`--snapshot`, written by `kubecourse snapshot`
    or `kubectl get ... -o yaml`). With none of them: `$KUBECONFIG`, else the sandbox named by
    `$KUBECOURSE_SANDBOX`, else the one `kubecourse up` made for your login name.

    Exit codes: 0 all checks passed, 1 some check did not pass, 2 bad input (unknown lab,
    unreadable snapshot), 3 the cluster cannot be reached or refuses the credentials.
    """
    from autograder import load_snapshot, run_checks

    if sum(x is not None for x in (name, kubeconfig, snapshot)) > 1:
        raise UsageError("choose one of --name, --kubeconfig and --snapshot")
    if context is not None and snapshot is not None:
        raise UsageError("--context applies to a cluster, not to --snapshot")
    from autograder.loader import load_checks

    load_checks(lab)  # an unknown lab or broken checks.py is reported before reaching a cluster
    if namespace is not None and snapshot is not None:
        raise UsageError("--namespace applies to a cluster, not to --snapshot")
    state = load_snapshot(snapshot) if snapshot is not None else _live_state(name, kubeconfig, context, lab, namespace)
    report = run_checks(lab, state)
    if json_output:
        print_json(report.to_json(reveal_hidden=reveal_hidden))
    else:
        _render(report, reveal_hidden=reveal_hidden)
        if report.passed and snapshot is None:
            next_step(f"kubecourse snapshot {report.lab} -o snapshot.yaml   (to hand in your work)")
    if not report.passed:
        raise typer.Exit(EXIT_FAILED)


def snapshot(
    lab: str = typer.Argument(..., help="Lab id (see `kubecourse labs`) or a lab folder."),
    output: Path = typer.Option(
        ..., "--output", "-o", help="File to write; .json gives JSON, anything else YAML; - for stdout."
    ),
    name: str = _NAME,
    kubeconfig: Path = _KUBECONFIG,
    context: str = _CONTEXT,
    namespace: str = _NAMESPACE,
) -> None:
    """Save what a lab's checks read from the cluster into a file that grades the same offline.

    The lab's `lab.yaml` lists what to capture (`grading.capture`). The file is a Kubernetes
    `List`, like `kubectl get ... -o yaml` prints; `kubecourse check LAB --snapshot FILE` gives
    the same result as checking the live cluster did. The cluster is chosen as for `check`.

    Exit codes: 0 written, 2 bad input (unknown lab, a file that cannot be written), 3 the
    cluster cannot be reached or refuses the credentials (nothing is written then).
    """
    from autograder.capture import capture_document, write_snapshot
    from autograder.loader import resolve_lab
    from autograder.snapshot import dump_snapshot

    if name is not None and kubeconfig is not None:
        raise UsageError("choose one of --name and --kubeconfig")
    lab_obj = resolve_lab(lab)
    state = _live_state(name, kubeconfig, context, lab_obj, namespace)
    if str(output) == "-":
        import sys

        sys.stdout.write(dump_snapshot(capture_document(lab_obj, state), as_json=False))
        return
    count = write_snapshot(lab_obj, state, output)
    err.print(f"wrote {count} objects to {output}")
    next_step(f"kubecourse check {lab_obj.id} --snapshot {output}")


def register(app: typer.Typer) -> None:
    app.command("check")(check)
    app.command("snapshot")(snapshot)


__all__ = ["check", "register", "snapshot"]

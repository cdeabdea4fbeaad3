"""``kubecourse lint``: check manifests and Argo workflows offline, before they reach a cluster."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from coursecore.errors import EXIT_USAGE, UsageError
from kubecourse.cli._output import err, next_step, out, print_json


def lint(
    targets: list[str] = typer.Argument(
        ...,
        metavar="[LAB] PATH...",
        help="An optional lab id (see `kubecourse labs`), then files, folders (searched for *.yaml, "
        "*.yml and *.json) or - for standard input.",
        show_default=False,
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the findings as one JSON object."),
) -> None:
    """Check manifests before you apply them, without a cluster; every finding names its line.

    Each document is checked by what it is. Kubernetes objects against the strict schema of
    the Kubernetes version the sandbox runs (unknown fields such as `replics` are named with the
    field you probably meant), then for what the schema allows but Kubernetes refuses or gets
    wrong: quantities such as `2 cpus`, selectors that match nothing, a Job without
    `restartPolicy`, `backoffLimitPerIndex` without `restartPolicy: Never`. Argo Workflows
    against the schema of the Argo release the sandbox installs (Argo 3.x drops misspelt keys
    such as `dependancies` without a word), then: the entrypoint and every template named
    exist, dependencies exist and form no cycle, `{{item}}` only inside loops, a step reads
    only outputs of earlier steps. Kustomizations against kustomize's fields; a kustomize patch
    as the partial object it is. Other tools' files (kind's cluster config, a kubeconfig) are
    recognised and left alone; a Helm chart must be rendered first (`helm template CHART |
    kubecourse lint -`).

    With a LAB, its own rules apply too, to the objects the lab works with; a file outside the
    lab gets a note saying so.

    Examples: `kubecourse lint pod.yaml`, `kubecourse lint batch-jobs sweep.yaml`,
    `kubecourse lint manifests/`, `kubectl kustomize overlays/prod | kubecourse lint -`.

    Exit codes: 0 no problems, 1 problems found, 2 a file could not be linted (missing, not
    YAML, a Helm template) or bad usage (unknown lab).
    """
    try:
        lab, paths = _split(targets)
        from manifestlint import lint_paths

        run = lint_paths(paths, lab=lab)
    except UsageError as error:
        if json_output:
            print_json({"ok": False, "error": error.message, "exit_code": EXIT_USAGE, "files": []})
        raise
    if json_output:
        print_json(run.to_json())
        raise typer.Exit(run.exit_code)
    for report in run.files:
        for line in report.lines():
            out.print(escape(line))
        for note in report.notes:
            out.print(escape(f"note: {report.source}: {note}"))
        if report.error is not None:
            err.print(f"[bold red]error:[/bold red] {escape(report.source)}: {escape(report.error)}")
    for note in run.notes:
        out.print(escape(f"note: {note}"))
    out.print(escape(run.summary()))
    hints = [r.apply_hint for r in run.files if r.apply_hint]
    if run.exit_code == 0 and hints:
        next_step(escape(_combined(hints)))
    raise typer.Exit(run.exit_code)


def _split(targets: list[str]):
    """``(lab or None, paths)``: the first target is a lab when it names one and paths follow."""
    from coursecore import labs as catalogue

    first = targets[0]
    looks_like_lab = bool(catalogue.LAB_ID.match(first)) and not Path(first).exists()
    if len(targets) > 1 and (looks_like_lab or _is_lab(catalogue, first)):
        return catalogue.find(first), targets[1:]
    if len(targets) == 1 and looks_like_lab and _is_lab(catalogue, first):
        raise UsageError(f"{first} is a lab; name the files to lint as well: kubecourse lint {first} FILE...")
    return None, targets


def _is_lab(catalogue, name: str) -> bool:
    try:
        catalogue.find(name)
    except UsageError:
        return False
    return True


def _combined(hints: list[str]) -> str:
    """One command for several clean files when they all go the same way, else the first."""
    files = [h[len("kubectl apply -f ") :] for h in hints if h.startswith("kubectl apply -f ")]
    if len(files) == len(hints) and 1 < len(files) <= 4:
        return "kubectl apply " + " ".join(f"-f {f}" for f in files)
    return hints[0] if len(hints) == 1 else f"{hints[0]} (and likewise for the other files)"


def register(app: typer.Typer) -> None:
    app.command("lint")(lint)


__all__ = ["lint", "register"]

"""``kubecourse lint``: check a learner's manifest offline, with the linter its lab names."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from coursecore import labs as catalogue
from coursecore.errors import EXIT_FAILED, UsageError
from kubecourse.cli._output import next_step, out, print_json


def lint(
    lab: str = typer.Argument(..., help="Lab id (see `kubecourse labs`), e.g. argo-salmon."),
    file: Path = typer.Argument(..., help="The manifest to check, e.g. workflow.yaml."),
    json_output: bool = typer.Option(False, "--json", help="Print the findings as one JSON object."),
) -> None:
    """Check a manifest for a lab before you submit it, without a cluster.

    The lab's `lab.yaml` names the linter (`grading.lint`). For `argo-salmon` it checks a
    Workflow's structure and types against Argo's schema, finds unknown keys (typos such as
    `dependancies`, which Argo would silently ignore), and checks meaning: the entrypoint and the
    templates that steps and tasks name exist, dependencies exist and form no cycle, `{{item}}`
    appears only inside loops, the apiVersion is `argoproj.io/v1alpha1`, every container requests
    CPU and memory, and no step name is used twice. Every finding names its line.

    Exit codes: 0 no problems, 1 problems found, 2 bad input (unknown lab, a lab without a
    linter, a missing file or one that is not YAML).
    """
    from manifestlint import lint as run_linter

    found = catalogue.find(lab)
    if found.grading.lint is None:
        raise UsageError(f"lab {lab!r} declares no linter (grading.lint in its lab.yaml)")
    report = run_linter(found.grading.lint, file, lab=found)
    if json_output:
        print_json(report.to_json())
    else:
        for line in report.lines():
            out.print(escape(line), soft_wrap=True)
        count = len(report.problems)
        out.print(
            f"{file}: {'no problems found' if report.ok else f'{count} problem' + ('s' if count != 1 else '') + ' found'} ({report.linter} linter)"
        )
    if report.ok:
        if not json_output:
            next_step(f"kubectl create -f {file}")
        return
    raise typer.Exit(EXIT_FAILED)


def register(app: typer.Typer) -> None:
    app.command("lint")(lint)


__all__ = ["lint", "register"]

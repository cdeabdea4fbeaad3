"""``kubecourse labs``: the catalogue of labs found in ``labs/*/lab.yaml``."""

from __future__ import annotations

import typer
from rich.table import Table

from coursecore import labs as catalogue
from kubecourse.cli._output import next_step, out, print_json


def labs(
    json_output: bool = typer.Option(False, "--json", help="Print the labs as a JSON list."),
) -> None:
    """List the labs in the order they are taught: id, title, learner tier, minutes, where they
    run, and what the cluster needs.

    "runs on" names the sandbox backends a lab can be done on: `kind` (a cluster of your own) and
    `namespace` (a namespace on a shared cluster); `--json` also says why a backend is missing.

    Labs are folders under `labs/` (or `$KUBECOURSE_LABS`) with a `lab.yaml`; `labs/course.yaml`
    gives their order. A malformed `lab.yaml` or `course.yaml` is reported with its file and
    field, and the command exits 2.
    """
    found = catalogue.discover()
    if json_output:
        print_json([lab.to_json() for lab in found])
        return
    total = sum(lab.minutes for lab in found)
    table = Table(title=f"{len(found)} labs, {total} minutes, in teaching order", title_justify="left")
    for column in ("#", "id", "title", "tier", "minutes", "runs on", "cluster needs"):
        table.add_column(column, justify="right" if column in ("#", "minutes") else "left")
    for position, lab in enumerate(found, 1):
        runs_on = ", ".join(lab.backends)
        table.add_row(str(position), lab.id, lab.title, lab.tier, str(lab.minutes), runs_on, lab.cluster.describe())
    out.print(table)
    if found:
        next_step(f"kubecourse start {found[0].id}   (creates your sandbox and prepares the lab)")


def register(app: typer.Typer) -> None:
    app.command("labs")(labs)


__all__ = ["labs", "register"]

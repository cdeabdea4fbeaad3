"""``kubecourse labs``: the catalogue of labs found in ``labs/*/lab.yaml``."""

from __future__ import annotations

import typer
from rich.table import Table

from coursecore import labs as catalogue
from kubecourse.cli._output import next_step, out, print_json


def labs(
    json_output: bool = typer.Option(False, "--json", help="Print the labs as a JSON list."),
) -> None:
    """List the labs: id, title, learner tier, minutes, and what the cluster needs.

    Labs are folders under `labs/` (or `$KUBECOURSE_LABS`) with a `lab.yaml`. A malformed
    `lab.yaml` is reported with its file and field, and the command exits 2.
    """
    found = catalogue.discover()
    if json_output:
        print_json([lab.to_json() for lab in found])
        return
    table = Table(title=f"{len(found)} labs", title_justify="left")
    for column in ("id", "title", "tier", "minutes", "cluster needs"):
        table.add_column(column, justify="right" if column == "minutes" else "left")
    for lab in found:
        table.add_row(lab.id, lab.title, lab.tier, str(lab.minutes), lab.cluster.describe())
    out.print(table)
    if found:
        next_step(f"kubecourse start {found[0].id}   (creates your sandbox and prepares the lab)")


def register(app: typer.Typer) -> None:
    app.command("labs")(labs)


__all__ = ["labs", "register"]

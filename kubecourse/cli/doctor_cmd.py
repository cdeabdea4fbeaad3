"""``kubecourse doctor``: is this machine ready for labs, and what to fix if not."""

from __future__ import annotations

import typer
from rich.table import Table

from coursecore.errors import EXIT_FAILED
from coursecore.home import home
from kubecourse.cli._output import next_step, out, print_json
from sandbox.preflight import run_preflight


def doctor(
    json_output: bool = typer.Option(False, "--json", help="Print the findings as JSON."),
) -> None:
    """Check what labs need: kubectl, kind, a running Docker (or Podman), memory, disk, inotify.

    Prints one row per check with a fix for each problem, and how many sandboxes this host can
    hold at once. Exits 0 when the machine is ready for labs, 1 when it is not.
    """
    report = run_preflight(home())
    if json_output:
        print_json(report.to_json())
    else:
        table = Table(title="kubecourse doctor", title_justify="left")
        table.add_column("check")
        table.add_column("")
        table.add_column("found")
        table.add_column("fix")
        for f in report.findings:
            mark = "[green]ok[/green]" if f.ok else "[red]FAIL[/red]"
            table.add_row(f.name, mark, f.detail, f.fix)
        out.print(table)
        limits = ", ".join(f"{k} {v}" for k, v in report.limits.items())
        out.print(f"This host can hold about {report.capacity} one-node sandboxes ({limits}).")
        if report.ready:
            out.print("[green]Ready for labs.[/green]")
            next_step("kubecourse labs")
        else:
            out.print("[red]Not ready for labs:[/red] fix the rows marked FAIL, then run doctor again.")
    if not report.ready:
        raise typer.Exit(EXIT_FAILED)


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)


__all__ = ["doctor", "register"]

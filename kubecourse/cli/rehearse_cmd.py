"""``kubecourse rehearse``: prove that this host can run every lab before the workshop."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from coursecore.errors import EXIT_FAILED
from kubecourse.cli._output import next_step, out, print_json, progress, verbose
from sandbox import lifecycle
from sandbox.addons import lock as addon_lock

PHASES = ("create", "start", "starter", "apply", "converge", "check", "delete")


def rehearse(
    labs: list[str] = typer.Argument(None, help="Lab ids to rehearse (see `kubecourse labs`)."),
    all_: bool = typer.Option(False, "--all", help="Rehearse every lab of the course, in teaching order."),
    keep: bool = typer.Option(False, "--keep", help="Leave each lab's sandbox running afterwards (to look around)."),
    json_output: bool = typer.Option(False, "--json", help="Print the outcome as one JSON object."),
    addons_lock: Path = typer.Option(
        None, "--addons-lock", help="Verify add-on manifests against this lock file (as `start --addons-lock`)."
    ),
    strict_addons: bool = typer.Option(
        None, "--strict-addons/--no-strict-addons", help="Refuse add-on manifests that no lock pins."
    ),
) -> None:
    """The dress rehearsal: run labs end to end on this host, as a learner would.

    For each lab: a throwaway sandbox `rehearse-LAB` (`up`), `start`, the lab's checks on the
    untouched cluster (the starter must score zero), the reference solution applied with the
    kubectl commands the notebook gives learners (`solution:` in lab.yaml) and the waits it asks
    for, `check` (full marks required), then `down`. Prints a table of timings per phase and
    exits 0 only if every lab passed; every sandbox is deleted unless `--keep`.

    It uses the same code as `up`, `start` and `check`, so a green rehearsal on the workshop
    host means the labs work there. Give lab ids, or `--all`.
    """
    from kubecourse import rehearsal

    if bool(labs) == all_:
        from coursecore.errors import UsageError

        raise UsageError("give lab ids or --all (not both)")
    pins = addon_lock.current(addons_lock, strict=strict_addons)
    with lifecycle.sigterm_as_interrupt():
        report = rehearsal.rehearse(labs or None, keep=keep, pins=pins, progress=progress)
    if json_output:
        print_json(report.to_json())
    else:
        _render(report, show_detail=verbose())
    if not report.passed:
        raise typer.Exit(EXIT_FAILED)
    if keep:
        next_step("kubecourse ls   (the rehearsal sandboxes; `kubecourse down --name rehearse-LAB` when done)")
    else:
        next_step("kubecourse class up --roster roster.csv   (this host is ready)")


def _render(report, *, show_detail: bool) -> None:
    passed = sum(r.passed for r in report.labs)
    table = Table(
        title=f"rehearsal: {passed} of {len(report.labs)} labs passed in {report.seconds:.0f} s",
        title_justify="left",
    )
    table.add_column("lab")
    table.add_column("result")
    table.add_column("score", justify="right")
    for phase in PHASES:
        table.add_column(phase, justify="right")
    for r in report.labs:
        word = "[green]PASS[/green]" if r.passed else "[red]FAIL[/red]"
        score = f"{r.score:g}/{r.max_score:g}" if r.score is not None else "-"
        cells = [f"{s:.1f}" if (s := r.phase_seconds(p)) is not None else "-" for p in PHASES]
        table.add_row(r.lab, word, score, *cells)
    out.print(table)
    for r in report.labs:
        if not r.passed:
            out.print(f"{r.lab}: {r.error}", markup=False, highlight=False)
            if show_detail and r.detail:
                out.print(r.detail, markup=False, highlight=False)
        if r.kept:
            out.print(f"{r.lab}: sandbox {r.sandbox} kept", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    app.command("rehearse")(rehearse)


__all__ = ["register", "rehearse"]

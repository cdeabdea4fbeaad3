"""``kubecourse results``: the "Salmon results" summary of the newest argo-salmon workflow,
from :func:`kubecourse.results.salmon_summary`, as a table, JSON or a figure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from coursecore.errors import EXIT_FAILED, UsageError
from kubecourse.cli._output import next_step, out, print_json
from kubecourse.results import salmon_summary


def results(
    name: str = typer.Option(None, "--name", "-n", help="Read the sandbox NAME made by `kubecourse up --name NAME`."),
    kubeconfig: Path = typer.Option(None, "--kubeconfig", help="Read the cluster this kubeconfig file points at."),
    snapshot: Path = typer.Option(None, "--snapshot", "-s", help="Read this snapshot file instead of a cluster."),
    json_output: bool = typer.Option(False, "--json", help="Print the summary as one JSON object."),
    figure: Path = typer.Option(None, "--figure", help="Also draw the summary as a PNG (or SVG, PDF) figure here."),
) -> None:
    """Summarize your Salmon study: best score and seed, mean and spread, how close to the answer.

    Reads the newest `salmon-*` Workflow in namespace `salmon`: each solver run's `seed` input
    and `score` and `generation` outputs, and the collect step's `best-score` and `best-seed`.
    The best score is recomputed from the runs and printed next to the instance's best known
    score and a strong baseline's (LKH-3) score on it, both recorded with the lab's data.

    Exit codes: 0 summary printed, 1 no salmon workflow or no run scored yet, 2 bad input,
    3 the cluster cannot be reached.
    """
    summary = salmon_summary(name=name, kubeconfig=kubeconfig, snapshot=snapshot)
    if summary is None:
        if json_output:
            print_json({"workflow": None, "runs": []})
        out.print("no salmon-* Workflow in namespace salmon yet")
        next_step("kubectl create -f workflow.yaml   (then: kubectl get wf -n salmon -w)")
        raise typer.Exit(EXIT_FAILED)
    if figure is not None:
        fig = summary.figure()
        try:
            fig.savefig(figure, dpi=120)
        except (OSError, ValueError) as err:
            raise UsageError(f"failed to write figure {figure}: {err}") from None
    if json_output:
        print_json(summary.to_json())
    else:
        _render(summary)
        if figure is not None:
            out.print(f"figure written to {escape(str(figure))}")
    if summary.best_score is None:
        raise typer.Exit(EXIT_FAILED)


def _render(summary: Any) -> None:
    table = Table(title=f"Salmon results: {summary.verdict()}", title_justify="left")
    table.add_column("quantity")
    table.add_column("value")
    for key, value in summary.rows():
        table.add_row(key, escape(value))
    out.print(table)
    runs = Table(title="runs", title_justify="left")
    for column in ("seed", "score", "generation", "seconds", "phase"):
        runs.add_column(column, justify="right" if column != "phase" else "left")
    for r in sorted(
        summary.runs, key=lambda r: (r.score is None, -(r.score or 0), int(r.seed) if r.seed.isdigit() else 0, r.seed)
    ):
        mark = " *" if r.seed in summary.best_seeds else ""
        runs.add_row(
            escape(r.seed) + mark,
            "-" if r.score is None else str(r.score),
            "-" if r.generation is None else str(r.generation),
            "-" if r.seconds is None else f"{r.seconds:.0f}",
            r.phase,
        )
    out.print(runs)


def register(app: typer.Typer) -> None:
    app.command("results")(results)


__all__ = ["register", "results"]

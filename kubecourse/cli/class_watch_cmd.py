"""``kubecourse class watch LAB``: the room at a glance, refreshed from the cluster, for projecting."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import typer
from rich.console import Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from kubecourse.cli._output import out, print_json

MARKS = {"passed": ("✓", "green"), "failed": ("✗", "red"), "error": ("!", "yellow")}


def _ago(changed_at: float | None, now: float) -> str:
    if changed_at is None:
        return "—"
    seconds = max(0, int(now - changed_at))
    return f"{seconds}s ago" if seconds < 90 else f"{seconds // 60}m ago"


def render(view) -> Group:
    """The counts line and one row per learner (learners in roster order)."""
    rows = view.learners
    working = sum(1 for r in rows if r.presence == "working")
    waiting = sum(1 for r in rows if r.presence == "not-started")
    lost = sum(1 for r in rows if r.presence == "unreachable")
    head = Text(
        f"{view.lab}: {len(rows)} learners, {working} working, {waiting} not started, {lost} unreachable "
        f"(read in {view.seconds:.1f} s at {time.strftime('%H:%M:%S', time.localtime(view.at))})",
        style="bold",
    )
    counts = Text("\n".join(f"{view.passing(cid)}/{len(rows)}  {title}" for cid, title in view.checks))
    table = Table(show_lines=False, pad_edge=False)
    table.add_column("learner")
    for number, _ in enumerate(view.checks, 1):
        table.add_column(str(number), justify="center")
    for column in ("score", "changed", "note"):
        table.add_column(column, justify="right" if column == "score" else "left")
    for row in rows:
        marks = [
            Text(*MARKS[row.checks[cid]]) if cid in row.checks else Text("·", style="dim") for cid, _ in view.checks
        ]
        score = f"{row.score:g}/{row.max_score:g}" if row.presence == "working" else "—"
        table.add_row(row.name, *marks, score, _ago(row.changed_at, view.at), Text(row.note, style="dim"))
    legend = Text("columns: " + "  ".join(f"{n}={cid}" for n, (cid, _) in enumerate(view.checks, 1)), style="dim")
    return Group(head, counts, table, legend)


def watch(
    lab: str = typer.Argument(..., help="The lab whose checks to show, e.g. first-pod."),
    roster: Path = typer.Option(
        None, "--roster", help="CSV with a `name` column (default: every sandbox of this kubecourse home)."
    ),
    interval: float = typer.Option(5.0, "--interval", min=1.0, help="Seconds between refreshes."),
    once: bool = typer.Option(False, "--once", help="Read the room once, print it and exit."),
    json_output: bool = typer.Option(
        False, "--json", help="JSON: one object with --once, else one object per line per round."
    ),
) -> None:
    """Show every learner's checks for LAB, refreshed every few seconds: the view to project.

    One row per learner: each check passed (✓), failed (✗) or broken (!), the score, and how
    long ago it last changed; above it, how many learners pass each check ("14/20  The Pod
    hello exists"). Learners come from `--roster` or from the sandboxes `class up` made here,
    kind clusters and shared-cluster namespaces alike. Everything is read with the instructor's
    credentials, and nothing is written: learners who have not started show as such. Ctrl-C
    ends it.
    """
    from kubecourse.class_watch import Room, seats
    from sandbox.roster import read_roster

    names = [learner.name for learner in read_roster(roster)] if roster is not None else None
    room = Room(lab, seats(names))
    if once:
        view = room.round()
        if json_output:
            print_json(view.to_json())
        else:
            out.print(render(view))
        return
    if json_output:
        while True:
            sys.stdout.write(json.dumps(room.round().to_json()) + "\n")
            sys.stdout.flush()
            time.sleep(interval)
    with Live(render(room.round()), console=out, auto_refresh=False, screen=False) as live:
        while True:
            time.sleep(interval)
            live.update(render(room.round()), refresh=True)


def register(class_app: typer.Typer) -> None:
    class_app.command("watch")(watch)


__all__ = ["register", "render", "watch"]

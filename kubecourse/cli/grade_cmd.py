"""``kubecourse grade ASSIGNMENT``: autograde a class's submissions in parallel with nbgrader."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from coursecore.errors import EXIT_FAILED
from kubecourse.cli._output import err, next_step, out, print_json


def grade(
    assignment: str = typer.Argument(..., help="The assignment (lab id), e.g. first-pod."),
    course: Path = typer.Option(Path("course"), "--course", help="The nbgrader course folder."),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0, help="Submissions graded at once (0: one per CPU core)."),
    feedback: bool = typer.Option(True, "--feedback/--no-feedback", help="Render feedback HTML."),
    json_output: bool = typer.Option(False, "--json", help="Print the class's results as JSON."),
    live: bool = typer.Option(
        False,
        "--live",
        help="Cap scores by each student's live namespace (namespace "
        "backend: student id = sandbox name) instead of their snapshot.yaml.",
    ),
) -> None:
    """Autograde every submission in `COURSE/submitted/<student>/ASSIGNMENT/`, in parallel.

    Each submission runs in nbgrader's grading kernel (locked test cells restored, 30 s per
    cell) and is recorded in `COURSE/gradebook.db` in one transaction: a failure leaves no
    partial rows. Every check is also re-run here on the submitted `snapshot.yaml`, outside the
    learner's kernel, and the gradebook keeps the lower of the two scores; cells where a notebook
    claimed more are listed as tampering. Then feedback goes to `COURSE/feedback/`, and grades
    to `COURSE/grades/ASSIGNMENT.csv` with a histogram `ASSIGNMENT-distribution.png`.

    With `--live`, the trusted re-check reads each student's namespace on the shared cluster
    with the instructor's credentials (`kubecourse class up --backend namespace`): a live
    namespace cannot be forged the way a submitted snapshot can.

    Exit codes: 0 all graded, 1 some submission could not be graded or showed tampering,
    2 bad input (not a course, unknown assignment, no submissions), 3 a tool is missing.
    """
    from autograder.grading import grade_assignment

    bar = _ProgressBar(label=f"grading {assignment}", enabled=not json_output or err.is_terminal)
    try:
        live_states = None
        if live:
            from kubecourse.cli._namespace import live_states_for

            live_states = live_states_for(assignment)
        result = grade_assignment(
            course,
            assignment,
            jobs=jobs or os.cpu_count(),
            progress=bar.update,
            with_feedback=feedback,
            live=live_states,
        )
    finally:
        bar.stop()
    if json_output:
        print_json(result.to_json())
    else:
        _render(result)
    if result.needs_attention:
        raise typer.Exit(EXIT_FAILED)


class _ProgressBar:
    """A rich progress bar on stderr, started once the grading workers exist (see grading._context)."""

    def __init__(self, *, label: str, enabled: bool) -> None:
        self.label, self.enabled = label, enabled
        self.progress: Progress | None = None
        self.tasks: dict[str, int] = {}

    def update(self, phase: str, student: str, total: int) -> None:
        if not self.enabled:
            return
        if self.progress is None:
            self.progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err,
                transient=False,
            )
            self.progress.start()
            self.tasks["autograde"] = self.progress.add_task(f"{self.label}: autograde", total=total)
        if phase == "started":
            return
        key = "feedback" if phase == "feedback" else "autograde"
        if key not in self.tasks:
            self.tasks[key] = self.progress.add_task(f"{self.label}: feedback", total=total)
        self.progress.advance(self.tasks[key])
        if phase == "failed":
            self.progress.console.print(f"[yellow]could not grade {student}[/yellow]")

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def _render(result) -> None:
    table = Table(
        title=f"{result.assignment}: {len(result.students)} submissions in {result.seconds:.1f} s ({result.jobs} jobs)",
        title_justify="left",
    )
    for column in ("student", "score", "note"):
        table.add_column(column, justify="right" if column == "score" else "left")
    for s in result.students:
        if not s.graded:
            note = f"[red]not graded: {s.error}[/red]"
        elif s.tampered:
            note = "[red]notebook claimed more than earned: " + ", ".join(c.check for c in s.tampered) + "[/red]"
        else:
            note = s.snapshot_note
        table.add_row(s.student, f"{s.score:g}/{s.max_score:g}" if s.graded else "-", note)
    out.print(table)
    for row in result.gradebook_tampering:
        err.print(f"[red]gradebook changed during grading (restored):[/red] {row}")
    for line in result.feedback_failures:
        err.print(f"[yellow]feedback failed:[/yellow] {line}")
    if result.csv:
        err.print(f"grades: {result.csv}")
    if result.figure:
        err.print(f"distribution: {result.figure}")
    next_step(f"open {result.course}/feedback/<student>/{result.assignment}/ or `nbgrader formgrader` to review")


def register(app: typer.Typer) -> None:
    app.command("grade")(grade)


__all__ = ["grade", "register"]

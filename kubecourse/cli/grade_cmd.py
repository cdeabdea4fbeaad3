"""``kubecourse grade ASSIGNMENT``: score a class's submissions with the lab's checks, no kernels."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from coursecore.errors import EXIT_FAILED
from kubecourse.cli._output import err, next_step, out, print_json


def grade(
    assignment: str = typer.Argument(..., help="The assignment (lab id), e.g. first-pod."),
    course: Path = typer.Option(Path("course"), "--course", help="The nbgrader course folder."),
    jobs: int = typer.Option(
        4,
        "--jobs",
        "-j",
        min=1,
        help="Submissions graded at once (helps most with --live, which waits on the cluster).",
    ),
    feedback: bool = typer.Option(True, "--feedback/--no-feedback", help="Write each learner's feedback page."),
    json_output: bool = typer.Option(False, "--json", help="Print the class's results as JSON."),
    live: bool = typer.Option(
        False,
        "--live",
        help="Grade each student's live namespace (namespace backend: student id = sandbox name) "
        "instead of their snapshot.yaml.",
    ),
    lock_timeout: float = typer.Option(
        30.0, "--lock-timeout", min=0.0, help="Seconds to wait for another program to release gradebook.db."
    ),
) -> None:
    """Grade every submission in `COURSE/submitted/<student>/ASSIGNMENT/` with the lab's checks.

    No learner code runs: no notebook is executed and no kernel starts. The lab's checks run in
    this process on each submitted `snapshot.yaml` (or, with `--live`, on the student's namespace
    read with your credentials), and their results become the test cells' scores and outputs.
    All scores go into `COURSE/gradebook.db` in one transaction, as nbgrader records them (one
    grade cell per check, partial credit, late penalties; manual scores you entered are kept).
    The autograded notebooks go to `COURSE/autograded/`, feedback pages to `COURSE/feedback/`,
    grades (after late penalties) to `COURSE/grades/ASSIGNMENT.csv` with a histogram
    `ASSIGNMENT-distribution.png`.

    A submission holding a link, device, pipe or socket, one over the size limits, or one whose
    notebook is not a notebook is invalid: it scores 0 and the rest of the class is graded. A
    student id nbgrader would read as a file pattern (`*?[]`) is refused.

    Exit codes: 0 all graded, 1 some submission invalid or refused (see the table), 2 bad input
    (not a course, unknown assignment, no submissions), 3 gradebook locked past --lock-timeout
    or a tool missing.
    """
    from autograder.grading import grade_assignment

    bar = _ProgressBar(label=f"grading {assignment}", enabled=not json_output or err.is_terminal)
    try:
        live_states = None
        if live:
            from kubecourse.grading_target import live_states_for

            live_states = live_states_for(assignment)
        result = grade_assignment(
            course,
            assignment,
            jobs=jobs,
            progress=bar.update,
            with_feedback=feedback,
            live=live_states,
            lock_timeout=lock_timeout,
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
    """A rich progress bar on stderr."""

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
            self.tasks["grade"] = self.progress.add_task(f"{self.label}: checks", total=total)
        if phase == "started":
            return
        key = "feedback" if phase == "feedback" else "grade"
        if key not in self.tasks:
            self.tasks[key] = self.progress.add_task(f"{self.label}: feedback", total=total)
        self.progress.advance(self.tasks[key])

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def _render(result) -> None:
    table = Table(
        title=f"{result.assignment}: {len(result.students)} submissions in {result.seconds:.1f} s "
        f"(graded from {result.source} state)",
        title_justify="left",
    )
    for column in ("student", "score", "note"):
        table.add_column(column, justify="right" if column == "score" else "left")
    for s in result.students:
        if not s.graded:
            note = f"[red]{escape(s.problem)}[/red]"
        else:
            parts = [escape(s.snapshot_note)] if s.snapshot_note else []
            if s.late_penalty:
                parts.append(f"late: -{s.late_penalty:g}")
            if s.needs_manual_grade:
                parts.append("needs manual grading")
            note = "; ".join(parts)
        score = f"{s.final_score:g}/{s.max_score:g}" if s.status != "refused" else "-"
        table.add_row(escape(s.student), score, note)
    out.print(table)
    for line in result.feedback_failures:
        err.print(f"[yellow]feedback failed:[/yellow] {escape(line)}")
    if result.csv:
        err.print(f"grades: {escape(str(result.csv))}")
    if result.figure:
        err.print(f"distribution: {escape(str(result.figure))}")
    next_step(f"open {result.course}/feedback/<student>/{result.assignment}/ or `nbgrader formgrader` to review")


def register(app: typer.Typer) -> None:
    app.command("grade")(grade)


__all__ = ["grade", "register"]

"""``kubecourse course build``: the nbgrader course folders, generated from the labs' notebooks."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from kubecourse.cli._output import err, next_step, out, print_json

course_app = typer.Typer(
    help="The nbgrader course made from the labs (instructors and authors).",
    no_args_is_help=True,
)


@course_app.command("build")
def build(
    out_dir: Path = typer.Option(Path("course"), "--out", help="Course folder to create or update."),
    lab: list[str] = typer.Option([], "--lab", help="Build only this lab (repeatable)."),
    validate: bool = typer.Option(
        True,
        "--validate/--no-validate",
        help="Run nbgrader's validator on each release notebook with the lab's solution and "
        "starter snapshots (about 2 s per lab).",
    ),
    json_output: bool = typer.Option(False, "--json", help="Print what was built as JSON."),
) -> None:
    """Build the nbgrader course from every lab that has a notebook (`labs/<id>/<id>.md`).

    Writes `OUT/nbgrader_config.py`, `OUT/source/<lab>/<lab>.ipynb` (with the lab's `starter/`
    files), runs `nbgrader generate_assignment` into `OUT/release/<lab>/`, and checks the
    release notebook: one locked test cell per check with the check's points, the reference
    solution's snapshot earns full marks, the blank starter's earns none. `OUT/labs.md` lists
    the assignments in teaching order. A lab that breaks a rule stops the build with an error
    naming the lab (exit 2).

    Rebuilding is safe until submissions exist; after that nbgrader refuses notebooks whose
    test cells changed, so build a changed lab into a fresh folder.
    """
    from autograder.course import build_course

    err.print(f"building the nbgrader course in {out_dir} ...")
    result = build_course(out_dir, lab_ids=lab or None, validate=validate)
    if json_output:
        print_json(result.to_json())
        return
    table = Table(title=f"course {result.course}", title_justify="left")
    for column in ("assignment", "test cells", "points", "validation"):
        table.add_column(column)
    for a in result.assignments:
        table.add_row(a.lab, str(a.checks), f"{a.points:g}", a.validation)
    out.print(table)
    next_step(f"hand out {result.course}/release/<lab>/; grade with `kubecourse grade <lab> --course {out_dir}`")


def register(app: typer.Typer) -> None:
    app.add_typer(course_app, name="course")


__all__ = ["build", "register"]

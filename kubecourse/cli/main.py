"""The ``kubecourse`` application: global options, command registration and error handling."""

from __future__ import annotations

import sys
import traceback

import typer

from coursecore.errors import EXIT_INTERRUPTED, KubecourseError
from kubecourse import __version__
from kubecourse.cli import (
    check_cmds,
    class_cmds,
    course_cmd,
    doctor_cmd,
    grade_cmd,
    labs_cmd,
    lint_cmd,
    rehearse_cmd,
    results_cmd,
    sandbox_cmds,
)
from kubecourse.cli._output import err

app = typer.Typer(
    name="kubecourse",
    help=(
        "Kubernetes as a research platform, as a course: read the book, run labs on a "
        "disposable cluster of your own, and check your work.\n\n"
        "Start with `kubecourse doctor` (is this machine ready for labs?) and "
        "`kubecourse labs` (what can I do?)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)

# Each module adds its commands to the app; one command group per module.
COMMAND_MODULES = (
    labs_cmd,
    doctor_cmd,
    check_cmds,
    sandbox_cmds,
    class_cmds,
    course_cmd,
    grade_cmd,
    lint_cmd,
    results_cmd,
    rehearse_cmd,
)

_state = {"verbose": False}


def verbose() -> bool:
    """Whether ``-v`` was given (commands show failure details then)."""
    return _state["verbose"]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kubecourse {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Show full error details (commands, stderr, tracebacks)."
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    _state["verbose"] = verbose


for _module in COMMAND_MODULES:
    _module.register(app)


def run(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app and turn project errors into exit codes."""
    try:
        code = app(args=argv, standalone_mode=False)
    except KubecourseError as error:
        err.print(f"[bold red]error:[/bold red] {error.message}", markup=True, highlight=False)
        if error.hint:
            err.print(f"  {error.hint}")
        if _state["verbose"]:
            if error.detail:
                err.print(error.detail, markup=False)
            err.print("".join(traceback.format_exception(error)), markup=False)
        elif error.detail:
            err.print("  (run with -v for details)")
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except typer.Abort:
        err.print("aborted")
        sys.exit(EXIT_INTERRUPTED)
    except Exception as usage:
        # Typer vendors click; in non-standalone mode its usage errors (ClickException: bad
        # option, unknown command) arrive here and know how to show themselves.
        if callable(getattr(usage, "show", None)) and isinstance(getattr(usage, "exit_code", None), int):
            usage.show()
            sys.exit(usage.exit_code)
        raise
    if code == EXIT_INTERRUPTED:
        # Typer turns Ctrl-C inside a command into a bare 130 without a word; say what happened
        # (the command's own clean-up has already run).
        err.print("interrupted")
    sys.exit(code if isinstance(code, int) else 0)


__all__ = ["app", "run", "verbose"]

"""The ``kubecourse`` application: global options, command registration and error handling."""

from __future__ import annotations

import importlib
import sys
import traceback
from typing import NamedTuple

import typer
from typer.core import TyperCommand, TyperGroup

from coursecore.errors import EXIT_INTERRUPTED, KubecourseError
from kubecourse.cli import _output, _params
from kubecourse.cli._output import err

_params.install()  # absent options and plain strings, numbers and paths without importing pydantic


class Entry(NamedTuple):
    """A command (or command group) and the module under ``kubecourse.cli`` that registers it."""

    module: str
    summary: str
    """The first paragraph of the command's help, as `kubecourse --help` lists it; a test checks
    that it matches the command's own help."""


# Every command, in the order `kubecourse --help` lists them (groups last, as typer lists them).
# A command's module is imported when that command runs or shows its own help, not to list it:
# importing them all (the sandbox, autograder and class modules behind them) was most of the
# CPU time of `kubecourse --help`, `labs` and `ls`.
COMMANDS: dict[str, Entry] = {
    "labs": Entry(
        "labs_cmd",
        "List the labs in the order they are taught: id, title, learner tier, minutes, where they run, "
        "and what the cluster needs.",
    ),
    "doctor": Entry(
        "doctor_cmd", "Check what labs need: kubectl, kind, a running Docker (or Podman), memory, disk, inotify."
    ),
    "check": Entry("check_cmds", "Run a lab's checks and say what passed, what failed, why, and what to try."),
    "snapshot": Entry(
        "check_cmds", "Save what a lab's checks read from the cluster into a file that grades the same offline."
    ),
    "up": Entry("sandbox_cmds", "Create your sandbox: a kind cluster `kubecourse-NAME` with its own kubeconfig."),
    "ls": Entry("sandbox_cmds", "List sandboxes: name, cluster, status, age, TTL, lab."),
    "down": Entry("sandbox_cmds", "Delete a sandbox: its kind cluster and its state (kubeconfig included)."),
    "start": Entry("sandbox_cmds", "Prepare a lab: create your sandbox if needed, then install what the lab asks for."),
    "prefetch": Entry("sandbox_cmds", "Download and cache what labs need, so that they start offline later."),
    "grade": Entry(
        "grade_cmd", "Grade every submission in `COURSE/submitted/<student>/ASSIGNMENT/` with the lab's checks."
    ),
    "lint": Entry(
        "lint_cmd", "Check manifests before you apply them, without a cluster; every finding names its line."
    ),
    "results": Entry(
        "results_cmd", "Summarize your Salmon study: best score and seed, mean and spread, how close to the answer."
    ),
    "rehearse": Entry("rehearse_cmd", "The dress rehearsal: run labs end to end on this host, as a learner would."),
    "class": Entry("class_cmds", "Prepare a room: one sandbox per learner of a roster (CSV with a `name` column)."),
    "course": Entry("course_cmd", "The nbgrader course made from the labs (instructors and authors)."),
}

_OPTIONS = {"rich_markup_mode": "markdown", "pretty_exceptions_enable": False, "add_completion": False}


class _Summary(TyperCommand):
    """Stands for a command whose module is not imported yet: its name and summary only."""


class LazyCommands(TyperGroup):
    """The top-level group: a command's module is imported on first use of that command.

    Listing the commands for ``--help`` (and suggesting one for a typo) uses :data:`COMMANDS`'
    summaries; anything else that asks for a command (running it, its own ``--help``) gets the
    real one.
    """

    _listing = False

    def __init__(self, *args, commands=None, **kwargs) -> None:
        given = dict(commands or {})
        markup = kwargs.get("rich_markup_mode")
        listed = {name: _Summary(name, help=entry.summary, rich_markup_mode=markup) for name, entry in COMMANDS.items()}
        super().__init__(*args, commands={**listed, **given}, **kwargs)

    def get_command(self, ctx, cmd_name: str):
        command = super().get_command(ctx, cmd_name)
        if isinstance(command, _Summary) and not self._listing:
            self._load(COMMANDS[cmd_name].module)
            command = super().get_command(ctx, cmd_name)
        return command

    def format_help(self, ctx, formatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def _load(self, module_name: str) -> None:
        module = importlib.import_module(f"kubecourse.cli.{module_name}")
        commands = typer.Typer(**_OPTIONS)
        module.register(commands)
        for name, command in typer.main.get_group(commands).commands.items():
            if isinstance(self.commands.get(name, _Summary), _Summary):
                self.commands[name] = command


app = typer.Typer(
    name="kubecourse",
    cls=LazyCommands,
    help=(
        "Kubernetes as a research platform, as a course: read the book, run labs on a "
        "disposable cluster of your own, and check your work.\n\n"
        "Start with `kubecourse doctor` (is this machine ready for labs?) and "
        "`kubecourse labs` (what can I do?)."
    ),
    no_args_is_help=True,
    **_OPTIONS,
)


def _version(value: bool) -> None:
    if value:
        from kubecourse import __version__

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
    _output.set_verbose(verbose)


def run(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app and turn project errors into exit codes."""
    try:
        code = app(args=argv, standalone_mode=False)
    except KubecourseError as error:
        err.print(f"[bold red]error:[/bold red] {error.message}", markup=True, highlight=False)
        if error.hint:
            err.print(f"  {error.hint}")
        if _output.verbose():
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


__all__ = ["COMMANDS", "app", "run"]

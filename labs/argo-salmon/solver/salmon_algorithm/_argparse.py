"""The command lines' plumbing: an argparse parser whose usage errors are one ``error: ...`` line on
stderr and exit status 2, and an exit that stays quiet when the reader of the output went away."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import NoReturn

from salmon_algorithm.errors import EXIT_USAGE


class Parser(argparse.ArgumentParser):
    """argparse prints the whole usage before its error; the project's rule is one line."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"error: {message} (see {self.prog} --help)\n")
        sys.exit(EXIT_USAGE)


def formatter(prog: str) -> argparse.HelpFormatter:
    """Help text (examples kept as written) at a width that does not depend on the terminal."""
    return argparse.RawDescriptionHelpFormatter(prog, width=100, max_help_position=32)


EXIT_BROKEN_PIPE = 141
"""What a shell reports for a program its reader left (128 + SIGPIPE), as ``| head`` does."""


def exit_with(main: Callable[[], int]) -> NoReturn:
    """Exit with ``main()``'s status; a closed output (``... | head -c 0``) ends it without a traceback.

    Python ignores SIGPIPE, so a write to a pipe nobody reads raises BrokenPipeError; stdout is then
    pointed at the null device, as Python's signal documentation advises, so that the interpreter's
    own flush at exit does not raise again.
    """
    try:
        status = main()
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = EXIT_BROKEN_PIPE
    sys.exit(status)


__all__ = ["EXIT_BROKEN_PIPE", "Parser", "exit_with", "formatter"]

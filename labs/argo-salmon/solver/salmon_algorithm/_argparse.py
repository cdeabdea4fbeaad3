"""An argparse parser whose usage errors are one ``error: ...`` line on stderr and exit status 2."""

from __future__ import annotations

import argparse
import sys
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


__all__ = ["Parser", "formatter"]

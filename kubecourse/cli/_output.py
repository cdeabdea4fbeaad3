"""Console helpers shared by the command modules: results on stdout, messages on stderr."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console

# Results (tables, JSON) go to stdout; progress, errors and next steps go to stderr, so that
# `kubecourse ... --json | jq` always sees clean JSON.
# soft_wrap: rich wraps text at 80 columns when the stream is not a terminal, which split
# one-line messages (`error: ...`, `FILE: no problems found`) with long paths over several
# lines for scripts and tests. Tables still fit the width either way.
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    """Write ``data`` as one JSON document on stdout, bypassing rich's markup."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")
    sys.stdout.flush()


_flags = {"verbose": False}


def set_verbose(on: bool) -> None:
    """Record the top-level ``-v`` (its callback runs before any command)."""
    _flags["verbose"] = on


def verbose() -> bool:
    """Whether ``-v`` was given (commands and error reports show failure details then)."""
    return _flags["verbose"]


def progress(text: str) -> None:
    """Say the step a long command is at (stderr, one dimmed line)."""
    err.print(f"[dim]•[/dim] {text}", highlight=False)


def next_step(text: str) -> None:
    """Tell the user what to run next (stderr, so stdout stays machine-readable)."""
    err.print(f"[dim]next:[/dim] {text}")


__all__ = ["err", "next_step", "out", "print_json", "progress", "set_verbose", "verbose"]

"""Running a ``kubecourse`` command in a fresh interpreter, to see what it left imported."""

from __future__ import annotations

import subprocess
import sys

_PROBE = (
    "import sys\n"
    "from kubecourse.cli.main import run\n"
    "try:\n"
    "    run(sys.argv[1:])\n"
    "except SystemExit:\n"
    "    pass\n"
    "print({expression})\n"
)


def after_command(args: list[str], expression: str) -> str:
    """The value of ``expression`` (Python, ``sys`` imported) once ``kubecourse ARGS`` has run in
    a new interpreter, as its last line of output.

    Raises:
        AssertionError: the interpreter printed nothing (the command's stderr says why).
    """
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(expression=expression), *args], capture_output=True, text=True, timeout=120
    )
    lines = done.stdout.strip().splitlines()
    assert lines, (args, done.stderr)
    return lines[-1]

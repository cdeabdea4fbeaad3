"""What the commands a learner types import, and how long that takes against Python's own start.

Each command runs for real in its own interpreter under ``python -X importtime``, and so does
``python -c pass``, in the same test. Three checks:

- what it must not import: the packages that made start-up slow before (pydantic through
  typer's conversion, the kubernetes client, the other commands' packages);
- how many modules it imports, as a multiple of ``python -c pass``'s (exact, no noise);
- its import time as a multiple of ``python -c pass``'s, each module at its fastest of a few
  runs (a busy machine only ever adds time, so the minimum is the steady figure).

The limits sit well above today's ratios (in the comments): a regression that matters (the
kubernetes client alone is 30 times Python's start-up) fails, noise does not. The budgets
themselves (issue 16) are for wall time on an idle machine; ``scripts/bench_cli.py`` measures
those.
"""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from cli_tools import after_command

from kubecourse.cli import main

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "labs/first-pod/tests/snapshots/solution.yaml"
MANIFEST = ROOT / "labs/first-pod/solution/pod.yaml"
WORKFLOW = ROOT / "labs/argo-salmon/solution/workflow-dag.yaml"
RUNS = 4

NEVER = ("pydantic", "kubernetes", "jsonschema", "numpy", "matplotlib", "nbgrader", "hera")
"""Packages no command below needs: each cost tens to thousands of milliseconds to import."""

SANDBOX_ONLY = ("autograder", "manifestlint", "sandbox.prefetch", "sandbox.labprep", "sandbox.namespace.room")
"""What ``ls`` and ``up`` must not import: the grader, the linter, and what ``start``, ``prefetch``
and the shared-cluster commands need (downloads, images, data, the instructor's session)."""

# command -> (arguments, packages it must not import besides NEVER, limits on its modules and its
# import time, each as a multiple of python -c pass's; today's ratios are in the comments)
COMMANDS = {
    "help": (["--help"], ("sandbox", "autograder", "manifestlint", "yaml", "coursecore.labs"), 6.5, 14),  # 5.1, 7.7
    "labs": (["labs"], ("sandbox", "autograder", "manifestlint"), 5, 14),  # 3.6, 6.5
    "ls": (["ls"], SANDBOX_ONLY, 7, 16),  # 5, 5.7
    "check": (["check", "first-pod", "--snapshot", str(SNAPSHOT)], ("sandbox", "manifestlint"), 5, 16),  # 3.9, 7.3
    "lint": (["lint", "first-pod", str(MANIFEST)], ("sandbox", "autograder"), 5, 16),  # 4, 7
    "lint-workflow": (["lint", "argo-salmon", str(WORKFLOW)], ("sandbox", "autograder"), 5, 16),  # 4, 7
    # reusing a ready sandbox: one light request to its API server, no client, no kind call
    "up": (["up", "--name", "bench"], SANDBOX_ONLY, 7, 16),  # 5.4, 6.3
}
READY_SANDBOX = ("up",)
"""Commands that run against a ready sandbox ``bench`` (made first, with the fake kind)."""


def _env() -> dict[str, str]:
    # Bytecode kept, as on a learner's machine: CI turns it off, and each run would then measure
    # the compiler on the project's own modules (5 times their import time).
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"COLUMNS": "100"}


def import_times(args: list[str]) -> dict[str, int]:
    """module -> its own import time in microseconds, the fastest of RUNS runs of ``args``."""
    fastest: dict[str, int] = {}
    for _ in range(RUNS + 1):  # the first run writes the bytecode and warms the file cache
        done = subprocess.run(
            [sys.executable, "-X", "importtime", *args], capture_output=True, text=True, timeout=300, env=_env()
        )
        seen = {}
        for line in done.stderr.splitlines():
            found = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
            if found:
                seen[found[2]] = int(found[1])
        assert seen and done.returncode == 0, done.stderr[-2000:]
        for module, micros in seen.items():
            fastest[module] = min(fastest.get(module, micros), micros)
    return fastest


@pytest.fixture(scope="module")
def python_start() -> dict[str, int]:
    return import_times(["-c", "pass"])


@pytest.mark.parametrize("command", list(COMMANDS))
def test_command_imports_only_what_it_needs(command, python_start, fake_kind):
    args, forbidden, module_limit, time_limit = COMMANDS[command]
    if command in READY_SANDBOX:
        from sandbox import lifecycle

        assert lifecycle.up("bench").created
    modules = import_times(["-m", "kubecourse", *args])
    what = f"kubecourse {' '.join(args)}"
    unwanted = sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in (*NEVER, *forbidden)))
    assert not unwanted, f"{what} imports {unwanted[:12]}"
    count = len(modules) / len(python_start)
    assert count < module_limit, f"{what} imports {len(modules)} modules, {count:.1f}x python -c pass's"
    ratio = sum(modules.values()) / sum(python_start.values())
    slowest = sorted(modules.items(), key=lambda item: -item[1])[:8]
    assert ratio < time_limit, (
        f"{what}: imports take {ratio:.1f}x python -c pass's, over the limit of {time_limit}x; the slowest: "
        + ", ".join(f"{m} {t / 1000:.1f} ms" for m, t in slowest)
    )


def test_help_lists_every_command_with_its_own_summary():
    """The registry's summaries are what each command's own help starts with, and every command
    that a module registers is in the registry (and nothing else is)."""
    everything = typer.Typer()
    for module in {entry.module for entry in main.COMMANDS.values()}:
        __import__(f"kubecourse.cli.{module}", fromlist=["register"]).register(everything)
    group = typer.main.get_group(everything)
    assert list(group.commands) and set(group.commands) == set(main.COMMANDS)
    for name, command in group.commands.items():
        first = inspect.cleandoc(command.help or "").split("\n\n")[0].replace("\n", " ").strip()
        assert main.COMMANDS[name].summary == first, f"{name}: its summary in kubecourse/cli/main.py COMMANDS differs"
        module = command.callback.__module__ if command.callback else None
        if isinstance(command, typer.core.TyperGroup):
            module = next(iter(command.commands.values())).callback.__module__
        assert module and module.startswith("kubecourse.cli."), name


def test_a_command_loads_its_module_only_when_it_runs():
    def loaded(*args: str) -> str:
        return after_command(
            list(args),
            "sorted(m for m in sys.modules if m.startswith('kubecourse.cli.') and m.endswith(('_cmd', '_cmds')))",
        )

    assert loaded("--help") == "[]"
    assert loaded("labs", "--json") == "['kubecourse.cli.labs_cmd']"
    assert loaded("class", "--help") == "['kubecourse.cli.class_cmds', 'kubecourse.cli.class_watch_cmd']"
    assert loaded("nosuchcommand") == "[]"

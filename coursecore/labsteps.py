"""A lab's learner steps, read from its notebook: the files to write and the commands to run.

A lab notebook (``labs/<id>/<id>.md``, jupytext MyST) gives learners two kinds of cells that do
something to their sandbox, and nothing else may:

- a **file cell**: ``%%writefile PATH`` and the file's text as the learner gets it (the starter,
  with its ``TODO`` marks). Its reference solution is ``solution/PATH`` (a leading ``starter/`` is
  dropped), or the file named by the cell's metadata ``kubecourse: {solution: FILE}``; a file
  with neither is used as given. When ``starter/PATH`` exists, the cell must hold exactly its
  text, so a terminal user who copies the starter gets what a notebook user sees.
- a **command cell**: only lines of the form ``!PROGRAM ARGS`` (and ``#`` comments), where
  PROGRAM is ``kubectl`` or ``kubecourse`` and the one variable is ``$NS``, the learner's
  namespace (``use_sandbox`` sets it). No pipes, redirections, globs or other variables: each
  line is one argument list, run the same way in a notebook, in a terminal (after
  ``export NS=...``) and by ``kubecourse rehearse``. On the reference solution's path every
  command exits 0, except in a cell tagged ``may-fail`` (commands that read a state broken on
  purpose, where a failure is what the learner should see).

:func:`lab_steps` returns them in notebook order, each file with its starter and solution text,
so that a rehearsal can follow the notebook exactly with the reference solution, in a folder that
holds the lab's ``starter/`` (what the released assignment holds). :func:`problems` lists every
breach of the rules above; the course build refuses a notebook that has one.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from coursecore.errors import UsageError
from coursecore.labs import Lab
from coursecore.safeyaml import read_text

PROGRAMS = ("kubectl", "kubecourse")
"""The programs a command cell may run."""
NAMESPACE_VARIABLE = "NS"
MAY_FAIL = "may-fail"
WRITEFILE = "%%writefile"
MAX_NOTEBOOK_BYTES = 2 * 1024 * 1024
_SHELL_SYNTAX = re.compile(r"[|;&<>`*?]|\$\(")
_VARIABLE = re.compile(r"\$\{?(\w+)\}?")


@dataclass(frozen=True, kw_only=True)
class WriteFile:
    """A file cell: ``%%writefile path``."""

    cell: int
    """Index of the cell among the notebook's cells."""
    path: str
    """Where the file goes, relative to the notebook's folder (POSIX separators)."""
    starter: str
    """The cell's text, as learners get it."""
    solution: str
    """The reference text (the starter itself when the lab ships no solution for it)."""
    solution_file: str | None
    """The lab's file the solution was read from (``solution/pod.yaml``), if any."""


@dataclass(frozen=True, kw_only=True)
class Command:
    """One ``!`` line of a command cell."""

    cell: int
    line: str
    """As written after the ``!``: ``kubectl apply -n $NS -f pod.yaml``."""
    may_fail: bool = False
    """The cell is tagged ``may-fail``: it reads a state that is broken on purpose (the
    troubleshooting lab), so a failure is information, not a broken step."""

    def argv(self, namespace: str) -> list[str]:
        """The argument list, with ``$NS`` replaced by ``namespace``."""
        return [_VARIABLE.sub(lambda m: namespace, word) for word in shlex.split(self.line)]


Step = WriteFile | Command


def notebook_source(lab: Lab) -> Path:
    """``labs/<id>/<id>.md``."""
    return lab.path / f"{lab.id}.md"


def read_notebook(lab: Lab) -> Any:
    """The lab's MyST source as an nbformat notebook (as jupytext reads it)."""
    import jupytext

    source = notebook_source(lab)
    if not source.is_file():
        raise UsageError(f"lab {lab.id}: notebook source {source} not found")
    text = read_text(source, what=f"lab {lab.id} notebook", max_bytes=MAX_NOTEBOOK_BYTES)
    try:
        return jupytext.reads(text, fmt="md:myst")
    except Exception as error:  # jupytext raises assorted errors on malformed MyST
        raise UsageError(f"lab {lab.id}: cannot read {source} as MyST notebook: {error}") from error


def lab_steps(lab: Lab, nb: Any = None) -> list[Step]:
    """The lab's file and command steps in notebook order.

    Raises:
        UsageError: the notebook cannot be read or breaks a rule (see :func:`problems`).
    """
    nb = read_notebook(lab) if nb is None else nb
    found = problems(lab, nb)
    if found:
        raise UsageError(f"lab {lab.id} ({notebook_source(lab).name}): {found[0]}")
    return _steps(lab, nb)


def problems(lab: Lab, nb: Any = None) -> list[str]:
    """Every breach of the file-cell and command-cell rules, one line each (empty: none)."""
    nb = read_notebook(lab) if nb is None else nb
    found: list[str] = []
    set_up = re.compile(rf"^{NAMESPACE_VARIABLE}\s*=\s*use_sandbox\(\s*[\"']{re.escape(lab.id)}[\"']", re.M)
    ready = False
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        where = f"cell {index + 1}"
        text = _text(cell)
        ready = ready or bool(set_up.search(text))
        lines = [line for line in text.splitlines() if line.strip()]
        if not lines:
            continue
        if lines[0].startswith(WRITEFILE):
            found += _file_problems(lab, cell, where)
            continue
        shell = [line for line in lines if line.lstrip().startswith("!")]
        if not shell:
            continue
        if not ready:
            found.append(
                f"{where} runs commands before the set-up cell "
                f'`{NAMESPACE_VARIABLE} = use_sandbox("{lab.id}")` (from autograder.notebook)'
            )
            ready = True  # say it once
        others = [line for line in lines if not line.lstrip().startswith(("!", "#"))]
        if others:
            found.append(f"{where} mixes Python with shell commands; put the commands in a cell of their own")
            continue
        for line in shell:
            found += [f"{where}: {p}" for p in _command_problems(line.lstrip()[1:].strip())]
    return found


def _steps(lab: Lab, nb: Any) -> list[Step]:
    steps: list[Step] = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        text = _text(cell)
        first, _, body = text.partition("\n")
        if first.startswith(WRITEFILE):
            path = _target(first)
            solution_file = _solution_file(lab, cell, path)
            solution = read_text(lab.path / solution_file, what="solution file") if solution_file else body
            solution = _normalised(solution)
            steps.append(
                WriteFile(
                    cell=index, path=path, starter=_normalised(body), solution=solution, solution_file=solution_file
                )
            )
            continue
        may_fail = MAY_FAIL in (cell.get("metadata") or {}).get("tags", [])
        for line in text.splitlines():
            if line.lstrip().startswith("!"):
                steps.append(Command(cell=index, line=line.lstrip()[1:].strip(), may_fail=may_fail))
    return steps


def _file_problems(lab: Lab, cell: Any, where: str) -> list[str]:
    first, _, body = _text(cell).partition("\n")
    try:
        path = _target(first)
    except ValueError as error:
        return [f"{where}: {error}"]
    found = []
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts:
        return [f"{where}: {WRITEFILE} {path}: write inside the notebook's folder (a relative path without ..)"]
    starter = lab.path / "starter" / _in_starter(path)
    if starter.is_file() and _normalised(read_text(starter, what="starter file")) != _normalised(body):
        found.append(f"{where}: {WRITEFILE} {path} differs from starter/{_in_starter(path)}; they must be identical")
    explicit = _explicit_solution(cell)
    if explicit is not None and not (lab.path / explicit).is_file():
        found.append(f"{where}: its solution {explicit} is not a file of the lab")
    return found


def _command_problems(line: str) -> list[str]:
    try:
        words = shlex.split(line)
    except ValueError as error:
        return [f"!{line}: cannot be split into arguments ({error})"]
    if not words or words[0] not in PROGRAMS:
        return [f"!{line}: runs {words[0] if words else 'nothing'!r}; commands run {' or '.join(PROGRAMS)}"]
    bare, single = _split_quoting(line)
    found = []
    syntax = _SHELL_SYNTAX.search(bare)
    if syntax:
        found.append(f"!{line}: {syntax.group(0)!r} is shell syntax; a command is one argument list (quote it)")
    if "$" in single:
        found.append(f"!{line}: a $ inside single quotes: the shell would not substitute it but the notebook would")
    for name in _VARIABLE.findall(bare):
        if name != NAMESPACE_VARIABLE:
            found.append(f"!{line}: ${name} is not set by the notebook; the one variable is ${NAMESPACE_VARIABLE}")
    return found


def _split_quoting(line: str) -> tuple[str, str]:
    """(the characters outside single quotes, those inside them); double quotes count as outside
    for variables, so their other characters are blanked out of the first."""
    bare, single, quote = [], [], ""
    for char in line:
        if quote:
            if char == quote:
                quote = ""
            elif quote == "'":
                single.append(char)
            else:
                bare.append(char if char in "${}_" or char.isalnum() else " ")
            continue
        if char in "'\"":
            quote = char
        else:
            bare.append(char)
    return "".join(bare), "".join(single)


def _target(first_line: str) -> str:
    words = shlex.split(first_line)
    options = [w for w in words[1:] if w.startswith("-")]
    if options or len(words) != 2:
        raise ValueError(f"write {WRITEFILE} PATH with one path and no options, not {first_line!r}")
    return words[1]


def _in_starter(path: str) -> str:
    return path.removeprefix("starter/")


def _explicit_solution(cell: Any) -> str | None:
    meta = (cell.get("metadata") or {}).get("kubecourse") or {}
    value = meta.get("solution") if isinstance(meta, dict) else None
    return str(value) if value else None


def _solution_file(lab: Lab, cell: Any, path: str) -> str | None:
    explicit = _explicit_solution(cell)
    if explicit:
        return explicit
    default = f"solution/{_in_starter(path)}"
    return default if (lab.path / default).is_file() else None


def _text(cell: Any) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _normalised(text: str) -> str:
    """Text compared and written without trailing blank lines (a cell has no final newline)."""
    return text.rstrip("\n").rstrip() + "\n" if text.strip() else ""


__all__ = [
    "MAY_FAIL",
    "NAMESPACE_VARIABLE",
    "PROGRAMS",
    "Command",
    "Step",
    "WriteFile",
    "lab_steps",
    "notebook_source",
    "problems",
    "read_notebook",
]

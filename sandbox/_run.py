"""The one place that runs external programs (kind, kubectl, docker), with timeouts.

Every call takes an argument list (never a shell string), adds to the environment instead of
replacing it, captures stdout and stderr separately, and turns failures into
:class:`~sandbox.errors.CommandFailed` whose message is one line and whose detail carries the
command as you would type it plus the tail of its stderr.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sandbox.errors import CommandFailed, ToolMissing

INSTALL_HINTS = {
    "kind": "install kind: https://kind.sigs.k8s.io/docs/user/quick-start/#installation "
    "(e.g. `go install sigs.k8s.io/kind@v0.31.0` or the release binary)",
    "kubectl": "reinstall kubecourse (`make book`), which puts kubectl into .venv/bin",
    "docker": "install Docker Engine (https://docs.docker.com/engine/install/) or Podman "
    "(`sudo apt-get install podman`), then start it",
    "podman": "install Podman: `sudo apt-get install podman`",
}
STDERR_TAIL = 2000


@dataclass(frozen=True, kw_only=True)
class Completed:
    """What a finished command printed."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def find_tool(name: str) -> str:
    """Path of ``name``: the project's own virtualenv first (its kubectl), then PATH."""
    beside_python = Path(sys.executable).parent / name
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        return str(beside_python)
    found = shutil.which(name)
    if found is None:
        raise ToolMissing(f"{name} is not installed", hint=INSTALL_HINTS.get(name, ""))
    return found


def run(
    args: list[str],
    *,
    timeout: float,
    env: dict[str, str] | None = None,
    input: str | None = None,
    stdin_path: Path | None = None,
    cwd: Path | None = None,
    check: bool = True,
) -> Completed:
    """Run ``args`` (``args[0]`` a tool name or path) and return what it printed.

    Args:
        args: the command; the first element is resolved with :func:`find_tool`.
        timeout: seconds before the command is killed and :class:`CommandFailed` raised.
        env: variables added to (not replacing) the current environment.
        input: text fed on stdin.
        stdin_path: a file fed on stdin as bytes (an image archive); exclusive with ``input``.
        cwd: the folder to run in (relative file names in ``args`` are resolved there).
        check: raise :class:`CommandFailed` on a non-zero exit.
    """
    exe = args[0] if os.sep in args[0] else find_tool(args[0])
    argv = [exe, *args[1:]]
    shown = shlex.join([Path(args[0]).name, *args[1:]])
    short = short_command(args)
    with open(stdin_path, "rb") if stdin_path is not None else _no_file() as stdin_file:
        proc = _spawn(
            argv, shown, short, args[0], timeout=timeout, env=env, input=input, stdin_file=stdin_file, cwd=cwd
        )
    done = Completed(args=tuple(argv), returncode=proc.returncode, stdout=proc.stdout, stderr=proc.stderr)
    if check and proc.returncode != 0:
        last = _last_line(proc.stderr) or _last_line(proc.stdout) or "no output"
        raise CommandFailed(
            f"`{short}` failed (exit {proc.returncode}): {last}",
            detail=f"$ {shown}\n{proc.stderr[-STDERR_TAIL:]}",
        )
    return done


def _spawn(argv, shown, short, tool, *, timeout, env, input, stdin_file, cwd) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            argv,
            input=input,
            capture_output=True,
            text=True,
            # A tool that prints bytes that are not UTF-8 must not crash us with a traceback.
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            env={**os.environ, **(env or {})},
            stdin=stdin_file if stdin_file is not None else (None if input is not None else subprocess.DEVNULL),
            cwd=cwd,
        )
    except subprocess.TimeoutExpired as err:
        stderr = err.stderr.decode(errors="replace") if isinstance(err.stderr, bytes) else (err.stderr or "")
        raise CommandFailed(
            f"`{short}` did not finish within {timeout:g} s",
            detail=f"$ {shown}\n{stderr[-STDERR_TAIL:]}",
        ) from None
    except FileNotFoundError:
        raise ToolMissing(f"{tool} is not installed", hint=INSTALL_HINTS.get(tool, "")) from None
    except OSError as err:  # not executable, a broken interpreter line, ...
        raise ToolMissing(
            f"cannot run {tool}: {err.strerror or err}", hint=INSTALL_HINTS.get(Path(tool).name, "")
        ) from None


@contextmanager
def _no_file() -> Iterator[None]:
    yield None


def short_command(args: list[str]) -> str:
    """The tool and its verbs without options and their values (``kind create cluster``,
    ``kubectl apply``): one-line messages name the command, ``-v`` shows it in full."""
    words = [Path(args[0]).name]
    previous = ""
    for arg in args[1:]:
        if not arg.startswith("-") and not (previous.startswith("-") and "=" not in previous):
            words.append(arg)
        previous = arg
        if len(words) == 4:
            break
    return shlex.join(words)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


__all__ = ["Completed", "find_tool", "run", "short_command"]

"""Reading a Slurm batch script: its ``#SBATCH`` options and the program its ``srun`` line runs.

The sbatch-to-job lab's checks read every expected value from the script the learner
translates (``starter/job.sbatch``), so the checks and the script cannot drift apart.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "starter" / "job.sbatch"
_SHORT = {"-J": "job-name", "-a": "array", "-t": "time", "-c": "cpus-per-task", "-n": "ntasks", "-o": "output"}
_FLAGS = {"no-requeue", "requeue", "exclusive", "hold", "overcommit", "oversubscribe", "parsable", "wait", "test-only"}
_UNITS = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}  # Slurm's units are binary; M is the default


def directives(text: str) -> dict[str, str]:
    """The ``#SBATCH`` options of a script: ``{"array": "0-9%4", "no-requeue": "", ...}``."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#SBATCH"):
            continue
        words = shlex.split(line[len("#SBATCH") :], comments=True)
        i = 0
        while i < len(words):
            word = words[i]
            if word.startswith("--"):
                name, eq, value = word[2:].partition("=")
                if not eq and name not in _FLAGS and i + 1 < len(words) and not words[i + 1].startswith("-"):
                    i += 1  # getopt style: --time 10
                    value = words[i]
                found[name] = value
            elif word in _SHORT:
                i += 1
                found[_SHORT[word]] = words[i] if i < len(words) else ""
            i += 1
    return found


def array_indexes(spec: str) -> tuple[list[int], int | None]:
    """``"0-9%4"`` -> ([0..9], 4); also ``1,3,5`` and ``0-15:4`` (step)."""
    spec, _, throttle = spec.partition("%")
    indexes: list[int] = []
    for part in spec.split(","):
        rng, _, step = part.partition(":")
        low, _, high = rng.partition("-")
        indexes += range(int(low), int(high or low) + 1, int(step or 1))
    return sorted(set(indexes)), int(throttle) if throttle else None


def walltime_seconds(text: str) -> int:
    """Slurm's --time formats: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S."""
    days, dash, rest = text.partition("-")
    if not dash:
        days, rest = "0", text
    parts = [int(p) for p in rest.split(":")]
    if dash:  # D-H, D-H:M, D-H:M:S
        h, m, s = (parts + [0, 0])[:3]
    elif len(parts) == 1:
        h, m, s = 0, parts[0], 0
    elif len(parts) == 2:
        h, m, s = 0, parts[0], parts[1]
    else:
        h, m, s = parts[:3]
    return int(days) * 86400 + h * 3600 + m * 60 + s


def memory_bytes(text: str) -> int:
    """Slurm's --mem: a number with an optional K/M/G/T suffix, megabytes by default."""
    m = re.fullmatch(r"(\d+)([KMGT]?)B?", text.strip().upper())
    if not m:
        raise ValueError(f"cannot read --mem={text}")
    return int(m.group(1)) * _UNITS[m.group(2) or "M"]


def awk_program(text: str) -> tuple[str, list[str]]:
    """The srun line's awk program (between single quotes) and its ``-v`` assignments."""
    start = text.index("srun ")
    body = text[start:]
    program = body.split("'")[1]
    assigns = re.findall(r"-v\s+(\w+=\S+)", body.split("'")[0])
    return program, assigns


@dataclass(frozen=True)
class Script:
    """A batch script's text and its options."""

    text: str
    options: dict[str, str]

    def __getitem__(self, option: str) -> str:
        return self.options[option]

    def __contains__(self, option: str) -> bool:
        return option in self.options


@cache
def _read(path: Path, mtime_ns: int) -> Script:
    text = path.read_text()
    return Script(text, directives(text))


def script(path: Path = SCRIPT) -> Script:
    """The script at ``path`` (the lab's own by default), read again when it changes."""
    return _read(path, path.stat().st_mtime_ns)


__all__ = [
    "SCRIPT",
    "Script",
    "array_indexes",
    "awk_program",
    "directives",
    "memory_bytes",
    "script",
    "walltime_seconds",
]

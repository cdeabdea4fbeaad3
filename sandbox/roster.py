"""Class rosters: a CSV file with a ``name`` column, one learner per line, read into sandbox names.

Names are normalised the way logins are (``Jane Doe`` -> ``jane-doe``) and then must be valid
sandbox names. Every problem in the file is collected and reported together, with line numbers:
a missing ``name`` column, empty or invalid names, exact duplicates, and different entries that
normalise to the same sandbox (two learners must never share a cluster).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from coursecore.errors import InvalidName, UsageError
from coursecore.home import MAX_NAME, normalize_name, validate_name
from coursecore.safeyaml import read_text

MAX_ROSTER_BYTES = 1024 * 1024
MAX_SHOWN = 5


@dataclass(frozen=True, kw_only=True)
class Learner:
    """One roster line."""

    name: str
    """Sandbox name (normalised)."""
    given: str
    """The name as written in the roster."""
    line: int
    """Line number in the file (the header is line 1)."""
    columns: dict[str, str] = field(default_factory=dict)
    """The line's other columns (email, group...), for the instructor's own use."""


def read_roster(path: Path) -> list[Learner]:
    """The learners of roster ``path``, in file order.

    Raises:
        UsageError: naming the file and every problem found (up to a few, then a count).
    """
    path = Path(path)
    text = read_text(path, what="roster", max_bytes=MAX_ROSTER_BYTES).lstrip("\ufeff")
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as err:
        raise UsageError(f"{path}: not a readable CSV file: {err}") from err
    rows = [(i, row) for i, row in enumerate(rows, start=1) if any(cell.strip() for cell in row)]
    if not rows:
        raise UsageError(f"{path}: the roster is empty; expected a header line with a 'name' column")
    header = [cell.strip().lower() for cell in rows[0][1]]
    if "name" not in header:
        raise UsageError(f"{path}: no 'name' column in the header (columns: {', '.join(header) or 'none'})")
    column = header.index("name")
    problems: list[str] = []
    learners: list[Learner] = []
    first_line: dict[str, tuple[int, str]] = {}
    for line, row in rows[1:]:
        given = row[column].strip() if column < len(row) else ""
        if not given:
            problems.append(f"line {line}: empty name")
            continue
        name = normalize_name(given)  # never shortened: a too-long name is reported below
        if len(name) > MAX_NAME:
            problems.append(f"line {line}: name {given!r} is longer than {MAX_NAME} characters")
            continue
        try:
            validate_name(name)
        except InvalidName:
            problems.append(f"line {line}: {given!r} gives no valid sandbox name (letters or digits needed)")
            continue
        if name in first_line:
            other_line, other = first_line[name]
            what = "duplicate name" if other == given else f"{given!r} and {other!r} both become"
            problems.append(f"line {line}: {what} {name!r} (line {other_line})")
            continue
        first_line[name] = (line, given)
        extra = {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header) if i != column}
        learners.append(Learner(name=name, given=given, line=line, columns=extra))
    if problems:
        shown = "; ".join(problems[:MAX_SHOWN])
        more = f" (and {len(problems) - MAX_SHOWN} more)" if len(problems) > MAX_SHOWN else ""
        raise UsageError(f"{path}: {len(problems)} problem{'s' * (len(problems) > 1)}: {shown}{more}")
    if not learners:
        raise UsageError(f"{path}: no learners below the header")
    return learners


__all__ = ["MAX_ROSTER_BYTES", "Learner", "read_roster"]

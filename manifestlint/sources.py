"""What to lint: the files, folders and ``-`` (standard input) named on the command line.

Folders are searched recursively for ``*.yaml``, ``*.yml`` and ``*.json``, in a stable order,
skipping hidden folders (``.git``) and virtual environments. A Helm chart's folder is skipped with
a note: its templates are not YAML until ``helm template`` has rendered them.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = (".yaml", ".yml", ".json")
_HELM = "{chart} is a Helm chart: render its templates first (helm template {chart} | kubecourse lint -)"
_SKIPPED_FOLDERS = {"node_modules", "__pycache__", "venv", "site-packages"}


@dataclass(frozen=True, kw_only=True)
class Source:
    """One thing to lint."""

    name: str
    """As the user named it (``<stdin>`` for ``-``)."""
    path: Path | None = None
    """The file; None for standard input."""
    error: str | None = None
    """Why it cannot be linted at all (missing, a folder without manifests)."""


@dataclass(frozen=True, kw_only=True)
class Expanded:
    sources: tuple[Source, ...]
    notes: tuple[str, ...] = ()


def expand(arguments: list[str]) -> Expanded:
    """The sources that ``arguments`` name, in order, each file once."""
    sources: list[Source] = []
    notes: list[str] = []
    seen: set[Path] = set()
    for arg in arguments:
        if arg == "-":
            sources.append(Source(name="<stdin>"))
            continue
        path = Path(arg)
        if path.is_dir() and (path / "Chart.yaml").is_file():
            sources.append(Source(name=arg, error=_HELM.format(chart=arg)))
        elif path.is_dir():
            found, charts = _walk(path)
            notes += [_HELM.format(chart=chart) + "; its folder was skipped" for chart in charts]
            if not found and not charts:
                sources.append(Source(name=arg, error=f"no {', '.join('*' + s for s in SUFFIXES)} files under {arg}"))
            for file in found:
                if file.resolve() not in seen:
                    seen.add(file.resolve())
                    sources.append(Source(name=str(file), path=file))
        elif path.exists() or path.is_symlink():
            if path.resolve() not in seen:
                seen.add(path.resolve())
                sources.append(Source(name=arg, path=path))
        else:
            sources.append(Source(name=arg, error=f"file not found: {arg}"))
    return Expanded(sources=tuple(sources), notes=tuple(notes))


def _walk(root: Path) -> tuple[list[Path], list[Path]]:
    files: list[Path] = []
    charts: list[Path] = []
    for folder, subfolders, names in os.walk(root):
        here = Path(folder)
        if "Chart.yaml" in names:
            charts.append(here)
            subfolders[:] = []
            continue
        subfolders[:] = sorted(d for d in subfolders if not d.startswith(".") and d not in _SKIPPED_FOLDERS)
        files += [here / n for n in sorted(names) if n.endswith(SUFFIXES) and not n.startswith(".")]
    return files, charts


def read_stdin(max_bytes: int) -> bytes:
    """Standard input, at most ``max_bytes`` + 1 bytes (so that a caller can tell it was cut)."""
    return sys.stdin.buffer.read(max_bytes + 1)


__all__ = ["SUFFIXES", "Expanded", "Source", "expand", "read_stdin"]

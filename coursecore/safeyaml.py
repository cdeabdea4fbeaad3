"""Reading YAML and JSON that users hand us, with limits that keep bad input cheap to reject.

Learners and authors give the tool manifests, snapshots and lab files. These readers turn every
way such a file can be wrong (missing, too large, binary, malformed, an alias bomb, the wrong
shape) into a :class:`~coursecore.errors.UsageError` that names the file, instead of a traceback
or a process that eats memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent

from coursecore.errors import UsageError

MAX_BYTES = 50 * 1024 * 1024
# Real Kubernetes manifests rarely use anchors at all; a handful is generous. PyYAML shares the
# object behind an alias, so a "billion laughs" document loads small but explodes when anything
# walks or serialises it: refuse it while parsing.
MAX_ALIASES = 64


class _GuardedLoader(yaml.SafeLoader):
    """SafeLoader that counts alias uses and stops at :data:`MAX_ALIASES`."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _TooManyAliases()
        return super().compose_node(parent, index)


class _TooManyAliases(Exception):
    pass


def read_text(path: Path, *, what: str = "file", max_bytes: int = MAX_BYTES) -> str:
    """Return the UTF-8 text of ``path``, refusing missing, oversized and binary files."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise UsageError(f"{what} not found: {path}") from None
    except OSError as err:
        raise UsageError(f"cannot read {what} {path}: {err.strerror}") from None
    if path.is_dir():
        raise UsageError(f"{what} {path} is a directory, expected a file")
    if size > max_bytes:
        raise UsageError(f"{what} {path} is {size / 2**20:.1f} MiB, over the {max_bytes / 2**20:g} MiB limit")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise UsageError(f"cannot read {what} {path}: {err.strerror}") from None
    if b"\x00" in data:
        raise UsageError(f"{what} {path} is binary, expected YAML or JSON text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise UsageError(f"{what} {path} is not UTF-8 text (byte {err.start})") from None


@contextmanager
def yaml_errors(source: str) -> Iterator[None]:
    """Turn PyYAML's errors (and the alias limit) raised inside into one-line UsageErrors."""
    try:
        yield
    except _TooManyAliases:
        raise UsageError(f"{source}: more than {MAX_ALIASES} YAML aliases; refusing a possible alias bomb") from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark else ""
        problem = err.problem or err.context or "malformed YAML"
        raise UsageError(f"{source}:{where} {problem} (the file is not valid YAML)") from None
    except yaml.YAMLError as err:
        raise UsageError(f"{source}: malformed YAML: {err}") from None


def parse_documents(text: str, *, source: str) -> list[Any]:
    """Parse a YAML (or JSON) stream into its documents, skipping empty ones."""
    loader = _GuardedLoader(text)
    docs: list[Any] = []
    try:
        with yaml_errors(source):
            while loader.check_data():
                doc = loader.get_data()
                if doc is not None:
                    docs.append(doc)
    finally:
        loader.dispose()
    return docs


def load_documents(path: Path, *, what: str = "file", max_bytes: int = MAX_BYTES) -> list[Any]:
    """Read ``path`` and return its YAML/JSON documents (see :func:`parse_documents`)."""
    return parse_documents(read_text(path, what=what, max_bytes=max_bytes), source=str(path))


def load_mapping(path: Path, *, what: str = "file", max_bytes: int = MAX_BYTES) -> dict[str, Any]:
    """Read a file that must hold exactly one YAML mapping."""
    docs = load_documents(path, what=what, max_bytes=max_bytes)
    if len(docs) != 1 or not isinstance(docs[0], dict):
        shape = "empty" if not docs else f"{len(docs)} documents" if len(docs) > 1 else type(docs[0]).__name__
        raise UsageError(f"{path}: expected one YAML mapping, found {shape}")
    return docs[0]


__all__ = [
    "MAX_ALIASES",
    "MAX_BYTES",
    "load_documents",
    "load_mapping",
    "parse_documents",
    "read_text",
    "yaml_errors",
]

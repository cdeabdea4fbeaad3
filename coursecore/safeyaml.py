"""Reading YAML and JSON that users hand us, with limits that keep bad input cheap to reject.

Learners and authors give the tool manifests, snapshots and lab files. These readers turn every
way such a file can be wrong (missing, too large, binary, not a regular file, malformed, an alias
bomb, nested absurdly deep, the wrong shape) into a :class:`~coursecore.errors.UsageError` that
names the file, instead of a traceback or a process that eats memory or time.

Parsing is bounded in every dimension a hostile file can grow: bytes (read), values built (an
alias counts at the full size of what it repeats, so an alias bomb is refused before it is
built), nesting depth, entries in one list or mapping, and wall-clock time. Values are built
straight from libyaml's event stream by :func:`parse_documents`: PyYAML's own composer builds a
node object per value and recurses in C (a deeply nested file crashes it), and is several times
slower than reading the events.
"""

from __future__ import annotations

import marshal
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent

from coursecore.errors import UsageError

MAX_BYTES = 50 * 1024 * 1024
# Alias uses manifestlint allows while it composes positions (manifestlint.yamlpos): real
# manifests rarely use anchors at all, a handful is generous.
MAX_ALIASES = 64


@dataclass(frozen=True, kw_only=True)
class Limits:
    """How much one text may cost to parse; going over any limit is a :class:`UsageError`."""

    max_nodes: int = 2_000_000
    """Values built (scalars, lists, mappings), every alias counted at the full size it repeats."""
    max_depth: int = 200
    """Lists and mappings nested in each other (Kubernetes objects nest about 20 deep, big CRD
    schemas 60)."""
    max_items: int | None = None
    """Entries in any one list or mapping, and documents in the stream (``None``: no limit)."""
    seconds: float | None = 30.0
    """Wall-clock time for the whole text: a last resort behind the limits above, which already
    bound the work; ``None`` for none."""


DEFAULT_LIMITS = Limits()


def read_text(path: Path, *, what: str = "file", max_bytes: int = MAX_BYTES) -> str:
    """Return the UTF-8 text of ``path``, refusing missing, oversized, binary and special files.

    A FIFO, device or socket is refused without being read (``/dev/zero`` has size 0 and never
    ends); the read stops at ``max_bytes`` whatever the size reported before it.
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UsageError(f"{what} not found: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{what} {path} is a directory, expected a file") from None
    except OSError as err:
        raise UsageError(f"cannot read {what} {path}: {err.strerror}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        if stat.S_ISDIR(info.st_mode):
            raise UsageError(f"{what} {path} is a directory, expected a file")
        raise UsageError(f"{what} {path} is not a regular file (a device, pipe or socket); refusing to read it")
    with os.fdopen(fd, "rb") as handle:
        size = info.st_size
        if size > max_bytes:
            raise UsageError(f"{what} {path} is {size / 2**20:.1f} MiB, over the {max_bytes / 2**20:g} MiB limit")
        try:
            data = handle.read(max_bytes + 1)
        except OSError as err:
            raise UsageError(f"cannot read {what} {path}: {err.strerror}") from None
    if len(data) > max_bytes:
        raise UsageError(f"{what} {path} is over the {max_bytes / 2**20:g} MiB limit")
    return decode_text(data, what=what, source=str(path))


_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_text(data: bytes, *, what: str, source: str = "") -> str:
    """The text of ``data`` as kubectl's YAML reader sees it: UTF-8 (a BOM is dropped), or UTF-16
    with its BOM, which Windows PowerShell 5.1 writes for ``kubectl get -o yaml > file``
    (go-yaml v2 decodes both by their BOM: readerc.go, yaml_parser_determine_encoding).

    Raises:
        UsageError: UTF-32 (which go-yaml cannot read either), binary content, or bytes that are
            not UTF-8, naming ``what`` and ``source``.
    """
    named = f"{what} {source}" if source else what
    if data.startswith(_UTF32_BOMS):
        raise UsageError(f"{named} is UTF-32 text, which kubectl cannot read either; save it as UTF-8")
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise UsageError(f"{named} starts like UTF-16 text but is not (byte {err.start})") from None
    if b"\x00" in data:
        raise UsageError(f"{named} is binary, expected YAML or JSON text")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as err:
        raise UsageError(f"{named} is not UTF-8 text (byte {err.start})") from None


@contextmanager
def yaml_errors(source: str, text: str | None = None) -> Iterator[None]:
    """Turn PyYAML's errors raised inside into one-line UsageErrors.

    With the ``text`` parsed, an error that libyaml places past the end of a file that does not
    end with a newline (an unfinished list on its last line) is reported on that last line.
    """
    try:
        yield
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark else ""
        if mark is not None and text is not None:
            # the empty line after a final newline is a line an editor shows; past it, libyaml's
            # implicit line break at the end of a file without one is not
            last = max(1, len(text.splitlines()) + (1 if text.endswith("\n") else 0))
            if mark.line + 1 > last:
                where = f" line {last} (end of the file):"
        problem = err.problem or err.context or "malformed YAML"
        raise UsageError(f"{source}:{where} {problem} (the file is not valid YAML)") from None
    except yaml.YAMLError as err:
        raise UsageError(f"{source}: malformed YAML: {err}") from None


def parse_documents(
    text: str, *, source: str, limits: Limits = DEFAULT_LIMITS, timestamps_as_text: bool = False
) -> list[Any]:
    """Parse a YAML (or JSON) stream into its documents, skipping empty ones.

    The values are what ``yaml.safe_load_all`` returns (``timestamps_as_text`` keeps YAML
    timestamps as the text written, as the Kubernetes API serves them), within ``limits``.

    Raises:
        UsageError: malformed YAML, or a limit exceeded; the message names ``source``.
    """
    with yaml_errors(source, text):
        return _EventBuilder(text, source, limits, timestamps_as_text).documents()


_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_MERGE = "tag:yaml.org,2002:merge"
_VALUE = "tag:yaml.org,2002:value"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_RESOLVERS = yaml.resolver.Resolver.yaml_implicit_resolvers
_WILDCARD = _RESOLVERS.get(None, [])
# The resolvers to try for a plain scalar, by its first character (PyYAML's order, the wildcard
# ones last), as one list each instead of a new list per scalar.
_IMPLICIT = {first: [*resolvers, *_WILDCARD] for first, resolvers in _RESOLVERS.items() if first is not None}
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_SCALAR_BUILDERS = {
    tag: build
    for tag, build in yaml.constructor.SafeConstructor.yaml_constructors.items()
    if tag not in (_SEQ, _MAP, None) and tag.rsplit(":", 1)[-1] not in ("omap", "pairs", "set")
}
_Parser: Any = getattr(yaml, "CBaseLoader", None) or yaml.BaseLoader  # only its parser (events) is used
_CHECK_CLOCK_EVERY = 4096
_ScalarEvent = yaml.ScalarEvent
_UNRESOLVED = object()


class _Merge:
    """The ``<<`` key of a mapping: its value is merged into the mapping."""


_MERGE_KEY = _Merge()


def _copy(value: Any) -> Any:
    """A deep copy of plain data (an alias must not share what it repeats)."""
    try:
        return marshal.loads(marshal.dumps(value))
    except (ValueError, TypeError):  # a datetime, or very deep nesting
        if isinstance(value, dict):
            return {k: _copy(v) for k, v in value.items()}
        if isinstance(value, list):
            return [_copy(v) for v in value]
        return value


class _Frame:
    """A list or mapping being built."""

    __slots__ = ("anchor", "started", "items", "key", "has_key", "merges", "mark", "is_map")

    def __init__(self, is_map: bool, anchor: str | None, started: int, mark: Any) -> None:
        self.is_map = is_map
        self.anchor = anchor
        self.started = started
        self.items: list[Any] = []
        self.key: Any = None
        self.has_key = False
        self.merges: list[dict] = []
        self.mark = mark


class _EventBuilder:
    """Builds plain values from libyaml's events, counting everything against the limits."""

    def __init__(self, text: str, source: str, limits: Limits, timestamps_as_text: bool) -> None:
        self.text, self.source, self.limits, self.timestamps_as_text = text, source, limits, timestamps_as_text
        self.count = 0
        self.anchors: dict[str, tuple[Any, int, Any]] = {}
        self.open_anchors: set[str] = set()
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.deadline = None if limits.seconds is None else time.monotonic() + limits.seconds

    def documents(self) -> list[Any]:
        parser = _Parser(self.text)
        docs: list[Any] = []
        stack = self.stack
        max_nodes = self.limits.max_nodes
        max_items = self.limits.max_items
        plain: dict[str, Any] = {}  # plain scalar text -> its value, resolved once per text
        try:
            events = 0
            while True:
                event = parser.get_event()
                events += 1
                if self.deadline is not None and events % _CHECK_CLOCK_EVERY == 0 and time.monotonic() > self.deadline:
                    raise UsageError(f"{self.source}: took more than {self.limits.seconds:g} s to parse; refusing it")
                kind = event.__class__
                if kind is _ScalarEvent and event.anchor is None:
                    # Most events of a manifest: a scalar without anchor, placed in a list or
                    # mapping. Done here without the calls of the general path below (a snapshot
                    # reads twice as fast), with the same count and limits.
                    self.count += 1
                    if self.count > max_nodes:
                        self._count(0, event)
                    if event.tag is None and event.implicit[0]:
                        text = event.value
                        value = plain.get(text, _UNRESOLVED)
                        if value is _UNRESOLVED:
                            value = plain[text] = self._build_scalar(event)
                    else:
                        value = self._build_scalar(event)
                    frame = stack[-1] if stack else None
                    if frame is None or frame.key is _MERGE_KEY:
                        self._place(value, event)
                    elif not frame.is_map:
                        frame.items.append(value)
                        if max_items is not None and len(frame.items) > max_items:
                            self._check_items(frame, event)
                    elif not frame.has_key:
                        frame.key, frame.has_key = value, True
                    else:
                        frame.items.append((frame.key, value))
                        frame.key, frame.has_key = None, False
                        if max_items is not None and len(frame.items) > max_items:
                            self._check_items(frame, event)
                elif kind is _ScalarEvent:
                    self._value(self._scalar(event), event, size=1)
                elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                    self._open(event, kind is yaml.MappingStartEvent)
                elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                    self._close(event)
                elif kind is AliasEvent:
                    self._alias(event)
                elif kind is yaml.DocumentStartEvent:
                    self.anchors.clear()
                    self.root = None
                elif kind is yaml.DocumentEndEvent:
                    if self.root is not None:
                        docs.append(self.root)
                        if self.limits.max_items is not None and len(docs) > self.limits.max_items:
                            raise UsageError(f"{self.source}: more than {self.limits.max_items} documents; refusing it")
                elif kind is yaml.StreamEndEvent:
                    return docs
        finally:
            parser.dispose()

    # -- values -------------------------------------------------------------------------------

    def _count(self, n: int, event: Any, *, alias: bool = False) -> None:
        self.count += n
        if self.count > self.limits.max_nodes:
            if alias:
                raise UsageError(
                    f"{self.source}: line {event.start_mark.line + 1}: aliases expand it to more than "
                    f"{self.limits.max_nodes} values; refusing a possible alias bomb"
                )
            raise UsageError(f"{self.source}: more than {self.limits.max_nodes} values; too large to read")

    def _scalar(self, event: Any) -> Any:
        self._count(1, event)
        return self._build_scalar(event)

    def _build_scalar(self, event: Any) -> Any:
        tag, value = event.tag, event.value
        if tag is None or tag == "!":
            tag = _STR
            if event.implicit[0]:
                for candidate, pattern in _IMPLICIT.get(value[:1], _WILDCARD):
                    if pattern.match(value):
                        tag = candidate
                        break
        if tag == _STR or tag == _VALUE:
            # YAML 1.1's "=" (the value key type) is text to kubectl: its printer writes `x: =`
            # unquoted for the string "=", and a snapshot must read back what it printed.
            return value
        if tag == _MERGE:
            return _MERGE_KEY
        if tag == _TIMESTAMP and self.timestamps_as_text:
            return value
        build = _SCALAR_BUILDERS.get(tag)
        if build is None:
            raise yaml.constructor.ConstructorError(
                None, None, f"could not determine a constructor for the tag {tag!r}", event.start_mark
            )
        return build(_CONSTRUCTOR, yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style))

    def _open(self, event: Any, is_map: bool) -> None:
        self._count(1, event)
        if event.tag not in (None, "!", _MAP if is_map else _SEQ):
            raise yaml.constructor.ConstructorError(
                None, None, f"could not determine a constructor for the tag {event.tag!r}", event.start_mark
            )
        if len(self.stack) >= self.limits.max_depth:
            raise UsageError(
                f"{self.source}: line {event.start_mark.line + 1}: nested more than {self.limits.max_depth} "
                "levels deep; refusing it"
            )
        anchor = event.anchor
        if anchor is not None:
            self._new_anchor(anchor, event)
            self.open_anchors.add(anchor)
        self.stack.append(_Frame(is_map, anchor, self.count - 1, event.start_mark))

    def _close(self, event: Any) -> None:
        frame = self.stack.pop()
        if frame.is_map:
            if frame.merges:
                value: Any = {}
                for merged in reversed(frame.merges):
                    value.update(merged)
                value.update(frame.items)
            else:
                value = dict(frame.items)  # a key given twice keeps its place and its last value
        else:
            value = frame.items
        size = self.count - frame.started
        if frame.anchor is not None:
            self.open_anchors.discard(frame.anchor)
            self.anchors[frame.anchor] = (value, size, frame.mark)
        self._place(value, event)

    def _alias(self, event: Any) -> None:
        name = event.anchor
        if name in self.open_anchors:
            raise yaml.composer.ComposerError(
                None, None, f"found recursive alias {name!r}; refusing it", event.start_mark
            )
        if name not in self.anchors:
            raise yaml.composer.ComposerError(None, None, f"found undefined alias {name!r}", event.start_mark)
        value, size, _ = self.anchors[name]
        self._count(size, event, alias=True)
        self._place(_copy(value) if isinstance(value, (dict, list)) else value, event)

    def _value(self, value: Any, event: Any, *, size: int) -> None:
        if event.anchor is not None:
            self._new_anchor(event.anchor, event)
            self.anchors[event.anchor] = (value, size, event.start_mark)
        self._place(value, event)

    def _new_anchor(self, name: str, event: Any) -> None:
        if name in self.anchors or name in self.open_anchors:
            raise yaml.composer.ComposerError(None, None, f"found duplicate anchor {name!r}", event.start_mark)

    def _place(self, value: Any, event: Any) -> None:
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        if not frame.is_map:
            frame.items.append(value)
            self._check_items(frame, event)
            return
        if not frame.has_key:
            if isinstance(value, (dict, list)):
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", frame.mark, "found unhashable key", event.start_mark
                )
            frame.key, frame.has_key = value, True
            return
        key, frame.key, frame.has_key = frame.key, None, False
        if key is _MERGE_KEY:
            merges = value if isinstance(value, list) else [value]
            if not all(isinstance(m, dict) for m in merges):
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    frame.mark,
                    "expected a mapping or list of mappings for merging",
                    event.start_mark,
                )
            frame.merges.extend(merges)
            return
        frame.items.append((key, value))
        self._check_items(frame, event)

    def _check_items(self, frame: _Frame, event: Any) -> None:
        limit = self.limits.max_items
        if limit is not None and len(frame.items) > limit:
            what = "entries in one mapping" if frame.is_map else "items in one list"
            raise UsageError(f"{self.source}: line {event.start_mark.line + 1}: more than {limit} {what}; refusing it")


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
    "DEFAULT_LIMITS",
    "MAX_ALIASES",
    "MAX_BYTES",
    "Limits",
    "decode_text",
    "load_documents",
    "load_mapping",
    "parse_documents",
    "read_text",
    "yaml_errors",
]

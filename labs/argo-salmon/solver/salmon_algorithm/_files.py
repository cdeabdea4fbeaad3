"""Reading input files with a bound, and writing results atomically so a collect step never reads half a file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from salmon_algorithm.errors import SalmonError

# What fstat calls the kinds of file that are not regular files, for the error message.
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_bounded(path: str | Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them; OSError or ValueError otherwise.

    A path that is not a regular file would hang (a FIFO with no writer blocks in ``open``, with
    one it blocks in ``read``) or never end (``/dev/zero``, ``/dev/urandom``), and its size says
    nothing: so the file is opened without blocking, checked with ``fstat`` on the descriptor that
    is then read (no race with a rename in between), and read no further than ``limit`` + 1 bytes
    even if it grows meanwhile.

    Raises:
        OSError: the file cannot be opened or read (the caller words ``strerror``).
        ValueError: it is not a regular file, or it is larger than ``limit`` (a one-line reason).
    """
    # O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer;
    # O_NOCTTY: a terminal device never becomes the process's controlling terminal.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a regular file")
            raise ValueError(f"it is {kind}, not a regular file")
        if info.st_size > limit:
            raise ValueError(f"{info.st_size} bytes is more than the limit of {_size(limit)}")
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    if total > limit:
        raise ValueError(f"it grew past the limit of {_size(limit)} while being read")
    return b"".join(chunks)


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit} bytes"


def write_atomically(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    import tempfile  # here, not at the top: it costs the solver's start-up more than a run's write

    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as err:
        raise SalmonError(f'failed to write "{path}": {err.strerror or err}') from err


__all__ = ["read_bounded", "write_atomically"]

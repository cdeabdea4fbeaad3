"""Reading one submission for grading: once, without following a link, within size limits.

``submitted/<student>/<assignment>/`` is the learner's: anything in it may be hostile. The
grader reads only what it grades (the assignment's notebooks, ``snapshot.yaml`` and
``timestamp.txt``), each file once and into memory, through directory file descriptors opened
with ``O_NOFOLLOW`` so that no path is resolved twice and no link is ever followed. A
symbolic link, device, FIFO or socket anywhere in the folder, a folder over the size limits, or
a file that is not UTF-8 JSON where a notebook should be makes the submission *invalid*: it is
reported with the reason and scores 0, and the rest of the class is graded.

Student ids come from folder names, and nbgrader uses them in file patterns, paths, URLs and
web pages; :func:`student_id_problem` refuses the ones that would be read as something else.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

MAX_SUBMISSION_BYTES = 100 * 1024 * 1024
"""All regular files of one submission together (the graded files are copied; the rest are
left in ``submitted/``)."""
MAX_SUBMISSION_ENTRIES = 2000
MAX_SUBMISSION_DEPTH = 16
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
MAX_TIMESTAMP_BYTES = 1024

_GLOB = re.compile(r"[*?\[\]]")
_STUDENT_ID = re.compile(r"^(?!\.)[\w.@+=-]{1,128}$")
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class InvalidSubmission(Exception):
    """Why a submission cannot be graded (the message is for the instructor's table)."""


@dataclass(frozen=True, kw_only=True)
class Submission:
    """What the grader read of one submission."""

    student: str
    notebooks: dict[str, bytes] = field(default_factory=dict, repr=False)
    """The assignment's notebooks that were submitted, by name (without ``.ipynb``)."""
    snapshot: bytes | None = field(default=None, repr=False)
    """``snapshot.yaml`` as submitted, or ``None``."""
    timestamp: str | None = None
    """The text of ``timestamp.txt``, stripped, or ``None``."""
    problem: str = ""
    """Non-empty: the submission is invalid, and this says why."""


def student_id_problem(student: str) -> str:
    """Why ``student`` cannot be used as a student id, or ``""``."""
    shown = repr(student)
    if _GLOB.search(student):
        return (
            f"student id {shown} is refused: nbgrader reads '*', '?', '[' and ']' in ids as file "
            "patterns (it would grade another student's files); rename the folder"
        )
    if not _STUDENT_ID.match(student):
        return (
            f"student id {shown} is refused: use letters, digits and . _ @ + = - only, not starting "
            "with '.', at most 128 characters (ids end up in paths, URLs and web pages); rename the folder"
        )
    return ""


def candidates(submitted: Path, assignment: str) -> list[str]:
    """Names in ``submitted/`` that may hold a submission of ``assignment``: folders that contain
    it, and links (which are not followed: they are reported as invalid)."""
    try:
        entries = list(os.scandir(submitted))
    except FileNotFoundError:
        return []
    found = []
    for entry in entries:
        if entry.is_symlink():
            found.append(entry.name)
        elif entry.is_dir(follow_symlinks=False):
            try:
                os.lstat(os.path.join(entry.path, assignment))
            except OSError:
                continue
            found.append(entry.name)
    return sorted(found)


def read_submission(
    submitted: Path,
    student: str,
    assignment: str,
    notebooks: tuple[str, ...],
    *,
    snapshot_name: str,
    timestamp_name: str,
    snapshot_limit: int,
) -> Submission:
    """Read ``submitted/<student>/<assignment>``; never raises for anything the learner did."""
    problem = student_id_problem(student)
    if problem:
        return Submission(student=student, problem=problem)
    opened: list[int] = []
    try:
        root = _open_dir(None, str(submitted), f"{submitted}")
        opened.append(root)
        student_fd = _open_dir(root, student, f"submitted/{student}")
        opened.append(student_fd)
        folder = _open_dir(student_fd, assignment, f"submitted/{student}/{assignment}")
        opened.append(folder)
        _inventory(folder, f"{student}/{assignment}")
        found = {name: _read(folder, f"{name}.ipynb", MAX_NOTEBOOK_BYTES) for name in notebooks}
        found = {name: data for name, data in found.items() if data is not None}
        if not found:
            wanted = ", ".join(f"{n}.ipynb" for n in notebooks)
            raise InvalidSubmission(f"no notebook of the assignment was submitted (expected {wanted})")
        snapshot = _read(folder, snapshot_name, snapshot_limit)
        stamp = _read(folder, timestamp_name, MAX_TIMESTAMP_BYTES)
        timestamp = None
        if stamp is not None:
            try:
                timestamp = stamp.decode("utf-8").strip() or None
            except UnicodeDecodeError:
                raise InvalidSubmission(f"{timestamp_name} is not UTF-8 text") from None
        return Submission(student=student, notebooks=found, snapshot=snapshot, timestamp=timestamp)
    except InvalidSubmission as reason:
        return Submission(student=student, problem=f"invalid submission: {reason}")
    finally:
        for fd in reversed(opened):
            os.close(fd)


def _open_dir(parent: int | None, name: str, shown: str) -> int:
    """Open a directory without following a link at its last component."""
    flags = _OPEN_FLAGS | getattr(os, "O_DIRECTORY", 0)
    try:
        if parent is None:  # the course's own submitted/ folder: the instructor's, links allowed
            return os.open(name, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
        return os.open(name, flags, dir_fd=parent)
    except OSError as err:
        if parent is not None and err.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
            raise InvalidSubmission(f"{shown} is {_kind(parent, name)}, not a folder") from None
        raise InvalidSubmission(f"cannot open {shown}: {err.strerror}") from None


def _kind(parent: int, name: str) -> str:
    try:
        mode = os.stat(name, dir_fd=parent, follow_symlinks=False).st_mode
    except OSError:
        return "unreadable"
    if stat.S_ISLNK(mode):
        try:
            return f"a symbolic link (to {os.readlink(name, dir_fd=parent)!r}), which the grader does not follow"
        except OSError:
            return "a symbolic link, which the grader does not follow"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a file"


def _inventory(folder: int, shown: str) -> None:
    """Refuse links, special files, too many entries, too deep a tree or too many bytes."""
    _walk(os.dup(folder), shown, 0, [0, 0])


def _walk(fd: int, where: str, depth: int, counts: list[int]) -> None:
    """Check the folder open as ``fd`` (closed here) and every folder below it."""
    try:
        with os.scandir(fd) as listing:  # works on a duplicate: fd stays usable for the opens below
            for entry in listing:
                counts[0] += 1
                if counts[0] > MAX_SUBMISSION_ENTRIES:
                    raise InvalidSubmission(f"more than {MAX_SUBMISSION_ENTRIES} files and folders")
                mode = entry.stat(follow_symlinks=False).st_mode
                path = f"{where}/{entry.name}"
                if stat.S_ISREG(mode):
                    counts[1] += entry.stat(follow_symlinks=False).st_size
                    if counts[1] > MAX_SUBMISSION_BYTES:
                        raise InvalidSubmission(f"over the {_size(MAX_SUBMISSION_BYTES)} limit for one submission")
                elif stat.S_ISDIR(mode):
                    if depth + 1 > MAX_SUBMISSION_DEPTH:
                        raise InvalidSubmission(f"folders nested more than {MAX_SUBMISSION_DEPTH} deep")
                    _walk(_open_dir(fd, entry.name, path), path, depth + 1, counts)
                else:
                    raise InvalidSubmission(f"{path!r} is {_kind(fd, entry.name)}; the grader reads plain files only")
    finally:
        os.close(fd)


def _read(folder: int, name: str, limit: int) -> bytes | None:
    """A regular file of the folder, at most ``limit`` bytes; ``None`` if there is none."""
    try:
        fd = os.open(name, _OPEN_FLAGS | getattr(os, "O_NONBLOCK", 0), dir_fd=folder)
    except FileNotFoundError:
        return None
    except OSError as err:
        if err.errno in (errno.ELOOP, errno.EMLINK):
            raise InvalidSubmission(f"{name} is {_kind(folder, name)}") from None
        raise InvalidSubmission(f"cannot read {name}: {err.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InvalidSubmission(f"{name} is {_kind(folder, name)}, not a regular file")
        if info.st_size > limit:
            raise InvalidSubmission(f"{name} is {_size(info.st_size)}, over the {_size(limit)} limit")
        chunks = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise InvalidSubmission(f"{name} is over the {_size(limit)} limit")
        return b"".join(chunks)
    finally:
        os.close(fd)


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.3g} KiB"
    return f"{n / 2**20:.3g} MiB"


__all__ = [
    "MAX_NOTEBOOK_BYTES",
    "MAX_SUBMISSION_BYTES",
    "InvalidSubmission",
    "Submission",
    "candidates",
    "read_submission",
    "student_id_problem",
]

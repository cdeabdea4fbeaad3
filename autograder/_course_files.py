"""The course's folders as grading uses them: where things are, and replacing them whole.

Folder names come from the course's nbgrader configuration. Grading stages each autograded
folder on the course's own file system and swaps all of them into place with the gradebook's
commit (:func:`swapped_into_place`), and writes each feedback folder beside the old one before
replacing it (:func:`replace_folder`), so that a reader never sees half of either.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from autograder._gradebook_guard import ReleaseNotebook


@dataclass(frozen=True, kw_only=True)
class Layout:
    """The course's folders, from its nbgrader configuration."""

    course: Path
    submitted: Path
    autograded: Path
    feedback: Path
    release: Path


def layout_of(config, course: Path) -> Layout:
    """The folders ``config`` (the course's nbgrader configuration) names under ``course``."""
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config)

    def folder(name: str) -> Path:
        return course / getattr(coursedir, f"{name}_directory")

    return Layout(
        course=course,
        submitted=folder("submitted"),
        autograded=folder("autograded"),
        feedback=folder("feedback"),
        release=folder("release"),
    )


def read_release(folder: Path) -> dict[str, ReleaseNotebook]:
    """Kernel metadata, nbgrader cells and their order from the release notebooks (the
    instructor's files); an unreadable one is skipped and the gradebook's data used instead."""
    release = {}
    for path in sorted(folder.glob("*.ipynb")):
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
            cells = tuple(
                (c["metadata"]["nbgrader"]["grade_id"], c["metadata"])
                for c in nb.get("cells", [])
                if isinstance(c.get("metadata", {}).get("nbgrader", {}).get("grade_id"), str)
            )
            metadata = {k: v for k, v in nb.get("metadata", {}).items() if k in ("kernelspec", "language_info")}
        except (OSError, ValueError, AttributeError, TypeError, KeyError):
            continue
        release[path.stem] = ReleaseNotebook(metadata=metadata, cells=cells)
    return release


def replace_folder(dest: Path, files: dict[str, str]) -> None:
    """Put a folder holding exactly ``files`` at ``dest`` (the old one goes only once the new is whole)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    incoming = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    for name, text in files.items():
        (incoming / name).write_text(text, encoding="utf-8")
        os.chmod(incoming / name, 0o644)
    os.chmod(incoming, 0o755)
    old = None
    if dest.exists() or dest.is_symlink():
        old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old.", dir=dest.parent))
        os.replace(dest, old / dest.name)
    os.replace(incoming, dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def swapped_into_place(autograded: Path, assignment: str, staged: dict[str, Path | None]) -> Iterator[None]:
    """Every ``autograded/<student>/<assignment>`` of ``staged`` becomes its staged folder (or
    goes, where that is ``None``: an invalid submission); all put back as they were if the block
    fails."""
    moved: list[tuple[Path, Path | None, Path | None]] = []  # dest, previous (set aside), staged
    aside = Path(tempfile.mkdtemp(prefix=".kubecourse-previous-", dir=autograded))
    try:
        for index, (student, folder) in enumerate(staged.items()):
            dest = autograded / student / assignment
            previous = None
            if dest.exists() or dest.is_symlink():
                previous = aside / str(index)
                os.replace(dest, previous)
            moved.append((dest, previous, None))
            if folder is not None:
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(folder, dest)
                moved[-1] = (dest, previous, folder)
        yield
    except BaseException:
        for dest, previous, staged in reversed(moved):
            if staged is not None and dest.exists():
                os.replace(dest, staged)
            if previous is not None:
                os.replace(previous, dest)
        shutil.rmtree(aside, ignore_errors=True)
        raise
    shutil.rmtree(aside, ignore_errors=True)


@contextlib.contextmanager
def staging(course: Path) -> Iterator[Path]:
    """A folder on the course's file system (so that staged folders move in with a rename)."""
    folder = Path(tempfile.mkdtemp(prefix=".kubecourse-grading-", dir=course))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


__all__ = ["Layout", "layout_of", "read_release", "replace_folder", "staging", "swapped_into_place"]

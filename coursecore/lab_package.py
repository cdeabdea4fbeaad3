"""Importing a lab's Python files (``checks.py``, ``lint.py`` and what they share) as one package.

A lab folder cannot be imported by name: labs are found by path, not on ``sys.path``, and
``argo-salmon`` is not an identifier. :func:`lab_module` makes each lab folder a package under a
private name derived from the folder's path, so that the lab's files import each other the usual
way (``from . import salmon_workflow``) and every tool that reads a lab file (the autograder,
the linter, the command line) gets the same module object. A package is imported again, all of
its modules at once, when a ``.py`` file directly in the folder has changed since.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
import sys
import threading
import types
from functools import lru_cache
from pathlib import Path

from coursecore.errors import UsageError

PREFIX = "_kubecourse_lab_"
_MODULE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class LabCodeError(UsageError):
    """A lab's Python file is missing, is not valid Python, or raised while it was imported."""


_lock = threading.RLock()
_imported: dict[str, tuple] = {}  # package name -> the folder's .py files as they were when imported


def package_name(folder: str | os.PathLike[str]) -> str:
    """The private package name of the lab in ``folder`` (two folders never share one)."""
    return _root_and_name(os.fspath(folder))[1]


@lru_cache(maxsize=256)
def _root_and_name(folder: str) -> tuple[Path, str]:
    # Resolving a path costs a system call per component; graders load the same lab thousands of times.
    resolved = Path(folder).resolve()
    digest = hashlib.sha1(str(resolved).encode()).hexdigest()[:10]
    return resolved, f"{PREFIX}{re.sub(r'[^A-Za-z0-9_]', '_', resolved.name)}_{digest}"


@lru_cache(maxsize=256)
def module_name(relative: str) -> str:
    """``checks.py`` -> ``checks``; ``grading/checks.py`` -> ``grading.checks``.

    Raises:
        LabCodeError: the path is not a ``.py`` file whose folder and file names are identifiers.
    """
    path = Path(relative)
    parts = [*path.parent.parts, path.stem] if path.parent != Path(".") else [path.stem]
    if path.suffix != ".py" or path.is_absolute() or not all(_MODULE.match(p) for p in parts):
        raise LabCodeError(
            f"{relative}: a lab's Python file must be a .py file inside the lab whose folder and file "
            "names are Python identifiers (letters, digits, underscores)"
        )
    return ".".join(parts)


def lab_module(folder: str | os.PathLike[str], relative: str) -> types.ModuleType:
    """The module ``relative`` (``"checks.py"``) of the lab in ``folder``, imported as part of the
    lab's package.

    Raises:
        LabCodeError: the file is missing, has a syntax error, or raised while being imported.
    """
    root, package = _root_and_name(os.fspath(folder))
    dotted = module_name(relative)
    with _lock:
        signature = _signature(root)
        if "." in dotted:
            present = (root / relative).is_file()
        else:
            present = any(entry[0] == relative for entry in signature)
        if not present:
            raise LabCodeError(f"{root / relative} not found")
        if _imported.get(package) != signature:
            _forget(package)
            _imported[package] = signature
        if package not in sys.modules:
            sys.modules[package] = _package(package, root)
        try:
            return importlib.import_module(f"{package}.{dotted}")
        except SyntaxError as err:
            where = err.filename or str(root / relative)
            raise LabCodeError(f"failed to load {where}: syntax error on line {err.lineno}: {err.msg}") from err
        except Exception as err:  # the author's module raised: report it, do not crash the tool
            raise LabCodeError(f"failed to load {root / relative}: {type(err).__name__}: {err}") from err


def _package(name: str, root: Path) -> types.ModuleType:
    package = types.ModuleType(name, f"The lab in {root}.")
    package.__path__ = [str(root)]
    package.__package__ = name
    package.__file__ = None
    return package


def _signature(root: Path) -> tuple:
    """What changes when a module of the package is edited, added or removed."""
    found = []
    try:
        with os.scandir(root) as entries:
            for entry in entries:
                if entry.name.endswith(".py") and entry.is_file():
                    stat = entry.stat()
                    found.append((entry.name, stat.st_ino, stat.st_mtime_ns, stat.st_size))
    except OSError:  # no such folder: nothing in it to import
        return ()
    return tuple(sorted(found))


def _forget(package: str) -> None:
    for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
        del sys.modules[name]
    # The path finder caches folder listings; a file written within the same clock tick as the
    # last listing would otherwise stay invisible.
    importlib.invalidate_caches()


__all__ = ["PREFIX", "LabCodeError", "lab_module", "module_name", "package_name"]

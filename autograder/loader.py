"""Loading a lab's checks: from a lab id, a lab folder or a ``checks.py`` file to its checks.

The file is imported as a module of the lab's package (:mod:`coursecore.lab_package`), so it may
import the lab's other files; its checks are the functions tagged with ``@check``, in the order
the module defines them. Import failures and invalid declarations become a
:class:`~autograder.errors.ChecksError` naming the file. A module is imported once per version of
the lab's files, so grading many snapshots imports each ``checks.py`` once.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from autograder.checks import tagged
from autograder.errors import ChecksError
from autograder.results import Check
from coursecore import labs as catalogue
from coursecore.lab_package import LabCodeError, lab_module
from coursecore.labs import Lab


@dataclass(frozen=True, kw_only=True)
class LabChecks:
    """A lab and the checks its ``checks.py`` declares, in declaration order."""

    lab_id: str
    lab: Lab | None
    """The lab's metadata; ``None`` when a bare ``checks.py`` was loaded."""
    path: Path
    """The ``checks.py`` file."""
    checks: tuple[Check, ...]


_lock = threading.Lock()


def resolve_lab(lab: str | Path | Lab) -> Lab:
    """A :class:`Lab` from an id (``first-pod``), a lab folder, or a Lab itself."""
    if isinstance(lab, Lab):
        return lab
    text = str(lab)
    candidate = Path(text)
    if isinstance(lab, Path) or "/" in text or text.startswith("."):
        if (candidate / "lab.yaml").is_file():
            return _load_lab(candidate)
        raise ChecksError(f"{candidate} is not a lab folder (it has no lab.yaml)")
    folder = catalogue.labs_root() / text
    if catalogue.LAB_ID.match(text) and (folder / "lab.yaml").is_file():
        return _load_lab(folder)
    return catalogue.find(text)  # raises the catalogue's "unknown lab" error, listing the labs


_labs: dict[tuple[str, int, int, int, int], Lab] = {}


def _load_lab(folder: Path) -> Lab:
    # Parsing lab.yaml with the guarded pure-Python reader costs more than grading a small
    # snapshot: keep each version of the file once.
    try:
        stat = os.stat(folder / "lab.yaml")
    except OSError:
        return catalogue.load_lab(folder)
    key = (str(folder), stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_size)
    with _lock:
        if key not in _labs:
            _labs[key] = catalogue.load_lab(folder)
        return _labs[key]


def load_checks(lab: str | Path | Lab) -> LabChecks:
    """The checks of ``lab`` (an id, a lab folder, a Lab, or a path to a ``checks.py``).

    Raises:
        UsageError: unknown lab or invalid lab.yaml (from :mod:`coursecore.labs`).
        ChecksError: the checks file is missing, fails to import or declares no valid checks.
    """
    if not isinstance(lab, Lab) and str(lab).endswith(".py"):
        path = Path(lab)
        return LabChecks(lab_id=path.parent.name, lab=None, path=path, checks=_import_checks(path.parent, path.name))
    found = resolve_lab(lab)
    path = found.path / found.grading.checks
    return LabChecks(lab_id=found.id, lab=found, path=path, checks=_import_checks(found.path, found.grading.checks))


_collected: dict[str, tuple[ModuleType, tuple[Check, ...]]] = {}


def _import_checks(folder: Path, relative: str) -> tuple[Check, ...]:
    path = folder / relative
    try:
        module = lab_module(folder, relative)
    except LabCodeError as err:
        raise ChecksError(f"checks file not found: {path}" if not path.is_file() else err.message) from err
    with _lock:
        known = _collected.get(module.__name__)
        if known is None or known[0] is not module:
            known = _collected[module.__name__] = (module, collect_checks(module, path))
        return known[1]


def collect_checks(module: ModuleType, path: Path | str = "") -> tuple[Check, ...]:
    """The checks tagged with ``@check`` among ``module``'s names, in the order the module defines
    them (a function bound to two names counts once).

    Raises:
        ChecksError: none are tagged, or two share an id.
    """
    where = path or module.__name__
    found: dict[str, Check] = {}
    for value in vars(module).values():
        declared = tagged(value)
        if declared is None or found.get(declared.id) is declared:
            continue
        if declared.id in found:
            raise ChecksError(
                f"{where}: duplicate check id {declared.id!r} "
                f"({found[declared.id].function.__name__} and {declared.function.__name__})"
            )
        found[declared.id] = declared
    if not found:
        raise ChecksError(f"{where} declares no checks", hint="decorate functions with @check from autograder.checks")
    return tuple(found.values())


__all__ = ["LabChecks", "collect_checks", "load_checks", "resolve_lab"]

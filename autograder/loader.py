"""Loading a lab's checks: from a lab id, a lab folder or a ``checks.py`` file to its checks.

The file is imported with importlib under a private module name (it is not on ``sys.path`` and
must not shadow anything that is). Import failures and invalid declarations become a
:class:`~autograder.errors.ChecksError` naming the file. Loaded modules are cached by path and
modification time, so grading many snapshots imports each ``checks.py`` once.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from autograder.errors import ChecksError
from autograder.results import Check
from coursecore import labs as catalogue
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


_cache: dict[tuple[int, int, int, int], tuple[Check, ...]] = {}
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
        return LabChecks(lab_id=path.parent.name, lab=None, path=path, checks=_import_checks(path))
    found = resolve_lab(lab)
    path = found.path / found.grading.checks
    return LabChecks(lab_id=found.id, lab=found, path=path, checks=_import_checks(path))


def _import_checks(path: Path) -> tuple[Check, ...]:
    try:
        stat = os.stat(path)
    except OSError:
        raise ChecksError(f"checks file not found: {path}") from None
    # (device, inode) names the file whatever path reached it, without resolving symlinks.
    key = (stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_size)
    with _lock:
        if key not in _cache:
            _cache[key] = _execute(path.resolve())
        return _cache[key]


def _execute(path: Path) -> tuple[Check, ...]:
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:12]
    name = f"_kubecourse_checks_{path.parent.name.replace('-', '_')}_{digest}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ChecksError(f"cannot load checks from {path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    # Registered while it runs so that dataclasses and pickling inside checks.py can find it.
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as err:
        raise ChecksError(f"failed to load checks {path}: syntax error on line {err.lineno}: {err.msg}") from err
    except Exception as err:  # the author's module raised: report it, do not crash the grader
        raise ChecksError(f"failed to load checks {path}: {type(err).__name__}: {err}") from err
    finally:
        sys.modules.pop(name, None)
    checks = getattr(module, "CHECKS", None)
    if not checks:
        raise ChecksError(f"{path} declares no checks (decorate functions with @check from autograder.checks)")
    if not isinstance(checks, list) or not all(isinstance(c, Check) for c in checks):
        raise ChecksError(f"{path}: CHECKS must be the list built by @check, not {type(checks).__name__}")
    return tuple(checks)


__all__ = ["LabChecks", "load_checks", "resolve_lab"]

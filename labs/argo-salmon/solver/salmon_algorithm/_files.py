"""Writing result files atomically, so a collect step never reads half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from salmon_algorithm.errors import SalmonError


def write_atomically(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
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


__all__ = ["write_atomically"]

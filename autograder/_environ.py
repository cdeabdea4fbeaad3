"""The one place the grader changes its own process environment, for the length of a block.

nbgrader runs inside kubecourse's process and starts its kernels and ``alembic`` with this
process's environment (it takes no ``env=``), so what those children need is set here and put
back when the block ends. Programs kubecourse starts itself get ``env=`` instead. The one
deliberate, lasting change is :func:`autograder.notebook_sandbox.use_sandbox`, which runs inside a
learner's notebook kernel and exports ``KUBECONFIG``, ``NS`` and ``PATH`` so that the notebook's
``!kubectl`` cells inherit them. (The course's ``nbgrader_config.py`` also exports ``PATH`` and
``KUBECOURSE_LABS`` when nbgrader loads it, for the kernels of plain nbgrader commands: see
:mod:`autograder._nbgrader`.)
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator


@contextlib.contextmanager
def patched_environ(**changes: str | None) -> Iterator[None]:
    """Set (a string) or unset (``None``) each variable meanwhile; restore all of them afterwards."""
    saved = {name: os.environ.get(name) for name in changes}
    try:
        _apply(changes)
        yield
    finally:
        _apply(saved)


def _apply(values: dict[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


__all__ = ["patched_environ"]

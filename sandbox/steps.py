"""The timed steps of preparing a lab, as ``start`` and ``class up --lab`` report them.

Each step is announced before it runs and recorded after as ``{"step", "detail", "seconds"}``:
the records are the ``steps`` of ``kubecourse start --json`` and of each learner in ``class up
--json``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from sandbox.backend import Progress, quiet

T = TypeVar("T")


class Steps:
    """Runs steps in order, telling ``progress`` each one's title first; ``done`` holds the records."""

    def __init__(self, progress: Progress = quiet) -> None:
        self.progress = progress
        self.done: list[dict[str, Any]] = []

    def run(self, title: str, action: Callable[[], T], detail: Callable[[T], str]) -> T:
        """Run ``action`` as step ``title``; ``detail`` says in a few words what it did."""
        self.progress(title)
        t0 = time.monotonic()
        outcome = action()
        self.done.append({"step": title, "detail": detail(outcome), "seconds": round(time.monotonic() - t0, 3)})
        return outcome


__all__ = ["Steps"]

"""A live display of ``class up`` / ``class down`` on stderr: an overall bar, one spinner line per
learner being worked on (with its current step), and a line per learner as it finishes.

When stderr is not a terminal, rich draws no live region and only the finished lines appear, so
logs of unattended runs stay readable.
"""

from __future__ import annotations

import threading

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from sandbox.class_run import LearnerResult


class LiveProgress:
    """An :class:`sandbox.class_run.Observer` that draws with rich."""

    def __init__(self, console: Console | None = None, action: str = "creating") -> None:
        self.console = console or Console(stderr=True, highlight=False)
        self.action = action
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
        )
        self._overall = None
        self._tasks: dict[str, int] = {}
        self._failed = 0
        self._lock = threading.Lock()

    def begin(self, total: int) -> None:
        self._progress.start()
        self._overall = self._progress.add_task(f"{self.action} sandboxes", total=total)

    def started(self, name: str) -> None:
        with self._lock:
            self._tasks[name] = self._progress.add_task(f"  {name}", total=None)

    def step(self, name: str, text: str) -> None:
        with self._lock:
            task = self._tasks.get(name)
            if task is not None:
                self._progress.update(task, description=f"  {name}: {text}")

    def finished(self, result: LearnerResult) -> None:
        with self._lock:
            task = self._tasks.pop(result.name, None)
            if task is not None:
                self._progress.remove_task(task)
            if result.ok:
                self._progress.console.print(f"[green]✓[/green] {result.name} {result.status} ({result.seconds:.1f} s)")
            else:
                self._failed += 1
                self._progress.console.print(f"[red]✗[/red] {result.name}: {result.error}", markup=True)
            self._progress.update(
                self._overall,
                advance=1,
                description=f"{self.action} sandboxes"
                + (f" ([red]{self._failed} failed[/red])" if self._failed else ""),
            )

    def end(self) -> None:
        self._progress.stop()


__all__ = ["LiveProgress"]

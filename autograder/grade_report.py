"""The class's grades as files: a CSV for the registrar's spreadsheet and a distribution figure.

Both are written next to each other in ``course/grades/`` and replaced atomically, so a half
written file never sits where the previous good one was.
"""

from __future__ import annotations

import csv
import io
import os
import statistics
from collections.abc import Sequence
from pathlib import Path

# A spreadsheet evaluates a cell that starts with one of these (OWASP's "CSV injection"):
# =1+1, +cmd, -2+3, @SUM(...), and a tab or carriage return before any of them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value: str) -> str:
    """A text cell a spreadsheet shows as text: a leading formula character (after any leading
    spaces, which spreadsheets skip) gets a ``'`` before it."""
    text = str(value)
    return "'" + text if text.lstrip(" ").startswith(FORMULA_STARTS) else text


def write_csv(path: Path, assignment: str, students: Sequence) -> Path:
    """One row per submission: the score after any late penalty, the penalty, each check's
    recorded points, and why a submission was not graded."""
    checks: list[str] = []
    for s in students:
        for c in s.checks:
            if c.id not in checks:
                checks.append(c.id)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            neutralise(h)
            for h in ["student", "assignment", "status", "score", "max_score", "late_penalty", *checks, "note"]
        ]
    )
    for s in students:
        by_check = {c.id: c.points for c in s.checks}
        cells = ["" if c not in by_check else f"{by_check[c]:g}" for c in checks]
        note = "; ".join(filter(None, [s.problem, s.snapshot_note]))
        writer.writerow(
            [
                neutralise(s.student),
                neutralise(assignment),
                s.status,
                f"{s.final_score:g}",
                f"{s.max_score:g}",
                f"{s.late_penalty:g}",
                *cells,
                neutralise(note),
            ]
        )
    _replace(Path(path), buffer.getvalue().encode())
    return Path(path)


def write_histogram(path: Path, assignment: str, students: Sequence, *, painter=None) -> Path | None:
    """A histogram of the graded scores after late penalties (PNG); ``None`` when nothing was graded.

    Args:
        painter: a :class:`BackgroundPainter` already running (else the figure is drawn here).
    """
    graded = [s for s in students if s.graded]
    if not graded:
        return None
    scores = [s.final_score for s in graded]
    top = max(s.max_score for s in graded) or 1.0
    data = painter.paint(assignment, scores, top) if painter is not None else histogram_png(assignment, scores, top)
    _replace(Path(path), data)
    return Path(path)


def histogram_png(assignment: str, scores: list[float], top: float) -> bytes:
    """The histogram as PNG bytes: bars centred on whole points, the mean and median in the title."""
    import matplotlib

    matplotlib.use("Agg")  # no display on grading servers
    from matplotlib.figure import Figure

    bins = _bins(top)
    figure = Figure(figsize=(6.4, 3.6), dpi=120)
    ax = figure.subplots()
    ax.hist(scores, bins=bins, color="#3b6ea5", edgecolor="white")
    ax.set_xlim(bins[0], bins[-1])
    ax.set_xlabel(f"score (out of {top:g})")
    ax.set_ylabel("submissions")
    ax.set_title(
        f"{assignment}: {len(scores)} graded, mean {statistics.fmean(scores):.2f}, median {statistics.median(scores):g}"
    )
    ax.yaxis.get_major_locator().set_params(integer=True)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


class BackgroundPainter:
    """Draws the histogram in a process forked before grading starts.

    Importing the plotting library costs about half a second of CPU; forked first, the child
    imports it on another core while grading goes on, and draws when the scores arrive. Only a
    single-threaded process on Linux forks (forking with threads running is unsafe); everywhere
    else, and if the child fails, the figure is drawn in this process.
    """

    def __init__(self) -> None:
        self._conn = None
        self._process = None

    def __enter__(self) -> BackgroundPainter:
        import multiprocessing
        import sys
        import threading

        if sys.platform.startswith("linux") and threading.active_count() == 1:
            context = multiprocessing.get_context("fork")
            self._conn, child = context.Pipe()
            self._process = context.Process(target=_paint_when_asked, args=(child,), daemon=True)
            self._process.start()
            child.close()
        return self

    def paint(self, assignment: str, scores: list[float], top: float) -> bytes:
        if self._process is not None and self._process.is_alive():
            try:
                self._conn.send((assignment, scores, top))
                if self._conn.poll(120):
                    status, value = self._conn.recv()
                    if status == "ok":
                        return value
            except (OSError, EOFError):
                pass
        return histogram_png(assignment, scores, top)

    def __exit__(self, *exc) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._process is not None:
            self._process.join(timeout=5)
            if self._process.is_alive():
                self._process.terminate()


def _paint_when_asked(conn) -> None:
    """The forked child: import the plotting library now, draw one figure when asked."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.figure

        assignment, scores, top = conn.recv()
        conn.send(("ok", histogram_png(assignment, scores, top)))
    except EOFError:
        pass  # the parent needed no figure
    except Exception as error:  # noqa: BLE001 - the parent draws it itself and reports a real problem
        try:
            conn.send(("error", f"{type(error).__name__}: {error}"))
        except OSError:
            pass
    finally:
        conn.close()


def _bins(top: float) -> list[float]:
    # Bars centred on 0, 1, 2 ... points (at most 21 bars), so a bar is one score, not a range
    # whose right edge silently merges the top two.
    steps = min(20, max(1, int(round(top)))) if top >= 1 else 4
    width = top / steps
    return [(i - 0.5) * width for i in range(steps + 2)]


def _replace(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


__all__ = ["FORMULA_STARTS", "BackgroundPainter", "histogram_png", "neutralise", "write_csv", "write_histogram"]

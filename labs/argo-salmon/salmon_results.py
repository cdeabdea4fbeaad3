"""The "Salmon results" summary of one run of the lab's workflow, as the 2019 study reported it.

Best score and the seed that found it, mean and spread over the seeds, the generation the best
tour was first found, and how far the best is from the instance's best known score, next to what
a strong baseline scores on it. Those two come from the lab's records, not from a run:
``data/<instance>.layout.json`` (the true fragment layout, kept beside a generated instance) and
``data/baselines.json`` (best known scores and LKH-3's result per instance, written by
``scripts/bench_salmon_baselines.py --record``). The runs are read from the Workflow object's
node outputs only; rendered as a table (terminal or notebook) and a figure.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass
from html import escape
from pathlib import Path
from typing import Any

from . import salmon_workflow as sw

_HERE = Path(__file__).resolve().parent


@dataclass(frozen=True, kw_only=True)
class RunResult:
    """One solver run as the Workflow recorded it."""

    seed: str
    phase: str
    score: int | None
    """The run's assembly score (higher is better), None if it exposed none."""
    generation: int | None
    """The generation its best tour was first found, if the template exposes it."""
    seconds: float | None
    """The pod's wall time, from the node's start and finish."""


@dataclass(frozen=True, kw_only=True)
class Baseline:
    """A strong method's recorded result on the instance, to compare a study with."""

    method: str
    """What ran, e.g. ``LKH-3 (elkai, 10 runs)``."""
    score: int
    """Its assembly score on the instance."""
    cpu_seconds: float
    """Its CPU time, once, on the machine that recorded it."""


@dataclass(frozen=True, kw_only=True)
class Known:
    """What the lab's records say about an instance."""

    true_layout: int | None = None
    """The true layout's score (generated instances only)."""
    best_known: int | None = None
    """The highest score known for the instance (a layout may beat the true one's overlap)."""
    source: str | None = None
    """Where the best known score comes from."""
    baseline: Baseline | None = None


@dataclass(frozen=True, kw_only=True)
class SalmonSummary:
    """The study's numbers for one workflow."""

    workflow: str
    phase: str
    instance: str | None
    runs: tuple[RunResult, ...]
    best_score: int | None
    """The highest score over the runs (recomputed here, not taken from the collect step)."""
    best_seeds: tuple[str, ...]
    """Every seed that reached the best score."""
    best_generation: int | None
    """The earliest generation in which a best-scoring run found its tour."""
    mean: float | None
    stdev: float | None
    """Sample standard deviation over the scored runs (0 for one run)."""
    best_known: int | None
    """The instance's best known score (None if unknown): the true layout's, or a better one recorded."""
    best_known_source: str | None
    """Where the best known score comes from."""
    true_layout: int | None
    """The true layout's score, for a generated instance."""
    baseline: Baseline | None
    """A strong baseline's recorded result on the instance, if any."""
    reported_best_score: str | None
    """What the collect step reported, to compare."""
    reported_best_seed: str | None
    wall_seconds: float | None
    """The whole workflow's wall time."""

    @property
    def scored(self) -> list[RunResult]:
        return [r for r in self.runs if r.score is not None]

    def verdict(self) -> str:
        """One line comparing the best with the best known score."""
        if self.best_score is None:
            return "no run reported a score"
        if self.best_known is None:
            return f"best {self.best_score} (no known answer for this instance)"
        if self.best_score >= self.best_known:
            return f"best {self.best_score} reaches the best known score {self.best_known}"
        gap = 100 * (self.best_known - self.best_score) / self.best_known
        return f"best {self.best_score} is {gap:.1f}% below the best known score {self.best_known}"

    def rows(self) -> list[tuple[str, str]]:
        """(quantity, value) rows of the summary table."""

        def fmt(x: Any) -> str:
            return "-" if x is None else f"{x:.1f}" if isinstance(x, float) else str(x)

        return [
            ("workflow", f"{self.workflow} ({self.phase or 'no status'})"),
            ("instance", fmt(self.instance)),
            ("runs scored", f"{len(self.scored)} of {len(self.runs)}"),
            ("best score", fmt(self.best_score)),
            ("best seed(s)", ", ".join(self.best_seeds) or "-"),
            ("found in generation", fmt(self.best_generation)),
            ("mean score", fmt(self.mean)),
            ("standard deviation", fmt(self.stdev)),
            (
                "best known score",
                fmt(self.best_known) + (f" ({self.best_known_source})" if self.best_known_source else ""),
            ),
            ("true layout score", fmt(self.true_layout)),
            (
                "baseline",
                "-"
                if self.baseline is None
                else f"{self.baseline.method}: {self.baseline.score} in {self.baseline.cpu_seconds:g} s of CPU",
            ),
            (
                "collect step reported",
                f"best-score {fmt(self.reported_best_score)}, best-seed {fmt(self.reported_best_seed)}",
            ),
            ("workflow wall time", "-" if self.wall_seconds is None else f"{self.wall_seconds:.0f} s"),
        ]

    def to_json(self) -> dict:
        data = asdict(self)
        data["runs"] = [asdict(r) for r in self.runs]
        data["best_seeds"] = list(self.best_seeds)
        data["baseline"] = (
            None if self.baseline is None else {k.replace("_", "-"): v for k, v in asdict(self.baseline).items()}
        )
        data["verdict"] = self.verdict()
        return {k.replace("_", "-"): v for k, v in data.items()}

    def _repr_html_(self) -> str:
        head = "".join(
            f"<tr><th style='text-align:left'>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in self.rows()
        )
        runs = "".join(
            f"<tr><td>{escape(r.seed)}</td><td>{r.score if r.score is not None else '-'}</td>"
            f"<td>{r.generation if r.generation is not None else '-'}</td><td>{escape(r.phase)}</td></tr>"
            for r in self.runs
        )
        return (
            f"<p><b>Salmon results</b>: {escape(self.verdict())}</p><table>{head}</table>"
            f"<table><tr><th>seed</th><th>score</th><th>generation</th><th>phase</th></tr>{runs}</table>"
        )

    def figure(self):
        """A matplotlib figure: score per seed against the known answer, and when it was found."""
        # pyplot picks a non-interactive backend on a machine without a display, and the inline
        # one in a notebook, where the figure then shows itself.
        from matplotlib import pyplot as plt

        runs = sorted(self.scored, key=lambda r: (-r.score, int(r.seed) if r.seed.isdigit() else 0, r.seed))
        fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), gridspec_kw={"width_ratios": [3, 2]})
        seeds = [r.seed for r in runs]
        left.bar(
            seeds, [r.score for r in runs], color=["#2a7ab0" if r.seed in self.best_seeds else "#9cc3dd" for r in runs]
        )
        if self.best_known is not None:
            left.axhline(self.best_known, color="#c0392b", linestyle="--", label=f"best known {self.best_known}")
        if self.baseline is not None and self.baseline.score != self.best_known:
            left.axhline(
                self.baseline.score,
                color="#e08a1e",
                linestyle="-.",
                label=f"{self.baseline.method} {self.baseline.score}",
            )
        if self.mean is not None:
            left.axhline(self.mean, color="#555555", linestyle=":", label=f"mean {self.mean:.1f}")
        low = min([r.score for r in runs] + ([self.best_known] if self.best_known else []), default=0)
        high = max([r.score for r in runs] + ([self.best_known] if self.best_known else []), default=1)
        left.set_ylim(low - 0.15 * (high - low + 1), high + 0.1 * (high - low + 1))
        left.set_xlabel("seed")
        left.set_ylabel("assembly score (higher is better)")
        left.set_title(f"{self.workflow}: best score per seed")
        left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, fontsize=8, frameon=False)
        gens = [r for r in runs if r.generation is not None]
        right.scatter([r.generation for r in gens], [r.score for r in gens], color="#2a7ab0")
        for r in gens:
            right.annotate(r.seed, (r.generation, r.score), fontsize=7, xytext=(3, 3), textcoords="offset points")
        right.set_xlabel("generation the best tour was found")
        right.set_ylabel("score")
        right.set_title("when each run found its best")
        fig.tight_layout()
        return fig


def known(lab_folder: Path, instance: str | None) -> Known:
    """What the lab's data folder records about ``instance``: its true layout, best known score, baseline."""
    if not instance:
        return Known()
    name = Path(instance).name
    data = Path(lab_folder) / "data"
    true_layout = _read_json(data / f"{name}.layout.json").get("true-score")
    true_layout = true_layout if _is_int(true_layout) else None
    entry = _read_json(data / "baselines.json").get(name)
    entry = entry if isinstance(entry, dict) else {}
    recorded = entry.get("best-known") if _is_int(entry.get("best-known")) else None
    lkh = entry.get("lkh") if isinstance(entry.get("lkh"), dict) else {}
    baseline = None
    if isinstance(lkh.get("method"), str) and _is_int(lkh.get("score")) and _is_number(lkh.get("cpu-seconds")):
        baseline = Baseline(method=lkh["method"], score=lkh["score"], cpu_seconds=float(lkh["cpu-seconds"]))
    # The higher of the recorded best and the true layout (a layout can overlap more than the truth).
    options = [(v, why) for v, why in ((recorded, entry.get("best-known-source")), (true_layout, "the true layout"))]
    options = [(v, why) for v, why in options if v is not None]
    best, source = max(options, key=lambda option: option[0]) if options else (None, None)
    return Known(
        true_layout=true_layout,
        best_known=best,
        source=source if isinstance(source, str) else None,
        baseline=baseline,
    )


def _read_json(path: Path) -> dict:
    """A JSON object from the lab's own data, or {} if it is missing or not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def summarize(workflow: dict, *, lab_folder: Path = _HERE) -> SalmonSummary:
    """The summary of one Workflow object."""
    wf = sw.read(workflow)
    runs = tuple(
        RunResult(
            seed=str(r.seed),
            phase=r.phase,
            score=sw.as_int(r.score) if r.phase == "Succeeded" else None,
            generation=sw.as_int(r.generation),
            seconds=(r.finished - r.started).total_seconds() if r.started and r.finished else None,
        )
        for r in wf.runs
    )
    scores = [r.score for r in runs if r.score is not None]
    best = max(scores) if scores else None
    winners = [r for r in runs if r.score is not None and r.score == best]
    gens = [r.generation for r in winners if r.generation is not None]
    facts = known(lab_folder, wf.instance)
    return SalmonSummary(
        workflow=wf.name,
        phase=wf.phase,
        instance=wf.instance,
        runs=runs,
        best_score=best,
        best_seeds=tuple(r.seed for r in winners),
        best_generation=min(gens) if gens else None,
        mean=statistics.fmean(scores) if scores else None,
        stdev=statistics.stdev(scores) if len(scores) > 1 else 0.0 if scores else None,
        best_known=facts.best_known,
        best_known_source=facts.source,
        true_layout=facts.true_layout,
        baseline=facts.baseline,
        reported_best_score=wf.collect.best_score if wf.collect else None,
        reported_best_seed=wf.collect.best_seed if wf.collect else None,
        wall_seconds=(wf.finished - wf.started).total_seconds() if wf.started and wf.finished else None,
    )


__all__ = ["Baseline", "Known", "RunResult", "SalmonSummary", "known", "summarize"]

"""The Salmon algorithm's run: its parameters, its result, and :func:`solve` tying them together.

The loop itself lives in :mod:`salmon_algorithm._kernels`, compiled by numba on first use (and
cached), or ahead of time into ``_salmon_aot`` where the image built it (:mod:`._aot`). This
module checks the parameters, estimates a target length when none is given, times the run and
shapes the result that the command line prints as JSON.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass

import numpy as np

from salmon_algorithm.errors import SalmonError
from salmon_algorithm.instance import Instance, layout_of, score_of

try:  # the container image compiles the loop ahead of time (see _aot): no numba at run time
    from salmon_algorithm import _salmon_aot as _compiled

    BACKEND = "aot"
except ImportError:  # elsewhere numba compiles it on first use and caches it (see _kernels)
    from salmon_algorithm import _kernels as _compiled

    BACKEND = "jit"

MAX_SEED = 2**63 - 1
GREEDY_STARTS = 16


@dataclass(frozen=True, kw_only=True)
class Parameters:
    """The search's knobs, named as in the original; defaults are its tuned dna40 values (ELITE aside)."""

    generations: int = 425
    """GENERATIONS: generations to run (fewer if the target is reached)."""
    population: int = 650
    """POPULATION: salmon per generation."""
    survival: int = 39
    """SURVIVAL: the shortest tours that spawn the next generation."""
    memory: float = 0.79
    """MEMORY (phi): probability of taking the next vertex from the parent's tour."""
    beta: float = 1.36
    """BETA (alpha): exponent on flow in the roulette."""
    elite: int = 10
    """ELITE: members the best-ever tour overwrites after a generation that did not beat it; 0
    turns it off. The original's loop bound was the character 'Y', so it overwrote 89, but here
    89 measured a lower dna40 mean (11353 over 60 runs) than 30 (11390), 10 (11413) or 0 (11422)."""
    best_known: float | None = None
    """BEST_KNOWN: target tour length; scales the flows and stops the run once reached.
    None: estimate it from a greedy tour and run every generation."""

    def check(self) -> None:
        """Raise SalmonError naming the first parameter out of range."""
        limits = [
            ("generations", 1 <= self.generations <= 1_000_000, "must be 1 to 1000000"),
            ("population", 1 <= self.population <= 1_000_000, "must be 1 to 1000000"),
            ("survival", 1 <= self.survival <= self.population, "must be 1 to the population"),
            ("memory", 0.0 <= self.memory <= 1.0, "is a probability, 0 to 1"),
            ("beta", 0.0 <= self.beta <= 10.0, "must be 0 to 10"),
            ("elite", 0 <= self.elite <= self.population, "must be 0 to the population"),
        ]
        for name, ok, rule in limits:
            if not ok:
                raise SalmonError(f"--{name} {getattr(self, name)} {rule}")
        if self.best_known is not None and not (math.isfinite(self.best_known) and self.best_known > 0):
            raise SalmonError(f"--best-known {self.best_known} must be a positive tour length")


@dataclass(frozen=True, kw_only=True)
class Result:
    """One run's outcome; :meth:`as_json` is the object the command line prints."""

    instance: str
    """The instance's file name."""
    format: str
    """``"dna"`` or ``"tsp"``: says whether a higher or a lower score is better."""
    seed: int
    """The seed that reproduces this run."""
    score: float | int
    """DNA: assembly score N * 10000 - length (higher is better); TSP: the tour length."""
    length: float | int
    """The best tour's length, closing edge included (an integer for DNA)."""
    generation: int
    """The generation (1-based) in which the best tour was first found."""
    generations_run: int
    """Generations actually run: fewer than asked when the target was reached."""
    seconds: float
    """Wall time of the search in seconds: loading numba's cached code included, reading the
    instance and interpreter start-up excluded."""
    tour: list[int]
    """The best tour, vertices numbered from 0 in file order."""
    layout: list[int] | None
    """DNA only: the tour cut at the dummy vertex, the fragment order of the assembly."""
    best_known: float | int
    """The target length used (given, or estimated from a greedy tour); an int when whole."""
    best_known_estimated: bool
    """True when no target was given and the greedy estimate scaled the flows."""
    parameters: dict
    """The parameters of the run, for the record."""

    def as_json(self) -> dict:
        """The result as a JSON-ready dict with the field names of the lab's contract."""
        data = asdict(self)
        renamed = {key.replace("_", "-"): value for key, value in data.items()}
        if self.layout is None:
            del renamed["layout"]
        return renamed


def estimate_best_known(instance: Instance) -> float:
    """A target length for an instance without one: the best nearest-neighbour tour's length."""
    starts = np.unique(np.linspace(0, instance.n - 1, GREEDY_STARTS).astype(np.int64))
    cost = np.ascontiguousarray(instance.cost, dtype=np.float64)
    return float(_compiled.greedy_length(cost, starts))


def lower_bound(instance: Instance) -> float:
    """No tour is shorter than the sum over vertices of their cheapest outgoing edge."""
    cost = instance.cost + np.diag(np.full(instance.n, np.inf))
    return float(cost.min(axis=1).sum())


def solve(instance: Instance, params: Parameters, seed: int) -> Result:
    """Run the Salmon algorithm once on ``instance`` with ``seed``; deterministic per seed."""
    params.check()
    if not 0 <= seed <= MAX_SEED:
        raise SalmonError(f"--seed {seed} must be 0 to {MAX_SEED}")
    started = time.perf_counter()
    estimated = params.best_known is None
    if estimated:
        best_known = estimate_best_known(instance)
        stop_at = -math.inf  # a greedy length is no target to stop at
    else:
        best_known = float(params.best_known)
        bound = lower_bound(instance)
        if best_known < bound * (1 - 1e-9):
            hint = (
                f"; for DNA give a length, N*10000 - score (score {int(best_known)} is length "
                f"{instance.n * 10000 - int(best_known)})"
                if instance.format == "dna"
                else ""
            )
            raise SalmonError(
                f"--best-known {best_known:g} is below {bound:g}, a lower bound on every tour "
                f"length of {instance.name}{hint}"
            )
        stop_at = best_known
    cost = np.ascontiguousarray(instance.cost, dtype=np.float64)
    tour, length, generation, generations_run = _compiled.run_salmon(
        cost,
        float(best_known),
        float(stop_at),
        int(params.generations),
        int(params.population),
        int(params.survival),
        float(params.memory),
        float(params.beta),
        int(params.elite),
        int(seed),
    )
    seconds = time.perf_counter() - started
    length = int(round(length)) if instance.format == "dna" else float(length)
    order = [int(v) for v in tour]
    return Result(
        instance=instance.name,
        format=instance.format,
        seed=int(seed),
        score=score_of(instance, length),
        length=length,
        generation=int(generation),
        generations_run=int(generations_run),
        seconds=round(seconds, 3),
        tour=order,
        layout=layout_of(instance, order) if instance.format == "dna" else None,
        best_known=int(best_known) if float(best_known).is_integer() else best_known,
        best_known_estimated=estimated,
        parameters={key: value for key, value in asdict(params).items() if key != "best_known"},
    )


__all__ = ["BACKEND", "MAX_SEED", "Parameters", "Result", "estimate_best_known", "lower_bound", "solve"]

"""Summarise a folder of per-seed solver results: the lab workflow's collect step.

``python -m salmon_algorithm.collect DIR`` reads every ``*.json`` result that the solver runs wrote
into DIR (``--output DIR/SEED.json``) and prints one JSON object::

    {"best-score": 11478, "best-seed": 7, "runs": 10, "mean": 11401.3, "stdev": 41.2}

The best is the highest score for DNA instances and the shortest tour for TSP; among equal
scores the lowest seed wins. ``--instance FILE`` first re-checks every result's score against
its tour (a dishonest or corrupted result is an error); ``--params-dir DIR`` also writes the files
``best-score`` and ``best-seed`` there, ready to be read as Argo output parameters.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from salmon_algorithm._argparse import Parser, exit_with, formatter
from salmon_algorithm._files import read_bounded, write_atomically
from salmon_algorithm.errors import EXIT_USAGE, SalmonError
from salmon_algorithm.instance import read_instance, verify

MAX_RESULT_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, kw_only=True)
class Summary:
    """The collected outcome of several runs of one instance."""

    best_score: float | int
    """The best run's score (highest for DNA, lowest for TSP)."""
    best_seed: int
    """The seed of a run with the best score (the lowest such seed)."""
    runs: int
    """How many results were read."""
    mean: float
    """Mean score over the runs."""
    stdev: float
    """Sample standard deviation of the scores (0 for a single run)."""

    def as_json(self) -> dict:
        """The summary with the lab's kebab-case keys."""
        return {
            "best-score": self.best_score,
            "best-seed": self.best_seed,
            "runs": self.runs,
            "mean": round(self.mean, 3),
            "stdev": round(self.stdev, 3),
        }


def read_results(folder: str | Path) -> list[dict]:
    """Every solver result in ``folder`` (its ``*.json`` files, hidden files skipped), by seed."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SalmonError(f'failed to collect results: "{folder}" is not a folder')
    results = []
    for path in sorted(folder.glob("*.json")):
        if path.name.startswith(".") or not path.is_file():
            continue
        results.append(_read_result(path))
    if not results:
        raise SalmonError(f'failed to collect results: no *.json result files in "{folder}"')
    return sorted(results, key=lambda r: r["seed"])


def _read_result(path: Path) -> dict:
    where = f'failed to read result "{path}"'
    try:
        raw = read_bounded(path, MAX_RESULT_BYTES)
    except OSError as err:
        raise SalmonError(f"{where}: {err.strerror or err}") from err
    except ValueError as err:  # not a regular file, or too large
        raise SalmonError(f"{where}: {err}") from err
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise SalmonError(f"{where}: not a JSON result ({err})") from err
    if not isinstance(data, dict):
        raise SalmonError(f"{where}: expected a JSON object")
    seed, score = data.get("seed"), data.get("score")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise SalmonError(f"{where}: its seed is missing or not an integer")
    if not isinstance(score, (int, float)) or isinstance(score, bool):
        raise SalmonError(f"{where}: its score is missing or not a number")
    if data.get("format", "dna") not in ("dna", "tsp"):
        raise SalmonError(f"{where}: unknown format {data.get('format')!r}")
    data["_path"] = str(path)
    return data


def summarise(results: Sequence[dict]) -> Summary:
    """The best run, mean and spread of results of one instance."""
    formats = {r.get("format", "dna") for r in results}
    instances = {r.get("instance") for r in results}
    if len(formats) > 1 or len(instances) > 1:
        raise SalmonError(f"failed to collect results: they mix instances or formats ({sorted(map(str, instances))})")
    higher_is_better = formats.pop() == "dna"
    best = min(results, key=lambda r: (-r["score"] if higher_is_better else r["score"], r["seed"]))
    scores = [r["score"] for r in results]
    return Summary(
        best_score=best["score"],
        best_seed=best["seed"],
        runs=len(results),
        mean=statistics.fmean(scores),
        stdev=statistics.stdev(scores) if len(scores) > 1 else 0.0,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m salmon_algorithm.collect DIR``: print the summary of the results in DIR."""
    parser = Parser(
        prog="python -m salmon_algorithm.collect",
        formatter_class=formatter,
        description=__doc__.split("\n\n", 1)[1].replace("``", ""),
    )
    parser.add_argument("folder", metavar="DIR", help="folder holding the runs' *.json results")
    parser.add_argument("--instance", metavar="FILE", help="re-check each result's score against this instance")
    parser.add_argument("--params-dir", metavar="DIR", help="also write best-score and best-seed files here")
    args = parser.parse_args(argv)
    try:
        results = read_results(args.folder)
        if args.instance:
            instance = read_instance(args.instance)
            for result in results:
                try:
                    verify(instance, result)
                except SalmonError as err:
                    raise SalmonError(f'result "{result["_path"]}" does not check out: {err}') from err
        summary = summarise(results)
        if args.params_dir:
            write_atomically(Path(args.params_dir) / "best-score", f"{summary.best_score}\n")
            write_atomically(Path(args.params_dir) / "best-seed", f"{summary.best_seed}\n")
    except SalmonError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    print(json.dumps(summary.as_json()))
    return 0


if __name__ == "__main__":
    exit_with(main)


__all__ = ["Summary", "main", "read_results", "summarise"]

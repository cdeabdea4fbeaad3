"""Problem instances for the solver: reading and validating both file formats, tour lengths, scores.

Two formats, both starting with a line holding the vertex count N:

- ``tsp``: N lines ``index x y`` (index 1..N in order); the cost of an edge is the Euclidean
  distance between its ends.
- ``dna``: an N x N matrix of integers, entry (i, j) = ``DNA_K - overlap(i, j)``; the last vertex
  is a dummy whose cost to every fragment is ``DNA_K``, so cutting a closed tour at the dummy
  gives a linear fragment layout. A tour's assembly score is ``N * DNA_K - length``.

Every problem with a file raises :class:`~salmon_algorithm.errors.InstanceError` whose one-line
message names the file and says what is wrong, so the command line never shows a traceback.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from salmon_algorithm._files import read_bounded
from salmon_algorithm.errors import InstanceError, ResultMismatch

DNA_K = 10_000
FORMATS = ("tsp", "dna")
# An N x N float64 matrix of 4000 vertices is 128 MB: past that a run would not fit a lab pod.
MAX_VERTICES = 4000
MAX_FILE_BYTES = 256 * 1024 * 1024
# The first line that is not blank: the vertex count.
_HEADER = re.compile(r"\s*(\S[^\n]*)")


@dataclass(frozen=True, kw_only=True)
class Instance:
    """One problem: a name, its format and the cost matrix the search works on."""

    name: str
    """How results name the instance: the file name without its folder."""
    format: str
    """``"tsp"`` (lengths are the score, lower is better) or ``"dna"`` (assembly score, higher)."""
    cost: np.ndarray
    """N x N float64 costs; cost[i, j] is the cost of moving from vertex i to vertex j."""

    @property
    def n(self) -> int:
        """The number of vertices N (for DNA, fragments plus the dummy)."""
        return int(self.cost.shape[0])


def read_instance(path: str | Path, fmt: str = "auto") -> Instance:
    """Read and validate an instance file; ``fmt`` is ``"tsp"``, ``"dna"`` or ``"auto"``."""
    path = Path(path)
    if fmt not in (*FORMATS, "auto"):
        raise InstanceError(f'failed to read instance "{path}": unknown format {fmt!r} (use tsp, dna or auto)')
    try:
        data = read_bounded(path, MAX_FILE_BYTES)
    except OSError as err:
        raise InstanceError(f'failed to read instance "{path}": {err.strerror or err}') from err
    except ValueError as err:
        raise InstanceError(f'failed to read instance "{path}": {err}') from err
    if b"\0" in data:
        raise InstanceError(f'failed to read instance "{path}": it is a binary file, not text')
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InstanceError(f'failed to read instance "{path}": not UTF-8 text ({err.reason})') from err
    return parse_instance(text, name=path.name, fmt=fmt, source=str(path))


def parse_instance(text: str, *, name: str, fmt: str = "auto", source: str | None = None) -> Instance:
    """Parse instance text; ``source`` (default ``name``) is how error messages name it."""
    where = f'failed to read instance "{source or name}"'
    if fmt not in (*FORMATS, "auto"):
        raise InstanceError(f"{where}: unknown format {fmt!r} (use tsp, dna or auto)")
    header = _HEADER.match(text)
    if header is None:
        raise InstanceError(f"{where}: the file is empty")
    n = _vertex_count(header.group(1).split(), where)
    # Split the text only once its size fits N: a small header over a huge body would otherwise
    # turn into hundreds of millions of tokens before any check could refuse it.
    if len(text) > _max_chars(n):
        raise InstanceError(f"{where}: {len(text)} characters is far more than an instance of {n} vertices needs")
    body = [line.split() for line in text[header.end() :].splitlines() if line.strip()]
    detected = detect_format(n, body)
    if fmt == "auto":
        if detected is None:
            values = sum(len(line) for line in body)
            raise InstanceError(
                f"{where}: after the header N={n} expected {n} lines 'index x y' (tsp) or "
                f"{n * n} matrix entries (dna); found {len(body)} lines with {values} values"
            )
        fmt = detected
    cost = _parse_tsp(n, body, where) if fmt == "tsp" else _parse_dna(n, body, where)
    return Instance(name=name, format=fmt, cost=cost)


def _max_chars(n: int) -> int:
    """A generous bound on the text of an N-vertex instance: 64 characters per matrix entry."""
    return 64 * n * n + 4096


def detect_format(n: int, body: Sequence[Sequence[str]]) -> str | None:
    """The format whose shape the lines after the header have, or None if neither fits."""
    tsp_shape = len(body) == n and all(len(line) == 3 for line in body)
    dna_shape = sum(len(line) for line in body) == n * n
    if tsp_shape and dna_shape:  # only when N == 3: a tsp file numbers its lines 1, 2, 3
        return "tsp" if [line[0] for line in body] == ["1", "2", "3"] else "dna"
    if tsp_shape:
        return "tsp"
    return "dna" if dna_shape else None


def _vertex_count(header: list[str], where: str) -> int:
    if len(header) != 1:
        raise InstanceError(f"{where}: the first line must hold only the vertex count N")
    try:
        n = int(header[0])
    except ValueError:
        raise InstanceError(f"{where}: the vertex count {header[0]!r} is not an integer") from None
    if not 3 <= n <= MAX_VERTICES:
        raise InstanceError(f"{where}: the vertex count must be 3 to {MAX_VERTICES}, not {n}")
    return n


def _parse_tsp(n: int, body: list[list[str]], where: str) -> np.ndarray:
    if len(body) != n or any(len(line) != 3 for line in body):
        raise InstanceError(f"{where}: a tsp instance needs {n} lines 'index x y' after the header")
    coords = np.empty((n, 2))
    for k, (index, x, y) in enumerate(body, start=1):
        if index != str(k):
            raise InstanceError(f"{where}: vertex line {k} starts with {index!r}, expected {k}")
        try:
            coords[k - 1] = (float(x), float(y))
        except ValueError:
            raise InstanceError(f"{where}: vertex {k} has non-numeric coordinates {x!r} {y!r}") from None
    if not np.isfinite(coords).all():
        raise InstanceError(f"{where}: coordinates must be finite numbers")
    return np.sqrt(((coords[:, None, :] - coords[None, :, :]) ** 2).sum(axis=2))


def _parse_dna(n: int, body: list[list[str]], where: str) -> np.ndarray:
    tokens = [token for line in body for token in line]
    if len(tokens) != n * n:
        raise InstanceError(f"{where}: a dna instance needs {n * n} matrix entries, found {len(tokens)}")
    try:
        matrix = np.array(tokens, dtype=np.int64).reshape(n, n)
    except (ValueError, OverflowError):
        for k, token in enumerate(tokens):
            try:
                int(token)
            except ValueError:
                raise InstanceError(
                    f"{where}: matrix entry ({k // n + 1}, {k % n + 1}) is {token!r}, not an integer"
                ) from None
        raise InstanceError(f"{where}: matrix entries must be integers") from None
    off_diagonal = ~np.eye(n, dtype=bool)
    bad = off_diagonal & ((matrix < 0) | (matrix > DNA_K))
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        raise InstanceError(
            f"{where}: matrix entry ({i + 1}, {j + 1}) is {matrix[i, j]}, outside 0..{DNA_K} "
            f"(entries are {DNA_K} - overlap)"
        )
    dummy = np.concatenate([matrix[-1, :-1], matrix[:-1, -1]])
    if (dummy != DNA_K).any():
        raise InstanceError(
            f"{where}: the last vertex must be the dummy, with cost {DNA_K} to and from every "
            "fragment (is this a dna instance?)"
        )
    return matrix.astype(np.float64)


def tour_length(matrix: np.ndarray, tour: Sequence[int] | np.ndarray) -> float:
    """The length of the closed tour (closing edge included); the tour must visit every vertex once."""
    n = matrix.shape[0]
    try:
        order = np.asarray(tour, dtype=np.int64)
    except (TypeError, ValueError, OverflowError):
        raise ResultMismatch("the tour is not a list of vertex numbers") from None
    if order.shape != (n,) or not np.array_equal(np.sort(order), np.arange(n)):
        raise ResultMismatch(f"the tour is not a permutation of the {n} vertices 0..{n - 1}")
    return float(matrix[order, np.roll(order, -1)].sum())


def score_of(instance: Instance, length: float) -> float | int:
    """The reported score of a tour length: DNA assembly score (higher is better) or TSP length."""
    if instance.format == "dna":
        return instance.n * DNA_K - int(round(length))
    return length


def layout_of(instance: Instance, tour: Sequence[int]) -> list[int]:
    """The DNA fragment layout of a tour: the tour cut at the dummy (the last vertex), dummy dropped."""
    order = [int(v) for v in tour]
    cut = order.index(instance.n - 1)
    return order[cut + 1 :] + order[:cut]


def verify(instance: Instance, result: Mapping) -> float:
    """Recompute a result's length from its tour; return it, or raise ResultMismatch.

    ``result`` is a solver result (the JSON object it prints): its ``tour``, ``length`` and
    ``score`` must agree with the instance.
    """
    missing = [key for key in ("tour", "length", "score") if key not in result]
    if missing:
        raise ResultMismatch(f"the result lacks {', '.join(missing)}")
    length = tour_length(instance.cost, result["tour"])
    try:
        reported_length, reported_score = float(result["length"]), float(result["score"])
    except (TypeError, ValueError):
        raise ResultMismatch("the result's length and score must be numbers") from None
    if not math.isclose(reported_length, length, rel_tol=1e-9, abs_tol=1e-6):
        raise ResultMismatch(f"the result reports length {result['length']}, its tour has length {length}")
    score = score_of(instance, length)
    if not math.isclose(reported_score, score, rel_tol=1e-9, abs_tol=1e-6):
        raise ResultMismatch(f"the result reports score {result['score']}, its tour scores {score}")
    return length


__all__ = [
    "DNA_K",
    "FORMATS",
    "Instance",
    "detect_format",
    "layout_of",
    "parse_instance",
    "read_instance",
    "score_of",
    "tour_length",
    "verify",
]

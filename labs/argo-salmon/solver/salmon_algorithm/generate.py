"""Random DNA fragment-assembly instances whose true layout is known, for labs and tests.

``python -m salmon_algorithm.generate --genome-length L --coverage C --fragment-length F --seed S -o FILE``
draws a random genome, samples fragments of length F at coverage C (the first and last fragments
pinned to the genome's ends so the fragments cover it), numbers them in a random order, and writes
the overlap matrix in the dna format to FILE and the truth beside it in ``FILE.layout.json``:
the fragments in genome order, their start positions, the genome, and the true layout's score.
The same arguments give the same files on every machine.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from salmon_algorithm._argparse import Parser, exit_with, formatter
from salmon_algorithm._files import write_atomically
from salmon_algorithm.errors import EXIT_USAGE, SalmonError
from salmon_algorithm.instance import DNA_K, MAX_VERTICES

BASES = np.array(list("ACGT"))
# In a random genome two fragments share a k-base overlap by chance with probability ~4**-k;
# ignoring overlaps shorter than 8 keeps such noise from competing with the true layout.
DEFAULT_MIN_OVERLAP = 8


@dataclass(frozen=True, kw_only=True)
class GeneratedInstance:
    """A generated instance and its truth."""

    overlaps: np.ndarray
    """Fragment-by-fragment overlap lengths (the diagonal is 0)."""
    layout: list[int]
    """Fragment numbers in genome order: the true layout."""
    starts: list[int]
    """Start position in the genome of each fragment, by fragment number."""
    genome: str
    """The genome the fragments were sampled from."""

    @property
    def true_score(self) -> int:
        """The assembly score of the true layout: total overlap of consecutive fragments."""
        return int(sum(self.overlaps[a, b] for a, b in zip(self.layout, self.layout[1:], strict=False)))

    def matrix_text(self) -> str:
        """The instance in the dna format: K - overlap, plus the dummy vertex last."""
        n = len(self.layout) + 1
        cost = np.full((n, n), DNA_K, dtype=np.int64)
        cost[:-1, :-1] -= self.overlaps
        np.fill_diagonal(cost, DNA_K)
        return f"{n}\n" + "\n".join(" ".join(map(str, row)) for row in cost) + "\n"


def generate(
    genome_length: int, coverage: float, fragment_length: int, seed: int, min_overlap: int = DEFAULT_MIN_OVERLAP
) -> GeneratedInstance:
    """Draw a genome and its fragments; raise SalmonError if the sizes do not make an instance."""
    if not 2 <= fragment_length <= genome_length:
        raise SalmonError(f"--fragment-length must be 2 to the genome length {genome_length}")
    if not 0 < coverage <= 1000:
        raise SalmonError(f"--coverage {coverage} must be above 0 and at most 1000")
    if not 1 <= min_overlap < fragment_length:
        raise SalmonError(f"--min-overlap must be 1 to the fragment length - 1 ({fragment_length - 1})")
    if seed < 0:
        raise SalmonError(f"--seed {seed} must not be negative")
    count = max(2, round(coverage * genome_length / fragment_length))
    positions = genome_length - fragment_length + 1
    if count > positions or count + 1 > MAX_VERTICES:
        raise SalmonError(
            f"{count} fragments do not fit: at most {min(positions, MAX_VERTICES - 1)} distinct "
            "fragments for these lengths (lower the coverage or lengthen the genome)"
        )
    rng = np.random.Generator(np.random.PCG64(seed))
    genome = "".join(BASES[rng.integers(0, 4, genome_length)])
    inner = rng.choice(np.arange(1, positions - 1), size=count - 2, replace=False) if count > 2 else []
    ordered = np.sort(np.concatenate([[0, positions - 1], inner]).astype(np.int64))
    numbering = rng.permutation(count)  # fragment numbering[k] starts at ordered[k]
    starts = np.empty(count, dtype=np.int64)
    starts[numbering] = ordered
    fragments = [genome[s : s + fragment_length] for s in starts]
    return GeneratedInstance(
        overlaps=overlap_matrix(fragments, min_overlap),
        layout=[int(v) for v in numbering],
        starts=[int(s) for s in starts],
        genome=genome,
    )


def overlap_matrix(fragments: Sequence[str], min_overlap: int = 1) -> np.ndarray:
    """overlap[a, b]: the longest suffix of fragment a that is a prefix of fragment b (a != b)."""
    count = len(fragments)
    overlaps = np.zeros((count, count), dtype=np.int64)
    longest = max(len(f) for f in fragments)
    # For each length k, the fragments ending in each k-letter suffix: one dictionary look-up per
    # (fragment, k) instead of comparing every pair at every length.
    for k in range(longest - 1, min_overlap - 1, -1):
        ending: dict[str, list[int]] = {}
        for a, fragment in enumerate(fragments):
            if len(fragment) > k:
                ending.setdefault(fragment[-k:], []).append(a)
        for b, fragment in enumerate(fragments):
            if len(fragment) <= k:
                continue
            for a in ending.get(fragment[:k], ()):
                if a != b and overlaps[a, b] == 0:
                    overlaps[a, b] = k
    return overlaps


def write_instance(generated: GeneratedInstance, path: str | Path, meta: dict) -> Path:
    """Write the matrix to ``path`` and the truth to ``path.layout.json``; return the latter."""
    path = Path(path)
    layout_path = path.with_name(path.name + ".layout.json")
    n = len(generated.layout) + 1
    truth = {
        **meta,
        "vertices": n,
        "fragments": n - 1,
        "layout": generated.layout,
        "true-score": generated.true_score,
        "best-known-length": n * DNA_K - generated.true_score,
        "starts": generated.starts,
        "genome": generated.genome,
    }
    write_atomically(path, generated.matrix_text())
    write_atomically(layout_path, json.dumps(truth, indent=1) + "\n")
    return layout_path


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m salmon_algorithm.generate``: write an instance and its layout, print a summary."""
    parser = Parser(
        prog="python -m salmon_algorithm.generate",
        formatter_class=formatter,
        description=__doc__.split("\n\n", 1)[1].replace("``", ""),
    )
    parser.add_argument("--genome-length", type=int, required=True, metavar="L", help="bases in the genome")
    parser.add_argument(
        "--coverage", type=float, required=True, metavar="C", help="mean number of fragments covering a base"
    )
    parser.add_argument("--fragment-length", type=int, required=True, metavar="F", help="bases per fragment")
    parser.add_argument("--seed", type=int, required=True, metavar="S", help="random seed")
    parser.add_argument(
        "--min-overlap",
        type=int,
        default=DEFAULT_MIN_OVERLAP,
        metavar="K",
        help="shorter overlaps count as none (default: %(default)s)",
    )
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="instance file to write")
    args = parser.parse_args(argv)
    try:
        generated = generate(args.genome_length, args.coverage, args.fragment_length, args.seed, args.min_overlap)
        meta = {
            "genome-length": args.genome_length,
            "coverage": args.coverage,
            "fragment-length": args.fragment_length,
            "min-overlap": args.min_overlap,
            "seed": args.seed,
        }
        layout_path = write_instance(generated, args.output, meta)
    except SalmonError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    n = len(generated.layout) + 1
    print(
        json.dumps(
            {
                "instance": str(args.output),
                "layout": str(layout_path),
                "vertices": n,
                "true-score": generated.true_score,
                "best-known-length": n * DNA_K - generated.true_score,
            }
        )
    )
    return 0


if __name__ == "__main__":
    exit_with(main)


__all__ = ["GeneratedInstance", "generate", "main", "overlap_matrix", "write_instance"]

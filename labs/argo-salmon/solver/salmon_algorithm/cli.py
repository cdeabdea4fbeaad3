"""The solver's command line: ``python -m salmon_algorithm --instance FILE --seed N`` prints one JSON result.

It is the program of the lab's container, so it stays small: argparse, no kubecourse imports.
Errors the user can cause (a bad instance, an option out of range, an unwritable output) print
one ``error: ...`` line on stderr and exit with status 2.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

from salmon_algorithm import __version__
from salmon_algorithm._argparse import Parser, exit_with, formatter
from salmon_algorithm._files import write_atomically
from salmon_algorithm.errors import EXIT_USAGE, SalmonError
from salmon_algorithm.instance import read_instance
from salmon_algorithm.search import Parameters, solve

EXIT_INTERRUPTED = 130

DESCRIPTION = """\
Run the Salmon algorithm (Orth, 2012) once on a TSP or DNA fragment-assembly instance and
print one JSON object: instance, seed, score, length, generation, seconds, tour (and more).
Score: for DNA the assembly score N*10000 - length (total overlap, higher is better); for TSP
the tour length (lower is better). The same instance and seed give the same result anywhere.
Defaults are the original's tuned parameters for dna40 (ELITE: see --elite)."""

EPILOG = """\
examples:
  python -m salmon_algorithm --instance dna40.txt --seed 7 --best-known 388522
  python -m salmon_algorithm --instance lab.txt --seed 3 --output /results/3.json --score-file /tmp/score
A DNA instance's --best-known is a tour length: N*10000 minus the target score
(dna40: 40*10000 - 11478 = 388522)."""


def build_parser() -> Parser:
    """The solver's argument parser."""
    defaults = Parameters()
    parser = Parser(
        prog="python -m salmon_algorithm", description=DESCRIPTION, epilog=EPILOG, formatter_class=formatter
    )
    parser.add_argument("--instance", required=True, metavar="FILE", help="instance file (tsp or dna format)")
    parser.add_argument("--seed", required=True, type=int, metavar="N", help="random seed, 0 to 2**63-1")
    parser.add_argument(
        "--generations",
        type=int,
        default=defaults.generations,
        metavar="G",
        help="generations to run (GENERATIONS) (default: %(default)s)",
    )
    parser.add_argument(
        "--population",
        type=int,
        default=defaults.population,
        metavar="P",
        help="salmon per generation (POPULATION) (default: %(default)s)",
    )
    parser.add_argument(
        "--survival",
        type=int,
        default=defaults.survival,
        metavar="S",
        help="shortest tours that spawn the next generation (SURVIVAL) (default: %(default)s)",
    )
    parser.add_argument(
        "--memory",
        type=float,
        default=defaults.memory,
        metavar="M",
        help="probability of following the parent's tour (MEMORY, phi) (default: %(default)s)",
    )
    parser.add_argument(
        "--beta",
        type=float,
        default=defaults.beta,
        metavar="B",
        help="exponent on flow in the roulette (BETA, alpha) (default: %(default)s)",
    )
    parser.add_argument(
        "--elite",
        type=int,
        default=defaults.elite,
        metavar="E",
        help="members the best-ever tour overwrites after a generation that did not beat it (default: %(default)s)",
    )
    parser.add_argument(
        "--best-known",
        type=float,
        default=None,
        metavar="L",
        help="target tour LENGTH: scales the flows, stops the run once reached "
        "(default: a greedy tour's length, and no early stop)",
    )
    parser.add_argument(
        "--format",
        choices=("auto", "tsp", "dna"),
        default="auto",
        help="instance format; auto tells them apart by shape (default: %(default)s)",
    )
    parser.add_argument("--output", metavar="FILE", help="also write the JSON result to FILE")
    parser.add_argument(
        "--score-file", metavar="FILE", help="also write the bare score to FILE (for an Argo output parameter)"
    )
    parser.add_argument("--version", action="version", version=f"salmon-algorithm {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, run once, print the result; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        instance = read_instance(args.instance, fmt=args.format)
        params = Parameters(
            generations=args.generations,
            population=args.population,
            survival=args.survival,
            memory=args.memory,
            beta=args.beta,
            elite=args.elite,
            best_known=args.best_known,
        )
        result = solve(instance, params, args.seed)
        text = json.dumps(result.as_json())
        if args.output:
            write_atomically(args.output, text + "\n")
        if args.score_file:
            write_atomically(args.score_file, f"{result.score}\n")
    except SalmonError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(text)
    return 0


def run() -> None:
    """Console-script entry point."""
    exit_with(main)


__all__ = ["build_parser", "main", "run"]

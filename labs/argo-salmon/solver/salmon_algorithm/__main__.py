"""``python -m salmon_algorithm``: run the solver once (see :mod:`salmon_algorithm.cli`)."""

from salmon_algorithm.cli import run

if __name__ == "__main__":
    run()

"""``python -m salmon_algorithm``: run the solver once (see :mod:`salmon_algorithm.cli`)."""

import os

# Before numpy is imported: importing it starts one OpenBLAS worker thread per core, which the
# solver never uses (no linear algebra) and which a run pays for in start-up, most on a busy
# machine (import numpy: 0.08 s wall with one thread, 0.2-0.4 s with the default on a loaded
# 2-core machine). A value the user set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from salmon_algorithm.cli import run  # after the variable, on purpose

if __name__ == "__main__":
    run()

"""Ahead-of-time compilation of the search loop into an extension module, for the container image.

``python -m salmon_algorithm._aot [DIR]`` compiles the functions of
:mod:`salmon_algorithm._kernels` with numba's ``pycc`` into ``_salmon_aot*.so`` in DIR (default:
beside this file); :mod:`salmon_algorithm.search` then uses that module and never imports numba.

Why: a process that imports numba and loads even a cached function spends about 1 s of CPU
before its search starts (numba's import, its typing registries, its runtime), more than a whole
dna40 search (0.4 s); the compiled module imports in about 0.1 s, and the image can leave numba
and llvmlite (about 210 MB) in its build stage. Same source, same lowering, no fastmath: the
results are identical to the JIT's. Needs a C compiler. numba marks ``pycc`` as pending
deprecation; without it the package still runs, on the JIT.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

from salmon_algorithm import _kernels

MODULE = "_salmon_aot"
# The exact types search.py passes (a C-contiguous float64 matrix, Python floats and ints).
SIGNATURES = {
    "run_salmon": "Tuple((i4[:], f8, i8, i8))(f8[:, ::1], f8, f8, i8, i8, i8, f8, f8, i8, i8)",
    "greedy_length": "f8(f8[:, ::1], i8[::1])",
}


def build(output_dir: str | Path) -> Path:
    """Compile the kernels into ``output_dir``; return the extension module's path."""
    from numba.core.errors import NumbaPendingDeprecationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NumbaPendingDeprecationWarning)
        from numba.pycc import CC

        compiler = CC(MODULE)
        compiler.output_dir = str(output_dir)
        for name, signature in SIGNATURES.items():
            compiler.export(name, signature)(getattr(_kernels, name).py_func)
        compiler.compile()
    return Path(compiler.output_dir) / compiler.output_file


def main(argv: list[str] | None = None) -> int:
    """Build into the folder given (default: the package's own folder) and print the path."""
    args = sys.argv[1:] if argv is None else argv
    output_dir = Path(args[0]) if args else Path(__file__).parent
    print(build(output_dir))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["MODULE", "SIGNATURES", "build", "main"]

"""The Salmon algorithm, a population-based search metaheuristic, for TSP and DNA fragment assembly.

J. Orth, "The Salmon Algorithm - A New Population Based Search Metaheuristic", MSc thesis, Brock
University, 2012. This is the solver that kubecourse's argo-salmon lab containerizes and fans out
as one Argo workflow step per random seed. (It is not the RNA-seq quantifier of the same name.)

Modules: :mod:`.instance` (file formats, tour lengths, verification), :mod:`.search` (the
algorithm), :mod:`.generate` (random DNA instances with a known layout), :mod:`.collect`
(summarise a folder of per-seed results), :mod:`.cli` (``python -m salmon_algorithm``).
"""

__version__ = "0.1.0"

__all__ = ["__version__"]

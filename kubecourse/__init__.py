"""kubecourse: a course toolkit that teaches researchers to use Kubernetes as a research platform.

The package holds the command line (:mod:`kubecourse.cli`) and the two leaf modules that the
``sandbox`` and ``autograder`` packages share: the lab catalogue (:mod:`kubecourse.labs`) and the
error base (:mod:`kubecourse.errors`).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kubecourse")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]

"""kubecourse: a course toolkit that teaches researchers to use Kubernetes as a research platform.

The package is the command line (:mod:`kubecourse.cli`), the top floor: it imports ``sandbox``,
``autograder`` and ``manifestlint``, and nothing imports it. What those packages share lives
below them all, in ``coursecore``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kubecourse")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]

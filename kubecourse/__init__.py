"""kubecourse: a course toolkit that teaches researchers to use Kubernetes as a research platform.

The package is the command line (:mod:`kubecourse.cli`), the top floor: it imports ``sandbox``,
``autograder`` and ``manifestlint``, and nothing imports it. What those packages share lives
below them all, in ``coursecore``.
"""


def __getattr__(name: str):
    # The version is read from the installed metadata on first use only: importlib.metadata
    # and its scan of site-packages cost every command a few tens of milliseconds at start-up.
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        value = version("kubecourse")
    except PackageNotFoundError:  # running from a source tree that was never installed
        value = "0.0.0+unknown"
    globals()["__version__"] = value
    return value


__all__ = ["__version__"]

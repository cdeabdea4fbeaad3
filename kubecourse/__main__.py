"""``python -m kubecourse``: the same as the ``kubecourse`` command."""

from kubecourse.cli.main import run

run()

"""Options of the commands that prepare labs (``start``, ``class up --lab``, ``prefetch``) and
how they reach add-on manifests and images; declared once so the commands say the same."""

from __future__ import annotations

import typer

ADDONS_LOCK = typer.Option(
    None,
    "--addons-lock",
    help="Verify add-on manifests against this lock file (default: $KUBECOURSE_ADDONS_LOCK, else the "
    "course's addons.lock beside labs/); first downloads are recorded in $KUBECOURSE_HOME/addons.lock.",
)
STRICT_ADDONS = typer.Option(
    None,
    "--strict-addons/--no-strict-addons",
    help="Refuse add-on manifests that no lock pins instead of recording them (default: "
    "$KUBECOURSE_ADDONS_STRICT, or `strict: true` in the course's lock).",
)
OFFLINE_HELP = "Use only what `kubecourse prefetch` cached."

__all__ = ["ADDONS_LOCK", "OFFLINE_HELP", "STRICT_ADDONS"]

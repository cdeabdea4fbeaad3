"""Sandbox names: validation, the learner's default name, and the kind cluster name they map to.

A sandbox NAME becomes the kind cluster ``kubecourse-NAME``. kind refuses cluster names longer
than 50 characters (it derives container host names from them), so NAME is a DNS-1123 label of
at most 39 characters. Validation never rewrites a
name silently: two learner ids must never map to one cluster.
"""

from __future__ import annotations

import getpass
import re

from sandbox.errors import InvalidName

PREFIX = "kubecourse-"
MAX_NAME = 39
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def validate_name(name: str) -> str:
    """Return ``name`` if it is a valid sandbox name, else raise :class:`InvalidName`."""
    if not isinstance(name, str) or not name:
        raise InvalidName("invalid sandbox name '': give a name of lowercase letters, digits and dashes")
    if len(name) > MAX_NAME:
        raise InvalidName(
            f"invalid sandbox name {name!r}: {len(name)} characters, at most {MAX_NAME} (kind caps cluster names at 50)"
        )
    if not _LABEL.match(name):
        raise InvalidName(
            f"invalid sandbox name {name!r}: use lowercase letters, digits and dashes, "
            "starting and ending with a letter or digit"
        )
    return name


def cluster_name(name: str) -> str:
    """The kind cluster name of sandbox ``name``: ``kubecourse-NAME``."""
    return PREFIX + validate_name(name)


def sandbox_of(cluster: str) -> str | None:
    """The sandbox name of a kind cluster, or ``None`` if kubecourse did not make it."""
    if not cluster.startswith(PREFIX):
        return None
    name = cluster[len(PREFIX) :]
    try:
        return validate_name(name)
    except InvalidName:
        return None


def normalize(raw: str) -> str:
    """A candidate sandbox name from free text (a login or a roster entry): lowercased, runs of
    other characters turned into one dash, trimmed to :data:`MAX_NAME`. The result may still be
    invalid (empty); callers validate it and check for collisions."""
    text = re.sub(r"[^a-z0-9]+", "-", raw.strip().lower()).strip("-")
    return text[:MAX_NAME].rstrip("-")


def default_name() -> str:
    """The user's login name as a sandbox name (``Jane.Doe`` becomes ``jane-doe``)."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = ""
    name = normalize(login)
    if not name:
        raise InvalidName("cannot derive a sandbox name from your login name; pass --name NAME")
    return validate_name(name)


__all__ = ["MAX_NAME", "PREFIX", "cluster_name", "default_name", "normalize", "sandbox_of", "validate_name"]

"""Where kubecourse keeps its files, what sandbox names are, and which kubeconfig a command reads.

The kubecourse home is ``$KUBECOURSE_HOME`` (``~`` expanded), else ``~/.kubecourse``. Sandbox
NAME keeps its credentials in ``HOME/sandboxes/NAME/kubeconfig``: a file contract between
``sandbox``, which writes the file, and ``autograder``, which reads it. Both ask this module,
and so do the command line and the notebook helpers, so that they never disagree on a path.

Which cluster a learner's command (``check``, ``snapshot``, ``results``, a notebook's ``grade``)
reads is decided by :func:`find_learner_kubeconfig`, first match wins:

1. the sandbox named (``--name NAME``);
2. the file given (``--kubeconfig FILE``);
3. the first existing file in ``$KUBECONFIG`` (as kubectl reads the list);
4. the sandbox named by ``$KUBECOURSE_SANDBOX``;
5. the sandbox ``kubecourse up`` makes by default, named after the login (``Jane.Doe`` becomes
   ``jane-doe``), if it exists.

``~/.kube/config`` is never among them, so a learner's everyday cluster is never graded by
accident. An instructor's admin kubeconfig (the namespace backend) is found by
:func:`instructor_kubeconfig`, which does fall back to ``~/.kube/config`` (read only).

A sandbox name is a DNS-1123 label of at most 39 characters: the kind cluster is
``kubecourse-NAME`` and kind caps cluster names at 50 (it derives container host names from
them). Validation never rewrites a name: two learner ids must never map to one cluster.
"""

from __future__ import annotations

import getpass
import os
import re
from pathlib import Path

from coursecore.errors import ClusterUnreachable, InvalidName, UsageError

HOME_VARIABLE = "KUBECOURSE_HOME"
SANDBOX_VARIABLE = "KUBECOURSE_SANDBOX"
KUBECONFIG_FILE = "kubeconfig"
MAX_NAME = 39
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def home() -> Path:
    """The kubecourse home: ``$KUBECOURSE_HOME`` (``~`` expanded; empty means unset), else
    ``~/.kubecourse``."""
    env = os.environ.get(HOME_VARIABLE)
    return Path(env).expanduser() if env else Path.home() / ".kubecourse"


def sandboxes_dir(root: Path | None = None) -> Path:
    """The folder holding one folder per sandbox, under ``root`` (default: :func:`home`)."""
    return (root or home()) / "sandboxes"


def validate_name(name: str) -> str:
    """Return ``name`` if it is a valid sandbox name.

    Raises:
        InvalidName: naming the rule that ``name`` breaks (exit code 2).
    """
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


def normalize_name(raw: str) -> str:
    """A candidate sandbox name from free text (a login, a roster entry, a student id):
    lowercased, every run of other characters turned into one dash, dashes trimmed.

    The result is never shortened (a long name is the caller's to refuse, not to truncate into
    someone else's) and may still be invalid (empty, too long): validate it.
    """
    return re.sub(r"[^a-z0-9]+", "-", raw.strip().lower()).strip("-")


def login_name() -> str:
    """The login as a sandbox name (``Jane.Doe`` becomes ``jane-doe``, cut to :data:`MAX_NAME`);
    ``""`` when the login gives none."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        return ""
    name = normalize_name(login)[:MAX_NAME].rstrip("-")
    return name if _LABEL.match(name) else ""


def default_name() -> str:
    """The sandbox name ``kubecourse up`` uses without ``--name``: :func:`login_name`.

    Raises:
        InvalidName: the login gives no valid name.
    """
    name = login_name()
    if not name:
        raise InvalidName("cannot derive a sandbox name from your login name; pass --name NAME")
    return name


def sandbox_dir(name: str, root: Path | None = None) -> Path:
    """The folder of sandbox ``name`` (validated), whether it exists or not."""
    return sandboxes_dir(root) / validate_name(name)


def kubeconfig_path(name: str, root: Path | None = None) -> Path:
    """Where sandbox ``name`` keeps its credentials, whether the file exists or not."""
    return sandbox_dir(name, root) / KUBECONFIG_FILE


def sandbox_kubeconfig(name: str) -> Path:
    """The kubeconfig of an existing sandbox ``name``.

    Raises:
        InvalidName: ``name`` is not a valid sandbox name.
        ClusterUnreachable: there is no such sandbox.
    """
    path = kubeconfig_path(name)
    if not path.is_file():
        raise ClusterUnreachable(f"no sandbox {name}: run kubecourse up --name {name}")
    return path


def sandbox_of(kubeconfig: str | os.PathLike[str]) -> str | None:
    """The sandbox a kubeconfig file belongs to (a file in its folder), or ``None``."""
    path = Path(kubeconfig)
    return path.parent.name if path.parent.parent == sandboxes_dir() else None


def kubeconfig_from_env() -> Path | None:
    """The first existing file named by ``$KUBECONFIG`` (``None`` when it is unset or empty).

    Raises:
        UsageError: ``$KUBECONFIG`` is set but names no existing file.
    """
    env = os.environ.get("KUBECONFIG")
    if not env:
        return None
    for part in env.split(os.pathsep):
        if part and Path(part).is_file():
            return Path(part)
    raise UsageError(f"KUBECONFIG names no existing file ({env})")


def _given(kubeconfig: str | os.PathLike[str]) -> Path:
    path = Path(kubeconfig)
    if not path.is_file():
        raise UsageError(f"kubeconfig not found: {path}")
    return path


def find_learner_kubeconfig(
    *, name: str | None = None, kubeconfig: str | os.PathLike[str] | None = None
) -> Path | None:
    """The kubeconfig a learner's command reads (the order is in this module's docstring), or
    ``None`` when nothing names a cluster and the login has no sandbox.

    Raises:
        UsageError: a file given or named by ``$KUBECONFIG`` does not exist, or a name is invalid.
        ClusterUnreachable: the sandbox named (``name`` or ``$KUBECOURSE_SANDBOX``) does not exist.
    """
    if name is not None:
        return sandbox_kubeconfig(name)
    if kubeconfig is not None:
        return _given(kubeconfig)
    from_env = kubeconfig_from_env()
    if from_env is not None:
        return from_env
    sandbox = os.environ.get(SANDBOX_VARIABLE)
    if sandbox:
        return sandbox_kubeconfig(sandbox)
    login = login_name()
    if login and kubeconfig_path(login).is_file():
        return kubeconfig_path(login)
    return None


def learner_kubeconfig(*, name: str | None = None, kubeconfig: str | os.PathLike[str] | None = None) -> Path:
    """Like :func:`find_learner_kubeconfig`, but nothing found is an error.

    Raises:
        UsageError: nothing says which cluster, or a file given does not exist.
        ClusterUnreachable: the sandbox named does not exist.
    """
    found = find_learner_kubeconfig(name=name, kubeconfig=kubeconfig)
    if found is None:
        raise UsageError("say which cluster to read: --name NAME (your sandbox), --kubeconfig FILE or --snapshot FILE")
    return found


def instructor_kubeconfig(kubeconfig: str | os.PathLike[str] | None = None) -> Path:
    """The instructor's (admin) kubeconfig: the file given, else the first existing file in
    ``$KUBECONFIG``, else ``~/.kube/config``. Only ever read.

    Raises:
        UsageError: the file given or ``$KUBECONFIG`` names no existing file, or there is none.
    """
    if kubeconfig is not None:
        return _given(kubeconfig)
    from_env = kubeconfig_from_env()
    if from_env is not None:
        return from_env
    default = Path.home() / ".kube" / "config"
    if default.is_file():
        return default
    raise UsageError("say which cluster to use: --kubeconfig FILE (an admin kubeconfig) or set KUBECONFIG")


__all__ = [
    "HOME_VARIABLE",
    "KUBECONFIG_FILE",
    "MAX_NAME",
    "SANDBOX_VARIABLE",
    "default_name",
    "find_learner_kubeconfig",
    "home",
    "instructor_kubeconfig",
    "kubeconfig_from_env",
    "kubeconfig_path",
    "learner_kubeconfig",
    "login_name",
    "normalize_name",
    "sandbox_dir",
    "sandbox_kubeconfig",
    "sandbox_of",
    "sandboxes_dir",
    "validate_name",
]

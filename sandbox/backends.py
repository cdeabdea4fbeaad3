"""Which backend serves a sandbox: by name for a new one (``--backend``), from its saved state
for an existing one.

The saved state (:mod:`sandbox.state`) records the backend that made each sandbox; everything
done to that sandbox later (``down``, ``start``, ``ls``, grading) goes through that backend, so
no caller tests backend names. A sandbox without readable state is kind's (an orphaned cluster,
a state file that no longer parses or names no known backend) unless the namespace backend left
its record.
"""

from __future__ import annotations

from coursecore import home
from coursecore.errors import UsageError
from sandbox import state
from sandbox.backend import Backend
from sandbox.errors import SandboxError
from sandbox.kind_backend import KindBackend
from sandbox.namespace import records
from sandbox.namespace.backend import NamespaceBackend

BACKENDS: dict[str, type] = {KindBackend.name: KindBackend, NamespaceBackend.name: NamespaceBackend}
"""Every backend by the name its sandboxes record."""


def get(name: str) -> type:
    """The backend class called ``name``.

    Raises:
        UsageError: no backend has that name.
    """
    try:
        return BACKENDS[name]
    except KeyError:
        raise UsageError(f"--backend must be one of {', '.join(BACKENDS)}, not {name!r}") from None


def new(name: str, **options) -> Backend:
    """Backend ``name`` configured with the command line's options (each backend refuses the
    options that cannot apply to it)."""
    return get(name).configure(**options)


def for_up(backend: str, name: str | None, **options) -> Backend:
    """Backend ``backend`` configured with the command line's options, to make or refresh sandbox
    ``name`` (default: the login's). A sandbox another backend made is refused, never taken over
    (kind would see "a cluster gone" in a namespace sandbox and offer to recreate it)."""
    chosen = new(backend, **options)
    sandbox = home.validate_name(name) if name else home.default_name()
    try:
        saved = state.load(sandbox)
    except SandboxError:
        saved = None  # the backend's own up reports an unreadable state, with its fix
    if saved is not None and saved.backend != chosen.name:
        made_by = BACKENDS.get(saved.backend)
        what = made_by.what if made_by else f"made by the {saved.backend} backend"
        raise UsageError(
            f'sandbox "{name or "(your login)"}" is {what}: '
            f"use `kubecourse up --backend {saved.backend}` (or `kubecourse down` first)"
        )
    return chosen


def for_state(saved: state.SandboxState, *, kind: KindBackend | None = None) -> Backend:
    """The backend that made ``saved`` (``kind``: an instance to reuse for kind's sandboxes)."""
    if saved.backend == KindBackend.name and kind is not None:
        return kind
    try:
        return BACKENDS[saved.backend]()
    except KeyError:
        raise SandboxError(
            f'sandbox "{saved.name}" was made by an unknown backend {saved.backend!r}',
            hint=f"delete its folder {home.sandbox_dir(saved.name)} after removing what it made",
        ) from None


def for_sandbox(name: str | None, *, kind: KindBackend | None = None) -> Backend:
    """The backend of sandbox ``name`` (default: the login's), from its saved state; kind's when
    nothing says otherwise (it makes new sandboxes without options, and deletes orphans)."""
    name = home.validate_name(name) if name else home.default_name()
    try:
        saved = state.load(name)
        if saved is not None:
            return for_state(saved, kind=kind)
    except SandboxError:  # unreadable state: only a record can still say where it lives
        if records.load(name) is not None:
            return NamespaceBackend()
    return kind or KindBackend()


__all__ = ["BACKENDS", "for_sandbox", "for_state", "for_up", "get", "new"]

"""Grading a lab in a namespace other than the one it names: :class:`NamespaceMapped`.

On the namespace backend a learner works in their own namespace (``kc-NAME``) while a lab's
checks ask for the lab's namespace (``first-pod``, ``salmon``). :class:`NamespaceMapped` wraps
any :class:`~autograder.state.State` so that a read of a lab namespace reads the learner's
namespace instead, an all-namespaces read sees only the learner's namespace (plus cluster-scoped
objects), and the objects handed back name the lab's namespace again, so that checks stay
exactly as written for a cluster of one's own. The caller (the command line) says which
namespace belongs to which learner; this module knows nothing of sandboxes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from autograder.state import Obj, State
from coursecore.labs import Capture


class NamespaceMapped:
    """``inner`` seen as if the learner's ``target`` namespace were each of ``lab_namespaces``."""

    def __init__(self, inner: State, *, lab_namespaces: Iterable[str], target: str) -> None:
        self.inner = inner
        self.target = target
        self.lab_namespaces = tuple(dict.fromkeys(lab_namespaces)) or ("default",)
        self.source = getattr(inner, "source", "live")
        self.origin = f"{getattr(inner, 'origin', '')} (namespace {target})"

    def __getattr__(self, name: str) -> Any:  # reads, api, ... of the wrapped state
        return getattr(self.inner, name)

    def __repr__(self) -> str:
        return f"NamespaceMapped({self.inner!r} -> {self.target})"

    # -- mapping -----------------------------------------------------------------------------

    def _namespaced(self, kind: str, api_version: str | None) -> bool | None:
        """Whether ``kind`` is namespaced, when the state can tell (a live one can)."""
        resolve = getattr(self.inner, "resolve", None)
        if resolve is None:
            return None
        found = resolve(kind, api_version)
        return True if found is None else bool(found[3])

    def _query(self, kind: str, api_version: str | None, namespace: str | None) -> tuple[str | None, bool]:
        """(namespace to ask the inner state for, whether to filter the answer to ours)."""
        if namespace in self.lab_namespaces or namespace == self.target:
            return self.target, False
        if namespace is not None:
            return namespace, False  # another namespace (an add-on's): read as asked
        namespaced = self._namespaced(kind, api_version)
        if namespaced is None:
            return None, True
        return (self.target if namespaced else None), False

    def _ours(self, obj: Obj) -> bool:
        return (obj.get("metadata") or {}).get("namespace") in (None, "", self.target)

    def _back(self, obj: Obj | None, asked: str | None) -> Obj | None:
        if obj is None:
            return None
        meta = obj.get("metadata") or {}
        if meta.get("namespace") == self.target:
            meta["namespace"] = asked if asked in self.lab_namespaces else self.lab_namespaces[0]
        return obj

    def _many(self, found: list[Obj], asked: str | None, filtered: bool) -> list[Obj]:
        return [self._back(o, asked) for o in found if not filtered or self._ours(o)]

    # -- the State protocol ------------------------------------------------------------------

    def objects(self, kind, *, api_version=None, namespace=None, name=None, labels=None):
        ns, filtered = self._query(kind, api_version, namespace)
        found = self.inner.objects(kind, api_version=api_version, namespace=ns, name=name, labels=labels)
        return self._many(found, namespace, filtered)

    def get(self, kind, name, *, namespace=None, api_version=None):
        found = self.objects(kind, api_version=api_version, namespace=namespace, name=name)
        return found[-1] if found else None

    def newest(self, kind, *, namespace=None, api_version=None, name_prefix=None):
        ns, filtered = self._query(kind, api_version, namespace)
        if not filtered:
            return self._back(
                self.inner.newest(kind, namespace=ns, api_version=api_version, name_prefix=name_prefix), namespace
            )
        found = [
            o
            for o in self.inner.objects(kind, api_version=api_version)
            if self._ours(o) and str((o.get("metadata") or {}).get("name", "")).startswith(name_prefix or "")
        ]
        return self._back(found[-1], namespace) if found else None

    def wait_for(self, kind, name, *, namespace=None, condition: Callable[[Obj], bool], timeout: float):
        ns, filtered = self._query(kind, None, namespace)
        if filtered:  # cannot tell: the learner's namespace is where their objects are
            ns = self.target

        def mapped(obj: Obj) -> bool:
            return condition(self._back(dict(obj, metadata=dict(obj.get("metadata") or {})), namespace))

        return self._back(self.inner.wait_for(kind, name, namespace=ns, condition=mapped, timeout=timeout), namespace)

    def capture(self, capture: Capture) -> list[Obj]:
        ns, filtered = self._query(capture.kind, capture.api_version, capture.namespace)
        return self._many(self.inner.capture(replace(capture, namespace=ns)), capture.namespace, filtered)


__all__ = ["NamespaceMapped"]

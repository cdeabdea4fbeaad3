"""Finding the objects a check needs and comparing them with partial objects.

::

    from autograder.checks import check
    from autograder.expect import expect_fields, require

    @check(points=1)
    def restart_never(state):
        '''The Pod is not restarted'''
        pod = require(state, "Pod", "hello", namespace="first-pod")
        return expect_fields(pod, {"spec": {"restartPolicy": "Never"}})

:func:`require` returns the object or fails the check (``no Pod hello in namespace first-pod``,
or ``found Pod hello in namespace default, expected first-pod`` when it is elsewhere); every
check that requires the same missing object fails with the same root, so the learner reads one
message, not one per check. :func:`expect_fields` compares an object with a partial object
(:mod:`autograder.match`) and names the fields that differ; :func:`expect` does both for an
object found by kind, name, namespace and labels. Plain Python is always allowed next to them
for logic they cannot express.
"""

from __future__ import annotations

from typing import Any

from autograder.checks import Outcome, Unmet, fail, ok
from autograder.match import mismatches
from autograder.paths import get, parse
from autograder.state import Obj, State
from coursecore.errors import KubecourseError


def describe(kind: str, *, name: str | None = None, namespace: str | None = None, labels: dict | None = None) -> str:
    """``Pod hello in namespace first-pod`` (for messages)."""
    text = f"{kind} {name}" if name else f"any {kind}"
    if labels:
        text += " labelled " + ",".join(f"{k}={v}" for k, v in labels.items())
    if namespace:
        text += f" in namespace {namespace}"
    return text


def missing_root(kind: str, name: str | None, namespace: str | None, labels: dict | None = None) -> tuple:
    """The root every check shares that fails because this object is missing."""
    return ("missing", kind.lower(), namespace, name, tuple(sorted((labels or {}).items())))


def require(state: State, kind: str, name: str, *, namespace: str | None = None, api_version: str | None = None) -> Obj:
    """The object called ``name``; if there is none, the check fails here.

    The failure says where the object is when it exists in another namespace (the usual mistake:
    a manifest without ``metadata.namespace`` lands in ``default``), or which objects of the
    kind the namespace holds instead (a misspelt name).

    Raises:
        Unmet: no such object (the runner turns it into the check's failure).
    """
    found = state.get(kind, name, namespace=namespace, api_version=api_version)
    if found is not None:
        return found
    message = f"no {describe(kind, name=name, namespace=namespace)}"
    elsewhere = _namespaces_holding(state, kind, name, api_version) - {namespace} if namespace else set()
    if elsewhere:
        plural = "s" if len(elsewhere) > 1 else ""
        message = f"found {kind} {name} in namespace{plural} {', '.join(sorted(elsewhere))}, expected {namespace}"
    elif namespace:
        others = [_name(o).split(" ", 1)[1] for o in state.objects(kind, api_version=api_version, namespace=namespace)]
        if others:
            shown = ", ".join(others[:MAX_NAMED]) + (
                f" and {len(others) - MAX_NAMED} more" if len(others) > MAX_NAMED else ""
            )
            message += f" (found {kind} {shown})"
    raise Unmet(message, root=missing_root(kind, name, namespace))


MAX_NAMED = 5
"""How many other objects a failure of :func:`require` names."""


def _namespaces_holding(state: State, kind: str, name: str, api_version: str | None) -> set[str]:
    # Only to explain a failure: an all-namespaces read the credentials may not allow must not
    # turn a missing object into an unreachable cluster (the next read would say so anyway).
    try:
        found = state.objects(kind, api_version=api_version, name=name)
    except KubecourseError:
        return set()
    return {str(get(o, "metadata.namespace")) for o in found if get(o, "metadata.namespace")}


def expect(
    state: State,
    kind: str,
    *,
    name: str | None = None,
    namespace: str | None = None,
    labels: dict[str, str] | None = None,
    api_version: str | None = None,
    matches: Any = None,
) -> Outcome:
    """Pass when some object selected by kind/name/namespace/labels matches ``matches``.

    Without ``matches`` the object only has to exist; a missing named object fails as
    :func:`require` does. When several objects are selected and none matches, the mismatches of
    the newest one are reported.
    """
    if name is not None and not labels:
        try:
            found = [require(state, kind, name, namespace=namespace, api_version=api_version)]
        except Unmet as unmet:
            return unmet.outcome()
    else:
        found = state.objects(kind, api_version=api_version, namespace=namespace, name=name, labels=labels)
    if not found:
        what = describe(kind, name=name, namespace=namespace, labels=labels).removeprefix("any ")
        return fail(f"found no {what}", root=missing_root(kind, name, namespace, labels))
    if matches is None:
        return ok(f"found {_name(found[-1])}")
    for obj in reversed(found):
        if not mismatches(obj, matches):
            return ok(f"{_name(obj)} is as expected")
    return expect_fields(found[-1], matches)


def expect_fields(obj: Obj, fields: Any, *, at: str = "", passed: str = "") -> Outcome:
    """Pass when ``obj`` matches the partial object ``fields``; a failure lists each field that differs.

    Args:
        obj: the object, usually from :func:`require`.
        fields: the fields that matter (see :mod:`autograder.match` for the rules).
        at: a dotted path where ``fields`` start (``"spec.template.spec.securityContext"``), to
            save nesting; the failure names it once and the fields below it by their own names.
        passed: the message of a pass (default ``<Kind> <name> is as expected``).
    """
    for key in reversed(parse(at) if at else ()):
        if not isinstance(key, str):
            raise ValueError(f"expect_fields(at={at!r}): only field names, no list indexes")
        fields = {key: fields}
    found = mismatches(obj, fields)
    if not found:
        return ok(passed or f"{_name(obj)} is as expected")
    if at:
        below = at + "."
        found = [line.removeprefix(below) for line in found]
        return fail(f"{_name(obj)} differs from what is expected in {at}", found)
    return fail(f"{_name(obj)} differs from what is expected", found)


def _name(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    return f"{obj.get('kind', 'object')} {meta.get('name', '?')}"


__all__ = ["describe", "expect", "expect_fields", "missing_root", "require"]

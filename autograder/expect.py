"""Declarative checks in the spirit of kuttl and chainsaw asserts, each returning an Outcome.

::

    from autograder.expect import expect, expect_absent, expect_eventually

    @check(id="pod-pinned", title="The Pod's image is pinned", points=1, hint="...")
    def pod_pinned(state):
        return expect(state, "Pod", name="hello", namespace="first-pod",
                      matches={"spec": {"containers": [{"image": "busybox:1.36"}]}})

They find objects by kind, namespace, name and labels, compare them with a partial object
(:mod:`autograder.match`) and name the fields that differ. Plain Python is always allowed next
to them for logic they cannot express.
"""

from __future__ import annotations

from typing import Any

from autograder.checks import Outcome, fail, ok
from autograder.match import mismatches
from autograder.state import State


def describe(kind: str, *, name: str | None = None, namespace: str | None = None, labels: dict | None = None) -> str:
    """``Pod hello in namespace first-pod`` (for messages)."""
    text = f"{kind} {name}" if name else f"any {kind}"
    if labels:
        text += " labelled " + ",".join(f"{k}={v}" for k, v in labels.items())
    if namespace:
        text += f" in namespace {namespace}"
    return text


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

    Without ``matches`` the object only has to exist. When several objects are selected and none
    matches, the mismatches of the newest one are reported.
    """
    what = describe(kind, name=name, namespace=namespace, labels=labels)
    found = state.objects(kind, api_version=api_version, namespace=namespace, name=name, labels=labels)
    if not found:
        return fail(f"no {what}" if name else f"found no {what.removeprefix('any ')}")
    if matches is None:
        return ok(f"found {_name(found[-1])}")
    for obj in reversed(found):
        if not mismatches(obj, matches):
            return ok(f"{_name(obj)} is as expected")
    newest = found[-1]
    return fail(f"{_name(newest)} differs from what is expected", mismatches(newest, matches))


def expect_absent(
    state: State,
    kind: str,
    *,
    name: str | None = None,
    namespace: str | None = None,
    labels: dict[str, str] | None = None,
    api_version: str | None = None,
) -> Outcome:
    """Pass when no object matches the selection ("must not exist")."""
    found = state.objects(kind, api_version=api_version, namespace=namespace, name=name, labels=labels)
    if found:
        names = ", ".join(_name(o) for o in found[:5]) + (" ..." if len(found) > 5 else "")
        return fail(
            f"expected no {describe(kind, name=name, namespace=namespace, labels=labels).removeprefix('any ')}, found {names}"
        )
    return ok(f"no {describe(kind, name=name, namespace=namespace, labels=labels).removeprefix('any ')}, as expected")


def expect_eventually(
    state: State,
    kind: str,
    name: str,
    *,
    namespace: str | None = None,
    matches: Any,
    timeout: float = 30.0,
) -> Outcome:
    """Pass once the object matches ``matches``; on a live cluster wait up to ``timeout`` seconds
    (a watch, not polling). A failure reports the *last* mismatch seen, not just "timeout"."""
    last: dict[str, Any] = {}

    def condition(obj: dict[str, Any]) -> bool:
        last["obj"] = obj
        return not mismatches(obj, matches)

    obj = state.wait_for(kind, name, namespace=namespace, condition=condition, timeout=timeout)
    what = describe(kind, name=name, namespace=namespace)
    if obj is not None:
        return ok(f"{what} is as expected")
    seen = last.get("obj")
    waited = f" within {timeout:g} s" if state.source == "live" else ""
    if seen is None:
        return fail(f"no {what}{waited}")
    return fail(f"{what} did not match{waited}", mismatches(seen, matches))


def _name(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    return f"{obj.get('kind', 'object')} {meta.get('name', '?')}"


__all__ = ["describe", "expect", "expect_absent", "expect_eventually"]

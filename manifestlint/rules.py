"""Lint rules: tagged functions, collected in the order a module defines them.

A rule is a function of one object that yields :class:`Finding` objects, tagged with
:func:`rule`. The linter's own rules (:mod:`manifestlint.kube_rules`, :mod:`manifestlint.argo_rules`)
and a lab's (``labs/<id>/lint.py``) are written and collected the same way, as pytest collects
tests: every tagged function a module defines, in source order::

    from manifestlint import Finding, rule

    @rule(kinds=["Job"])
    def sweep_is_indexed(job):
        if job.get("spec", {}).get("completionMode") != "Indexed":
            yield Finding("spec", "the sweep needs completionMode: Indexed")

The rule's id is its name with dashes (``sweep-is-indexed``). A rule that raises does not stop
the others: its error becomes a finding that names the rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from manifestlint.fieldpath import FieldPath

_MARK = "__manifestlint_rule__"
_SELECTOR = re.compile(r"^[A-Z][A-Za-z0-9]*(\.[a-z0-9.-]+)?$")


@dataclass(frozen=True)
class Finding:
    """One problem in one object, before it is placed on a line."""

    path: FieldPath
    """Where in the object (a :class:`FieldPath`; text such as ``spec.containers[0]`` is parsed)."""
    message: str
    """What is wrong and how to fix it, for a learner."""
    rule: str | None = None
    """Rule id; None means the id of the rule that yielded it."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", FieldPath.of(self.path))


@dataclass(frozen=True, kw_only=True)
class Rule:
    """A collected rule."""

    func: Callable[..., Iterable[Finding] | None]
    id: str
    kinds: tuple[str, ...] = ()
    """``Kind`` or ``Kind.group`` selectors (``Job``, ``ClusterQueue.kueue.x-k8s.io``); empty: all."""
    on_patches: bool = False
    """Whether the rule also makes sense on a partial object (a kustomize patch)."""
    across_file: bool = False
    """Whether the rule takes every object of a file (``objects -> (index, Finding)``) instead of one."""
    module: str = field(default="")

    def applies_to(self, kind: str | None, group: str | None) -> bool:
        if not self.kinds:
            return True
        for selector in self.kinds:
            name, _, wanted_group = selector.partition(".")
            if name == kind and (not wanted_group or wanted_group == group):
                return True
        return False

    def run(self, subject: Any) -> list[Finding] | list[tuple[int, Finding]]:
        """The rule's findings, each with its rule id; a rule that raises yields one finding."""
        try:
            found = list(self.func(subject) or ())
        except Exception as err:  # noqa: BLE001 - a rule's bug must not hide the other rules' findings
            failed = Finding((), f"the rule {self.id} failed on this object: {type(err).__name__}: {err}", "rule-error")
            return [(0, failed)] if self.across_file else [failed]
        if self.across_file:
            return [(index, self._own(f)) for index, f in found]
        return [self._own(f) for f in found]

    def _own(self, finding: Any) -> Finding:
        if not isinstance(finding, Finding):
            return Finding((), f"the rule {self.id} yielded {finding!r}, not a Finding", "rule-error")
        return finding if finding.rule else Finding(finding.path, finding.message, self.id)


def rule(
    func: Callable | None = None,
    *,
    kinds: Iterable[str] = (),
    on_patches: bool = False,
    across_file: bool = False,
) -> Any:
    """Tag ``func`` as a lint rule (usable bare, ``@rule``, or with options, ``@rule(kinds=[...])``).

    Args:
        kinds: ``Kind`` or ``Kind.group`` selectors of the objects the rule reads; empty: all.
        on_patches: run it on kustomize patches too (partial objects); only for rules that
            check values, not for rules that need a field to be present.
        across_file: the rule takes the list of all objects of one file and yields
            ``(index, Finding)`` pairs.
    """
    selectors = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    for selector in selectors:
        if not isinstance(selector, str) or not _SELECTOR.match(selector):
            raise ValueError(f"rule kinds: {selector!r} is not a Kind or Kind.group selector")

    def tag(f: Callable) -> Callable:
        setattr(f, _MARK, {"kinds": selectors, "on_patches": on_patches, "across_file": across_file})
        return f

    return tag(func) if func is not None else tag


def collect(module: ModuleType) -> list[Rule]:
    """The rules ``module`` defines (not those it imports), in the order it defines them."""
    found = []
    for name, value in vars(module).items():
        options = getattr(value, _MARK, None)
        if options is None or getattr(value, "__module__", None) != module.__name__:
            continue
        found.append(Rule(func=value, id=name.strip("_").replace("_", "-"), module=module.__name__, **options))
    return found


def findings_for(rules: Iterable[Rule], obj: dict, kind: str | None, group: str | None) -> Iterator[Finding]:
    """Every finding of the object rules among ``rules`` that apply to ``obj``."""
    for r in rules:
        if not r.across_file and r.applies_to(kind, group):
            yield from r.run(obj)  # type: ignore[misc]


__all__ = ["Finding", "Rule", "collect", "findings_for", "rule"]

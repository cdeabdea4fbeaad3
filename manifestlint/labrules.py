"""A lab's part in linting: its own rules (``labs/<id>/lint.py``), its namespaces, and its scope.

A lab's rules speak about the objects the lab works with, so they run only on those: the kinds
its snapshot captures for grading (``grading.capture`` in ``lab.yaml``) and the kinds its rules
name. A file with none of them is outside the lab; it still gets the general rules, and a note
says so, instead of a "no problems found" that would suggest the lab's rules were satisfied.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coursecore.errors import UsageError
from coursecore.lab_package import lab_module
from manifestlint.rules import Rule, collect


@dataclass(frozen=True, kw_only=True)
class LabLint:
    """What linting for a lab adds to the general rules."""

    id: str
    namespaces: tuple[str, ...] = ()
    """Namespaces the lab's checks read; objects elsewhere would not be graded."""
    rules: tuple[Rule, ...] = ()
    """The lab's rules, in the order ``lint.py`` defines them."""
    scope: tuple[str, ...] = ()
    """``Kind`` or ``Kind.group`` selectors of the objects the lab works with."""

    def in_scope(self, kind: str | None, group: str | None) -> bool:
        for selector in self.scope:
            name, _, wanted = selector.partition(".")
            if name == kind and (not wanted or wanted == group):
                return True
        return False

    def scope_words(self) -> str:
        kinds = list(dict.fromkeys(s.partition(".")[0] for s in self.scope))
        return ", ".join(kinds) if kinds else "no particular kind"


def for_lab(lab: Any) -> LabLint:
    """The :class:`LabLint` of a :class:`coursecore.labs.Lab`.

    Raises:
        UsageError: the lab's ``lint.py`` cannot be imported or defines something that is not a rule.
    """
    rules = tuple(load_rules(Path(lab.path)))
    scope: list[str] = []
    for capture in lab.grading.capture:
        group = capture.api_version.rpartition("/")[0] if "/" in capture.api_version else ""
        if "." in capture.api_version and "/" not in capture.api_version:
            group = capture.api_version  # a group without a version: kueue.x-k8s.io
        scope.append(f"{capture.kind}.{group}" if group else capture.kind)
    for r in rules:
        scope += r.kinds
    return LabLint(
        id=lab.id,
        namespaces=tuple(lab.cluster.namespaces),
        rules=rules,
        scope=tuple(dict.fromkeys(scope)),
    )


def load_rules(folder: Path) -> list[Rule]:
    """The rules ``folder/lint.py`` defines (none when the lab has no such file), imported as part
    of the lab's package (:mod:`coursecore.lab_package`), so that it may import the lab's other files.

    Raises:
        UsageError: ``lint.py`` cannot be imported, or still declares a ``RULES`` list.
    """
    path = Path(folder) / "lint.py"
    if not path.is_file():
        return []
    module = lab_module(folder, "lint.py")
    if hasattr(module, "RULES"):
        raise UsageError(f"{path}: RULES lists are not read; tag each rule with @manifestlint.rule instead")
    return collect(module)


__all__ = ["LabLint", "for_lab", "load_rules"]

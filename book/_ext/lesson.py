"""The Carpentries shape of a chapter as data: ``lesson-overview`` at the top, ``keypoints`` at the end.

``lesson-overview`` renders the box every chapter opens with (tier, teaching and exercise minutes,
the lab, the questions the chapter answers and its objectives) and ``keypoints`` the box it ends
with. Both keep what they hold in the build environment, so that other parts of the book read
the same source instead of copying it: the slide decks (``book/_ext/slides.py``) and the tests
that check the lesson plans add up.

Source form (MyST)::

    :::{lesson-overview}
    :tier: intermediate
    :teaching: 15
    :exercises: 10
    :lab: first-pod, science-gateway

    **Questions**
    - What runs my container?

    **Objectives**
    - Write a Pod.
    :::

A missing part (no questions, no objectives, a tier that is not one of the course's) fails the
build, which runs with ``-W``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

TIERS = ("general", "intermediate", "advanced", "everyone", "instructors")


@dataclass(frozen=True)
class Lesson:
    """One chapter's overview, as the build environment keeps it."""

    docname: str
    tier: str
    teaching: int
    """Minutes an instructor teaches (explanation and live demonstration)."""
    exercises: int
    """Minutes learners spend on the chapter's own exercises (labs are timed separately)."""
    labs: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    objectives: tuple[str, ...] = ()
    keypoints: tuple[str, ...] = ()


def _tier(value: str) -> str:
    tiers = [t.strip() for t in value.replace(" and ", ",").split(",") if t.strip()]
    unknown = [t for t in tiers if t not in TIERS]
    if not tiers or unknown:
        raise ValueError(f"tier must be one or more of {', '.join(TIERS)}, not {value!r}")
    return ", ".join(tiers)


def _labs(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def _store(env):
    if not hasattr(env, "kc_lessons"):
        env.kc_lessons = {}
    return env.kc_lessons


def _list_after(children: list[nodes.Node], heading: str) -> nodes.bullet_list | None:
    """The bullet list that follows a paragraph reading exactly ``heading``."""
    for i, child in enumerate(children[:-1]):
        if isinstance(child, nodes.paragraph) and child.astext().strip() == heading:
            following = children[i + 1]
            if isinstance(following, nodes.bullet_list):
                return following
    return None


class LessonOverview(SphinxDirective):
    """``lesson-overview``: the chapter's tier, minutes, lab, questions and objectives."""

    has_content = True
    option_spec = {
        "tier": _tier,
        "teaching": directives.nonnegative_int,
        "exercises": directives.nonnegative_int,
        "lab": _labs,
    }

    def run(self) -> list[nodes.Node]:
        for required in ("tier", "teaching", "exercises"):
            if required not in self.options:
                raise self.error(f"lesson-overview needs :{required}:")
        body = nodes.container()
        self.state.nested_parse(self.content, self.content_offset, body)
        questions = _list_after(body.children, "Questions")
        objectives = _list_after(body.children, "Objectives")
        if questions is None or objectives is None:
            raise self.error("lesson-overview needs a **Questions** list and an **Objectives** list")
        labs = self.options.get("lab", ())
        lesson = Lesson(
            docname=self.env.docname,
            tier=self.options["tier"],
            teaching=self.options["teaching"],
            exercises=self.options["exercises"],
            labs=labs,
            questions=tuple(item.astext().strip() for item in questions.children),
            objectives=tuple(item.astext().strip() for item in objectives.children),
        )
        _store(self.env)[self.env.docname] = lesson

        box = nodes.admonition(classes=["lesson-overview", "note"])
        box += nodes.title(text="Overview")
        facts = nodes.paragraph(classes=["lesson-facts"])
        if lesson.teaching or lesson.exercises:
            facts += nodes.strong(text="Teaching: ")
            facts += nodes.Text(f"{lesson.teaching} min · ")
            facts += nodes.strong(text="Exercises: ")
            facts += nodes.Text(f"{lesson.exercises} min · ")
        else:
            facts += nodes.strong(text="Reading, ")
            facts += nodes.Text("not taught in the workshop · ")
        facts += nodes.strong(text="Tier: ")
        facts += nodes.Text(lesson.tier)
        if labs:
            facts += nodes.Text(" · ")
            facts += nodes.strong(text="Lab: " if len(labs) == 1 else "Labs: ")
            for i, lab in enumerate(labs):
                if i:
                    facts += nodes.Text(", ")
                facts += nodes.literal(text=lab)
        box += facts
        box += body.children
        return [box]


class KeyPoints(SphinxDirective):
    """``keypoints``: the chapter's closing list, kept for the slides."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        body = nodes.container()
        self.state.nested_parse(self.content, self.content_offset, body)
        lists = [c for c in body.children if isinstance(c, nodes.bullet_list)]
        if len(lists) != 1:
            raise self.error("keypoints holds exactly one bullet list")
        points = tuple(item.astext().strip() for item in lists[0].children)
        store = _store(self.env)
        # The overview comes first in a chapter; a page without one keeps its key points alone.
        old = store.get(self.env.docname) or Lesson(self.env.docname, tier="everyone", teaching=0, exercises=0)
        store[self.env.docname] = dataclasses.replace(old, keypoints=points)
        box = nodes.admonition(classes=["keypoints", "important"])
        box += nodes.title(text="Key points")
        box += body.children
        return [box]


def _purge(app, env, docname):
    _store(env).pop(docname, None)


def _merge_envs(app, env, docnames, other):
    _store(env).update({d: v for d, v in _store(other).items() if d in docnames})


def setup(app):
    app.add_directive("lesson-overview", LessonOverview)
    app.add_directive("keypoints", KeyPoints)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge_envs)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}


__all__ = ["Lesson", "TIERS", "setup"]

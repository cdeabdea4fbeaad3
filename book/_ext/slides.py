"""Instructor slide decks, one per chapter, cut from the chapter's own built page.

After the HTML build, every page that has a ``lesson-overview`` gets a deck in
``_build/html/slides/<page>.html``: a title slide (tier, minutes, lab), the questions, the
objectives, one slide per figure, one per exercise (its prompt, not its solution) and the key
points. The slides hold the chapter's rendered HTML itself, moved rather than rewritten, so a
correction to a chapter is a correction to its deck: there is one source and no copied prose.

A deck is a single HTML file with its style and a few lines of script inline, and its figures are
the book's own files in ``_images/``: it opens from a USB stick with no network. Arrow keys,
space and Page Up/Down move between slides; without script the slides simply stack, and printing
gives one slide per page.

``slides-index`` renders the list of decks on a book page (the instructor guide).
"""

from __future__ import annotations

import html
import os
import posixpath
from pathlib import Path

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

SLIDES_DIR = "slides"

STYLE = """
:root { --fg: #1d2733; --accent: #2f6db5; --muted: #5b6675; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif;
       color: var(--fg); background: #d9dde3; }
.slide { width: min(100vw, 177.78vh); height: min(56.25vw, 100vh); margin: 1.5rem auto;
         background: #fff; padding: 4% 6% 6%; position: relative; overflow: hidden;
         font-size: min(2.4vw, 4.3vh); line-height: 1.35; box-shadow: 0 2px 8px #0003; }
.deck .slide { display: none; margin: 0 auto; box-shadow: none; }
.deck .slide.current { display: block; }
.deck { background: #fff; height: 100vh; display: flex; align-items: center; }
h1 { font-size: 2em; margin: 0 0 .6em; color: var(--accent); }
h2 { font-size: 1.5em; margin: 0 0 .6em; color: var(--accent); }
ul, ol { margin: 0; padding-left: 1.2em; }
li { margin: .3em 0; }
code, pre { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: .85em; }
code { background: #eef1f5; padding: 0 .2em; border-radius: 3px; }
pre { background: #f4f6f9; padding: .6em; overflow: auto; max-height: 60%; }
figure { margin: 0; height: 78%; display: flex; flex-direction: column; align-items: center; }
figure img { max-width: 100%; max-height: 82%; object-fit: contain; flex: 1 1 auto; }
figcaption { font-size: .7em; color: var(--muted); margin-top: .5em; }
.facts { font-size: .9em; color: var(--muted); }
.foot { position: absolute; bottom: 2.5%; left: 6%; right: 6%; font-size: .55em; color: var(--muted);
        display: flex; justify-content: space-between; }
.foot a { color: var(--muted); }
.headerlink, .solution, .admonition-title { display: none; }
@media print { body { background: #fff; } .slide { margin: 0; box-shadow: none; page-break-after: always;
               width: 100vw; height: 56.25vw; } }
"""

SCRIPT = """
(function () {
  var slides = Array.prototype.slice.call(document.querySelectorAll('.slide'));
  var i = Math.max(0, Math.min(slides.length - 1, parseInt(location.hash.slice(1) || '1', 10) - 1));
  document.body.classList.add('deck');
  function show(n) {
    i = Math.max(0, Math.min(slides.length - 1, n));
    slides.forEach(function (s, k) { s.classList.toggle('current', k === i); });
    history.replaceState(null, '', '#' + (i + 1));
  }
  document.addEventListener('keydown', function (e) {
    if (['ArrowRight', 'PageDown', ' ', 'n'].indexOf(e.key) >= 0) { show(i + 1); e.preventDefault(); }
    if (['ArrowLeft', 'PageUp', 'p'].indexOf(e.key) >= 0) { show(i - 1); e.preventDefault(); }
    if (e.key === 'Home') show(0);
    if (e.key === 'End') show(slides.length - 1);
  });
  window.addEventListener('beforeprint', function () { document.body.classList.remove('deck'); });
  window.addEventListener('afterprint', function () { document.body.classList.add('deck'); });
  show(i);
})();
"""


def deck_name(docname: str) -> str:
    """``book/04-pods`` -> ``04-pods.html``."""
    return posixpath.basename(docname) + ".html"


def _relink(fragment, page_dir: Path, deck_dir: Path) -> None:
    """Point relative ``src`` and ``href`` of a fragment moved from a chapter page at the same files."""
    for tag in fragment.find_all(["img", "a"]):
        attr = "src" if tag.name == "img" else "href"
        value = tag.get(attr)
        if not value or value.startswith(("#", "data:", "mailto:")) or "://" in value:
            continue
        path, sep, anchor = value.partition("#")
        target = (page_dir / path) if path else None
        if target is None:
            continue
        tag[attr] = os.path.relpath(target, deck_dir).replace(os.sep, "/") + sep + anchor


def _list_after_heading(box, heading: str):
    for para in box.find_all("p"):
        if para.get_text(strip=True) == heading:
            following = para.find_next_sibling()
            if following is not None and following.name == "ul":
                return following
    return None


def build_deck(page: Path, deck: Path, outdir: Path) -> int:
    """Write the deck for one built chapter page; return the number of slides."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    article = soup.find("article") or soup
    for link in article.select("a.headerlink"):
        link.decompose()
    for solution in article.select("div.solution, details.solution"):
        solution.decompose()
    _relink(article, page.parent, deck.parent)

    title = article.find("h1")
    title_html = title.decode_contents() if title else html.escape(page.stem)
    overview = article.select_one(".lesson-overview")
    if overview is None:
        raise ValueError(f"{page}: no lesson-overview")
    facts = overview.select_one(".lesson-facts")
    chapter_href = os.path.relpath(page, deck.parent).replace(os.sep, "/")

    slides: list[str] = [f"<h1>{title_html}</h1><p class='facts'>{facts.decode_contents() if facts else ''}</p>"]
    for heading in ("Questions", "Objectives"):
        items = _list_after_heading(overview, heading)
        if items is not None:
            slides.append(f"<h2>{heading}</h2>{items.decode()}")
    for figure in article.find_all("figure"):
        slides.append(figure.decode())
    for exercise in article.select("div.exercise"):
        name = exercise.select_one(".admonition-title")
        heading = name.get_text(" ", strip=True) if name else "Exercise"
        body = exercise.select_one("section") or exercise
        slides.append(f"<h2>{html.escape(heading)}</h2>{body.decode_contents()}")
    keypoints = article.select_one(".keypoints ul")
    if keypoints is not None:
        slides.append(f"<h2>Key points</h2>{keypoints.decode()}")

    title_text = html.escape(title.get_text(" ", strip=True) if title else page.stem)
    total = len(slides)
    sections = "\n".join(
        f"<section class='slide' id='s{n}'>{body}<div class='foot'><span>{title_text}</span>"
        f"<span><a href='{chapter_href}'>chapter</a> · <a href='index.html'>all decks</a> · {n}/{total}</span></div>"
        "</section>"
        for n, body in enumerate(slides, start=1)
    )
    deck.write_text(
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>Slides: {title_text}</title><style>{STYLE}</style></head>\n<body>\n{sections}\n"
        f"<script>{SCRIPT}</script>\n</body></html>\n",
        encoding="utf-8",
    )
    return total


def _lessons(env) -> list:
    """The pages with an overview, in the order of the table of contents."""
    lessons = getattr(env, "kc_lessons", {})
    order = [d for d in _toc_order(env) if d in lessons and lessons[d].questions]
    return [lessons[d] for d in order]


def _toc_order(env) -> list[str]:
    root = env.config.root_doc
    seen, order = set(), []

    def walk(doc):
        if doc in seen:
            return
        seen.add(doc)
        order.append(doc)
        for child in env.toctree_includes.get(doc, []):
            walk(child)

    walk(root)
    order += sorted(d for d in env.found_docs if d not in seen)
    return order


def _write_decks(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    folder = outdir / SLIDES_DIR
    folder.mkdir(exist_ok=True)
    rows = []
    for lesson in _lessons(app.env):
        page = outdir / (lesson.docname + ".html")
        deck = folder / deck_name(lesson.docname)
        try:
            count = build_deck(page, deck, outdir)
        except (OSError, ValueError) as err:
            logger.warning(f"slides: {err}", type="slides")
            continue
        rows.append((deck.name, app.env.titles[lesson.docname].astext(), count))
    items = "\n".join(
        f"<li><a href='{name}'>{html.escape(title)}</a> ({count} slides)</li>" for name, title, count in rows
    )
    (folder / "index.html").write_text(
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'><title>Slides</title>"
        f"<style>body{{font-family:sans-serif;max-width:40em;margin:2em auto;line-height:1.5}}</style></head>"
        f"<body><h1>Instructor slides</h1><p>One deck per chapter, made from the chapter's questions, "
        f"objectives, figures, exercises and key points. Arrow keys move; print for handouts. "
        f"<a href='../{app.config.root_doc}.html'>Back to the book</a>.</p><ol>{items}</ol></body></html>\n",
        encoding="utf-8",
    )


class slides_index(nodes.General, nodes.Element):
    """Placeholder replaced once every page has been read (the list needs all of them)."""


class SlidesIndex(SphinxDirective):
    """``slides-index``: a table of every deck with the chapter's tier and minutes."""

    def run(self) -> list[nodes.Node]:
        return [slides_index()]


def _fill_index(app, doctree, docname) -> None:
    depth = docname.count("/")
    prefix = "../" * depth
    for placeholder in doctree.findall(slides_index):
        table = nodes.bullet_list()
        for lesson in _lessons(app.env):
            item = nodes.paragraph()
            ref = nodes.reference(
                "", app.env.titles[lesson.docname].astext(), refuri=f"{prefix}{SLIDES_DIR}/{deck_name(lesson.docname)}"
            )
            item += ref
            minutes = lesson.teaching + lesson.exercises
            item += nodes.Text(f" ({lesson.tier}; {minutes} min)")
            table += nodes.list_item("", item)
        all_decks = nodes.paragraph()
        all_decks += nodes.reference("", "All decks on one page", refuri=f"{prefix}{SLIDES_DIR}/index.html")
        placeholder.replace_self([table, all_decks])


def setup(app):
    app.add_node(slides_index)
    app.add_directive("slides-index", SlidesIndex)
    app.connect("doctree-resolved", _fill_index)
    app.connect("build-finished", _write_decks)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}


__all__ = ["SLIDES_DIR", "build_deck", "deck_name", "setup"]

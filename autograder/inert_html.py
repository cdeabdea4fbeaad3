"""Making what a learner wrote inert in every HTML page the grader produces or nbgrader serves.

A submission's markdown, raw cells, outputs, attachments and cell metadata are the learner's
text. Rendered as they are, a ``<script>``, an ``onerror`` attribute or a ``javascript:`` link
runs in the browser of whoever opens the page: in nbgrader's formgrader that is the
instructor's Jupyter session (on a JupyterHub, their account). nbgrader's feedback and
formgrade templates render markdown without cleaning it, and nbconvert's ``sanitize_html``
cleans the markdown *source*, which a markdown link like ``[x](javascript:...)`` passes.

So markdown is rendered first and the resulting HTML is cleaned with nh3 (the Rust ammonia
sanitiser) against an allow-list: the tags markdown produces, a few attributes per tag, no
``id``/``name`` (a learner's element must not take the id of a formgrader input), no ``style``,
no event handlers, links only to http(s), mailto and relative URLs, and ``data:`` URLs only for
PNG, JPEG, GIF and WebP images. The same functions serve three places:

- :mod:`autograder.feedback_page` (the feedback ``kubecourse grade`` writes);
- nbconvert's ``HTMLExporter``, through the course's ``nbgrader_config.py``: the
  :func:`markdown2html` and :func:`clean_html` filters and :func:`inert_preprocessor`, so that
  formgrader and plain ``nbgrader generate_feedback`` render submissions the same way.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

import nh3

ALLOWED_TAGS = frozenset(
    {
        *("a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del"),
        *("details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6"),
        *("hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small"),
        *("span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr"),
        *("u", "ul", "var"),
    }
)
ALLOWED_ATTRIBUTES = {
    "*": {"class", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "data"})
SAFE_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*$", re.IGNORECASE)
_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
# Contents dropped along with the tag, not shown as text.
_DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "template", "iframe", "object", "embed", "noscript", "svg", "math"}
)


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute in ("href", "src") and value.strip().lower().startswith("data:"):
        # nh3 has already refused every scheme but these; data: only as an image of a safe type.
        return value if tag == "img" and attribute == "src" and _DATA_IMAGE.match(value.strip()) else None
    return value


def clean(html: str) -> str:
    """HTML with everything that could run or restyle the page removed (see the module doc)."""
    return nh3.clean(
        str(html),
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(_DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_attribute_filter,
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def safe_attachments(attachments: Any) -> dict[str, dict[str, str]]:
    """A markdown cell's attachments, keeping only base64 images of a safe type."""
    kept: dict[str, dict[str, str]] = {}
    if not isinstance(attachments, dict):
        return kept
    for name, bundle in attachments.items():
        if not isinstance(name, str) or not isinstance(bundle, dict):
            continue
        images = {
            mime: data
            for mime, data in bundle.items()
            if mime in SAFE_IMAGE_TYPES and isinstance(data, str) and _DATA_IMAGE.match(f"data:{mime};base64,{data}")
        }
        if images:
            kept[name] = images
    return kept


def markdown_to_html(source: str, attachments: Any = None) -> str:
    """Render markdown as Jupyter does (nbconvert's renderer: math kept for MathJax, attached
    images inlined, never a local file read) and clean the result."""
    kept = safe_attachments(attachments)
    # A class's notebooks share most of their markdown (the released text): render each once.
    return _render(str(source), json.dumps(kept, sort_keys=True) if kept else "")


@lru_cache(maxsize=4096)
def _render(source: str, attachments: str) -> str:
    from nbconvert.filters.markdown_mistune import MarkdownWithMath

    kept = json.loads(attachments) if attachments else {}
    renderer = _renderer_class()(escape=False, attachments=kept, exclude_anchor_links=True)
    return clean(MarkdownWithMath(renderer=renderer).render(source))


@lru_cache(maxsize=1)
def _renderer_class():
    from nbconvert.filters.markdown_mistune import IPythonRenderer

    class Renderer(IPythonRenderer):
        """nbconvert's renderer, except that an attachment the learner named but that was removed
        (not a safe image) leaves an image without a source instead of failing the page."""

        def _embed_image_or_attachment(self, src: str) -> str:
            if src.startswith("attachment:") and src[len("attachment:") :] not in self.attachments:
                return ""
            return super()._embed_image_or_attachment(src)

    return Renderer


def _pass_context(function):
    import jinja2

    return jinja2.pass_context(function)


@_pass_context
def markdown2html(context: Any, source: str) -> str:
    """nbconvert filter: the ``markdown2html`` every HTML template calls, made safe.

    Named in ``c.HTMLExporter.filters`` by the course's ``nbgrader_config.py``; nbconvert lets
    configured filters replace its own.
    """
    cell = context.get("cell", {}) or {}
    return markdown_to_html(source, cell.get("attachments") if hasattr(cell, "get") else None)


def clean_html(html: str) -> str:
    """nbconvert filter: ``clean_html`` (used on raw cells and HTML outputs) with this allow-list."""
    return clean(html)


def safe_id(value: Any) -> bool:
    """Whether a ``grade_id`` (or cell id) may be written into an HTML attribute as it is."""
    return isinstance(value, str) and bool(_SAFE_ID.match(value))


_SAFE_OUTPUT_TYPES = ("text/plain", "image/png", "image/jpeg")


def inert_notebook(nb: Any) -> Any:
    """Strip a notebook (in place) of what nbconvert templates would write into a page unescaped.

    Notebook metadata is cut to the kernel's; cell metadata to nbgrader's, dropped when its
    ``grade_id`` is not a plain identifier (templates put it in attributes); raw cells are
    marked ``text/plain`` (HTML templates then leave them out); outputs keep only text and
    PNG/JPEG images; markdown attachments only safe images. Returns ``nb``.
    """
    meta = nb.get("metadata", {})
    nb["metadata"] = type(meta)({k: meta[k] for k in ("kernelspec", "language_info") if k in meta})
    for cell in nb.get("cells", []):
        cell_meta = cell.get("metadata", {})
        kept = type(cell_meta)()
        grading = cell_meta.get("nbgrader")
        if isinstance(grading, dict) and safe_id(grading.get("grade_id")):
            kept["nbgrader"] = grading
        if cell.get("cell_type") == "raw":
            kept["raw_mimetype"] = "text/plain"
        cell["metadata"] = kept
        if "id" in cell and not safe_id(cell["id"]):
            del cell["id"]
        if "attachments" in cell:
            cell["attachments"] = safe_attachments(cell["attachments"])
        if cell.get("cell_type") == "code":
            cell["outputs"] = [out for out in (_inert_output(o) for o in cell.get("outputs", [])) if out is not None]
    return nb


def _inert_output(output: Any) -> Any:
    kind = output.get("output_type")
    if kind == "stream":
        return output if isinstance(output.get("text"), (str, list)) else None
    if kind == "error":
        output["traceback"] = [str(line) for line in output.get("traceback", [])]
        return output
    if kind in ("display_data", "execute_result"):
        data = output.get("data", {})
        output["data"] = type(data)({k: v for k, v in data.items() if k in _SAFE_OUTPUT_TYPES})
        output["metadata"] = type(output.get("metadata", {}))()
        return output if output["data"] else None
    return None


def inert_preprocessor(nb: Any, resources: Any) -> tuple[Any, Any]:
    """nbconvert preprocessor (a function, which nbconvert accepts as one): :func:`inert_notebook`.

    Named in ``c.HTMLExporter.preprocessors`` and ``c.GenerateFeedback.preprocessors`` by the
    course's ``nbgrader_config.py``.
    """
    return inert_notebook(nb), resources


__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "clean",
    "clean_html",
    "inert_notebook",
    "inert_preprocessor",
    "markdown2html",
    "markdown_to_html",
    "safe_attachments",
    "safe_id",
]

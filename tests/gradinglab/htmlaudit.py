"""Finding learner text in the places of an HTML page where a browser would run it.

Each injection payload in the tests carries a unique token. :func:`executable_hits` parses a
page with the standard library's HTML parser (as a browser tokenises it: entities decoded in
attribute values) and reports every token found where it could run or take over the page:

- inside a ``<script>`` or ``<style>`` element's content;
- in an event-handler attribute (``on*``), a ``style`` attribute, ``srcdoc``, or an ``id`` /
  ``name`` (which can shadow the page's own elements in the DOM);
- in a URL attribute whose scheme runs code (``javascript:``, ``vbscript:``) or loads a document
  (``data:`` anything but a PNG/JPEG/GIF/WebP image);
- anywhere in an ``<iframe>``, ``<object>``, ``<embed>``, ``<base>``, ``<meta>``, ``<link>`` or
  ``<form>`` tag.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset"}
ALWAYS_ACTIVE_TAGS = {"iframe", "object", "embed", "base", "meta", "link", "form", "frame", "frameset"}
_SAFE_DATA = re.compile(r"^data:image/(png|jpeg|gif|webp)[;,]")
_INVISIBLE = re.compile(r"[\x00-\x20]+")


class _Audit(HTMLParser):
    def __init__(self, tokens: list[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens = tokens
        self.hits: list[str] = []
        self.text: list[str] = []
        self._raw_element: str | None = None

    def _found(self, value: str, where: str) -> None:
        for token in self.tokens:
            if token in value:
                self.hits.append(f"{token} in {where}: {value[:120]!r}")

    def handle_starttag(self, tag, attrs):
        self._tag(tag, attrs)
        if tag in ("script", "style"):
            self._raw_element = tag

    def handle_startendtag(self, tag, attrs):
        self._tag(tag, attrs)

    def _tag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            if tag in ALWAYS_ACTIVE_TAGS:
                self._found(value, f"<{tag} {name}>")
            if name.startswith("on") or name in ("style", "srcdoc", "id", "name"):
                self._found(value, f"<{tag} {name}>")
            if name in URL_ATTRIBUTES:
                url = _INVISIBLE.sub("", value).lower()
                if url.startswith(("javascript:", "vbscript:")) or (
                    url.startswith("data:") and not _SAFE_DATA.match(url)
                ):
                    self._found(value, f"<{tag} {name}> ({url.split(':')[0]}: URL)")

    def handle_endtag(self, tag):
        if tag == self._raw_element:
            self._raw_element = None

    def handle_data(self, data):
        if self._raw_element is not None:
            self._found(data, f"<{self._raw_element}> content")
        else:
            self.text.append(data)


def executable_hits(html: str, tokens: list[str]) -> list[str]:
    """Every token found in an executable position of ``html`` (see the module docstring)."""
    audit = _Audit(tokens)
    audit.feed(html)
    audit.close()
    return audit.hits


def visible_text(html: str) -> str:
    """The page's text outside scripts and styles (what a reader sees, roughly)."""
    audit = _Audit([])
    audit.feed(html)
    audit.close()
    return " ".join(audit.text)


__all__ = ["executable_hits", "visible_text"]

"""autograder.inert_html: rendered markdown is cleaned to an allow-list; notebooks lose what runs."""

from __future__ import annotations

import base64

import nbformat.v4 as v4
import pytest
from gradinglab.htmlaudit import executable_hits

from autograder.inert_html import clean, inert_notebook, markdown_to_html, safe_attachments, safe_id

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16).decode()
PAYLOADS = [
    "<script>alert('TOKX')</script>",
    "<img src=x onerror=\"alert('TOKX')\">",
    "[a](javascript:alert('TOKX'))",
    "[a](  JaVaScRiPt:alert('TOKX'))",
    "<a href=\"vbscript:msgbox('TOKX')\">a</a>",
    "<a href=\"data:text/html,<script>alert('TOKX')</script>\">a</a>",
    "![a](data:image/svg+xml;base64,PHN2Zz4=TOKX)",
    "<svg><script>alert('TOKX')</script></svg>",
    "<iframe srcdoc=\"<script>alert('TOKX')</script>\"></iframe>",
    "<div style=\"background:url(javascript:alert('TOKX'))\">a</div>",
    '<form action="javascript:alert(\'TOKX\')"><input name="TOKX"></form>',
    '<h1 id="TOKX">heading</h1>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('TOKX')>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('TOKX')>\">",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_payloads_come_out_inert(payload):
    assert executable_hits(markdown_to_html(payload), ["TOKX"]) == []


def test_ordinary_markdown_is_kept():
    html = markdown_to_html(
        "# Title\n\nSome *em* and `code`, a [link](https://example.org) and $x_1$.\n\n| a |\n|---|\n| 1 |"
    )
    assert "<h1>Title</h1>" in html and "<em>em</em>" in html and "<code>code</code>" in html
    assert 'href="https://example.org"' in html and "$x_1$" in html and "<table>" in html


def test_safe_images_survive_and_unsafe_ones_lose_their_source():
    html = markdown_to_html(f"![png](data:image/png;base64,{PNG})")
    assert f'src="data:image/png;base64,{PNG}"' in html
    assert "src=" not in markdown_to_html("![svg](data:image/svg+xml;base64,PHN2Zz4=)")


def test_attachments_keep_only_safe_images():
    attachments = {"a.png": {"image/png": PNG}, "b.svg": {"image/svg+xml": "PHN2Zz4="}, "c": "junk"}
    assert safe_attachments(attachments) == {"a.png": {"image/png": PNG}}
    assert "data:image/png" in markdown_to_html("![a](attachment:a.png)", attachments)
    assert "svg" not in markdown_to_html("![b](attachment:b.svg)", attachments)  # removed, not a failure


def test_links_get_rel_and_no_id_or_style_passes():
    html = clean('<a href="https://x.org" id="check-pod-exists" style="color:red">x</a>')
    assert 'rel="noopener noreferrer nofollow"' in html and "id=" not in html and "style=" not in html


@pytest.mark.parametrize(
    ("value", "ok"), [("check-pod-exists", True), ("a_b-9", True), ('x" on="y', False), ("", False)]
)
def test_safe_id(value, ok):
    assert safe_id(value) is ok


def test_inert_notebook_strips_metadata_outputs_and_raw_html():
    nb = v4.new_notebook()
    nb.metadata["widgets"] = {"x": "</script>"}
    nb.metadata["kernelspec"] = {"name": "python3"}
    code = v4.new_code_cell("x", metadata={"tags": ['" onclick="y'], "nbgrader": {"grade_id": 'x" y'}})
    code.outputs = [
        v4.new_output("display_data", data={"text/html": "<script>", "text/plain": "ok", "image/png": PNG}),
        v4.new_output("display_data", data={"application/javascript": "alert(1)"}),
        v4.new_output("stream", name="stdout", text="fine"),
    ]
    good = v4.new_code_cell("y", metadata={"nbgrader": {"grade_id": "check-a", "grade": True}})
    raw = v4.new_raw_cell("<script>", metadata={"raw_mimetype": "text/html"})
    nb.cells = [code, good, raw]
    inert_notebook(nb)
    assert set(nb.metadata) == {"kernelspec"}
    assert code.metadata == {} and good.metadata["nbgrader"]["grade_id"] == "check-a"
    assert [dict(o.get("data", {})) for o in code.outputs] == [{"text/plain": "ok", "image/png": PNG}, {}]
    assert raw.metadata == {"raw_mimetype": "text/plain"}

"""Learner HTML and script are inert in every page the grader writes or nbgrader serves.

A table of injection payloads, each carrying a unique token, goes into one submission: markdown
tricks, raw cells, code outputs of every MIME type, attachments, cell and notebook metadata, and a
snapshot whose values end up in check messages. The pages are then made the ways an instructor
meets them, and parsed (``gradinglab.htmlaudit``): no token may sit where a browser runs it, and
the visible part of each payload must still be on the page as text.

- the feedback page ``kubecourse grade`` writes;
- formgrader's view of the autograded notebook, rendered as nbgrader's formgrader renders it
  (``nbgrader/server_extensions/formgrader/formgrader.py``: ``FormgradeExtension`` with the
  course's ``nbgrader_config.py``, ``HTMLExporter(config=self.config)``; resources as
  ``handlers.SubmissionHandler.get`` passes them);
- plain ``nbgrader generate_feedback`` on the course;
- and, for those who still run plain ``nbgrader autograde`` (which executes learner code and so
  produces real HTML and JavaScript outputs), formgrader and ``generate_feedback`` on its result.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest
from gradinglab import LAB_ID, add_submission, pod, write_lab
from gradinglab.htmlaudit import executable_hits, visible_text

from autograder.course import build_course
from autograder.grading import grade_assignment

pytestmark = pytest.mark.notebook

NBGRADER = str(Path(sys.executable).parent / "nbgrader")

# (where, payload with {t} for the token and {v} for text that must stay visible)
MARKDOWN = [
    "<script>alert('{t}')</script>{v}",
    "<img src=x onerror=\"alert('{t}')\">{v}",
    "[{v}](javascript:alert('{t}'))",
    "<svg onload=\"alert('{t}')\"><script>alert('{t}')</script></svg>{v}",
    "<div onmouseover=\"alert('{t}')\">{v}</div>",
    "<a href=\"JaVaScRiPt:alert('{t}')\">{v}</a>",
    "<iframe srcdoc=\"<script>alert('{t}')</script>\"></iframe>{v}",
    "<a href=\"data:text/html,<script>alert('{t}')</script>\">{v}</a>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('{t}')></style></mglyph></table></mtext></math>{v}",
    "<style>body {{ background: url(\"javascript:alert('{t}')\") }}</style>{v}",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(\'{t}\')">{v}',
    "<base href=\"javascript:alert('{t}')//\">{v}",
    "<form action=\"javascript:alert('{t}')\"><button>{v}</button></form>",
    "<a href=\"&#106;avascript:alert('{t}')\">{v}</a>",
    "![{v}](x\" onerror=\"alert('{t}'))",
    "<details open ontoggle=\"alert('{t}')\"><summary>{v}</summary></details>",
    "<object data=\"javascript:alert('{t}')\"></object>{v}",
    '<a id="{t}" name="{t}">{v}</a>',
    "<a href=\"java&#x09;script:alert('{t}')\">{v}</a>",
    '<p style="position:fixed;top:0;left:0;width:100%;height:100%" title="{t}">{v}</p>',
]


def _tokens(prefix: str, count: int) -> list[str]:
    return [f"TOK{prefix}{i:02d}X" for i in range(count)]


def _payload_notebook(nb) -> dict[str, list[str]]:
    """Add every payload to the notebook ``nb``; return tokens and visible words by context."""
    import nbformat.v4 as v4

    found: dict[str, list[str]] = {"markdown": [], "visible": [], "other": []}
    for token, payload in zip(_tokens("M", len(MARKDOWN)), MARKDOWN, strict=True):
        visible = token.replace("TOK", "VIS")
        nb.cells.insert(1, v4.new_markdown_cell(payload.format(t=token, v=visible)))
        found["markdown"].append(token)
        found["visible"].append(visible)
    t = _tokens("O", 20)
    svg = base64.b64encode(f"<svg xmlns='http://www.w3.org/2000/svg' onload=\"alert('{t[0]}')\"/>".encode()).decode()
    attached = v4.new_markdown_cell("![VISATTACH](attachment:evil.svg)")
    attached.attachments = {"evil.svg": {"image/svg+xml": svg}}
    raw = v4.new_raw_cell(f"<script>alert('{t[1]}')</script>", metadata={"raw_mimetype": "text/html"})
    raw_plain = v4.new_raw_cell(f"<img src=x onerror=\"alert('{t[2]}')\">")
    code = v4.new_code_cell("print('look at my outputs')")
    code.outputs = [
        v4.new_output("display_data", data={"text/html": f"<img src=x onerror=\"alert('{t[3]}')\">"}),
        v4.new_output("display_data", data={"application/javascript": f"alert('{t[4]}')"}),
        v4.new_output("display_data", data={"image/svg+xml": f"<svg onload=\"alert('{t[5]}')\"></svg>"}),
        v4.new_output("display_data", data={"text/markdown": f"[x](javascript:alert('{t[6]}'))"}),
        v4.new_output("execute_result", data={"text/html": f"<script>alert('{t[7]}')</script>"}, execution_count=1),
        v4.new_output(
            "display_data",
            data={"application/vnd.jupyter.widget-view+json": {"model_id": f"</script><script>alert('{t[8]}')"}},
        ),
        v4.new_output("error", ename="E", evalue="v", traceback=[f"<script>alert('{t[9]}')</script>"]),
        v4.new_output("stream", name="stdout", text=f"<script>alert('{t[10]}')</script>"),
    ]
    code.metadata["tags"] = [f"x\" onmouseover=\"alert('{t[11]}')"]
    forged = v4.new_code_cell("1")
    forged.metadata["nbgrader"] = {"grade": True, "grade_id": f"x\" autofocus onfocus=\"alert('{t[12]}')", "points": 1}
    nb.cells[2:2] = [attached, raw, raw_plain, code, forged]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"k": f"</script><script>alert('{t[13]}')"}}
    nb.metadata["title"] = f"<script>alert('{t[14]}')</script>"
    found["other"] = t[:15]
    return found


RUN_CODE = """\
from IPython.display import HTML, Javascript, Markdown, SVG, display
display(HTML("<img src=x onerror=\\"alert('{t0}')\\">"))
display(Javascript("alert('{t1}')"))
display(SVG("<svg xmlns='http://www.w3.org/2000/svg' onload=\\"alert('{t2}')\\"></svg>"))
display(Markdown("[x](javascript:alert('{t3}'))"))
HTML("<script>alert('{t4}')</script>")
"""


def _render_formgrader(course: Path, student: str) -> str:
    """formgrader's page of ``autograded/<student>/<lab>/<lab>.ipynb``, made in a fresh process as
    formgrader makes it (its extension loads the course's nbgrader_config.py)."""
    script = f"""
import os, sys
from nbconvert.exporters import HTMLExporter
from nbgrader.server_extensions.formgrader.formgrader import FormgradeExtension
os.chdir({str(course)!r})
app = FormgradeExtension()
app.initialize([], root={str(course)!r})
exporter = HTMLExporter(config=app.config)
resources = dict(assignment_id={LAB_ID!r}, notebook_id={LAB_ID!r}, submission_id="s1", index=0, total=1,
                 base_url="", student={student!r}, last_name=None, first_name=None, notebook_path="p")
path = os.path.join("autograded", {student!r}, {LAB_ID!r}, {LAB_ID!r} + ".ipynb")
html, _ = exporter.from_filename(path, resources=resources)
sys.stdout.write(html)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _nbgrader(course: Path, *args: str) -> None:
    done = subprocess.run(
        [NBGRADER, *args, LAB_ID, "--force", f"--NbGrader.config_file={course}/nbgrader_config.py"],
        cwd=course,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    root = tmp_path_factory.mktemp("inert")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KUBECOURSE_LABS", str(root / "labs"))
        mp.delenv("KUBECONFIG", raising=False)
        write_lab(root / "labs")
        course = root / "course"
        build_course(course, validate=False)
        found: dict[str, list[str]] = {}

        def mutate(nb):
            found.update(_payload_notebook(nb))

        folder = add_submission(course, "xss", None, mutate=mutate)
        image = "nginx:<img src=x onerror=alert('TOKSNAP00X')>"
        (folder / "snapshot.yaml").write_text(
            json.dumps({"apiVersion": "v1", "kind": "List", "items": [pod(image, {"team": "<b>TOKSNAP01X</b>"})]})
        )
        run_tokens = _tokens("R", 5)
        add_submission(
            course,
            "xss-run",
            "partial",
            learner_code=RUN_CODE.format(**{f"t{i}": tok for i, tok in enumerate(run_tokens)}),
        )
        result = grade_assignment(course, LAB_ID, jobs=2)
        assert not result.feedback_failures and not result.not_graded, result.to_json()
        ours = {s: (course / "feedback" / s / LAB_ID / f"{LAB_ID}.html").read_text() for s in ("xss", "xss-run")}
        formgrader = _render_formgrader(course, "xss")
        plain = root / "plain-feedback"
        shutil.copytree(course, plain)
        _nbgrader(plain, "generate_feedback")
        insisted = root / "insisted"
        shutil.copytree(course, insisted)
        # nbgrader's own autograde crashes on xss's forged grade cell (a KeyError in
        # OverwriteCells.add_missing_grade_cells): it gets the submission that only runs code.
        shutil.rmtree(insisted / "submitted" / "xss")
        _nbgrader(insisted, "autograde")
        _nbgrader(insisted, "generate_feedback")
        yield {
            "tokens": [*found["markdown"], *found["other"], "TOKSNAP00X", "TOKSNAP01X"],
            "run_tokens": run_tokens,
            "visible": found["visible"],
            "pages": {
                "kubecourse feedback": ours["xss"],
                "formgrader": formgrader,
                "nbgrader generate_feedback": (plain / "feedback" / "xss" / LAB_ID / f"{LAB_ID}.html").read_text(),
            },
            "insisted": {
                "formgrader after nbgrader autograde": _render_formgrader(insisted, "xss-run"),
                "generate_feedback after nbgrader autograde": (
                    insisted / "feedback" / "xss-run" / LAB_ID / f"{LAB_ID}.html"
                ).read_text(),
                "kubecourse feedback of the same submission": ours["xss-run"],
            },
            "insisted_notebook": (insisted / "autograded" / "xss-run" / LAB_ID / f"{LAB_ID}.ipynb").read_text(),
        }


@pytest.mark.parametrize("page", ["kubecourse feedback", "formgrader", "nbgrader generate_feedback"])
def test_no_payload_reaches_an_executable_position(pages, page):
    assert executable_hits(pages["pages"][page], pages["tokens"]) == []


@pytest.mark.parametrize("page", ["kubecourse feedback", "formgrader", "nbgrader generate_feedback"])
def test_the_learners_text_is_still_shown(pages, page):
    text = visible_text(pages["pages"][page])
    missing = [word for word in pages["visible"] if word not in text]
    assert missing == []


def test_the_tests_see_an_unsafe_page_when_there_is_one(pages):
    """The audit is not blind: nbgrader's templates without the course's settings fail it."""
    import nbformat
    from nbconvert.exporters import HTMLExporter
    from nbgrader.server_extensions.formgrader import handlers
    from traitlets.config import Config

    config = Config()
    config.HTMLExporter.template_name = "formgrade"
    config.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(MARKDOWN[1].format(t="TOKPLAINX", v="x"))]
    resources = dict(assignment_id="a", notebook_id="n", submission_id="s", index=0, total=1, base_url="")
    html, _ = HTMLExporter(config=config).from_notebook_node(nb, resources=resources)
    assert executable_hits(html, ["TOKPLAINX"])


def test_formgrader_keeps_its_own_scripts(pages):
    assert "formgrade.js" in pages["pages"]["formgrader"]


def test_the_learner_outputs_really_were_produced_by_plain_nbgrader(pages):
    """Plain nbgrader autograde ran the learner's code: its outputs carry the payloads."""
    assert all(token in pages["insisted_notebook"] for token in pages["run_tokens"])


@pytest.mark.parametrize(
    "page",
    [
        "formgrader after nbgrader autograde",
        "generate_feedback after nbgrader autograde",
        "kubecourse feedback of the same submission",
    ],
)
def test_outputs_of_executed_learner_code_are_inert_too(pages, page):
    assert executable_hits(pages["insisted"][page], pages["run_tokens"]) == []


def test_our_feedback_page_forbids_scripts_outright(pages):
    html = pages["pages"]["kubecourse feedback"]
    assert "Content-Security-Policy" in html and "default-src 'none'" in unescape(html)
    assert "<script" not in html.lower()

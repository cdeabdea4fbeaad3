"""Tests of the book: it builds with warnings as errors, every page and figure is there, it
reads offline, and its Kubernetes examples are valid objects.

The build runs once per session into a temporary folder (``--path-output``), so the test never
touches the repository's own ``_build/``.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.book

REPO = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT = 900  # seconds; a full build takes well under a minute on two cores

# External scripts, stylesheets, fonts or frames would make the book need the internet to read.
EXTERNAL_ASSET = re.compile(
    r"""<(?:script|img|iframe)\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?//"""
    r"""|<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?//"""
    r"""|@import\s+(?:url\()?\s*["']?(?:https?:)?//"""
    r"""|url\(\s*["']?(?:https?:)?//""",
    re.IGNORECASE,
)
CDN_HOSTS = re.compile(r"unpkg\.com|cdn\.jsdelivr\.net|cdnjs\.|fonts\.googleapis|mathjax", re.I)
FIGURE_DIRECTIVE = re.compile(r"^```\{(?:figure|image)\}\s+(\S+)", re.MULTILINE)
IMG_SRC = re.compile(r"""<img\b[^>]*\bsrc\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def _jupyter_book() -> str:
    """The jupyter-book next to this Python (the project's virtualenv), else the one on PATH."""
    beside = Path(sys.executable).with_name("jupyter-book")
    found = str(beside) if beside.exists() else shutil.which("jupyter-book")
    if found is None:
        pytest.fail("jupyter-book is not installed; install the project (pip install -e .)")
    return found


def _toc_files() -> list[str]:
    """Every document named in _toc.yml: the root, then each part's chapters and sections."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return [re.sub(r"\.(md|ipynb)$", "", f) for f in files]


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> Path:
    """Build the book once into a temporary folder and return its ``_build/html``."""
    out = tmp_path_factory.mktemp("book")
    cmd = [_jupyter_book(), "build", str(REPO), "--path-output", str(out), "-W", "-n", "--keep-going"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=BUILD_TIMEOUT, cwd=REPO)
    log = (proc.stdout + proc.stderr)[-6000:]
    assert proc.returncode == 0, f"book build failed (exit {proc.returncode}):\n{log}"
    html = out / "_build" / "html"
    assert (html / "index.html").is_file(), f"no index.html in {html}:\n{log}"
    return html


def test_every_toc_entry_has_a_page(built_book):
    missing = [f for f in _toc_files() if not (built_book / f"{f}.html").is_file()]
    assert not missing, f"chapters in _toc.yml without an HTML page: {missing}"


def test_every_referenced_figure_is_in_the_output(built_book):
    figures = []
    for doc in _toc_files():
        source = REPO / f"{doc}.md"
        if not source.is_file():
            continue
        for ref in FIGURE_DIRECTIVE.findall(source.read_text(encoding="utf-8")):
            figures.append((doc, Path(ref).name))
    missing = [(doc, name) for doc, name in figures if not (built_book / "_images" / name).is_file()]
    assert not missing, f"figures referenced but not in _build/html/_images: {missing}"
    assert len({name for _, name in figures}) >= 6, "the book should explain with at least 6 figures"

    broken = []
    for page in built_book.rglob("*.html"):
        for src in IMG_SRC.findall(page.read_text(encoding="utf-8")):
            if src.startswith("data:"):
                continue
            target = (page.parent / src.split("#")[0].split("?")[0]).resolve()
            if not target.is_file():
                broken.append((page.relative_to(built_book).as_posix(), src))
    assert not broken, f"<img> tags pointing at missing files: {broken}"


def test_the_book_reads_offline(built_book):
    offenders = []
    for path in list(built_book.rglob("*.html")) + list(built_book.rglob("*.css")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in EXTERNAL_ASSET.finditer(text):
            offenders.append((path.relative_to(built_book).as_posix(), match.group(0)[:120]))
        if path.suffix == ".html":
            for match in CDN_HOSTS.finditer(text):
                offenders.append((path.relative_to(built_book).as_posix(), match.group(0)))
    assert not offenders, f"the built book loads assets from the network: {offenders[:10]}"


def _yaml_examples():
    """(chapter, document) for every YAML code block in the book that holds a Kubernetes object."""
    examples = []
    for doc in _toc_files():
        source = REPO / f"{doc}.md"
        if not source.is_file():
            continue
        blocks = re.findall(r"^```yaml\n(.*?)^```", source.read_text(encoding="utf-8"), re.S | re.M)
        for block in blocks:
            for obj in yaml.safe_load_all(block):
                if isinstance(obj, dict) and "apiVersion" in obj and "kind" in obj:
                    examples.append((Path(doc).name, obj))
    return examples


def test_kubernetes_examples_are_valid_objects():
    import kubernetes_validate
    from kubernetes_validate.utils import SchemaNotFoundError

    checked, problems = 0, []
    for chapter, obj in _yaml_examples():
        name = f"{chapter}: {obj['kind']} {obj.get('metadata', {}).get('name', '')}"
        try:
            kubernetes_validate.validate(obj, "1.34.0", strict=True)
            checked += 1
        except SchemaNotFoundError:
            continue  # custom resources are checked below or by their own tools
        except Exception as err:  # noqa: BLE001 - the validator raises several types; all mean "invalid"
            problems.append(f"{name}: {str(err).splitlines()[0]}")
    assert not problems, "invalid Kubernetes examples:\n" + "\n".join(problems)
    assert checked >= 10, f"only {checked} built-in examples were validated"


def test_argo_examples_have_no_unknown_fields():
    # Checked against the schema of the Argo release the sandbox installs (the linter's).
    from manifestlint import lint_object

    workflows = [(c, o) for c, o in _yaml_examples() if o["kind"] == "Workflow"]
    assert workflows, "the book should show at least one complete Argo Workflow"
    for chapter, obj in workflows:
        schema = [f"{f.path}: {f.message}" for f in lint_object(obj) if f.rule in ("unknown-field", "type", "required")]
        assert not schema, f"{chapter}: Workflow has unknown or misspelt fields: {schema}"


def _author_guide() -> str:
    return (REPO / "book" / "author-guide.md").read_text(encoding="utf-8")


def test_author_guide_documents_every_lab_yaml_field():
    # The allowed keys are the sets passed to _Validator.only() in coursecore/labs.py.
    source = (REPO / "coursecore" / "labs.py").read_text(encoding="utf-8")
    allowed = re.findall(r"""v\.only\(\s*\w+,\s*(?:"([^"]*)"|(\w+)),\s*\{([^}]*)\}""", source)
    assert allowed, "could not find the lab.yaml schema in coursecore/labs.py"
    guide = _author_guide()
    missing = []
    for _literal, _variable, keys in allowed:
        for key in re.findall(r'"([^"]+)"', keys):
            if f"`{key}`" not in guide and not re.search(rf"\.{re.escape(key)}`", guide):
                missing.append(key)
    assert not missing, f"lab.yaml fields the author guide does not document: {missing}"


def test_author_guide_examples_are_valid_lab_files(tmp_path):
    from coursecore.labs import load_lab

    examples = [yaml.safe_load(block) for block in re.findall(r"^```yaml\n(.*?)^```", _author_guide(), re.S | re.M)]
    examples = [e for e in examples if isinstance(e, dict) and {"id", "tier"} <= set(e)]
    assert len(examples) >= 2, "the author guide should show a full and a minimal lab.yaml"
    for example in examples:
        folder = tmp_path / example["id"]
        folder.mkdir()
        cluster = example.get("cluster", {})
        for image in cluster.get("images", []):
            if image.get("build"):
                (folder / image["build"]).mkdir(parents=True)
                (folder / image["build"] / "Dockerfile").write_text("FROM scratch\n")
        for data in cluster.get("data", []):
            (folder / data["source"]).mkdir(parents=True, exist_ok=True)
        (folder / "lab.yaml").write_text(yaml.safe_dump(example), encoding="utf-8")
        lab = load_lab(folder)  # raises UsageError naming the field if the example is wrong
        assert lab.id == example["id"]


# --- In a real browser (optional: needs Debian's chromium; skipped cleanly without it) ---------

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BROWSER_TIMEOUT = 300  # seconds for the whole walk; the virtual-time budget only runs out when idle

# Served from the built book itself, so that the walker and the pages share one origin. It starts
# at the book's root page (index.html only redirects there), follows the sidebar's navigation
# links breadth first, and records for each page its title, its navigation links and whether
# each image decoded (naturalWidth > 0).
WALKER = """<!doctype html><html><body><script>
(async () => {
  const start = new URLSearchParams(location.search).get('start');
  const seen = new Set(), queue = [new URL(start, location.href).href], out = [];
  while (queue.length) {
    const url = queue.shift();
    if (seen.has(url)) continue;
    seen.add(url);
    const frame = document.createElement('iframe');
    frame.style.width = '1200px'; frame.style.height = '900px';
    const loaded = new Promise(r => { frame.onload = r; });
    frame.src = url; document.body.appendChild(frame);
    await loaded;
    const doc = frame.contentDocument;
    const imgs = [...doc.querySelectorAll('article img, main img')];
    await Promise.all(imgs.map(i => i.complete ? null :
      new Promise(r => { i.onload = r; i.onerror = r; })));
    const nav = [...doc.querySelectorAll('nav.bd-docs-nav a.reference.internal')]
      .map(a => new URL(a.getAttribute('href'), url).href.split('#')[0]);
    nav.forEach(n => { if (!seen.has(n)) queue.push(n); });
    out.push({url: url, h1: (doc.querySelector('h1') || {}).textContent || '',
              images: imgs.map(i => [i.getAttribute('src'), i.naturalWidth]), nav: nav.length});
    frame.remove();
  }
  const pre = document.createElement('pre');
  pre.id = 'walk'; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script></body></html>"""


def _browser() -> str | None:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def book_server(built_book):
    """The built book over HTTP on 127.0.0.1 (an iframe cannot read file:// pages)."""
    (built_book / "_walk.html").write_text(WALKER, encoding="utf-8")
    handler = functools.partial(_QuietHandler, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output for failures
        pass


def test_every_chapter_renders_in_a_browser_with_its_figures(request, tmp_path):
    browser = _browser()
    if browser is None:
        pytest.skip("no chromium found (Debian: apt-get install chromium)")
    book_server = request.getfixturevalue("book_server")  # build only when there is a browser
    cmd = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=120000",
        "--dump-dom",
        f"{book_server}/_walk.html?start={_toc_files()[0]}.html",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=BROWSER_TIMEOUT)
    match = re.search(r'<pre id="walk">(.*?)</pre>', proc.stdout, re.S)
    assert match, f"the walk did not finish (exit {proc.returncode}): {proc.stderr[-2000:]}"
    pages = {p["url"].removeprefix(book_server + "/"): p for p in json.loads(_unescape(match.group(1)))}

    unreached = [f"{doc}.html" for doc in _toc_files() if f"{doc}.html" not in pages]
    assert not unreached, f"chapters not reachable through the navigation: {unreached}"
    for doc in _toc_files():
        page = pages[f"{doc}.html"]
        assert page["h1"].strip(), f"{doc}: no title rendered"
        assert page["nav"] >= len(_toc_files()) - 1, f"{doc}: navigation sidebar is incomplete"
        source = REPO / f"{doc}.md"
        expected = len(FIGURE_DIRECTIVE.findall(source.read_text(encoding="utf-8"))) if source.is_file() else 0
        shown = [src for src, width in page["images"] if width > 0]
        broken = [src for src, width in page["images"] if width == 0]
        assert not broken, f"{doc}: images that did not render: {broken}"
        assert len(shown) >= expected, f"{doc}: {len(shown)} images rendered, {expected} figures in the source"


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def test_labs_page_lists_every_lab_in_teaching_order(built_book):
    from coursecore.labs import discover

    html = (built_book / "book" / "labs.html").read_text(encoding="utf-8")
    page = " ".join(re.sub(r"<[^>]+>", " ", html).split())  # literals are split into spans
    labs = discover(REPO / "labs")
    missing = [lab.id for lab in labs if f"kubecourse start {lab.id}" not in page]
    assert not missing, f"labs missing from the book's table of labs: {missing}"
    # `kubecourse start first-pod ` with the space: no id is a prefix of a later one's position
    positions = [page.index(f"kubecourse start {lab.id} ") for lab in labs]
    assert positions == sorted(positions), "the table of labs is not in teaching order (labs/course.yaml)"


# --- Markup that did not render ------------------------------------------------------------------

# What MyST source looks like when the parser did not understand it: a fence or a colon fence, a
# role or directive name in braces, a directive option line, a label, a Markdown table rule. Code
# blocks and inline literals are removed first (they may show such syntax on purpose).
RAW_MARKUP = re.compile(
    r"```|~~~|^\s*:::|(?<![\w$])\{(?:doc|ref|term|numref|download|eq|abbr|figure|image|note|tip|warning|"
    r"important|admonition|list-table|table|code-cell|code-block|exercise|solution|glossary|"
    r"toctree|labs-table|lesson-overview|keypoints|dropdown)\}"
    r"|^\s*:(?:name|alt|class|header-rows|label|width|align|tier|teaching|exercises|lab):\s"
    r"|\|\s*:?-{3,}:?\s*\||^\([\w-]+\)=$",
    re.MULTILINE,
)
VERBATIM = re.compile(r"<(pre|code|script|style|textarea)\b.*?</\1>", re.S | re.I)


def _visible_text(page: str) -> str:
    import html as htmllib

    body = page.split('<article class="bd-article"', 1)[-1]  # the page's own content, not the theme
    body = VERBATIM.sub(" ", body)
    body = re.sub(r"<(?:p|li|div|tr|td|th|dt|dd|h\d|br)\b[^>]*>", "\n", body, flags=re.I)
    return htmllib.unescape(re.sub(r"<[^>]+>", "", body))


def test_raw_markup_detector_finds_what_the_parser_left():
    # The detector itself, on the failure that prompted it: a backtick fence whose title holds
    # backticks is not a fence in CommonMark, so its text lands in a paragraph.
    broken = '<article class="bd-article"><p>```{list-table} Attacks in <code>x</code>\n:header-rows: 1</p>'
    assert RAW_MARKUP.findall(_visible_text(broken))
    table = '<article class="bd-article"><p>| a | b |\n|---|---|\n| 1 | 2 |</p>'
    assert RAW_MARKUP.findall(_visible_text(table))
    fine = '<article class="bd-article"><p>see <code>```{note}</code></p><pre>:::{figure}\n```</pre>'
    assert not RAW_MARKUP.findall(_visible_text(fine))


def test_no_raw_myst_syntax_in_the_built_pages(built_book):
    offenders = []
    for page in sorted(built_book.rglob("*.html")):
        rel = page.relative_to(built_book).as_posix()
        if rel.startswith(("_", "genindex", "search")) or "/_" in rel:
            continue
        text = _visible_text(page.read_text(encoding="utf-8"))
        for match in RAW_MARKUP.finditer(text):
            line = text[text.rfind("\n", 0, match.start()) + 1 : text.find("\n", match.end())]
            offenders.append(f"{rel}: {line.strip()[:100]}")
    assert not offenders, "markup that did not render (shown as text):\n" + "\n".join(offenders[:20])


# --- The Carpentries shape of a chapter, and the slides made from it -----------------------------

CHAPTER = re.compile(r"^book/\d\d-")


def _chapters() -> list[str]:
    return [doc for doc in _toc_files() if CHAPTER.match(doc)]


def _soup(path: Path):
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _text(node) -> str:
    return " ".join(node.get_text(" ", strip=True).split())


def test_every_chapter_opens_with_an_overview_and_ends_with_key_points():
    problems = []
    for doc in _chapters():
        source = (REPO / f"{doc}.md").read_text(encoding="utf-8")
        first_section = source.find("\n## ")
        overview = source.find(":::{lesson-overview}")
        if overview < 0 or (first_section >= 0 and overview > first_section):
            problems.append(f"{doc}: no lesson-overview before the first section")
        minutes = re.search(r":teaching: (\d+)\n:exercises: (\d+)", source)
        if minutes is None:
            problems.append(f"{doc}: the overview states no teaching and exercise minutes")
        keypoints = source.rfind(":::{keypoints}")
        if keypoints < 0 or source[keypoints:].split("\n:::\n", 1)[-1].strip():
            problems.append(f"{doc}: the key points are not the end of the chapter")
        exercises = re.findall(r"^:{3,}\{exercise\}[^\n]*\n:label: (\S+)", source, re.M)
        solutions = re.findall(r"^:{3,}\{solution\} (\S+)", source, re.M)
        if minutes and int(minutes.group(2)) > 0 and not exercises:
            problems.append(f"{doc}: exercise minutes but no exercise")
        if sorted(exercises) != sorted(solutions):
            problems.append(f"{doc}: exercises {exercises} and solutions {solutions} do not pair up")
    assert not problems, "\n".join(problems)


def test_exercises_render_with_solutions_hidden_until_revealed(built_book):
    counted = 0
    for doc in _chapters():
        soup = _soup(built_book / f"{doc}.html")
        exercises = soup.select("div.exercise")
        solutions = soup.select("div.solution")
        assert len(solutions) == len(exercises), f"{doc}: {len(exercises)} exercises, {len(solutions)} solutions"
        for solution in solutions:
            # sphinx-togglebutton collapses admonitions with the dropdown class until clicked
            assert "dropdown" in solution["class"], f"{doc}: a solution is shown without being asked for"
        counted += len(exercises)
    assert counted >= 2 * len(_chapters()) - 4, f"only {counted} exercises in {len(_chapters())} chapters"


def test_each_chapter_has_a_deck_made_from_its_own_page(built_book):
    slides = built_book / "slides"
    index = (slides / "index.html").read_text(encoding="utf-8")
    for doc in _chapters():
        page = _soup(built_book / f"{doc}.html")
        deck_path = slides / f"{Path(doc).name}.html"
        assert deck_path.is_file(), f"no slides for {doc}"
        assert deck_path.name in index, f"{deck_path.name} missing from slides/index.html"
        deck = _soup(deck_path)
        deck_text = _text(deck)
        overview = page.select_one(".lesson-overview")
        for item in overview.select("ul > li"):  # questions and objectives, as the chapter renders them
            assert _text(item) in deck_text, f"{doc}: deck lacks {_text(item)[:60]!r}"
        for item in page.select(".keypoints li"):
            assert _text(item) in deck_text, f"{doc}: deck lacks key point {_text(item)[:60]!r}"
        figures = [Path(img["src"]).name for img in page.select("figure img")]
        shown = [Path(img["src"]).name for img in deck.select("figure img")]
        assert shown == figures, f"{doc}: deck figures {shown} != chapter figures {figures}"
        for img in deck.select("img"):
            assert (deck_path.parent / img["src"]).resolve().is_file(), f"{deck_path.name}: broken image {img['src']}"
        for solution in page.select("div.solution"):
            body = _text(solution.select_one("section") or solution)
            assert body not in deck_text, f"{doc}: the deck gives away a solution"
        assert len(deck.select("section.slide")) >= 4, f"{doc}: a deck of fewer than four slides"


# --- Workshop pages: lab notes, setup, FAQ ------------------------------------------------------


def _labs():
    from coursecore.labs import discover

    return {lab.id: lab for lab in discover(REPO / "labs")}


def test_lab_notes_name_real_labs_with_their_planned_minutes():
    notes = (REPO / "book" / "lab-notes.md").read_text(encoding="utf-8")
    sections = re.findall(
        r"^## `([a-z0-9-]+)`: .*?\n\n\*\*Planned:\*\* (\d+) minutes\. \*\*Tier:\*\* (\w+)", notes, re.M
    )
    assert len(sections) >= 10, "lab-notes.md should have a section per lab"
    labs = _labs()
    for lab_id, minutes, tier in sections:
        assert lab_id in labs, f"lab-notes.md has notes for a lab that does not exist: {lab_id}"
        assert int(minutes) == labs[lab_id].minutes, (
            f"{lab_id}: notes plan {minutes} min, lab.yaml {labs[lab_id].minutes}"
        )
        assert tier == labs[lab_id].tier, f"{lab_id}: notes say tier {tier}, lab.yaml {labs[lab_id].tier}"


def test_setup_page_shows_what_doctor_prints_when_the_machine_is_ready(tmp_path):
    """The sample report on the setup page has the rows and closing lines the real command prints.

    ``kubecourse doctor`` runs here against the project's stand-in kind and docker (tests/fakekind,
    which answer ``kind version`` and ``docker info`` as kind v0.31.0 and Docker 29 do), so that it
    reports a ready machine; the page's sample was made the same way.
    """
    from fakekind.fixtures import write_wrappers  # tests/ is on pytest's pythonpath

    bin_dir = tmp_path / "bin"
    write_wrappers(bin_dir)
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{bin_dir}:{os.environ.get('PATH', '')}",
        "FAKE_KIND_STATE": str(tmp_path / "state"),
        "FAKE_KIND_LOG": str(tmp_path / "log"),
        "KUBECOURSE_HOME": str(tmp_path / "home"),
        "COLUMNS": "100",
    }
    kubecourse = Path(sys.executable).with_name("kubecourse")
    done = subprocess.run([str(kubecourse), "doctor", "--json"], capture_output=True, text=True, env=env, timeout=120)
    report = json.loads(done.stdout)
    page = (REPO / "book" / "setup.md").read_text(encoding="utf-8")
    sample = page.split("## What `kubecourse doctor` prints when all is well", 1)[1].split("```text\n", 1)[1]
    sample = sample.split("\n```", 1)[0]
    cells = [[c.strip() for c in line.split("│")[1:3]] for line in sample.splitlines() if line.startswith("│")]
    names = [name for name, _ in cells if name]
    assert all(mark == "ok" for name, mark in cells if name), "the sample should show a ready machine"
    assert names == [f["name"] for f in report["findings"]], f"doctor's rows changed: {names}"
    assert re.search(r"This host can hold about \d+ one-node sandboxes", sample)
    for closing in ("Ready for labs.", "next: kubecourse labs"):
        assert closing in sample
    if report["ready"]:  # with too little memory or disk here, doctor is not ready even with the stand-ins
        human = subprocess.run([str(kubecourse), "doctor"], capture_output=True, text=True, env=env, timeout=120)
        assert human.returncode == 0
        for closing in ("Ready for labs.", "next: kubecourse labs"):
            assert closing in human.stdout + human.stderr


def test_faq_lists_every_labs_visible_hints(built_book):
    from autograder.loader import load_checks

    page = "".join(_text(_soup(built_book / "book" / "faq.html")).split())  # literals split words apart
    page = page.translate(str.maketrans("‘’“”", "''\"\"")).replace("…", "...")  # smart quotes
    for lab_id in _labs():
        for check in load_checks(REPO / "labs" / lab_id).checks:
            if check.hidden or not check.hint:
                assert "".join(check.title.split()) not in page, f"{lab_id}: the FAQ shows hidden check {check.id}"
                continue
            hint = "".join(check.hint.replace("`", "").split())
            assert hint in page, f"{lab_id}/{check.id}: hint missing from the FAQ"


# --- Lesson plans: the minutes add up ------------------------------------------------------------

PLAN_ROW = re.compile(r"^\|\s*(\d\d):(\d\d)\s*\|\s*(\d*)\s*\|([^|]*)\|([^|]*)\|([^|]*)\|$")
LONGEST_STRETCH = 120  # minutes of teaching and labs between two breaks (Carpentries keep it near 90)


def _plan_tables(name: str) -> dict[str, list[tuple[int, int | None, str, str]]]:
    """Every schedule table of a plan page under its section heading: (start, minutes, block, tier)."""
    tables: dict[str, list] = {}
    heading = ""
    for line in (REPO / "book" / f"{name}.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            heading = line.lstrip("# ").strip()
        row = PLAN_ROW.match(line)
        if row:
            assert tables.get(heading, [(0, 0, "", "")])[-1][2] != "End", f"{name}: two tables under {heading!r}"
            start = int(row[1]) * 60 + int(row[2])
            minutes = int(row[3]) if row[3] else None
            tables.setdefault(heading, []).append((start, minutes, row[4].strip(), row[5].strip()))
    return tables


def _chapter_lessons() -> dict[str, tuple[int, str]]:
    """Chapter file name -> (teaching + exercise minutes, tier), from the chapters' overviews."""
    lessons = {}
    for doc in _chapters():
        source = (REPO / f"{doc}.md").read_text(encoding="utf-8")
        tier = re.search(r"^:tier: (.+)$", source, re.M)[1].strip()
        minutes = re.search(r":teaching: (\d+)\n:exercises: (\d+)", source)
        lessons[Path(doc).name] = (int(minutes[1]) + int(minutes[2]), tier)
    return lessons


def _check_plan_table(title: str, rows, labs, lessons) -> list[str]:
    """The table's times follow from its minutes; each block takes its chapter's or lab's own."""
    problems, stretch = [], 0
    for (start, minutes, block, tier), following in zip(rows, rows[1:] + [None], strict=True):
        where = f"{title} {start // 60:02d}:{start % 60:02d}"
        if following is None:
            if block != "End" or minutes is not None:
                problems.append(f"{where}: the last row must be End, with no minutes")
            continue
        if minutes is None:
            problems.append(f"{where}: a block without minutes")
            continue
        if following[0] != start + minutes:
            problems.append(
                f"{where}: {block} takes {minutes} min, so the next block starts at "
                f"{(start + minutes) // 60:02d}:{(start + minutes) % 60:02d}, not as written"
            )
        lab = re.fullmatch(r"Lab `([a-z0-9-]+)`", block)
        chapter = re.fullmatch(r"\{doc\}`([\w-]+)`", block)
        if lab:
            if lab[1] not in labs:
                problems.append(f"{where}: no lab {lab[1]}")
            elif (minutes, tier) != (labs[lab[1]].minutes, labs[lab[1]].tier):
                problems.append(
                    f"{where}: {lab[1]} is {labs[lab[1]].minutes} min, {labs[lab[1]].tier} in its "
                    f"lab.yaml, not {minutes} min, {tier}"
                )
        elif chapter:
            if chapter[1] not in lessons:
                problems.append(f"{where}: {chapter[1]} is not a chapter with an overview")
            elif (minutes, tier) != lessons[chapter[1]]:
                problems.append(
                    f"{where}: {chapter[1]} is {lessons[chapter[1]]} by its overview, not {minutes} min, {tier}"
                )
        if block in ("Break", "Lunch"):
            stretch = 0
        else:
            stretch += minutes
            if stretch > LONGEST_STRETCH:
                problems.append(f"{where}: {stretch} minutes without a break")
    return problems


def _plan_labs(rows) -> list[str]:
    return [m[1] for _, _, block, _ in rows for m in [re.fullmatch(r"Lab `([a-z0-9-]+)`", block)] if m]


def test_two_day_plan_adds_up_and_holds_every_lab_once_in_course_order():
    labs, lessons = _labs(), _chapter_lessons()
    tables = _plan_tables("plan-two-day")
    days = [tables[name] for name in ("Day one", "Day two")]
    problems = [
        p
        for title, rows in zip(("Day one", "Day two"), days, strict=True)
        for p in _check_plan_table(title, rows, labs, lessons)
    ]
    assert not problems, "\n".join(problems)
    taught = [lab for rows in days for lab in _plan_labs(rows)]
    assert taught == list(labs), (
        f"book/plan-two-day.md should teach every lab once, in course order (labs/course.yaml): {taught}; "
        "a new lab needs a `Lab `id`` row with its lab.yaml minutes and tier"
    )
    assert sum(labs[lab].minutes for lab in taught) == sum(lab.minutes for lab in labs.values())
    for rows in days:
        assert rows[-1][0] <= 17 * 60, "a workshop day that ends after 17:00"


def test_one_day_plan_adds_up_and_says_what_it_leaves_out():
    labs, lessons = _labs(), _chapter_lessons()
    tables = _plan_tables("plan-one-day")
    assert len(tables) >= 3, "the one-day page should hold the day and two half-day variants"
    problems = [p for title, rows in tables.items() for p in _check_plan_table(title, rows, labs, lessons)]
    assert not problems, "\n".join(problems)
    order = list(labs)
    for title, rows in tables.items():
        taught = _plan_labs(rows)
        assert taught == sorted(taught, key=order.index), f"{title}: labs out of course order: {taught}"
    day = _plan_labs(tables["The day"])
    source = (REPO / "book" / "plan-one-day.md").read_text(encoding="utf-8")
    left_out = source.split("## Not in this day", 1)[1].split("\n## ", 1)[0]
    named = re.findall(r"Lab\s+`([a-z0-9-]+)`", left_out)
    assert sorted(day + named) == sorted(labs), f"every lab is either in the day or under 'Not in this day': {named}"
    assert tables["The day"][-1][0] <= 17 * 60


def test_every_lab_has_instructor_notes_in_course_order():
    notes = (REPO / "book" / "lab-notes.md").read_text(encoding="utf-8")
    sections = re.findall(r"^## `([a-z0-9-]+)`", notes, re.M)
    assert sections == list(_labs()), (
        f"book/lab-notes.md should have one section per lab, in course order: {sections}; "
        "a new lab needs its instructor notes (what to demonstrate, what learners get wrong, where the time goes)"
    )

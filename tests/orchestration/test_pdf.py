"""`make pdf`: one page per slide for every deck, every HTML report printed, the index's PDF links
resolve; without a browser, `make pdf` and these tests say so in one line (an error under CI=true)."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from kimi_research import paths, registry
from kimi_research.orchestration import browser, decks, export, summary
from kimi_research.orchestration.pdf import pdf_dir, pdf_name

pypdf = pytest.importorskip("pypdf")
pytestmark = pytest.mark.browser
DECKS = sorted(paths.slides_dir().glob("*.slides.html"))
REPORTS = sorted(paths.html_dir().glob("[0-9][0-9]_*.html"))

if not browser.find_chromium():
    if browser.in_ci():
        pytest.fail(browser.missing_message(), pytrace=False)
    pytest.skip(f"`make pdf` cannot run here: {browser.missing_message()}", allow_module_level=True)


class _LeafSections(HTMLParser):
    """Count <section> elements holding no <section>: the slides reveal.js shows."""

    def __init__(self):
        super().__init__()
        self.stack: list[bool] = []
        self.leaves = 0

    def handle_starttag(self, tag, attrs):
        if tag == "section":
            if self.stack:
                self.stack[-1] = True
            self.stack.append(False)

    def handle_endtag(self, tag):
        if tag == "section" and self.stack:
            self.leaves += not self.stack.pop()


def slides_in(deck) -> int:
    p = _LeafSections()
    p.feed(deck.read_text(encoding="utf-8"))
    return p.leaves


def _pdf(page):
    out = pdf_dir() / pdf_name(page)
    assert out.exists(), f"{out} is missing: run `make pdf`"
    assert out.stat().st_mtime >= page.stat().st_mtime, f"{out} is older than {page.name}: run `make pdf`"
    return pypdf.PdfReader(out)


@pytest.mark.parametrize("deck", DECKS, ids=[d.name for d in DECKS])
def test_deck_pdf_has_one_page_per_slide(deck):
    name = deck.name.removesuffix(".slides.html")
    n = slides_in(deck)
    if name in registry.BY_NAME:
        assert n == decks.expected_slides(name)
    reader = _pdf(deck)
    assert len(reader.pages) == n
    widths = {round(float(p.mediabox.width)) for p in reader.pages}
    heights = {round(float(p.mediabox.height)) for p in reader.pages}
    assert len(widths) == len(heights) == 1 and widths.pop() > heights.pop(), "slides are landscape pages of one size"


@pytest.mark.parametrize("report", REPORTS, ids=[r.name for r in REPORTS])
def test_report_pdf_has_its_title_and_no_code(report):
    reader = _pdf(report)
    assert len(reader.pages) >= 1
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages[:2])
    heading = re.search(r"<h1[^>]*>(.*?)<", report.read_text(encoding="utf-8"), flags=re.S).group(1).strip()
    assert " ".join(html.unescape(heading).split(":")[0].split()) in text
    assert "import kimi_research" not in text and "validate_parameters(" not in text


def test_the_index_links_every_pdf():
    index = (paths.html_dir() / "index.html").read_text(encoding="utf-8")
    names = [n for n in registry.NAMES if (paths.executed_dir() / f"{n}.ipynb").exists()]
    for name in [*names, summary.NAME]:
        link = export.links(name)
        for key in ("deck_pdf", *(("report_pdf",) if name != summary.NAME else ())):
            assert f'href="{link[key]}"' in index, (name, key)
            assert (paths.html_dir() / link[key]).resolve().exists(), f"{link[key]} is missing: run `make pdf`"


def _without_browser(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, CI="true", KIMI_RESEARCH_CHROMIUM="/nonexistent/chromium")
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=300, cwd=paths.ROOT)


def test_without_a_browser_make_pdf_and_the_browser_tests_fail_in_one_line(monkeypatch):
    """CI=true and no browser: `make pdf` exits 1 with one line saying what to install, and the
    browser and PDF test modules fail (not skip) with that line."""
    monkeypatch.setenv("KIMI_RESEARCH_CHROMIUM", "/nonexistent/chromium")
    assert browser.find_chromium() is None
    message = browser.missing_message()
    assert "KIMI_RESEARCH_CHROMIUM=/nonexistent/chromium" in message and "make setup" in message
    pdf = _without_browser("-m", "kimi_research.orchestration.pdf")
    assert (pdf.returncode, pdf.stdout, pdf.stderr) == (1, "", f"make pdf: {message}; no PDFs written\n")
    for module in ("tests/notebooks/test_slides_browser.py", "tests/orchestration/test_pdf.py"):
        run = _without_browser("-m", "pytest", "-q", "-p", "no:cacheprovider", module)
        assert run.returncode != 0 and f"ERROR {module} - Failed: {message}\n" in run.stdout, run.stdout
        assert "passed" not in run.stdout and "skipped" not in run.stdout, run.stdout

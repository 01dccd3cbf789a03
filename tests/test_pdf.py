"""`make pdf`: one page per slide for every deck, and every HTML report printed."""

from __future__ import annotations

import html
import os
import re
from html.parser import HTMLParser

import pytest

from kimi_research import paths, registry
from kimi_research.orchestration import browser, decks
from kimi_research.orchestration.pdf import pdf_dir, pdf_name

pypdf = pytest.importorskip("pypdf")
pytestmark = pytest.mark.browser
DECKS = sorted(paths.slides_dir().glob("*.slides.html"))
REPORTS = sorted(paths.html_dir().glob("[0-9][0-9]_*.html"))

if not browser.find_chromium() and not os.environ.get("CI"):
    pytest.skip("chromium is not installed: `make pdf` cannot run here", allow_module_level=True)


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

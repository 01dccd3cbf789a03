"""The decks and reports in a real browser (headless Chromium over the DevTools protocol).

Every deck is walked with → only, slide by slide, fragment by fragment, and each step is
measured (tests/slidewalk.py): content height within the slide, no element outside it, the
smallest HTML text and the smallest chart text (bounded from the chart's rendered/natural
size), no heading-only slide, no sentence twice. Every http(s) request is blocked and is a
failure, as is any console error. Screenshots of every step go to build/slides/shots/.
Skipped without chromium, except in CI (CI=true), where it must run.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from kimi_research import paths, registry
from kimi_research.orchestration import browser, decks, export

sys.path.insert(0, str(Path(__file__).parent))
import slidewalk  # noqa: E402

pytestmark = pytest.mark.browser
DECKS = sorted(paths.slides_dir().glob("*.slides.html"))
NOTEBOOK_DECKS = [d for d in DECKS if re.match(r"\d\d_", d.name)]
REPORTS = sorted(p for p in paths.html_dir().glob("[0-9][0-9]_*.html"))
SHOTS = paths.slides_dir() / "shots"

if not browser.find_chromium():
    if os.environ.get("CI"):
        pytest.fail("CI must render the decks: install Debian's chromium (.ci/run does)", pytrace=False)
    pytest.skip("chromium is not installed (apt-get install chromium); browser tests skipped", allow_module_level=True)


@pytest.fixture(scope="module")
def chrome():
    with browser.Browser(slidewalk.WIDTH, slidewalk.HEIGHT) as b:
        yield b


def test_every_notebook_has_a_deck_and_a_report():
    executed = sorted(p.stem for p in paths.executed_dir().glob("[0-9][0-9]_*.ipynb") if ".failed" not in p.name)
    assert executed, "no executed notebooks: run `make run`"
    assert [d.name.removesuffix(".slides.html") for d in NOTEBOOK_DECKS] == executed, "run `make slides`"
    assert [r.stem for r in REPORTS] == executed, "run `make run`"
    assert (paths.slides_dir() / "kimi_in_ten_slides.slides.html").exists()
    assert (paths.html_dir() / "index.html").exists()


@pytest.mark.parametrize("page", DECKS + REPORTS, ids=lambda p: p.name)
def test_pages_reference_nothing_remote(page):
    text = page.read_text(encoding="utf-8")
    remote = re.findall(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="(https?://[^"]+)"', text)
    assert not remote, f"{page.name} loads {remote}"
    for lib in ("mermaid", "MathJax.Hub", "embed-amd.js", "html-manager"):
        assert lib not in text, f"{page.name} still loads {lib}"


def test_the_harness_sees_requests_and_console_errors(chrome, tmp_path):
    """A page that asks for a remote image and logs an error: both must be caught."""
    bad = tmp_path / "bad.html"
    bad.write_text('<img src="https://example.org/x.png"><script>console.error("boom")</script>', encoding="utf-8")
    page = chrome.page()
    page.goto(bad.as_uri())
    chrome.pump(1.5)
    assert page.blocked == ["https://example.org/x.png"]
    assert any("boom" in e for e in page.errors)


def test_the_walk_flags_a_spilling_slide(chrome, tmp_path):
    """A deck whose slide cannot fit (text at its minimum size, taller than the slide) is reported."""
    deck = paths.slides_dir() / "kimi_in_ten_slides.slides.html"
    text = deck.read_text(encoding="utf-8")
    long = "".join(f"<p>Line {i} of a slide that is far too long for any screen.</p>" for i in range(60))
    i = text.index("</section>")
    for asset in export.LOCAL.values():  # the deck's offline assets, beside the copy
        (tmp_path / asset).symlink_to(paths.slides_dir() / asset)
    bad = tmp_path / "spill.slides.html"
    bad.write_text(text[:i] + long + text[i:], encoding="utf-8")
    w = slidewalk.walk(chrome.page(), bad)
    found = slidewalk.problems(w, slidewalk.MIN_TEXT_PX, slidewalk.MIN_CHART_PX, slidewalk.chart_px_per_ratio())
    assert any(re.search(r"slide 0\.0: content is \d+ px tall, the slide 720 px", f) for f in found), found


@pytest.mark.parametrize("deck", DECKS, ids=[d.name for d in DECKS])
def test_walk_every_slide_with_the_right_arrow(deck, chrome):
    w = slidewalk.walk(chrome.page(), deck, SHOTS)
    name = deck.name.removesuffix(".slides.html")
    if name in registry.BY_NAME:
        assert w.total == decks.expected_slides(name)
    reached = {(m["h"], m["v"]) for m in w.slides}
    assert len(reached) == w.total, f"→ reached {len(reached)} of {w.total} slides"
    shown: dict[tuple, int] = {}
    for m in w.slides:
        shown[(m["h"], m["v"])] = max(shown.get((m["h"], m["v"]), 0), len(m["imgs"]))
    assert sum(shown.values()) == w.images, "a chart no → reaches"
    found = slidewalk.problems(w, slidewalk.MIN_TEXT_PX, slidewalk.MIN_CHART_PX, slidewalk.chart_px_per_ratio())
    assert not found, f"{len(found)} problem(s) (screenshots in {SHOTS}):\n" + "\n".join(found)


def test_every_chart_and_table_is_on_a_slide_the_arrow_reaches(chrome):
    for deck in NOTEBOOK_DECKS:
        page = chrome.page()
        slidewalk.open_deck(page, deck)
        # every chart and table sits in a leaf slide; the walk reaches every leaf slide
        orphans = page.eval("""Array.from(document.querySelectorAll('.reveal .slides img, .reveal .slides table'))
            .filter(e => !e.closest('section') || e.closest('section').querySelector('section')).length""")
        assert orphans == 0, deck.name
        assert page.eval("Reveal.getConfig().navigationMode") == "linear", deck.name


def test_speaker_view_opens(chrome):
    page = chrome.page()
    slidewalk.open_deck(page, DECKS[0])
    before = {t["targetId"] for t in chrome.targets()}
    page.key("s", 83, "s")
    chrome.pump(2)
    new = [t for t in chrome.targets() if t["targetId"] not in before and t["type"] == "page"]
    assert new and "Speaker View" in new[0]["title"], new
    session = chrome.send("Target.attachToTarget", {"targetId": new[0]["targetId"], "flatten": True})["sessionId"]
    speaker = browser.Page(chrome, session, new[0]["targetId"])
    chrome.pages[session] = speaker
    speaker.wait_for("document.querySelectorAll('iframe').length >= 2", 20, "the speaker view's slide previews")
    assert not page.errors and not page.blocked


def test_titles():
    for deck in NOTEBOOK_DECKS:
        name = deck.name.removesuffix(".slides.html")
        title = re.search(r"<title>(.*?)</title>", deck.read_text(encoding="utf-8")).group(1)
        assert title.startswith(registry.BY_NAME[name].title.replace("&", "&amp;")), (deck.name, title)
    for report in REPORTS:
        title = re.search(r"<title>(.*?)</title>", report.read_text(encoding="utf-8")).group(1)
        assert title.startswith(registry.BY_NAME[report.stem].title.replace("&", "&amp;")), (report.name, title)


def test_index_lists_notebooks_in_registry_order_with_headlines():
    page = (paths.html_dir() / "index.html").read_text(encoding="utf-8")
    names = [n for n in registry.NAMES if (paths.executed_dir() / f"{n}.ipynb").exists()]
    positions = [page.index(f"<code>{n}</code>") for n in names]
    assert positions == sorted(positions)
    for n in names:
        headline = export.read_results(n).get("headline")
        if headline:
            import html

            assert html.escape(headline) in page, n


@pytest.mark.parametrize("report", REPORTS, ids=[r.name for r in REPORTS])
def test_report_offline_without_code(report, chrome):
    page = chrome.page()
    page.goto(report.resolve().as_uri())
    page.wait_for("document.readyState === 'complete'", 60)
    chrome.pump(1.0)
    assert not page.blocked, f"{report.name} requested {page.blocked}"
    assert not page.errors, f"{report.name}: console errors {page.errors}"
    assert page.eval("document.querySelectorAll('.jp-CodeCell .jp-InputArea').length") == 0, "input code is shown"
    assert page.eval("document.querySelectorAll('img').length") > 0
    widgets = page.eval("document.querySelectorAll('.kimi-static-widget').length")
    has_widget = "application/vnd.jupyter.widget-view+json" in (paths.executed_dir() / f"{report.stem}.ipynb").read_text(
        encoding="utf-8"
    )
    assert (widgets > 0) == has_widget, "a widget output must be rendered statically, with its note"


@pytest.mark.parametrize("deck", DECKS, ids=[d.name for d in DECKS])
def test_print_mode_fits_every_slide_on_its_page(deck, chrome):
    """`make pdf` prints reveal's print mode: there too every slide fits (nothing is clipped)."""
    page = chrome.page()
    page.goto(f"{deck.resolve().as_uri()}?print-pdf")
    page.wait_for("document.body && document.body.getAttribute('data-pdf-ready') === 'true'", 120, "print mode")
    bad = page.eval("""Array.from(document.querySelectorAll('.reveal .slides section'))
        .filter(s => !s.querySelector('section')).map((s, i) => [i, s.scrollHeight, s.dataset.kimiFit || ''])
        .filter(x => x[1] > Reveal.getConfig().height || x[2] !== 'ok')""")
    assert not bad, f"{deck.name}: slides (index, height, fit) that do not fit their page: {bad}"
    assert not page.blocked and not page.errors

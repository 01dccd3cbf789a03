"""The decks and reports in a real browser (Debian's Chromium, driven by Playwright).

Every deck is walked with → only, slide by slide, fragment by fragment, and each step is
measured (tests/slidewalk.py): content height within the slide, no element outside it, the
smallest HTML text, the smallest chart text as rendered (each chart matched to its figure's
record, its smallest font at the savefig dpi scaled by the displayed/natural width), no
heading-only slide, no sentence twice. Every http(s) request is blocked and is a failure, as is
any console error or uncaught exception. Screenshots of every step go to build/slides/shots/.
Self-tests plant a request, an overflowing slide and a shrunken chart and check that each is
caught. Skipped without chromium, except in CI (CI=true), where a missing browser fails the
module with one line.
"""

from __future__ import annotations

import base64
import hashlib
import re
import sys
from pathlib import Path

import pytest

from kimi_research import paths, registry
from kimi_research.orchestration import browser, decks, export

sys.path.insert(0, str(Path(__file__).parents[1]))  # tests/slidewalk.py
import slidewalk  # noqa: E402

pytestmark = pytest.mark.browser
DECKS = sorted(paths.slides_dir().glob("*.slides.html"))
NOTEBOOK_DECKS = [d for d in DECKS if re.match(r"\d\d_", d.name)]
REPORTS = sorted(p for p in paths.html_dir().glob("[0-9][0-9]_*.html"))
SHOTS = paths.slides_dir() / "shots"

if not browser.find_chromium():
    if browser.in_ci():
        pytest.fail(browser.missing_message(), pytrace=False)
    pytest.skip(f"browser tests skipped: {browser.missing_message()}", allow_module_level=True)


@pytest.fixture(scope="module")
def chrome():
    with browser.Browser(slidewalk.WIDTH, slidewalk.HEIGHT) as b:
        yield b


@pytest.fixture
def page(chrome):
    p = chrome.page()
    yield p
    p.close()


@pytest.fixture(scope="module")
def figures():
    return slidewalk.figure_index()


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


def test_the_harness_sees_requests_and_console_errors(page, tmp_path):
    """A page that asks for a remote image, opens a WebSocket, logs an error and throws: all caught."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<img src="https://example.org/x.png"><script>new WebSocket("wss://example.org/live");'
        'console.error("boom"); setTimeout(() => { throw new Error("bang"); });</script>',
        encoding="utf-8",
    )
    page.goto(bad.as_uri())
    page.settle(1.5)
    assert sorted(page.blocked) == ["https://example.org/x.png", "wss://example.org/live"]
    assert any("boom" in e for e in page.errors), page.errors
    assert any(e.startswith("exception:") and "bang" in e for e in page.errors), page.errors


def _copy_deck(tmp_path: Path, text: str, name: str) -> Path:
    for asset in export.LOCAL.values():  # the deck's offline assets, beside the copy
        (tmp_path / asset).symlink_to(paths.slides_dir() / asset)
    out = tmp_path / name
    out.write_text(text, encoding="utf-8")
    return out


def test_the_walk_flags_a_spilling_slide(page, tmp_path, figures):
    """A deck whose slide cannot fit (text at its minimum size, taller than the slide) is reported."""
    deck = paths.slides_dir() / "kimi_in_ten_slides.slides.html"
    text = deck.read_text(encoding="utf-8")
    long = "".join(f"<p>Line {i} of a slide that is far too long for any screen.</p>" for i in range(60))
    i = text.index("</section>")
    w = slidewalk.walk(page, _copy_deck(tmp_path, text[:i] + long + text[i:], "spill.slides.html"))
    found = slidewalk.problems(w, slidewalk.MIN_TEXT_PX, slidewalk.MIN_CHART_PX, figures)
    assert any(re.search(r"slide 0\.0: content is \d+ px tall, the slide 720 px", f) for f in found), found


def test_the_walk_measures_chart_text_as_rendered(page, tmp_path, figures):
    """A recorded chart squeezed to 300 px wide: its smallest text, measured from the figure's own
    font sizes, falls under 9 px and the walk names the deck, the slide and the figure; a chart
    no record matches cannot pass unmeasured."""
    fig = next(f for f in figures.values() if f.name == "01_user_decline/decay_fit")
    png = paths.figures_dir() / "01_user_decline" / "decay_fit.png"
    assert hashlib.sha256(png.read_bytes()).hexdigest() == fig.png_sha256
    uri = "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode("ascii")
    other = "data:image/png;base64," + base64.b64encode(png.read_bytes() + b"\0").decode("ascii")
    deck = paths.slides_dir() / "kimi_in_ten_slides.slides.html"
    text = deck.read_text(encoding="utf-8")
    i = text.index("</section>") + len("</section>")
    planted = (
        f'<section><p>A chart shown small.</p><img src="{uri}" alt="planted" style="width: 300px">'
        f'<img src="{other}" alt="unknown" style="width: 200px"></section>'
    )
    w = slidewalk.walk(page, _copy_deck(tmp_path, text[:i] + planted + text[i:], "small.slides.html"))
    found = slidewalk.problems(w, slidewalk.MIN_TEXT_PX, slidewalk.MIN_CHART_PX, figures)
    expected = fig.smallest.fontsize * fig.savefig_dpi / 72 * 300 / fig.png_size[0]
    assert expected < slidewalk.MIN_CHART_PX
    hit = [f for f in found if f.startswith("small.slides.html slide 0.1: chart 01_user_decline/decay_fit:")]
    assert hit and f"renders at {expected:.1f} px < 9 px" in hit[0], found
    assert any("chart 'unknown' matches no figure saved by plotting.save" in f for f in found), found


@pytest.mark.parametrize("deck", DECKS, ids=[d.name for d in DECKS])
def test_walk_every_slide_with_the_right_arrow(deck, page, figures):
    w = slidewalk.walk(page, deck, SHOTS)
    name = deck.name.removesuffix(".slides.html")
    if name in registry.BY_NAME:
        assert w.total == decks.expected_slides(name)
    reached = {(m["h"], m["v"]) for m in w.slides}
    assert len(reached) == w.total, f"→ reached {len(reached)} of {w.total} slides"
    shown: dict[tuple, int] = {}
    for m in w.slides:
        shown[(m["h"], m["v"])] = max(shown.get((m["h"], m["v"]), 0), len(m["imgs"]))
    assert sum(shown.values()) == w.images, "a chart no → reaches"
    found = slidewalk.problems(w, slidewalk.MIN_TEXT_PX, slidewalk.MIN_CHART_PX, figures)
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
        page.close()


def test_speaker_view_opens(chrome, page):
    slidewalk.open_deck(page, DECKS[0])
    with page.raw.expect_popup() as popup:
        page.key("s")
    speaker = chrome.adopt(popup.value)
    speaker.wait_for("document.querySelectorAll('iframe').length >= 2", 20, "the speaker view's slide previews")
    assert "Speaker View" in speaker.raw.title()
    speaker.settle(1.0)
    assert not page.errors and not page.blocked, (page.errors, page.blocked)
    assert not speaker.errors and not speaker.blocked, (speaker.errors, speaker.blocked)
    speaker.close()


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
def test_report_offline_without_code(report, page):
    page.goto(report.resolve().as_uri())
    page.wait_for("document.readyState === 'complete'", 60)
    page.settle(1.0)
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
def test_print_mode_fits_every_slide_on_its_page(deck, page):
    """`make pdf` prints reveal's print mode: there too every slide fits (nothing is clipped)."""
    page.goto(f"{deck.resolve().as_uri()}?print-pdf")
    page.wait_for("document.body && document.body.getAttribute('data-pdf-ready') === 'true'", 120, "print mode")
    bad = page.eval("""Array.from(document.querySelectorAll('.reveal .slides section'))
        .filter(s => !s.querySelector('section')).map((s, i) => [i, s.scrollHeight, s.dataset.kimiFit || ''])
        .filter(x => x[1] > Reveal.getConfig().height || x[2] !== 'ok')""")
    assert not bad, f"{deck.name}: slides (index, height, fit) that do not fit their page: {bad}"
    assert not page.blocked and not page.errors

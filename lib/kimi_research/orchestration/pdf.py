"""``make pdf``: every deck and every HTML report printed to ``build/pdf/`` by headless Chromium
(driven by Playwright, :mod:`kimi_research.orchestration.browser`).

Decks go through reveal.js's print mode (``deck.slides.html?print-pdf``): one slide a page at
the slide's size (1280x720), fragments shown, the same layout rule as on screen. Reports are
printed on A4. Nothing is fetched from the network (the browser blocks every http(s) request
and a page that tries one fails the build).

Without a browser it says so in one line and writes nothing; that is an error (exit 1) under
``CI=true``, where the PDFs must be made.

``python -m kimi_research.orchestration.pdf [deck-or-report.html ...]``
"""

from __future__ import annotations

import sys
from pathlib import Path

from kimi_research import paths
from kimi_research.orchestration.browser import Browser, BrowserError, Page, find_chromium, in_ci, missing_message


def pdf_dir() -> Path:
    return paths.build_dir() / "pdf"


def pdf_name(page: Path) -> str:
    """build/slides/01_x.slides.html -> 01_x.slides.pdf; build/html/01_x.html -> 01_x.pdf."""
    return page.name.removesuffix(".html") + ".pdf"


def print_deck(b: Browser, deck: Path, out: Path) -> int:
    """Print one deck; returns its slide count (the pages the PDF should have)."""
    page = b.page()
    try:
        page.goto(f"{deck.resolve().as_uri()}?print-pdf")
        page.wait_for(
            "document.body && document.body.getAttribute('data-pdf-ready') === 'true'",
            120,
            f"reveal.js print mode in {deck.name}",
        )
        page.eval("document.fonts.ready.then(() => true)")
        _offline(page, deck)
        page.pdf(out, slides=True)
        return int(page.eval("Reveal.getTotalSlides()"))
    finally:
        page.close()


def print_report(b: Browser, report: Path, out: Path) -> None:
    page = b.page()
    try:
        page.goto(report.resolve().as_uri())
        page.wait_for("document.readyState === 'complete'", 120, f"{report.name} to load")
        page.eval("document.fonts.ready.then(() => true)")
        _offline(page, report)
        page.pdf(out)
    finally:
        page.close()


def _offline(page: Page, source: Path) -> None:
    page.settle(0.2)
    if page.blocked or page.errors:
        raise BrowserError(
            f"{source}: "
            + "; ".join([f"requested {u}" for u in page.blocked] + page.errors)
            + " (a deck or report must work offline)"
        )


def build_pdfs(pages: list[Path] | None = None) -> list[Path]:
    pages = pages or (sorted(paths.slides_dir().glob("*.slides.html")) + sorted(paths.html_dir().glob("[0-9][0-9]_*.html")))
    if not pages:
        raise SystemExit("no decks or reports in build/: run `make slides` first")
    written = []
    with Browser() as b:
        for p in pages:
            out = pdf_dir() / pdf_name(p)
            if p.name.endswith(".slides.html"):
                n = print_deck(b, p, out)
                print(f"pdf: {out} ({n} slides)")
            else:
                print_report(b, p, out)
                print(f"pdf: {out}")
            written.append(out)
    return written


def main(argv: list[str]) -> int:
    if not find_chromium():
        print(f"make pdf: {missing_message()}; no PDFs written", file=sys.stderr)
        return 1 if in_ci() else 0
    try:
        build_pdfs([Path(a) for a in argv] or None)
    except BrowserError as e:
        print(f"make pdf: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Walk a reveal.js deck with → only, in headless Chromium (Playwright), and measure every slide.

Used by tests/notebooks/test_slides_browser.py; run by hand for a report:
``.venv/bin/python tests/slidewalk.py build/slides/01_user_decline.slides.html``.

Chart text is measured per figure on the rendered page: each ``<img>`` of a deck is matched, by
the SHA-256 of its PNG, to the record ``plotting.save`` wrote beside the figure
(``build/figures/<notebook>/<name>.labels.json``: every text's font size, the savefig dpi); its
smallest text renders at ``font pt × dpi / 72 × displayed width / natural width`` slide pixels.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from kimi_research import paths
from kimi_research.orchestration.browser import Browser, Page
from kimi_research.presentation import overlaps

# Every <img> of the deck gets data-kimi-img = its index; the answer is the SHA-256 of each PNG
# (a data: URI is decoded in the page; another URL is fetched).
IMAGE_HASHES = r"""
(async () => {
  const hex = buf => Array.from(new Uint8Array(buf)).map(b => b.toString(16).padStart(2, '0')).join('');
  const out = [];
  const imgs = Array.from(document.querySelectorAll('.reveal .slides img'));
  for (let k = 0; k < imgs.length; k++) {
    const i = imgs[k];
    i.dataset.kimiImg = k;
    let bytes;
    try {
      if (i.src.startsWith('data:')) {
        bytes = Uint8Array.from(atob(i.src.slice(i.src.indexOf(',') + 1)), c => c.charCodeAt(0));
      } else {
        bytes = await (await fetch(i.src)).arrayBuffer();
      }
      out.push(hex(await crypto.subtle.digest('SHA-256', bytes)));
    } catch (e) { out.push(''); }
  }
  return out;
})()
"""

MEASURE = r"""
(() => {
  const s = Reveal.getCurrentSlide(), cfg = Reveal.getConfig(), H = cfg.height, W = cfg.width;
  const scale = Reveal.getScale(), box = document.querySelector('.reveal .slides').getBoundingClientRect();
  const idx = Reveal.getIndices();
  const visible = el => { const r = el.getBoundingClientRect(); const cs = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && cs.display !== 'none'; };
  const name = el => el.tagName.toLowerCase()
    + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '')
    + ' "' + (el.innerText || el.alt || '').trim().slice(0, 40) + '"';
  const outside = [];
  let minText = 1e9, minTextEl = '';
  for (const el of s.querySelectorAll('*')) {
    if (!visible(el) || el.closest('.notes') || el.closest('aside')) continue;
    const r = el.getBoundingClientRect(), tol = 2;
    if (r.top < box.top - tol || r.bottom > box.bottom + tol || r.left < box.left - tol || r.right > box.right + tol) {
      if (!el.parentElement || !outside.some(o => o.el.contains(el))) outside.push({el, r});
    }
    const ownText = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    if (ownText) { const f = parseFloat(getComputedStyle(el).fontSize);
      if (f < minText) { minText = f; minTextEl = name(el); } }
  }
  const imgs = Array.from(s.querySelectorAll('img')).filter(visible).map(i => ({
     alt: (i.alt || '').slice(0, 60), idx: +(i.dataset.kimiImg || -1), ratio: i.offsetWidth / i.naturalWidth,
     w: i.offsetWidth, h: i.offsetHeight, natural: i.naturalWidth}));
  const text = (s.innerText || '').replace(/\s+/g, ' ').trim();
  const heads = Array.from(s.querySelectorAll('h1,h2,h3,h4,h5,h6')).map(h => h.innerText.trim()).join(' ');
  const body = text.replace(/¶/g, '').length - heads.replace(/¶/g, '').length;
  // a sentence (or a clause after a colon) twice on a slide; items of one list are parallel
  // records and may repeat a note, so two items of the same list do not count
  const blocks = Array.from(s.querySelectorAll('p, li')).filter(b => !b.querySelector('p, li') && !b.closest('table'));
  const owner = new Map(), dups = [];
  blocks.forEach((b, k) => {
    const group = b.tagName === 'LI' ? b.parentElement : b;
    const parts = (b.innerText || '').replace(/\s+/g, ' ').split(/(?<=[.!?:])\s+/).map(x => x.trim())
      .filter(x => x.length >= 30);
    const mine = new Set();
    for (const x of parts) {
      const prev = owner.get(x);
      if ((mine.has(x) || (prev && prev !== group)) && !dups.includes(x)) dups.push(x);
      mine.add(x); if (!prev) owner.set(x, group);
    }
  });
  return {h: idx.h, v: idx.v || 0, f: (idx.f === undefined ? -1 : idx.f), height: s.scrollHeight, H, W,
    outside: outside.slice(0, 5).map(o => name(o.el) + ' at ' + Math.round((o.r.top - box.top) / scale) + '..'
      + Math.round((o.r.bottom - box.top) / scale) + ' x ' + Math.round((o.r.left - box.left) / scale) + '..'
      + Math.round((o.r.right - box.left) / scale)),
    minText: minText === 1e9 ? null : minText, minTextEl, imgs,
    tables: s.querySelectorAll('table').length, headingOnly: !!heads && body <= 2 && !imgs.length && !s.querySelector('table'),
    dups, fit: s.dataset.kimiFit || '', title: heads.slice(0, 60)};
})()
"""


@dataclass
class Walk:
    deck: str
    slides: list[dict] = field(default_factory=list)
    total: int = 0
    images: int = 0
    tables: int = 0
    image_hashes: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def open_deck(page: Page, deck: Path, query: str = "transition=none&backgroundTransition=none") -> None:
    page.goto(f"{deck.resolve().as_uri()}?{query}#/0")
    page.wait_for(
        "document.body && document.body.getAttribute('data-deck-ready') === 'true'", 60, f"reveal.js to initialise {deck.name}"
    )


def settle(page: Page) -> None:
    page.eval("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.wait_for(
        "(Reveal.getCurrentSlide().dataset.kimiFit || '') !== '' || !!Reveal.getCurrentSlide().querySelector('section')",
        20,
        "the layout rule to run",
    )


def walk(page: Page, deck: Path, shots: Path | None = None, max_steps: int = 400) -> Walk:
    """Open ``deck``, then press → until nothing changes; measure (and screenshot) every step."""
    open_deck(page, deck)
    w = Walk(
        deck.name,
        total=page.eval("Reveal.getTotalSlides()"),
        images=page.eval("document.querySelectorAll('.reveal .slides img').length"),
        tables=page.eval("document.querySelectorAll('.reveal .slides table').length"),
        image_hashes=page.eval(IMAGE_HASHES),
    )
    stem = deck.name.removesuffix(".slides.html")
    last = None
    for _ in range(max_steps):
        settle(page)
        m = page.eval(MEASURE)
        key = (m["h"], m["v"], m["f"])
        if key == last:
            break
        last = key
        m["label"] = f"{m['h']}.{m['v']}" + (f"+{m['f']}" if m["f"] >= 0 else "")
        for i in m["imgs"]:
            i["sha256"] = w.image_hashes[i["idx"]] if 0 <= i["idx"] < len(w.image_hashes) else ""
        if shots is not None:
            frag = f"+{m['f']}" if m["f"] >= 0 else ""
            m["shot"] = str(page.screenshot(shots / f"{stem}-{m['h']:02d}.{m['v']}{frag}.png"))
        w.slides.append(m)
        page.key("ArrowRight")
    w.blocked, w.errors = list(page.blocked), list(page.errors)
    return w


def figure_index(figures: Path | None = None) -> dict[str, overlaps.Figure]:
    """Every figure ``plotting.save`` recorded (default: build/figures), by the SHA-256 of its PNG."""
    return {f.png_sha256: f for f in overlaps.recorded_figures(figures) if f.png_sha256}


def chart_text(w: Walk, figures: dict[str, overlaps.Figure]) -> list[dict]:
    """Per slide and chart (once each), the figure and the rendered size of its smallest text in
    slide pixels; ``figure`` is None for an image no record matches."""
    out, seen = [], set()
    for m in w.slides:
        for i in m["imgs"]:
            key = (m["h"], m["v"], i["idx"])
            if key in seen:
                continue
            seen.add(key)
            f = figures.get(i["sha256"])
            row = {"slide": f"{m['h']}.{m['v']}", "alt": i["alt"], "ratio": i["ratio"], "figure": f and f.name}
            if f is not None and f.smallest is not None:
                small = f.smallest
                row.update(text=small.text, pt=small.fontsize, px=small.fontsize * f.savefig_dpi / 72 * i["ratio"])
            out.append(row)
    return out


def problems(w: Walk, min_text_px: float, min_chart_px: float, figures: dict[str, overlaps.Figure]) -> list[str]:
    """Everything wrong with a walked deck, one line each, naming the deck and the slide."""
    out = []
    at = lambda m: f"{w.deck} slide {m['label']}"  # noqa: E731
    seen_slides = {(m["h"], m["v"]) for m in w.slides}
    if len(seen_slides) != w.total:
        out.append(f"{w.deck}: → reached {len(seen_slides)} of {w.total} slides")
    for m in w.slides:
        if m["height"] > m["H"] + 1:
            out.append(f"{at(m)}: content is {m['height']} px tall, the slide {m['H']} px")
        for o in m["outside"]:
            out.append(f"{at(m)}: element outside the slide: {o}")
        if m["minText"] is not None and m["minText"] < min_text_px:
            out.append(f"{at(m)}: text at {m['minText']:.1f} px < {min_text_px} px ({m['minTextEl']})")
        if m["headingOnly"]:
            out.append(f"{at(m)}: a heading-only slide ({m['title']!r})")
        for d in m["dups"]:
            out.append(f"{at(m)}: the same sentence twice: {d[:80]!r}")
    for c in chart_text(w, figures):
        where = f"{w.deck} slide {c['slide']}"
        if c["figure"] is None:
            out.append(f"{where}: chart {c['alt']!r} matches no figure saved by plotting.save: its text cannot be measured")
        elif "px" in c and c["px"] < min_chart_px:
            out.append(
                f"{where}: chart {c['figure']}: its smallest text ({' '.join(c['text'].split())[:40]!r}, {c['pt']:g} pt) "
                f"renders at {c['px']:.1f} px < {min_chart_px} px (the chart is shown at {c['ratio']:.0%} of its size)"
            )
    out += [f"{w.deck}: network request {u}" for u in w.blocked]
    out += [f"{w.deck}: console error {e}" for e in w.errors]
    return out


WIDTH, HEIGHT = 1280, 720  # the browser window, as a presenter's screen
MIN_TEXT_PX = 12  # smallest HTML text on a slide, in slide px (the deck is 1280x720)
MIN_CHART_PX = 9  # smallest chart text on a slide, in slide px


def check(decks: list[Path], shots: Path | None = None) -> tuple[list[Walk], list[str]]:
    figures = figure_index()
    walks, found = [], []
    with Browser(WIDTH, HEIGHT) as b:
        for d in decks:
            page = b.page()
            w = walk(page, d, shots)
            page.close()
            walks.append(w)
            found += problems(w, MIN_TEXT_PX, MIN_CHART_PX, figures)
    return walks, found


if __name__ == "__main__":
    walks, found = check([Path(a) for a in sys.argv[1:] if a != "-v"], paths.slides_dir() / "shots")
    figures = figure_index()
    for w in walks:
        print(f"{w.deck}: {w.total} slides, {len(w.slides)} steps, {w.images} charts, {w.tables} tables")
        for c in chart_text(w, figures):
            size = f"{c['px']:.1f} px" if "px" in c else "not measured"
            print(f"  slide {c['slide']}: {c['figure'] or c['alt']}: smallest chart text {size}")
        if "-v" in sys.argv:
            print(json.dumps(w.slides, indent=1))
    print("\n".join(found) or "no problems")

"""The decks in a real browser: reveal.js initialises offline, every slide is there, and no
request leaves the machine. Screenshots of a title slide and a chart slide go to
build/screenshots/. Skipped without chromium, except in CI (CI=true), where it must run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kimi_research import paths
from kimi_research.orchestration import decks as slides

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
DECKS = sorted(paths.slides_dir().glob("*.slides.html"))
NOTEBOOK_DECKS = [d for d in DECKS if re.match(r"\d\d_", d.name)]
SCREENSHOTS = paths.build_dir() / "screenshots"

if not CHROMIUM:
    if os.environ.get("CI"):
        pytest.fail("CI must render the decks: install Debian's chromium (.ci/run does)", pytrace=False)
    pytest.skip("chromium is not installed (apt-get install chromium); browser tests skipped", allow_module_level=True)

def chromium(*args: str, tmp: Path) -> subprocess.CompletedProcess:
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp}", "--virtual-time-budget=8000", "--window-size=1280,720",
           # every host name fails to resolve: a deck that needs the network cannot initialise
           "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)

def test_every_notebook_has_a_deck():
    executed = sorted(p.stem for p in paths.executed_dir().glob("[0-9][0-9]_*.ipynb") if ".failed" not in p.name)
    assert executed, "no executed notebooks: run `make run`"
    assert [d.name.removesuffix(".slides.html") for d in NOTEBOOK_DECKS] == executed, "run `make slides`"
    assert (paths.slides_dir() / "kimi_in_ten_slides.slides.html").exists()
    assert (paths.html_dir() / "index.html").exists()

def test_decks_reference_nothing_remote():
    for deck in DECKS:
        text = deck.read_text(encoding="utf-8")
        remote = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(https?://[^"]+)"', text)
        assert not remote, f"{deck.name} loads {remote}"

@pytest.mark.parametrize("deck", DECKS, ids=[d.name for d in DECKS])
def test_deck_initialises_offline(deck, tmp_path):
    proc = chromium("--dump-dom", deck.as_uri(), tmp=tmp_path)
    dom = proc.stdout
    assert 'data-deck-ready="true"' in dom, f"reveal.js did not initialise:\n{proc.stderr[-1500:]}"
    assert re.search(r'class="reveal[^"]*\bready\b', dom)
    count = int(re.search(r'data-horizontal-slides="(\d+)"', dom).group(1))
    name = deck.name.removesuffix(".slides.html")
    if re.match(r"\d\d_", name):
        assert count == slides.expected_slides(name)
    else:
        assert count >= 8
    failed = [ln for ln in proc.stderr.splitlines() if "ERR_NAME_NOT_RESOLVED" in ln or "Failed to load resource" in ln]
    assert not failed, "the deck tried to reach the network:\n" + "\n".join(failed[:5])

def _first_chart_slide(deck: Path) -> str:
    """reveal.js location ('h' or 'h/v') of the first slide holding an image."""
    text = deck.read_text(encoding="utf-8")
    body = text[text.index('<div class="slides">'):]
    depth, h, v = 0, -1, -1
    for m in re.finditer(r"<section\b|</section>|<img\b", body):
        tok = m.group(0)
        if tok == "<section":
            depth += 1
            if depth == 1:
                h, v = h + 1, -1
            elif depth == 2:
                v += 1
        elif tok == "</section>":
            depth -= 1
        elif h >= 0:
            return f"{h}/{v}" if v >= 0 else str(h)
    raise AssertionError(f"{deck.name} has no chart")


@pytest.mark.parametrize("deck", NOTEBOOK_DECKS[:1] + [d for d in DECKS if d.name.startswith("kimi_in")],
                         ids=lambda d: d.name)
def test_screenshots(deck, tmp_path):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    stem = deck.name.removesuffix(".slides.html")
    for label, frag in [("title", "#/0"), ("chart", f"#/{_first_chart_slide(deck)}")]:
        out = SCREENSHOTS / f"{stem}-{label}.png"
        out.unlink(missing_ok=True)
        chromium(f"--screenshot={out}", deck.as_uri() + frag, tmp=tmp_path / label)
        assert out.exists() and out.stat().st_size > 20_000, f"no screenshot of {label} slide"

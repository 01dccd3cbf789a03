"""Presentation outputs: offline reveal.js decks, the HTML index, the summary deck.

Decks are built from the executed notebooks in ``build/executed``: code hidden, the
``parameters``/``injected-parameters`` cells removed, a title slide carrying the notebook's
headline (``headline`` in its results JSON) and the parameters used, the notebook's title in
the browser tab. They work from ``file://`` without a network: reveal.js 5, require.js and
jQuery come from the npm registry at pinned versions (``package.json`` + ``package-lock.json``;
``make slides`` installs them into ``build/npm``) and are copied next to the decks; mermaid,
MathJax and the widget manager are not loaded. Without npm the decks fall back to CDNs, with
a warning, and then need internet.

Navigation is linear (``navigationMode: 'linear'`` in the template): → and ← walk every slide,
vertical ones included. The layout rule that keeps a slide's content inside the slide lives in
the template (``templates/kimi_reveal/index.html.j2``).
"""

from __future__ import annotations

import html
import warnings
from datetime import UTC, datetime
from pathlib import Path

from kimi_research import paths, registry
from kimi_research.orchestration import export, reports, summary
from kimi_research.orchestration.export import HEIGHT, WIDTH, copy_assets, read_results  # noqa: F401

__all__ = ["build_deck", "build_decks", "build_index", "deck_notebook", "expected_slides", "HEIGHT", "WIDTH"]


def notebook_title(nb) -> str:
    return export.first_heading(nb) or "Untitled"


def _params_text(params: dict) -> str:
    return ", ".join(f"{k} = {v!r}" for k, v in params.items()) or "defaults"


def _run_date(executed: Path) -> str:
    return datetime.fromtimestamp(executed.stat().st_mtime, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _title_cell(nb, name: str, results: dict, run_date: str):
    from nbformat.v4 import new_markdown_cell

    headline = results.get("headline", "")
    src = (
        f'<div class="kimi-title">\n\n# {notebook_title(nb)}\n\n{headline}\n\n'
        f'<p class="kimi-meta">kimi-research · notebook {name} · run {run_date} · '
        f"parameters: <code>{html.escape(_params_text(results.get('parameters', {})))}</code></p>\n\n</div>"
    )
    cell = new_markdown_cell(src)
    cell.metadata = {"slideshow": {"slide_type": "slide"}}
    return cell


def _first_title_index(nb) -> int | None:
    for i, c in enumerate(nb.cells):
        if c.cell_type == "markdown" and c.source.lstrip().startswith("# "):
            return i
    return None


def _slide_type(cell) -> str:
    return cell.metadata.get("slideshow", {}).get("slide_type", "-")


def _heading_only(cell) -> bool:
    lines = [ln for ln in cell.source.splitlines() if ln.strip()]
    return cell.cell_type == "markdown" and bool(lines) and all(ln.lstrip().startswith("#") for ln in lines)


def _shown(cell) -> bool:
    return not (set(cell.metadata.get("tags", [])) & export.REMOVE_TAGS) and _slide_type(cell) not in ("skip", "notes")


def deck_notebook(name: str):
    """The executed notebook as the deck shows it: title slide first, widgets static, and a
    slide that would hold only a heading continued by the cell after it (no heading-only slide)."""
    import nbformat

    executed = paths.executed_dir() / f"{name}.ipynb"
    if not executed.exists():
        raise SystemExit(f"{executed} not found: run `make run` first")
    nb = nbformat.read(executed, as_version=4)
    i = _first_title_index(nb)
    title = _title_cell(nb, name, read_results(name), _run_date(executed))
    if i is None:
        nb.cells.insert(0, title)
    else:
        nb.cells[i] = title
    shown = [c for c in nb.cells if _shown(c)]
    for cell, nxt in zip(shown, shown[1:], strict=False):
        if _slide_type(cell) in ("slide", "subslide") and _heading_only(cell) and _slide_type(nxt) in ("slide", "subslide"):
            nxt.metadata.setdefault("slideshow", {})["slide_type"] = "-"
    export.static_widgets(nb)
    export.stable_ids(nb)
    nb.metadata["title"] = export.title_of(name, nb)
    return nb


def build_deck(name: str, offline: bool = True, out_dir: Path | None = None) -> Path:
    """build/slides/<name>.slides.html from build/executed/<name>.ipynb."""
    nb = deck_notebook(name)
    body, _ = export.slides_exporter(offline).from_notebook_node(nb)
    out = (out_dir or paths.slides_dir()) / f"{name}.slides.html"
    return export.write(out, body, title=f"{nb.metadata['title']} · kimi-research")


def expected_slides(name: str) -> int:
    """Number of slides (horizontal and vertical) the deck of ``name`` has: one per cell that
    starts a slide or a subslide, after parameter cells are removed and the title slide added."""
    return sum(_slide_type(c) in ("slide", "subslide") for c in deck_notebook(name).cells if _shown(c))


def ordered(names: list[str]) -> list[str]:
    """Notebook names in registry order (unregistered ones last, by name)."""
    pos = {n: i for i, n in enumerate(registry.NAMES)}
    return sorted(dict.fromkeys(names), key=lambda n: (pos.get(n, len(pos)), n))


def build_index(names: list[str], out: Path | None = None) -> Path:
    """build/html/index.html: every notebook in registry order, its title, headline, links (report,
    deck, their PDFs, results), run date and parameters; and the summary deck with its PDF."""
    rows = []
    for name in ordered(names):
        res = read_results(name)
        executed = paths.executed_dir() / f"{name}.ipynb"
        when = _run_date(executed) if executed.exists() else "not run"
        link = export.links(name)
        rows.append(
            f"<tr><td><b>{html.escape(export.title_of(name))}</b><br><code>{name}</code></td>"
            f"<td>{html.escape(res.get('headline', '(no results yet: run make run)'))}</td>"
            f'<td><a href="{link["report"]}">report</a> (<a href="{link["report_pdf"]}">PDF</a>)<br>'
            f'<a href="{link["deck"]}">slides</a> (<a href="{link["deck_pdf"]}">PDF</a>)<br>'
            f'<a href="{link["results"]}">results JSON</a></td>'
            f"<td>{when}</td><td><code>{html.escape(_params_text(res.get('parameters', {})))}</code></td></tr>"
        )
    deck_link = (
        f'<p><a href="{export.links(summary.NAME)["deck"]}">{summary.TITLE}</a> (summary deck; '
        f'<a href="{export.links(summary.NAME)["deck_pdf"]}">PDF</a>). PDFs are printed by <code>make pdf</code>.</p>'
    )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>kimi-research: notebooks</title>
<style>
body {{ font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .6em; vertical-align: top; text-align: left; }}
th {{ background: #f3f3f3; }} code {{ font-size: 0.85em; }}
</style></head><body>
<h1>kimi-research</h1>
<p>How Kimi rose on long-context hype and paid traffic, then fell behind Doubao, DeepSeek, Yuanbao and Qwen.
Every number comes from a source listed in <code>data/sources.csv</code>, with a verbatim quote; the data audit shows where.</p>
{deck_link}
<table><tr><th>notebook</th><th>headline (computed)</th><th>outputs</th><th>run</th><th>parameters</th></tr>
{"".join(rows)}
</table></body></html>
"""
    return export.write(out or paths.html_dir() / "index.html", page)


def build_decks(names: list[str] | None = None) -> int:
    names = ordered(names or [p.stem for p in paths.executed_dir().glob("[0-9][0-9]_*.ipynb") if not p.stem.endswith(".failed")])
    offline = copy_assets(paths.slides_dir())
    if not offline:
        warnings.warn(
            "reveal.js, require.js and jQuery are not installed in build/npm (is npm installed?): "
            "the decks load them from CDNs and need internet",
            stacklevel=1,
        )
    for n in names:
        print(f"deck: {build_deck(n, offline)}")
        executed = paths.executed_dir() / f"{n}.ipynb"
        if executed.exists():  # re-exported so that a template change reaches the reports
            print(f"report: {reports.write_html(executed, paths.html_dir() / f'{n}.html')}")
    print(f"deck: {summary.build_summary_deck(offline)}")
    print(f"index: {build_index(names)}")
    return 0

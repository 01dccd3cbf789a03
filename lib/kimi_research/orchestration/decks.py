"""Presentation outputs: offline reveal.js decks, the HTML index, the summary deck.

Decks are built from the executed notebooks in ``build/executed``: code hidden, the
``parameters``/``injected-parameters`` cells removed, a title slide carrying the notebook's
headline (``headline`` in its results JSON) and the parameters used, the notebook's title in
the browser tab. They work from ``file://`` without a network: reveal.js 5, require.js and
jQuery come from the npm registry at pinned versions (``package.json`` + ``package-lock.json``;
``make slides`` installs them into ``build/npm``) and are copied next to the decks; mermaid,
MathJax and the widget manager are not loaded. Without npm the decks fall back to CDNs, with
a warning, and then need internet.

Speaker notes and headings come from the notebook's own markdown, by a convention applied here (the
notebooks are not edited; :func:`notes_and_headings`):

- a markdown cell tagged ``notes`` (or with the slide type "notes") is the speaker notes of its slide;
- the prose of the notebook's title cell (replaced by the deck's title slide) is the title slide's notes;
- a slide that shows no heading (a chart, a table or text continuing a section) gets, as notes, the
  prose under its section's heading (the last heading shown before it); a chart slide also gets that
  heading (a table or text slide keeps its room);
- a markdown slide of prose alone, without a heading, just before such a chart slide (the text that
  introduces the chart: "On the next chart the y axis is logarithmic...") becomes that chart slide's
  notes instead of a slide of its own.

Navigation is linear (``navigationMode: 'linear'`` in the template): → and ← walk every slide,
vertical ones included. The layout rule that keeps a slide's content inside the slide lives in
the template (``templates/kimi_reveal/index.html.j2``).
"""

from __future__ import annotations

import html
import re
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


NOTES_TAG = "notes"
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
HTML_HEADING = re.compile(r"<h[1-6][^>]*>(.*?)</h[1-6]>", flags=re.S | re.I)


def _markdown_texts(cell) -> list[str]:
    if cell.cell_type == "markdown":
        return [cell.source]
    return [o.get("data", {}).get("text/markdown", "") for o in cell.get("outputs", []) if "data" in o]


def headings(cell) -> list[str]:
    """The headings a cell shows: Markdown heading lines (its source, or its Markdown outputs) and HTML headings."""
    found = [m.group(2).strip() for t in _markdown_texts(cell) for ln in t.splitlines() if (m := HEADING.match(ln))]
    if cell.cell_type == "code":
        for o in cell.get("outputs", []):
            for h in HTML_HEADING.findall(o.get("data", {}).get("text/html", "") if "data" in o else ""):
                text = " ".join(re.sub(r"<[^>]+>", "", h).split()).replace("¶", "").strip()
                if text:
                    found.append(text)
    return found


def prose(cell) -> str:
    """A markdown cell's text without its heading lines."""
    if cell.cell_type != "markdown":
        return ""
    return "\n".join(ln for ln in cell.source.splitlines() if not HEADING.match(ln)).strip()


def _has_chart(cell) -> bool:
    return any("image/png" in o.get("data", {}) for o in cell.get("outputs", []) if "data" in o)


def _notes_cell(text: str):
    from nbformat.v4 import new_markdown_cell

    cell = new_markdown_cell(text)
    cell.metadata = {"slideshow": {"slide_type": "notes"}}
    return cell


def notes_and_headings(nb, title_notes: str = "", title_index: int = 0) -> None:
    """Speaker notes and slide headings from the notebook's markdown, by the convention in the module's docstring."""
    from nbformat.v4 import new_markdown_cell

    for cell in nb.cells:
        if NOTES_TAG in cell.metadata.get("tags", []):
            cell.metadata.setdefault("slideshow", {})["slide_type"] = "notes"
    shown = [i for i, c in enumerate(nb.cells) if _shown(c)]
    groups: list[list[int]] = []
    for i in shown:
        if not groups or _slide_type(nb.cells[i]) in ("slide", "subslide"):
            groups.append([i])
        else:
            groups[-1].append(i)
    section, section_prose = "", ""
    add: dict[int, tuple[str | None, list]] = {}  # first cell of a slide -> (heading to show, notes cells)
    moved: set[int] = set()
    carried: dict[int, list] = {}  # group index -> prose cells carried to it as notes
    for k, g in enumerate(groups):
        found = [h for i in g for h in headings(nb.cells[i])]
        if found:
            section = found[0]
            first = next((nb.cells[i] for i in g if nb.cells[i].cell_type == "markdown" and headings(nb.cells[i])), None)
            section_prose = prose(first) if first is not None else ""
            continue
        if k == 0 or not section:
            continue
        nxt = groups[k + 1] if k + 1 < len(groups) else None
        prose_only = all(nb.cells[i].cell_type == "markdown" for i in g)
        if (
            prose_only
            and nxt is not None
            and not any(headings(nb.cells[i]) for i in nxt)
            and any(_has_chart(nb.cells[i]) for i in nxt)
        ):
            carried[k + 1] = [nb.cells[i] for i in g]
            moved.update(g)
            continue
        notes = carried.get(k) or ([_notes_cell(section_prose)] if section_prose else [])
        chart = any(_has_chart(nb.cells[i]) for i in g)
        add[g[0]] = (section if chart else None, notes)  # a table or text slide keeps its room: notes only
    out = []
    for i, cell in enumerate(nb.cells):
        if i in moved:
            continue
        heading, notes = add.get(i, (None, []))
        if heading:
            head = new_markdown_cell(f"### {heading}")
            head.metadata = {"slideshow": {"slide_type": _slide_type(cell)}}
            cell.metadata.setdefault("slideshow", {})["slide_type"] = "-"
            out.append(head)
        else:
            out.append(cell)
        for n in notes:
            n.metadata.setdefault("slideshow", {})["slide_type"] = "notes"
            out.append(n)
        if heading:
            out.append(cell)
        if i == title_index and title_notes:
            out.append(_notes_cell(title_notes))
    nb.cells = out


def deck_notebook(name: str):
    """The executed notebook as the deck shows it: title slide first (the title cell's prose as its notes), widgets
    static, speaker notes and headings from the notebook's markdown (:func:`notes_and_headings`), and a slide that
    would hold only a heading continued by the cell after it (no heading-only slide)."""
    import nbformat

    executed = paths.executed_dir() / f"{name}.ipynb"
    if not executed.exists():
        raise SystemExit(f"{executed} not found: run `make run` first")
    nb = nbformat.read(executed, as_version=4)
    i = _first_title_index(nb)
    title = _title_cell(nb, name, read_results(name), _run_date(executed))
    title_notes = ""
    if i is None:
        nb.cells.insert(0, title)
        i = 0
    else:
        title_notes = prose(nb.cells[i])
        nb.cells[i] = title
    shown = [c for c in nb.cells if _shown(c)]
    for cell, nxt in zip(shown, shown[1:], strict=False):
        if _slide_type(cell) in ("slide", "subslide") and _heading_only(cell) and _slide_type(nxt) in ("slide", "subslide"):
            nxt.metadata.setdefault("slideshow", {})["slide_type"] = "-"
    notes_and_headings(nb, title_notes, i)
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

"""Shared pieces of decks, summary deck and reports: no import cycle, titles, static widgets,
stable cell ids (two builds give the same bytes) and the links between reports, decks and index."""

from __future__ import annotations

import ast
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from kimi_research import paths, registry
from kimi_research.orchestration import decks, export, reports, summary
from kimi_research.orchestration.browser import in_ci

ORCH = Path(export.__file__).parent


def _imports(module: str) -> set[str]:
    tree = ast.parse((ORCH / f"{module}.py").read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_summary_and_export_do_not_import_decks():
    for module in ("summary", "export", "reports"):
        found = {n for n in _imports(module) if n.endswith(".decks") or ".decks." in n}
        assert not found, f"{module} imports {found}: the decks<->summary cycle is back"


def test_titles_come_from_the_registry_then_the_first_heading():
    nb = new_notebook(cells=[new_markdown_cell("Intro\n\n# A heading\n\ntext")])
    for entry in registry.NOTEBOOKS:
        assert export.title_of(entry.name, nb) == entry.title
    assert export.title_of("99_new", nb) == "A heading"
    assert export.title_of("99_new", new_notebook()) == "99_new"


def test_index_order_is_the_registry_order():
    assert decks.ordered(list(reversed(registry.NAMES)) + ["99_extra"]) == [*registry.NAMES, "99_extra"]


def test_write_sets_the_title(tmp_path):
    out = export.write(tmp_path / "p.html", "<html><head><title>Notebook</title></head></html>", title="A & B")
    assert "<title>A &amp; B</title>" in out.read_text(encoding="utf-8")


def test_widgets_become_a_static_rendering_with_a_note():
    state = {
        "box": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_s", "IPY_MODEL_h"]}},
        "s": {"model_name": "FloatSliderModel", "state": {"description": "ad share", "value": 0.7}},
        "h": {"model_name": "HTMLModel", "state": {"value": "<b>rate 0.01</b>"}},
    }
    out = new_output(
        "display_data", data={export.WIDGET_VIEW: {"model_id": "box", "version_major": 2}, "text/plain": "VBox(...)"}
    )
    nb = new_notebook(
        cells=[new_code_cell("display(w)", outputs=[out])], metadata={"widgets": {export.WIDGET_STATE: {"state": state}}}
    )
    export.static_widgets(nb)
    data = nb.cells[0].outputs[0]["data"]
    assert export.WIDGET_VIEW not in data and "widgets" not in nb.metadata
    html = data["text/html"]
    assert "<li><b>ad share</b>: 0.7</li>" in html and "<b>rate 0.01</b>" in html and "make lab" in html
    nbformat.validate(nb)


def test_cell_ids_come_from_the_index_and_the_content():
    def nb():
        return new_notebook(cells=[new_markdown_cell("# Title"), new_code_cell("x = 1"), new_markdown_cell("# Title")])

    a, b = export.stable_ids(nb()), export.stable_ids(nb())
    ids = [c["id"] for c in a.cells]
    assert ids == [c["id"] for c in b.cells], "the same notebook gets the same ids"
    assert len(set(ids)) == 3 and all(i.startswith(f"c{k:03d}-") for k, i in enumerate(ids))
    assert ids[0][5:] == ids[2][5:], "the hash is the content's"
    changed = nb()
    changed.cells[1].source = "x = 2"
    assert export.stable_ids(changed).cells[1]["id"] != ids[1]
    nbformat.validate(a)


def _built():
    executed = sorted(p.stem for p in paths.executed_dir().glob("[0-9][0-9]_*.ipynb") if ".failed" not in p.name)
    results = all((paths.results_dir() / f"{n}.json").exists() for n in registry.NAMES)
    if not executed or not results:
        if in_ci():
            pytest.fail("no default run in build/: `make run` must run first", pytrace=False)
        pytest.skip("no default run in build/: run `make run`")
    return executed


def test_two_builds_of_the_decks_reports_and_index_are_byte_identical(tmp_path):
    """Rebuilt from the same executed notebooks and results, every deck, report and the index
    come out byte for byte the same (nbformat's random cell ids made every deck differ)."""
    names = _built()
    builds = []
    for k in range(2):
        out = tmp_path / f"build{k}"
        for n in names:
            decks.build_deck(n, offline=True, out_dir=out)
            reports.write_html(paths.executed_dir() / f"{n}.ipynb", out / f"{n}.html")
        summary.build_summary_deck(offline=True, out_dir=out)
        decks.build_index(names, out / "index.html")
        builds.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert len(builds[0]) == 2 * len(names) + 2
    differ = [name for name in builds[0] if builds[0][name] != builds[1][name]]
    assert not differ, f"rebuilt files differ: {differ}"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href and not href.startswith(("#", "http:", "https:", "mailto:")):
            self.hrefs.append(href)


def links_in(page: Path) -> list[str]:
    p = _Links()
    p.feed(page.read_text(encoding="utf-8"))
    return p.hrefs


def test_reports_link_to_the_index_and_their_deck_and_the_index_to_everything():
    """Links resolve to files of the build (PDFs: tests/orchestration/test_pdf.py, after `make pdf`)."""
    names = _built()
    index = paths.html_dir() / "index.html"
    hrefs = links_in(index)
    for n in names:
        link = export.links(n)
        for key in ("report", "deck", "report_pdf", "deck_pdf", "results"):
            assert link[key] in hrefs, f"index.html does not link {n}'s {key}"
        report = paths.html_dir() / f"{n}.html"
        assert {"index.html", f"../slides/{n}.slides.html"} <= set(links_in(report)), report.name
    assert export.links(summary.NAME)["deck"] in hrefs and export.links(summary.NAME)["deck_pdf"] in hrefs
    for page in [index, *(paths.html_dir() / f"{n}.html" for n in names)]:
        for href in links_in(page):
            target = (page.parent / href.split("#")[0]).resolve()
            if target.suffix != ".pdf":
                assert target.exists(), f"{page.name} links {href}, which does not exist"


def _md(source: str, slide_type: str = "-", tags: list[str] | None = None):
    cell = new_markdown_cell(source)
    cell.metadata = {"slideshow": {"slide_type": slide_type}, **({"tags": tags} if tags else {})}
    return cell


def _chart(slide_type: str = "subslide"):
    cell = new_code_cell("_ = plotting.save(fig)", outputs=[new_output("display_data", data={"image/png": "iVBORw0KGgo="})])
    cell.metadata = {"slideshow": {"slide_type": slide_type}}
    return cell


def _table(slide_type: str = "subslide"):
    cell = new_code_cell("display(table)", outputs=[new_output("display_data", data={"text/html": "<table></table>"})])
    cell.metadata = {"slideshow": {"slide_type": slide_type}}
    return cell


def test_notes_and_headings_follow_the_convention():
    """Title prose -> title notes; a `notes` tag -> notes; a chart slide without a heading gets its section's
    heading and prose as notes (a table slide the notes only); prose alone before such a chart becomes the
    chart's notes, not a slide."""
    nb = new_notebook(
        cells=[
            _md("TITLE", "slide"),
            _md("## 1. The fall\n\nWhy the fall matters.", "slide"),
            _chart(),
            _md("Read the axis as logarithmic.", "subslide"),
            _chart(),
            _md("A caveat for the speaker.", "-", tags=["notes"]),
            _table(),
            _md("### A subsection\n\nWith its own text.", "subslide"),
        ]
    )
    decks.notes_and_headings(nb, "What the notebook is about.", 0)
    cells = [(decks._slide_type(c), c.source) for c in nb.cells]
    assert cells == [
        ("slide", "TITLE"),
        ("notes", "What the notebook is about."),
        ("slide", "## 1. The fall\n\nWhy the fall matters."),
        ("subslide", "### 1. The fall"),
        ("notes", "Why the fall matters."),
        ("-", "_ = plotting.save(fig)"),
        ("subslide", "### 1. The fall"),
        ("notes", "Read the axis as logarithmic."),
        ("-", "_ = plotting.save(fig)"),
        ("notes", "A caveat for the speaker."),
        ("subslide", "display(table)"),  # a table slide keeps its room: no heading added, the section's prose as notes
        ("notes", "Why the fall matters."),
        ("subslide", "### A subsection\n\nWith its own text."),
    ]


def test_built_decks_chart_slides_carry_headings_and_title_slides_notes():
    """In every built notebook deck, each slide showing a chart has a heading, and the title slide has notes."""
    import test_summary_deck

    names = _built()
    for n in names:
        deck = paths.slides_dir() / f"{n}.slides.html"
        if not deck.exists():
            pytest.skip("no decks in build/slides: run `make slides`")
        slides = test_summary_deck.parse(deck)
        assert slides[0]["notes"], f"{n}: the title slide has no notes"
        bare = [i for i, s in enumerate(slides) if s["imgs"] and not s["headings"]]
        assert not bare, f"{n}: chart slides without a heading: {bare}"

"""What a reader sees carries only what a reader should see.

The scanner (``kimi_research.orchestration.outputs``) reads every output of the default run a
reader meets: the executed notebook, its HTML report, its deck and its charts' texts, and the
summary deck and the index. It fails naming the file, the cell (or chart) and the text for a
printed path object, a staging or build path, a bare language code, a bare nan/None/NaN, or an
internal identifier from :data:`INTERNAL`. One test per notebook, so that each one that still
shows something is named.
"""

from __future__ import annotations

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from kimi_research import paths, registry
from kimi_research.orchestration import outputs
from kimi_research.orchestration.browser import in_ci

# Internal identifiers that must not reach a reader (as prose, a table cell or a chart text;
# inside <code> or Markdown backticks a name is quoted on purpose).
INTERNAL = ("overtaken_by", "decline_series")


def _built(files):
    if not files:
        if in_ci():
            pytest.fail("no outputs of a default run in build/: `make slides` must run first", pytrace=False)
        pytest.skip("no outputs of a default run in build/: run `make slides`")
    return files


@pytest.mark.parametrize("name", registry.NAMES)
def test_a_notebooks_outputs_show_nothing_internal(name):
    files = _built(outputs.outputs_of(name))
    found = [f for p in files for f in outputs.scan(p, INTERNAL)]
    assert not found, f"{len(found)} thing(s) a reader should not see in {name}:\n" + "\n".join(map(str, found))


@pytest.mark.parametrize("page", ["slides/kimi_in_ten_slides.slides.html", "html/index.html"])
def test_the_summary_deck_and_the_index_show_nothing_internal(page):
    path = paths.build_dir() / page
    _built([path] if path.exists() else [])
    found = outputs.scan(path, INTERNAL)
    assert not found, "\n".join(map(str, found))


# -- the scanner itself ---------------------------------------------------------------------------
def _notebook(tmp_path, *outs, markdown="A finding.") -> object:
    cells = [new_markdown_cell(markdown)] + [new_code_cell("x", outputs=[o]) for o in outs]
    p = tmp_path / "99_test.ipynb"
    nbformat.write(new_notebook(cells=cells), p)
    return p


def test_the_scanner_finds_each_kind_and_names_the_cell(tmp_path):
    table = (
        "<table><tr><th>entity</th><th>value</th></tr><tr><td>Kimi</td><td>NaN</td></tr>"
        "<tr><td>Doubao</td><td>12.5</td></tr></table>"
    )
    nb = _notebook(
        tmp_path,
        new_output("execute_result", data={"text/plain": "PosixPath('/x/build/.staging/01-1/figures/a.png')"}, execution_count=1),
        new_output("stream", name="stdout", text="results written to /home/u/kimi/build/.staging/01-2/results/01.json\n"),
        new_output("execute_result", data={"text/plain": "'en'"}, execution_count=2),
        new_output("display_data", data={"text/html": table, "text/plain": "DataFrame"}),
        new_output("display_data", data={"text/markdown": "Ad spend per month: nan, 5.5× the rival; value: None."}),
        new_output("display_data", data={"text/markdown": "First by far, then overtaken_by (quoted: `decline_series`)."}),
    )
    found = outputs.scan(nb, INTERNAL)
    got = [(f.where, f.kind) for f in found]
    assert got == [
        ("cell 1", "path repr"),
        ("cell 2", "build path"),
        ("cell 3", "language code"),
        ("cell 4", "missing value"),
        ("cell 5", "missing value"),
        ("cell 5", "missing value"),
        ("cell 6", "identifier"),
    ], found
    assert "PosixPath('/x/build/.staging/01-1/figures/a.png')" in str(found[0])
    assert found[3].text == "NaN" and "nan, 5.5×" in found[4].text


def test_the_scanner_passes_what_a_reader_should_see(tmp_path):
    nb = _notebook(
        tmp_path,
        new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<IPython.core.display.Image object>"}),
        new_output(
            "display_data", data={"text/markdown": "None of the articles dates the 70% share; Nanjing; `decline_series`."}
        ),
        new_output(
            "display_data", data={"text/html": "<table><tr><td>not reported for Kimi</td><td>English (en)</td></tr></table>"}
        ),
        new_output("stream", name="stdout", text="make scenarios writes build/scenarios/\n"),
    )
    assert outputs.scan(nb, INTERNAL) == []


def test_pages_and_charts_are_scanned_too(tmp_path):
    page = tmp_path / "01_x.html"
    page.write_text(
        "<html><head><title>None</title><script>var x = null, y = NaN;</script></head><body>"
        "<div id=\"cell-id=c007-0123abcd\"><p>then overtaken_by</p><pre>PosixPath('/a/build/x')</pre></div>"
        "<p>parameters: <code>vary = ['decline_series']</code></p></body></html>",
        encoding="utf-8",
    )
    found = outputs.scan(page, INTERNAL)
    assert [(f.where, f.kind) for f in found] == [("cell 7", "identifier"), ("cell 7", "path repr")], found
    labels = tmp_path / "04_x" / "chart.labels.json"
    labels.parent.mkdir()
    labels.write_text(
        json.dumps({"labels": [{"text": "lead, then overtaken_by", "kind": "text"}, {"text": "nan", "kind": "tick"}]})
    )
    found = outputs.scan(labels, INTERNAL)
    assert [(f.file, f.where, f.kind) for f in found] == [
        ("04_x/chart.png", "text label", "identifier"),
        ("04_x/chart.png", "tick label", "missing value"),
    ]

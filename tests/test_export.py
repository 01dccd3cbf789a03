"""Shared pieces of decks, summary deck and reports: no import cycle, titles, static widgets."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from kimi_research import registry
from kimi_research.orchestration import decks, export

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

"""Every notebook: committed clean, one annotated `parameters` cell matching its declaration,
validated in the next cell, slide metadata on every cell, results written at the end."""

from __future__ import annotations

import ast

import nbformat
import papermill as pm
import pytest
import yaml

from kimi_research import paths
from kimi_research.params import NOTEBOOK_MODULES, spec

NOTEBOOKS = sorted(paths.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
IDS = [p.stem for p in NOTEBOOKS]


def test_all_five_notebooks_exist():
    assert IDS == sorted(NOTEBOOK_MODULES), "notebooks/ and kimi_research.params.NOTEBOOK_MODULES disagree"


@pytest.fixture(params=NOTEBOOKS, ids=IDS)
def nb(request):
    return request.param, nbformat.read(request.param, as_version=4)


def test_valid_and_clean(nb):
    path, book = nb
    nbformat.validate(book)
    assert book.metadata["kernelspec"]["name"] == "python3"
    for cell in book.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: outputs committed"
            assert "sys.path" not in cell.source, f"{path.name}: no sys.path hacks"


def test_slide_metadata_everywhere(nb):
    path, book = nb
    missing = [i for i, c in enumerate(book.cells) if "slide_type" not in c.metadata.get("slideshow", {})]
    assert not missing, f"{path.name}: cells without slideshow metadata: {missing}"


def _parameters_cell(book):
    tagged = [i for i, c in enumerate(book.cells) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    return tagged[0], book.cells[tagged[0]]


def test_parameters_cell_literal_and_annotated(nb):
    path, book = nb
    _, cell = _parameters_cell(book)
    tree = ast.parse(cell.source)
    for node in tree.body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name), \
            f"{path.name}: only simple assignments in the parameters cell"
        ast.literal_eval(node.value)  # literal defaults only: nothing derived
    lines = [ln for ln in cell.source.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    assert all("#" in ln for ln in lines), f"{path.name}: every parameter needs a comment"


def test_parameters_match_declaration(nb):
    path, book = nb
    declared = {p.name: p.default for p in spec(path.stem)}
    inspected = pm.inspect_notebook(str(path))
    assert set(inspected) == set(declared)
    for name, info in inspected.items():
        assert ast.literal_eval(info["default"]) == declared[name], name
        assert info["help"].strip(), f"{name} has no comment"


def test_validation_follows_parameters(nb):
    path, book = nb
    i, _ = _parameters_cell(book)
    nxt = next(c for c in book.cells[i + 1:] if c.cell_type == "code")
    assert f'validate_parameters("{path.stem}"' in nxt.source


def test_summary_at_top_and_results_at_end(nb):
    path, book = nb
    head = "\n".join(c.source for c in book.cells[:8])
    assert "What this notebook finds" in head
    code = [c for c in book.cells if c.cell_type == "code"]
    assert f'write_results("{path.stem}"' in code[-1].source


def test_named_parameter_sets_use_known_names():
    for nb_dir in paths.PARAMS_DIR.iterdir():
        if not nb_dir.is_dir():
            continue
        assert nb_dir.name in NOTEBOOK_MODULES, nb_dir
        known = {p.name for p in spec(nb_dir.name)}
        files = list(nb_dir.glob("*.yaml"))
        assert files, f"{nb_dir} has no parameter sets"
        for f in files:
            data = yaml.safe_load(f.read_text(encoding="utf-8"))
            assert isinstance(data, dict) and set(data) <= known, f"{f}: unknown names {set(data) - known}"


"""Every notebook: committed clean, one annotated `parameters` cell that IS its parameter model
(same names, same literal defaults, each comment word for word the Field description), validated
in the next cell, slide metadata on every cell, results written at the end; and every example a
parameter comment or the README gives validates as written (two of them are executed)."""

from __future__ import annotations

import ast
import io
import re
import shlex
import tokenize
from pathlib import Path

import nbformat
import pytest
import yaml

from kimi_research import paths, registry
from kimi_research.orchestration import paramcell
from kimi_research.orchestration.runner import load_params
from kimi_research.params import defaults, model, validate_parameters

NOTEBOOKS = sorted(paths.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
IDS = [p.stem for p in NOTEBOOKS]
#: in a parameter comment, a double-quoted string and a list after "e.g." are values the parameter
#: accepts (examples); single quotes are prose ('under 1%'), intervals like [0, 1] are not examples
EXAMPLE = re.compile(r'e\.g\. (\[[^\]]*\])|("[^"]*")')


def test_all_five_notebooks_exist():
    assert IDS == sorted(registry.NAMES), "notebooks/ and kimi_research.registry disagree"


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


def parameter_lines(source: str) -> list[tuple[str, str, str]]:
    """(name, literal source, comment) of each line ``name = literal  # comment``."""
    comments = {
        t.start[0]: t.string for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type == tokenize.COMMENT
    }
    out = []
    for node in ast.parse(source).body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name), (
            "only simple assignments in the parameters cell"
        )
        assert node.lineno == node.end_lineno, f"{node.targets[0].id}: one line per parameter"
        comment = comments.get(node.lineno, "")
        assert comment.startswith("# "), f"{node.targets[0].id} needs a comment"
        out.append((node.targets[0].id, ast.get_source_segment(source, node.value), comment[2:]))
    return out


def test_parameters_cell_is_generated_from_the_model(nb):
    """The cell is the model's image (`make params` writes it); its lines are literals, one per field."""
    path, book = nb
    _, cell = _parameters_cell(book)
    assert cell.source == paramcell.cell_source(path.stem), f"{path.name}: run `make params`"
    m = model(path.stem)
    for name, literal, comment in parameter_lines(cell.source):
        value = ast.literal_eval(literal)  # literal defaults only: nothing derived
        field = m.model_fields[name]
        assert value == field.default and type(value) is type(field.default), f"{path.stem}.{name}: default"
        assert comment == field.description


def test_make_params_regenerates_a_drifted_cell(tmp_path, monkeypatch):
    """A hand edit of the cell (or a changed model) is named by `params --check` and rewritten by `params`."""
    name = registry.NAMES[0]
    copy = tmp_path / f"{name}.ipynb"
    book = nbformat.read(paramcell.notebook_path(name), as_version=4)
    _parameters_cell(book)[1].source = paramcell.cell_source(name).replace("# fmt: on", "extra = 1  # a hand edit\n# fmt: on")
    nbformat.write(book, copy)
    monkeypatch.setattr(paramcell, "notebook_path", lambda n: copy)
    monkeypatch.setattr(paramcell.subprocess, "run", lambda *a, **k: None)  # no py pair beside the copy
    assert paramcell.stale([name]) == [name]
    assert paramcell.write([name]) == [name] and paramcell.stale([name]) == []
    assert _parameters_cell(nbformat.read(copy, as_version=4))[1].source == paramcell.cell_source(name)


def test_validation_follows_parameters(nb):
    path, book = nb
    i, _ = _parameters_cell(book)
    nxt = next(c for c in book.cells[i + 1 :] if c.cell_type == "code")
    assert f'P = kr.validate_parameters("{path.stem}", globals(), ds)' in nxt.source
    assert nxt.source.index("ds = kr.load()") < nxt.source.index("validate_parameters")


def test_summary_at_top_and_results_at_end(nb):
    path, book = nb
    head = "\n".join(c.source for c in book.cells[:8])
    assert "What this notebook finds" in head
    code = [c for c in book.cells if c.cell_type == "code"]
    # the typed-sections shape ends with the analysis written whole; notebooks not yet converted name themselves
    assert code[-1].source.strip() == "_ = kr.write_results(an)" or f'write_results("{path.stem}"' in code[-1].source


# --- examples: every one runs as written ------------------------------------------------------------
def comment_examples() -> list[tuple[str, str, object]]:
    out = []
    for path in NOTEBOOKS:
        _, cell = _parameters_cell(nbformat.read(path, as_version=4))
        for name, _, comment in parameter_lines(cell.source):
            for lst, text in EXAMPLE.findall(comment):
                out.append((path.stem, name, ast.literal_eval(lst or text)))
    return out


COMMENT_EXAMPLES = comment_examples()


def test_comments_give_examples():
    assert {nb for nb, _, _ in COMMENT_EXAMPLES} == set(IDS)
    assert ("01_user_decline", "vendor", "QuestMobile") in COMMENT_EXAMPLES  # issue 11: failed before


@pytest.mark.parametrize(("notebook", "name", "value"), COMMENT_EXAMPLES, ids=[f"{n}-{k}-{v}" for n, k, v in COMMENT_EXAMPLES])
def test_comment_example_validates(ds, notebook, name, value):
    validate_parameters(notebook, {**defaults(notebook), name: value}, ds)


def readme_runs() -> list[tuple[str, dict]]:
    """Every `kimi_research run NAME -f FILE -p KEY VALUE` and papermill command in the README and docs/."""
    files = [paths.ROOT / "README.md", *sorted((paths.ROOT / "docs").glob("*.md")), paths.ROOT / "CONTRIBUTING.md"]
    text = "\n".join(f.read_text(encoding="utf-8") for f in files).replace("\\\n", " ")
    code = "\n".join(re.findall(r"```bash\n(.*?)```", text, re.S))
    out = []
    for line in code.splitlines():
        line = line.split(" #")[0].strip()
        if line.startswith("#") or not ("kimi_research run " in line or "papermill " in line):
            continue
        words = shlex.split(line)
        if "run" in words:
            name = words[words.index("run") + 1]
        else:
            name = Path(next(w for w in words if w.startswith("notebooks/") and w.endswith(".ipynb"))).stem
        files = [str(paths.ROOT / words[i + 1]) for i, w in enumerate(words) if w == "-f"]
        pairs = [[words[i + 1], words[i + 2]] for i, w in enumerate(words) if w == "-p"]
        out.append((name, load_params(files, pairs)))
    return out


README_RUNS = readme_runs()


def test_readme_gives_examples():
    assert len(README_RUNS) >= 2 and any(params for _, params in README_RUNS)


@pytest.mark.parametrize(("notebook", "params"), README_RUNS, ids=[f"{n}-{p}" for n, p in README_RUNS])
def test_readme_example_validates(ds, notebook, params):
    validate_parameters(notebook, {**defaults(notebook), **params}, ds)


def test_named_parameter_sets_validate(ds):
    dirs = [d for d in paths.PARAMS_DIR.iterdir() if d.is_dir()]
    assert dirs
    for nb_dir in dirs:
        assert nb_dir.name in registry.NAMES, nb_dir
        files = list(nb_dir.glob("*.yaml"))
        assert files, f"{nb_dir} has no parameter sets"
        for f in files:
            data = yaml.safe_load(f.read_text(encoding="utf-8"))
            assert isinstance(data, dict), f
            validate_parameters(nb_dir.name, {**defaults(nb_dir.name), **data}, ds)


@pytest.mark.notebook
def test_names_from_the_comments_run_to_the_end(run_notebook, ds):
    """Notebook 01 with an entity and a firm given by display name (Chinese, any case)."""
    entity = next(v for nb, k, v in COMMENT_EXAMPLES if nb == "01_user_decline" and k == "entity" and not v.isascii())
    run = run_notebook("01_user_decline", {"entity": entity, "vendor": "QuestMobile"})
    assert run.returncode == 0, run.output[-2000:]
    p = validate_parameters("01_user_decline", {**defaults("01_user_decline"), "entity": entity}, ds)
    assert run.results["parameters"]["entity"] == p.entity and run.results["vendor"] == "questmobile"


@pytest.mark.notebook
def test_competitor_examples_run_to_the_end(run_notebook):
    """Notebook 04 with the comments' list of apps (ids and names) and their month example."""
    mine = [(k, v) for nb, k, v in COMMENT_EXAMPLES if nb == "04_competitor_comparison"]
    entities = next(v for k, v in mine if k == "entities" and isinstance(v, list))
    as_of = [v for k, v in mine if k == "as_of" and v != "latest"][-1]
    run = run_notebook("04_competitor_comparison", {"entities": entities, "as_of": as_of})
    assert run.returncode == 0, run.output[-2000:]
    assert run.results["parameters"]["as_of"] == as_of and len(run.results["parameters"]["entities"]) == len(entities)


# --- reviewable diffs: each notebook paired with a py:percent script (jupytext.toml) ----------------
def _cells(book) -> list[tuple[str, str, list[str]]]:
    return [(c.cell_type, c.source.strip(), sorted(c.metadata.get("tags", []))) for c in book.cells]


def test_jupytext_pairs_are_in_sync(nb):
    import jupytext

    path, book = nb
    script = paths.NOTEBOOKS_DIR / "py" / f"{path.stem}.py"
    assert script.exists(), f"{script} is missing: run `make format` (jupytext --sync)"
    paired = jupytext.read(script, fmt="py:percent")
    assert _cells(paired) == _cells(book), f"{script.name} and {path.name} differ: run `make format` (jupytext --sync)"
    config = (paths.ROOT / "jupytext.toml").read_text(encoding="utf-8")
    assert 'formats = "ipynb,py//py:percent"' in config


def test_no_stray_scripts():
    scripts = sorted(p.stem for p in (paths.NOTEBOOKS_DIR / "py").glob("*.py"))
    assert scripts == IDS, "notebooks/py holds exactly one script per notebook"

"""Presentation outputs: offline reveal.js decks, the HTML index, the summary deck.

Decks are built from the executed notebooks in ``build/executed``: code hidden, the
``parameters``/``injected-parameters`` cells removed, a title slide carrying the notebook's
headline (``headline`` in its results JSON) and the parameters used. They work from
``file://`` without a network: reveal.js 5, require.js and jQuery come from the npm registry
at pinned versions (``package.json`` + ``package-lock.json``; ``make slides`` installs them into
``build/npm``) and are copied next to the decks. Without npm the decks fall back to CDNs, with
a warning, and then need internet.
"""

from __future__ import annotations

import html
import json
import shutil
import warnings
from datetime import UTC, datetime
from pathlib import Path

from kimi_research import paths

TEMPLATES = Path(__file__).parent / "templates"
CDN = {
    "reveal": "https://unpkg.com/reveal.js@5.2.1",
    "require": "https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.7/require.min.js",
    "jquery": "https://code.jquery.com/jquery-3.7.1.min.js",
}
LOCAL = {"reveal": "reveal.js", "require": "require.js", "jquery": "jquery.min.js"}
WIDTH, HEIGHT = 1280, 720


def npm_modules() -> Path:
    return paths.build_dir() / "npm" / "node_modules"


def copy_assets(out_dir: Path) -> bool:
    """Copy reveal.js, require.js and jQuery next to the decks; False when they are missing."""
    nm = npm_modules()
    sources = {
        "reveal": nm / "reveal.js",
        "require": nm / "requirejs" / "require.js",
        "jquery": nm / "jquery" / "dist" / "jquery.min.js",
    }
    if not all(p.exists() for p in sources.values()):
        return False
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / LOCAL["reveal"]
    for sub in ("dist", "plugin"):
        if (target / sub).exists():
            shutil.rmtree(target / sub)
        shutil.copytree(sources["reveal"] / sub, target / sub)
    shutil.copy2(sources["require"], out_dir / LOCAL["require"])
    shutil.copy2(sources["jquery"], out_dir / LOCAL["jquery"])
    return True


def _results(name: str) -> dict:
    p = paths.results_dir() / f"{name}.json"
    return json.loads(p.read_text(encoding="utf-8")) if p.exists() else {}


def notebook_title(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "Untitled"


def _params_text(params: dict) -> str:
    return ", ".join(f"{k} = {v!r}" for k, v in params.items()) or "defaults"


def _title_cell(nb, name: str, results: dict, run_date: str):
    from nbformat.v4 import new_markdown_cell

    headline = results.get("headline", "")
    src = (f'<div class="kimi-title">\n\n# {notebook_title(nb)}\n\n{headline}\n\n'
           f'<p class="kimi-meta">kimi-research · notebook {name} · run {run_date} · '
           f'parameters: {html.escape(_params_text(results.get("parameters", {})))}</p>\n\n</div>')
    cell = new_markdown_cell(src)
    cell.metadata = {"slideshow": {"slide_type": "slide"}}
    return cell


def _first_title_index(nb) -> int | None:
    for i, c in enumerate(nb.cells):
        if c.cell_type == "markdown" and c.source.lstrip().startswith("# "):
            return i
    return None


def exporter(offline: bool):
    from nbconvert import SlidesExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    c = Config()
    c.TagRemovePreprocessor.remove_cell_tags = {"parameters", "injected-parameters", "no-slides"}
    c.TagRemovePreprocessor.enabled = True
    src = LOCAL if offline else CDN
    c.SlidesExporter.reveal_url_prefix = src["reveal"]
    c.SlidesExporter.require_js_url = src["require"]
    c.SlidesExporter.jquery_url = src["jquery"]
    c.SlidesExporter.reveal_theme = "white"
    c.SlidesExporter.reveal_scroll = True
    c.SlidesExporter.reveal_width = str(WIDTH)
    c.SlidesExporter.reveal_height = str(HEIGHT)
    c.SlidesExporter.exclude_input = True
    c.SlidesExporter.exclude_input_prompt = True
    c.SlidesExporter.exclude_output_prompt = True
    exp = SlidesExporter(config=c, template_name="kimi_reveal", extra_template_basedirs=[str(TEMPLATES)])
    exp.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
    return exp


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def build_deck(name: str, offline: bool = True, out_dir: Path | None = None) -> Path:
    """build/slides/<name>.slides.html from build/executed/<name>.ipynb."""
    import nbformat

    executed = paths.executed_dir() / f"{name}.ipynb"
    if not executed.exists():
        raise SystemExit(f"{executed} not found: run `make run` first")
    nb = nbformat.read(executed, as_version=4)
    run_date = datetime.fromtimestamp(executed.stat().st_mtime, UTC).strftime("%Y-%m-%d %H:%M UTC")
    i = _first_title_index(nb)
    title = _title_cell(nb, name, _results(name), run_date)
    if i is None:
        nb.cells.insert(0, title)
    else:
        nb.cells[i] = title
    body, _ = exporter(offline).from_notebook_node(nb)
    out = (out_dir or paths.slides_dir()) / f"{name}.slides.html"
    _write(out, body)
    return out


def expected_slides(name: str) -> int:
    """Number of top-level slides a deck should have (cells starting a slide, title included)."""
    import nbformat

    nb = nbformat.read(paths.executed_dir() / f"{name}.ipynb", as_version=4)
    n = 0
    for c in nb.cells:
        tags = set(c.metadata.get("tags", []))
        if tags & {"parameters", "injected-parameters", "no-slides"}:
            continue
        if c.metadata.get("slideshow", {}).get("slide_type") == "slide":
            n += 1
    return n if _first_title_index(nb) is not None else n + 1


def build_index(names: list[str], out: Path | None = None) -> Path:
    """build/html/index.html: every notebook, its headline, links, run date and parameters."""
    import nbformat

    rows = []
    for name in names:
        res = _results(name)
        executed = paths.executed_dir() / f"{name}.ipynb"
        title = notebook_title(nbformat.read(executed, as_version=4)) if executed.exists() else name
        when = (datetime.fromtimestamp(executed.stat().st_mtime, UTC).strftime("%Y-%m-%d %H:%M UTC")
                if executed.exists() else "not run")
        rows.append(
            f"<tr><td><b>{html.escape(title)}</b><br><code>{name}</code></td>"
            f"<td>{html.escape(res.get('headline', '(no results yet: run make run)'))}</td>"
            f'<td><a href="{name}.html">report</a><br><a href="../slides/{name}.slides.html">slides</a><br>'
            f'<a href="../results/{name}.json">results JSON</a></td>'
            f"<td>{when}</td><td><code>{html.escape(_params_text(res.get('parameters', {})))}</code></td></tr>")
    summary = '<p><a href="../slides/kimi_in_ten_slides.slides.html">Kimi in ten slides</a> (summary deck)</p>'
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
Every number comes from five articles; see the data audit for where.</p>
{summary}
<table><tr><th>notebook</th><th>headline (computed)</th><th>outputs</th><th>run</th><th>parameters</th></tr>
{''.join(rows)}
</table></body></html>
"""
    out = out or paths.html_dir() / "index.html"
    _write(out, page)
    return out


def build_decks(names: list[str] | None = None) -> int:
    names = names or sorted(p.stem for p in paths.executed_dir().glob("[0-9][0-9]_*.ipynb")
                            if not p.stem.endswith(".failed"))
    offline = copy_assets(paths.slides_dir())
    if not offline:
        warnings.warn("reveal.js, require.js and jQuery are not installed in build/npm (is npm installed?): "
                      "the decks load them from CDNs and need internet", stacklevel=1)
    for n in names:
        print(f"deck: {build_deck(n, offline)}")
    from kimi_research.orchestration.summary import build_summary_deck

    print(f"deck: {build_summary_deck(offline)}")
    print(f"index: {build_index(names)}")
    return 0

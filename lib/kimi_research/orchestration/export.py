"""What the decks, the summary deck and the HTML reports share (the layer below all three).

- ``read_results``: the one place the presentation outputs read ``build/results/<name>.json``;
- ``title_of``: a notebook's title (the registry's, else its first heading);
- ``write``: an atomic write of a generated page with its ``<title>`` set;
- ``static_widgets``: ipywidgets outputs replaced by a static rendering of their saved state
  and a note (the widget manager would load from a CDN; offline it shows nothing);
- ``stable_ids``: cell ids made from each cell's index and content (nbformat's are random), so
  that rebuilding a deck or report from the same notebook gives the same bytes;
- ``links``: the relative links between a notebook's report, deck, PDFs and the index;
- ``slides_exporter``: nbconvert's reveal exporter with the ``kimi_reveal`` template, offline
  assets (reveal.js, require.js, jQuery from ``build/npm``), code hidden.

``decks`` and ``summary`` import this module; neither imports the other's private names.
"""

from __future__ import annotations

import hashlib
import html
import re
import shutil
from pathlib import Path

from kimi_research import paths, registry
from kimi_research.io import atomic_write_text

TEMPLATES = Path(__file__).parent / "templates"
CDN = {
    "reveal": "https://unpkg.com/reveal.js@5.2.1",
    "require": "https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.7/require.min.js",
    "jquery": "https://code.jquery.com/jquery-3.7.1.min.js",
}
LOCAL = {"reveal": "reveal.js", "require": "require.js", "jquery": "jquery.min.js"}
WIDTH, HEIGHT = 1280, 720
REMOVE_TAGS = {"parameters", "injected-parameters", "no-slides"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def read_results(name: str) -> dict:
    """A notebook's canonical results (the default ``make run``'s), or {} when it has not run.

    The one reader of results for the decks, the summary deck and the index: results made with
    other parameters are refused (:func:`~kimi_research.orchestration.results.read_canonical`
    raises ResultsError), so an experiment never reaches a deck."""
    from kimi_research.orchestration.results import read_canonical

    p = paths.results_dir() / f"{name}.json"
    return read_canonical(name) if p.exists() else {}


def first_heading(nb) -> str | None:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return None


def title_of(name: str, nb=None) -> str:
    """The notebook's title: the registry's short title, else its first heading, else its name."""
    if name in registry.BY_NAME:
        return registry.BY_NAME[name].title
    return (first_heading(nb) if nb is not None else None) or name


def write(path: Path, page: str, title: str | None = None) -> Path:
    """Write a generated HTML page atomically, with ``<title>`` replaced by ``title``."""
    if title is not None:
        page = re.sub(r"<title>.*?</title>", lambda _: f"<title>{html.escape(title)}</title>", page, count=1, flags=re.S)
    atomic_write_text(path, page)
    return path


def stable_ids(nb):
    """Give every cell the id ``c<index>-<hash of its type and source>`` (nbformat gives a new
    cell a random id, which would make every rebuilt deck differ). Returns ``nb``."""
    nb.nbformat_minor = max(int(nb.get("nbformat_minor", 0)), 5)
    for i, cell in enumerate(nb.cells):
        digest = hashlib.sha256(f"{cell.cell_type}\0{cell.source}".encode()).hexdigest()[:8]
        cell["id"] = f"c{i:03d}-{digest}"
    return nb


def links(name: str) -> dict[str, str]:
    """Links from build/html/ (the reports and the index) to a notebook's outputs."""
    return {
        "index": "index.html",
        "report": f"{name}.html",
        "deck": f"../slides/{name}.slides.html",
        "report_pdf": f"../pdf/{name}.pdf",
        "deck_pdf": f"../pdf/{name}.slides.pdf",
        "results": f"../results/{name}.json",
    }


def _widget_html(model_id: str, state: dict, depth: int = 0) -> str:
    """A static rendering of one saved widget: controls as 'description: value', HTML as is."""
    model = state.get(model_id, {})
    s = model.get("state", {})
    name = model.get("model_name", "")
    if depth > 8:
        return ""
    if "children" in s:
        return "".join(_widget_html(str(c).removeprefix("IPY_MODEL_"), state, depth + 1) for c in s["children"])
    if name in ("HTMLModel", "HTMLMathModel"):
        return f'<div class="kimi-widget-html">{s.get("value", "")}</div>'
    if name == "OutputModel":
        return "".join(o.get("data", {}).get("text/html", "") for o in s.get("outputs", []))
    if "value" in s:
        label = s.get("description") or name.removesuffix("Model")
        return f"<li><b>{html.escape(str(label))}</b>: {html.escape(str(s['value']))}</li>"
    return ""


def static_widgets(nb, note: str | None = None):
    """Replace every widget output by its saved state rendered as HTML, with a note; drop the
    notebook's widget state so no template loads the widget manager. Returns ``nb``."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    note = note or (
        "Interactive explorer (ipywidgets): it needs a running kernel, so this page shows its "
        "state when the notebook ran. Open the notebook in JupyterLab (<code>make lab</code>) "
        "to move the sliders."
    )
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW not in data:
                continue
            body = _widget_html(data[WIDGET_VIEW].get("model_id", ""), state)
            items = re.findall(r"<li>.*?</li>", body)
            rest = re.sub(r"<li>.*?</li>", "", body)
            static = (
                f'<div class="kimi-static-widget"><p><em>{note}</em></p>'
                + (f"<ul>{''.join(items)}</ul>" if items else "")
                + rest
                + "</div>"
            )
            out["data"] = {"text/html": static, "text/plain": data.get("text/plain", "")}
    nb.metadata.pop("widgets", None)
    return nb


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


def slides_exporter(offline: bool):
    """nbconvert's SlidesExporter: kimi_reveal template, code and parameter cells removed."""
    from nbconvert import SlidesExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    c = Config()
    c.TagRemovePreprocessor.remove_cell_tags = REMOVE_TAGS
    c.TagRemovePreprocessor.enabled = True
    src = LOCAL if offline else CDN
    c.SlidesExporter.reveal_url_prefix = src["reveal"]
    c.SlidesExporter.require_js_url = src["require"]
    c.SlidesExporter.jquery_url = src["jquery"]
    c.SlidesExporter.reveal_theme = "white"
    c.SlidesExporter.reveal_transition = "slide"
    c.SlidesExporter.reveal_width = str(WIDTH)
    c.SlidesExporter.reveal_height = str(HEIGHT)
    c.SlidesExporter.exclude_input = True
    c.SlidesExporter.exclude_input_prompt = True
    c.SlidesExporter.exclude_output_prompt = True
    exp = SlidesExporter(config=c, template_name="kimi_reveal", extra_template_basedirs=[str(TEMPLATES)])
    exp.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
    return exp

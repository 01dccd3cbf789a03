"""HTML reports: ``build/html/<notebook>.html`` from an executed notebook, readable offline.

Input code is hidden (as in the decks; the code stays in the notebook for JupyterLab users),
the parameter cells are removed, the page carries the notebook's title, and nothing is loaded
from a CDN (template ``templates/kimi_report``): widget outputs (notebook 03's explorer) are
replaced by a static rendering of their saved state with a note. A bar at the top links to the
index of notebooks, the notebook's deck and its PDF; cell ids are stable (the same notebook
gives the same page).
"""

from __future__ import annotations

from pathlib import Path

from kimi_research.orchestration import export

REPORT_REMOVE_TAGS = {"parameters", "injected-parameters"}


def exporter():
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    c = Config()
    c.TagRemovePreprocessor.remove_cell_tags = REPORT_REMOVE_TAGS
    c.TagRemovePreprocessor.enabled = True
    c.HTMLExporter.exclude_input = True
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    exp = HTMLExporter(config=c, template_name="kimi_report", extra_template_basedirs=[str(export.TEMPLATES)])
    exp.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
    return exp


def write_html(executed: Path, out: Path) -> Path:
    """Export the executed notebook ``executed`` as the HTML report ``out`` (atomically)."""
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    name = Path(executed).stem
    export.static_widgets(nb)
    export.stable_ids(nb)
    title = export.title_of(name, nb)
    nb.metadata["title"] = title
    nb.metadata["kimi_links"] = export.links(name)
    body, _ = exporter().from_notebook_node(nb)
    return export.write(out, body, title=f"{title} · kimi-research")

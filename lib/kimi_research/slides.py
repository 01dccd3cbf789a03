"""reveal.js decks from executed notebooks: code hidden, parameters cells removed."""

from __future__ import annotations

from pathlib import Path

from kimi_research import paths


def build_deck(name: str, out_dir: Path | None = None) -> Path:
    import nbformat
    from nbconvert import SlidesExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    executed = paths.executed_dir() / f"{name}.ipynb"
    if not executed.exists():
        raise SystemExit(f"{executed} not found: run `make run` first")
    c = Config()
    c.TagRemovePreprocessor.remove_cell_tags = {"parameters", "injected-parameters", "no-slides"}
    c.TagRemovePreprocessor.enabled = True
    c.SlidesExporter.exclude_input = True
    c.SlidesExporter.exclude_input_prompt = True
    c.SlidesExporter.exclude_output_prompt = True
    exporter = SlidesExporter(config=c)
    exporter.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
    body, _ = exporter.from_notebook_node(nbformat.read(executed, as_version=4))
    out = (out_dir or paths.slides_dir()) / f"{name}.slides.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(out)
    return out


def build_decks(names: list[str]) -> int:
    for n in names:
        print(f"deck: {build_deck(n)}")
    return 0

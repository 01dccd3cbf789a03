"""What a reader sees, scanned for what a reader should not see.

:func:`scan` reads an executed notebook (``.ipynb``: each cell's outputs, in the representation
Jupyter shows: HTML, else Markdown, else plain text; images are skipped), a generated page (an
HTML report, a deck, the index: the page's text, script and style left out) or a chart's texts
(the ``<name>.labels.json`` that ``plotting.save`` writes beside each PNG) and returns one
:class:`Finding` per piece of text a reader should not meet:

- ``path repr``: a Python path object printed (``PosixPath('…')``);
- ``build path``: a path into the staging folder or an absolute path into ``build/``;
- ``language code``: an output that is only a language code (``'en'``);
- ``missing value``: a bare ``nan``/``NaN``/``None``/``NaT``/``<NA>``, as a whole output or table
  cell, or inside a sentence ("…: nan, 5.5×");
- ``identifier``: any of the internal identifiers the caller passes (``overtaken_by``), outside
  code (text in ``<code>`` or Markdown backticks names a parameter on purpose).

``python -m kimi_research.orchestration.outputs [--id NAME ...] [file ...]`` scans the default
run's executed notebooks, reports, decks, charts and index (or the files named) and prints each
finding (exit 1 when there is any); ``--id`` adds an internal identifier to look for.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from kimi_research import paths

SHOWN = ("text/html", "text/markdown", "text/latex", "image/png", "image/jpeg", "image/svg+xml", "text/plain")
PATH_REPR = re.compile(r"\b(?:Posix|Windows|Pure\w*)?Path\(['\"]")
BUILD_PATH = re.compile(r"\.staging\b|(?:/[\w.@+~-]+)+/build/[\w.@+~/-]*")
LANGUAGE = re.compile(r"""^\s*['"]?(?:en|zh)['"]?\s*$""")
MISSING_WHOLE = re.compile(r"^\s*(?:nan|NaN|None|NaT|<NA>|null)\s*$")
MISSING_INLINE = re.compile(r"(?<![\w.<-])(?:nan|NaN|NaT|<NA>)(?![\w>-])|(?:[:=(\[,]\s*)None\b|\bNone(?=\s*[,)\]])")


@dataclass(frozen=True)
class Finding:
    file: str
    where: str  # "cell 12": the cell's index in the executed notebook (a page: from its stable id), or "page"
    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.file}, {self.where}: {self.kind}: {self.text!r}"


def check_text(text: str, identifiers: Iterable[str] = (), whole: bool = False, markdown: bool = False) -> list[tuple[str, str]]:
    """``(kind, excerpt)`` for every problem in one piece of displayed text; ``whole``: the text
    is a whole output or table cell (a bare language code or missing value is then a problem);
    ``markdown``: identifiers quoted in backticks are not looked for."""
    out = []
    reprs = [(m.start(), text.find(")", m.end()) % (len(text) + 1)) for m in PATH_REPR.finditer(text)]
    out += [("path repr", _excerpt(text, a, b + 1)) for a, b in reprs]
    for m in BUILD_PATH.finditer(text):
        if not any(a <= m.start() <= b for a, b in reprs):  # a path inside a repr is reported once
            out.append(("build path", _excerpt(text, m.start(), m.end())))
    if whole and LANGUAGE.match(text):
        out.append(("language code", text.strip()))
    if whole and MISSING_WHOLE.match(text):
        out.append(("missing value", text.strip()))
    else:
        for m in MISSING_INLINE.finditer(text):
            out.append(("missing value", _excerpt(text, m.start(), m.end())))
    prose = re.sub(r"`[^`\n]*`", lambda m: " " * len(m.group()), text) if markdown else text
    for ident in identifiers:
        for m in re.finditer(rf"(?<![\w]){re.escape(ident)}(?![\w])", prose):
            out.append(("identifier", _excerpt(text, m.start(), m.end())))
    return out


def _excerpt(text: str, start: int, end: int, pad: int = 40) -> str:
    s = " ".join(text[max(0, start - pad) : end + pad].split())
    return ("…" if start > pad else "") + s + ("…" if end + pad < len(text) else "")


class _Text(HTMLParser):
    """Text nodes of a page with the id of the notebook cell around them; whole table cells and
    output blocks are kept as units too."""

    SKIP = {"script", "style", "head", "title"}
    UNITS = {"td", "th", "pre", "li"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.pieces: list[tuple[str, str, bool, bool]] = []  # (cell, text, whole, in code)
        self.units: list[list[tuple[str, bool]]] = []  # open table cells, blocks: (text, in code)

    def _cell(self) -> str:
        for _, cell in reversed(self.stack):
            if cell:
                return cell
        return "page"

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "img", "meta", "link", "hr", "input"):
            return
        a = dict(attrs)
        ident = a.get("id") or ""
        cell = ident.removeprefix("cell-id=") if ident.startswith("cell-id=") else None
        if cell:  # export.stable_ids: c<index>-<hash>, the cell's index in the executed notebook
            m = re.match(r"c(\d+)-[0-9a-f]+$", cell)
            cell = f"cell {int(m.group(1))}" if m else f"cell {cell}"
        self.stack.append((tag, cell))
        if tag in self.UNITS:
            self.units.append([])

    def handle_endtag(self, tag):
        if not any(t == tag for t, _ in self.stack):
            return
        while self.stack:
            t, _ = self.stack[-1]
            if t in self.UNITS and self.units:
                parts = self.units.pop()
                unit = "".join(text for text, _ in parts)
                if unit.strip():
                    code = all(c for text, c in parts if text.strip())
                    self.pieces.append((self._cell(), unit, True, code))
            self.stack.pop()
            if t == tag:
                break

    def handle_data(self, data):
        if any(t in self.SKIP for t, _ in self.stack):
            return
        for u in self.units:
            u.append((data, self._code()))
        if data.strip() and not self.units:
            self.pieces.append((self._cell(), data, False, self._code()))

    def _code(self) -> bool:
        return any(t == "code" for t, _ in self.stack)


def _html_text(html: str) -> list[tuple[str, str, bool, bool]]:
    p = _Text()
    p.feed(html)
    p.close()
    return p.pieces


def _shown(output: dict) -> tuple[str, str] | None:
    """(mime type, text) of what Jupyter shows for one output; None for an image."""
    if output.get("output_type") == "stream":
        return "text/plain", output.get("text", "")
    if output.get("output_type") == "error":
        return "text/plain", f"{output.get('ename')}: {output.get('evalue')}"
    data = output.get("data", {})
    mime = next((m for m in SHOWN if m in data), None)
    if mime is None or mime.startswith("image/"):
        return None
    value = data[mime]
    return mime, "".join(value) if isinstance(value, list) else str(value)


def scan_notebook(path: Path, identifiers: Iterable[str] = ()) -> list[Finding]:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    found = []
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            shown = _shown(output)
            if shown is None:
                continue
            mime, text = shown
            if mime == "text/html":
                pieces = [(t, w, code) for _, t, w, code in _html_text(text)]
            else:
                pieces = [(text, True, False)]
            whole = output.get("output_type") == "execute_result" or mime == "text/html"
            for piece, unit, code in pieces:
                idents = () if code else identifiers
                for kind, excerpt in check_text(piece, idents, whole=unit and whole, markdown=mime == "text/markdown"):
                    found.append(Finding(path.name, f"cell {i}", kind, excerpt))
    return list(dict.fromkeys(found))


def scan_page(path: Path, identifiers: Iterable[str] = ()) -> list[Finding]:
    found = []
    for cell, text, whole, code in _html_text(path.read_text(encoding="utf-8")):
        for kind, excerpt in check_text(text, () if code else identifiers, whole=whole):
            found.append(Finding(path.name, cell, kind, excerpt))
    return list(dict.fromkeys(found))


def scan_figure(path: Path, identifiers: Iterable[str] = ()) -> list[Finding]:
    """The texts of one chart, from the record beside its PNG (``<name>.labels.json``)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    name = f"{path.parent.name}/{path.name.removesuffix('.labels.json')}.png"
    found = []
    for label in data.get("labels", []):
        for kind, excerpt in check_text(label["text"], identifiers, whole=True):
            found.append(Finding(name, f"{label['kind']} label", kind, excerpt))
    return list(dict.fromkeys(found))


def scan(path: Path, identifiers: Iterable[str] = ()) -> list[Finding]:
    """Every finding in one executed notebook, generated page or chart record."""
    path = Path(path)
    if path.suffix == ".ipynb":
        return scan_notebook(path, identifiers)
    if path.name.endswith(".labels.json"):
        return scan_figure(path, identifiers)
    return scan_page(path, identifiers)


def outputs_of(name: str, build: Path | None = None) -> list[Path]:
    """The files a reader sees of notebook ``name`` in a build folder: its executed notebook,
    report, deck and charts (those that exist)."""
    b = build or paths.build_dir()
    files = [b / "executed" / f"{name}.ipynb", b / "html" / f"{name}.html", b / "slides" / f"{name}.slides.html"]
    return [f for f in files if f.exists()] + sorted((b / "figures" / name).glob("*.labels.json"))


def main(argv: list[str]) -> int:
    from kimi_research import registry

    idents = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--id"]
    args = [a for i, a in enumerate(argv) if a != "--id" and (i == 0 or argv[i - 1] != "--id")]
    files = [Path(a) for a in args] or [f for n in registry.NAMES for f in outputs_of(n)] + sorted(
        [*paths.slides_dir().glob("kimi_*.slides.html"), paths.html_dir() / "index.html"]
    )
    found = [f for p in files if p.exists() for f in scan(p, idents)]
    print("\n".join(map(str, found)) or "nothing a reader should not see")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

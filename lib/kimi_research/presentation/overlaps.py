"""Overlap check for the charts: text that another text, a line, a marker, a patch or a legend covers.

``plotting.save`` records, next to each PNG (``build/figures/<notebook>/<name>.labels.json``),
every drawn text of the figure (titles, axis and tick labels, legend entries, annotations,
footnotes) with its box and font size, and the geometry of what could cover a text: lines (their
path in display pixels, clipped to their axes, so a label beside a diagonal line is not
touched), markers (a box per point), patches (their outline: a bar's edge through a label, not a
label inside its bar) and legends (their frame). It also records the PNG's hash, pixel size and
dpi, which the browser test uses to measure the rendered size of a figure's smallest text.
:func:`find_overlaps` reads the records back and lists

- two texts whose boxes share more than :data:`MIN_AREA_PX` (rotated texts by their own
  rectangle, not their axis-aligned box);
- a text crossed by a line or by the edge of a patch, unless the text sits on an opaque
  background drawn above it (an event label's white box over another event's dotted line);
- a text over a marker, or a marker over a text;
- a text under a legend that is not its own.

Run after ``make run``::

    python -m kimi_research.presentation.overlaps            # every figure in build/figures
    python -m kimi_research.presentation.overlaps --strict   # exit 1 when any overlaps

:func:`overlapping_labels` does the same on a live matplotlib figure (for tests of chart code).
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_rgba
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

from kimi_research import paths

MIN_AREA_PX = 4.0  # boxes sharing less than this (at figure.dpi) are touching, not overlapping
LINE_INSET_PX = 2.0  # a line grazing the edge of a text's box (the room above capitals and below the baseline) does not cross it
OPAQUE = 0.5  # a background at least this opaque hides what is drawn under it

Point = tuple[float, float]
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Label:
    text: str
    kind: str
    box: Box  # x0, y0, x1, y1 in display pixels (axis-aligned)
    fontsize: float
    corners: tuple[Point, ...] = ()  # the text's own (rotated) rectangle, when rotated
    axes: int = -1  # index in fig.axes, -1 for a figure text
    shield: float | None = None  # zorder of an opaque background the text sits on (its box, its legend)
    legend: int | None = None  # index of the legend the text belongs to
    lines: tuple[Box, ...] = ()  # one box per line of a multi-line text (what its letters cover)

    @property
    def rects(self) -> tuple[Box, ...]:
        return self.lines or (self.box,)


@dataclass(frozen=True)
class Shape:
    """Something drawn that can cover a text: ``kind`` is line, markers, patch or legend."""

    kind: str
    name: str
    axes: int
    zorder: float
    paths: tuple[tuple[Point, ...], ...] = ()  # polylines (line) or closed outlines (patch)
    boxes: tuple[Box, ...] = ()  # marker boxes, or the legend's frame
    legend: int | None = None


@dataclass(frozen=True)
class Figure:
    """What ``plotting.save`` recorded of one saved figure."""

    name: str
    labels: tuple[Label, ...]
    shapes: tuple[Shape, ...]
    dpi: float  # the figure's dpi (the boxes' pixels)
    savefig_dpi: float  # the PNG's dpi
    png_sha256: str
    png_size: tuple[int, int]

    @property
    def smallest(self) -> Label | None:
        """The text with the smallest font size."""
        return min(self.labels, key=lambda x: x.fontsize, default=None)


# -- geometry ---------------------------------------------------------------------------------
def _separated(p: tuple, q: tuple) -> bool:
    """Separating-axis test for two convex polygons (lists of corners; a segment is a 2-gon)."""
    for poly in (p, q):
        for i in range(len(poly)):
            (x1, y1), (x2, y2) = poly[i], poly[(i + 1) % len(poly)]
            nx, ny = y2 - y1, x1 - x2
            if nx == 0 and ny == 0:
                continue
            a = [nx * x + ny * y for x, y in p]
            b = [nx * x + ny * y for x, y in q]
            if max(a) <= min(b) or max(b) <= min(a):
                return True
    return False


def _poly(label: Label) -> tuple:
    """The text's outline: its rotated rectangle, or its box."""
    return label.corners or _poly_box(label.box)


def _polys(label: Label, inset: float = 0.0) -> list[tuple]:
    """What the letters cover, shrunk by ``inset`` px: the rotated rectangle, or one box per line."""
    if label.corners:
        if not inset:
            return [label.corners]
        cx = sum(x for x, _ in label.corners) / len(label.corners)
        cy = sum(y for _, y in label.corners) / len(label.corners)
        out = []
        for x, y in label.corners:
            d = math.hypot(x - cx, y - cy) or 1.0
            out.append((x - (x - cx) * inset * math.sqrt(2) / d, y - (y - cy) * inset * math.sqrt(2) / d))
        return [tuple(out)]
    return [_poly_box((x0 + inset, y0 + inset, x1 - inset, y1 - inset)) for x0, y0, x1, y1 in label.rects]


def _poly_box(b: Box) -> tuple:
    return ((b[0], b[1]), (b[2], b[1]), (b[2], b[3]), (b[0], b[3]))


def _box_area(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _area(label: Label, boxes: Iterable[Box]) -> float:
    """Area the text's lines share with ``boxes``."""
    boxes = list(boxes)
    return sum(_box_area(r, b) for r in label.rects for b in boxes)


def _segments(path: tuple[Point, ...], closed: bool) -> Iterator[tuple[Point, Point]]:
    pts = list(path) + ([path[0]] if closed and len(path) > 2 else [])
    yield from zip(pts, pts[1:], strict=False)


def _crosses(label: Label, path: tuple[Point, ...]) -> bool:
    """Whether the polyline ``path`` (a closed outline repeats its first point) passes through the text."""
    for poly in _polys(label, LINE_INSET_PX):
        bx0, by0 = min(x for x, _ in poly), min(y for _, y in poly)
        bx1, by1 = max(x for x, _ in poly), max(y for _, y in poly)
        if bx1 <= bx0 or by1 <= by0:
            continue
        for a, b in _segments(path, False):
            if max(a[0], b[0]) < bx0 or min(a[0], b[0]) > bx1 or max(a[1], b[1]) < by0 or min(a[1], b[1]) > by1:
                continue
            if not _separated(poly, (a, b)):
                return True
    return False


def _clip(seg: tuple[Point, Point], box: Box) -> tuple[Point, Point] | None:
    """Liang-Barsky: the part of a segment inside ``box``, or None."""
    (x0, y0), (x1, y1) = seg
    dx, dy = x1 - x0, y1 - y0
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
        if p == 0:
            if q < 0:
                return None
            continue
        r = q / p
        if p < 0:
            t0 = max(t0, r)
        else:
            t1 = min(t1, r)
        if t0 > t1:
            return None
    return (x0 + t0 * dx, y0 + t0 * dy), (x0 + t1 * dx, y0 + t1 * dy)


def _clipped(polylines: Iterable[list[Point]], box: Box | None) -> list[tuple[Point, ...]]:
    """Polylines cut to ``box`` (None: not clipped); NaN points break a line."""
    out: list[tuple[Point, ...]] = []
    for line in polylines:
        run: list[Point] = []
        for p in line:
            if all(math.isfinite(v) for v in p):
                run.append((round(float(p[0]), 1), round(float(p[1]), 1)))
            else:
                if run:
                    out.append(tuple(run))
                run = []
        if run:
            out.append(tuple(run))
    if box is None:
        return out
    cut: list[tuple[Point, ...]] = []
    for poly in out:
        if len(poly) == 1:
            x, y = poly[0]
            if box[0] <= x <= box[2] and box[1] <= y <= box[3]:
                cut.append(poly)
            continue
        current: list[Point] = []
        for seg in _segments(poly, False):
            c = _clip(seg, box)
            if c is None:
                if current:
                    cut.append(tuple(current))
                current = []
                continue
            if current and current[-1] == c[0]:
                current.append(c[1])
            else:
                if current:
                    cut.append(tuple(current))
                current = [c[0], c[1]]
        if current:
            cut.append(tuple(current))
    return cut


# -- reading a live figure --------------------------------------------------------------------
def _corners(t, bb) -> tuple[Point, ...]:
    """The rotated rectangle of a rotated text: its size unrotated, centred on its box."""
    angle = t.get_rotation() % 180
    if angle in (0, 90):
        return ()
    t.set_rotation(0)
    try:
        flat = t.get_window_extent(t.figure.canvas.get_renderer())
    finally:
        t.set_rotation(angle)
    cx, cy = (bb.x0 + bb.x1) / 2, (bb.y0 + bb.y1) / 2
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    half = [
        (-flat.width / 2, -flat.height / 2),
        (flat.width / 2, -flat.height / 2),
        (flat.width / 2, flat.height / 2),
        (-flat.width / 2, flat.height / 2),
    ]
    return tuple((cx + x * c - y * s, cy + x * s + y * c) for x, y in half)


def _line_boxes(t, bb, renderer) -> tuple[Box, ...]:
    """One box per line of an unrotated multi-line text, aligned as matplotlib aligns them."""
    lines = t.get_text().split("\n")
    if len(lines) < 2 or t.get_rotation() % 360 != 0:
        return ()
    align = getattr(t, "_multialignment", None) or t.get_horizontalalignment()
    h = (bb.y1 - bb.y0) / len(lines)
    out = []
    for k, line in enumerate(lines):
        w = min(renderer.get_text_width_height_descent(line or " ", t.get_fontproperties(), ismath=False)[0], bb.width)
        x0 = bb.x0 if align == "left" else bb.x1 - w if align == "right" else (bb.x0 + bb.x1 - w) / 2
        y1 = bb.y1 - k * h
        if line.strip():
            out.append((x0, y1 - h, x0 + w, y1))
    return tuple(out)


def _tick_labels(fig) -> dict[int, Text]:
    """Tick labels actually shown (inside the axis' view interval), by id."""
    shown: dict[int, Text] = {}
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                inside = lo - 1e-9 * abs(hi - lo) <= tick.get_loc() <= hi + 1e-9 * abs(hi - lo)
                for t in (tick.label1, tick.label2):
                    if inside and t.get_visible() and tick.get_visible() and t.get_text().strip():
                        shown[id(t)] = t
    return shown


def _legends(fig) -> list[Legend]:
    found = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None and ax.get_visible()]
    found += list(fig.legends)
    return [lg for lg in found if lg.get_visible()]


def _opaque(color: Any, alpha: float | None = None) -> bool:
    try:
        a = to_rgba(color)[3]
    except (ValueError, TypeError):
        return False
    return a * (1.0 if alpha is None else alpha) >= OPAQUE


def _legend_shield(lg: Legend) -> float | None:
    frame = lg.get_frame()
    if lg.get_frame_on() and frame.get_visible() and _opaque(frame.get_facecolor(), frame.get_alpha()):
        return float(lg.get_zorder())
    return None


def _axes_index(fig, artist) -> int:
    ax = getattr(artist, "axes", None)
    return fig.axes.index(ax) if ax is not None and ax in fig.axes else -1


def labels(fig) -> list[Label]:
    """Every visible, non-empty text of ``fig`` with its box (the figure must have been drawn)."""
    renderer = fig.canvas.get_renderer()
    ticks = _tick_labels(fig)
    all_tick_ids = {
        id(t)
        for ax in fig.axes
        for axis in (ax.xaxis, ax.yaxis)
        for tick in axis.get_major_ticks() + axis.get_minor_ticks()
        for t in (tick.label1, tick.label2)
    }
    in_legend: dict[int, tuple[int, float | None]] = {}
    for i, lg in enumerate(_legends(fig)):
        for t in [*lg.get_texts(), lg.get_title()]:
            in_legend[id(t)] = (i, _legend_shield(lg))
    out = []
    for t in fig.findobj(Text):
        if id(t) in all_tick_ids and id(t) not in ticks:
            continue
        if not t.get_visible() or not t.get_text().strip():
            continue
        if t.axes is not None and not t.axes.get_visible():
            continue
        try:
            bb = t.get_window_extent(renderer)
        except (RuntimeError, ValueError):
            continue
        if bb.width <= 0 or bb.height <= 0:
            continue
        kind = "tick" if id(t) in ticks else type(t).__name__.lower()
        legend, shield = in_legend.get(id(t), (None, None))
        patch = t.get_bbox_patch()
        if patch is not None and patch.get_visible() and _opaque(patch.get_facecolor()):
            shield = max(shield or -math.inf, float(t.get_zorder()))
        out.append(
            Label(
                t.get_text(),
                "legend" if legend is not None else kind,
                (bb.x0, bb.y0, bb.x1, bb.y1),
                float(t.get_fontsize()),
                _corners(t, bb),
                _axes_index(fig, t),
                shield,
                legend,
                _line_boxes(t, bb, renderer),
            )
        )
    return out


def _name(artist, kind: str) -> str:
    label = str(artist.get_label() or "")
    if label and not label.startswith("_"):
        return label
    if isinstance(artist, Line2D):
        style = {"-": "solid", "--": "dashed", ":": "dotted", "-.": "dash-dot"}.get(str(artist.get_linestyle()), "")
        return f"{style} line".strip() if kind == "line" else "markers"
    return {"PathCollection": "scatter", "LineCollection": "line collection"}.get(
        type(artist).__name__, type(artist).__name__.lower()
    )


def _points(array: Any) -> list[Point]:
    """An (n, 2) array of display coordinates as a list of points."""
    return [(float(x), float(y)) for x, y in array]


def _clip_box(artist, ax) -> Box | None:
    if not artist.get_clip_on() or ax is None:
        return None
    bb = ax.bbox
    return (bb.x0, bb.y0, bb.x1, bb.y1)


def shapes(fig) -> list[Shape]:
    """Lines, markers, patches and legend frames of ``fig`` in display pixels (figure drawn)."""
    out: list[Shape] = []
    dpi = fig.dpi
    for ai, ax in enumerate(fig.axes):
        if not ax.get_visible():
            continue
        for line in ax.get_lines():
            if not line.get_visible() or line.get_alpha() == 0:
                continue
            clip = _clip_box(line, ax)
            tpath = line.get_transform().transform_path(line.get_path())
            pts = _points(tpath.vertices)
            if str(line.get_linestyle()) not in ("None", "none", "", " ") and line.get_linewidth() > 0:
                polylines = [p for p in _clipped([pts], clip) if len(p) > 1]
                if polylines:
                    out.append(Shape("line", _name(line, "line"), ai, float(line.get_zorder()), tuple(polylines)))
            marker = line.get_marker()
            if marker not in (None, "None", "none", "", " ") and line.get_markersize() > 0:
                half = (line.get_markersize() + line.get_markeredgewidth()) * dpi / 72 / 2
                points = [line[0] for line in _clipped([[p] for p in pts], clip)]
                boxes = tuple((x - half, y - half, x + half, y + half) for x, y in points)
                if boxes:
                    out.append(Shape("markers", _name(line, "markers"), ai, float(line.get_zorder()), boxes=boxes))
        for coll in ax.collections:
            if not coll.get_visible():
                continue
            clip = _clip_box(coll, ax)
            if isinstance(coll, LineCollection):
                t = coll.get_transform()
                polylines = [p for seg in coll.get_segments() for p in _clipped([_points(t.transform(seg))], clip)]
                polylines = [p for p in polylines if len(p) > 1]
                if polylines:
                    out.append(Shape("line", _name(coll, "line"), ai, float(coll.get_zorder()), tuple(polylines)))
            elif isinstance(coll, PathCollection):
                offsets = coll.get_offset_transform().transform(coll.get_offsets())
                sizes = list(coll.get_sizes()) or [36.0]
                found: list[Box] = []
                for k, (x, y) in enumerate(_points(offsets)):
                    if not (math.isfinite(x) and math.isfinite(y)):
                        continue
                    if clip is not None and not (clip[0] <= x <= clip[2] and clip[1] <= y <= clip[3]):
                        continue
                    half = math.sqrt(sizes[k % len(sizes)]) * dpi / 72 / 2
                    found.append((x - half, y - half, x + half, y + half))
                if found:
                    out.append(Shape("markers", _name(coll, "markers"), ai, float(coll.get_zorder()), boxes=tuple(found)))
        for patch in ax.patches:
            if not isinstance(patch, Patch) or not patch.get_visible():
                continue
            if not (_opaque(patch.get_facecolor()) or (_opaque(patch.get_edgecolor()) and patch.get_linewidth() > 0)):
                continue
            tpath = patch.get_transform().transform_path(patch.get_path())
            rings = [_points(ring) for ring in tpath.to_polygons(closed_only=False)]
            clip = _clip_box(patch, ax)
            closed = [[*r, r[0]] if r and r[0] != r[-1] else r for r in rings]
            polylines = [p for p in _clipped(closed, clip) if len(p) > 1]
            if polylines:
                out.append(Shape("patch", _name(patch, "patch"), ai, float(patch.get_zorder()), tuple(polylines)))
    renderer = fig.canvas.get_renderer()
    for i, lg in enumerate(_legends(fig)):
        bb = lg.get_window_extent(renderer)
        out.append(
            Shape(
                "legend", "legend", _axes_index(fig, lg), float(lg.get_zorder()), boxes=((bb.x0, bb.y0, bb.x1, bb.y1),), legend=i
            )
        )
    return out


# -- the checks -------------------------------------------------------------------------------
def overlaps(items: list[Label], min_area: float = MIN_AREA_PX) -> list[tuple[Label, Label, float]]:
    """Pairs of labels whose boxes share more than ``min_area`` square pixels."""
    found = []
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            if a.legend != b.legend and (a.legend is not None or b.legend is not None):
                continue  # a text under another legend: reported by covered(), once
            area = sum(_box_area(r, q) for r in a.rects for q in b.rects)
            if area > min_area:
                if (a.corners or b.corners) and _separated(_poly(a), _poly(b)):
                    continue  # rotated texts whose boxes meet but whose letters do not
                found.append((a, b, area))
    return found


def _shielded(label: Label, shape: Shape) -> bool:
    """The text sits on an opaque background drawn above ``shape`` (its own box, its legend)."""
    if label.shield is None:
        return False
    if label.axes == shape.axes:
        return label.shield > shape.zorder
    return label.axes > shape.axes or label.axes == -1  # a later axes, or a figure text, is drawn on top


def covered(items: list[Label], drawn: list[Shape], min_area: float = MIN_AREA_PX) -> list[tuple[Label, Shape, float]]:
    """Texts crossed by a line or a patch's edge, over or under a marker, or under a legend not
    their own; the float is the area shared (markers, legends) or 0 for a crossing."""
    found = []
    for label in items:
        for s in drawn:
            if s.kind == "legend":
                if label.legend == s.legend:
                    continue
                area = _area(label, s.boxes)
                if area > min_area:
                    found.append((label, s, area))
            elif s.kind == "markers":
                area = _area(label, s.boxes)
                if area > min_area and not (label.corners and all(_separated(_poly(label), _poly_box(b)) for b in s.boxes)):
                    found.append((label, s, area))
            elif not _shielded(label, s) and any(_crosses(label, p) for p in s.paths):
                found.append((label, s, 0.0))
    return found


def overlapping_labels(fig) -> list[tuple[Label, Label, float]]:
    """Pairs of texts of a live figure that cover each other."""
    fig.canvas.draw()
    return overlaps(labels(fig))


def problems(fig) -> list[tuple[Label, Label | Shape, float]]:
    """Everything :func:`find_overlaps` would report for a live figure."""
    fig.canvas.draw()
    items = labels(fig)
    return [*overlaps(items), *covered(items, shapes(fig))]


# -- the record next to each PNG --------------------------------------------------------------
def record(fig, png: Path, savefig_dpi: float | None = None) -> Path:
    """Write the texts and shapes of a saved figure next to its PNG (``<name>.labels.json``),
    with the PNG's hash, size and dpi.

    The figure is drawn again at its own dpi first: after ``savefig`` the axis labels still sit
    where the save (at ``savefig.dpi``) put them, in the save's pixels."""
    from matplotlib import rcParams

    fig.canvas.draw()
    items = labels(fig)
    drawn = shapes(fig)
    data = png.read_bytes()
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")  # PNG IHDR
    dpi = savefig_dpi if savefig_dpi is not None else rcParams["savefig.dpi"]
    doc = {
        "dpi": fig.dpi,
        "savefig_dpi": float(fig.dpi if dpi == "figure" else dpi),
        "png": {"sha256": hashlib.sha256(data).hexdigest(), "width": width, "height": height},
        "labels": [vars(x) for x in items],
        "shapes": [vars(s) for s in drawn],
    }
    out = png.with_suffix(".labels.json")
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(out)
    return out


def _tuples(x: Any) -> Any:
    return tuple(_tuples(v) for v in x) if isinstance(x, list) else x


def read_figure(path: Path) -> Figure:
    data = json.loads(path.read_text(encoding="utf-8"))
    items = tuple(
        Label(
            x["text"],
            x["kind"],
            tuple(x["box"]),
            x["fontsize"],
            _tuples(x.get("corners", [])),
            x.get("axes", -1),
            x.get("shield"),
            x.get("legend"),
            _tuples(x.get("lines", [])),
        )
        for x in data["labels"]
    )
    drawn = tuple(
        Shape(
            s["kind"],
            s["name"],
            s["axes"],
            s["zorder"],
            _tuples(s.get("paths", [])),
            _tuples(s.get("boxes", [])),
            s.get("legend"),
        )
        for s in data.get("shapes", [])
    )
    png = data.get("png", {})
    return Figure(
        f"{path.parent.name}/{path.name.removesuffix('.labels.json')}",
        items,
        drawn,
        float(data["dpi"]),
        float(data.get("savefig_dpi", data["dpi"])),
        png.get("sha256", ""),
        (png.get("width", 0), png.get("height", 0)),
    )


def read(path: Path) -> list[Label]:
    return list(read_figure(path).labels)


def recorded_figures(figures: Path | None = None) -> list[Figure]:
    """Every figure recorded under ``figures`` (default: build/figures)."""
    root = figures or paths.figures_dir()
    return [read_figure(p) for p in sorted(root.glob("*/*.labels.json"))]


def find_overlaps(figures: Path | None = None) -> dict[str, list[tuple[Label, Label | Shape, float]]]:
    """``{"<notebook>/<figure>": [(text, text or shape, area), ...]}`` for every recorded figure."""
    result: dict[str, list[tuple[Label, Label | Shape, float]]] = {}
    for f in recorded_figures(figures):
        items = list(f.labels)
        result[f.name] = [*overlaps(items), *covered(items, list(f.shapes))]
    return result


def _short(text: str) -> str:
    return " ".join(text.split())[:40]


def describe(a: Label, b: Label | Shape, area: float) -> str:
    """One overlap in words."""
    first = f"{a.kind} {_short(a.text)!r}"
    if isinstance(b, Label):
        return f"{first} overlaps {b.kind} {_short(b.text)!r} ({area:.0f} px²)"
    if b.kind == "legend":
        return f"{first} is under a legend ({area:.0f} px²)"
    if b.kind == "markers":
        return f"{first} covers {b.name!r} markers ({area:.0f} px²)"
    if b.kind == "patch":
        return f"{first} is crossed by the edge of a {b.name!r} patch"
    return f"{first} is struck through by a {b.name!r}" + ("" if b.name.endswith("line") else " line")


def report(found: dict[str, list]) -> str:
    """One line per overlap and figure; the same text struck by several lines alike is one line (×n)."""
    lines = []
    for fig, items in found.items():
        counts: dict[str, int] = {}
        for item in items:
            d = describe(*item)
            counts[d] = counts.get(d, 0) + 1
        lines += [f"{fig}: {d}" + (f" (×{n})" if n > 1 else "") for d, n in counts.items()]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    found = find_overlaps()
    if not found:
        print("no recorded figures in build/figures: run `make run`", file=sys.stderr)
        return 1
    bad = {k: v for k, v in found.items() if v}
    print(report(bad) or "no overlaps")
    n = sum(len(v) for v in bad.values())
    print(f"{len(bad)} of {len(found)} figures have overlaps ({n} in all)", file=sys.stderr)
    return 1 if bad and "--strict" in argv else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Label-overlap check for the charts: where two pieces of text on a figure cover each other.

``plotting.save`` records the bounding box of every drawn text of a figure (titles, axis and
tick labels, legend entries, annotations, footnotes) next to its PNG, as
``build/figures/<notebook>/<name>.labels.json``; :func:`find_overlaps` reads them back and
lists every pair of texts whose boxes intersect. Run after ``make run``::

    python -m kimi_research.presentation.overlaps            # every figure in build/figures
    python -m kimi_research.presentation.overlaps --strict   # exit 1 when any overlaps

:func:`overlapping_labels` does the same on a live matplotlib figure (for tests of chart code).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from matplotlib.text import Text

from kimi_research import paths

MIN_AREA_PX = 4.0  # boxes sharing less than this (at figure.dpi) are touching, not overlapping


@dataclass(frozen=True)
class Label:
    text: str
    kind: str
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in display pixels (axis-aligned)
    fontsize: float
    corners: tuple[tuple[float, float], ...] = ()  # the text's own (rotated) rectangle, when rotated


def _corners(t, bb) -> tuple[tuple[float, float], ...]:
    """The rotated rectangle of a rotated text: its size unrotated, centred on its box."""
    import math

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


def _separated(p: tuple, q: tuple) -> bool:
    """Separating-axis test for two convex polygons (lists of corners)."""
    for poly in (p, q):
        for i in range(len(poly)):
            (x1, y1), (x2, y2) = poly[i], poly[(i + 1) % len(poly)]
            nx, ny = y2 - y1, x1 - x2
            a = [nx * x + ny * y for x, y in p]
            b = [nx * x + ny * y for x, y in q]
            if max(a) <= min(b) or max(b) <= min(a):
                return True
    return False


def _poly(label: Label) -> tuple:
    if label.corners:
        return label.corners
    x0, y0, x1, y1 = label.box
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


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
        out.append(Label(t.get_text(), kind, (bb.x0, bb.y0, bb.x1, bb.y1), float(t.get_fontsize()), _corners(t, bb)))
    return out


def overlaps(items: list[Label], min_area: float = MIN_AREA_PX) -> list[tuple[Label, Label, float]]:
    """Pairs of labels whose boxes share more than ``min_area`` square pixels."""
    found = []
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            w = min(a.box[2], b.box[2]) - max(a.box[0], b.box[0])
            h = min(a.box[3], b.box[3]) - max(a.box[1], b.box[1])
            if w > 0 and h > 0 and w * h > min_area:
                if (a.corners or b.corners) and _separated(_poly(a), _poly(b)):
                    continue  # rotated texts whose boxes meet but whose letters do not
                found.append((a, b, w * h))
    return found


def overlapping_labels(fig) -> list[tuple[Label, Label, float]]:
    fig.canvas.draw()
    return overlaps(labels(fig))


def record(fig, png: Path) -> Path:
    """Write the labels of a saved figure next to its PNG (``<name>.labels.json``).

    The figure is drawn again at its own dpi first: after ``savefig`` the axis labels still sit
    where the save (at ``savefig.dpi``) put them, in the save's pixels."""
    fig.canvas.draw()
    items = labels(fig)
    out = png.with_suffix(".labels.json")
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(json.dumps({"dpi": fig.dpi, "labels": [vars(x) for x in items]}, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(out)
    return out


def read(path: Path) -> list[Label]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        Label(x["text"], x["kind"], tuple(x["box"]), x["fontsize"], tuple(map(tuple, x.get("corners", ()))))
        for x in data["labels"]
    ]


def find_overlaps(figures: Path | None = None) -> dict[str, list[tuple[Label, Label, float]]]:
    """``{"<notebook>/<figure>": [(label, label, area), ...]}`` for every recorded figure."""
    root = figures or paths.figures_dir()
    result = {}
    for p in sorted(root.glob("*/*.labels.json")):
        result[f"{p.parent.name}/{p.name.removesuffix('.labels.json')}"] = overlaps(read(p))
    return result


def report(found: dict[str, list]) -> str:
    lines = []
    for fig, pairs in found.items():
        for a, b, area in pairs:
            lines.append(f"{fig}: {a.kind} {a.text[:40]!r} overlaps {b.kind} {b.text[:40]!r} ({area:.0f} px²)")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    found = find_overlaps()
    if not found:
        print("no recorded figures in build/figures: run `make run`", file=sys.stderr)
        return 1
    bad = {k: v for k, v in found.items() if v}
    print(report(bad) or "no overlapping labels")
    print(f"{len(bad)} of {len(found)} figures have overlapping labels", file=sys.stderr)
    return 1 if bad and "--strict" in argv else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Plotting theme and helpers shared by every notebook: readable at slide size (1280x720),
a source footnote under each chart, event annotations on time axes, consistent colours.

Chinese names are romanised by default (``lang="en"``); ``theme(lang="zh")`` switches to
Chinese names when a CJK font (Debian's fonts-wqy-microhei) is installed, and falls back to
romanised names with a warning when it is not.
"""

from __future__ import annotations

import warnings
from typing import cast

import matplotlib

matplotlib.use("Agg") if matplotlib.get_backend().lower() == "agg" else None
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker as mticker  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from kimi_research import paths  # noqa: E402
from kimi_research.data.labels import Citation, Name  # noqa: E402
from kimi_research.data.units import format_en  # noqa: E402
from kimi_research.io import atomic_write  # noqa: E402
from kimi_research.presentation import overlaps  # noqa: E402

CJK_FONTS = ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC"]
VENDOR_COLORS = {
    "questmobile": "#1f77b4",
    "aicpb": "#ff7f0e",
    "appgrowing": "#2ca02c",
    "qimai": "#9467bd",
    "aifenxi": "#8c564b",
    "hays": "#7f7f7f",
    "": "#555555",
}
ENTITY_COLORS = {
    "kimi": "#6a3d9a",
    "doubao": "#1f78b4",
    "deepseek": "#33a02c",
    "yuanbao": "#ff7f00",
    "qwen": "#e31a1c",
    "ant_afu": "#b15928",
    "chatgpt": "#555555",
}
_STATE = {"lang": "en"}


def cjk_font() -> str | None:
    """Name of an installed CJK font, or None."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((f for f in CJK_FONTS if f in names), None)


def theme(lang: str = "en") -> str:
    """Apply the project theme; returns the language actually used ('en' or 'zh')."""
    if lang not in ("en", "zh"):
        raise ValueError(f"lang must be 'en' or 'zh', got {lang!r}")
    family = ["DejaVu Sans"]
    if lang == "zh":
        font = cjk_font()
        if font is None:
            warnings.warn("no CJK font installed (apt-get install fonts-wqy-microhei); using romanised names", stacklevel=2)
            lang = "en"
        else:
            family.append(font)
    sns.set_theme(
        context="notebook",
        style="whitegrid",
        rc={
            "font.family": family,
            "figure.figsize": (10, 5.2),
            "figure.dpi": 110,
            "savefig.dpi": 130,
            "axes.titlesize": 15,
            "axes.titleweight": "bold",
            "axes.labelsize": 12.5,
            "xtick.labelsize": 11,
            "ytick.labelsize": 11,
            "legend.fontsize": 10.5,
            "legend.title_fontsize": 11,
            "axes.titlelocation": "left",
            "figure.constrained_layout.use": True,
        },
    )
    _STATE["lang"] = lang
    return lang


def current_lang() -> str:
    return _STATE["lang"]


def name(n: Name) -> str:
    """An entity's :class:`~kimi_research.data.labels.Name` in the charts' current language."""
    return n.in_lang(_STATE["lang"])


def value_label(row) -> str:
    """An observation's value for a chart: romanised ('CNY 220m', '≥36m') unless lang is 'zh'."""
    if _STATE["lang"] == "zh":
        return str(row["value_text"])

    high = row.get("base_value_high")
    text = format_en(row["base_value"], row["dimension"], row["qualifier"], None if pd.isna(high) else high)
    metric, months = str(row.get("metric", "")), row.get("period_months")
    if metric.endswith(("_monthly", "_month")):
        text += "/mo"
    elif row.get("metric_kind") == "flow" and months in (1, 3, 12) and pd.isna(row.get("duration_days")):
        text += {1: "/mo", 3: "/qtr", 12: "/yr"}[months]
    return text


def footnote(fig, text: str, caption: str | None = None) -> None:
    """Put 'Source: ...' (and an optional caption line) under the figure."""
    body = text if text.lower().startswith("source") else f"Source: {text}"
    if caption:
        body = f"{caption}\n{body}"
    fig.get_layout_engine() and fig.get_layout_engine().set(h_pad=0.15)
    fig.supxlabel(body, x=0.01, ha="left", fontsize=9, color="#444444", wrap=True)


def source_line(c: Citation) -> str:
    """'Source: <firm(s)>, as quoted by <source(s)>' for a section's :class:`~kimi_research.data.labels.Citation`."""
    return f"Source: {c.firms}, as quoted by {c.sources(_STATE['lang'])}"


LEVEL_STEP = 0.075  # axis fraction between two rows of event labels


class Drawn(list):
    """Event ids drawn by :func:`annotate_events`; ``rows`` = rows of labels used."""

    rows: int = 0


def label_room(levels: int) -> float:
    """Axis fraction taken by ``levels`` rows of event labels."""
    return 0.03 + LEVEL_STEP * levels if levels else 0.05


def annotate_events(
    ax,
    events: pd.DataFrame,
    start=None,
    end=None,
    max_labels: int | None = None,
    fontsize: float = 8.5,
    top: bool = True,
    max_levels: int = 6,
) -> Drawn:
    """Dotted lines at event dates with labels packed into rows so that no two overlap.

    Widths are measured on the drawn figure, so call it after the legend and footnote are in
    place. Labels sit in rows at the top of the axis (``top=False``: at the bottom); leave
    room for them with :func:`headroom` and :func:`label_room`. ``start``/``end`` default to
    the axis range; ``max_labels`` keeps the first events by date. Rows of ``events`` may carry
    an ``event_ids`` list (several events merged into one label). Returns the ids drawn.
    """
    lo_x, hi_x = (pd.Timestamp(mdates.num2date(x).replace(tzinfo=None)) for x in ax.get_xlim())
    lo = pd.Timestamp(start) if start is not None else lo_x
    hi = pd.Timestamp(end) if end is not None else hi_x
    ev = events[(events["date"] >= lo) & (events["date"] <= hi)].sort_values("date")
    if max_labels is not None:
        ev = ev.head(max_labels)
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    right_edge = ax.get_window_extent(renderer).x1
    to_px = ax.get_xaxis_transform()
    ends = [-float("inf")] * max_levels
    drawn = Drawn()
    for _, e in ev.iterrows():
        ax.axvline(e["date"], color="#999999", lw=1.0, ls=(0, (2, 2)), zorder=1)
        x = to_px.transform((mdates.date2num(e["date"]), 0))[0]
        t = ax.annotate(
            e["label"],
            (e["date"], 0.5),
            xycoords=("data", "axes fraction"),
            xytext=(3, 0),
            textcoords="offset points",
            fontsize=fontsize,
            color="#444444",
            ha="left",
            va="top" if top else "bottom",
            annotation_clip=False,
            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85),
        )
        w = t.get_window_extent(renderer).width * 1.06 + 4  # bbox padding and a re-layout at save time
        left, right = x + 3, x + 3 + w
        if right > right_edge:  # would run off the axis: put the label left of its line
            t.set_horizontalalignment("right")
            t.xyann = (-3, 0)
            left, right = x - 3 - w, x - 3
        free = [i for i, end_px in enumerate(ends) if end_px < left - 8]
        level = free[0] if free else min(range(max_levels), key=lambda i: ends[i])
        ends[level] = right
        drawn.rows = max(drawn.rows, level + 1)
        t.xy = (e["date"], 0.985 - LEVEL_STEP * level if top else 0.015 + LEVEL_STEP * level)
        ids = e["event_ids"] if "event_ids" in e.index and isinstance(e["event_ids"], list) else [e.name]
        drawn += list(ids)
    return drawn


def time_axis(ax) -> None:
    """Concise date ticks on the x axis."""
    loc = mdates.AutoDateLocator(minticks=5, maxticks=10)
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))


def millions_axis(ax, log: bool = False, axis: str = "y", suffix: str = "") -> None:
    """Counts or CNY on an axis in millions ('300', or '300m' with suffix='m'); no CJK glyphs."""

    a = ax.yaxis if axis == "y" else ax.xaxis
    if log:
        (ax.set_yscale if axis == "y" else ax.set_xscale)("log")
        a.set_major_locator(mticker.LogLocator(base=10, subs=(1, 2, 3, 5, 7)))
        a.set_minor_locator(mticker.NullLocator())
    if suffix:
        a.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v / 1e6:,.0f}{suffix}"))
    else:
        a.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v / 1e6:g}"))


def headroom(ax, values, log: bool = False, room: float = 0.3) -> None:
    """y limits leaving the top ``room`` (axis fraction) free for event labels."""

    v = np.asarray([x for x in values if x is not None and np.isfinite(x) and x > 0], dtype=float)
    hi = v.max() * 1.12
    if log:
        lo = v.min() / 1.5
        ax.set_ylim(lo, lo * (hi / lo) ** (1 / (1 - room)))
    else:
        ax.set_ylim(0, hi / (1 - room))


def fmt_wan(ax, axis: str = "y") -> None:
    """Tick labels for user counts and CNY amounts: 万/亿 with lang 'zh', else k/m/bn."""
    if _STATE["lang"] == "zh":
        f = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v / 1e4:,.0f}万" if abs(v) < 1e8 else f"{v / 1e8:,.1f}亿")
    else:
        f = matplotlib.ticker.FuncFormatter(lambda v, _: format_en(v, "count") if v else "0")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(f)


def save(fig, notebook: str, name: str, show: bool = True) -> None:
    """Save a figure as <run folder>/figures/<notebook>/<name>.png and, in a notebook, show that PNG.

    The run folder is ``paths.run_dir(notebook)``: a default ``make run`` promotes it to
    build/figures/<notebook>/; any other run keeps it in its own folder under build/runs/.

    The figure is rendered once: the saved file is what the notebook, the HTML report, the deck
    and the summary deck show (matplotlib's inline backend would render it a second time, so
    the figure is closed: a notebook needs no ``plt.show()`` after it). Beside the PNG,
    ``<name>.labels.json`` records every text with its box and font size, the lines, markers,
    patches and legends that could cover one, and the PNG's hash and dpi
    (:func:`kimi_research.presentation.overlaps.record`): the overlap check and the browser
    test's rendered chart-text size read it.

    Returns nothing, so that a chart cell ending with ``plotting.save(...)`` displays only the
    chart (a returned path would be printed under it in the notebook, report and deck)."""
    dpi = plt.rcParams["savefig.dpi"]
    dpi = fig.dpi if dpi == "figure" else float(dpi)
    out = atomic_write(
        paths.ensure_dir(paths.run_dir(notebook) / "figures" / notebook) / f"{name}.png",
        lambda f: fig.savefig(f, format="png", bbox_inches="tight", dpi=dpi),
        binary=True,
    )

    overlaps.record(fig, out, savefig_dpi=dpi)  # texts, shapes and the PNG's hash for the checks
    if show:
        from IPython import get_ipython

        if get_ipython() is not None:
            from IPython.display import Image, display

            data = out.read_bytes()
            width_px = int.from_bytes(data[16:20], "big")  # PNG header: IHDR width
            # show at the size the inline backend would use (figure.dpi), not the file's savefig.dpi
            display(Image(data=data, width=round(width_px * fig.dpi / dpi)))
            plt.close(fig)


def close_all() -> None:
    plt.close("all")


def month_mid(idx: pd.Index) -> pd.DatetimeIndex:
    """Middle of each month (for plotting monthly values on a date axis): ``idx`` is a monthly PeriodIndex."""
    idx = cast(pd.PeriodIndex, idx)
    start = idx.to_timestamp(how="start")
    end = idx.to_timestamp(how="end")
    return pd.DatetimeIndex(start + (end - start) / 2).normalize()

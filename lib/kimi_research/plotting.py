"""Plotting theme and helpers shared by every notebook: readable at slide size (1280x720),
a source footnote under each chart, event annotations on time axes, consistent colours.

Chinese names are romanised by default (``lang="en"``); ``theme(lang="zh")`` switches to
Chinese names when a CJK font (Debian's fonts-wqy-microhei) is installed, and falls back to
romanised names with a warning when it is not.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg") if matplotlib.get_backend().lower() == "agg" else None
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from kimi_research import paths  # noqa: E402

CJK_FONTS = ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC"]
VENDOR_COLORS = {
    "questmobile": "#1f77b4", "aicpb": "#ff7f0e", "appgrowing": "#2ca02c", "qimai": "#9467bd",
    "aifenxi": "#8c564b", "hays": "#7f7f7f", "": "#555555",
}
ENTITY_COLORS = {
    "kimi": "#6a3d9a", "doubao": "#1f78b4", "deepseek": "#33a02c", "yuanbao": "#ff7f00",
    "qwen": "#e31a1c", "ant_afu": "#b15928", "chatgpt": "#555555",
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
            warnings.warn("no CJK font installed (apt-get install fonts-wqy-microhei); "
                          "using romanised names", stacklevel=2)
            lang = "en"
        else:
            family.append(font)
    sns.set_theme(context="notebook", style="whitegrid", rc={
        "font.family": family, "figure.figsize": (10, 5.2), "figure.dpi": 110, "savefig.dpi": 130,
        "axes.titlesize": 15, "axes.titleweight": "bold", "axes.labelsize": 12.5,
        "xtick.labelsize": 11, "ytick.labelsize": 11, "legend.fontsize": 10.5,
        "legend.title_fontsize": 11, "axes.titlelocation": "left", "figure.constrained_layout.use": True,
    })
    _STATE["lang"] = lang
    return lang


def current_lang() -> str:
    return _STATE["lang"]


def label(ds, entity_id: str) -> str:
    """Entity name for charts in the current language."""
    return ds.name(entity_id, _STATE["lang"])


def value_label(row) -> str:
    """An observation's value for a chart: romanised ('CNY 220m', '≥36m') unless lang is 'zh'."""
    if _STATE["lang"] == "zh":
        return str(row["value_text"])
    from kimi_research.units import format_en

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


def source_text(ds, obs: pd.DataFrame) -> str:
    """'Source: <vendor(s)> via <article(s)>' for the rows a chart shows."""
    vendors = ds.vendor_label(obs["vendor"])
    return f"Source: {vendors}, as quoted by {ds.source_label(obs['source_id'], _STATE['lang'])}"


def annotate_events(ax, events: pd.DataFrame, start=None, end=None, max_labels: int = 8,
                    fontsize: float = 9) -> list[str]:
    """Dotted vertical lines with staggered labels for events inside the axis' time range.

    Returns the event ids drawn (so the notebook can say which)."""
    lo, hi = (mdates.num2date(x).replace(tzinfo=None) for x in ax.get_xlim())
    lo = pd.Timestamp(start) if start is not None else pd.Timestamp(lo)
    hi = pd.Timestamp(end) if end is not None else pd.Timestamp(hi)
    ev = events[(events["date"] >= lo) & (events["date"] <= hi)].sort_values("date").head(max_labels)
    ymin, ymax = ax.get_ylim()
    log = ax.get_yscale() == "log"
    for i, (_, e) in enumerate(ev.iterrows()):
        ax.axvline(e["date"], color="#888888", lw=0.9, ls=":", zorder=0)
        frac = 0.97 - 0.085 * (i % 4)
        y = (ymin * (ymax / ymin) ** frac) if log else ymin + (ymax - ymin) * frac
        ax.annotate(e["label"], (e["date"], y), xytext=(3, 0), textcoords="offset points",
                    fontsize=fontsize, color="#444444", ha="left", va="top",
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8))
    return list(ev.index)


def fmt_wan(ax, axis: str = "y") -> None:
    """Tick labels for user counts and CNY amounts: 万/亿 with lang 'zh', else k/m/bn."""
    if _STATE["lang"] == "zh":
        f = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v / 1e4:,.0f}万" if abs(v) < 1e8 else f"{v / 1e8:,.1f}亿")
    else:
        from kimi_research.units import _short

        f = matplotlib.ticker.FuncFormatter(lambda v, _: _short(v) if v else "0")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(f)


def save(fig, notebook: str, name: str) -> Path:
    """Save a figure as build/figures/<notebook>/<name>.png (used by reports and the summary deck)."""
    out = paths.figures_dir() / notebook / f"{name}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp.png")
    fig.savefig(tmp, bbox_inches="tight")
    tmp.replace(out)
    return out


def close_all() -> None:
    plt.close("all")

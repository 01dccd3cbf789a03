"""The summary deck for an investment committee, assembled from the notebooks' results and figures.

Every number on it is read from ``build/results/<notebook>.json`` (computed by the notebooks); the
charts are the notebooks' own figures from ``build/figures``. The deck, in order:

1. a title slide: what it is about, its scope (sources, period, evidence setting), the author line and
   the date of the results it was built from (the newest results file's modification time, so two
   builds from the same results give the same bytes);
2. the answer on one slide: what happened, how sure (notebook 05's grade counts), what it means;
3. one slide per conclusion of notebook 05 that holds (graded "every" or "unless"), in the order of
   the story (:data:`STORY`; a conclusion the story does not know yet is appended), each with its key
   number large, its grade in words and the firms and articles it rests on in readable type;
4. runway and valuation in context (ranges, never a month-precise date);
5. how sure: the audit's conflicts and recomputed claims, every grade, what is not supported;
6. what would change it: the conclusions that hold only under a condition, the ones that depend on
   how a contested input is read, and the readings of those inputs.

Figures are numbered in the order they appear; each chart is shown without its notebook's own footer
(the notebook's figure number and a source line with ids): the slide says both in readable type.
Every slide has speaker notes (a reveal.js ``notes`` cell after the slide's cell) carrying its caveats.
No slide shows an internal id, a parameter name or a missing value: inputs are named by the words
notebook 05's results carry (its questions and condition words).

:func:`slide_findings` says which conclusions each slide states and how strongly
(``tests/project/test_findings.py`` checks them against ``build/results/05_conclusions.json``).
"""

from __future__ import annotations

import base64
import html
import math
import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from kimi_research import paths, registry
from kimi_research.data.units import format_en
from kimi_research.data.vocabulary import ordinal
from kimi_research.orchestration import export

NOTEBOOKS = list(registry.NAMES)
NAME = "kimi_in_ten_slides"  # the file name is a contract (design §4b); the deck has as many slides as findings
TITLE = "Kimi: what happened, how sure, what it means"
AUTHOR = "kimi-research"
CONCLUSIONS = "05_conclusions"
HOLDS = ("every", "unless")

#: The story: each known conclusion, its chapter and the chart that shows it (notebook, figure) or None.
#: Conclusions notebook 05 does not (yet) have are skipped; ones missing here are appended in 05's order.
STORY: list[tuple[str, str, tuple[str, str] | None]] = [
    ("dau_rise_tenfold", "The rise", ("01_user_decline", "growth_phase")),
    ("spend_during_rise", "The spending", ("02_ad_spend_bubble", "spend_timeline")),
    ("outspent_bigtech", "The spending", ("04_competitor_comparison", "ad_spend")),
    ("spend_per_new_user_highest", "The spending", None),
    ("users_bought_at_peak", "What the money bought", None),
    ("kept_user_over_1000", "What the money bought", None),
    ("bought_half_life_under_6", "What the money bought", None),
    ("qm_mau_halved", "The fall", ("01_user_decline", "decay_fit")),
    ("peak_mau_halved", "The fall", None),
    ("like_for_like_fall", "The fall", None),
    ("decline_over_5pct", "The fall", None),
    ("decline_half_life_under_year", "The fall", None),
    ("fall_accelerated_after_r1", "The fall", None),
    ("vendors_disagree_q1_2025", "The fall", None),
    ("rank_fell", "The rivals", ("04_competitor_comparison", "kimi_rank_history")),
    ("doubao_30x", "The rivals", ("04_competitor_comparison", "ranking")),
    ("ad_share_above_alarm", "The economics", None),
    ("under_half_growth", "The economics", ("03_sustainability_formula", "heatmap")),
    ("runway_under_2y", "The money", None),  # 03's runway chart shows the ledger's month-precise cash-out dates
    ("runway_range", "The money", None),
    ("valuation_under_5pct_openai", "The money", None),
]
CHAPTER = {cid: chapter for cid, chapter, _ in STORY}
CHART = {cid: chart for cid, _, chart in STORY if chart}
MONEY = {"runway_under_2y", "runway_range", "valuation_under_5pct_openai"}

#: How the evidence setting of the results reads on the title slide.
EVIDENCE_WORDS = {
    "articles": "the five articles only (the public-report supplement is left out)",
    "all": "the five articles and the public-report supplement",
}
GRADE_KIND_WORDS = {
    "every": "holds in every reading",
    "unless": "holds only under a condition",
    "not_supported": "is not supported",
    "not_evaluable": "cannot be evaluated",
}
#: Units of the contested inputs' readings, to write a reading in English (others keep the article's words).
READING_UNIT = {
    "cpa": "CNY",
    "peak_mau": "count",
    "peak_spend": "CNY",
    "alibaba_investment": "USD",
    "valuation": "USD",
    "doubao_spend": "CNY",
}
WIDTH = 1240  # the slide's usable width in px (1280 less reveal's padding)
GAP = 28


# -- reading the results -------------------------------------------------------------------------
def conclusions(r: dict[str, dict]) -> list[dict]:
    return list(r[CONCLUSIONS]["conclusions"])


def by_id(r: dict[str, dict]) -> dict[str, dict]:
    return {c["id"]: c for c in conclusions(r)}


def grade_kind(r: dict[str, dict], cid: str) -> str:
    """The grade of a conclusion in notebook 05's results ('every', 'unless', 'not_supported', ...)."""
    return by_id(r)[cid]["grade_kind"]


def grade_words(r: dict[str, dict], cid: str) -> str:
    """A conclusion's grade in notebook 05's results, in words (with its condition). A share of scenarios is never
    quoted: a grid's count is not a probability."""
    return by_id(r)[cid]["grade_words"]


def holds(r: dict[str, dict], cid: str) -> bool:
    c = by_id(r).get(cid)
    return c is not None and c["grade_kind"] in HOLDS


def graded_sentence(conc: dict) -> str:
    """The count of notebook 05's grades (no share, no probability)."""
    c = conc["grade_counts"]
    none = sum(1 for x in conc["conclusions"] if x["grade_kind"] == "every" and not x["inputs_read"])
    text = (
        f"Each graded over the readings of the contested inputs it reads ({conc['n_scenarios']:,} scenarios in all), "
        f"{c['every']} of {len(conc['conclusions'])} conclusions hold in every reading"
        + (f" ({none} read no contested input)" if none else "")
        + f", {c['unless']} only under a condition, {c['not_supported']} are not supported"
    )
    if c.get("not_evaluable"):
        text += f", {c['not_evaluable']} cannot be evaluated"
    return text + " (notebook 05)."


def findings_in_order(r: dict[str, dict]) -> list[dict]:
    """The conclusions that hold, in the order of the story; unknown ones appended in notebook 05's order."""
    held = [c for c in conclusions(r) if c["grade_kind"] in HOLDS]
    pos = {cid: i for i, (cid, _, _) in enumerate(STORY)}
    return sorted(held, key=lambda c: pos.get(c["id"], len(pos)))  # sorted() is stable: 05's order for unknown ones


def build_date(names: list[str] | None = None) -> str:
    """The date (UTC) of the newest results file: the same results give the same date, and the same deck."""
    files = [paths.results_dir() / f"{n}.json" for n in (names or NOTEBOOKS)]
    stamps = [f.stat().st_mtime for f in files if f.exists()]
    if not stamps:
        return "no results"
    return datetime.fromtimestamp(max(stamps), UTC).strftime("%Y-%m-%d")


# -- formatting ----------------------------------------------------------------------------------
def esc(text: object) -> str:
    return html.escape(str(text), quote=False)


def _missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def cny(v: float) -> str:
    return f"CNY {v:,.0f}" if abs(v) < 1_000_000 else format_en(v, "CNY")


def users(v: float) -> str:
    return format_en(v, "count")


def pct(v: float, sign: bool = False) -> str:
    digits = 0 if abs(v) >= 0.1 else 1
    text = f"{v:+.{digits}%}" if sign else f"{v:.{digits}%}"
    return text.replace("-", "−")


def output_kind(output: str) -> str:
    """How an output of notebook 05's table is written: from its unit in notebook 05's words for it, else from its
    name (new outputs follow the same suffixes)."""
    from kimi_research.analysis.conclusions import OUTPUT_WORDS

    words = OUTPUT_WORDS.get(output, "")
    if output.endswith("_yuan") or "(CNY)" in words:
        return "cny"
    if "rank" in output:
        return "rank"
    if "half_life" in output or "months" in output or "(months)" in words:
        return "months"
    if "multiple" in output or "_to_kimi" in output:
        return "times"
    if "change" in output:
        return "change"
    if "share" in output or "ratio" in output or "_to_" in output:
        return "share"
    if "reported" in output or output.startswith("is_"):
        return "flag"
    return "number"


def fmt(v: float, kind: str) -> str:
    if kind == "cny":
        return cny(v)
    if kind == "rank":
        return f"#{v:.0f}"
    if kind == "months":
        return f"{v:.0f} months" if v >= 10 else f"{v:.1f} months"
    if kind == "times":
        return f"{v:.1f}×"
    if kind == "change":
        return pct(v, sign=True)
    if kind == "share":
        return pct(v)
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}"


def key_number(c: dict) -> str | None:
    """A conclusion's key number: its output, one value or the range over the readings it was graded on."""
    kind = output_kind(c.get("output") or "")
    lo, hi = c.get("output_min"), c.get("output_max")
    if kind == "flag" or lo is None or hi is None or _missing(lo) or _missing(hi):
        return None
    if math.isclose(lo, hi, rel_tol=1e-9, abs_tol=1e-12):
        return fmt(lo, kind)
    a, b = fmt(lo, kind), fmt(hi, kind)
    for unit in (" months",):
        if a.endswith(unit) and b.endswith(unit):
            return f"{a.removesuffix(unit)} to {b}"
    if kind == "cny" and a.startswith("CNY ") and b.startswith("CNY "):
        return f"{a} to {b.removeprefix('CNY ')}"
    return f"{a} to {b}"


def number_label(c: dict) -> str:
    """What the key number is, in words (notebook 05's words for its outputs)."""
    from kimi_research.analysis.conclusions import OUTPUT_WORDS

    words = OUTPUT_WORDS.get(c.get("output") or "")
    lo, hi = c.get("output_min"), c.get("output_max")
    spread = (
        lo is not None
        and hi is not None
        and not (_missing(lo) or _missing(hi) or math.isclose(lo, hi, rel_tol=1e-9, abs_tol=1e-12))
    )
    if not words:
        return "across the readings it was graded on" if spread else "as computed by notebook 05"
    words = words.split(" (")[0]
    return f"{words}, across the readings" if spread else words


def reading_words(r: dict[str, dict], name: str, key: str) -> str | None:
    """One reading of a contested input in a few words: in English where its unit is known, else the short
    label notebook 05 gives it; None when it has no short words (a reading described at length)."""
    inp = r[CONCLUSIONS]["contested_inputs"].get(name, {})
    for rd in inp.get("readings", []):
        if rd["key"] != key:
            continue
        v = rd.get("value")
        label = str(rd.get("label", ""))
        unit = READING_UNIT.get(name)
        if unit and isinstance(v, (int, float)):
            text = users(v) if unit == "count" else cny(v) if unit == "CNY" else format_en(v, unit)
            over = "over " if "lower bound" in label else ""
            return over + text + (" a month" if name == "doubao_spend" else "")
        if label and not label.startswith("'") and len(label) <= 60:
            return label.split(":")[0].strip()
        return None
    return None


def readings_words(r: dict[str, dict], name: str) -> str:
    """Every reading of a contested input in a few words ('CNY 10 / CNY 30', '50% to 90%', '4 readings')."""
    inp = r[CONCLUSIONS]["contested_inputs"].get(name, {})
    rds = inp.get("readings", [])
    if not rds:
        lo, hi = inp.get("low"), inp.get("high")
        if _missing(lo) or _missing(hi):
            return "a range"
        if 0 <= lo <= 1 and 0 <= hi <= 1:
            return f"{pct(lo)} to {pct(hi)}"
        return f"{lo:.3g} to {hi:.3g}"
    words = [reading_words(r, name, rd["key"]) for rd in rds]
    if all(words):
        return " / ".join(w for w in words if w)
    return f"{len(rds)} readings, set out in notebook 05"


def input_words(r: dict[str, dict], name: str) -> str:
    """A contested input in words: its question in notebook 05's results."""
    q = r[CONCLUSIONS]["contested_inputs"].get(name, {}).get("question", "")
    return q.split(":")[0] if q else "an input"


def source_words(ds, obs_ids) -> str:
    """The firms that measured the rows and the articles that report them, by name (no ids)."""
    o = ds.observations
    ids = [i for i in obs_ids if i in o.index]
    if not ids:
        return "the articles (rows not in this evidence setting)"
    vendors = sorted({ds.name(v) for v in o.loc[ids, "vendor"] if isinstance(v, str) and v})
    srcs = sorted({o.at[i, "source_id"] for i in ids})

    def one(s: str) -> str:
        d = ds.sources.at[s, "date_published"] if s in ds.sources.index else ""
        name = ds.sources.at[s, "producer_en"] if s in ds.sources.index else "an article"
        return f"{name} ({d})" if isinstance(d, str) and d else str(name)

    articles = "; ".join(one(s) for s in srcs)
    if vendors:
        return f"{', '.join(vendors)}, as reported by {articles}"
    return f"no measurement firm named; reported by {articles}"


def period_span(ds) -> str:
    o = ds.observations
    start, end = o["period_start"].dropna(), o["period_end"].dropna()
    if start.empty or end.empty:
        return "undated"
    return f"{start.min().strftime('%Y-%m')} to {end.max().strftime('%Y-%m')}"


# -- figures -------------------------------------------------------------------------------------
def _png_size(data: bytes) -> tuple[int, int]:
    w, h = struct.unpack(">II", data[16:24])
    return w, h


def _figure_path(notebook: str, figure: str) -> Path:
    p = paths.figures_dir() / notebook / f"{figure}.png"
    if not p.exists():
        raise SystemExit(f"{p} is missing: run `make run` before building the summary deck")
    return p


def footer_px(notebook: str, figure: str) -> int:
    """Pixels at the bottom of the figure's PNG that hold its own footer (the notebook's figure number and a
    source line with ids), found from the texts ``plotting.save`` recorded; 0 when there is none."""
    from kimi_research.presentation import overlaps

    rec = paths.figures_dir() / notebook / f"{figure}.labels.json"
    if not rec.exists():
        return 0
    f = overlaps.read_figure(rec)
    foot = [x for x in f.labels if x.axes == -1 and x.text.lstrip().startswith(("Figure", "Source"))]
    if not foot:
        return 0
    low = min(foot, key=lambda x: x.box[1])
    boxes = [x.box for x in f.labels if x is not low] + [b for s in f.shapes for b in s.boxes]
    boxes += [(min(p[0] for p in path), min(p[1] for p in path), 0, 0) for s in f.shapes for path in s.paths if path]
    above = [b[1] for b in boxes if b[1] > low.box[3] - 0.5]
    k = f.savefig_dpi / f.dpi
    pad = 0.1 * f.savefig_dpi  # savefig's bbox_inches="tight" margin
    top = (low.box[3] - low.box[1]) * k + pad
    others = (min(above) - low.box[1]) * k + pad if above else top + 4
    return max(0, int((top + others) / 2))


#: what a reader must not see in a chart: an observation or source id, a snake_case name, a missing value
ID_PATTERN = r"\b[os]\d{3}(?:_\d+)?\b|\b[a-z]+_[a-z0-9_]+\b|\bnan\b|\bNone\b"


def chart_texts(notebook: str, figure: str) -> list[str]:
    """The texts of a recorded figure the deck shows (its own footer, cut off on the slide, left out)."""
    from kimi_research.presentation import overlaps

    rec = paths.figures_dir() / notebook / f"{figure}.labels.json"
    if not rec.exists():
        return []
    return [
        x.text
        for x in overlaps.read_figure(rec).labels
        if not (x.axes == -1 and x.text.lstrip().startswith(("Figure", "Source")))
    ]


def chart_is_clean(notebook: str, figure: str) -> bool:
    """A chart goes on the summary deck only when it exists, was recorded, and none of its texts shows an id."""
    import re

    rec = paths.figures_dir() / notebook / f"{figure}.labels.json"
    png = paths.figures_dir() / notebook / f"{figure}.png"
    return png.exists() and rec.exists() and not any(re.search(ID_PATTERN, t) for t in chart_texts(notebook, figure))


def chart_width(notebook: str, figure: str, min_px: float = 9.6) -> int:
    """The displayed width at which the figure's smallest text renders at ``min_px`` slide pixels (at least 860)."""
    from kimi_research.presentation import overlaps

    rec = paths.figures_dir() / notebook / f"{figure}.labels.json"
    if not rec.exists():
        return 900
    f = overlaps.read_figure(rec)
    small = f.smallest
    if small is None or not f.png_size[0]:
        return 900
    need = min_px / (small.fontsize * f.savefig_dpi / 72) * f.png_size[0]
    return max(860, math.ceil(need))


def figure_html(notebook: str, figure: str, number: int, caption: str, source: str | None, width: int) -> str:
    """The chart at ``width`` px, its own footer cut off (object-fit keeps its scale), with a numbered caption
    (and its source, unless the slide names it beside the chart)."""
    data = _figure_path(notebook, figure).read_bytes()
    w, h = _png_size(data)
    shown_h = round((h - footer_px(notebook, figure)) * width / w)
    uri = base64.b64encode(data).decode("ascii")
    alt = f"Figure {number}: {caption}"
    return (
        f'<figure style="margin: 0; flex: 0 0 {width}px">'
        f'<img src="data:image/png;base64,{uri}" alt="{html.escape(alt)}" '
        f'style="width: {width}px; height: {shown_h}px; max-width: none; max-height: none; '
        f'object-fit: cover; object-position: top; margin: 0">'
        f'<p style="font-size: 16px; color: #444; margin: 4px 0 0 0"><b>Figure {number}.</b> {esc(caption)} '
        + (f"Source: {esc(source)}." if source else "")
        + "</p></figure>"
    )


# -- slides --------------------------------------------------------------------------------------
@dataclass
class Slide:
    title: str
    body: str  # HTML
    notes: list[str] = field(default_factory=list)  # one paragraph each
    findings: dict[str, str] = field(default_factory=dict)  # conclusion id -> how strongly the slide states it

    @property
    def markdown(self) -> str:
        return self.body

    @property
    def notes_markdown(self) -> str:
        return "\n\n".join(self.notes)


def _head(kicker: str, title: str) -> str:
    return (
        f'<p style="font-size: 17px; color: #666; margin: 0 0 4px 0; text-transform: uppercase; letter-spacing: 1px">'
        f'{esc(kicker)}</p>\n<h2 style="font-size: 30px; margin: 0 0 14px 0">{esc(title)}</h2>'
    )


def _big(number: str, label: str) -> str:
    return (
        f'<p style="font-size: 50px; font-weight: 700; line-height: 1.05; margin: 0; color: #1f4e79">{esc(number)}</p>'
        f'<p style="font-size: 18px; color: #444; margin: 2px 0 14px 0">{esc(label)}</p>'
    )


def _p(text: str, size: int = 20, extra: str = "") -> str:
    return f'<p style="font-size: {size}px; line-height: 1.3; margin: 0 0 10px 0{extra}">{text}</p>'


class Figures:
    """Numbers the charts in the order the slides show them."""

    def __init__(self) -> None:
        self.n = 0

    def next(self) -> int:
        self.n += 1
        return self.n


def _condition(c: dict) -> str:
    return f", unless {c['condition_words']}" if c["grade_kind"] == "unless" and c.get("condition_words") else ""


def _evidence(r: dict[str, dict]) -> str:
    return r[NOTEBOOKS[0]].get("parameters", {}).get("evidence", "articles")


def title_slide(r: dict[str, dict], ds) -> Slide:
    audit = r[NOTEBOOKS[0]]
    ev = _evidence(r)
    cited = ds.sources[ds.sources.index.isin(ds.observations["source_id"])]
    dates = sorted(str(d)[:7] for d in cited["date_published"].dropna() if str(d))
    published = f"published {dates[0]} to {dates[-1]}" if dates else "undated"
    accessed = sorted(str(d)[:10] for d in cited.get("date_accessed", []) if isinstance(d, str) and d)
    body = (
        f'<div class="kimi-title">\n<h1 style="font-size: 44px">{esc(TITLE)}</h1>\n'
        f"<p>How Moonshot AI's chatbot rose on long context and paid traffic, then fell behind its big-tech rivals: "
        f"a briefing for an investment committee.</p>\n"
        f"<p><b>Scope.</b> {audit['n_observations']} figures from {audit['n_sources']} sources ({published}), each "
        f"traced to a quote; the figures cover {period_span(ds)}. Evidence: {esc(EVIDENCE_WORDS.get(ev, ev))}. "
        f"Every number is computed by the project's six notebooks (data audit to conclusions).</p>\n"
        f'<p class="kimi-meta">{AUTHOR} · built from the results of {build_date()}'
        + (f" · sources read up to {accessed[-1]}" if accessed else "")
        + "</p>\n</div>"
    )
    conc = r[CONCLUSIONS]
    changed = [cid for cid, g in conc.get("grades_by_evidence", {}).items() if g.get("changed")]
    notes = [
        "The articles quote measurement firms (QuestMobile, AppGrowing and others) at second hand; where two "
        "articles disagree both figures are kept and the conclusions are graded over both readings.",
        "Every slide states a conclusion no more strongly than notebook 05 grades it. A grade is structural "
        "(holds in every reading, holds unless one input takes a given reading, not supported); no share of "
        "scenarios is quoted as a probability.",
    ]
    if ev == "articles" and changed:
        notes.append(
            f"With the public-report supplement, the grade or the reasons of {len(changed)} of "
            f"{len(conc['conclusions'])} conclusions change (notebook 05, section 5)."
        )
    return Slide("Title", body, notes)


def _clause(r: dict[str, dict], cid: str, text: str) -> tuple[str, dict[str, str]] | None:
    """A sentence stating conclusion ``cid``, at its grade; None when it does not hold (or is absent)."""
    c = by_id(r).get(cid)
    if c is None or c["grade_kind"] not in HOLDS:
        return None
    return text + _condition(c), {cid: c["grade_kind"]}


def answer_slide(r: dict[str, dict]) -> Slide:
    dec, ads, sus, comp = (r[n] for n in NOTEBOOKS[1:5])
    conc = r[CONCLUSIONS]
    g = dec["growth_phase"]
    happened = [
        _clause(
            r,
            "dau_rise_tenfold",
            f"Daily users rose ×{g['multiple']:.1f} in {g['months']:.0f} months ({g['start_period']} to {g['end_period']})",
        ),
        _clause(
            r,
            "outspent_bigtech",
            f"Kimi advertised harder than the big-tech apps: up to {cny(ads['peak_monthly_spend_yuan'])} in one month "
            f"({ads['peak_month']})",
        ),
        _clause(
            r,
            "qm_mau_halved",
            f"Monthly users then more than halved on QuestMobile's count: {users(dec['peak_value'])} ({dec['peak_period']}) to "
            f"{users(dec['latest_value'])} ({dec['latest_period']})",
        ),
        _clause(
            r,
            "rank_fell",
            f"It fell from {ordinal(comp['rank_change']['before_rank'])} to {ordinal(comp['rank_change']['now_rank'])} "
            "on QuestMobile's weekly-user list",
        ),
        _clause(r, "doubao_30x", f"Doubao now has {comp['ratio_to_kimi']['doubao']:.1f}× Kimi's weekly users"),
    ]
    means = [
        _clause(
            r,
            "kept_user_over_1000",
            "Paid traffic was expensive to keep: a user still active after 30 days cost more than CNY 1,000",
        ),
        _clause(
            r,
            "under_half_growth",
            f"By article 003's rule, its {sus['ad_share']:.0%} ad share leaves it less than half the sustainable growth "
            "of a firm at the alarm line",
        ),
        _clause(r, "runway_under_2y", "Alibaba's investment alone would pay for less than two years at the peak month's cost"),
    ]
    not_shown = [c for c in conclusions(r) if c["grade_kind"] == "not_supported" and c["id"] == "growth_bought_timing"]
    findings: dict[str, str] = {}

    def items(xs) -> str:
        out = []
        for x in xs:
            if x is None:
                continue
            out.append(f"<li>{esc(x[0])}.</li>")
            findings.update(x[1])
        return "".join(out)

    c = conc["grade_counts"]
    sure = (
        f"{c['every']} of {len(conc['conclusions'])} conclusions hold in every reading of the contested evidence, "
        f"{c['unless']} only under a condition, {c['not_supported']} are not supported."
    )
    if not_shown:
        sure += " Not shown by the articles: that the rise was bought by the peak spending (the spend peaked after it)."
        findings["growth_bought_timing"] = "not_supported"
    li = 'style="font-size: 20px"'
    body = _head("The answer", "A costly lead that did not last" if holds(r, "qm_mau_halved") else "What happened to Kimi")
    body += (
        f'\n<div style="display: flex; gap: {GAP}px">'
        f'<div style="flex: 1 1 50%"><h3 style="font-size: 22px; margin: 0 0 6px 0">What happened</h3>'
        f"<ul {li}>{items(happened)}</ul></div>"
        f'<div style="flex: 1 1 50%"><h3 style="font-size: 22px; margin: 0 0 6px 0">What it means</h3>'
        f"<ul {li}>{items(means)}</ul>"
        f'<h3 style="font-size: 22px; margin: 8px 0 6px 0">How sure</h3>{_p(esc(sure), 19)}</div></div>'
    )
    notes = [
        "What happened is stated at each conclusion's grade; a condition, where there is one, is said in the sentence.",
        "'Costly' refers to the paid traffic on the following slides (spend, cost per kept user); it does not mean "
        "the rise itself was bought by the peak spending: the articles show the spend peak months after the "
        "daily-user rise, and notebook 05 does not support that reading.",
        graded_sentence(conc),
    ]
    return Slide("The answer", body, notes, findings)


def _detail(r: dict[str, dict], cid: str) -> str | None:
    """The context sentence of a known conclusion, from the notebooks' results (None for others)."""
    dec, ads, sus, comp = (r[n] for n in NOTEBOOKS[1:5])
    g = dec["growth_phase"]
    ci = dec.get("monthly_change_ci") or [None, None]
    if cid == "dau_rise_tenfold":
        return (
            f"Daily users went from {users(g['start_value'])} ({g['start_period']}) to {users(g['end_value'])} "
            f"({g['end_period']}), about {pct(g['monthly_growth'], sign=True)} a month."
        )
    if cid == "spend_during_rise":
        return (
            f"Spend peaked at {cny(ads['peak_monthly_spend_yuan'])} in {ads['peak_month']}, "
            f"{cny(ads['peak_daily_burn_yuan'][1])} to {cny(ads['peak_daily_burn_yuan'][0]).removeprefix('CNY ')} a day; "
            "that peak came after the daily-user rise, not before it."
        )
    if cid == "outspent_bigtech":
        per = comp.get("ad_spend_per_month", {})
        rivals = ", ".join(f"{k.capitalize()} {cny(v)}" for k, v in sorted(per.items()) if k != "kimi" and not _missing(v))
        q = comp.get("ad_spend_quarter", "")
        if "kimi" in per and rivals:
            return f"Spend a month in {q}: Kimi {cny(per['kimi'])}; {rivals}."
        return None
    if cid == "kept_user_over_1000":
        p = ads["parameters"]
        return (
            f"At CNY {p['cpa_yuan']:g} a user and {p['retention_30d']:.0%} kept after 30 days, a kept user costs "
            f"{cny(ads['cost_per_retained_user_yuan'])}; the range covers every cost per user and retention the evidence allows."
        )
    if cid == "bought_half_life_under_6":
        return (
            f"Notebook 02's stock-flow model: at CNY {ads['parameters']['cpa_yuan']:g} a user, half of the bought users "
            f"were gone within {ads['bought_user_half_life_months']:.1f} months."
        )
    if cid in ("qm_mau_halved", "peak_mau_halved"):
        return (
            f"{dec['entity_name']} on {dec['vendor_label']}: {users(dec['peak_value'])} ({dec['peak_period']}) to "
            f"{users(dec['latest_value'])} ({dec['latest_period']}), {pct(dec['peak_to_latest_change'], sign=True)}."
            if cid == "qm_mau_halved"
            else f"Late-2024 peak readings: {readings_words(r, 'peak_mau')}; QuestMobile's latest: "
            f"{users(dec['latest_value'])} ({dec['latest_period']})."
        )
    if cid == "decline_over_5pct":
        interval = (
            f" (95% interval {pct(ci[0], sign=True)} to {pct(ci[1], sign=True)}, from {dec['n_fit']} points)"
            if not _missing(ci[0]) and not _missing(ci[1])
            else ""
        )
        return f"A log-linear fit gives {pct(dec['monthly_change'], sign=True)} a month{interval}."
    if cid == "decline_half_life_under_year":
        return f"At the fitted rate the monthly users halve every {dec['half_life_months']:.1f} months."
    if cid == "rank_fell":
        rc = comp["rank_change"]
        return (
            f"On QuestMobile's weekly-user list: {rc['text']} ({rc['before_period']}, then the week of "
            f"{comp['as_of']['label']}), {rc['places_lost']} places lost. One list throughout, so the ranks compare."
        )
    if cid == "doubao_30x":
        top = [x for x in comp["ranking"] if not _missing(x.get("value"))][:3]
        return (
            f"{comp['metric'].upper()}, {comp['as_of']['label']}: "
            + ", ".join(f"{x['name']} {users(x['value'])} (#{x['rank']})" for x in top)
            + f"; Kimi {users(comp['kimi_value'])} (#{comp['kimi_rank']})."
        )
    if cid == "ad_share_above_alarm":
        return (
            f"Article 003 puts Kimi's ad share at {sus['article_ad_share']:.0%} of total cost; its alarm line is "
            f"{sus['article_alarm_threshold']:.0%}."
        )
    if cid == "under_half_growth":
        return (
            f"Sustainable growth = (paid revenue ÷ total cost) × (1 − ad share). At {sus['ad_share']:.0%} Kimi keeps "
            f"{pct(sus['ratio_to_threshold_firm'])} of the growth of a firm at the {sus['alarm_threshold']:.0%} alarm "
            f"line; to match it, Kimi needs {factor_vs_alarm_firm(sus):.2f}× that firm's revenue/cost ratio."
        )
    if cid == "runway_under_2y":
        lo, hi = runway_range_months(sus)
        return (
            f"Alibaba's money against the peak month's implied total cost: {lo:.0f} to {hi:.0f} months "
            f"at a {sus['ad_share']:.0%} ad share."
        )
    if cid == "valuation_under_5pct_openai":
        vals = [
            w
            for rd in r[CONCLUSIONS]["contested_inputs"].get("valuation", {}).get("readings", [])
            if (w := reading_words(r, "valuation", rd["key"]))
        ]
        return f"Moonshot's valuation at its highest: {' or '.join(vals)}, as the articles give it." if vals else None
    return None


def factor_vs_alarm_firm(sus: dict) -> float:
    """How many times the alarm-line firm's revenue/cost ratio Kimi needs for the same sustainable growth:
    (1 / (1 − ad share)) ÷ (1 / (1 − alarm line)), from notebook 03's two frontier factors."""
    return sus["frontier_factor_at_share"] / sus["frontier_factor_at_threshold"]


def runway_range_months(sus: dict) -> tuple[float, float]:
    """Months Alibaba's investment covers the implied total cost at the peak month, over the investment's readings."""
    months = [v for v in sus["runway_months"]["total_cost"].values() if not _missing(v)]
    return min(months), max(months)


def finding_slide(r: dict[str, dict], ds, c: dict, k: int, n: int, figs: Figures) -> Slide:
    cid = c["id"]
    chapter = CHAPTER.get(cid, "More findings")
    number = key_number(c)
    source = source_words(ds, c.get("obs_ids", []))
    grade = c["grade_words"]
    detail = _detail(r, cid)
    left = (_big(number, number_label(c)) if number else "") + (_p(esc(detail), 19) if detail else "")
    left += _p(f"<b>Grade:</b> {esc(grade)} (notebook 05).", 18)
    left += _p(f"<b>Source:</b> {esc(source)}.", 17, "; color: #333")
    chart = CHART.get(cid)
    if chart and chart_is_clean(*chart):
        width = chart_width(*chart)
        caption = chart_caption(cid)
        body = _head(f"Finding {k} of {n} · {chapter}", c["statement"])
        body += (
            f'\n<div style="display: flex; gap: {GAP}px; align-items: flex-start">'
            f'<div style="flex: 1 1 auto; min-width: 0">{left}</div>'
            f"{figure_html(chart[0], chart[1], figs.next(), caption, None, min(width, WIDTH - 300))}</div>"
        )
    else:
        body = _head(f"Finding {k} of {n} · {chapter}", c["statement"]) + f'\n<div style="max-width: 900px">{left}</div>'
    notes = [f"Grade in full: {grade}{_condition_note(c)}."]
    read = c.get("inputs_read") or []
    if read:
        parts = []
        for name in read:
            parts.append(f"{input_words(r, name)} ({readings_words(r, name)})")
        notes.append("Graded over the readings of: " + "; ".join(parts) + ".")
    else:
        notes.append("It reads no contested input: one computation from the figures named on the slide.")
    if c.get("not_evaluable_words"):
        where = c["not_evaluable_words"].removeprefix("not evaluable ")
        notes.append(f"Cannot be computed {where}; such readings are left out of the grade, not counted against it.")
    g = r[CONCLUSIONS].get("grades_by_evidence", {}).get(cid)
    if g and g.get("changed") and g.get("all_kind"):
        notes.append(
            f"With the public-report supplement it {GRADE_KIND_WORDS.get(g['all_kind'], 'is graded differently')} (notebook 05)."
        )
    if number and number_label(c).endswith("across the readings"):
        notes.append("The key number is a range over the readings, not a confidence interval.")
    return Slide(c["statement"], body, notes, {cid: c["grade_kind"]})


def _condition_note(c: dict) -> str:
    if c["grade_kind"] == "unless" and c.get("thresholds"):
        methods = sorted({t.get("method", "") for t in c["thresholds"] if t.get("method")})
        how = " and ".join("solved exactly" if m == "closed form" else "found by root-finding" for m in methods)
        return f"; the threshold is {how}" if how else ""
    return ""


def chart_caption(cid: str) -> str:
    return {
        "dau_rise_tenfold": "Kimi's daily users in the growth phase and the constant monthly rate joining them.",
        "spend_during_rise": "Kimi's ad spend month by month; lower bounds drawn open.",
        "outspent_bigtech": (
            "Ad spend a month, Kimi beside Doubao and Yuanbao (logarithmic axis); a quarter's spend divided by its three months."
        ),
        "qm_mau_halved": "Kimi's monthly users on QuestMobile's series and the log-linear fit (logarithmic axis).",
        "rank_fell": "Kimi's rank on every list the articles quote, each drawn apart: compare within one line.",
        "doubao_30x": "Weekly active users of the leading apps, one firm's list for one week.",
        "under_half_growth": "Sustainable growth over ad share and revenue/cost; white lines join equal rates.",
        "runway_under_2y": "Cash against cumulative cost for each funding reading; revenue not counted.",
    }.get(cid, "From the notebook that computes it.")


def money_slide(r: dict[str, dict], ds, figs: Figures) -> Slide:
    sus, conc = r["03_sustainability_formula"], r[CONCLUSIONS]
    inputs = conc["contested_inputs"]
    rows: list[tuple[str, str]] = []
    findings: dict[str, str] = {}
    inv = [
        w
        for rd in inputs.get("alibaba_investment", {}).get("readings", [])
        if (w := reading_words(r, "alibaba_investment", rd["key"]))
    ]
    funding = [v for v in sus.get("funding_cny", {}).values() if not _missing(v)]
    if inv:
        rows.append(
            (
                "Alibaba's investment",
                " or ".join(inv) + (f" (CNY {min(funding) / 1e9:.1f}bn to {max(funding) / 1e9:.1f}bn)" if funding else ""),
            )
        )
    rows.append(
        (
            "Implied total cost at the peak month",
            f"{cny(sus['implied_total_monthly_cost_low_yuan'])} to "
            f"{cny(sus['implied_total_monthly_cost_yuan']).removeprefix('CNY ')} "
            f"a month (peak ad spend ÷ a {sus['ad_share']:.0%} ad share)",
        )
    )
    lo, hi = runway_range_months(sus)
    rows.append(("Runway on that money alone, at that cost", f"{lo:.0f} to {hi:.0f} months (notebook 03)"))
    c = by_id(r)
    for cid in ("runway_under_2y", "runway_range"):
        if cid in c:
            x = c[cid]
            num = key_number(x)
            rows.append((x["statement"], f"{num + '; ' if num else ''}{x['grade_words']}"))
            if x["grade_kind"] in HOLDS:
                findings[cid] = x["grade_kind"]
    vals = [w for rd in inputs.get("valuation", {}).get("readings", []) if (w := reading_words(r, "valuation", rd["key"]))]
    if "valuation_under_5pct_openai" in c:
        x = c["valuation_under_5pct_openai"]
        rows.append(
            (
                "Valuation at its highest",
                f"{' or '.join(vals)}; {key_number(x)} of OpenAI's ({x['grade_words']})",
            )
        )
        if x["grade_kind"] in HOLDS:
            findings["valuation_under_5pct_openai"] = x["grade_kind"]
    ev = ds.events
    dated = []
    for eid in ("e_last_funding", "e_kimi_k2"):
        if eid in ev.index:
            e = ev.loc[eid]
            dated.append(
                (str(e["label"]), str(e["date"])[:7] if e.get("date_precision") in ("day", "month") else str(e["date"])[:4])
            )
    for label, when in dated:
        rows.append((label, when))
    table = "".join(
        f'<tr><td style="padding: 6px 10px"><b>{esc(a)}</b></td><td style="padding: 6px 10px">{esc(b)}</td></tr>' for a, b in rows
    )
    body = _head("The money", "Runway and valuation in context") + (
        f'\n<table style="font-size: 19px; border-collapse: collapse; width: 100%">{table}</table>'
        + _p(
            "All figures are ranges over the articles' readings; no month is given for when the money would run out, "
            "because the spend after November 2024 is not dated by any article.",
            17,
            "; margin-top: 12px; color: #333",
        )
    )
    notes = [
        "The runway divides the investment by the implied total cost at the peak month; it ignores revenue and any "
        "later funding, and the total cost rests on article 003's undated 70% ad share.",
        "Notebook 03 also runs a month-by-month ledger with spend held at the pre-peak floor after November 2024; that "
        "path lies below the trackers' cumulative estimates, so its cash-out dates are not used here.",
        "The valuation readings come from two articles and differ by about a tenth; either is far below OpenAI's.",
    ]
    return Slide("Runway and valuation in context", body, notes, findings)


def sure_slides(r: dict[str, dict], figs: Figures) -> list[Slide]:
    """How sure: the audit and every grade (with notebook 05's chart); then what the evidence does not support."""
    audit, conc = r[NOTEBOOKS[0]], r[CONCLUSIONS]
    verdicts = audit["verdict_counts"]
    text = (
        f"{audit['n_conflicts']} conflicts between articles are kept side by side (not resolved); {audit['n_suspicious']} "
        f"values are flagged as doubtful. Of {sum(verdicts.values())} claims recomputed, {verdicts.get('holds', 0)} hold, "
        f"{verdicts.get('roughly holds', 0)} roughly hold, {verdicts.get('fails', 0)} fail."
    )
    left = _p(esc(text), 19) + _p(esc(graded_sentence(conc)), 19)
    fig = ("05_conclusions", "grades_deck")
    body = _head("How sure", "Checked figures, graded conclusions")
    if chart_is_clean(*fig):
        width = min(chart_width(*fig), WIDTH - 320)
        body += (
            f'\n<div style="display: flex; gap: {GAP}px; align-items: flex-start">'
            f'<div style="flex: 1 1 auto; min-width: 0">{left}</div>'
            + figure_html(
                *fig, figs.next(), "Every conclusion and its grade.", "notebook 05, from the figures of the articles", width
            )
            + "</div>"
        )
    else:
        body += left
    notes = [
        "A conflict is two articles giving different figures for the same thing; both are kept and each becomes a "
        "reading of a contested input.",
        "A claim is an article's own arithmetic, recomputed from its figures; an approximate word such as 左右 is read "
        "at its own precision.",
    ]
    slides = [Slide("How sure", body, notes)]
    unsupported = [c for c in conclusions(r) if c["grade_kind"] == "not_supported"]
    if unsupported:
        items = "".join(f"<li>{esc(c['statement'])}.</li>" for c in unsupported)
        body = _head("How sure", "What the evidence does not support") + (
            _p("Notebook 05 tests these statements (each made by an article or an earlier draft); no slide makes them:", 20)
            + f'<ul style="font-size: 20px">{items}</ul>'
        )
        notes = [
            "'Not supported' means the evidence does not show it in any reading, or shows it only in some: it is not "
            "shown to be false.",
            "The ones that hold in some readings are on the next slide, with the inputs that would settle them.",
        ]
        slides.append(Slide("What the evidence does not support", body, notes, {c["id"]: "not_supported" for c in unsupported}))
    return slides


def change_slides(r: dict[str, dict]) -> list[Slide]:
    """What would change the conclusions: 'unless' grades with their condition; 'depends on' ones; the readings."""
    unless = [c for c in conclusions(r) if c["grade_kind"] == "unless"]
    depends = [
        c
        for c in conclusions(r)
        if c["grade_kind"] == "not_supported" and str(c.get("condition_words", "")).startswith("depends on")
    ]
    rows = [(c["statement"], f"holds unless {c['condition_words']}") for c in unless]
    rows += [(c["statement"], f"not supported as stated: {c['condition_words']}") for c in depends]
    if not rows:
        rows = [("Every conclusion", "no reading of the contested evidence changes a grade")]
    flips = []
    for c in unless + depends:
        for name in c.get("inputs_read", []):
            if name not in flips and (c.get("flip_input") == name or name in str(c.get("condition", ""))):
                flips.append(name)
    out = []
    per = 5
    chunks = [rows[i : i + per] for i in range(0, len(rows), per)]
    for k, chunk in enumerate(chunks):
        table = "".join(
            f'<tr><td style="padding: 5px 10px; vertical-align: top">{esc(a)}</td>'
            f'<td style="padding: 5px 10px; vertical-align: top"><b>{esc(b)}</b></td></tr>'
            for a, b in chunk
        )
        title = "What would change it" + (f" ({k + 1} of {len(chunks)})" if len(chunks) > 1 else "")
        body = _head("Sensitivity", title) + (
            '\n<table style="font-size: 18px; border-collapse: collapse; width: 100%">'
            '<tr><th style="padding: 5px 10px; text-align: left">Conclusion</th>'
            f'<th style="padding: 5px 10px; text-align: left">What flips it</th></tr>{table}</table>'
        )
        if k == len(chunks) - 1 and flips:
            readings = "; ".join(f"{input_words(r, n)}: {readings_words(r, n)}" for n in flips)
            body += _p(f"<b>The inputs that flip grades, and their readings:</b> {esc(readings)}.", 17, "; margin-top: 10px")
        notes = [
            "Each condition is where the conclusion stops holding, read from notebook 05: for a range input the "
            "threshold is solved, exactly where a formula exists and by root-finding otherwise.",
            "A conclusion that is not supported 'as stated' holds in some readings and fails in others: better "
            "evidence on the inputs named would settle it.",
            "Everything else holds in every reading of the contested evidence (or reads none).",
        ]
        findings = {c["id"]: "unless" for c in unless if c["statement"] in {a for a, _ in chunk}}
        findings.update({c["id"]: "not_supported" for c in depends if c["statement"] in {a for a, _ in chunk}})
        out.append(Slide(title, body, notes, findings))
    return out


def build_slides(r: dict[str, dict], ds) -> list[Slide]:
    """Every slide, in order (numbers from the results, names and periods from the data)."""
    figs = Figures()
    slides = [title_slide(r, ds), answer_slide(r)]
    found = findings_in_order(r)
    for k, c in enumerate(found, start=1):
        slides.append(finding_slide(r, ds, c, k, len(found), figs))
    slides.append(money_slide(r, ds, figs))
    slides += sure_slides(r, figs)
    slides += change_slides(r)
    return slides


def slides_markdown(r: dict[str, dict], ds) -> list[str]:
    """The slides' bodies (HTML in Markdown cells), in order."""
    return [s.markdown for s in build_slides(r, ds)]


def slide_findings(r: dict[str, dict], ds=None) -> dict[int, dict[str, str]]:
    """Per slide (index in the deck), the conclusions it states and how strongly (notebook 05's grade words)."""
    if ds is None:
        from kimi_research.data.loader import load

        ds = load().with_evidence(_evidence(r))
    return {i: s.findings for i, s in enumerate(build_slides(r, ds)) if s.findings}


def _results() -> dict[str, dict]:
    out = {}
    for n in NOTEBOOKS:
        out[n] = export.read_results(n)
        if not out[n]:
            raise SystemExit(f"{paths.results_dir() / (n + '.json')} is missing: run `make run` before building the summary deck")
    return out


def build_notebook():
    from nbformat.v4 import new_markdown_cell, new_notebook

    from kimi_research.data.loader import load

    nb = new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    results = _results()
    for s in build_slides(results, load().with_evidence(_evidence(results))):
        cell = new_markdown_cell(s.markdown)
        cell.metadata = {"slideshow": {"slide_type": "slide"}}
        nb.cells.append(cell)
        notes = new_markdown_cell(s.notes_markdown)
        notes.metadata = {"slideshow": {"slide_type": "notes"}}
        nb.cells.append(notes)
    return export.stable_ids(nb)  # the same results give the same deck, byte for byte


def build_summary_deck(offline: bool = True, out_dir: Path | None = None) -> Path:
    body, _ = export.slides_exporter(offline).from_notebook_node(build_notebook())
    return export.write((out_dir or paths.slides_dir()) / f"{NAME}.slides.html", body, title=f"{TITLE} · {AUTHOR}")

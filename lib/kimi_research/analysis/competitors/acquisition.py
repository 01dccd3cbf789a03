"""What did each app spend per user it gained? Advertising over a window divided by the MAU gained in the same
window, like for like, with DeepSeek's zero reported spend as the benchmark; and each app's share of the
advertising against its share of the users.

Like for like (the comparability layer decides, :mod:`kimi_research.data.comparable`):

* the **spend** of a window is ``period_total`` of ``ad_spend`` over it (the widest window covering it, never a
  window added to the windows it contains; a lower bound when its figures leave days uncovered);
* the **gain** of a window is ``level_change`` of the MAU in **one firm's series**: the level of the window's last
  month (or an end-of-period value at its end) minus the level of the month before it (a quarter's average is
  never a month's level; two firms' figures are never subtracted);
* both over the **same window**: every calendar month and quarter of the study window is tried.

The spend per new user is the spend ÷ the gain. A bound stays a bound: spend that is a lower bound over a gain that
is a point gives "at least"; a gain that is a lower bound gives "at most"; the two together give no bound. Where the
MAU did not grow the ratio is not defined (the gross number of new users is not known). An app with no advertising
figure in any source has its spend "none reported" (``None``, never 0): DeepSeek, the fastest grower of 2025, is the
benchmark (:data:`ZERO_AD_BENCHMARK`); the other apps without a spend figure are listed.
"""

from __future__ import annotations

from typing import cast

import pandas as pd
from pydantic import BaseModel, Field

from kimi_research.analysis.competitors.selection import KIMI
from kimi_research.analysis.sections import FROZEN, Section, shown
from kimi_research.data.comparable import ANY_FIRM, LEVEL_KINDS, NO_FIRM, STUDY_WINDOW, level_change, levels, period_total
from kimi_research.data.labels import Citation, Name, cite, names
from kimi_research.data.loader import Dataset
from kimi_research.data.periods import parse_period, period_label

#: the zero-ad benchmark: the fastest-growing app of 2025, for which no source reports any advertising
#: (article 001: DeepSeek shows that an app can win the market 'on technology or cost', s001)
ZERO_AD_BENCHMARK = "deepseek"
#: the stock whose gain the spend is divided by
GAIN_METRIC = "mau"
NONE_REPORTED = "none reported"


def study_windows(window: tuple = STUDY_WINDOW) -> list[str]:
    """Every calendar month and quarter inside the study window, as labels ('2024-10', '2024 Q4')."""
    lo, hi = pd.Timestamp(window[0]), pd.Timestamp(window[1])
    months = [m.strftime("%Y-%m") for m in pd.date_range(lo, hi, freq="MS")]
    quarters = [f"{q.year} Q{q.quarter}" for q in pd.date_range(lo, hi, freq="QS") if q >= lo]
    return months + quarters


def _ratio_bound(spend_bound: str, gain_bound: str) -> str | None:
    """The bound of spend ÷ gain from the bounds of both (gain > 0): None when it has none."""
    table = {
        ("point", "point"): "point",
        ("lower", "point"): "lower",
        ("point", "lower"): "upper",
        ("point", "upper"): "lower",
        ("lower", "upper"): "lower",
    }
    return table.get((spend_bound, gain_bound))


#: the columns of :func:`gains` (and the first columns of :func:`spend_per_new_user_table`)
GAIN_COLUMNS = [
    "entity",
    "window",
    "series",
    "firm",
    "gain",
    "gain_bound",
    "before_obs",
    "end_obs",
    "before_text",
    "end_text",
    "before_period",
    "end_period",
    "rules",
]


def gains(ds: Dataset, entity: str, windows: list[str] | None = None) -> pd.DataFrame:
    """Every window and firm series in which the layer can give the entity's MAU change: window, series,
    firm, gain, gain_bound, before_obs, end_obs, before_text, end_text, before_period, end_period, rules."""
    cols = GAIN_COLUMNS
    lv = levels(ds, GAIN_METRIC, [entity], ANY_FIRM)
    out = []
    for series in sorted(set(lv.rows["series"])):
        edges = set(_edge_days(lv.rows[lv.rows["series"] == series]))
        for w in windows or study_windows():
            s, e = parse_period(w)
            if e not in edges or s - pd.Timedelta(days=1) not in edges:
                continue  # no level at one edge: nothing to subtract
            c = level_change(lv, w, series)
            if c.value is None:
                continue
            b, e_row = c.rows.iloc[0], c.rows.iloc[1]
            out.append(
                {
                    "entity": entity,
                    "window": c.period,
                    "series": series,
                    "firm": "" if series.startswith(NO_FIRM) else series,
                    "gain": c.value,
                    "gain_bound": c.bound,
                    "before_obs": str(b.name),
                    "end_obs": str(e_row.name),
                    "before_text": b["value_text"],
                    "end_text": e_row["value_text"],
                    "before_period": b["period"],
                    "end_period": e_row["period"],
                    "rules": [r for r in c.rules if r in ("level_change", "end_value_at_period_end", "conflict_choice")],
                }
            )
    return pd.DataFrame(out, columns=cols)


def _edge_days(rows: pd.DataFrame) -> list[pd.Timestamp]:
    """The days a level of ``rows`` may stand for at a window's edge (a month's last day, an end-of-period
    value's last day): a shortcut to the windows worth asking the layer's ``level_change`` about."""
    month_or_end = (rows["grain"] == "month") | (rows["scale"] == "end of period")
    return list(rows.loc[month_or_end, "period_end"])


def _touched(spend: pd.DataFrame, windows: list[str]) -> list[str]:
    """The windows a spend row overlaps (the others have no spend figure)."""
    out = []
    for w in windows:
        s, e = parse_period(w)
        if ((spend["period_start"] <= e) & (spend["period_end"] >= s)).any():
            out.append(w)
    return out


def spend_rows_of(ds: Dataset, entity: str) -> pd.DataFrame:
    """The dated ad_spend levels of an entity (no change, no cumulative, no undated rows)."""
    o = ds.observations
    return o[
        (o["entity"] == entity) & (o["metric"] == "ad_spend") & o["period_start"].notna() & o["value_kind"].isin(LEVEL_KINDS)
    ]


def spend_obs_of(ds: Dataset, entity: str) -> pd.DataFrame:
    """Every ad_spend row of an entity (what ``period_total`` reads; it leaves out what is not a level)."""
    o = ds.observations
    keep = [c for c in o.columns if c not in ("quote", "note", "scope", "dimension", "measurement")]
    return o.loc[(o["entity"] == entity) & (o["metric"] == "ad_spend"), keep]


def spend_per_new_user_table(ds: Dataset, apps: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """One row per app, window and MAU series where a gain is measured and (for an app with spend figures) the
    spend of the same window is known; the benchmark's rows carry spend None ('none reported'). Returns the
    table and the apps with no spend figure (other than the benchmark), which are listed, not compared."""
    rows = []
    no_spend = []
    for e in apps:
        has_spend = len(spend_rows_of(ds, e)) > 0
        if not has_spend and e != ZERO_AD_BENCHMARK:
            no_spend.append(e)
            continue
        g = gains(ds, e, _touched(spend_rows_of(ds, e), study_windows()) if has_spend else None)
        for _, r in g.iterrows():
            spend_value, spend_bound, spend_obs, coverage, months_covered = None, None, [], 0.0, ""
            if has_spend:
                t = period_total(spend_obs_of(ds, e), e, "ad_spend", r["window"])
                if t.value is None:
                    continue  # no spend figure for this window: nothing to divide
                spend_value, spend_bound, coverage = t.value, t.bound, t.coverage
                spend_obs = sorted(t.rows.index)
                months_covered = ", ".join(period_label(x) for _, x in t.rows.sort_values("period_start").iterrows())
            elif r["gain"] <= 0 or r["gain_bound"] == "upper":
                continue  # the benchmark: the windows in which it gained users with no reported spend
            value, bound, reason = None, None, ""
            if spend_value is None:
                reason = NONE_REPORTED
            elif r["gain"] <= 0 and r["gain_bound"] in ("point", "upper"):
                reason = f"the MAU did not grow ({r['before_text']} → {r['end_text']}): no new users to divide by"
            else:
                bound = _ratio_bound(str(spend_bound), str(r["gain_bound"]))
                if bound is None or r["gain"] <= 0:
                    reason = "the spend and the gain are bounds that point the same way: their ratio has no bound"
                    bound = None
                else:
                    value = spend_value / r["gain"]
            rows.append(
                {
                    **r.to_dict(),
                    "spend": spend_value,
                    "spend_bound": spend_bound,
                    "spend_coverage": coverage,
                    "spend_windows": months_covered,
                    "spend_obs": spend_obs,
                    "value": value,
                    "bound": bound,
                    "reason": reason,
                }
            )
    cols = [
        *GAIN_COLUMNS,
        "spend",
        "spend_bound",
        "spend_coverage",
        "spend_windows",
        "spend_obs",
        "value",
        "bound",
        "reason",
    ]
    return pd.DataFrame(rows, columns=cols), no_spend


def without_gain(ds: Dataset, apps: list[str], table: pd.DataFrame) -> dict[str, str]:
    """The apps with spend figures but no window in the table, and why."""
    out = {}
    for e in apps:
        if e in set(table["entity"]):
            continue
        if e == ZERO_AD_BENCHMARK:
            out[e] = (
                f"{NONE_REPORTED} (the zero-ad benchmark), and no window in which one firm gives its MAU both just "
                "before the window and at its end with a gain"
            )
            continue
        if not len(spend_rows_of(ds, e)):
            continue
        lv = levels(ds, GAIN_METRIC, [e], ANY_FIRM).rows
        out[e] = (
            "no MAU figure in the evidence used"
            if lv.empty
            else "no window with its spend in which one firm gives its MAU both just before the window and at its end "
            "(a quarter's average is never a month's level; two firms' figures are never subtracted)"
        )
    return out


def share_table(ds: Dataset, apps: list[str]) -> pd.DataFrame:
    """Ad share against user share: for each calendar month and quarter and each firm, the apps (two or more)
    with both a spend figure for the window (``period_total``) and a MAU level at its end from that firm (the
    end edge of ``level_change``). Shares are of the total of those apps only. A share is a bound when a bound
    enters it (an app's own lower bound makes its share 'at least' and the others' 'at most'); two bounds leave
    the shares without one (None)."""
    cols = [
        "window",
        "firm",
        "entity",
        "spend",
        "spend_bound",
        "users",
        "user_bound",
        "ad_share",
        "ad_share_bound",
        "user_share",
        "user_share_bound",
        "spend_obs",
        "user_obs",
    ]
    spenders = [e for e in apps if len(spend_rows_of(ds, e))]
    if len(spenders) < 2:
        return pd.DataFrame(columns=cols)
    lvs = {e: levels(ds, GAIN_METRIC, [e], ANY_FIRM) for e in spenders}
    out = []
    obs = {e: spend_obs_of(ds, e) for e in spenders}
    dated = {e: spend_rows_of(ds, e) for e in spenders}
    edge_days = {
        e: {ser: set(_edge_days(g)) for ser, g in lvs[e].rows.groupby("series") if not str(ser).startswith(NO_FIRM)}
        for e in spenders
    }
    for w in study_windows():
        start, stop = parse_period(w)
        touched = [e for e in spenders if _touched(dated[e], [w])]
        firms: dict[str, list[str]] = {}
        for e in touched:
            for ser, days in edge_days[e].items():
                if stop in days:
                    firms.setdefault(cast(str, ser), []).append(e)
        firms = {f: es for f, es in firms.items() if len(es) >= 2}
        if not firms:
            continue
        spend = {}
        for e in sorted({e for es in firms.values() for e in es}):
            t = period_total(obs[e], e, "ad_spend", w)
            if t.value is not None:
                spend[e] = (t.value, t.bound, sorted(t.rows.index))
        ends: dict[str, dict[str, pd.Series]] = {}
        for series, es in firms.items():
            for e in es:
                if e not in spend:
                    continue
                c = level_change(lvs[e], w, series)
                end = c.rows[c.rows["edge"] == "end"] if len(c.rows) else c.rows
                if len(end):
                    ends.setdefault(series, {})[e] = end.iloc[0]
        for series, got in sorted(ends.items()):
            if len(got) < 2:
                continue
            s_tot = sum(spend[e][0] for e in got)
            u_tot = sum(float(r["base_value"]) for r in got.values())
            s_bounds = {e: spend[e][1] for e in got}
            u_bounds = {e: str(r["bound"]) for e, r in got.items()}
            for e, r in got.items():
                out.append(
                    {
                        "window": w,
                        "firm": series,
                        "entity": e,
                        "spend": spend[e][0],
                        "spend_bound": spend[e][1],
                        "users": float(r["base_value"]),
                        "user_bound": str(r["bound"]),
                        "ad_share": spend[e][0] / s_tot,
                        "ad_share_bound": _share_bound(e, s_bounds),
                        "user_share": float(r["base_value"]) / u_tot,
                        "user_share_bound": _share_bound(e, u_bounds),
                        "spend_obs": spend[e][2],
                        "user_obs": [str(r.name)],
                    }
                )
    return pd.DataFrame(out, columns=cols)


def _share_bound(entity: str, bounds: dict[str, str]) -> str | None:
    """A share's bound: every figure a point -> 'point'; only its own a lower bound -> 'lower'; only others'
    lower bounds -> 'upper'; anything else -> None (no bound)."""
    lower = {e for e, b in bounds.items() if b == "lower"}
    if any(b not in ("point", "lower") for b in bounds.values()):
        return None
    if not lower:
        return "point"
    if lower == {entity}:
        return "lower"
    if entity not in lower:
        return "upper" if len(lower) >= 1 else "point"
    return None


# --- section -------------------------------------------------------------------------------------
class NewUserSpend(BaseModel):
    """One app's advertising per MAU gained over one window, like for like."""

    model_config = FROZEN

    window: str = Field(description="the calendar month or quarter ('2025-01', '2025 Q1')")
    firm: str = Field(description="the firm whose MAU series gives the gain ('' for one source naming none)")
    value: float | None = Field(
        description="CNY of advertising per MAU gained; null with a reason when it cannot be computed "
        "(the benchmark's 'none reported', never 0)"
    )
    bound: str | None = Field(description="'point', 'lower' (at least) or 'upper' (at most); null with value")
    reason: str = Field(description="why value is null ('' when it is computed)")
    spend: float | None = Field(description="CNY over the window (period_total); null: none reported")
    spend_bound: str | None = Field(description="'point' or 'lower' (figures leave days uncovered or one is a bound)")
    spend_obs: list[str] = Field(description="the spend figures used")
    mau_gained: float = Field(description="the MAU at the window's end minus the MAU just before it, one firm")
    gain_bound: str = Field(description="'point', 'lower' (at least) or 'upper' (at most)")
    mau_obs: list[str] = Field(description="the MAU figures subtracted: [before, end]")


class AdVsUserShare(BaseModel):
    """One app's share of the advertising against its share of the users, among the apps with both."""

    model_config = FROZEN

    window: str
    firm: str = Field(description="the firm of the MAU figures")
    ad_share: float
    ad_share_bound: str | None = Field(description="'point', 'lower', 'upper'; null: no bound")
    user_share: float
    user_share_bound: str | None = Field(description="'point', 'lower', 'upper'; null: no bound")
    spend_obs: list[str]
    user_obs: list[str]


class SpendPerNewUser(Section):
    """What did each app spend on advertising per user it gained, against DeepSeek's zero reported spend?"""

    spend_per_new_user: dict[str, list[NewUserSpend]] = Field(
        description="app -> every window in which its MAU gain (one firm) and its spend over the same window are "
        "known; the zero-ad benchmark (DeepSeek) with value null and reason 'none reported'"
    )
    spend_benchmark: str = Field(description="the zero-ad benchmark app (no advertising figure in any source)")
    apps_without_spend: list[str] = Field(description="selected apps with no advertising figure, listed, not compared")
    apps_without_gain: dict[str, str] = Field(
        description="app -> why it has spend figures but no like-for-like MAU gain to divide them by"
    )
    ad_share_vs_user_share: dict[str, dict[str, AdVsUserShare]] = Field(
        description="'<window> · <firm>' -> app -> its share of the advertising against its share of the users, "
        "among the apps with both"
    )

    table: pd.DataFrame = shown("one row per app, window and firm: gain, spend, value, bounds, reasons, obs ids")
    shares: pd.DataFrame = shown("the ad share against the user share, one row per window, firm and app")
    names: dict[str, Name] = shown("entity names")
    firm_names: dict[str, str] = shown("firm id -> name")
    source: Citation = shown("the spend and MAU rows used")


def _num(v) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def _str(v) -> str | None:
    return None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)


def spend_per_new_user(ds: Dataset, sel: list[str]) -> SpendPerNewUser:
    apps = list(dict.fromkeys([*sel, ZERO_AD_BENCHMARK])) if ZERO_AD_BENCHMARK in ds.entities.index else list(sel)
    table, no_spend = spend_per_new_user_table(ds, apps)
    table = table.sort_values(["entity", "window"], key=lambda s: s.map(lambda x: (x != KIMI, x)) if s.name == "entity" else s)
    shares = share_table(ds, sel)
    no_gain = without_gain(ds, apps, table)
    used = sorted({i for x in table["spend_obs"] for i in x} | set(table["before_obs"]) | set(table["end_obs"]))
    used += sorted({i for x in shares["spend_obs"] for i in x} | {i for x in shares["user_obs"] for i in x})
    firms = sorted({*table["firm"], *shares["firm"]} - {""})
    return SpendPerNewUser(
        spend_per_new_user={
            str(e): [
                NewUserSpend(
                    window=r["window"],
                    firm=r["firm"],
                    value=_num(r["value"]),
                    bound=_str(r["bound"]),
                    reason=r["reason"],
                    spend=_num(r["spend"]),
                    spend_bound=_str(r["spend_bound"]),
                    spend_obs=list(r["spend_obs"]),
                    mau_gained=float(r["gain"]),
                    gain_bound=r["gain_bound"],
                    mau_obs=[r["before_obs"], r["end_obs"]],
                )
                for _, r in g.iterrows()
            ]
            for e, g in table.groupby("entity", sort=False)
        },
        spend_benchmark=ZERO_AD_BENCHMARK,
        apps_without_spend=no_spend,
        apps_without_gain=no_gain,
        ad_share_vs_user_share={
            f"{w} · {f}": {
                str(r["entity"]): AdVsUserShare(
                    window=w,
                    firm=f,
                    ad_share=float(r["ad_share"]),
                    ad_share_bound=_str(r["ad_share_bound"]),
                    user_share=float(r["user_share"]),
                    user_share_bound=_str(r["user_share_bound"]),
                    spend_obs=list(r["spend_obs"]),
                    user_obs=list(r["user_obs"]),
                )
                for _, r in g.iterrows()
            }
            for (w, f), g in shares.groupby(["window", "firm"], sort=False)
        },
        table=table,
        shares=shares,
        names=names(ds, [*table["entity"], *no_spend, *no_gain, *shares["entity"], ZERO_AD_BENCHMARK]),
        firm_names={f: ds.name(f) for f in firms},
        source=cite(ds, ds.observations.loc[list(dict.fromkeys(used))])
        if used
        else Citation(firms="", sources_en="", sources_zh=""),
    )

"""Helpers of notebook 02 (the ad-spend bubble): spend paths, unit economics, a stock-flow user model.

Vocabulary (marketing-mix modelling): *CPA* = cost per acquired user; *all-in CPA* = CPA plus the
compute cost of serving the new user; *cost per retained user* = all-in CPA / 30-day retention;
*adstock* = a stock that keeps a share ``1 - churn`` of itself each period and adds new inflow.

Monthly spend path
------------------
Kimi's dated spend rows are of two kinds: a figure for one calendar month (AppGrowing's October
and November 2024; the Bilibili Spring Festival campaign, a lower bound '超亿元' read as February
2024) and a level stated for a span of months (AppGrowing: '几乎每月 ... 上千万元' from March to
September 2024, a lower bound per month). :func:`monthly_spend` turns them into one value per
month from the first month with data to a chosen end; ``spend_path`` says how months without a
figure of their own are filled (see :data:`SPEND_PATHS`). No article reports spend after the last
dated month (November 2024): every path states its assumption for those months, and the returned
``status`` column says which months are data and which are assumption.

Stock-flow model
----------------
``users_t = (1 - churn) * users_{t-1} + spend_t / cpa`` on a monthly grid, starting from zero users
the month before the first spend (only bought users are counted: the articles' story taken
literally). The churn is fitted by least squares on log MAU (relative errors) to one vendor's
observations (QuestMobile by default; vendors are never mixed). A monthly figure is compared with
the model's value for that month; a quarterly figure (QuestMobile reports a quarter's average MAU)
with the mean of the model's three months.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, cast, get_args

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, computed_field
from scipy import optimize, stats

from kimi_research.analysis.sections import Analysis, Section, shown
from kimi_research.data import comparable as C
from kimi_research.data.labels import Citation, Name, cite, names
from kimi_research.data.loader import repeated_figures
from kimi_research.data.measurements import measurement_ids
from kimi_research.data.periods import period_label
from kimi_research.data.units import DAYS_PER_MONTH
from kimi_research.errors import DataError

#: the spend paths, defined once (notebook 02's and 03's ``spend_path`` parameter is this type)
SpendPathName = Literal["articles", "lower_bounds", "interpolate", "zero", "reconciled"]
#: the cost-per-user paths (notebook 02's ``cpa_path``): one CPA for every month, or the dated readings as steps
CpaPathName = Literal["constant", "rising"]

SPEND_PATHS: dict[SpendPathName, str] = {
    "articles": "every dated figure at its value, lower bounds at their bound (the Bilibili campaign; the "
    "'almost every month' level AppGrowing gives for a span of months before the peak); after the last "
    "reported month, spend falls back to that pre-peak floor (the articles say spending slowed, none "
    "says it stopped)",
    "lower_bounds": "as 'articles' up to the last reported month; afterwards zero, since no row bounds it from "
    "below: the least spend the data allow",
    "interpolate": "months inside the span with only a lower bound are interpolated linearly between the "
    "nearest single-month figures before and after (never below the bound): a generous reading; "
    "after the last reported month, the pre-peak floor as in 'articles'",
    "zero": "only single-month figures count (the span's 'almost every month' bound is dropped); every "
    "other month is zero: the least generous reading",
    "reconciled": "the 'articles' path plus the gap to the trackers' own cumulative estimate (AppGrowing's total "
    "since March 2024), spread over the whole months of its window that have no single-month figure, never "
    "below a bound and never changing a reported month (see SPREAD_RULES); with no cumulative estimate in the "
    "evidence it is the 'articles' path",
}
if tuple(SPEND_PATHS) != get_args(SpendPathName):  # pragma: no cover - a definition error, caught at import
    raise AssertionError("SPEND_PATHS must describe exactly the SpendPathName values, in order")

#: How the reconciled path spreads the gap between a cumulative estimate and the 'articles' path over the months of
#: the estimate's window without a single-month figure (its 'open' months). The first rule whose inputs the
#: evidence holds is used ('supplement', else 'bounds'); the others are shown beside it.
SPREAD_RULES = {
    "supplement": "first to the open months the supplement's 'nearly 2亿 every month since September 2024' covers, "
    "each up to that level (it is Moonshot's whole marketing and traffic spend, so it caps Kimi's ad spend rather "
    "than setting it), in proportion to their room under it; any rest to the open months before September 2024, in "
    "proportion to their value on the 'articles' path (as 'bounds')",
    "bounds": "in proportion to each open month's value on the 'articles' path: its lower bound, or the assumed floor",
    "even": "the same amount in every open month",
    "near_peak": "the open months nearest the peak months first, each up to the smaller peak month (no open month "
    "above the reported peak); any rest as 'bounds'",
}

#: Undated rows whose wording dates their start (the schema cannot: the end is the page's unknown date). Our reading,
#: applied only when the row is in the evidence: obs_id -> (first month, why).
DATED_BY_WORDING = {
    "o043_01": (
        "2024-09",
        "'Since September 2024, it has invested nearly 200 million yuan ... every month' (界面新闻 "
        "relayed): from September 2024 to the page's unknown date",
    ),
}

SPEND_METRICS = ["ad_spend", "ad_spend_monthly", "ad_spend_peak_month"]
KIMI_FAMILY_EXTRA_EVENTS = ["e_deepseek_r1"]  # the rival launch the articles treat as the turning point
STATUS_ORDER = ["reported", "lower bound", "interpolated", "reconciled", "assumption"]
BUDGET = 1e8  # one 亿元: the unit the articles count campaigns in
#: value kinds that are never one month's spend (a total over a span, a change over a period)
NOT_A_MONTH = ("cumulative", "change")


# --- data selections -------------------------------------------------------------------------------
def spend_rows(ds, entity: str = "kimi") -> pd.DataFrame:
    """Every spend row of an entity (dated or not), with what the comparability layer reads (:func:`C.annotate`:
    period label, grain, bound, open, special_day), its monthly rate and ``lower_bound``."""
    o = ds.select(entity, SPEND_METRICS)
    if o.empty:
        raise DataError("data/observations.csv", message=f"no ad-spend rows ({', '.join(SPEND_METRICS)}) for {entity!r}")
    o = C.annotate(o)
    # a level per month (ad_spend_monthly, ad_spend_peak_month) is already a monthly rate
    o["per_month"] = np.where(o["metric"] == "ad_spend", o["base_value_per_month"], o["base_value"])
    o["lower_bound"] = o["bound"] == "lower"
    return o


def events_for(ds, entity: str = "kimi") -> pd.DataFrame:
    """Events about the entity, its owner and the owner's models, plus the rival launches the articles stress."""
    ents = ds.entities
    owner = ents.at[entity, "owner"] if entity in ents.index else None
    family = {entity}
    if isinstance(owner, str):
        family |= {owner} | set(ents.index[ents["owner"] == owner])
    ev = ds.events
    return ev[ev["entity"].isin(family) | ev.index.isin(KIMI_FAMILY_EXTRA_EVENTS)]


def _months(r) -> pd.PeriodIndex:
    return pd.period_range(r["period_start"], r["period_end"], freq="M")


def _ids(total: C.Total) -> list[str]:
    """The observation ids behind a total: the rows used and the repeats folded into them."""
    return sorted(
        {
            i
            for _, r in total.rows.iterrows()
            for i in (r["obs_ids"] if isinstance(r.get("obs_ids"), list) else [cast(str, r.name)])
        }
    )


def _memo(ds, key: tuple, make):
    """A per-dataset memo (a loaded Dataset is never changed): the months' figures and the spend paths are read many
    times by one analysis (every path, both evidence settings); callers get a copy."""
    memo = ds.__dict__.setdefault("_adspend_memo", {})
    if key not in memo:
        memo[key] = make()
    return memo[key].copy()


def spend_data_by_month(ds, entity: str = "kimi") -> pd.DataFrame:
    """Per calendar month with a dated figure: value (CNY), kind ('point', 'lower bound', 'span bound'), obs ids.

    Through the comparability layer: a month's value is :func:`C.period_total` of ``ad_spend`` over the month
    (the widest window that covers it; a window inside it, such as 'October 1-29', is listed, never added to
    the month's own figure; a lower bound, or windows that leave days uncovered, give a 'lower bound'). A level
    stated for a span of months (``ad_spend_monthly``, or an ``ad_spend`` total over several months) gives its
    monthly rate (:func:`C.period_total` over the span, rule ``total_per_month``) in each month of the span: a
    'span bound' when it is a lower bound, a 'span' otherwise. A single-month figure wins over a span; of two
    spans, the larger bound. Cumulative totals and changes are never a month's value.
    """
    return _memo(ds, ("months", entity), lambda: _spend_data_by_month(ds, entity))


def _spend_data_by_month(ds, entity: str) -> pd.DataFrame:
    o = spend_rows(ds, entity)
    o = o[o["period_start"].notna() & o["metric"].isin(["ad_spend", "ad_spend_monthly"])]
    o = o[o["value_kind"].fillna("period_value").isin(C.LEVEL_KINDS)]
    rows = []
    in_one_month = (o["metric"] == "ad_spend") & (o["period_start"].dt.to_period("M") == o["period_end"].dt.to_period("M"))
    for m in sorted({p for p in o.loc[in_one_month, "period_start"].dt.to_period("M")}):
        t = C.period_total(ds, entity, "ad_spend", str(m))
        if t.value is None:
            continue
        rows.append({"month": m, "value": t.value, "kind": "lower bound" if t.lower_bound else "point", "obs_ids": _ids(t)})
    spans = o[~in_one_month]
    for (metric, s, e), _ in spans.groupby(["metric", "period_start", "period_end"], sort=True):
        t = C.period_total(ds, entity, metric, (s, e))
        if t.value is None or t.per_month is None:
            continue
        kind = "span bound" if t.lower_bound else "span"
        rows += [{"month": m, "value": t.per_month, "kind": kind, "obs_ids": _ids(t)} for m in pd.period_range(s, e, freq="M")]
    if not rows:
        raise DataError("data/observations.csv", message=f"no dated ad-spend rows for {entity!r}")
    d = pd.DataFrame(rows)
    d["rank"] = d["kind"].map({"point": 0, "lower bound": 1, "span": 2, "span bound": 3})
    best = d.groupby("month")["rank"].transform("min")
    d = d[d["rank"] == best]
    out = d.groupby("month").agg(
        value=("value", "max"), kind=("kind", "first"), obs_ids=("obs_ids", lambda s: ";".join(sorted({i for x in s for i in x})))
    )
    return out.sort_index()


def _fill(data: pd.DataFrame, path: str, idx: pd.PeriodIndex) -> pd.DataFrame:
    """The four assumption paths (not 'reconciled') over ``idx`` from the months' figures."""
    spans = data[data["kind"].isin(["span bound", "span"])]
    floor = float(spans.loc[spans["kind"] == "span bound", "value"].min()) if (spans["kind"] == "span bound").any() else 0.0
    singles = data[~data["kind"].isin(["span bound", "span"])]
    out = pd.DataFrame(index=pd.PeriodIndex(idx, name="month"), columns=["spend_yuan", "status", "obs_ids", "data"])
    for m in idx:
        if m in data.index:
            r = data.loc[cast(Any, m)]
            if r["kind"] in ("point", "span"):
                out.loc[m] = [r["value"], "reported", r["obs_ids"], True]
            elif r["kind"] == "lower bound":
                out.loc[m] = [r["value"], "lower bound", r["obs_ids"], True]
            elif path == "zero":
                out.loc[m] = [0.0, "assumption", r["obs_ids"], False]
            elif path == "interpolate":
                before = singles[singles.index < m]
                after = singles[singles.index > m]
                if len(before) and len(after):
                    (m0, v0), (m1, v1) = (before.index[-1], before["value"].iloc[-1]), (after.index[0], after["value"].iloc[0])
                    w = (m - m0).n / (m1 - m0).n
                    v = max(r["value"], v0 + w * (v1 - v0))
                    out.loc[m] = [v, "interpolated", r["obs_ids"], True]
                else:
                    out.loc[m] = [r["value"], "lower bound", r["obs_ids"], True]
            else:
                out.loc[m] = [r["value"], "lower bound", r["obs_ids"], True]
        else:
            fill = 0.0 if path in ("zero", "lower_bounds") else floor
            assumed: list[Any] = [fill, "assumption", "", False]
            out.loc[m] = assumed
    out["spend_yuan"] = out["spend_yuan"].astype(float)
    out["data"] = out["data"].astype(bool)
    out["status"] = out["status"].astype(str)
    out["obs_ids"] = out["obs_ids"].astype(str)
    out.attrs.update(floor=floor)
    return out


def monthly_spend(ds, path: str = "articles", end: str | pd.Period | None = None, entity: str = "kimi") -> pd.DataFrame:
    """One row per month from the first month with spend data to ``end``: spend_yuan, status, obs_ids, data.

    ``status`` is 'reported' (a single-month figure), 'lower bound' (a single-month or span lower bound used
    at its bound), 'interpolated', 'reconciled' (a month that took part of the gap to a cumulative estimate) or
    'assumption' (no figure for the month); ``data`` is True for months with a figure of their own (reported or
    bounded). See :data:`SPEND_PATHS`; the 'reconciled' path's :class:`Reconciliation` is in ``attrs``.
    """
    if path not in SPEND_PATHS:
        raise ValueError(f"unknown spend_path {path!r}; expected one of {', '.join(SPEND_PATHS)}")
    key = ("path", path, None if end is None else str(pd.Period(end, freq="M")), entity)
    return _memo(ds, key, lambda: _monthly_spend(ds, path, end, entity))


def _monthly_spend(ds, path: str, end, entity: str) -> pd.DataFrame:
    data = spend_data_by_month(ds, entity)
    first, last = data.index.min(), data.index.max()
    end = pd.Period(end, freq="M") if end is not None else last
    idx = pd.period_range(first, max(end, last), freq="M")
    out = _fill(data, "articles" if path == "reconciled" else path, idx)
    if path == "reconciled":
        rec = reconcile(ds, out, entity)
        out["spend_yuan"] = out["spend_yuan"] + rec.added.reindex(out.index, fill_value=0.0)
        out.loc[rec.added.index[rec.added > 0], "status"] = "reconciled"
        out.attrs["reconciliation"] = rec
    out.attrs.update(path=path, last_data_month=last)
    return out


# --- the trackers' cumulative estimate -------------------------------------------------------------------
@dataclass(frozen=True)
class Reconciliation:
    """How the 'reconciled' path meets a cumulative estimate (see :func:`reconcile`)."""

    obs_id: str | None  # the cumulative row met (None: none in the evidence)
    reported_total: float | None  # CNY
    start: pd.Timestamp | None  # its window
    end: pd.Timestamp | None
    bound: str  # the row's bound: 'point' or 'lower'
    rule: str  # the spread rule used ('' when nothing was spread)
    gap: float | None  # reported total - the 'articles' path over the window, CNY
    added: pd.Series  # CNY added to each open month
    open_months: list  # the whole months of the window without a single-month figure
    alternatives: dict  # rule -> additions under it (pd.Series)
    supplement: tuple | None  # (obs_id, first month, level CNY) of the supplement's level, when in the evidence
    others: pd.DataFrame  # other cumulative rows of the evidence, not met (listed)
    reason: str  # why nothing was reconciled, or ''


def cumulative_estimate(ds, entity: str = "kimi") -> tuple[pd.Series | None, C.Comparable]:
    """The cumulative ad-spend estimate a path is checked against: of the evidence's running totals
    (:func:`C.cumulative`), the widest window (then a point before a bound, a named firm, the lowest id)."""
    cm = C.cumulative(ds, entity, "ad_spend")
    rows = cm.rows
    if rows.empty:
        return None, cm
    order = rows.assign(
        _days=(rows["period_end"] - rows["period_start"]).dt.days, _open=rows["open"].astype(int), _none=rows["firm"].eq("")
    ).sort_values(["_days", "_open", "_none"], ascending=[False, True, True], kind="stable")
    return order.iloc[0], cm


def supplement_level(ds) -> tuple[str, pd.Period, float] | None:
    """The supplement's undated 'nearly 2亿 a month since September 2024' (its start read from its wording, see
    :data:`DATED_BY_WORDING`) when the evidence holds it: (obs_id, first month, CNY a month)."""
    obs = ds.observations
    for oid, (first, _) in DATED_BY_WORDING.items():
        if oid in obs.index:
            return oid, pd.Period(first, freq="M"), float(obs.at[oid, "base_value"])
    return None


def _proportional(weights: pd.Series, amount: float) -> pd.Series:
    total = float(weights.sum())
    if total <= 0:
        weights = pd.Series(1.0, index=weights.index)
        total = float(len(weights))
    return weights * (amount / total) if total else weights * 0.0


def _capped(room: pd.Series, amount: float) -> tuple[pd.Series, float]:
    """Fill up to ``room`` in proportion to it; returns (additions, what is left of ``amount``)."""
    room = room.clip(lower=0.0)
    total = float(room.sum())
    if total <= 0:
        return room * 0.0, amount
    if total >= amount:
        return room * (amount / total), 0.0
    return room, amount - total


def spread_gap(
    base: pd.Series,
    open_months: list,
    gap: float,
    rule: str,
    peak: pd.PeriodIndex,
    supplement: tuple | None = None,
) -> pd.Series:
    """CNY to add to each open month (a Series on ``open_months``) so that they add up to ``gap``, by ``rule`` of
    :data:`SPREAD_RULES`. ``base`` is the 'articles' path; ``peak`` the peak months."""
    if rule not in SPREAD_RULES:
        raise ValueError(f"unknown spread rule {rule!r}; expected one of {', '.join(SPREAD_RULES)}")
    idx = pd.PeriodIndex(open_months, freq="M")
    add = pd.Series(0.0, index=idx)
    if gap <= 0 or not len(idx):
        return add
    b = base.reindex(idx).astype(float)
    if rule == "even":
        return _proportional(pd.Series(1.0, index=idx), gap)
    if rule == "bounds":
        return _proportional(b, gap)
    left = gap
    if rule == "supplement":
        if supplement is None:
            raise ValueError("the 'supplement' rule needs the supplement's level in the evidence")
        _, first, level = supplement
        covered = idx[idx >= first]
        got, left = _capped(level - b.loc[covered], left)
        add.loc[covered] += got
        rest = idx[idx < first]
        if left > 0 and len(rest):  # the capped months stay at the level; the rest goes to the months before it
            add.loc[rest] += _proportional(b.loc[rest], left)
            return add
    else:  # near_peak: by distance to the peak months, each up to the smaller peak month
        cap = float(base.reindex(peak).min())
        dist = pd.Series([min(abs((m - p).n) for p in peak) for m in idx], index=idx)
        for d in sorted(dist.unique()):
            ring = idx[dist == d]
            got, left = _capped(cap - b.loc[ring], left)
            add.loc[ring] += got
            if left <= 0:
                break
    if left > 0:
        add += _proportional(b, left)
    return add


def reconcile(ds, base: pd.DataFrame, entity: str = "kimi") -> Reconciliation:
    """Meet the evidence's cumulative estimate over its window from the 'articles' path ``base``.

    The gap (estimate - the path over the window, a month partly inside counted by its days) is spread over the
    window's *open* months (whole months inside it without a single-month figure: months with only a lower
    bound, or none), by the first rule of :data:`SPREAD_RULES` the evidence allows; every reported month keeps
    its figure and no month falls below its bound. A negative gap (the figures and bounds already exceed the
    estimate) changes nothing. Every rule's additions are kept in ``alternatives``."""
    row, cm = cumulative_estimate(ds, entity)
    sup = supplement_level(ds)
    empty = pd.Series(dtype=float, index=pd.PeriodIndex([], freq="M"))
    if row is None:
        reason = "no cumulative estimate of the ad spend in the evidence" + (
            f" ({'; '.join(f'{i}: {r}' for i, r in cm.reasons.items())})" if len(cm.left_out) else ""
        )
        return Reconciliation(None, None, None, None, "point", "", None, empty, [], {}, sup, cm.left_out, reason)
    start, end = row["period_start"], row["period_end"]
    total, weights = C.path_total(base["spend_yuan"], start, end)
    gap = float(row["base_value"]) - total
    open_months = [m for m in base.index if weights[m] == 1.0 and base.at[m, "status"] != "reported"]
    peak = peak_window(base)
    rules = [r for r in SPREAD_RULES if r != "supplement" or sup is not None]
    alts = {r: spread_gap(base["spend_yuan"], open_months, gap, r, peak, sup) for r in rules}
    rule = "supplement" if sup is not None else "bounds"
    others = cm.rows.drop(index=[row.name])
    reason = "" if gap > 0 else "the figures and bounds already reach the estimate over its window: nothing to spread"
    return Reconciliation(
        str(row.name),
        float(row["base_value"]),
        start,
        end,
        str(row["bound"]),
        rule if gap > 0 else "",
        gap,
        alts[rule],
        open_months,
        alts,
        sup,
        others,
        reason,
    )


def with_spend_after(spend: pd.DataFrame, after: pd.Period, level: float) -> pd.Series:
    """The spend series with every month after ``after`` set to ``level`` (counterfactuals)."""
    s = spend["spend_yuan"].copy()
    s[s.index > after] = level
    return s


def peak_window(spend: pd.DataFrame) -> pd.PeriodIndex:
    """The run of consecutive 'reported' months that holds the largest reported month (AppGrowing's
    October-November 2024 for Kimi); a later reported month (January 2025 in the supplement) is not the peak."""
    rep = spend.index[spend["status"] == "reported"]
    if not len(rep):
        raise DataError("data/observations.csv", message="no single-month spend figure: cannot find the peak months")
    top = spend.loc[rep, "spend_yuan"].astype(float).idxmax()
    run = [top]
    while run[0] - 1 in rep:
        run.insert(0, run[0] - 1)
    while run[-1] + 1 in rep:
        run.append(run[-1] + 1)
    return pd.PeriodIndex(run, name="month")


def mau_targets(ds, entity: str = "kimi", vendor: str = "questmobile", dedupe_tol: float = 0.005) -> pd.DataFrame:
    """The MAU observations the model is fitted to (one vendor), with ``months`` and ``used``.

    A monthly figure lying inside a quarter of the same vendor and within ``dedupe_tol`` of it is
    taken to be the same number (reported once per month, once per quarter) and not used twice:
    the quarterly row (the more precise figure) is kept.
    """
    o = ds.select(entity, "mau", vendor)
    o = o[o["period_start"].notna()].copy()
    if o.empty:
        raise DataError(
            "data/observations.csv",
            message=f"no dated MAU rows for entity {entity!r} from vendor {vendor!r}: nothing to fit the model to",
        )
    o["period"] = o.apply(period_label, axis=1)
    o["months"] = [list(_months(r)) for _, r in o.iterrows()]
    o["n_months"] = o["months"].map(len)
    o["used"] = True
    o["reason"] = ""
    for oid, qid in repeated_figures(o, dedupe_tol).items():
        o.at[oid, "used"] = False
        o.at[oid, "reason"] = f"same number as {qid} (within {dedupe_tol:.1%}); counted once"
    return o.sort_values("period_start")


# --- unit economics ----------------------------------------------------------------------------------
def cost_per_retained_user(cpa: float, compute_cost: float, retention: float | np.ndarray) -> float | np.ndarray:
    """All-in CPA divided by the 30-day retention: what one user still there after a month costs."""
    retention = np.asarray(retention, dtype=float)
    if np.any(retention <= 0) or np.any(retention > 1):
        raise ValueError("retention must be in (0, 1]")
    if cpa < 0 or compute_cost < 0:
        raise ValueError("costs must not be negative")
    out = (cpa + compute_cost) / retention
    return float(out) if out.ndim == 0 else out


def daily_burn_per_month(monthly_spend_yuan: float) -> tuple[float, float]:
    """A month's spend per day in a 30-day and a 31-day month."""
    return monthly_spend_yuan / 30, monthly_spend_yuan / 31


def users_per_budget(budget_yuan: float, cpa: float) -> float:
    if cpa <= 0:
        raise ValueError("cpa must be positive")
    return budget_yuan / cpa


# --- the stock-flow model ----------------------------------------------------------------------------
def cpa_per_month(cpa: float | pd.Series, index: pd.Index) -> np.ndarray:
    """The cost per user of each month of ``index``: a number for every month, or a monthly path (a Series on a
    monthly PeriodIndex, see :func:`cpa_path`; months it does not cover take its nearest month's value)."""
    if isinstance(cpa, pd.Series):
        a = cpa.reindex(index).ffill().bfill().to_numpy(dtype=float)
    else:
        a = np.full(len(index), float(cpa))
    if not len(a) or not np.all(a > 0):
        raise ValueError("cpa must be positive")
    return a


def simulate(
    spend: pd.Series,
    cpa: float | pd.Series,
    churn: float,
    start_users: float = 0.0,
    *,
    first_month_retention: float | None = None,
    organic: float = 0.0,
    saturation_users: float | None = None,
) -> pd.Series:
    """users_t = (1 - churn) * users_{t-1} + spend_t / cpa (an adstock with decay ``churn``); ``cpa`` is a number or
    a monthly path (:func:`cpa_per_month`).

    Options (all off by default, which is the plain adstock):

    * ``first_month_retention`` (cohort model): a month's new users are all active in their first
      month; a share ``first_month_retention`` of them is still there the month after, and from then on
      a share ``churn`` leaves each month (a monthly hazard). ``first_month_retention = 1 - churn`` is
      the adstock.
    * ``organic``: users a month who arrive without ads (added to the inflow).
    * ``saturation_users`` (S): diminishing returns. With R = S minus the users kept from earlier months (the
      room left in the market), a month's spend buys ``R * (1 - exp(-bought / R))`` users instead of ``bought``:
      about ``bought`` while it is small against R, never more than R, so the bought stock cannot exceed S.
    """
    if not 0 <= churn < 1:
        raise ValueError(f"churn must be in [0, 1), got {churn}")
    cpa_m = cpa_per_month(cpa, spend.index) if len(spend) else np.array([])
    if first_month_retention is not None and not 0 <= first_month_retention <= 1:
        raise ValueError(f"first_month_retention must be in [0, 1], got {first_month_retention}")
    if organic < 0:
        raise ValueError("organic inflow must not be negative")
    if saturation_users is not None and saturation_users <= 0:
        raise ValueError("saturation_users must be positive")
    bought = spend.to_numpy(dtype=float) / cpa_m if len(spend) else np.array([])
    out = np.empty_like(bought)
    keep1 = 1 - churn if first_month_retention is None else first_month_retention
    u = start_users  # users active this month
    older = start_users  # users past their first month
    new_prev = 0.0
    for i, x in enumerate(bought):
        older = (1 - churn) * older + keep1 * new_prev
        if saturation_users is not None:
            room = max(saturation_users - older, 0.0)
            x = room * -math.expm1(-float(x) / room) if room > 0 else 0.0  # a Python float: x / room may be inf
        new = x + organic
        u = older + new
        out[i] = u
        new_prev = new
    return pd.Series(out, index=spend.index, name="users")


def model_at_targets(users: pd.Series, targets: pd.DataFrame) -> np.ndarray:
    """The model's value for each target: the month, or the mean over a quarter's months."""
    idx = users.index
    ords = idx.asi8 if isinstance(idx, pd.PeriodIndex) else None
    if ords is not None and len(ords) and ords[-1] - ords[0] == len(ords) - 1:  # consecutive months: by ordinal
        n = len(ords)
        pos = [np.array([(m.ordinal - ords[0]) if 0 <= m.ordinal - ords[0] < n else -1 for m in ms]) for ms in targets["months"]]
    else:
        pos = [idx.get_indexer(cast(Any, list(ms))) for ms in targets["months"]]  # positions of each target's months
    missing = [m for p, ms in zip(pos, targets["months"], strict=True) for i, m in zip(p, ms, strict=True) if i < 0]
    if missing:
        raise DataError(
            "data/observations.csv",
            message=f"MAU observed in {missing[0]}, outside the modelled months {users.index.min()}-{users.index.max()}",
        )
    values = users.to_numpy(dtype=float)
    return np.array([values[p].mean() for p in pos])


def half_life(churn: float) -> float:
    """Months until half of a cohort of bought users is gone: ln 0.5 / ln(1 - churn) (``log1p``: a churn too small
    for 1 - churn to differ from 1 in floating point still has its finite half-life)."""
    if churn <= 0:
        return math.inf
    if churn >= 1:
        return 0.0
    return math.log(0.5) / math.log1p(-churn)


@dataclass
class ChurnFit:
    churn: float
    fitted: bool
    se: float | None
    ci_curvature: tuple[float, float] | None
    ci_profile: tuple[float, float] | None
    sse: float
    n: int
    dof: int
    table: pd.DataFrame  # targets with model value and log residual
    profile: pd.DataFrame  # churn grid and SSE
    jackknife: pd.DataFrame = field(default_factory=pd.DataFrame)
    level: float = 0.95


CHURN_MAX = 0.999


def _residuals(churn: float, spend: pd.Series, cpa: float, targets: pd.DataFrame, **model_opts) -> np.ndarray:
    model = model_at_targets(simulate(spend, cpa, churn, **model_opts), targets)
    return np.log(model) - np.log(targets["base_value"].to_numpy(dtype=float))


def _least_squares(spend, cpa, targets, **model_opts) -> optimize.OptimizeResult:
    # start from the best point of a coarse grid: the SSE can have a flat shoulder
    grid = np.linspace(0.0, 0.95, 96)
    start = grid[np.argmin([np.sum(_residuals(c, spend, cpa, targets, **model_opts) ** 2) for c in grid])]
    return optimize.least_squares(
        lambda p: _residuals(p[0], spend, cpa, targets, **model_opts),
        x0=[start],
        bounds=([0.0], [CHURN_MAX]),
        method="trf",
        xtol=1e-12,
        ftol=1e-12,
    )


def fit_churn(
    spend: pd.Series, cpa: float, targets: pd.DataFrame, churn: float | str = "fit", level: float = 0.95, **model_opts
) -> ChurnFit:
    """Fit (or evaluate, when ``churn`` is a number) the monthly churn against the used targets.

    Uncertainty: a curvature-based interval (Jacobian of the log residuals, t with n - 1 degrees of
    freedom) and a profile interval {c : SSE(c) <= SSE_min * (1 + F(level; 1, n - 1) / (n - 1))}, the
    standard interval for one parameter of a nonlinear least-squares fit; plus leave-one-out refits.
    """
    used = targets[targets["used"]]
    n = len(used)
    if n == 0:
        raise DataError("data/observations.csv", message="no MAU observation left to fit the model to")
    grid = np.round(np.arange(0.0, CHURN_MAX, 0.001), 3)
    sse_grid = np.array([np.sum(_residuals(c, spend, cpa, used, **model_opts) ** 2) for c in grid])
    profile = pd.DataFrame({"churn": grid, "sse": sse_grid})
    dof = n - 1
    se = ci_c = ci_p = None
    fitted = churn == "fit"
    if fitted:
        res = _least_squares(spend, cpa, used, **model_opts)
        c = float(res.x[0])
        if dof > 0:
            sse = float(np.sum(res.fun**2))
            jtj = float(res.jac[:, 0] @ res.jac[:, 0])
            if jtj > 0:
                se = math.sqrt(sse / dof / jtj)
                t = stats.t.ppf(0.5 + level / 2, dof)
                ci_c = (float(max(0.0, c - t * se)), float(min(CHURN_MAX, c + t * se)))
            thresh = sse * (1 + stats.f.ppf(level, 1, dof) / dof)
            inside = profile["sse"] <= thresh
            # the connected run of grid points around the optimum
            i0 = int(np.argmin(np.abs(grid - c)))
            lo = hi = i0
            while lo > 0 and inside.iloc[lo - 1]:
                lo -= 1
            while hi < len(grid) - 1 and inside.iloc[hi + 1]:
                hi += 1
            ci_p = (float(min(grid[lo], c)), float(max(grid[hi], c)))
    else:
        c = float(churn)
    model = model_at_targets(simulate(spend, cpa, c, **model_opts), used)
    table = used[["entity", "metric", "period_start", "period_end", "n_months", "base_value", "vendor", "source_id"]].copy()
    table["model"] = model
    table["log_residual"] = np.log(model) - np.log(table["base_value"])
    table["relative_error"] = model / table["base_value"] - 1
    jk = []
    if fitted and n > 2:
        for oid in used.index:
            r = _least_squares(spend, cpa, used.drop(index=oid), **model_opts)
            jk.append({"left_out": oid, "churn": float(r.x[0]), "half_life_months": half_life(float(r.x[0]))})
    return ChurnFit(
        churn=c,
        fitted=fitted,
        se=se,
        ci_curvature=ci_c,
        ci_profile=ci_p,
        sse=float(np.sum(table["log_residual"] ** 2)),
        n=n,
        dof=dof,
        table=table,
        profile=profile,
        jackknife=pd.DataFrame(jk),
        level=level,
    )


def counterfactuals(
    spend: pd.DataFrame, cpa: float, churn: float, saturation_users: float | None = None, **model_opts
) -> pd.DataFrame:
    """Users under the chosen path, 'spend continued' (last reported month's level) and 'spend stopped' (zero).

    'Spend continued' has diminishing returns: with ``saturation_users`` the bought inflow shrinks as the stock
    approaches that market size (see :func:`simulate`), so continued spend cannot buy more users than exist."""
    last = spend.attrs.get("last_data_month", spend.index[spend["data"]].max())
    level = float(spend.loc[last, "spend_yuan"])
    paths = {
        "chosen spend path": (spend["spend_yuan"], None),
        "spend continued": (with_spend_after(spend, last, level), saturation_users),
        "spend stopped": (with_spend_after(spend, last, 0.0), None),
    }
    return pd.DataFrame({k: simulate(v, cpa, churn, saturation_users=sat, **model_opts) for k, (v, sat) in paths.items()})


def churn_by_cpa_and_path(
    ds, targets: pd.DataFrame, end, cpas: dict[str, float], paths=None, level: float = 0.95, **model_opts
) -> pd.DataFrame:
    """The churn fitted to the same MAU points at every CPA reading and every spend path (a joint profile).

    One row per (cpa, spend path): the fitted churn, its half-life, the sum of squared log errors and
    ``allowed``: whether the pair fits about as well as the best pair (SSE <= SSE_min * (1 + 2 F(level; 2, n - 2)
    / (n - 2)), the profile region for two parameters, CPA and churn; with n = 2 points every pair is allowed).
    The data pin churn only jointly with the CPA: the range over allowed rows is what they allow."""
    paths = list(SPEND_PATHS) if paths is None else list(paths)
    used = targets[targets["used"]]
    rows = []
    for path in paths:
        sp = monthly_spend(ds, path, end)["spend_yuan"]
        for key, cpa in cpas.items():
            res = _least_squares(sp, float(cpa), used, **model_opts)
            c = float(res.x[0])
            rows.append(
                {
                    "cpa_reading": key,
                    "cpa_yuan": float(cpa),
                    "spend_path": path,
                    "churn": c,
                    "half_life_months": half_life(c),
                    "sse": float(np.sum(res.fun**2)),
                }
            )
    out = pd.DataFrame(rows)
    n = len(used)
    dof = n - 2
    if dof > 0:
        thresh = out["sse"].min() * (1 + 2 * stats.f.ppf(level, 2, dof) / dof)
        out["allowed"] = out["sse"] <= thresh
    else:
        out["allowed"] = True
    out.attrs.update(n=n, level=level)
    return out


#: The articles' readings of the cost per acquired user: key, observation id, what the reading is.
#: The contested-input registry (:mod:`kimi_research.analysis.contested`) builds its 'cpa' input from these.
CPA_READINGS = (
    ("10", "o004_20", "about 10元, an investor in article 004"),
    ("30", "o000_13", "30元 on Bilibili, article 000 (hearsay)"),
    ("12.5", "o004_21", "12-13元 all-in, article 004, read at its middle as the cost of a user bought"),
)


def cpa_readings(ds) -> dict[str, float]:
    """Each reading's value in CNY, looked up by observation id (a range at its middle)."""
    out = {}
    for key, oid, _ in CPA_READINGS:
        r = ds.observations.loc[oid]
        lo, hi = float(r["base_value"]), r.get("base_value_high")
        out[key] = (lo + float(hi)) / 2 if hi is not None and pd.notna(hi) else lo
    return out


# --- paid-acquisition economics ---------------------------------------------------------------------------
#: the ad-only cost-per-user metric (article 004's 12-13元 'cpa_all_in' includes the compute of serving the user)
CPA_METRIC = "cpa"


def ad_cpa_rows(ds, entity: str = "kimi") -> pd.DataFrame:
    """The advertising-only cost-per-user rows of the evidence, one per measurement (a figure repeated by several
    sources, or linked by ``same_as``, counts once), cheapest first, with ``obs_ids`` (the repeats)."""
    o = ds.select(entity, CPA_METRIC)
    if o.empty:
        return o.assign(obs_ids=pd.Series(dtype=object))
    meas = measurement_ids(o)
    kept = o[o.index == meas.reindex(o.index)].copy()
    kept["obs_ids"] = [";".join(sorted(meas.index[meas == i])) for i in kept.index]
    return kept.sort_values(["base_value", "period_start"], kind="stable")


def cpa_path(ds, spend: pd.DataFrame, entity: str = "kimi") -> tuple[pd.Series, pd.DataFrame]:
    """The dated cost-per-user readings as a monthly path over ``spend``'s months (option ``cpa_path = "rising"``).

    Each ad-only reading (:func:`ad_cpa_rows`) is a step at the month of its period's midpoint (30元 for early 2024 on
    Bilibili; 50元 in November 2024, the supplement's 'from 30元 at the start of the year to 50元'); an undated
    reading ('about 10元 when spending was aggressive') is placed at the peak month of the spend path, our reading.
    Between steps the CPA moves linearly; before the first and after the last it stays flat. Two readings placed in
    one month are averaged. Returns (CNY per user by month, the steps: month, cpa_yuan, obs_ids, placed)."""
    rows = ad_cpa_rows(ds, entity)
    if rows.empty:
        raise DataError("data/observations.csv", message=f"no cost-per-user row ('{CPA_METRIC}') for {entity!r}")
    peak_month = peak_window(spend)[0] if (spend["status"] == "reported").any() else spend.index[0]
    top = spend.loc[peak_window(spend), "spend_yuan"].idxmax() if (spend["status"] == "reported").any() else peak_month
    steps = []
    for _, r in rows.iterrows():
        dated = pd.notna(r["period_start"])
        month = pd.Timestamp(r["period_mid"]).to_period("M") if dated else top
        steps.append(
            {
                "month": month,
                "cpa_yuan": float(r["base_value"]),
                "obs_ids": r["obs_ids"],
                "placed": "its period" if dated else "undated: placed at the peak month of spend (our reading)",
            }
        )
    st = (
        pd.DataFrame(steps)
        .groupby("month", sort=True)
        .agg(cpa_yuan=("cpa_yuan", "mean"), obs_ids=("obs_ids", ";".join), placed=("placed", "; ".join))
    )
    idx = spend.index
    x = np.array([(m - idx[0]).n for m in st.index], dtype=float)
    path = np.interp(np.arange(len(idx), dtype=float), x, st["cpa_yuan"].to_numpy(dtype=float))
    return pd.Series(path, index=idx, name="cpa_yuan"), st


def users_bought(spend: pd.Series, cpa: float | pd.Series) -> float:
    """Users a spend series buys at a cost per user (a number or a monthly path)."""
    return float((spend.to_numpy(dtype=float) / cpa_per_month(cpa, spend.index)).sum())


def retention_floor(spend: pd.Series, cpa: float | pd.Series, months: list, mau: float, organic: float = 0.0) -> float | None:
    """The least 30-day retention at which the users a spend path bought (plus ``organic`` a month) can account for
    ``mau`` over ``months`` (a month, or a quarter compared through its months' mean), taking the most generous case:
    nobody who stays past the first 30 days ever leaves. With n_m new users in month m and retention r, month m
    holds n_m + r x (new users of every earlier month); r = (MAU - mean n_m) / mean(earlier new users), at least 0.
    None when even r = 1 falls short (bought users alone cannot reach the MAU)."""
    new: pd.Series = pd.Series(spend.to_numpy(dtype=float) / cpa_per_month(cpa, spend.index) + organic, index=spend.index)
    earlier = new.cumsum() - new
    own, before = float(new.reindex(months).mean()), float(earlier.reindex(months).mean())
    if mau <= own:
        return 0.0
    if before <= 0:
        return None
    r = (mau - own) / before
    return None if r > 1 else r


def retention_floors(
    ds, readings: dict[str, float], after: pd.Series, months: list, end, organic: float = 0.0, rising: pd.Series | None = None
) -> dict[str, dict[str, float | None]]:
    """{spend path: {CPA reading: :func:`retention_floor`}} for the MAU ``after`` the peak over its ``months``: the
    least 30-day retention each (path, CPA) pair needs to reach it; ``rising`` adds the dated CPA path."""
    floors: dict[str, dict[str, float | None]] = {}
    for p in SPEND_PATHS:
        sp_p = monthly_spend(ds, p, end)["spend_yuan"]
        floors[p] = {k: retention_floor(sp_p, v, months, float(after["base_value"]), organic) for k, v in readings.items()}
        if rising is not None:
            floors[p]["rising"] = retention_floor(sp_p, rising, months, float(after["base_value"]), organic)
    return floors


def retention_floor_range(ds) -> tuple[float, float, str] | None:
    """The least and the largest :func:`retention_floor` over every spend path and ad-only CPA reading of ``ds``
    (no organic users, the first QuestMobile MAU after the peak window), and that MAU's observation id: what the MAU
    points imply about 30-day retention (notebook 05 reads it as the top of its retention range). None when no
    pair can reach the MAU."""
    targets = mau_targets(ds)
    used = targets[targets["used"]]
    sp = monthly_spend(ds, "articles")
    if sp.empty or used.empty:
        return None
    window = peak_window(sp)
    later = used[used["period_start"] > window[-1].to_timestamp(how="end")]
    if later.empty:
        return None
    after = later.iloc[0]
    end = max(m for ms in targets["months"] for m in ms)
    readings = {f"{float(v):g}": float(v) for v in ad_cpa_rows(ds)["base_value"]}
    floors = retention_floors(ds, readings, after, list(after["months"]), end)
    reach = [f for d in floors.values() for f in d.values() if f is not None]
    return (min(reach), max(reach), str(after.name)) if reach else None


def lifetime_revenue(revenue_per_month: float, retention_30d: float, churn: float) -> float:
    """Revenue of one bought user over its life: its first month, then a share ``retention_30d`` that leaves at
    ``churn`` a month: revenue x (1 + r / churn); infinite with no churn (and some retention and revenue)."""
    if revenue_per_month <= 0:
        return 0.0
    if churn <= 0:
        return math.inf if retention_30d > 0 else revenue_per_month
    return revenue_per_month * (1 + retention_30d / churn)


def payback_months(cost: float, revenue_per_month: float, retention_30d: float, churn: float) -> float | None:
    """Months until a bought user's revenue covers its cost (``cost``: the CPA plus the compute of serving it), or
    None: never. The user is active all of its first month, a share ``retention_30d`` after it, and that share
    shrinks by ``churn`` a month (continuous in time: revenue accrues evenly within a month)."""
    if cost <= 0:
        return 0.0
    if revenue_per_month <= 0:
        return None
    if cost <= revenue_per_month:
        return cost / revenue_per_month
    need = cost / revenue_per_month - 1  # months of a fully active user still to pay for after the first
    if retention_30d <= 0:
        return None
    if churn <= 0:
        return 1 + need / retention_30d
    left = 1 - need * churn / retention_30d  # (1 - churn)^k must fall to this
    if left <= 0:
        return None
    return 1 + math.log(left) / math.log(1 - churn)


# --- events for the time charts -------------------------------------------------------------------------
KEY_EVENT_KINDS = ["ad_campaign", "funding", "model_launch"]


def key_events(ds, entity: str = "kimi") -> pd.DataFrame:
    """The events of :func:`events_for` that matter for spend: campaigns, funding and model launches."""
    ev = events_for(ds, entity)
    return ev[ev["kind"].isin(KEY_EVENT_KINDS)]


# --- notebook 02 as typed sections ---------------------------------------------------------------------
#: retentions at which the cost-per-retained-user chart draws its curves (0.5% to 100%)
RETENTION_GRID = np.geomspace(0.005, 1, 200)


class Basis(Section):
    """Which evidence the run used."""

    evidence: str = Field(description="the evidence the run used: 'articles' or 'all'")


class SpendPath(Section):
    """Month by month, what did Kimi spend, and which months are data and which assumption?"""

    spend_path: str = Field(description="the spend path: how months without a figure are filled (adspend.SPEND_PATHS)")
    peak_month: str = Field(description="the month of the largest single-month spend figure (YYYY-MM)")
    peak_monthly_spend_yuan: float = Field(description="that month's spend, CNY")
    peak_window: list[str] = Field(description="the run of consecutive reported months that holds the peak (YYYY-MM)")
    peak_window_spend_yuan: float = Field(description="spend over the peak window, CNY")
    spend_to_last_report_yuan: float = Field(description="spend on the path up to the last month with a figure, CNY")
    spend_floor_yuan_per_month: float = Field(description="the pre-peak 'almost every month' lower bound, CNY a month")
    spend_by_month_yuan: dict[str, float] = Field(description="the spend path, CNY per month (YYYY-MM)")
    spend_status_by_month: dict[str, str] = Field(description="reported / lower bound / interpolated / assumption")

    description: str = shown("what the path assumes, in words")
    floor_obs: list[str] = shown("the observations that give the pre-peak floor")
    peak_row: pd.Series = shown("the row of the largest single-month figure")
    spend: pd.DataFrame = shown("one row per month: spend_yuan, status, obs_ids, data")
    rows: pd.DataFrame = shown("every spend row of Kimi, with period, per_month, lower_bound, source and vendor_name")
    undated_peaks: pd.DataFrame = shown("the undated 'peak month' figures (conflict group kimi_peak_ad_spend)")
    twenty: pd.Series = shown("the undated '20天烧钱1个亿' row")
    last_data: pd.Period = shown("the last month with a figure of its own")
    window: pd.PeriodIndex = shown("the peak window")
    span: pd.PeriodIndex = shown("the months of the 'almost every month' span")
    events: pd.DataFrame = shown("campaigns, funding and model launches for the time axis")
    source: Citation = shown("the rows the timeline shows")


class RivalSpend(Section):
    """Did Kimi outspend Doubao and Yuanbao in its peak months?"""

    kimi_months: pd.DataFrame = shown("Kimi's months with a figure of their own (the spend path's data months)")
    rivals: pd.DataFrame = shown("Doubao's and Yuanbao's spend rows")
    same_quarter: pd.DataFrame = shown("the rivals' rows for the quarter that starts with the peak window")
    kimi_peak_per_month: float = shown("the smaller month of Kimi's peak window, CNY")
    outspend: float = shown("Kimi's peak month floor over the larger rival's monthly average in that quarter")
    window: pd.PeriodIndex = shown("the peak window")
    names: dict[str, Name] = shown("entity names")
    source: Citation = shown("the rows the chart shows")


class UnitEconomics(Section):
    """The articles' unit economics reproduced: what a day of the peak cost, and what 1亿元 buys."""

    peak_daily_burn_yuan: list[float] = Field(description="[30-day month, 31-day month]")
    article_daily_burn_yuan: float = Field(description="the article's own daily figure (o003_07)")
    hypothetical_daily_burn_yuan: list[float] = Field(description="article 004's 20万 users a day x its 12-13元, CNY a day")
    parameter_daily_burn_yuan: float = Field(description="daily_new_users x (cpa_yuan + compute cost), CNY a day")
    burn_20_days_per_day_yuan: float = Field(description="'20天烧钱1个亿' per day, CNY")
    users_per_100m_yuan: float = Field(description="users bought with 1亿元 at the cpa_yuan parameter")
    users_per_100m_yuan_by_cpa_row: dict[str, float] = Field(description="the same at each CPA row of the articles")
    all_in_cpa_yuan: float = Field(description="cpa_yuan + compute_cost_per_user_yuan, CNY")

    daily_new_users: int = shown("parameter")
    peak_row: pd.Series = shown("the peak month's row")
    burn_article: pd.Series = shown("'相当于每天烧掉700万' (o003_07)")
    burn_hypo_article: pd.Series = shown("'一天就得烧掉约250万元' (o004_23)")
    new_users_row: pd.Series = shown("article 004's hypothetical new users a day")
    all_in: pd.Series = shown("article 004's all-in cost per user (a range)")
    twenty: pd.Series = shown("'20天烧钱1个亿'")
    cpa_rows: pd.DataFrame = shown("the articles' CPA rows, cheapest first")
    source: Citation = shown("the rows of the unit-economics chart")


class RetainedUserCost(Section):
    """What did a user still active after 30 days cost?"""

    cost_per_retained_user_yuan: float = Field(description="all-in CPA / 30-day retention, CNY")
    cost_per_retained_user_is_lower_bound: bool = Field(
        description="True when the retention is an upper bound ('under 1%'): the cost per retained user is then a floor"
    )

    cpa_yuan: float = shown("parameter")
    compute_cost_per_user_yuan: float = shown("parameter")
    retention_30d: float = shown("parameter")
    all_in_cpa_yuan: float = shown("cpa_yuan + compute_cost_per_user_yuan, CNY")
    retention_row: pd.Series = shown("the rumoured 30-day retention")
    model_churn: float = shown("the stock-flow model's monthly churn (section 7)")
    cost_at_model_keep: float = shown("the cost per retained user at the model's monthly keep rate")
    retention_curve: pd.DataFrame = shown("cost per retained user over RETENTION_GRID: one column per CPA (CNY)")
    curve_sources: dict[float, str] = shown("CPA -> the rows it comes from, or 'parameter'")
    source: Citation = shown("the rows of the cost-per-retained-user chart")


class BoughtVsKept(Section):
    """How many users did the peak spend buy, and how many were active after it?"""

    users_bought_peak_window: float = Field(
        description="peak-window spend / cpa_yuan (with cpa_path 'rising': each month's spend / that month's CPA)"
    )
    users_kept_30d_peak_window: float = Field(description="those users x retention_30d")
    mau_after_peak: float = Field(description="the first QuestMobile MAU after the peak window")
    mau_after_peak_obs: str = Field(description="its observation id")

    @computed_field(description="mau_after_peak / users_bought_peak_window")  # type: ignore[prop-decorator]
    @property
    def mau_to_bought_ratio(self) -> float:
        return self.mau_after_peak / self.users_bought_peak_window

    cpa_yuan: float = shown("parameter")
    cpa_text: str = shown("the cost per user in words: 'CNY 10' or 'the dated CPA path'")
    retention_30d: float = shown("parameter")
    after: pd.Series = shown("the MAU row after the peak")
    window: pd.PeriodIndex = shown("the peak window")
    window_spend: float = shown("spend over the peak window, CNY")
    by_reading: pd.DataFrame = shown("users bought at each CPA row: value_text, cpa_yuan, users, share_of_mau")
    cpa_in_rows: bool = shown("whether the cpa_yuan parameter is one of the articles' CPA rows")
    spend_to_last: float = shown("spend up to the last month with a figure, CNY")
    bought_to_last: float = shown("users that spend bought at cpa_yuan")
    last_data: pd.Period = shown("the last month with a figure")
    source: Citation = shown("the rows of the chart")


class StockFlowFit(Section):
    """Which monthly churn of bought users matches QuestMobile's MAU, and how well is it pinned down?"""

    fitted_monthly_churn: float = Field(description="the churn fitted (or given by monthly_churn)")
    churn_fitted: bool = Field(description="False when monthly_churn was given")
    churn_se: float | None = Field(description="standard error of the fitted churn (curvature)")
    churn_ci_profile: list[float | None] | None = Field(description="profile interval of the churn")
    churn_ci_curvature: list[float | None] | None = Field(description="curvature (Jacobian) interval of the churn")
    churn_jackknife: dict[str, float] = Field(description="the churn refitted without each point: left-out obs -> churn")
    bought_user_half_life_months: float | None = Field(description="ln 0.5 / ln(1 - churn), months")
    half_life_ci_months: list[float | None] | None = Field(
        description="the half-life at the interval's two churns (None: no upper limit)"
    )
    fit_points: int = Field(description="MAU points fitted")
    fit_relative_errors: dict[str, float] = Field(description="model / observed - 1 at each point")
    observed_mau_change: float = Field(description="last fitted MAU / first - 1")
    observed_mau_monthly_change: float = Field(description="the same per month (compound)")

    cpa_yuan: float = shown("parameter")
    cpa_text: str = shown("the cost per user in words")
    spend_path: str = shown("parameter")
    fit: ChurnFit = shown("the fit: table, profile, jackknife")
    targets: pd.DataFrame = shown("QuestMobile's MAU rows with months, used and reason")
    first_t: pd.Series = shown("the first fitted point")
    last_t: pd.Series = shown("the last fitted point")
    worst: str = shown("the point the model misses most")
    points_source: Citation = shown("the fitted rows")


class ModelledUsers(Section):
    """How many bought users does the fitted model keep each month, against every MAU figure?"""

    churn: float = shown("the churn of the model")
    churn_ci: list[float] | None = shown("its profile interval")
    level: float = shown("the interval's confidence level")
    cpa_yuan: float = shown("parameter")
    cpa_text: str = shown("the cost per user in words")
    spend_path: str = shown("parameter")
    users: pd.Series = shown("bought users still active, by month")
    users_ci: tuple[pd.Series, pd.Series] | None = shown("bought users at the interval's two churns")
    bought_per_month: pd.Series = shown("users bought each month (spend / cpa_yuan)")
    targets: pd.DataFrame = shown("QuestMobile's MAU rows (used or counted once)")
    others: pd.DataFrame = shown("Kimi's MAU from other firms (or none named), not fitted, with who")
    last_data: pd.Period = shown("the last month with a spend figure")
    events: pd.DataFrame = shown("events for the time axis")
    source: Citation = shown("the rows of the chart")


class ChurnByCpaAndPath(Section):
    """Which churns do the MAU points allow over every CPA reading and spend path?"""

    churn_by_cpa_and_path: list[dict[str, Any]] = Field(
        description="the churn fitted at every CPA reading x spend path: cpa_reading, cpa_yuan, spend_path, churn, "
        "half_life_months, sse, allowed"
    )
    churn_range_allowed: list[float] = Field(description="[min, max] fitted churn over the pairs the MAU points allow")

    joint: pd.DataFrame = shown("one row per (CPA reading, spend path)")
    n_points: int = shown("MAU points fitted")
    cpa_yuan: float = shown("parameter")
    spend_path: str = shown("parameter")


class Counterfactuals(Section):
    """What if spending had continued, or stopped, after the last reported month?"""

    counterfactual_end_month: str = Field(description="the last modelled month (YYYY-MM)")
    counterfactual_users_end: dict[str, float] = Field(description="bought users in that month under each path")
    saturation_users: float = Field(description="market size of the 'spend continued' counterfactual, users")
    saturation_source: str = Field(description="where it comes from: an observation id or 'parameter saturation_users'")
    saturation_basis: str = Field(
        description="what it is: the largest app's monthly or weekly users (monthly users >= weekly users), "
        "'<entity> <metric>', or 'parameter'"
    )
    first_month_retention: float | str = Field(description="the cohort option of the model ('adstock' or a share)")
    organic_users_per_month: float = Field(description="users a month who arrive without ads (an assumption)")

    cf: pd.DataFrame = shown("bought users by month under the chosen path, spend continued, spend stopped")
    at_last_point: pd.Series = shown("the paths averaged over the last fitted MAU period")
    last_t: pd.Series = shown("the last fitted MAU row")
    used: pd.DataFrame = shown("the fitted MAU rows")
    last_data: pd.Period = shown("the last month with a spend figure")
    continued_level: float = shown("the spend of 'spend continued', CNY a month")
    months_after: int = shown("modelled months after the last reported month")
    path_spend_after: float = shown("what the chosen path spends over those months, CNY")
    churn: float = shown("the churn every path uses")
    cpa_yuan: float = shown("parameter")
    cpa_text: str = shown("the cost per user in words")
    spend_path: str = shown("parameter")
    saturation_is_largest_app: bool = shown("saturation_users = 'largest_app'")
    saturation_label: str = shown("the market size's app and metric in words, e.g. 'Doubao's weekly users'")
    events: pd.DataFrame = shown("events for the time axis")
    source: Citation = shown("the rows of the chart")


class CostBase(Section):
    """If the peak ad bill was article 003's share of all cost, what did Kimi spend in total? (bridge to 03)"""

    ad_spend_share: float = Field(description="article 003's ad-spend share (o003_*)")
    implied_total_monthly_cost_yuan: float = Field(description="peak month / share, CNY a month")
    implied_total_monthly_cost_range_yuan: list[float] = Field(description="[with the lower undated peak, with the peak]")

    peak_row: pd.Series = shown("the peak month's row")
    share_row: pd.Series = shown("the ad-spend share row")
    low_peak: pd.Series = shown("the lower undated 'peak month' figure")


class Rise(Section):
    """Where was spending while Kimi's daily users grew?"""

    dau: pd.DataFrame = shown("Kimi's DAU points of one series (comparable.trend), by date")
    dau_growth: float = shown("last DAU / first DAU")
    first_spend: pd.Series = shown("the row of the first month on the spend path")


class EvidenceComparison(Section):
    """The key figures with the articles only and with the public-report supplement."""

    table: pd.DataFrame | None = shown("one column per evidence setting; None without the full dataset")
    creatives: pd.DataFrame = shown("the supplement's ad-creative changes (not spend; not modelled)")


class PathTotal(BaseModel):
    """One spend path against the cumulative estimate's window."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path_total: float | None = Field(description="the path summed over the window, CNY (a month partly inside by its days)")
    gap: float | None = Field(
        description="reported_total - path_total, CNY (positive: the path is below the trackers; null: no reported total)"
    )
    gap_share: float | None = Field(description="gap / reported_total (null: no reported total)")


class CumulativeCheckResult(BaseModel):
    """The spend path against the trackers' own cumulative estimate (results key ``cumulative_check``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    reported_total: float | None = Field(description="the cumulative estimate, CNY (null: none in the evidence; see reason)")
    reported_obs: str | None = Field(description="its observation id")
    window: list[str] | None = Field(description="its window [first day, last day] (YYYY-MM-DD)")
    reported_bound: str | None = Field(description="'point' or 'lower' (a total written as '超')")
    reason: str = Field(description="why reported_total is null, and what the evidence alone allows; '' otherwise")
    path: str = Field(description="the spend path checked (parameter spend_path)")
    path_total: float | None = Field(description="that path summed over the window, CNY")
    gap: float | None = Field(description="reported_total - path_total, CNY")
    gap_share: float | None = Field(description="gap / reported_total")
    figures_allow: float | None = Field(
        description="the least the figures and bounds allow over the window: reported months at their value, bounds at "
        "their bound, nothing in months without a figure (the 'lower_bounds' path), CNY"
    )
    by_path: dict[str, PathTotal] = Field(description="every spend path over the same window")
    spread_rule: str = Field(description="how the reconciled path spreads the gap (a key of adspend.SPREAD_RULES; '' none)")


class CumulativeCheck(Section):
    """Does the spend path meet the trackers' own cumulative estimate over its window, and how is the gap spread?"""

    cumulative_check: CumulativeCheckResult = Field(
        description="the chosen spend path, and every other, against the cumulative estimate of the evidence"
    )
    reconciled_spend_by_month_yuan: dict[str, float] = Field(
        description="the 'reconciled' path, CNY per month (YYYY-MM), whatever spend_path is chosen (= the 'articles' path "
        "when the evidence has no cumulative estimate)"
    )
    spread_alternatives: dict[str, dict[str, float]] = Field(
        description="spread rule -> the reconciled path's open months under it, CNY per month (YYYY-MM)"
    )

    reconciliation: Reconciliation = shown("the reconciliation of the reconciled path")
    paths: pd.DataFrame = shown("month -> spend on every path, CNY (columns: SPEND_PATHS)")
    weights: pd.Series | None = shown("month -> the share of it inside the window (None without a window)")
    window_label: str = shown("the window in words")
    rules: dict[str, str] = shown("SPREAD_RULES")
    evidence: str = shown("the evidence of the run")
    source: Citation = shown("the cumulative row and the monthly figures")


class CpaStep(BaseModel):
    """One step of the dated cost-per-user path."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    month: str = Field(description="YYYY-MM the reading is placed at")
    cpa_yuan: float = Field(description="CNY per acquired user")
    obs_ids: str = Field(description="its rows (';'-separated: one measurement)")
    placed: str = Field(description="how it is dated: its period, or our reading of an undated row")


class PaybackCell(BaseModel):
    """Months for a bought user's revenue to cover its cost at one CPA and one retention reading."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    months: float | None = Field(description="months to pay back (null: never, see lifetime_revenue_yuan)")
    cost_yuan: float = Field(description="CPA + compute cost of serving the user, CNY")
    lifetime_revenue_yuan: float | None = Field(description="the user's revenue over its life, CNY (null: no end, no churn)")


class Payback(BaseModel):
    """The payback estimate: conditional on an assumed revenue per active user."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    revenue_per_active_user_yuan: float = Field(description="the assumption (parameter), CNY a month")
    monthly_churn_after_first_month: float = Field(description="the churn a retained user leaves at (the model's)")
    retention_readings: dict[str, float] = Field(description="reading -> 30-day retention used")
    months: dict[str, dict[str, PaybackCell]] = Field(description="retention reading -> CPA (CNY) -> payback")
    condition: str = Field(description="what the estimate assumes, in words")


class ImpliedRetention(BaseModel):
    """The 30-day retention the MAU points imply, and how it is computed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    floor_by_cpa_and_path: dict[str, dict[str, float | None]] = Field(
        description="spend path -> CPA reading -> the least 30-day retention at which bought users alone reach the MAU "
        "after the peak (null: not even at 100%: organic users needed)"
    )
    floor_range: list[float] | None = Field(description="[min, max] of those floors (null: none reachable)")
    model_keep_range: list[float] | None = Field(
        description="[min, max] of 1 - churn over the (CPA, path) pairs the MAU points allow: the adstock's 30-day retention"
    )
    mau_obs: str = Field(description="the MAU the floors are computed against")
    how: str = Field(description="how it is computed, in words")


class PaidAcquisition(Section):
    """What did the peak buy at each cost per user, what retention do the MAU points imply, and does a bought user pay back?"""

    cpa_path_steps: list[CpaStep] = Field(
        description="the dated cost-per-user readings as a path (parameter cpa_path = 'rising'), each with its rows"
    )
    users_bought_at_peak_by_cpa: dict[str, float] = Field(
        description="CPA reading (CNY, ad only; 'rising': the dated path) -> users the peak window's spend buys"
    )
    peak_bought_more_than_mau_up_to_cpa_yuan: float = Field(
        description="peak-window spend / the MAU after it: the CPA below which the peak bought more users than were "
        "active the month after"
    )
    implied_retention_range: list[float] | None = Field(
        description="[lowest floor, highest model keep rate]: the 30-day retentions the MAU points imply (see implied_retention)"
    )
    implied_retention: ImpliedRetention = Field(description="the floors, the model's keep rates and how they are computed")
    payback: Payback = Field(description="months for a bought user's revenue to cover its cost (conditional)")

    window: pd.PeriodIndex = shown("the peak window")
    window_spend: float = shown("its spend, CNY")
    mau_after: float = shown("the MAU after it")
    cpa_rows: pd.DataFrame = shown("the ad-only CPA rows, one per measurement")
    cpa_by_month: pd.Series = shown("the dated CPA path by month")
    rumour_row: pd.Series = shown("the rumoured 30-day retention row")
    evidence: str = shown("the evidence of the run")
    source: Citation = shown("the CPA rows, the peak months and the MAU row")


class BubbleAnalysis(Analysis):
    """Notebook 02: what Kimi's paid traffic bought, what it kept, and which churn the MAU points allow."""

    notebook: ClassVar[str] = "02_ad_spend_bubble"

    basis: Basis
    spend_path: SpendPath
    rivals: RivalSpend
    unit_economics: UnitEconomics
    retained: RetainedUserCost
    bought_vs_kept: BoughtVsKept
    fit: StockFlowFit
    modelled: ModelledUsers
    joint: ChurnByCpaAndPath
    counterfactuals: Counterfactuals
    cumulative: CumulativeCheck
    acquisition: PaidAcquisition
    cost_base: CostBase
    rise: Rise
    evidence_comparison: EvidenceComparison


def market_size(ds, P) -> tuple[float, str, str, str]:
    """The 'spend continued' counterfactual's market size: the parameter, or the largest app's users.

    "largest_app": the largest monthly or weekly users of any app in the evidence (points and lower bounds, each
    measurement once, through :func:`C.levels`): monthly users are at least the weekly users, so an app's WAU
    bounds the market from below as its MAU does (Doubao's 15520万 a week in December 2025 is larger than Kimi's
    own '3600万以上'). Aggregates (all AI apps) and companies are not apps. Returns (users, obs id or
    'parameter saturation_users', entity, metric)."""
    if P.saturation_users != "largest_app":
        return float(P.saturation_users), "parameter saturation_users", "", ""
    apps = list(ds.entities.index[ds.entities["kind"] == "app"]) if "kind" in ds.entities.columns else None
    lv = C.levels(ds, ["mau", "wau"], apps, prefer=None).rows
    lv = lv[lv["bound"].isin(["point", "lower", "range"]) & ~lv["special_day"]]
    if lv.empty:
        raise DataError(
            "data/observations.csv", message="no MAU or WAU row of an app to size the market: set saturation_users to a number"
        )
    top = lv["base_value"].astype(float).idxmax()
    return float(cast(float, lv.at[top, "base_value"])), str(top), str(lv.at[top, "entity"]), str(lv.at[top, "metric"])


def model_options(P) -> dict:
    """The stock-flow options of the parameters, as keyword arguments of :func:`simulate`."""
    return {
        "first_month_retention": None if P.first_month_retention == "adstock" else float(P.first_month_retention),
        "organic": float(P.organic_users_per_month),
    }


def _obs_of(spend: pd.DataFrame, months=None) -> list[str]:
    """The observation ids behind the path's months (all months, or those given)."""
    ids = spend["obs_ids"] if months is None else spend.loc[months, "obs_ids"]
    return [i for s in ids for i in s.split(";") if i]


def _spend_path(ds, P, rows: pd.DataFrame, end: pd.Period) -> SpendPath:
    spend = monthly_spend(ds, P.spend_path, end)
    last_data = spend.attrs["last_data_month"]
    window = peak_window(spend)
    # the largest reported month of the path (a month's own figure: never a window inside it, never a total)
    reported = spend[spend["status"] == "reported"]
    peak_row = cast(
        pd.Series, rows.loc[cast(str, reported.at[reported["spend_yuan"].astype(float).idxmax(), "obs_ids"]).split(";")[0]]
    )
    floor = float(spend.attrs["floor"])
    spans = rows[rows["metric"] == "ad_spend_monthly"]
    undated_peaks = rows[rows["metric"] == "ad_spend_peak_month"]
    return SpendPath(
        spend_path=P.spend_path,
        peak_month=str(pd.Period(peak_row["period_start"], freq="M")),
        peak_monthly_spend_yuan=float(peak_row["base_value"]),
        peak_window=[str(m) for m in window],
        peak_window_spend_yuan=float(spend.loc[window, "spend_yuan"].sum()),
        spend_to_last_report_yuan=float(spend.loc[:last_data, "spend_yuan"].sum()),
        spend_floor_yuan_per_month=floor,
        spend_by_month_yuan={str(m): v for m, v in spend["spend_yuan"].items()},
        spend_status_by_month={str(m): v for m, v in spend["status"].items()},
        description=SPEND_PATHS[P.spend_path],
        floor_obs=sorted(spans.index[spans["per_month"] == floor]),
        peak_row=peak_row,
        spend=spend,
        rows=rows,
        undated_peaks=undated_peaks,
        twenty=rows[rows["duration_days"].notna()].iloc[0],  # '20天烧钱1个亿'
        last_data=last_data,
        window=window,
        span=spend.index[spend["obs_ids"].isin(spans.index)],
        events=key_events(ds, "kimi"),
        source=cite(ds, rows.loc[_obs_of(spend) + list(undated_peaks.index)]),
    )


def _rivals(ds, sp: SpendPath) -> RivalSpend:
    rivals = ds.select(["doubao", "yuanbao"], ["ad_spend", "ad_spend_monthly"])
    window, spend = sp.window, sp.spend
    kimi_peak = float(spend.loc[window, "spend_yuan"].min())
    same_q = rivals[rivals["period_start"].eq(pd.Timestamp(window[0].to_timestamp())) & rivals["period_months"].eq(3)]
    kd = spend[spend["data"]]
    return RivalSpend(
        kimi_months=kd,
        rivals=rivals,
        same_quarter=same_q,
        kimi_peak_per_month=kimi_peak,
        outspend=kimi_peak / same_q["base_value_per_month"].max() if len(same_q) else float("nan"),
        window=window,
        names=names(ds, ["kimi", "doubao", "yuanbao"]),
        source=cite(ds, pd.concat([sp.rows.loc[cast(Any, kd["obs_ids"].str.split(";").explode())], rivals])),
    )


def _unit_economics(ds, P, sp: SpendPath) -> UnitEconomics:
    obs = ds.observations
    peak_row = sp.peak_row
    burn30, burn31 = daily_burn_per_month(float(peak_row["base_value"]))
    cpa_rows = ds.select("kimi", "cpa").sort_values("base_value")
    all_in = ds.select("kimi", "cpa_all_in").iloc[0]
    new_users_row = ds.select("kimi", "daily_new_users").iloc[0]
    burn_article, burn_hypo_article = obs.loc["o003_07"], obs.loc["o004_23"]  # '每天烧掉700万', '一天就得烧掉约250万元'
    all_in_param = P.cpa_yuan + P.compute_cost_per_user_yuan
    return UnitEconomics(
        peak_daily_burn_yuan=[burn30, burn31],
        article_daily_burn_yuan=float(burn_article["base_value"]),
        hypothetical_daily_burn_yuan=[
            P.daily_new_users * all_in["base_value"],
            P.daily_new_users * all_in["base_value_high"],
        ],
        parameter_daily_burn_yuan=P.daily_new_users * all_in_param,
        burn_20_days_per_day_yuan=float(sp.twenty["base_value_per_day"]),
        users_per_100m_yuan=users_per_budget(BUDGET, P.cpa_yuan),
        users_per_100m_yuan_by_cpa_row={oid: users_per_budget(BUDGET, r["base_value"]) for oid, r in cpa_rows.iterrows()},
        all_in_cpa_yuan=all_in_param,
        daily_new_users=P.daily_new_users,
        peak_row=peak_row,
        burn_article=burn_article,
        burn_hypo_article=burn_hypo_article,
        new_users_row=new_users_row,
        all_in=all_in,
        twenty=sp.twenty,
        cpa_rows=cpa_rows,
        source=cite(
            ds,
            obs.loc[
                [peak_row.name, burn_article.name, new_users_row.name, all_in.name, burn_hypo_article.name, sp.twenty.name]
                + list(cpa_rows.index)
            ],
        ),
    )


def _retained(ds, P, cpa_rows: pd.DataFrame, churn: float) -> RetainedUserCost:
    retention_row = ds.select("industry", "retention_30d").iloc[0]
    cpas = sorted({*cpa_rows["base_value"], P.cpa_yuan})
    return RetainedUserCost(
        cost_per_retained_user_yuan=float(cost_per_retained_user(P.cpa_yuan, P.compute_cost_per_user_yuan, P.retention_30d)),
        cost_per_retained_user_is_lower_bound=retention_row["qualifier"] in ("<", "<="),
        cpa_yuan=P.cpa_yuan,
        compute_cost_per_user_yuan=P.compute_cost_per_user_yuan,
        retention_30d=P.retention_30d,
        all_in_cpa_yuan=P.cpa_yuan + P.compute_cost_per_user_yuan,
        retention_row=retention_row,
        model_churn=churn,
        cost_at_model_keep=float(cost_per_retained_user(P.cpa_yuan, P.compute_cost_per_user_yuan, 1 - churn)),
        retention_curve=pd.DataFrame(
            {c: cost_per_retained_user(c, P.compute_cost_per_user_yuan, RETENTION_GRID) for c in cpas},
            index=pd.Index(RETENTION_GRID, name="retention"),
        ),
        curve_sources={c: ", ".join(cpa_rows.index[cpa_rows["base_value"] == c]) or "parameter" for c in cpas},
        source=cite(ds, pd.concat([cpa_rows, ds.observations.loc[[retention_row.name]]])),
    )


def _cpa_text(P) -> str:
    return f"CNY {P.cpa_yuan:g}" if P.cpa_path == "constant" else "the dated CPA path"


def _bought_vs_kept(ds, P, sp: SpendPath, targets: pd.DataFrame, ue: UnitEconomics, rc: RetainedUserCost, cpa) -> BoughtVsKept:
    window = sp.window
    window_spend = sp.peak_window_spend_yuan
    bought = window_spend / P.cpa_yuan if P.cpa_path == "constant" else users_bought(sp.spend.loc[window, "spend_yuan"], cpa)
    after = targets[targets["used"] & (targets["period_start"] > window[-1].to_timestamp(how="end"))].iloc[0]
    mau_after = float(after["base_value"])
    cpa_rows = ue.cpa_rows
    by_reading = pd.DataFrame(
        {
            "value_text": cpa_rows["value_text"],
            "cpa_yuan": cpa_rows["base_value"].astype(float),
            "users": window_spend / cpa_rows["base_value"].astype(float),
        }
    )
    by_reading["share_of_mau"] = by_reading["users"] / mau_after
    return BoughtVsKept(
        users_bought_peak_window=bought,
        users_kept_30d_peak_window=bought * P.retention_30d,
        mau_after_peak=mau_after,
        mau_after_peak_obs=str(after.name),
        cpa_yuan=P.cpa_yuan,
        cpa_text=_cpa_text(P),
        retention_30d=P.retention_30d,
        after=after,
        window=window,
        window_spend=window_spend,
        by_reading=by_reading,
        cpa_in_rows=P.cpa_path == "constant" and P.cpa_yuan in set(cpa_rows["base_value"]),
        spend_to_last=sp.spend_to_last_report_yuan,
        bought_to_last=users_bought(sp.spend.loc[: sp.last_data, "spend_yuan"], cpa),
        last_data=sp.last_data,
        source=cite(
            ds,
            pd.concat(
                [
                    sp.rows.loc[cast(Any, sp.spend.loc[window, "obs_ids"].str.split(";").explode())],
                    cpa_rows,
                    ds.observations.loc[[after.name, rc.retention_row.name]],
                ]
            ),
        ),
    )


def _stock_flow(ds, P, sp: SpendPath, targets: pd.DataFrame, opts: dict, cpa) -> StockFlowFit:
    spend = sp.spend
    fit = fit_churn(spend["spend_yuan"], cpa, targets, P.monthly_churn, **opts)
    churn = fit.churn
    ci = fit.ci_profile
    hl_ci = tuple(sorted((half_life(ci[0]), half_life(ci[1])))) if ci else None
    used = targets[targets["used"]]
    first_t, last_t = used.iloc[0], used.iloc[-1]
    months_between = (last_t["period_mid"] - first_t["period_mid"]).days / DAYS_PER_MONTH
    observed_change = last_t["base_value"] / first_t["base_value"] - 1
    return StockFlowFit(
        fitted_monthly_churn=churn,
        churn_fitted=fit.fitted,
        churn_se=fit.se,
        churn_ci_profile=list(ci) if ci else None,
        churn_ci_curvature=list(fit.ci_curvature) if fit.ci_curvature else None,
        churn_jackknife=(dict(zip(fit.jackknife["left_out"], fit.jackknife["churn"], strict=True)) if len(fit.jackknife) else {}),
        bought_user_half_life_months=half_life(churn),
        half_life_ci_months=list(hl_ci) if hl_ci else None,
        fit_points=fit.n,
        fit_relative_errors=fit.table["relative_error"].to_dict(),
        observed_mau_change=observed_change,
        observed_mau_monthly_change=(1 + observed_change) ** (1 / months_between) - 1,
        cpa_yuan=P.cpa_yuan,
        cpa_text=_cpa_text(P),
        spend_path=P.spend_path,
        fit=fit,
        targets=targets,
        first_t=first_t,
        last_t=last_t,
        worst=str(fit.table["relative_error"].abs().idxmax()),
        points_source=cite(ds, used),
    )


def _modelled_users(ds, P, sp: SpendPath, f: StockFlowFit, opts: dict, cpa) -> ModelledUsers:
    spend, ci, targets = sp.spend["spend_yuan"], f.fit.ci_profile, f.targets
    others = ds.select("kimi", "mau")
    others = others[~others.index.isin(targets.index) & others["period_start"].notna()].copy()
    others["who"] = [ds.name(v) if isinstance(v, str) else "no firm named" for v in others["vendor"]]
    window_rows = sp.rows.loc[cast(Any, sp.spend.loc[sp.window, "obs_ids"].str.split(";").explode())]
    return ModelledUsers(
        churn=f.fitted_monthly_churn,
        churn_ci=list(ci) if ci else None,
        level=f.fit.level,
        cpa_yuan=P.cpa_yuan,
        cpa_text=_cpa_text(P),
        spend_path=P.spend_path,
        users=simulate(spend, cpa, f.fitted_monthly_churn, **opts),
        users_ci=(
            (simulate(spend, cpa, ci[1], **opts), simulate(spend, cpa, ci[0], **opts)) if ci else None
        ),  # bought users at the interval's two churns
        bought_per_month=spend / cpa_per_month(cpa, spend.index),
        targets=targets,
        others=others,
        last_data=sp.last_data,
        events=sp.events,
        source=cite(ds, pd.concat([targets, others, window_rows])),
    )


def _joint(ds, P, targets: pd.DataFrame, end: pd.Period, opts: dict) -> ChurnByCpaAndPath:
    joint = churn_by_cpa_and_path(ds, targets, end, cpa_readings(ds), **opts)
    allowed = joint[joint["allowed"]]
    return ChurnByCpaAndPath(
        churn_by_cpa_and_path=[{k: (bool(v) if k == "allowed" else v) for k, v in r.items()} for r in joint.to_dict("records")],
        churn_range_allowed=[float(allowed["churn"].min()), float(allowed["churn"].max())],
        joint=joint,
        n_points=int(joint.attrs.get("n", 0)),
        cpa_yuan=P.cpa_yuan,
        spend_path=P.spend_path,
    )


def _counterfactuals(ds, P, sp: SpendPath, fit: StockFlowFit, opts: dict, cpa) -> Counterfactuals:
    spend = sp.spend
    saturation, saturation_source, sat_entity, sat_metric = market_size(ds, P)
    cf = counterfactuals(spend, cpa, fit.fitted_monthly_churn, saturation, **opts)
    per = {"mau": "monthly users", "wau": "weekly users"}
    months_after = int((spend.index > sp.last_data).sum())
    used = fit.targets[fit.targets["used"]]
    return Counterfactuals(
        counterfactual_end_month=str(cf.index[-1]),
        counterfactual_users_end=cf.iloc[-1].to_dict(),
        saturation_users=saturation,
        saturation_source=saturation_source,
        saturation_basis=f"{sat_entity} {sat_metric}" if sat_entity else "parameter",
        first_month_retention=P.first_month_retention,
        organic_users_per_month=P.organic_users_per_month,
        cf=cf,
        at_last_point=cf.loc[list(fit.last_t["months"])].mean(),
        last_t=fit.last_t,
        used=used,
        last_data=sp.last_data,
        continued_level=float(cast(float, spend.loc[cast(Any, sp.last_data), "spend_yuan"])),
        months_after=months_after,
        path_spend_after=float(spend["spend_yuan"].iloc[-months_after:].sum()) if months_after else 0.0,
        churn=fit.fitted_monthly_churn,
        cpa_yuan=P.cpa_yuan,
        cpa_text=_cpa_text(P),
        spend_path=P.spend_path,
        saturation_is_largest_app=P.saturation_users == "largest_app",
        saturation_label=f"{ds.name(sat_entity)}'s {per.get(sat_metric, sat_metric)}" if sat_entity else "",
        events=sp.events,
        source=cite(ds, pd.concat([sp.rows.loc[cast(Any, spend.loc[sp.window, "obs_ids"].str.split(";").explode())], used])),
    )


def _firm_of(ds, row) -> str:
    """ "AppGrowing's " for a row with a named firm, '' otherwise."""
    v = row.get("vendor")
    return f"{ds.name(v)}'s " if isinstance(v, str) and v else ""


def _window_label(start, end) -> str:
    return f"{pd.Timestamp(start):%Y-%m-%d} to {pd.Timestamp(end):%Y-%m-%d}"


def _cumulative(full, ds, P, sp: SpendPath, end: pd.Period) -> CumulativeCheck:
    """Every spend path against the evidence's cumulative estimate; with none (the articles), what the figures
    allow over the window the full dataset's estimate covers, when it has one."""
    paths = pd.DataFrame({p: monthly_spend(ds, p, end)["spend_yuan"] for p in SPEND_PATHS})
    reconciled = monthly_spend(ds, "reconciled", end)
    rec: Reconciliation = reconciled.attrs["reconciliation"]
    row, _ = cumulative_estimate(ds)
    reason = ""
    if row is None:
        other, _ = cumulative_estimate(full) if full is not ds else (None, None)
        reason = rec.reason
        if other is not None:
            row_window = (other["period_start"], other["period_end"])
            reason += (
                f"; the full dataset has {_firm_of(full, other)}{other['value_text']} ({other.name}, "
                f"{_window_label(*row_window)}), which evidence '{ds.evidence}' leaves out"
            )
        else:
            row_window = None
    else:
        row_window = (row["period_start"], row["period_end"])
    reported = float(row["base_value"]) if row is not None else None
    by_path, weights = {}, None
    for p in SPEND_PATHS:
        if row_window is None:
            by_path[p] = PathTotal(path_total=None, gap=None, gap_share=None)
            continue
        total, weights = C.path_total(paths[p], *row_window)
        gap = None if reported is None else reported - total
        by_path[p] = PathTotal(path_total=total, gap=gap, gap_share=None if reported is None else (reported - total) / reported)
    chosen = by_path[P.spend_path]
    win = rec.added.index
    alternatives = {
        rule: {str(m): float(paths.at[m, "reconciled"] - rec.added.get(m, 0.0) + a) for m, a in add.items()}
        for rule, add in rec.alternatives.items()
    }
    cite_rows = [*([row.name] if row is not None else []), *_obs_of(sp.spend)]
    if rec.supplement is not None:
        cite_rows.append(rec.supplement[0])
    return CumulativeCheck(
        cumulative_check=CumulativeCheckResult(
            reported_total=reported,
            reported_obs=str(row.name) if row is not None else None,
            window=[f"{d:%Y-%m-%d}" for d in row_window] if row_window is not None else None,
            reported_bound=str(row["bound"]) if row is not None else None,
            reason=reason,
            path=P.spend_path,
            path_total=chosen.path_total,
            gap=chosen.gap,
            gap_share=chosen.gap_share,
            figures_allow=by_path["lower_bounds"].path_total,
            by_path=by_path,
            spread_rule=rec.rule,
        ),
        reconciled_spend_by_month_yuan={str(m): float(v) for m, v in reconciled["spend_yuan"].items()},
        spread_alternatives=alternatives if len(win) else {},
        reconciliation=rec,
        paths=paths,
        weights=weights,
        window_label=_window_label(*row_window) if row_window is not None else "",
        rules=SPREAD_RULES,
        evidence=ds.evidence,
        source=cite(ds, ds.observations.loc[[i for i in dict.fromkeys(cite_rows) if i in ds.observations.index]]),
    )


def _acquisition(
    ds, P, sp: SpendPath, targets: pd.DataFrame, bk: BoughtVsKept, fit: StockFlowFit, joint: ChurnByCpaAndPath, end, opts
) -> PaidAcquisition:
    """The users the peak bought at each ad-only CPA reading and on the dated CPA path, the retention the MAU after
    the peak implies, and the payback of a bought user at an assumed revenue per active user."""
    window, window_spend, spend = sp.window, sp.peak_window_spend_yuan, sp.spend
    cpa_rows = ad_cpa_rows(ds)
    path, steps = cpa_path(ds, spend)
    readings = {f"{float(v):g}": float(v) for v in cpa_rows["base_value"]}
    bought = {k: window_spend / v for k, v in readings.items()}
    bought["rising"] = users_bought(spend.loc[window, "spend_yuan"], path)
    after = bk.after
    months = list(cast(list, targets.at[after.name, "months"]))
    organic = float(P.organic_users_per_month)
    floors = retention_floors(ds, readings, after, months, end, organic, rising=path)
    reachable = [f for d in floors.values() for f in d.values() if f is not None]
    allowed = [r["churn"] for r in joint.churn_by_cpa_and_path if r["allowed"]]
    keep = [1 - max(allowed), 1 - min(allowed)] if allowed else None
    floor_range = [min(reachable), max(reachable)] if reachable else None
    lows = [x for x in [floor_range[0] if floor_range else None, keep[0] if keep else None] if x is not None]
    highs = [x for x in [floor_range[1] if floor_range else None, keep[1] if keep else None] if x is not None]
    implied_range = [min(lows), max(highs)] if lows else None
    rumour = ds.select("industry", "retention_30d")
    rumour_row = rumour.iloc[0] if len(rumour) else None
    churn = fit.fitted_monthly_churn
    ret = {"model keeps (1 - churn)": 1 - churn}
    chosen_floor = floors[P.spend_path].get(f"{P.cpa_yuan:g}") if P.cpa_path == "constant" else floors[P.spend_path]["rising"]
    if chosen_floor is not None:
        ret["least the MAU allow"] = chosen_floor
    if rumour_row is not None:
        under = "under " if rumour_row["qualifier"] in ("<", "<=") else ""
        ret[f"the rumour: {under}{rumour_row['value_text']} ({rumour_row.name})"] = float(rumour_row["base_value"])
    cost_cpas = sorted({*readings.values(), *([P.cpa_yuan] if P.cpa_path == "constant" else [])})
    cells: dict[str, dict[str, PaybackCell]] = {}
    for name, r in ret.items():
        cells[name] = {}
        for c in cost_cpas:
            cost = c + P.compute_cost_per_user_yuan
            life = lifetime_revenue(P.revenue_per_active_user_yuan, r, churn)
            cells[name][f"{c:g}"] = PaybackCell(
                months=payback_months(cost, P.revenue_per_active_user_yuan, r, churn),
                cost_yuan=cost,
                lifetime_revenue_yuan=None if math.isinf(life) else life,
            )
    condition = (
        f"if an active user brought {P.revenue_per_active_user_yuan:g}元 a month (parameter revenue_per_active_user_yuan: "
        f"an assumption, no article gives Kimi's revenue), a bought user cost its CPA plus {P.compute_cost_per_user_yuan:g}元 "
        f"of compute, was active its first month, a share (the retention reading) stayed after 30 days and that share "
        f"left at the model's {churn:.1%} a month"
    )
    how = (
        f"Floors: with n_m users bought in month m (spend / CPA, plus organic_users_per_month) and nobody who stays past "
        f"30 days ever leaving (the most generous case), {after.name}'s MAU ({_wan(float(after['base_value']))}) needs a "
        "30-day retention of at least (MAU - n_m) / (users bought before m), per spend path and CPA reading. Model keep "
        "rates: 1 - churn of the stock-flow fit over the (CPA, path) pairs the MAU points allow (in the adstock the "
        "first month keeps 1 - churn too). The range runs from the lowest floor to the highest keep rate."
    )
    mau_rows = ds.observations.loc[[after.name]]
    return PaidAcquisition(
        cpa_path_steps=[
            CpaStep(month=str(m), cpa_yuan=float(r["cpa_yuan"]), obs_ids=r["obs_ids"], placed=r["placed"])
            for m, r in steps.iterrows()
        ],
        users_bought_at_peak_by_cpa=bought,
        peak_bought_more_than_mau_up_to_cpa_yuan=window_spend / float(after["base_value"]),
        implied_retention_range=implied_range,
        implied_retention=ImpliedRetention(
            floor_by_cpa_and_path=floors, floor_range=floor_range, model_keep_range=keep, mau_obs=str(after.name), how=how
        ),
        payback=Payback(
            revenue_per_active_user_yuan=P.revenue_per_active_user_yuan,
            monthly_churn_after_first_month=churn,
            retention_readings=ret,
            months=cells,
            condition=condition,
        ),
        window=window,
        window_spend=window_spend,
        mau_after=float(after["base_value"]),
        cpa_rows=cpa_rows,
        cpa_by_month=path,
        rumour_row=rumour_row if rumour_row is not None else pd.Series(dtype=object),
        evidence=ds.evidence,
        source=cite(ds, pd.concat([cpa_rows, sp.rows.loc[_obs_of(spend, window)], mau_rows])),
    )


def _wan(v: float) -> str:
    """A user count in words for the analysis' own explanations ('2101万')."""
    return f"{v / 1e4:,.0f}万"


def _cost_base(ds, sp: SpendPath) -> CostBase:
    share_row = ds.select("kimi", "ad_spend_share").iloc[0]
    peak = sp.peak_monthly_spend_yuan
    low_peak = sp.undated_peaks.loc[cast(Any, sp.undated_peaks["base_value"].idxmin())]
    return CostBase(
        ad_spend_share=float(share_row["base_value"]),
        implied_total_monthly_cost_yuan=peak / share_row["base_value"],
        implied_total_monthly_cost_range_yuan=[
            sp.undated_peaks["base_value"].min() / share_row["base_value"],
            peak / share_row["base_value"],
        ],
        peak_row=sp.peak_row,
        share_row=share_row,
        low_peak=low_peak,
    )


def _rise(ds, sp: SpendPath) -> Rise:
    # one series through the comparability layer: points of one source or firm inside the study window, no special day
    # (an unattributed 36Kr pair is never joined to another source's unattributed figure)
    dau = C.trend(ds, "kimi", "dau").rows.sort_values("period_start")
    return Rise(
        dau=dau,
        dau_growth=dau["base_value"].iloc[-1] / dau["base_value"].iloc[0] if len(dau) > 1 else float("nan"),
        first_spend=sp.rows.loc[sp.spend["obs_ids"].iloc[0].split(";")[0]],
    )


def _key_figures(an: BubbleAnalysis) -> dict[str, Any]:
    """What the evidence comparison shows of one setting."""
    spend = an.spend_path.spend
    jan = spend.loc[spend.index == pd.Period("2025-01", freq="M")]
    lo, hi = an.joint.churn_range_allowed
    return {
        "spend months with a figure": int(spend["data"].sum()),
        "last month with a spend figure": str(an.spend_path.last_data),
        "spend in January 2025": ((float(jan["spend_yuan"].iloc[0]), str(jan["status"].iloc[0])) if len(jan) else None),
        "MAU points fitted": an.fit.fit_points,
        "churn at the chosen CPA and path": an.fit.fitted_monthly_churn,
        "churn range (CPA x path)": (lo, hi),
        "cumulative estimate": an.cumulative.cumulative_check.reported_total,
        "'articles' path over its window": an.cumulative.cumulative_check.by_path["articles"].path_total,
        "reconciled path over its window": an.cumulative.cumulative_check.by_path["reconciled"].path_total,
    }


def _evidence_comparison(ds, P) -> EvidenceComparison:
    """Key figures under both evidence settings (needs the full dataset: ``ds.evidence == 'all'``)."""
    creatives = ds.select("kimi", "ad_creatives_change") if P.evidence == "all" else ds.observations.iloc[:0]
    if ds.evidence != "all":
        return EvidenceComparison(table=None, creatives=creatives)
    out = {}
    for ev in ("articles", "all"):
        out[ev] = _key_figures(analyse(ds, P.model_copy(update={"evidence": ev}), compare=False))
    return EvidenceComparison(table=pd.DataFrame(out), creatives=creatives)


def analyse(ds, P, compare: bool = True) -> BubbleAnalysis:
    """The articles' spend figures, unit economics, the monthly spend path, the stock-flow fit and its counterfactuals.

    ``ds`` is the full dataset (``kr.load()``); the analysis uses ``P.evidence`` of it, and with ``compare``
    also computes the key figures under both evidence settings. Raises DataError when Kimi has no spend rows
    or no MAU to fit to."""
    full = ds
    ds = ds.with_evidence(P.evidence)
    rows = spend_rows(ds, "kimi")  # DataError if Kimi has no spend rows
    targets = mau_targets(ds, "kimi", "questmobile")  # DataError if there is no MAU to fit to
    rows["source"] = rows["source_id"].map(lambda s: f"{s} {ds.sources.at[s, 'producer_en']}")
    rows["vendor_name"] = rows["vendor"].map(lambda v: ds.name(v) if isinstance(v, str) and v else "(none named)")
    kimi_users = ds.select("kimi", ["mau", "wau", "dau"])
    end = max(pd.Period(kimi_users["period_end"].max(), freq="M"), max(m for ms in targets["months"] for m in ms))
    opts = model_options(P)
    sp = _spend_path(ds, P, rows, end)
    cpa = P.cpa_yuan if P.cpa_path == "constant" else cpa_path(ds, sp.spend)[0]
    fit = _stock_flow(ds, P, sp, targets, opts, cpa)
    ue = _unit_economics(ds, P, sp)
    rc = _retained(ds, P, ue.cpa_rows, fit.fitted_monthly_churn)
    bk = _bought_vs_kept(ds, P, sp, targets, ue, rc, cpa)
    joint = _joint(ds, P, targets, end, opts)
    return BubbleAnalysis(
        parameters=P,
        basis=Basis(evidence=P.evidence),
        spend_path=sp,
        rivals=_rivals(ds, sp),
        unit_economics=ue,
        retained=rc,
        bought_vs_kept=bk,
        fit=fit,
        modelled=_modelled_users(ds, P, sp, fit, opts, cpa),
        joint=joint,
        counterfactuals=_counterfactuals(ds, P, sp, fit, opts, cpa),
        cumulative=_cumulative(full, ds, P, sp, end),
        acquisition=_acquisition(ds, P, sp, targets, bk, fit, joint, end, opts),
        cost_base=_cost_base(ds, sp),
        rise=_rise(ds, sp),
        evidence_comparison=(
            _evidence_comparison(full, P) if compare else EvidenceComparison(table=None, creatives=rows.iloc[:0])
        ),
    )

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
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import Field, computed_field
from scipy import optimize, stats

from kimi_research.analysis.sections import Analysis, Section, shown
from kimi_research.data.labels import Citation, Name, cite, names
from kimi_research.data.loader import repeated_figures
from kimi_research.data.periods import period_label
from kimi_research.data.units import DAYS_PER_MONTH
from kimi_research.errors import DataError

SPEND_PATHS = {
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
}

SPEND_METRICS = ["ad_spend", "ad_spend_monthly", "ad_spend_peak_month"]
KIMI_FAMILY_EXTRA_EVENTS = ["e_deepseek_r1"]  # the rival launch the articles treat as the turning point
STATUS_ORDER = ["reported", "lower bound", "interpolated", "assumption"]
BUDGET = 1e8  # one 亿元: the unit the articles count campaigns in
#: value kinds that are never one month's spend (a total over a span, a change over a period)
NOT_A_MONTH = ("cumulative", "change")


# --- data selections -------------------------------------------------------------------------------
def spend_rows(ds, entity: str = "kimi") -> pd.DataFrame:
    """Every spend row of an entity (dated or not), with its monthly rate and a period label."""
    o = ds.select(entity, SPEND_METRICS)
    if o.empty:
        raise DataError("data/observations.csv", message=f"no ad-spend rows ({', '.join(SPEND_METRICS)}) for {entity!r}")
    o = o.copy()
    o["period"] = o.apply(period_label, axis=1)
    # a level per month (ad_spend_monthly, ad_spend_peak_month) is already a monthly rate
    o["per_month"] = np.where(o["metric"] == "ad_spend", o["base_value_per_month"], o["base_value"])
    o["lower_bound"] = o["qualifier"].isin([">", ">="])
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


def spend_data_by_month(ds, entity: str = "kimi") -> pd.DataFrame:
    """Per calendar month with a dated figure: value (CNY), kind ('point', 'lower bound', 'span bound'), obs ids.

    A single-month row is a 'point' (= or ~) or a 'lower bound' (> or >=); a level for a span of months
    (ad_spend_monthly) gives a 'span bound' in each month. A single-month figure wins over a span bound;
    two single-month rows for the same month (the same AppGrowing figure in two articles) are combined,
    keeping the larger value.
    """
    o = spend_rows(ds, entity)
    o = o[o["period_start"].notna() & o["metric"].isin(["ad_spend", "ad_spend_monthly"])]
    # a total over a span (value_kind 'cumulative') or a change is not a month's spend: never a month's value
    if "value_kind" in o.columns:
        o = o[~o["value_kind"].isin(NOT_A_MONTH)]
    rank = {"point": 0, "lower bound": 1, "span bound": 2}
    rows = []
    for oid, r in o.iterrows():
        months = _months(r)
        if r["metric"] == "ad_spend_monthly" or len(months) > 1:
            kind = "span bound" if r["lower_bound"] else "point"
            for m in months:
                rows.append({"month": m, "value": r["per_month"], "kind": kind, "obs_id": oid})
        else:
            rows.append(
                {
                    "month": months[0],
                    "value": r["base_value"],
                    "kind": "lower bound" if r["lower_bound"] else "point",
                    "obs_id": oid,
                }
            )
    if not rows:
        raise DataError("data/observations.csv", message=f"no dated ad-spend rows for {entity!r}")
    d = pd.DataFrame(rows)
    d["rank"] = d["kind"].map(rank)
    best = d.groupby("month")["rank"].transform("min")
    d = d[d["rank"] == best]
    out = d.groupby("month").agg(
        value=("value", "max"), kind=("kind", "first"), obs_ids=("obs_id", lambda s: ";".join(sorted(s)))
    )
    return out.sort_index()


def monthly_spend(ds, path: str = "articles", end: str | pd.Period | None = None, entity: str = "kimi") -> pd.DataFrame:
    """One row per month from the first month with spend data to ``end``: spend_yuan, status, obs_ids, data.

    ``status`` is 'reported' (a single-month figure), 'lower bound' (a single-month or span lower bound used
    at its bound), 'interpolated' or 'assumption' (no figure for the month); ``data`` is True for months with
    a figure of their own (reported or bounded). See :data:`SPEND_PATHS`.
    """
    if path not in SPEND_PATHS:
        raise ValueError(f"unknown spend_path {path!r}; expected one of {', '.join(SPEND_PATHS)}")
    data = spend_data_by_month(ds, entity)
    first, last = data.index.min(), data.index.max()
    end = pd.Period(end, freq="M") if end is not None else last
    idx = pd.period_range(first, max(end, last), freq="M")
    spans = data[data["kind"] == "span bound"]
    floor = float(spans["value"].min()) if len(spans) else 0.0
    singles = data[data["kind"] != "span bound"]
    out = pd.DataFrame(index=pd.PeriodIndex(idx, name="month"), columns=["spend_yuan", "status", "obs_ids", "data"])
    for m in idx:
        if m in data.index:
            r = data.loc[m]
            if r["kind"] == "point":
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
            out.loc[m] = [fill, "assumption", "", False]
    out["spend_yuan"] = out["spend_yuan"].astype(float)
    out["data"] = out["data"].astype(bool)
    out["status"] = out["status"].astype(str)
    out["obs_ids"] = out["obs_ids"].astype(str)
    out.attrs.update(path=path, floor=floor, last_data_month=last)
    return out


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
def simulate(
    spend: pd.Series,
    cpa: float,
    churn: float,
    start_users: float = 0.0,
    *,
    first_month_retention: float | None = None,
    organic: float = 0.0,
    saturation_users: float | None = None,
) -> pd.Series:
    """users_t = (1 - churn) * users_{t-1} + spend_t / cpa (an adstock with decay ``churn``).

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
    if cpa <= 0:
        raise ValueError("cpa must be positive")
    if first_month_retention is not None and not 0 <= first_month_retention <= 1:
        raise ValueError(f"first_month_retention must be in [0, 1], got {first_month_retention}")
    if organic < 0:
        raise ValueError("organic inflow must not be negative")
    if saturation_users is not None and saturation_users <= 0:
        raise ValueError("saturation_users must be positive")
    bought = spend.to_numpy(dtype=float) / cpa
    out = np.empty_like(bought)
    keep1 = 1 - churn if first_month_retention is None else first_month_retention
    u = start_users  # users active this month
    older = start_users  # users past their first month
    new_prev = 0.0
    for i, x in enumerate(bought):
        older = (1 - churn) * older + keep1 * new_prev
        if saturation_users is not None:
            room = max(saturation_users - older, 0.0)
            x = room * -math.expm1(-x / room) if room > 0 else 0.0
        new = x + organic
        u = older + new
        out[i] = u
        new_prev = new
    return pd.Series(out, index=spend.index, name="users")


def model_at_targets(users: pd.Series, targets: pd.DataFrame) -> np.ndarray:
    """The model's value for each target: the month, or the mean over a quarter's months."""
    missing = [m for ms in targets["months"] for m in ms if m not in users.index]
    if missing:
        raise DataError(
            "data/observations.csv",
            message=f"MAU observed in {missing[0]}, outside the modelled months {users.index.min()}-{users.index.max()}",
        )
    return np.array([users.loc[ms].mean() for ms in targets["months"]])


def half_life(churn: float) -> float:
    """Months until half of a cohort of bought users is gone: ln 0.5 / ln(1 - churn)."""
    if churn <= 0:
        return math.inf
    if churn >= 1:
        return 0.0
    return math.log(0.5) / math.log(1 - churn)


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

    users_bought_peak_window: float = Field(description="peak-window spend / cpa_yuan")
    users_kept_30d_peak_window: float = Field(description="those users x retention_30d")
    mau_after_peak: float = Field(description="the first QuestMobile MAU after the peak window")
    mau_after_peak_obs: str = Field(description="its observation id")

    @computed_field(description="mau_after_peak / users_bought_peak_window")  # type: ignore[prop-decorator]
    @property
    def mau_to_bought_ratio(self) -> float:
        return self.mau_after_peak / self.users_bought_peak_window

    cpa_yuan: float = shown("parameter")
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
    spend_path: str = shown("parameter")
    saturation_is_largest_app: bool = shown("saturation_users = 'largest_app'")
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

    dau: pd.DataFrame = shown("Kimi's DAU rows by date")
    dau_growth: float = shown("last DAU / first DAU")
    first_spend: pd.Series = shown("the row of the first month on the spend path")


class EvidenceComparison(Section):
    """The key figures with the articles only and with the public-report supplement."""

    table: pd.DataFrame | None = shown("one column per evidence setting; None without the full dataset")
    creatives: pd.DataFrame = shown("the supplement's ad-creative changes (not spend; not modelled)")


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
    cost_base: CostBase
    rise: Rise
    evidence_comparison: EvidenceComparison


def market_size(ds, P) -> tuple[float, str]:
    """The 'spend continued' counterfactual's market size: the parameter, or the largest MAU of any app."""
    if P.saturation_users != "largest_app":
        return float(P.saturation_users), "parameter saturation_users"
    # exact figures and lower bounds ('3600万以上': at least that many were reached)
    mau = ds.observations[(ds.observations["metric"] == "mau") & ds.observations["qualifier"].isin(["=", "~", ">", ">="])]
    if mau.empty:
        raise DataError("data/observations.csv", message="no MAU row to size the market: set saturation_users to a number")
    top = mau["base_value"].idxmax()
    return float(mau.at[top, "base_value"]), str(top)


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
    dated_months = rows[rows["metric"].eq("ad_spend") & rows["period_months"].eq(1)]
    peak_row = dated_months.loc[dated_months["base_value"].idxmax()]
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
        source=cite(ds, pd.concat([sp.rows.loc[kd["obs_ids"].str.split(";").explode()], rivals])),
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


def _bought_vs_kept(ds, P, sp: SpendPath, targets: pd.DataFrame, ue: UnitEconomics, rc: RetainedUserCost) -> BoughtVsKept:
    window = sp.window
    window_spend = sp.peak_window_spend_yuan
    bought = window_spend / P.cpa_yuan
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
        retention_30d=P.retention_30d,
        after=after,
        window=window,
        window_spend=window_spend,
        by_reading=by_reading,
        cpa_in_rows=P.cpa_yuan in set(cpa_rows["base_value"]),
        spend_to_last=sp.spend_to_last_report_yuan,
        bought_to_last=sp.spend_to_last_report_yuan / P.cpa_yuan,
        last_data=sp.last_data,
        source=cite(
            ds,
            pd.concat(
                [
                    sp.rows.loc[sp.spend.loc[window, "obs_ids"].str.split(";").explode()],
                    cpa_rows,
                    ds.observations.loc[[after.name, rc.retention_row.name]],
                ]
            ),
        ),
    )


def _stock_flow(ds, P, sp: SpendPath, targets: pd.DataFrame, opts: dict) -> StockFlowFit:
    spend = sp.spend
    fit = fit_churn(spend["spend_yuan"], P.cpa_yuan, targets, P.monthly_churn, **opts)
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
        spend_path=P.spend_path,
        fit=fit,
        targets=targets,
        first_t=first_t,
        last_t=last_t,
        worst=str(fit.table["relative_error"].abs().idxmax()),
        points_source=cite(ds, used),
    )


def _modelled_users(ds, P, sp: SpendPath, f: StockFlowFit, opts: dict) -> ModelledUsers:
    spend, ci, targets = sp.spend["spend_yuan"], f.fit.ci_profile, f.targets
    others = ds.select("kimi", "mau")
    others = others[~others.index.isin(targets.index) & others["period_start"].notna()].copy()
    others["who"] = [ds.name(v) if isinstance(v, str) else "no firm named" for v in others["vendor"]]
    window_rows = sp.rows.loc[sp.spend.loc[sp.window, "obs_ids"].str.split(";").explode()]
    return ModelledUsers(
        churn=f.fitted_monthly_churn,
        churn_ci=list(ci) if ci else None,
        level=f.fit.level,
        cpa_yuan=P.cpa_yuan,
        spend_path=P.spend_path,
        users=simulate(spend, P.cpa_yuan, f.fitted_monthly_churn, **opts),
        users_ci=(
            (simulate(spend, P.cpa_yuan, ci[1], **opts), simulate(spend, P.cpa_yuan, ci[0], **opts)) if ci else None
        ),  # bought users at the interval's two churns
        bought_per_month=spend / P.cpa_yuan,
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


def _counterfactuals(ds, P, sp: SpendPath, fit: StockFlowFit, opts: dict) -> Counterfactuals:
    spend = sp.spend
    saturation, saturation_source = market_size(ds, P)
    cf = counterfactuals(spend, P.cpa_yuan, fit.fitted_monthly_churn, saturation, **opts)
    months_after = int((spend.index > sp.last_data).sum())
    used = fit.targets[fit.targets["used"]]
    return Counterfactuals(
        counterfactual_end_month=str(cf.index[-1]),
        counterfactual_users_end=cf.iloc[-1].to_dict(),
        saturation_users=saturation,
        saturation_source=saturation_source,
        first_month_retention=P.first_month_retention,
        organic_users_per_month=P.organic_users_per_month,
        cf=cf,
        at_last_point=cf.loc[list(fit.last_t["months"])].mean(),
        last_t=fit.last_t,
        used=used,
        last_data=sp.last_data,
        continued_level=float(spend.loc[sp.last_data, "spend_yuan"]),
        months_after=months_after,
        path_spend_after=float(spend["spend_yuan"].iloc[-months_after:].sum()) if months_after else 0.0,
        churn=fit.fitted_monthly_churn,
        cpa_yuan=P.cpa_yuan,
        spend_path=P.spend_path,
        saturation_is_largest_app=P.saturation_users == "largest_app",
        events=sp.events,
        source=cite(ds, pd.concat([sp.rows.loc[spend.loc[sp.window, "obs_ids"].str.split(";").explode()], used])),
    )


def _cost_base(ds, sp: SpendPath) -> CostBase:
    share_row = ds.select("kimi", "ad_spend_share").iloc[0]
    peak = sp.peak_monthly_spend_yuan
    low_peak = sp.undated_peaks.loc[sp.undated_peaks["base_value"].idxmin()]
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
    dau = ds.select("kimi", "dau").sort_values("period_start")
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
    fit = _stock_flow(ds, P, sp, targets, opts)
    ue = _unit_economics(ds, P, sp)
    rc = _retained(ds, P, ue.cpa_rows, fit.fitted_monthly_churn)
    return BubbleAnalysis(
        parameters=P,
        basis=Basis(evidence=P.evidence),
        spend_path=sp,
        rivals=_rivals(ds, sp),
        unit_economics=ue,
        retained=rc,
        bought_vs_kept=_bought_vs_kept(ds, P, sp, targets, ue, rc),
        fit=fit,
        modelled=_modelled_users(ds, P, sp, fit, opts),
        joint=_joint(ds, P, targets, end, opts),
        counterfactuals=_counterfactuals(ds, P, sp, fit, opts),
        cost_base=_cost_base(ds, sp),
        rise=_rise(ds, sp),
        evidence_comparison=(
            _evidence_comparison(full, P) if compare else EvidenceComparison(table=None, creatives=rows.iloc[:0])
        ),
    )

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

import numpy as np
import pandas as pd
from scipy import optimize, stats

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


def month_mid(idx: pd.PeriodIndex) -> pd.DatetimeIndex:
    """Middle of each month (for plotting monthly values on a date axis)."""
    start = idx.to_timestamp(how="start")
    end = idx.to_timestamp(how="end")
    return pd.DatetimeIndex(start + (end - start) / 2).normalize()


# --- events for the time charts -------------------------------------------------------------------------
KEY_EVENT_KINDS = ["ad_campaign", "funding", "model_launch"]


def key_events(ds, entity: str = "kimi") -> pd.DataFrame:
    """The events of :func:`events_for` that matter for spend: campaigns, funding and model launches."""
    ev = events_for(ds, entity)
    return ev[ev["kind"].isin(KEY_EVENT_KINDS)]


_users_per_budget = users_per_budget  # analyse() names its result users_per_budget


# --- the whole analysis of notebook 02 ------------------------------------------------------------
@dataclass
class BubbleAnalysis:
    """Everything notebook 02 shows, computed once from the validated parameters (CNY, users, months)."""

    rows: pd.DataFrame
    targets: pd.DataFrame
    dated_months: pd.DataFrame
    peak_row: pd.Series
    peak: float
    peak_month: pd.Period
    burn30: float
    burn31: float
    undated_peaks: pd.DataFrame
    burn_article: pd.Series
    twenty: pd.Series
    cpa_rows: pd.DataFrame
    all_in: pd.Series
    new_users_row: pd.Series
    burn_hypo_article: pd.Series
    burn_hypo: tuple
    all_in_param: float
    burn_param: float
    users_per_budget: dict
    users_per_budget_param: float
    retention_row: pd.Series
    cost_retained: float
    share_row: pd.Series
    implied_cost: float
    implied_cost_low: float
    spend: pd.DataFrame
    last_data: pd.Period
    window: pd.PeriodIndex
    window_spend: float
    bought: float
    kept: float
    after: pd.Series
    mau_after: float
    spend_to_last: float
    bought_to_last: float
    floor: float
    fit: ChurnFit
    churn: float
    hl: float
    ci: tuple | None  # profile interval of the churn (None when the churn is given)
    hl_ci: tuple | None
    users: pd.Series
    cf: pd.DataFrame
    used: pd.DataFrame
    first_t: pd.Series
    last_t: pd.Series
    months_between: float
    observed_change: float
    observed_monthly: float
    cf_at_last: pd.Series
    worst: str
    rivals: pd.DataFrame
    kimi_peak_pm: float
    q4: pd.DataFrame
    hi_cpa: pd.Series
    lo_cpa: pd.Series
    others: pd.DataFrame
    users_ci: tuple | None  # bought users at the interval's two churns
    n_after: int
    low_peak: pd.Series
    dau: pd.DataFrame
    dau_growth: float
    span: pd.PeriodIndex
    first_spend: pd.Series
    joint: pd.DataFrame  # churn fitted at every CPA reading x spend path (churn_by_cpa_and_path)
    churn_range: tuple  # (min, max) churn over the pairs the MAU points allow
    saturation: float  # market size of the 'spend continued' counterfactual, users
    saturation_source: str  # where it comes from (an observation id, or 'parameter')
    model_opts: dict  # the stock-flow options (cohort, organic inflow) every simulation uses


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


def analyse(ds, P) -> BubbleAnalysis:
    """The articles' spend figures, unit economics, the monthly spend path, the stock-flow fit and its counterfactuals.

    Raises DataError when Kimi has no spend rows or no MAU to fit to."""
    rows = spend_rows(ds, "kimi")  # DataError if Kimi has no spend rows
    targets = mau_targets(ds, "kimi", "questmobile")  # DataError if there is no MAU to fit to
    # --- the articles' figures, all from data/observations.csv -------------------------------------
    obs = ds.observations
    dated_months = rows[rows["metric"].eq("ad_spend") & rows["period_months"].eq(1)]
    peak_row = dated_months.loc[dated_months["base_value"].idxmax()]
    peak = float(peak_row["base_value"])
    peak_month = pd.Period(peak_row["period_start"], freq="M")
    burn30, burn31 = daily_burn_per_month(peak)
    undated_peaks = rows[rows["metric"] == "ad_spend_peak_month"]
    burn_article = obs.loc["o003_07"]  # '相当于每天烧掉700万'
    twenty = rows[rows["duration_days"].notna()].iloc[0]  # '20天烧钱1个亿'
    cpa_rows = ds.select("kimi", "cpa").sort_values("base_value")
    all_in = ds.select("kimi", "cpa_all_in").iloc[0]
    new_users_row = ds.select("kimi", "daily_new_users").iloc[0]
    burn_hypo_article = obs.loc["o004_23"]  # '一天就得烧掉约250万元'
    burn_hypo = (P.daily_new_users * all_in["base_value"], P.daily_new_users * all_in["base_value_high"])
    all_in_param = P.cpa_yuan + P.compute_cost_per_user_yuan
    burn_param = P.daily_new_users * all_in_param
    users_per_budget = {oid: _users_per_budget(BUDGET, r["base_value"]) for oid, r in cpa_rows.iterrows()}
    users_per_budget_param = _users_per_budget(BUDGET, P.cpa_yuan)
    retention_row = ds.select("industry", "retention_30d").iloc[0]
    cost_retained = cost_per_retained_user(P.cpa_yuan, P.compute_cost_per_user_yuan, P.retention_30d)
    share_row = ds.select("kimi", "ad_spend_share").iloc[0]
    implied_cost = peak / share_row["base_value"]
    implied_cost_low = undated_peaks["base_value"].min() / share_row["base_value"]

    # --- the monthly spend path and users bought vs kept --------------------------------------------
    kimi_users = ds.select("kimi", ["mau", "wau", "dau"])
    end = max(pd.Period(kimi_users["period_end"].max(), freq="M"), max(m for ms in targets["months"] for m in ms))
    spend = monthly_spend(ds, P.spend_path, end)
    last_data = spend.attrs["last_data_month"]
    window = peak_window(spend)
    window_spend = float(spend.loc[window, "spend_yuan"].sum())
    bought = window_spend / P.cpa_yuan
    kept = bought * P.retention_30d
    after = targets[targets["used"] & (targets["period_start"] > window[-1].to_timestamp(how="end"))].iloc[0]
    mau_after = float(after["base_value"])
    spend_to_last = float(spend.loc[:last_data, "spend_yuan"].sum())
    bought_to_last = spend_to_last / P.cpa_yuan
    floor = spend.attrs["floor"]
    # --- the stock-flow model -----------------------------------------------------------------------
    opts = model_options(P)
    fit = fit_churn(spend["spend_yuan"], P.cpa_yuan, targets, P.monthly_churn, **opts)
    churn = fit.churn
    hl = half_life(churn)
    ci = fit.ci_profile
    hl_ci = tuple(sorted((half_life(ci[0]), half_life(ci[1])))) if ci else None
    users = simulate(spend["spend_yuan"], P.cpa_yuan, churn, **opts)
    saturation, saturation_source = market_size(ds, P)
    cf = counterfactuals(spend, P.cpa_yuan, churn, saturation, **opts)
    joint = churn_by_cpa_and_path(ds, targets, end, cpa_readings(ds), **opts)
    allowed = joint[joint["allowed"]]
    churn_range = (float(allowed["churn"].min()), float(allowed["churn"].max()))
    used = targets[targets["used"]]
    first_t, last_t = used.iloc[0], used.iloc[-1]
    months_between = (last_t["period_mid"] - first_t["period_mid"]).days / DAYS_PER_MONTH
    observed_change = last_t["base_value"] / first_t["base_value"] - 1
    observed_monthly = (1 + observed_change) ** (1 / months_between) - 1
    last_months = list(last_t["months"])
    cf_at_last = cf.loc[last_months].mean()
    worst = fit.table["relative_error"].abs().idxmax()

    # --- figures the sections show (selections, not prose) -------------------------------------------
    rivals = ds.select(["doubao", "yuanbao"], ["ad_spend", "ad_spend_monthly"])
    kimi_peak_pm = spend.loc[window, "spend_yuan"].min()
    q4 = rivals[rivals["period_start"].eq(pd.Timestamp(window[0].to_timestamp())) & rivals["period_months"].eq(3)]
    hi_cpa, lo_cpa = cpa_rows.iloc[-1], cpa_rows.iloc[0]
    others = ds.select("kimi", "mau")
    others = others[~others.index.isin(targets.index) & others["period_start"].notna()]
    users_ci = (
        (
            simulate(spend["spend_yuan"], P.cpa_yuan, ci[1], **opts),  # bought users at the interval's churns
            simulate(spend["spend_yuan"], P.cpa_yuan, ci[0], **opts),
        )
        if ci
        else None
    )
    n_after = int((spend.index > last_data).sum())
    low_peak = undated_peaks.loc[undated_peaks["base_value"].idxmin()]
    dau = ds.select("kimi", "dau").sort_values("period_start")
    dau_growth = dau["base_value"].iloc[-1] / dau["base_value"].iloc[0] if len(dau) > 1 else float("nan")
    span = spend.index[spend["obs_ids"].isin(rows.index[rows["metric"] == "ad_spend_monthly"])]
    first_spend = rows.loc[spend["obs_ids"].iloc[0].split(";")[0]]
    return BubbleAnalysis(
        rows=rows,
        targets=targets,
        dated_months=dated_months,
        peak_row=peak_row,
        peak=peak,
        peak_month=peak_month,
        burn30=burn30,
        burn31=burn31,
        undated_peaks=undated_peaks,
        burn_article=burn_article,
        twenty=twenty,
        cpa_rows=cpa_rows,
        all_in=all_in,
        new_users_row=new_users_row,
        burn_hypo_article=burn_hypo_article,
        burn_hypo=burn_hypo,
        all_in_param=all_in_param,
        burn_param=burn_param,
        users_per_budget=users_per_budget,
        users_per_budget_param=users_per_budget_param,
        retention_row=retention_row,
        cost_retained=float(cost_retained),
        share_row=share_row,
        implied_cost=implied_cost,
        implied_cost_low=implied_cost_low,
        spend=spend,
        last_data=last_data,
        window=window,
        window_spend=window_spend,
        bought=bought,
        kept=kept,
        after=after,
        mau_after=mau_after,
        spend_to_last=spend_to_last,
        bought_to_last=bought_to_last,
        floor=floor,
        fit=fit,
        churn=churn,
        hl=hl,
        ci=ci,
        hl_ci=hl_ci,
        users=users,
        cf=cf,
        used=used,
        first_t=first_t,
        last_t=last_t,
        months_between=months_between,
        observed_change=observed_change,
        observed_monthly=observed_monthly,
        cf_at_last=cf_at_last,
        worst=worst,
        rivals=rivals,
        kimi_peak_pm=kimi_peak_pm,
        q4=q4,
        hi_cpa=hi_cpa,
        lo_cpa=lo_cpa,
        others=others,
        users_ci=users_ci,
        n_after=n_after,
        low_peak=low_peak,
        dau=dau,
        dau_growth=dau_growth,
        span=span,
        first_spend=first_spend,
        joint=joint,
        churn_range=churn_range,
        saturation=saturation,
        saturation_source=saturation_source,
        model_opts=opts,
    )


def results(an: BubbleAnalysis, P) -> dict:
    """The results JSON of notebook 02 (declared by AdSpendResults in orchestration/results_models.py)."""
    after = an.after
    all_in_param = an.all_in_param
    bought = an.bought
    burn30 = an.burn30
    burn31 = an.burn31
    burn_article = an.burn_article
    burn_hypo = an.burn_hypo
    burn_param = an.burn_param
    cf = an.cf
    churn = an.churn
    ci = an.ci
    cost_retained = an.cost_retained
    fit = an.fit
    floor = an.floor
    hl = an.hl
    hl_ci = an.hl_ci
    implied_cost = an.implied_cost
    implied_cost_low = an.implied_cost_low
    kept = an.kept
    mau_after = an.mau_after
    observed_change = an.observed_change
    observed_monthly = an.observed_monthly
    peak = an.peak
    peak_month = an.peak_month
    share_row = an.share_row
    spend = an.spend
    spend_to_last = an.spend_to_last
    twenty = an.twenty
    users_per_budget = an.users_per_budget
    users_per_budget_param = an.users_per_budget_param
    window = an.window
    window_spend = an.window_spend
    return {
        "spend_path": P.spend_path,
        "peak_month": str(peak_month),
        "peak_monthly_spend_yuan": peak,
        "peak_daily_burn_yuan": [burn30, burn31],
        "article_daily_burn_yuan": float(burn_article["base_value"]),
        "hypothetical_daily_burn_yuan": list(burn_hypo),
        "parameter_daily_burn_yuan": burn_param,
        "burn_20_days_per_day_yuan": float(twenty["base_value_per_day"]),
        "users_per_100m_yuan": users_per_budget_param,
        "users_per_100m_yuan_by_cpa_row": users_per_budget,
        "all_in_cpa_yuan": all_in_param,
        "cost_per_retained_user_yuan": cost_retained,
        "peak_window": [str(m) for m in window],
        "peak_window_spend_yuan": window_spend,
        "users_bought_peak_window": bought,
        "users_kept_30d_peak_window": kept,
        "mau_after_peak": mau_after,
        "mau_after_peak_obs": after.name,
        "mau_to_bought_ratio": mau_after / bought,
        "spend_to_last_report_yuan": spend_to_last,
        "spend_floor_yuan_per_month": floor,
        "spend_by_month_yuan": {str(m): v for m, v in spend["spend_yuan"].items()},
        "spend_status_by_month": {str(m): v for m, v in spend["status"].items()},
        "fitted_monthly_churn": churn,
        "churn_fitted": fit.fitted,
        "churn_se": fit.se,
        "churn_ci_profile": list(ci) if ci else None,
        "churn_ci_curvature": list(fit.ci_curvature) if fit.ci_curvature else None,
        "churn_jackknife": (
            dict(zip(fit.jackknife["left_out"], fit.jackknife["churn"], strict=True)) if len(fit.jackknife) else {}
        ),
        "bought_user_half_life_months": hl,
        "half_life_ci_months": list(hl_ci) if hl_ci else None,
        "fit_points": fit.n,
        "fit_relative_errors": fit.table["relative_error"].to_dict(),
        "observed_mau_change": observed_change,
        "observed_mau_monthly_change": observed_monthly,
        "counterfactual_end_month": str(cf.index[-1]),
        "counterfactual_users_end": cf.iloc[-1].to_dict(),
        "ad_spend_share": float(share_row["base_value"]),
        "implied_total_monthly_cost_yuan": implied_cost,
        "implied_total_monthly_cost_range_yuan": [implied_cost_low, implied_cost],
        "cost_per_retained_user_is_lower_bound": an.retention_row["qualifier"] in ("<", "<="),
        "churn_by_cpa_and_path": [
            {k: (bool(v) if k == "allowed" else v) for k, v in r.items()} for r in an.joint.to_dict("records")
        ],
        "churn_range_allowed": list(an.churn_range),
        "first_month_retention": P.first_month_retention,
        "organic_users_per_month": P.organic_users_per_month,
        "saturation_users": an.saturation,
        "saturation_source": an.saturation_source,
        "evidence": P.evidence,
    }

"""Helpers of notebook 03: article 003's "sustainable growth" rule, modelled and stress-tested.

Article 003 (s003) proposes::

    可持续增长率 = （付费收入 ÷ 总成本）×（1 - 投流费用占比）
    sustainable growth rate = (paid revenue / total cost) x (1 - ad-spend share)

and says a company should worry when the ad-spend share passes 30% (o003_15), while Kimi's once
reached 70% (o003_14). :func:`sustainable_growth_rate` implements the rule once; everything
else here (frontier, implied cost base, paying users, Monte Carlo, tornado, runway, the
alternative reading of the share) builds on it. Facts are read from ``data/`` by
:func:`kimi_facts`; nothing from the articles is typed here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kimi_research.errors import DataError

NOTEBOOK = "03_sustainability_formula"

# --- Monte Carlo spreads (model assumptions, documented in the notebook) --------------------
#: ad share: triangular from (share - SHARE_BELOW) to (share + SHARE_ABOVE), mode at the share,
#: clipped to [0, 1]. Article 003 says the 70% was reached "一度" (at one point): other months
#: were probably lower, so the distribution leans down.
SHARE_BELOW = 0.30
SHARE_ABOVE = 0.10
#: an explicit total cost: log-normal, 90% of draws within a factor COST_SPREAD_FACTOR.
COST_SPREAD_FACTOR = 1.5
Z90 = 1.6448536269514722  # standard normal quantile of 0.95 (two-sided 90% interval)
TORNADO_QUANTILES = (0.05, 0.95)


# --- the formula --------------------------------------------------------------------------
def _arr(x, name: str) -> np.ndarray:
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number (or an array of numbers), got {x!r}") from None
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite, got {x!r}")
    return a


def _out(a: np.ndarray, *inputs):
    return float(a) if all(np.ndim(i) == 0 for i in inputs) else a


def sustainable_growth_rate(paid_revenue, total_cost, ad_share):
    """Article 003's rule: ``(paid_revenue / total_cost) * (1 - ad_share)``.

    Works on scalars (returns a float) and numpy arrays (broadcast). Rejects a total cost that
    is zero or negative, a negative revenue, and a share outside [0, 1] with a ValueError that
    names the input. Revenue and cost must be in the same currency and per the same period; the
    rate itself has no time unit (article 003 gives none).
    """
    rev = _arr(paid_revenue, "paid_revenue")
    cost = _arr(total_cost, "total_cost")
    share = _arr(ad_share, "ad_share")
    if np.any(cost <= 0):
        raise ValueError(
            f"total_cost must be greater than 0 (a ratio to a zero or negative cost is meaningless), got {total_cost!r}"
        )
    if np.any(rev < 0):
        raise ValueError(f"paid_revenue must be 0 or more, got {paid_revenue!r}")
    if np.any((share < 0) | (share > 1)):
        raise ValueError(f"ad_share must be a fraction in [0, 1] (0.7 for 70%), got {ad_share!r}")
    return _out(rev / cost * (1.0 - share), paid_revenue, total_cost, ad_share)


def ratio_to_threshold_firm(ad_share: float, alarm_threshold: float) -> float:
    """Rate of a firm at ``ad_share`` over the rate of a firm at the alarm line, at equal
    revenue/cost: ``(1 - ad_share) / (1 - alarm_threshold)`` (0.3 / 0.7 = 0.429 for Kimi)."""
    if not 0 <= ad_share <= 1:
        raise ValueError(f"ad_share must be in [0, 1], got {ad_share!r}")
    if not 0 <= alarm_threshold < 1:
        raise ValueError(f"alarm_threshold must be in [0, 1), got {alarm_threshold!r}")
    return sustainable_growth_rate(1.0, 1.0, ad_share) / sustainable_growth_rate(1.0, 1.0, alarm_threshold)


def frontier_factor(ad_share):
    """Revenue/cost needed per unit of target rate: ``1 / (1 - ad_share)`` (inf at a share of 1).

    The frontier for a target rate s is ``s * frontier_factor(ad_share)``: 3.33 s at 70%, 1.43 s at 30%.
    """
    share = _arr(ad_share, "ad_share")
    if np.any((share < 0) | (share > 1)):
        raise ValueError(f"ad_share must be in [0, 1], got {ad_share!r}")
    with np.errstate(divide="ignore"):
        out = np.where(share < 1, 1.0 / np.where(share < 1, 1.0 - share, 1.0), np.inf)
    return _out(out, ad_share)


def required_revenue_cost_ratio(target_rate, ad_share):
    """Revenue/cost needed for ``target_rate`` at ``ad_share``: ``target_rate / (1 - ad_share)``."""
    t = _arr(target_rate, "target_rate")
    if np.any(t < 0):
        raise ValueError(f"target_rate must be 0 or more, got {target_rate!r}")
    return _out(t * frontier_factor(ad_share), target_rate, ad_share)


# --- cost base, paying users, alternative reading ------------------------------------------
def implied_total_cost(ad_spend: float, ad_share: float) -> float:
    """Total cost implied by an ad spend that is ``ad_share`` of it: ``ad_spend / ad_share``."""
    if ad_spend < 0:
        raise ValueError(f"ad_spend must be 0 or more, got {ad_spend!r}")
    if not 0 < ad_share <= 1:
        raise ValueError(
            f"ad_share must be in (0, 1] to imply a total cost (a zero share implies an infinite cost), got {ad_share!r}"
        )
    return ad_spend / ad_share


def implied_non_ad_cost(ad_spend: float, ad_share: float) -> float:
    """The part of the implied total cost that is not advertising: ``total * (1 - ad_share)``."""
    return implied_total_cost(ad_spend, ad_share) * (1.0 - ad_share)


def max_share_for_cost(ad_spend: float, other_cost: float) -> float:
    """Largest ad share at which the implied non-advertising cost still reaches ``other_cost``.

    Non-advertising cost = ad_spend x (1 - share) / share falls as the share rises; it equals
    ``other_cost`` at share = ad_spend / (ad_spend + other_cost).
    """
    if ad_spend <= 0 or other_cost < 0:
        raise ValueError("ad_spend must be > 0 and other_cost >= 0")
    return ad_spend / (ad_spend + other_cost)


def paying_users_needed(total_cost: float, price: float, revenue_cost_ratio: float = 1.0) -> float:
    """Paying users at ``price`` a month whose fees reach ``revenue_cost_ratio`` x the monthly cost."""
    if not price > 0:
        raise ValueError(f"price must be greater than 0, got {price!r}")
    if not total_cost > 0:
        raise ValueError(f"total_cost must be greater than 0, got {total_cost!r}")
    if revenue_cost_ratio < 0:
        raise ValueError(f"revenue_cost_ratio must be 0 or more, got {revenue_cost_ratio!r}")
    return revenue_cost_ratio * total_cost / price


def rate_share_of_revenue(paid_revenue, total_cost, ad_spend):
    """The formula when the 'ad-spend share' is read as ad spend / paid revenue (not / total cost).

    ``(revenue / cost) * (1 - ad_spend / revenue) = (revenue - ad_spend) / cost``: the margin left
    after advertising, over total cost. The share can exceed 1 (then the rate is negative).
    """
    rev = _arr(paid_revenue, "paid_revenue")
    cost = _arr(total_cost, "total_cost")
    ad = _arr(ad_spend, "ad_spend")
    if np.any(cost <= 0):
        raise ValueError(f"total_cost must be greater than 0, got {total_cost!r}")
    if np.any(rev < 0) or np.any(ad < 0):
        raise ValueError("paid_revenue and ad_spend must be 0 or more")
    return _out((rev - ad) / cost, paid_revenue, total_cost, ad_spend)


def alternative_reading(
    ad_spend: float, ad_share: float, paid_revenue: float, total_cost: float, other_cost_low: float, other_cost_high: float
) -> pd.DataFrame:
    """The article's rule under both readings of the share, side by side.

    Rows: (a) share of total cost (the notebook's main reading); (b) share of revenue, taking the
    article's share at face value, so revenue = ad_spend / ad_share and total cost = ad spend plus
    other costs in [other_cost_low, other_cost_high]; (c) share of revenue computed from the
    assumed revenue: share = ad_spend / paid_revenue (may exceed 100%).
    """
    rows = [
        {
            "reading": "(a) ad spend ÷ total cost (main reading)",
            "share": ad_share,
            "paid_revenue": paid_revenue,
            "total_cost": total_cost,
            "rate_low": sustainable_growth_rate(paid_revenue, total_cost, ad_share),
            "rate_high": sustainable_growth_rate(paid_revenue, total_cost, ad_share),
        }
    ]
    if ad_share > 0:
        rev_b = ad_spend / ad_share
        rates = [sustainable_growth_rate(rev_b, ad_spend + oc, ad_share) for oc in (other_cost_high, other_cost_low)]
        rows.append(
            {
                "reading": "(b) ad spend ÷ revenue, article's share at face value",
                "share": ad_share,
                "paid_revenue": rev_b,
                "total_cost": ad_spend + other_cost_high,
                "total_cost_low": ad_spend + other_cost_low,
                "rate_low": min(rates),
                "rate_high": max(rates),
            }
        )
    if paid_revenue > 0:
        r = rate_share_of_revenue(paid_revenue, total_cost, ad_spend)
        rows.append(
            {
                "reading": "(c) ad spend ÷ revenue, from the assumed revenue",
                "share": ad_spend / paid_revenue,
                "paid_revenue": paid_revenue,
                "total_cost": total_cost,
                "rate_low": r,
                "rate_high": r,
            }
        )
    return pd.DataFrame(rows).set_index("reading")


# --- facts from data/ ---------------------------------------------------------------------
@dataclass
class Fact:
    value: float
    obs_id: str
    high: float | None = None

    @property
    def mid(self) -> float:
        return self.value if self.high is None or math.isnan(self.high) else (self.value + self.high) / 2


def _one(df: pd.DataFrame, what: str) -> pd.Series:
    if df.empty:
        raise DataError("data/observations.csv", message=f"no observation of {what}; notebook {NOTEBOOK} needs one")
    return df.iloc[0]


def peak_ad_spend(ds, entity: str = "kimi") -> tuple[Fact, Fact, pd.DataFrame]:
    """Largest monthly ad spend of ``entity`` (calendar-month rows and 'peak month' rows) and the
    lowest figure given for the same fact (its conflict group); also returns the candidate rows.

    Ties go to a row with a named measurement firm, then the earliest article.
    """
    o = ds.select(entity=entity, metric=["ad_spend", "ad_spend_peak_month"])
    o = o[(o["metric"] == "ad_spend_peak_month") | (o["period_months"] == 1)]
    if o.empty:
        raise DataError("data/observations.csv", message=f"no monthly ad spend of {entity!r}")
    ranked = o.assign(_novendor=o["vendor"].isna()).sort_values(
        ["base_value", "_novendor", "source_id"], ascending=[False, True, True], kind="stable"
    )
    top = ranked.iloc[0]
    group = o[o["conflict_group"] == top["conflict_group"]] if isinstance(top["conflict_group"], str) else o.loc[[top.name]]
    low = group.sort_values("base_value", kind="stable").iloc[0]
    return Fact(float(top["base_value"]), str(top.name)), Fact(float(low["base_value"]), str(low.name)), ranked


def mau_near(ds, date: pd.Timestamp, entity: str = "kimi", vendor: str = "questmobile") -> Fact:
    """The ``vendor`` MAU of ``entity`` whose period lies closest to ``date`` (ties: the later one)."""
    o = ds.select(entity=entity, metric="mau", vendor=vendor)
    o = o[o["period_months"] == 1]
    if o.empty:
        raise DataError("data/observations.csv", message=f"no monthly {vendor} MAU of {entity!r}")
    gap = (o["period_mid"] - pd.Timestamp(date)).abs()
    row = o.assign(_gap=gap).sort_values(["_gap", "period_mid"], ascending=[True, False]).iloc[0]
    return Fact(float(row["base_value"]), str(row.name))


@dataclass
class KimiFacts:
    peak_ad_spend: Fact  # largest monthly ad spend (CNY)
    peak_ad_spend_low: Fact  # lowest reading of the same fact (CNY)
    peak_month: pd.Timestamp  # month of the peak (from the dated row of the conflict group)
    ad_share: Fact  # article 003's share (ratio)
    alarm_threshold: Fact  # article 003's alarm line (ratio)
    training_cost: Fact  # monthly training cost range (CNY), value..high
    mau: Fact  # QuestMobile MAU nearest the peak month
    investments: dict[str, Fact]  # USD, by obs id
    last_funding: pd.Timestamp
    investment_date: pd.Timestamp


def kimi_facts(ds) -> KimiFacts:
    """Every article number notebook 03 uses, selected from ``data/`` by entity and metric."""
    peak, low, ranked = peak_ad_spend(ds)
    dated = ranked[ranked["period_start"].notna()]
    dated = dated[dated["base_value"] == peak.value]
    peak_month = dated["period_start"].iloc[0] if len(dated) else pd.NaT
    share = _one(ds.select(entity="kimi", metric="ad_spend_share"), "Kimi's ad-spend share (ad_spend_share)")
    alarm = _one(ds.select(metric="ad_share_alarm_threshold"), "the ad-share alarm threshold")
    train = _one(ds.select(entity="moonshot", metric="training_cost_monthly"), "Moonshot's monthly training cost")
    ev = ds.events
    for e in ("e_last_funding", "e_alibaba_investment"):
        if e not in ev.index:
            raise DataError("data/events.csv", message=f"event {e!r} is missing; notebook {NOTEBOOK} marks it")
    inv = round_readings(ds, ev.at["e_alibaba_investment", "date"])
    inv = inv[inv["metric"] == "investment"]
    if inv.empty:
        raise DataError("data/observations.csv", message="no investment in Moonshot")
    return KimiFacts(
        peak_ad_spend=peak,
        peak_ad_spend_low=low,
        peak_month=peak_month,
        ad_share=Fact(float(share["base_value"]), str(share.name)),
        alarm_threshold=Fact(float(alarm["base_value"]), str(alarm.name)),
        training_cost=Fact(float(train["base_value"]), str(train.name), float(train["base_value_high"])),
        mau=mau_near(ds, peak_month if not pd.isna(peak_month) else ev.at["e_last_funding", "date"]),
        investments={str(i): Fact(float(r["base_value"]), str(i)) for i, r in inv.sort_values("base_value").iterrows()},
        last_funding=ev.at["e_last_funding", "date"],
        investment_date=ev.at["e_alibaba_investment", "date"],
    )


INVESTMENT_METRICS = ["investment", "investment_cny"]


def round_readings(ds, date: pd.Timestamp, entity: str = "moonshot") -> pd.DataFrame:
    """The investment rows that report the funding round of ``date``: rows dated in its month, and rows in the
    conflict group of such a row (an undated reading of the same round)."""
    inv = ds.select(entity=entity, metric=INVESTMENT_METRICS)
    month = pd.Timestamp(date).to_period("M")
    dated = inv[inv["period_start"].notna()]
    same = dated[dated["period_start"].dt.to_period("M") == month]
    groups = {g for g in same["conflict_group"] if isinstance(g, str)}
    return inv[inv.index.isin(same.index) | inv["conflict_group"].isin(groups)]


def funding_rounds(ds, usd_cny: float, entity: str = "moonshot") -> pd.DataFrame:
    """Every funding round the data give: one row per funding event of ``entity`` in data/events.csv with the
    lowest and highest amount its investment rows report (CNY; USD at ``usd_cny``), NaN where no row gives an
    amount. An investment row that matches no funding event (a round in talks) is not a round."""
    ev = ds.events
    ev = ev[(ev["kind"] == "funding") & (ev["entity"] == entity)].sort_values("date", kind="stable")
    rows = []
    for eid, e in ev.iterrows():
        r = round_readings(ds, e["date"], entity)
        cny = r["base_value"] * np.where(r["metric"] == "investment", usd_cny, 1.0)
        rows.append(
            {
                "event_id": eid,
                "date": pd.Timestamp(e["date"]),
                "label": e["label"],
                "source_id": e["source_id"],
                "low_cny": float(cny.min()) if len(r) else math.nan,
                "high_cny": float(cny.max()) if len(r) else math.nan,
                "obs_ids": ";".join(r.index),
                "lower_bound": bool((r["qualifier"].isin([">", ">="])).any()),
            }
        )
    return pd.DataFrame(
        rows, columns=["event_id", "date", "label", "source_id", "low_cny", "high_cny", "obs_ids", "lower_bound"]
    ).set_index("event_id")


@dataclass
class Ledger:
    """Cash month by month: funding rounds in, the spend path plus the non-advertising cost out."""

    table: pd.DataFrame  # month -> funding_low, funding_high, ad_spend, non_ad, cash_low, cash_high
    start: pd.Period  # first month of the ledger (the round of the first reported spend)
    opening_low: float  # rounds before the start, counted in full (an upper bound on cash in hand)
    opening_high: float
    tail_burn: float  # monthly burn after the last month of the table
    cash_out_low: pd.Timestamp | None  # month the cash runs out, smaller readings of the rounds
    cash_out_high: pd.Timestamp | None  # larger readings


def cash_ledger(spend: pd.DataFrame, rounds: pd.DataFrame, non_ad_cost: float, start: pd.Timestamp, tail_spend: float) -> Ledger:
    """Cash from the month of ``start`` on: each round's money arrives in its month (rounds before ``start`` are
    opening cash, counted in full), each month burns the ``spend`` path's ad spend plus ``non_ad_cost``. After the
    last month of the spend path or of the rounds the burn stays at ``tail_spend`` + ``non_ad_cost`` and the
    cash-out month is extrapolated. A round without an amount adds nothing."""
    if non_ad_cost < 0 or tail_spend < 0:
        raise ValueError("non_ad_cost and tail_spend must be 0 or more")
    first = pd.Timestamp(start).to_period("M")
    r = rounds.dropna(subset=["low_cny"])
    month = r["date"].dt.to_period("M")
    before = r[month < first]
    inside = r[month >= first]
    end = max([spend.index.max(), first, *inside["date"].dt.to_period("M")])
    idx = pd.period_range(first, end, freq="M")
    t = pd.DataFrame(index=pd.PeriodIndex(idx, name="month"))
    ad = spend["spend_yuan"].reindex(idx)
    ad[ad.index > spend.index.max()] = tail_spend  # the path's level after its last month
    t["ad_spend"] = ad.fillna(0.0).to_numpy()
    t["non_ad"] = non_ad_cost
    for k in ("low", "high"):
        t[f"funding_{k}"] = inside.groupby(inside["date"].dt.to_period("M"))[f"{k}_cny"].sum().reindex(idx).fillna(0.0)
    out = {}
    for k in ("low", "high"):
        opening = float(before[f"{k}_cny"].sum())
        t[f"cash_{k}"] = opening + (t[f"funding_{k}"] - t["ad_spend"] - t["non_ad"]).cumsum()
        out[k] = (opening, _cash_out(t[f"cash_{k}"], tail_spend + non_ad_cost))
    return Ledger(t, first, out["low"][0], out["high"][0], tail_spend + non_ad_cost, out["low"][1], out["high"][1])


def _cash_out(cash: pd.Series, tail_burn: float) -> pd.Timestamp | None:
    neg = cash[cash < 0]
    if len(neg):
        return neg.index[0].to_timestamp()
    if tail_burn <= 0:
        return None
    months = float(cash.iloc[-1]) / tail_burn
    return (cash.index[-1] + 1).to_timestamp() + pd.Timedelta(days=months * 365.25 / 12)


def resolve_target(target_rate, alarm_threshold: float) -> float:
    """The Monte Carlo target: a number, or the rate of a break-even firm at the alarm line."""
    if target_rate == "threshold_firm":
        return sustainable_growth_rate(1.0, 1.0, alarm_threshold)
    return float(target_rate)


# --- Monte Carlo --------------------------------------------------------------------------
@dataclass
class MCSpec:
    """Inputs of the Monte Carlo. ``total_cost`` None = implied from ad spend / share."""

    paid_revenue: float
    ad_share: float
    revenue_spread_factor: float
    ad_spend_low: float
    ad_spend_high: float
    total_cost: float | None = None
    share_below: float = SHARE_BELOW
    share_above: float = SHARE_ABOVE
    cost_spread_factor: float = COST_SPREAD_FACTOR

    def share_bounds(self) -> tuple[float, float, float]:
        lo = max(0.0, self.ad_share - self.share_below)
        hi = min(1.0, self.ad_share + self.share_above)
        return lo, self.ad_share, hi

    def describe(self) -> pd.DataFrame:
        lo, mode, hi = self.share_bounds()
        rows = [
            (
                "paid revenue (CNY / month)",
                "log-normal",
                f"median {self.paid_revenue:,.0f}; 90% of draws within a factor {self.revenue_spread_factor:g}",
            ),
            ("ad share", "triangular", f"from {lo:.2f} to {hi:.2f}, mode {mode:.2f} (clipped to [0, 1])"),
        ]
        if self.total_cost is None:
            rows.append(
                (
                    "peak monthly ad spend (CNY)",
                    "uniform",
                    f"between the articles' readings {self.ad_spend_low:,.0f} and {self.ad_spend_high:,.0f}",
                )
            )
            rows.append(("total cost (CNY / month)", "derived", "ad spend ÷ ad share"))
        else:
            rows.append(
                (
                    "total cost (CNY / month)",
                    "log-normal",
                    f"median {self.total_cost:,.0f}; 90% within a factor {self.cost_spread_factor:g}",
                )
            )
        return pd.DataFrame(rows, columns=["input", "distribution", "parameters"]).set_index("input")


def monte_carlo(spec: MCSpec, n: int, seed: int) -> pd.DataFrame:
    """Draw ``n`` samples of the uncertain inputs (numpy Generator seeded with ``seed``) and
    compute the rate for each. Same seed and spec -> identical frame."""
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n!r}")
    rng = np.random.default_rng(seed)
    sigma = math.log(spec.revenue_spread_factor) / Z90
    revenue = spec.paid_revenue * np.exp(sigma * rng.standard_normal(n))
    lo, mode, hi = spec.share_bounds()
    share = rng.triangular(lo, mode, hi, n) if hi > lo else np.full(n, mode)
    share = np.clip(share, 1e-9 if spec.total_cost is None else 0.0, 1.0)
    out = {"paid_revenue": revenue, "ad_share": share}
    if spec.total_cost is None:
        ad = (
            rng.uniform(spec.ad_spend_low, spec.ad_spend_high, n)
            if spec.ad_spend_high > spec.ad_spend_low
            else np.full(n, spec.ad_spend_high)
        )
        out["ad_spend"] = ad
        out["total_cost"] = ad / share
    else:
        out["total_cost"] = spec.total_cost * np.exp(math.log(spec.cost_spread_factor) / Z90 * rng.standard_normal(n))
    df = pd.DataFrame(out)
    df["revenue_cost_ratio"] = df["paid_revenue"] / df["total_cost"]
    df["rate"] = sustainable_growth_rate(df["paid_revenue"].to_numpy(), df["total_cost"].to_numpy(), df["ad_share"].to_numpy())
    return df


def mc_summary(sim: pd.DataFrame, target: float) -> dict:
    q = sim["rate"].quantile([0.05, 0.5, 0.95])
    return {
        "p_rate_above_target": float((sim["rate"] > target).mean()),
        "p_break_even": float((sim["revenue_cost_ratio"] >= 1).mean()),
        "rate_p05": float(q.loc[0.05]),
        "rate_median": float(q.loc[0.5]),
        "rate_p95": float(q.loc[0.95]),
        "rate_max": float(sim["rate"].max()),
    }


def _rate_from(inputs: Mapping[str, float]) -> float:
    cost = inputs["total_cost"] if "ad_spend" not in inputs else inputs["ad_spend"] / max(inputs["ad_share"], 1e-9)
    return sustainable_growth_rate(inputs["paid_revenue"], cost, inputs["ad_share"])


def tornado(sim: pd.DataFrame, base: Mapping[str, float], quantiles=TORNADO_QUANTILES) -> pd.DataFrame:
    """One input at a time from its ``quantiles`` (of the Monte Carlo draws) with the others at
    ``base``: the rate at each end and the swing, largest swing first.

    ``base`` holds ``paid_revenue``, ``ad_share`` and either ``ad_spend`` (cost implied) or
    ``total_cost``.
    """
    labels = {
        "paid_revenue": "paid revenue",
        "ad_share": "ad share",
        "ad_spend": "peak monthly ad spend",
        "total_cost": "total cost",
    }
    base_rate = _rate_from(base)
    rows = []
    for key in base:
        lo, hi = sim[key].quantile(list(quantiles))
        r_lo = _rate_from({**base, key: lo})
        r_hi = _rate_from({**base, key: hi})
        rows.append(
            {
                "input": labels.get(key, key),
                "key": key,
                "low_value": lo,
                "high_value": hi,
                "rate_at_low": r_lo,
                "rate_at_high": r_hi,
                "base_rate": base_rate,
                "swing": abs(r_hi - r_lo),
            }
        )
    return pd.DataFrame(rows).sort_values("swing", ascending=False).set_index("input")


# --- runway -------------------------------------------------------------------------------
def runway_months(funding: float, monthly_burn: float) -> float:
    """Months a fund lasts at a constant monthly burn; inf when nothing is burnt (burn <= 0)."""
    if funding < 0:
        raise ValueError(f"funding must be 0 or more, got {funding!r}")
    return math.inf if monthly_burn <= 0 else funding / monthly_burn


def runway_table(funding_cny: Mapping[str, float], burns: Mapping[str, float]) -> pd.DataFrame:
    """Runway in months: one row per burn scenario, one column per funding figure."""
    return pd.DataFrame({f: {s: runway_months(v, b) for s, b in burns.items()} for f, v in funding_cny.items()})


def range_position(value: float, low: float, high: float, near: float = 0.25) -> str:
    """Where ``value`` lies against [low, high]: 'below', 'within', 'just_above' (within ``near`` x high
    above it) or 'well_above'."""
    if value < low:
        return "below"
    if value <= high:
        return "within"
    return "just_above" if value <= high * (1 + near) else "well_above"


def cash_out_date(start: pd.Timestamp, months: float) -> pd.Timestamp | None:
    if not math.isfinite(months):
        return None
    return pd.Timestamp(start) + pd.Timedelta(days=months * 365.25 / 12)


# --- the whole analysis of notebook 03 ------------------------------------------------------------
@dataclass
class FormulaAnalysis:
    """Everything notebook 03 shows, computed once from the validated parameters (CNY a month; shares as fractions)."""

    facts: KimiFacts
    peak: Fact
    peak_low: Fact
    implied_cost: float
    implied_non_ad: float
    implied_cost_low: float
    implied_non_ad_low: float
    cost_is_implied: bool
    total_cost: float
    non_ad_cost: float
    revenue_cost: float
    rate: float
    ratio: float
    threshold_firm_rate: float
    factor_kimi: float
    factor_alarm: float
    train_lo: float
    train_hi: float
    consistency_key: str
    consistency_key_low: str
    users_needed: int
    users_needed_non_ad: int
    users_share: float
    users_at_assumed_revenue: float
    target: float
    revenue_for_target: float
    article_share: float
    article_alarm: float
    spec: MCSpec
    sim: pd.DataFrame
    mc: dict
    base_inputs: dict
    torn: pd.DataFrame
    funding_cny: dict
    burns: dict
    runway: pd.DataFrame
    first: str
    last: str
    cash_out: pd.DataFrame
    latest_source: str
    last_article: pd.Timestamp
    alt: pd.DataFrame
    train_share_lo: float
    train_share_hi: float
    share_limit: float
    rounds: pd.DataFrame
    ledgers: dict
    spend_path: str


def _ledger(ds, P, non_ad_cost: float) -> tuple[pd.DataFrame, Ledger]:
    """Rounds and cash ledger of one evidence choice: notebook 02's spend path plus ``non_ad_cost``."""
    from kimi_research.analysis import adspend

    spend = adspend.monthly_spend(ds, P.spend_path)
    rounds = funding_rounds(ds, P.usd_cny)
    tail = (
        float(spend["spend_yuan"].iloc[-1])
        if P.spend_path in ("zero", "lower_bounds")
        else float(adspend.monthly_spend(ds, P.spend_path, end=spend.index.max() + 1)["spend_yuan"].iloc[-1])
    )
    start = spend.index.min().to_timestamp()
    return rounds, cash_ledger(spend, rounds, non_ad_cost, start, tail)


def analyse(ds, P, full=None) -> FormulaAnalysis:
    """The rule for Kimi, its implied cost base, the revenue and paying users it needs, the Monte Carlo and the runway.

    ``full`` (the dataset before ``with_evidence``) adds the cash ledger of the other evidence choice, so the
    notebook shows the articles-only and the all-evidence runway side by side."""
    facts = kimi_facts(ds)
    # --- the model: every number below is computed from data/ and the parameters ----------------
    peak, peak_low = facts.peak_ad_spend, facts.peak_ad_spend_low
    implied_cost = implied_total_cost(peak.value, P.ad_share) if P.ad_share > 0 else math.nan
    implied_non_ad = implied_non_ad_cost(peak.value, P.ad_share) if P.ad_share > 0 else math.nan
    implied_cost_low = implied_total_cost(peak_low.value, P.ad_share) if P.ad_share > 0 else math.nan
    implied_non_ad_low = implied_non_ad_cost(peak_low.value, P.ad_share) if P.ad_share > 0 else math.nan
    cost_is_implied = P.total_cost_monthly_yuan == "implied"
    total_cost = implied_cost if cost_is_implied else P.total_cost_monthly_yuan
    non_ad_cost = total_cost * (1 - P.ad_share)
    revenue_cost = P.paid_revenue_monthly_yuan / total_cost
    rate = sustainable_growth_rate(P.paid_revenue_monthly_yuan, total_cost, P.ad_share)
    ratio = ratio_to_threshold_firm(P.ad_share, P.alarm_threshold)
    threshold_firm_rate = sustainable_growth_rate(P.paid_revenue_monthly_yuan, total_cost, P.alarm_threshold)
    factor_kimi, factor_alarm = frontier_factor(P.ad_share), frontier_factor(P.alarm_threshold)
    train_lo = facts.training_cost.value
    train_hi = facts.training_cost.high if facts.training_cost.high is not None else train_lo  # a range's top
    consistency_key = range_position(implied_non_ad, train_lo, train_hi)
    consistency_key_low = range_position(implied_non_ad_low, train_lo, train_hi)
    users_needed = math.ceil(paying_users_needed(total_cost, P.price_per_paying_user_yuan))
    users_needed_non_ad = math.ceil(paying_users_needed(non_ad_cost, P.price_per_paying_user_yuan)) if non_ad_cost > 0 else 0
    users_share = users_needed / facts.mau.value
    users_at_assumed_revenue = P.paid_revenue_monthly_yuan / P.price_per_paying_user_yuan
    target = resolve_target(P.target_rate, P.alarm_threshold)
    revenue_for_target = required_revenue_cost_ratio(target, P.ad_share) * total_cost
    article_share, article_alarm = facts.ad_share.value, facts.alarm_threshold.value

    # Monte Carlo
    spec = MCSpec(
        paid_revenue=P.paid_revenue_monthly_yuan,
        ad_share=P.ad_share,
        revenue_spread_factor=P.revenue_spread_factor,
        ad_spend_low=peak_low.value,
        ad_spend_high=peak.value,
        total_cost=None if cost_is_implied else P.total_cost_monthly_yuan,
        share_below=P.mc_share_below,
        share_above=P.mc_share_above,
        cost_spread_factor=P.mc_cost_spread_factor,
    )
    sim = monte_carlo(spec, P.mc_samples, P.seed)
    mc = mc_summary(sim, target)
    base_inputs = {"paid_revenue": P.paid_revenue_monthly_yuan, "ad_share": P.ad_share}
    base_inputs.update({"ad_spend": peak.value} if cost_is_implied else {"total_cost": total_cost})
    torn = tornado(sim, base_inputs)

    # runway
    funding_cny = {oid: f.value * P.usd_cny for oid, f in facts.investments.items()}
    burns = {
        "total_cost": total_cost,
        "total_cost_less_revenue": total_cost - P.paid_revenue_monthly_yuan,
        "non_ad_cost": non_ad_cost,
        "training_cost_high": train_hi,
        "training_cost_low": train_lo,
    }
    runway = runway_table(funding_cny, burns)
    by_amount = funding_cny.__getitem__
    first, last = min(funding_cny, key=by_amount), max(funding_cny, key=by_amount)  # smaller, larger
    # the cash ledger: every funding round, notebook 02's spend path plus the non-advertising cost
    rounds, ledger = _ledger(ds, P, non_ad_cost)
    ledgers = {P.evidence: ledger}
    if full is not None:
        other = "all" if P.evidence == "articles" else "articles"
        ledgers[other] = _ledger(full.with_evidence(other), P, non_ad_cost)[1]
        ledgers = {k: ledgers[k] for k in ("articles", "all")}
    cash_out = runway.map(lambda m: cash_out_date(facts.investment_date, m))
    latest_source = ds.sources["date_published"].map(lambda d: pd.Timestamp(d)).idxmax()
    last_article = pd.Timestamp(ds.sources.at[latest_source, "date_published"])
    # --- what the sections compare (selections and ratios, not prose) -------------------------------
    alt = alternative_reading(peak.value, P.ad_share, P.paid_revenue_monthly_yuan, total_cost, train_lo, train_hi)
    train_share_lo, train_share_hi = train_lo / implied_non_ad, train_hi / implied_non_ad
    share_limit = max_share_for_cost(peak.value, train_hi)
    return FormulaAnalysis(
        facts=facts,
        peak=peak,
        peak_low=peak_low,
        implied_cost=implied_cost,
        implied_non_ad=implied_non_ad,
        implied_cost_low=implied_cost_low,
        implied_non_ad_low=implied_non_ad_low,
        cost_is_implied=cost_is_implied,
        total_cost=total_cost,
        non_ad_cost=non_ad_cost,
        revenue_cost=revenue_cost,
        rate=rate,
        ratio=ratio,
        threshold_firm_rate=threshold_firm_rate,
        factor_kimi=factor_kimi,
        factor_alarm=factor_alarm,
        train_lo=train_lo,
        train_hi=train_hi,
        consistency_key=consistency_key,
        consistency_key_low=consistency_key_low,
        users_needed=users_needed,
        users_needed_non_ad=users_needed_non_ad,
        users_share=users_share,
        users_at_assumed_revenue=users_at_assumed_revenue,
        target=target,
        revenue_for_target=revenue_for_target,
        article_share=article_share,
        article_alarm=article_alarm,
        spec=spec,
        sim=sim,
        mc=mc,
        base_inputs=base_inputs,
        torn=torn,
        funding_cny=funding_cny,
        burns=burns,
        runway=runway,
        first=first,
        last=last,
        cash_out=cash_out,
        latest_source=latest_source,
        last_article=last_article,
        alt=alt,
        train_share_lo=train_share_lo,
        train_share_hi=train_share_hi,
        share_limit=share_limit,
        rounds=rounds,
        ledgers=ledgers,
        spend_path=P.spend_path,
    )


def results(an: FormulaAnalysis, P) -> dict:
    """The results JSON of notebook 03 (declared by SustainabilityResults in orchestration/results_models.py)."""
    alt = an.alt
    article_alarm = an.article_alarm
    article_share = an.article_share
    burns = an.burns
    cash_out = an.cash_out
    consistency_key = an.consistency_key
    consistency_key_low = an.consistency_key_low
    factor_alarm = an.factor_alarm
    factor_kimi = an.factor_kimi
    facts = an.facts
    funding_cny = an.funding_cny
    implied_cost = an.implied_cost
    implied_cost_low = an.implied_cost_low
    implied_non_ad = an.implied_non_ad
    implied_non_ad_low = an.implied_non_ad_low
    mc = an.mc
    peak = an.peak
    peak_low = an.peak_low
    rate = an.rate
    ratio = an.ratio
    revenue_cost = an.revenue_cost
    revenue_for_target = an.revenue_for_target
    runway = an.runway
    target = an.target
    torn = an.torn
    total_cost = an.total_cost
    train_hi = an.train_hi
    train_lo = an.train_lo
    users_needed = an.users_needed
    users_needed_non_ad = an.users_needed_non_ad
    users_share = an.users_share
    return {
        "sustainable_growth_rate": rate,
        "ad_share": P.ad_share,
        "alarm_threshold": P.alarm_threshold,
        "article_ad_share": article_share,
        "article_alarm_threshold": article_alarm,
        "ratio_to_threshold_firm": ratio,
        "revenue_cost_ratio": revenue_cost,
        "frontier_factor_at_share": factor_kimi,
        "frontier_factor_at_threshold": factor_alarm,
        "peak_ad_spend_yuan": peak.value,
        "peak_ad_spend_obs": peak.obs_id,
        "peak_ad_spend_low_yuan": peak_low.value,
        "peak_ad_spend_low_obs": peak_low.obs_id,
        "implied_total_monthly_cost_yuan": implied_cost,
        "implied_non_ad_monthly_cost_yuan": implied_non_ad,
        "implied_total_monthly_cost_low_yuan": implied_cost_low,
        "implied_non_ad_monthly_cost_low_yuan": implied_non_ad_low,
        "total_monthly_cost_used_yuan": total_cost,
        "training_cost_monthly_range_yuan": [train_lo, train_hi],
        "non_ad_vs_training": consistency_key,
        "non_ad_low_vs_training": consistency_key_low,
        "paying_users_needed": users_needed,
        "paying_users_needed_non_ad": users_needed_non_ad,
        "mau": facts.mau.value,
        "mau_obs": facts.mau.obs_id,
        "paying_share_of_mau": users_share,
        "target_rate": target,
        "revenue_needed_for_target_yuan": revenue_for_target,
        "p_rate_above_target": mc["p_rate_above_target"],
        "p_break_even": mc["p_break_even"],
        "mc_rate_quantiles": {"p05": mc["rate_p05"], "median": mc["rate_median"], "p95": mc["rate_p95"]},
        "tornado_swing": torn["swing"].to_dict(),
        "most_influential_input": torn.index[0],
        "funding_cny": funding_cny,
        "burn_scenarios_yuan": burns,
        "runway_months": {k: runway.loc[k].to_dict() for k in runway.index},
        "cash_out_dates": {k: cash_out.loc[k].to_dict() for k in cash_out.index},
        "evidence": P.evidence,
        "funding_rounds": {
            k: {"date": f"{r['date']:%Y-%m-%d}", "low_cny": r["low_cny"], "high_cny": r["high_cny"], "obs_ids": r["obs_ids"]}
            for k, r in an.rounds.iterrows()
        },
        "ledger_cash_out": {
            ev: {
                "low": None if lg.cash_out_low is None else f"{lg.cash_out_low:%Y-%m}",
                "high": None if lg.cash_out_high is None else f"{lg.cash_out_high:%Y-%m}",
                "monthly_burn_after_data_yuan": lg.tail_burn,
            }
            for ev, lg in an.ledgers.items()
        },
        "spend_path": an.spend_path,
        "same_rate_share": 1 - P.ad_share,
        "alternative_reading": {
            "rate_share_of_revenue_face_value": [alt.iloc[1]["rate_low"], alt.iloc[1]["rate_high"]]
            if len(alt) > 1 and alt.index[1].startswith("(b)")
            else None,
            "implied_revenue_face_value_yuan": peak.value / P.ad_share if P.ad_share > 0 else None,
            "share_of_assumed_revenue": peak.value / P.paid_revenue_monthly_yuan if P.paid_revenue_monthly_yuan > 0 else None,
            "rate_from_assumed_revenue": rate_share_of_revenue(P.paid_revenue_monthly_yuan, total_cost, peak.value),
        },
    }

"""Helpers of notebook 03: article 003's "sustainable growth" rule, modelled and stress-tested.

Article 003 (s003) proposes::

    可持续增长率 = （付费收入 ÷ 总成本）×（1 - 投流费用占比）
    sustainable growth rate = (paid revenue / total cost) x (1 - ad-spend share)

and says a company should worry when the ad-spend share passes 30% (o003_15), while Kimi's once
reached 70% (o003_14). :func:`sustainable_growth_rate` implements the rule once; everything
else here (frontier, implied cost base, paying users, Monte Carlo, tornado, runway, the
alternative reading of the share) builds on it. Facts are read from ``data/`` by
:func:`kimi_facts`; nothing from the articles is typed here.

:func:`analyse` returns :class:`FormulaAnalysis`, the notebook's typed sections (the rule, the map, the
frontier, the cost base, the paying users, the Monte Carlo, the cash ledger, the runway, the other
reading of the share, the explorer): each holds what its charts and sentences show, and its result
fields are the keys of the notebook's results JSON.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, NamedTuple, Protocol, cast

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from kimi_research.analysis import adspend
from kimi_research.analysis.adspend import Basis
from kimi_research.analysis.sections import Analysis, Section, shown
from kimi_research.data import comparable as C
from kimi_research.data.labels import Citation, cite
from kimi_research.data.periods import period_label, quarter_label
from kimi_research.errors import DataError

if TYPE_CHECKING:
    from kimi_research.data.loader import Dataset

NOTEBOOK = "03_sustainability_formula"


class SustainabilityParameters(Protocol):
    """What the analysis reads of notebook 03's parameters (``kimi_research.params.sustainability`` validates them;
    the analysis layer never imports the parameter layer above it)."""

    @property
    def evidence(self) -> str: ...
    @property
    def paid_revenue_monthly_yuan(self) -> float: ...
    @property
    def total_cost_monthly_yuan(self) -> float | str: ...
    @property
    def ad_share(self) -> float: ...
    @property
    def alarm_threshold(self) -> float: ...
    @property
    def price_per_paying_user_yuan(self) -> float: ...
    @property
    def target_rate(self) -> float | str: ...
    @property
    def revenue_spread_factor(self) -> float: ...
    @property
    def usd_cny(self) -> float: ...
    @property
    def mc_share_below(self) -> float: ...
    @property
    def mc_share_above(self) -> float: ...
    @property
    def mc_cost_spread_factor(self) -> float: ...
    @property
    def spend_path(self) -> adspend.SpendPathName: ...
    @property
    def mc_samples(self) -> int: ...
    @property
    def seed(self) -> int: ...


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
    """Largest monthly ad spend of ``entity`` and the lowest figure given for the same fact; also returns the
    candidate rows, largest first.

    Through the comparability layer: the peak (:func:`C.peak`, a point, ties to a named firm) of the dated
    month-grain levels (:func:`C.levels`: each measurement once; a quarter's total or average is never a month, a
    window inside a month never the month), and the lowest figure among the rows the data put in its conflict
    group (the undated 'peak month' figures of other articles among them).
    """
    lv = C.levels(ds, "ad_spend", entity)
    months = lv.rows[lv.rows["grain"] == "month"]
    if months.empty:
        raise DataError("data/observations.csv", message=f"no monthly ad spend of {entity!r}")
    top = C.peak(C.Comparable(months, lv.left_out, lv.rules), by=("entity",), choose=True).rows.iloc[0]
    obs = ds.observations
    group = (
        obs[(obs["entity"] == entity) & (obs["conflict_group"] == top["conflict_group"])]
        if isinstance(top["conflict_group"], str)
        else obs.loc[[top.name]]
    )
    low = group.sort_values(["base_value", "period_start"], kind="stable").iloc[0]
    ranked = pd.concat([months, group[~group.index.isin(months.index)]]).sort_values("base_value", ascending=False, kind="stable")
    return Fact(float(top["base_value"]), str(top.name)), Fact(float(low["base_value"]), str(low.name)), ranked


def mau_near(ds, date: pd.Timestamp, entity: str = "kimi", vendor: str = "questmobile") -> Fact:
    """The ``vendor`` MAU of ``entity`` whose period lies closest to ``date`` (ties: the later one)."""
    o = C.levels(ds, "mau", entity, vendor).rows
    o = o[(o["grain"] == "month") & ~o["open"]]  # a quarter's average is never a month; a bound is not a point
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
        peak_month=cast(pd.Timestamp, peak_month),
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


def when_text(d: pd.Timestamp | None, last_month: pd.Period) -> str | None:
    """A cash-out date at the precision its inputs allow: never a month (the non-advertising cost is an assumption
    held constant, so no input of the burn is dated month by month); the quarter ('2025 Q3') while it falls inside
    the months the ledger lists (``last_month`` and before), the year ('2028') when it is extrapolated beyond them.
    None: never."""
    if d is None or pd.isna(d):
        return None
    d = pd.Timestamp(d)
    return quarter_label(d) if d.to_period("M") <= last_month else f"{d.year}"


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


# --- notebook 03 as typed sections ---------------------------------------------------------------------
#: the heat map's grid: revenue/cost from 0 to 2 (x), the ad share from 0 to 1 (y)
MAP_REVENUE_COST = np.linspace(0, 2, 201)
MAP_SHARE = np.linspace(0, 1, 101)
#: the frontier chart: its ad shares (0 to 95%) and the target rates it always draws (besides the Monte Carlo's)
FRONTIER_SHARES = np.linspace(0, 0.95, 200)
FRONTIER_TARGETS = (0.1, 0.5)
#: prices at which the paying-users chart draws its curves, CNY a month
PRICES = np.linspace(5, 200, 300)


class Rule(Section):
    """Article 003's rule at Kimi's share: how much of the growth of a firm at the alarm line does Kimi keep?"""

    sustainable_growth_rate: float = Field(description="(paid revenue / total cost) x (1 - ad share) at the parameters")
    ad_share: float = Field(description="the ad-spend share used (parameter ad_share), a fraction")
    alarm_threshold: float = Field(description="the alarm line used (parameter alarm_threshold), a fraction")
    article_ad_share: float = Field(description="article 003's ad-spend share of Kimi (metric ad_spend_share)")
    article_alarm_threshold: float = Field(description="article 003's alarm line (metric ad_share_alarm_threshold)")
    ratio_to_threshold_firm: float = Field(
        description="(1 - ad_share) / (1 - alarm_threshold): Kimi's rate over that of a firm at the alarm line with the "
        "same revenue/cost"
    )
    revenue_cost_ratio: float = Field(description="the assumed paid revenue over the total cost used")
    same_rate_share: float = Field(
        description="1 - ad_share: with the cost implied from a fixed ad spend, the other share that gives the same rate"
    )

    paid_revenue_monthly_yuan: float = shown("parameter (illustrative: no article gives a revenue), CNY a month")
    cost_is_implied: bool = shown("total_cost_monthly_yuan = 'implied' (peak ad spend / ad_share)")
    threshold_firm_rate: float = shown("the rate of a firm at the alarm line with Kimi's revenue/cost")
    comparison: pd.DataFrame = shown("Kimi and a firm at the alarm line: share, rate at revenue = cost, rate at Kimi's")
    share_note: str = shown("where the share comes from: article 003, or a parameter that differs from it")
    alarm_note: str = shown("where the alarm line comes from")
    share_obs: str = shown("the row of article 003's share")
    alarm_obs: str = shown("the row of article 003's alarm line")
    share_quote: str = shown("the share row's quote")
    alarm_quote: str = shown("the alarm row's quote")
    quote_source: str = shown("the source of the share row (English label)")
    rule_source: Citation = shown("the rows of the rule's numbers: the share and the alarm line")


class RateMap(Section):
    """The whole rule on one map: where does Kimi sit against the alarm line and the lines of equal rate?"""

    revenue_cost_axis: np.ndarray = shown("revenue/cost at each point of the grid (MAP_REVENUE_COST as a mesh)")
    share_axis: np.ndarray = shown("the ad share at each point of the grid (MAP_SHARE as a mesh)")
    rate: np.ndarray = shown("the rule's rate at each point of the grid")
    revenue_cost: float = shown("Kimi's revenue/cost at the assumed revenue")
    ad_share: float = shown("parameter")
    alarm_threshold: float = shown("parameter")
    alarm_firm_rate: float = shown("the rate of a break-even firm at the alarm line")
    paid_revenue_monthly_yuan: float = shown("parameter, CNY a month")
    rule_source: Citation = shown("the rows of the rule's numbers")


class Frontier(Section):
    """How much revenue per yuan of cost does a target rate need at Kimi's share, and at the alarm line?"""

    frontier_factor_at_share: float = Field(description="1 / (1 - ad_share): revenue/cost needed per unit of target rate")
    frontier_factor_at_threshold: float = Field(description="1 / (1 - alarm_threshold): the same at the alarm line")
    target_rate: float = Field(
        description="the Monte Carlo's target rate (parameter target_rate; threshold_firm: a break-even firm at the alarm line)"
    )
    revenue_needed_for_target_yuan: float = Field(
        description="paid revenue a month that reaches the target rate at ad_share and the total cost used, CNY"
    )

    ad_share: float = shown("parameter")
    alarm_threshold: float = shown("parameter")
    revenue_cost: float = shown("Kimi's revenue/cost at the assumed revenue")
    need_at_share: float = shown("revenue/cost the target rate needs at ad_share")
    need_at_threshold: float = shown("revenue/cost the target rate needs at the alarm line")
    factor_ratio: float = shown("frontier_factor_at_share / frontier_factor_at_threshold")
    revenue_multiple: float = shown("revenue_needed_for_target_yuan over the assumed revenue (inf without revenue)")
    shares: np.ndarray = shown("the chart's ad shares (FRONTIER_SHARES)")
    curves: dict[float, np.ndarray] = shown("target rate -> the revenue/cost it needs at each of the shares, smallest first")
    rule_source: Citation = shown("the rows of the rule's numbers")


class CostBase(Section):
    """What monthly cost does the peak ad spend imply at the share, and does the training cost fit inside it?"""

    peak_ad_spend_yuan: float = Field(description="Kimi's largest monthly ad spend, CNY")
    peak_ad_spend_obs: str = Field(description="its observation id")
    peak_ad_spend_low_yuan: float = Field(description="the lowest reading of the same fact (its conflict group), CNY")
    peak_ad_spend_low_obs: str = Field(description="its observation id")
    implied_total_monthly_cost_yuan: float = Field(description="peak ad spend / ad_share, CNY a month")
    implied_non_ad_monthly_cost_yuan: float = Field(description="the part of it that is not advertising, CNY a month")
    implied_total_monthly_cost_low_yuan: float = Field(description="the same from the lower peak reading")
    implied_non_ad_monthly_cost_low_yuan: float = Field(description="its non-advertising part")
    total_monthly_cost_used_yuan: float = Field(description="the implied total, or parameter total_cost_monthly_yuan")
    training_cost_monthly_range_yuan: list[float | None] = Field(
        description="article 002's monthly training cost, 'several 千万' read as [low, high], CNY"
    )
    non_ad_vs_training: str = Field(
        description="where the implied non-advertising cost lies against that range: below, within, just_above, well_above"
    )
    non_ad_low_vs_training: str = Field(description="the same with the lower peak reading")

    ad_share: float = shown("parameter")
    share_note: str = shown("where the share comes from")
    training_low: float = shown("the lower reading of the training cost, CNY a month")
    training_high: float = shown("its upper reading (the lower one when it is a single figure)")
    training_obs: str = shown("the training-cost row")
    training_source_id: str = shown("its source")
    peak_firm: str = shown("the measurement firm of the peak row (or 'no measurement firm named')")
    peak_low_firm: str = shown("the same for the lower reading")
    train_share_lo: float = shown("the lower training reading over the implied non-advertising cost")
    train_share_hi: float = shown("the upper training reading over it")
    share_limit: float = shown("the largest share at which the non-advertising part still reaches the upper reading")
    source: Citation = shown("the two peak rows and the training-cost row")


class PayingUsers(Section):
    """How many paying users at a monthly price would cover that cost, against Kimi's MAU?"""

    paying_users_needed: int = Field(description="total cost used / price_per_paying_user_yuan, rounded up")
    paying_users_needed_non_ad: int = Field(description="the same for the non-advertising cost only (0 without one)")
    mau: float = Field(description="QuestMobile's MAU of Kimi in the month nearest the peak ad spend")
    mau_obs: str = Field(description="its observation id")
    paying_share_of_mau: float = Field(description="paying_users_needed / mau")

    price_per_paying_user_yuan: float = shown("parameter, CNY a month")
    paid_revenue_monthly_yuan: float = shown("parameter, CNY a month")
    total_cost: float = shown("the total cost used, CNY a month")
    non_ad_cost: float = shown("its non-advertising part: total x (1 - ad_share)")
    non_ad_share_of_mau: float = shown("paying_users_needed_non_ad / mau")
    users_at_assumed_revenue: float = shown("payers the assumed revenue corresponds to at the price")
    assumed_share_of_mau: float = shown("those payers / mau")
    mau_month: pd.Timestamp = shown("the start of the MAU row's period")
    conflicting: pd.DataFrame = shown(
        "the other rows of the MAU row's conflict group: value_text, period, firm, share (paying_users_needed over them)"
    )
    prices: np.ndarray = shown("the chart's prices (PRICES), CNY a month")
    users_for_total: np.ndarray = shown("paying users that cover the total cost at each price")
    users_for_non_ad: np.ndarray = shown("paying users that cover the non-advertising cost at each price")
    source: Citation = shown("the peak row and the MAU row")


class MonteCarlo(Section):
    """How robust is the rate to the inputs nobody published? A seeded Monte Carlo and a tornado."""

    p_rate_above_target: float = Field(description="share of draws whose rate exceeds target_rate")
    p_break_even: float = Field(description="share of draws whose revenue covers the cost")
    mc_rate_quantiles: dict[str, float] = Field(description="the rate's 5th percentile, median and 95th percentile")
    tornado_swing: dict[str, float] = Field(description="input -> the swing of the rate as it moves from its 5th to 95th pct")
    most_influential_input: str = Field(description="the input with the largest swing")

    samples: int = shown("parameter mc_samples")
    seed: int = shown("parameter")
    target: float = shown("the target rate")
    target_is_threshold_firm: bool = shown("target_rate = 'threshold_firm'")
    spec: MCSpec = shown("the inputs of the Monte Carlo")
    inputs: pd.DataFrame = shown("the input distributions in words (MCSpec.describe)")
    sim: pd.DataFrame = shown("one row per draw: the inputs, revenue/cost and the rate")
    summary: dict[str, float] = shown("mc_summary of the draws")
    tornado: pd.DataFrame = shown("one row per input, largest swing first (see tornado)")
    base_rate: float = shown("the rate at the parameters")
    cost_is_implied: bool = shown("total_cost_monthly_yuan = 'implied'")
    ad_share: float = shown("parameter")
    mirror_share: float = shown("1 - ad_share")
    revenue_for_target_any_share: float = shown("with the implied cost, the least revenue that reaches the target, CNY a month")
    inputs_source: Citation = shown("the peak rows and the share row")
    rule_source: Citation = shown("the rows of the rule's numbers")


class FundingRound(BaseModel):
    """A funding round in the results JSON."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    date: str = Field(description="YYYY-MM-DD of the funding event")
    low_cny: float | None = Field(description="the smallest amount its rows give, CNY (null: no amount)")
    high_cny: float | None = Field(description="the largest, CNY")
    obs_ids: str = Field(description="its investment rows, ';'-separated")


class LedgerEnd(BaseModel):
    """When one evidence choice's cash ledger runs out."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    low: str | None = Field(
        description="when the cash runs out with the smaller readings of the rounds: 'YYYY Qn' inside the ledger's "
        "months, 'YYYY' when extrapolated beyond them, never a month (null: never)"
    )
    high: str | None = Field(description="the same with the larger readings")
    monthly_burn_after_data_yuan: float = Field(description="the burn after the last month of the ledger, CNY a month")


class RunwayRange(BaseModel):
    """When the cash runs out on every spend path (results key ``runway_range``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str = Field(description="the chosen spend path (parameter spend_path)")
    low: str | None = Field(description="its cash-out with the smaller readings of the rounds ('YYYY' or 'YYYY Qn'; null: never)")
    high: str | None = Field(description="with the larger readings")
    earliest: str | None = Field(description="the earliest cash-out over every spend path and reading")
    latest: str | None = Field(description="the latest (null: some path never runs out)")
    by_path: dict[str, list[str | None]] = Field(description="spend path -> [smaller, larger reading]")
    evidence: str = Field(description="the evidence of the ledgers")
    precision: str = Field(description="how the dates are stated, and why no month is")


class CashLedger(Section):
    """Month by month, when does the cash run out: every funding round in, 02's spend path plus the non-ad cost out?"""

    funding_rounds: dict[str, FundingRound] = Field(description="funding event id -> the round's date, amounts and rows")
    ledger_cash_out: dict[str, LedgerEnd] = Field(description="evidence -> when its ledger runs out")
    spend_path: str = Field(description="notebook 02's spend path the ledger burns (parameter spend_path)")
    runway_range: RunwayRange = Field(
        description="when the cash runs out on the chosen spend path and on every other, as a range of years or quarters"
    )

    rounds: pd.DataFrame = shown("funding_rounds: date, label, source_id, low_cny, high_cny, obs_ids, lower_bound")
    ledgers: dict[str, Ledger] = shown("evidence -> its ledger (both settings when the full dataset is given)")
    path_ledgers: dict[str, Ledger] = shown("spend path -> its ledger, on the chosen evidence")
    cash_out_text: dict[str, tuple[str | None, str | None]] = shown("evidence -> (smaller, larger reading) as stated")
    start: pd.Period = shown("the first month of the chosen evidence's ledger")
    non_ad_cost: float = shown("the non-advertising cost burnt each month, CNY")
    ad_share: float = shown("parameter")
    usd_cny: float = shown("parameter")
    last_article: pd.Timestamp = shown("the publication date of the latest source")
    latest_source: str = shown("its id")
    source: Citation = shown("the rounds' rows and the peak row")


class LedgerShare(BaseModel):
    """The ad share of the cash ledger's cost (results key ``ledger_ad_share``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: float = Field(description="ad spend / (ad spend + non-advertising cost) over the window")
    window: list[str] = Field(description="[first month, last month] (YYYY-MM): the ledger's months with a spend figure")
    ad_spend_yuan: float = Field(description="the spend path's ad spend over the window, CNY")
    other_cost_yuan: float = Field(description="the ledger's non-advertising cost over the window, CNY")
    path: str = Field(description="the spend path (parameter spend_path)")
    ad_share_parameter: float = Field(description="the ad share the non-advertising cost is implied at (parameter ad_share)")
    how: str = Field(description="how it is computed, in words")
    revenue_base_reading: list[float] | None = Field(
        description="[low, high] ad share of total cost when article 003's share is read as ad spend / revenue at face value: "
        "peak ad spend / (peak ad spend + the training cost's upper, lower reading) (null: no share)"
    )
    revenue_base_how: str = Field(description="how that reading is computed, in words")


class LedgerAdShare(Section):
    """Over the months with spend figures, what share of the ledger's cost went to advertising?"""

    ledger_ad_share: LedgerShare = Field(
        description="the period-average ad share of the cash ledger, its window and components, and the share under "
        "notebook 03's revenue-base reading (for notebook 05's ad_share range)"
    )

    table: pd.DataFrame = shown("month -> ad_spend, non_ad over the window")


class Runway(Section):
    """How long would the investment last at a constant monthly burn?"""

    funding_cny: dict[str, float] = Field(description="investment row -> amount, CNY (USD at usd_cny)")
    burn_scenarios_yuan: dict[str, float] = Field(description="burn scenario -> CNY a month")
    runway_months: dict[str, dict[str, float | None]] = Field(description="burn scenario -> investment row -> months")
    cash_out_dates: dict[str, dict[str, str | None]] = Field(
        description="burn scenario -> investment row -> the quarter the money runs out ('YYYY Qn'; a constant burn "
        "counted from the round's month, so no month is stated; null: never)"
    )

    runway: pd.DataFrame = shown("months: one row per burn scenario, one column per investment row")
    cash_out: pd.DataFrame = shown("the dates the money runs out (None: never)")
    funding_labels: dict[str, str] = shown("investment row -> 'value as written (id, source)'")
    first: str = shown("the smaller investment row")
    last: str = shown("the larger investment row")
    last_is_lower_bound: bool = shown("the larger figure is written as 'over' an amount")
    total_cost: float = shown("the total cost used, CNY a month")
    usd_cny: float = shown("parameter")
    training_obs: str = shown("the training-cost row (its two readings are burn scenarios)")
    last_funding: pd.Timestamp = shown("the date of the last funding event")
    last_funding_source: str = shown("its source")
    last_article: pd.Timestamp = shown("the publication date of the latest source")
    spent_before_latest_article: bool = shown("at the total cost the larger figure runs out before the latest source")


class ShareOfRevenue(BaseModel):
    """Article 003's rule with the share read as ad spend / revenue."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rate_share_of_revenue_face_value: list[float] | None = Field(
        description="[low, high] rate with the article's share at face value (revenue = ad spend / share)"
    )
    implied_revenue_face_value_yuan: float | None = Field(description="peak ad spend / ad_share, CNY a month")
    share_of_assumed_revenue: float | None = Field(description="peak ad spend / the assumed revenue")
    rate_from_assumed_revenue: float = Field(description="(assumed revenue - peak ad spend) / total cost")


class AlternativeReading(Section):
    """What if the share is ad spend over revenue, not over total cost?"""

    alternative_reading: ShareOfRevenue = Field(description="the rule under the share-of-revenue reading")

    table: pd.DataFrame = shown("one row per reading: share, paid_revenue, total_cost(_low), rate_low, rate_high")
    rate: float = shown("the rate under the main reading")
    ad_share: float = shown("parameter")
    face_value: pd.Series | None = shown("row (b): the share of revenue at face value")
    from_revenue: pd.Series | None = shown("row (c): the share of the assumed revenue")
    face_value_revenue_cost: list[float] | None = shown("row (b)'s revenue/cost: [at the upper, at the lower other cost]")
    face_value_vs_alarm: list[float] | None = shown("row (b)'s rates over a break-even firm's at the alarm line")
    face_value_vs_main: list[float] | None = shown("row (b)'s rates over the main reading's (None when that is 0)")


class ExplorerReading(NamedTuple):
    """The explorer's numbers for one set of slider values."""

    rate: float
    revenue_cost: float
    ratio_to_threshold_firm: float
    revenue_cost_needed: float  # to match a break-even firm at the alarm line
    paying_users: float  # to break even
    paying_share_of_mau: float


class Explorer(Section):
    """The interactive explorer: its start values, and the rule it recomputes at every move of a slider."""

    paid_revenue_monthly_yuan: float = shown("start value: parameter")
    total_cost: float = shown("start value: the total cost used")
    ad_share: float = shown("start value: parameter")
    alarm_threshold: float = shown("start value: parameter")
    price_per_paying_user_yuan: float = shown("start value: parameter")
    mau: float = shown("Kimi's MAU (the paying users' denominator)")

    def reading(self, revenue: float, cost: float, share: float, alarm: float, price: float) -> ExplorerReading:
        """The rule and its consequences at one set of inputs (CNY a month; shares as fractions)."""
        users = paying_users_needed(cost, price)
        return ExplorerReading(
            rate=sustainable_growth_rate(revenue, cost, share),
            revenue_cost=revenue / cost,
            ratio_to_threshold_firm=ratio_to_threshold_firm(share, alarm),
            revenue_cost_needed=required_revenue_cost_ratio(resolve_target("threshold_firm", alarm), share),
            paying_users=users,
            paying_share_of_mau=users / self.mau,
        )


class FormulaAnalysis(Analysis):
    """Notebook 03: article 003's rule put to Kimi's numbers: its cost base, the revenue it needs, the unknowns, the cash."""

    notebook: ClassVar[str] = NOTEBOOK

    basis: Basis
    rule: Rule
    rate_map: RateMap
    frontier: Frontier
    cost_base: CostBase
    paying_users: PayingUsers
    monte_carlo: MonteCarlo
    ledger: CashLedger
    ledger_share: LedgerAdShare
    runway: Runway
    alternative: AlternativeReading
    explorer: Explorer


def _origin(value: float, article: float, as_given: str) -> str:
    """Where a parameter's value comes from: ``as_given`` when it is article 003's, else the article's figure."""
    return as_given if math.isclose(value, article) else f"set by parameter; article 003 says {article:.0%}"


@dataclass(frozen=True)
class _Inputs:
    """What every section of notebook 03 starts from: the facts of the data and what the parameters make of them."""

    facts: KimiFacts
    cost_is_implied: bool  # total_cost_monthly_yuan = 'implied'
    total_cost: float  # CNY a month: the implied total, or the parameter
    non_ad_cost: float  # its non-advertising part
    revenue: float  # the assumed paid revenue, CNY a month
    rate: float  # the rule at the parameters
    target: float  # the Monte Carlo's target rate
    train_lo: float  # the training cost's readings, CNY a month
    train_hi: float
    rule_source: Citation  # the rows of the rule's numbers (share and alarm line)


def _inputs(ds: Dataset, P: SustainabilityParameters) -> _Inputs:
    facts = kimi_facts(ds)
    cost_is_implied = P.total_cost_monthly_yuan == "implied"
    # ValueError unless 0 < ad_share <= 1
    total_cost = (
        implied_total_cost(facts.peak_ad_spend.value, P.ad_share) if cost_is_implied else float(P.total_cost_monthly_yuan)
    )
    revenue = P.paid_revenue_monthly_yuan
    train_lo = facts.training_cost.value
    return _Inputs(
        facts=facts,
        cost_is_implied=cost_is_implied,
        total_cost=total_cost,
        non_ad_cost=total_cost * (1 - P.ad_share),
        revenue=revenue,
        rate=sustainable_growth_rate(revenue, total_cost, P.ad_share),
        target=resolve_target(P.target_rate, P.alarm_threshold),
        train_lo=train_lo,
        train_hi=facts.training_cost.high if facts.training_cost.high is not None else train_lo,  # a range's top
        rule_source=cite(ds, ds.observations.loc[[facts.ad_share.obs_id, facts.alarm_threshold.obs_id]]),
    )


def _rule(ds: Dataset, P: SustainabilityParameters, x: _Inputs) -> Rule:
    obs, facts = ds.observations, x.facts
    threshold_firm_rate = sustainable_growth_rate(x.revenue, x.total_cost, P.alarm_threshold)
    return Rule(
        sustainable_growth_rate=x.rate,
        ad_share=P.ad_share,
        alarm_threshold=P.alarm_threshold,
        article_ad_share=facts.ad_share.value,
        article_alarm_threshold=facts.alarm_threshold.value,
        ratio_to_threshold_firm=ratio_to_threshold_firm(P.ad_share, P.alarm_threshold),
        revenue_cost_ratio=x.revenue / x.total_cost,
        same_rate_share=1 - P.ad_share,
        paid_revenue_monthly_yuan=x.revenue,
        cost_is_implied=x.cost_is_implied,
        threshold_firm_rate=threshold_firm_rate,
        comparison=pd.DataFrame(
            {
                "ad-spend share": [P.ad_share, P.alarm_threshold],
                "rate at revenue = cost": [
                    sustainable_growth_rate(1, 1, P.ad_share),
                    sustainable_growth_rate(1, 1, P.alarm_threshold),
                ],
                "rate at Kimi's revenue/cost": [x.rate, threshold_firm_rate],
            },
            index=["Kimi", "firm at the alarm line"],
        ),
        share_note=_origin(P.ad_share, facts.ad_share.value, "article 003's figure"),
        alarm_note=_origin(P.alarm_threshold, facts.alarm_threshold.value, "article 003's line"),
        share_obs=facts.ad_share.obs_id,
        alarm_obs=facts.alarm_threshold.obs_id,
        share_quote=str(obs.at[facts.ad_share.obs_id, "quote"]),
        alarm_quote=str(obs.at[facts.alarm_threshold.obs_id, "quote"]),
        quote_source=ds.source_label([obs.at[facts.ad_share.obs_id, "source_id"]]),
        rule_source=x.rule_source,
    )


def _rate_map(P: SustainabilityParameters, x: _Inputs) -> RateMap:
    X, Y = np.meshgrid(MAP_REVENUE_COST, MAP_SHARE)
    return RateMap(
        revenue_cost_axis=X,
        share_axis=Y,
        rate=sustainable_growth_rate(X, 1.0, Y),  # revenue/cost = X (cost 1), share = Y
        revenue_cost=x.revenue / x.total_cost,
        ad_share=P.ad_share,
        alarm_threshold=P.alarm_threshold,
        alarm_firm_rate=sustainable_growth_rate(1.0, 1.0, P.alarm_threshold),
        paid_revenue_monthly_yuan=x.revenue,
        rule_source=x.rule_source,
    )


def _frontier(P: SustainabilityParameters, x: _Inputs) -> Frontier:
    factor_kimi, factor_alarm = frontier_factor(P.ad_share), frontier_factor(P.alarm_threshold)
    revenue_for_target = required_revenue_cost_ratio(x.target, P.ad_share) * x.total_cost
    return Frontier(
        frontier_factor_at_share=factor_kimi,
        frontier_factor_at_threshold=factor_alarm,
        target_rate=x.target,
        revenue_needed_for_target_yuan=revenue_for_target,
        ad_share=P.ad_share,
        alarm_threshold=P.alarm_threshold,
        revenue_cost=x.revenue / x.total_cost,
        need_at_share=required_revenue_cost_ratio(x.target, P.ad_share),
        need_at_threshold=required_revenue_cost_ratio(x.target, P.alarm_threshold),
        factor_ratio=factor_kimi / factor_alarm,
        revenue_multiple=revenue_for_target / x.revenue if x.revenue else float("inf"),
        shares=FRONTIER_SHARES,
        curves={s: required_revenue_cost_ratio(s, FRONTIER_SHARES) for s in sorted({*FRONTIER_TARGETS, round(x.target, 4)})},
        rule_source=x.rule_source,
    )


def _cost_base(ds: Dataset, P: SustainabilityParameters, x: _Inputs) -> CostBase:
    obs, peak, peak_low = ds.observations, x.facts.peak_ad_spend, x.facts.peak_ad_spend_low
    implied_non_ad = implied_non_ad_cost(peak.value, P.ad_share)
    implied_non_ad_low = implied_non_ad_cost(peak_low.value, P.ad_share)
    training = x.facts.training_cost.obs_id
    return CostBase(
        peak_ad_spend_yuan=peak.value,
        peak_ad_spend_obs=peak.obs_id,
        peak_ad_spend_low_yuan=peak_low.value,
        peak_ad_spend_low_obs=peak_low.obs_id,
        implied_total_monthly_cost_yuan=implied_total_cost(peak.value, P.ad_share),
        implied_non_ad_monthly_cost_yuan=implied_non_ad,
        implied_total_monthly_cost_low_yuan=implied_total_cost(peak_low.value, P.ad_share),
        implied_non_ad_monthly_cost_low_yuan=implied_non_ad_low,
        total_monthly_cost_used_yuan=x.total_cost,
        training_cost_monthly_range_yuan=[x.train_lo, x.train_hi],
        non_ad_vs_training=range_position(implied_non_ad, x.train_lo, x.train_hi),
        non_ad_low_vs_training=range_position(implied_non_ad_low, x.train_lo, x.train_hi),
        ad_share=P.ad_share,
        share_note=_origin(P.ad_share, x.facts.ad_share.value, "article 003's figure"),
        training_low=x.train_lo,
        training_high=x.train_hi,
        training_obs=training,
        training_source_id=str(obs.at[training, "source_id"]),
        peak_firm=ds.vendor_label([obs.at[peak.obs_id, "vendor"]]),
        peak_low_firm=ds.vendor_label([obs.at[peak_low.obs_id, "vendor"]]),
        train_share_lo=x.train_lo / implied_non_ad,
        train_share_hi=x.train_hi / implied_non_ad,
        share_limit=max_share_for_cost(peak.value, x.train_hi),
        source=cite(ds, obs.loc[[peak.obs_id, peak_low.obs_id, training]]),
    )


def _paying_users(ds: Dataset, P: SustainabilityParameters, x: _Inputs) -> PayingUsers:
    obs, mau_obs = ds.observations, x.facts.mau.obs_id
    mau, mau_row = x.facts.mau.value, obs.loc[mau_obs]
    price = P.price_per_paying_user_yuan
    needed = math.ceil(paying_users_needed(x.total_cost, price))
    needed_non_ad = math.ceil(paying_users_needed(x.non_ad_cost, price)) if x.non_ad_cost > 0 else 0
    at_assumed_revenue = x.revenue / price
    others = obs[(obs["conflict_group"] == mau_row["conflict_group"]) & (obs.index != mau_obs)]
    return PayingUsers(
        paying_users_needed=needed,
        paying_users_needed_non_ad=needed_non_ad,
        mau=mau,
        mau_obs=mau_obs,
        paying_share_of_mau=needed / mau,
        price_per_paying_user_yuan=price,
        paid_revenue_monthly_yuan=x.revenue,
        total_cost=x.total_cost,
        non_ad_cost=x.non_ad_cost,
        non_ad_share_of_mau=needed_non_ad / mau,
        users_at_assumed_revenue=at_assumed_revenue,
        assumed_share_of_mau=at_assumed_revenue / mau,
        mau_month=mau_row["period_start"],
        conflicting=pd.DataFrame(
            {
                "value_text": others["value_text"],
                "period": [period_label(r) for _, r in others.iterrows()],
                "firm": [ds.vendor_label([v]) if isinstance(v, str) else "no firm named" for v in others["vendor"]],
                "share": needed / others["base_value"],
            },
            index=others.index,
        ),
        prices=PRICES,
        users_for_total=x.total_cost / PRICES,
        users_for_non_ad=x.non_ad_cost / PRICES,
        source=cite(ds, obs.loc[[x.facts.peak_ad_spend.obs_id, mau_obs]]),
    )


def _monte_carlo(ds: Dataset, P: SustainabilityParameters, x: _Inputs) -> MonteCarlo:
    peak, peak_low = x.facts.peak_ad_spend, x.facts.peak_ad_spend_low
    spec = MCSpec(
        paid_revenue=x.revenue,
        ad_share=P.ad_share,
        revenue_spread_factor=P.revenue_spread_factor,
        ad_spend_low=peak_low.value,
        ad_spend_high=peak.value,
        total_cost=None if x.cost_is_implied else x.total_cost,
        share_below=P.mc_share_below,
        share_above=P.mc_share_above,
        cost_spread_factor=P.mc_cost_spread_factor,
    )
    sim = monte_carlo(spec, P.mc_samples, P.seed)
    mc = mc_summary(sim, x.target)
    base_inputs = {"paid_revenue": x.revenue, "ad_share": P.ad_share}
    base_inputs.update({"ad_spend": peak.value} if x.cost_is_implied else {"total_cost": x.total_cost})
    torn = tornado(sim, base_inputs)
    return MonteCarlo(
        p_rate_above_target=mc["p_rate_above_target"],
        p_break_even=mc["p_break_even"],
        mc_rate_quantiles={"p05": mc["rate_p05"], "median": mc["rate_median"], "p95": mc["rate_p95"]},
        tornado_swing=torn["swing"].to_dict(),
        most_influential_input=str(torn.index[0]),
        samples=P.mc_samples,
        seed=P.seed,
        target=x.target,
        target_is_threshold_firm=P.target_rate == "threshold_firm",
        spec=spec,
        inputs=spec.describe(),
        sim=sim,
        summary=mc,
        tornado=torn,
        base_rate=x.rate,
        cost_is_implied=x.cost_is_implied,
        ad_share=P.ad_share,
        mirror_share=1 - P.ad_share,
        revenue_for_target_any_share=x.target / 0.25 * peak.value,
        inputs_source=cite(ds, ds.observations.loc[[peak.obs_id, peak_low.obs_id, x.facts.ad_share.obs_id]]),
        rule_source=x.rule_source,
    )


def _ledger(ds: Dataset, P: SustainabilityParameters, non_ad_cost: float, path: str | None = None) -> tuple[pd.DataFrame, Ledger]:
    """Rounds and cash ledger of one evidence choice: notebook 02's spend path (``P.spend_path`` or ``path``) plus
    ``non_ad_cost``."""
    path = path or P.spend_path
    spend = adspend.monthly_spend(ds, path)
    rounds = funding_rounds(ds, P.usd_cny)
    # the path's own level in the month after its last (zero for 'zero' and 'lower_bounds', the pre-peak floor for the
    # others): the last month's figure (a reported month) is not what the path assumes afterwards
    tail = float(adspend.monthly_spend(ds, path, end=spend.index.max() + 1)["spend_yuan"].iloc[-1])
    start = spend.index.min().to_timestamp()
    return rounds, cash_ledger(spend, rounds, non_ad_cost, start, tail)


def _same_precision(lo: str | None, hi: str | None) -> tuple[str | None, str | None]:
    """Two ends of a range at one precision: when either is only a year, both are years ('2024 Q4 to 2024' would
    read as a range that ends before it starts)."""
    if any(v is not None and len(v) == 4 for v in (lo, hi)):
        return (lo[:4] if lo else None), (hi[:4] if hi else None)
    return lo, hi


def _ends(lg: Ledger) -> tuple[str | None, str | None]:
    """A ledger's cash-out with the smaller and the larger readings, at the precision :func:`when_text` allows (one
    precision for both)."""
    last = lg.table.index[-1]
    return _same_precision(when_text(lg.cash_out_low, last), when_text(lg.cash_out_high, last))


def ledger_share(ds: Dataset, ad_share: float, path: str = "reconciled") -> tuple[float, pd.DataFrame]:
    """The period-average ad share of the cash ledger: notebook 02's ``path`` from its first to its last month with a
    spend figure, against the non-advertising cost the peak month implies at ``ad_share`` (held constant); returns the
    share and the months (columns ``ad_spend``, ``non_ad``). The ledger of notebook 03 burns the same two columns."""
    spend = adspend.monthly_spend(ds, path)
    last = spend.attrs["last_data_month"]
    non_ad = implied_non_ad_cost(peak_ad_spend(ds)[0].value, ad_share)
    t = pd.DataFrame({"ad_spend": spend.loc[:last, "spend_yuan"].astype(float)})
    t["non_ad"] = non_ad
    ad, other = float(t["ad_spend"].sum()), float(t["non_ad"].sum())
    return ad / (ad + other), t


def _ledger_share(ds: Dataset, P: SustainabilityParameters, x: _Inputs, lg: CashLedger) -> LedgerAdShare:
    """The ad share of the chosen evidence's ledger over its months with a spend figure, and the share of cost under
    the revenue-base reading of article 003's share."""
    own = lg.ledgers[P.evidence]
    last_data = adspend.monthly_spend(ds, P.spend_path).attrs["last_data_month"]
    t = own.table.loc[:last_data, ["ad_spend", "non_ad"]]
    ad, other = float(t["ad_spend"].sum()), float(t["non_ad"].sum())
    peak = x.facts.peak_ad_spend.value
    rev_base = [peak / (peak + x.train_hi), peak / (peak + x.train_lo)] if P.ad_share > 0 else None
    return LedgerAdShare(
        ledger_ad_share=LedgerShare(
            value=ad / (ad + other),
            window=[str(t.index[0]), str(t.index[-1])],
            ad_spend_yuan=ad,
            other_cost_yuan=other,
            path=P.spend_path,
            ad_share_parameter=P.ad_share,
            how=f"the ledger's months from the first to the last with a spend figure: notebook 02's '{P.spend_path}' path "
            f"against the non-advertising cost the peak month implies at a {P.ad_share:.0%} share "
            f"({x.non_ad_cost / 1e4:,.0f}万元 a month, held constant)",
            revenue_base_reading=rev_base,
            revenue_base_how="article 003's share read as ad spend / revenue (section 8, reading b): total cost = the peak "
            "month's ad spend plus the training cost as the only other cost, so the ad share of cost is peak / (peak + "
            "training), at the training cost's upper and lower reading",
        ),
        table=t,
    )


def _latest_source(ds: Dataset) -> tuple[str, pd.Timestamp]:
    """The id and publication date of the latest source of ``ds``."""
    sid = str(ds.sources["date_published"].map(lambda d: pd.Timestamp(d)).idxmax())
    return sid, pd.Timestamp(cast(str, ds.sources.at[sid, "date_published"]))


def _cash_ledger(full: Dataset, ds: Dataset, P: SustainabilityParameters, x: _Inputs) -> CashLedger:
    """The ledger of ``P.evidence``, and of the other evidence choice beside it when ``full`` has every source."""
    rounds, own = _ledger(ds, P, x.non_ad_cost)
    ledgers: dict[str, Ledger] = {P.evidence: own}
    if full.evidence == "all":
        other = "all" if P.evidence == "articles" else "articles"
        ledgers[other] = _ledger(full.with_evidence(other), P, x.non_ad_cost)[1]
        ledgers = {k: ledgers[k] for k in ("articles", "all")}
    latest, last_article = _latest_source(ds)
    round_rows = sorted({o for ids in rounds["obs_ids"] for o in ids.split(";") if o})
    text = {ev: _ends(lg) for ev, lg in ledgers.items()}
    by_path = {p: (own if p == P.spend_path else _ledger(ds, P, x.non_ad_cost, p)[1]) for p in adspend.SPEND_PATHS}
    path_text = {p: _ends(lg) for p, lg in by_path.items()}
    dates = [d for lg in by_path.values() for d in (lg.cash_out_low, lg.cash_out_high)]
    last = {p: lg.table.index[-1] for p, lg in by_path.items()}
    found = [(d, p) for p, lg in by_path.items() for d in (lg.cash_out_low, lg.cash_out_high) if d is not None]
    earliest = min(found) if found else None
    latest_end = max(found) if found and all(d is not None for d in dates) else None
    span = _same_precision(
        None if earliest is None else when_text(earliest[0], last[earliest[1]]),
        None if latest_end is None else when_text(latest_end[0], last[latest_end[1]]),
    )
    return CashLedger(
        funding_rounds={
            str(k): FundingRound(date=f"{r['date']:%Y-%m-%d}", low_cny=r["low_cny"], high_cny=r["high_cny"], obs_ids=r["obs_ids"])
            for k, r in rounds.iterrows()
        },
        ledger_cash_out={
            ev: LedgerEnd(low=text[ev][0], high=text[ev][1], monthly_burn_after_data_yuan=lg.tail_burn)
            for ev, lg in ledgers.items()
        },
        spend_path=P.spend_path,
        runway_range=RunwayRange(
            path=P.spend_path,
            low=path_text[P.spend_path][0],
            high=path_text[P.spend_path][1],
            earliest=span[0],
            latest=span[1],
            by_path={p: list(t) for p, t in path_text.items()},
            evidence=P.evidence,
            precision="a quarter while the cash-out falls inside the months the ledger lists, a year when it is "
            "extrapolated beyond them; never a month, since the non-advertising cost is an assumption held constant "
            "and the spend after the last reported month is a path's assumption",
        ),
        rounds=rounds,
        ledgers=ledgers,
        path_ledgers=by_path,
        cash_out_text=text,
        start=own.start,
        non_ad_cost=x.non_ad_cost,
        ad_share=P.ad_share,
        usd_cny=P.usd_cny,
        last_article=last_article,
        latest_source=latest,
        source=cite(ds, ds.observations.loc[round_rows + [x.facts.peak_ad_spend.obs_id]]),
    )


def _runway(ds: Dataset, P: SustainabilityParameters, x: _Inputs) -> Runway:
    """The investment alone at constant monthly burns."""
    obs, facts = ds.observations, x.facts
    funding_cny = {oid: f.value * P.usd_cny for oid, f in facts.investments.items()}
    burns = {
        "total_cost": x.total_cost,
        "total_cost_less_revenue": x.total_cost - x.revenue,
        "non_ad_cost": x.non_ad_cost,
        "training_cost_high": x.train_hi,
        "training_cost_low": x.train_lo,
    }
    months = runway_table(funding_cny, burns)
    cash_out = months.map(lambda m: cash_out_date(facts.investment_date, m))
    by_amount = funding_cny.__getitem__
    first, last = min(funding_cny, key=by_amount), max(funding_cny, key=by_amount)  # smaller, larger
    runway_end = cast("pd.Timestamp | None", cash_out.at["total_cost", last])
    last_article = _latest_source(ds)[1]
    return Runway(
        funding_cny=funding_cny,
        burn_scenarios_yuan=burns,
        runway_months={str(k): months.loc[k].to_dict() for k in months.index},
        cash_out_dates={
            str(k): {f: (None if d is None or pd.isna(d) else quarter_label(pd.Timestamp(d))) for f, d in row.items()}
            for k, row in cash_out.iterrows()
        },
        runway=months,
        cash_out=cash_out,
        funding_labels={oid: f"{obs.at[oid, 'value_text']!s} ({oid}, {obs.at[oid, 'source_id']!s})" for oid in funding_cny},
        first=first,
        last=last,
        last_is_lower_bound=obs.at[last, "qualifier"] == ">",
        total_cost=x.total_cost,
        usd_cny=P.usd_cny,
        training_obs=facts.training_cost.obs_id,
        last_funding=facts.last_funding,
        last_funding_source=str(ds.events.at["e_last_funding", "source_id"]),
        last_article=last_article,
        spent_before_latest_article=runway_end is not None and runway_end < last_article,
    )


def _alternative(P: SustainabilityParameters, x: _Inputs) -> AlternativeReading:
    """The share read as ad spend over revenue."""
    peak, revenue, rate = x.facts.peak_ad_spend.value, x.revenue, x.rate
    alt = alternative_reading(peak, P.ad_share, revenue, x.total_cost, x.train_lo, x.train_hi)
    b = alt.iloc[1] if len(alt) > 1 and alt.index[1].startswith("(b)") else None
    c_rows = [i for i in alt.index if i.startswith("(c)")]
    break_even_alarm = sustainable_growth_rate(1, 1, P.alarm_threshold)
    return AlternativeReading(
        alternative_reading=ShareOfRevenue(
            rate_share_of_revenue_face_value=None if b is None else [b["rate_low"], b["rate_high"]],
            implied_revenue_face_value_yuan=peak / P.ad_share if P.ad_share > 0 else None,
            share_of_assumed_revenue=peak / revenue if revenue > 0 else None,
            rate_from_assumed_revenue=rate_share_of_revenue(revenue, x.total_cost, peak),
        ),
        table=alt,
        rate=rate,
        ad_share=P.ad_share,
        face_value=b,
        from_revenue=alt.loc[c_rows].iloc[0] if c_rows else None,
        face_value_revenue_cost=(
            None if b is None else [b["paid_revenue"] / b["total_cost"], b["paid_revenue"] / b["total_cost_low"]]
        ),
        face_value_vs_alarm=None if b is None else [b["rate_low"] / break_even_alarm, b["rate_high"] / break_even_alarm],
        face_value_vs_main=None if b is None or not rate > 0 else [b["rate_low"] / rate, b["rate_high"] / rate],
    )


def analyse(ds: Dataset, P: SustainabilityParameters) -> FormulaAnalysis:
    """The rule for Kimi, its implied cost base, the revenue and paying users it needs, the Monte Carlo and the runway.

    ``ds`` is the full dataset (``kr.load()``): the analysis uses ``P.evidence`` of it, and computes the cash ledger
    under both evidence settings (articles only, every source) when it has every source. Every number is computed
    from data/ and the parameters."""
    full = ds
    ds = ds.with_evidence(P.evidence)
    x = _inputs(ds, P)
    lg = _cash_ledger(full, ds, P, x)
    return FormulaAnalysis(
        parameters=P,
        basis=Basis(evidence=P.evidence),
        rule=_rule(ds, P, x),
        rate_map=_rate_map(P, x),
        frontier=_frontier(P, x),
        cost_base=_cost_base(ds, P, x),
        paying_users=_paying_users(ds, P, x),
        monte_carlo=_monte_carlo(ds, P, x),
        ledger=lg,
        ledger_share=_ledger_share(ds, P, x, lg),
        runway=_runway(ds, P, x),
        alternative=_alternative(P, x),
        explorer=Explorer(
            paid_revenue_monthly_yuan=x.revenue,
            total_cost=x.total_cost,
            ad_share=P.ad_share,
            alarm_threshold=P.alarm_threshold,
            price_per_paying_user_yuan=P.price_per_paying_user_yuan,
            mau=x.facts.mau.value,
        ),
    )

"""The scenario engine: every combination of the contested inputs, evaluated in-process.

:func:`build_grid` makes the scenario table's left half: the full product of the discrete readings of
every varied input (:mod:`kimi_research.analysis.contested`), crossed with ``samples`` seeded Latin-hypercube draws
of the varied range inputs. An input that is not varied keeps its default reading (the first one; for a
range, the evidence's own figure).

:func:`evaluate` fills in the analyses' outputs, calling the analysis modules' own functions (no
kernel, no figures). The outputs come from two kinds of computation, each declaring what it reads:

* a :class:`Block` (:data:`BLOCKS`) runs an analysis of notebooks 01 to 04 once per distinct combination
  of the contested inputs it names (the churn fit of notebook 02 reads the acquisition cost, the spend path
  and the peak spend), as a *task*; tasks can go to any ``concurrent.futures`` executor (see
  :mod:`kimi_research.orchestration.scenarios`);
* a :class:`Step` (:data:`STEPS`) is arithmetic on columns of the table (the cost per retained user, the
  formula of article 003, the runway), computed for all rows at once; a step may give the closed form of
  its inverse, which the grading uses to solve a threshold exactly.

From these declarations the engine knows, for every output column, the contested inputs it depends on
(:attr:`Evaluation.depends`): a conclusion's ``inputs_read``. The result: one tidy row per scenario, its
readings and every output, and an :class:`Evaluation` that can recompute the steps for other values of a
range input (:meth:`Evaluation.recompute`).

**Adding to it.** A new figure for a question the data already answer is a row in ``data/`` (no code). A new
contested input is one specification in :data:`kimi_research.analysis.contested.SPECS` (``FromData`` for a question
the data answer; ``Choice`` or ``Range`` for readings or bounds computed by another notebook's function) and a
:class:`Block` or :class:`Step` here that reads it (its name in ``inputs``/``reads``); a new conclusion is one
``Conclusion`` in :mod:`kimi_research.analysis.conclusions` (an output column, a comparison, a threshold). What each
conclusion reads, its grade and its thresholds follow from these declarations.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from kimi_research.analysis import adspend, competitors, decline, sustainability
from kimi_research.analysis import contested as C
from kimi_research.data import comparable
from kimi_research.data.loader import Dataset, load
from kimi_research.data.vocabulary import ordinal
from kimi_research.errors import DataError, ParameterError

ENTITY = "kimi"
EVIDENCE = ("articles", "all")
#: the firm whose series the collection's headline decline is measured on
HEADLINE_FIRM = "questmobile"


@dataclass(frozen=True)
class GridSpec:
    """What the grid varies, how many range samples, the seed, the evidence and the range bounds."""

    vary: tuple[str, ...]
    samples: int = 8
    seed: int = 0
    evidence: str = "articles"
    retention_low: float | None = None
    ad_share_low: float | None = None
    ad_share_high: float | None = None
    usd_cny: float = 7.2
    price_per_paying_user_yuan: float = 49.0

    def registry(self, ds: Dataset) -> dict[str, C.ContestedInput]:
        return C.registry(ds, self.retention_low, self.ad_share_low, self.ad_share_high)


# --- evidence --------------------------------------------------------------------------------
def restrict_evidence(ds: Dataset, evidence: str) -> Dataset:
    """The dataset limited to the articles (``"articles"``) or every source (``"all"``): the data layer's
    :meth:`~kimi_research.data.loader.Dataset.with_evidence`, with a parameter error for a bad name."""
    if evidence not in EVIDENCE:
        raise ParameterError(f"evidence = {evidence!r}: expected one of {', '.join(EVIDENCE)}")
    return ds.with_evidence(evidence)


# --- the grid ---------------------------------------------------------------------------------
def default_value(c: C.ContestedInput, ds: Dataset | None = None) -> Any:
    """An input's value when it is not varied: its first reading; a range's own figure from the evidence."""
    if c.kind == C.DISCRETE:
        return c.readings[0].key
    return float(c.default)


def build_grid(ds: Dataset, spec: GridSpec, reg: dict | None = None) -> pd.DataFrame:
    """One row per scenario: a column per contested input (reading key, or a sampled value)."""
    reg = reg or spec.registry(ds)
    unknown = [v for v in spec.vary if v not in reg]
    if unknown:
        raise ParameterError(f"vary: unknown input(s) {', '.join(map(repr, unknown))}; known: {', '.join(reg)}")
    if spec.samples < 1:
        raise ParameterError(f"samples = {spec.samples!r}: expected a whole number of at least 1")
    for n, c in reg.items():
        if c.kind == C.RANGE and not (c.low is not None and c.high is not None and 0 < c.low < c.high):
            raise ParameterError(
                f"range of {n!r}: low = {c.low!r} must be above 0 and below high = {c.high!r} "
                f"({c.doc.split('.')[0]}); set the bounds in the parameters"
            )
    discrete = [n for n, c in reg.items() if c.kind == C.DISCRETE]
    ranges = [n for n, c in reg.items() if c.kind == C.RANGE]
    levels = [reg[n].keys() if n in spec.vary else [default_value(reg[n], ds)] for n in discrete]
    grid = pd.DataFrame(list(itertools.product(*levels)), columns=discrete)
    varied_ranges = [n for n in ranges if n in spec.vary]
    k = spec.samples if varied_ranges else 1
    # Latin hypercube (scipy.stats.qmc): each range's samples cover its span evenly, seeded; one column
    # per range input in registry order, so a seed gives the same draws whatever else is varied
    from scipy.stats import qmc

    u = qmc.LatinHypercube(d=max(len(ranges), 1), seed=spec.seed).random(k)
    draws = {}
    for j, n in enumerate(ranges):
        c = reg[n]
        if n in varied_ranges:
            assert c.low is not None and c.high is not None, f"range input {n} has no bounds"
            if c.sampling == "log-uniform":
                draws[n] = np.exp(np.log(c.low) + u[:, j] * (np.log(c.high) - np.log(c.low)))
            else:
                draws[n] = c.low + u[:, j] * (c.high - c.low)
        else:
            draws[n] = np.full(k, default_value(c, ds))
    samples = pd.DataFrame(draws).assign(sample=np.arange(k))
    out = grid.merge(samples, how="cross")
    out.insert(0, "scenario", np.arange(len(out)))
    return out


# --- tasks: one analysis, one combination of the inputs it reads ------------------------------
@dataclass(frozen=True)
class Block:
    """An analysis run once per combination of the contested inputs it names; every column it returns
    depends on those inputs (and on no other)."""

    name: str
    inputs: tuple[str, ...]
    func: Callable[..., dict]


def _mau_rows(ds: Dataset) -> pd.DataFrame:

    return decline.select(ds, ENTITY, "mau")


def _memo(ds: Dataset, key: tuple, make: Callable[[], Any]) -> Any:
    """Per-process memo of a selection that several tasks share (one spend path, the MAU targets)."""
    memo = ds.__dict__.setdefault("_scenario_memo", {})  # lives and dies with this dataset
    if key not in memo:
        memo[key] = make()
    return memo[key]


def _spend(ds: Dataset, spend_path: str, peak_spend_value: float, end) -> pd.DataFrame:
    """Notebook 02's monthly spend path, the peak month set to the peak-spend reading."""

    sp = _memo(ds, ("spend", spend_path, str(end)), lambda: adspend.monthly_spend(ds, spend_path, end=end)).copy()
    rep = sp[sp["status"] == "reported"]
    if len(rep):
        peak = rep["spend_yuan"].idxmax()
        sp.loc[peak, "spend_yuan"] = float(peak_spend_value)
    return sp


def _targets(ds: Dataset) -> pd.DataFrame:

    return _memo(ds, ("targets",), lambda: adspend.mau_targets(ds, ENTITY))


def _model_end(ds: Dataset) -> pd.Period:
    """The last month the stock-flow model must cover: the last month of a MAU target."""
    return max(m for ms in _targets(ds)["months"] for m in ms)


def _dau_rise(ds: Dataset) -> pd.Series | None:
    """Kimi's rise in daily users: notebook 01's first growth phase of a DAU series."""

    rise = _memo(ds, ("growth",), lambda: decline.growth_phases(ds, ENTITY))
    rise = rise[rise["metric"] == "dau"] if len(rise) else rise
    return None if rise.empty else rise.iloc[0]


def fit_churn_point(spend: pd.Series, cpa: float, targets: pd.DataFrame) -> float:
    """The least-squares churn of notebook 02's stock-flow model, without its interval machinery.

    Same model and objective as :func:`kimi_research.analysis.adspend.fit_churn` (users_t = (1 - churn)
    * users_{t-1} + spend_t / cpa from zero, as ``adspend.simulate``; a quarter compared through the
    mean of its months, as ``adspend.model_at_targets``; squared log residuals) and the same search (best
    point of a coarse grid, then refined), but the recursion runs as a linear filter on arrays and there
    is no profile grid or jackknife: far faster. ``tests/analysis/test_scenarios.py`` checks it against ``fit_churn``.
    """
    from scipy import optimize, signal

    used = targets[targets["used"]]
    observed = np.log(used["base_value"].to_numpy(dtype=float))
    inflow = spend.to_numpy(dtype=float) / cpa
    pos = {m: i for i, m in enumerate(spend.index)}
    missing = [m for ms in used["months"] for m in ms if m not in pos]
    if missing:  # let notebook 02's function give its message
        adspend.model_at_targets(adspend.simulate(spend, cpa, 0.0), used)
    rows = [np.array([pos[m] for m in ms]) for ms in used["months"]]

    def sse(c: float) -> float:
        users = signal.lfilter([1.0], [1.0, -(1.0 - float(c))], inflow)
        model = np.array([users[i].mean() for i in rows])
        return float(np.sum((np.log(model) - observed) ** 2))

    grid = np.linspace(0.0, 0.95, 96)
    i = int(np.argmin([sse(c) for c in grid]))
    lo, hi = grid[max(i - 1, 0)], min(grid[min(i + 1, len(grid) - 1)], adspend.CHURN_MAX)
    if hi <= lo:
        return float(grid[i])
    res = optimize.minimize_scalar(sse, bounds=(lo, hi), method="bounded", options={"xatol": 1e-9})
    return float(res.x) if res.fun <= sse(grid[i]) else float(grid[i])


def block_churn(ds: Dataset, reg, cpa: str, spend_path: str, peak_spend: str) -> dict:
    """Notebook 02's stock-flow model: the monthly churn of bought users fitted to QuestMobile's MAU."""

    targets = _targets(ds)
    sp = _spend(ds, spend_path, reg["peak_spend"].reading(peak_spend).value, _model_end(ds))
    churn = fit_churn_point(sp["spend_yuan"], float(reg["cpa"].reading(cpa).value), targets)
    return {"bought_churn": churn, "bought_half_life": adspend.half_life(churn), "churn_fit_points": int(targets["used"].sum())}


def block_decline(ds: Dataset, reg, decline_series: str, dating: str, peak_mau: str) -> dict:
    """Notebook 01's log-linear decay fit on one series of Kimi's MAU (no rate from fewer than two points:
    the outputs are then missing, and a conclusion on them is not evaluable there)."""

    rows = _mau_rows(ds)
    peak_row = reg["peak_mau"].reading(peak_mau).obs_ids[0]
    if decline_series == decline.POOLED and peak_row in rows.index and rows.at[peak_row, "kind"] != "point":
        rows.loc[peak_row, "kind"] = "point"  # the lower bound read at its bound, as a point
    rows = decline.series_rows(rows, decline_series)
    if dating == "last_month":
        rows = decline.redate_to_last_month(rows).sort_values(["period_mid", "period_end"], kind="stable")
    fit = decline.fit_decay(rows, decline_series)
    lo, hi = fit.monthly_change_ci
    nan = math.nan
    return {
        "decline_status": fit.status,
        "decline_points": fit.n,
        "decline_monthly_change": nan if fit.monthly_change is None else fit.monthly_change,
        "decline_change_ci_low": nan if lo is None else lo,
        "decline_change_ci_high": nan if hi is None else hi,
        "decline_half_life": nan if fit.half_life is None else fit.half_life,
    }


def block_peak(ds: Dataset, reg, peak_mau: str) -> dict:
    """Kimi's latest QuestMobile MAU against the peak-MAU reading (notebook 01's peak to latest).

    Like for like: a reading of another named firm's panel is never set against QuestMobile's latest (the
    change is missing: not evaluable there); a figure that names no firm is, as the articles do."""

    rows = decline.series_rows(_mau_rows(ds), HEADLINE_FIRM)
    pl = decline.peak_latest(rows)
    reading = reg["peak_mau"].reading(peak_mau)
    peak = float(reading.value)
    comparable_firm = reading.firm in ("", HEADLINE_FIRM)
    return {
        "peak_mau_value": peak,
        "latest_questmobile_mau": pl["latest_value"],
        "peak_to_latest_change": pl["latest_value"] / peak - 1 if comparable_firm else math.nan,
    }


def block_rise(ds: Dataset, reg) -> dict:
    """Kimi's rise in daily users (no contested input: one computation)."""
    r = _dau_rise(ds)
    if r is None:
        return {"dau_rise_start": None, "dau_rise_end": None, "dau_rise_multiple": math.nan}
    obs = ds.observations
    return {
        "dau_rise_start": str(cast(pd.Timestamp, obs.at[r["start_obs"], "period_start"]).to_period("M")),
        "dau_rise_end": str(cast(pd.Timestamp, obs.at[r["end_obs"], "period_end"]).to_period("M")),
        "dau_rise_multiple": float(r["multiple"]),
    }


def block_spend(ds: Dataset, reg, spend_path: str, peak_spend: str) -> dict:
    """Timing of spend against the daily-user rise; Kimi's late-2024 spend; whether a stop is reported."""

    sp = _spend(ds, spend_path, reg["peak_spend"].reading(peak_spend).value, _model_end(ds))
    peak_month = cast(pd.Period, sp["spend_yuan"].idxmax())
    out: dict[str, Any] = {"spend_peak_month": str(peak_month), "spend_in_rise_yuan": math.nan}
    out["spend_peak_months_after_rise"] = math.nan
    r = _dau_rise(ds)
    if r is not None:
        obs = ds.observations
        start = cast(pd.Timestamp, obs.at[r["start_obs"], "period_start"]).to_period("M")
        end = cast(pd.Timestamp, obs.at[r["end_obs"], "period_end"]).to_period("M")
        in_rise = sp[(sp.index >= start) & (sp.index <= end)]
        out.update(spend_in_rise_yuan=float(in_rise["spend_yuan"].sum()), spend_peak_months_after_rise=(peak_month - end).n)
    window = adspend.peak_window(sp)
    out["kimi_late_2024_spend_per_month"] = float(sp.loc[window, "spend_yuan"].mean())
    out["peak_window_spend_yuan"] = float(sp.loc[window, "spend_yuan"].sum())
    targets = _targets(ds)
    after = targets[targets["used"] & (targets["period_start"] > window[-1].to_timestamp(how="end"))]
    out["mau_after_peak_window"] = float(after["base_value"].iloc[0]) if len(after) else math.nan
    after = sp[sp.index > sp.attrs["last_data_month"]]
    out["spend_stop_reported"] = bool(len(after) and (after["status"] != "assumption").any() and (after["spend_yuan"] == 0).all())
    return out


def block_mau_peak(ds: Dataset, reg, spend_path: str, peak_spend: str, peak_mau: str) -> dict:
    """The second rise, in monthly users to their late-2024 peak, against the timing of the spend peak: how many
    months the spend peak came before the month of the peak-MAU reading (negative: after it)."""
    sp = _spend(ds, spend_path, reg["peak_spend"].reading(peak_spend).value, _model_end(ds))
    reading = reg["peak_mau"].reading(peak_mau)
    ends = [cast(pd.Timestamp, ds.observations.at[o, "period_end"]) for o in reading.obs_ids if o in ds.observations.index]
    if not ends or pd.isna(min(ends)):
        return {"spend_peak_months_before_mau_peak": math.nan}
    mau_month = pd.Timestamp(min(ends)).to_period("M")
    return {"spend_peak_months_before_mau_peak": float((mau_month - cast(pd.Period, sp["spend_yuan"].idxmax())).n)}


def block_acquisition(ds: Dataset, reg) -> dict:
    """Notebook 04's advertising spend per monthly user gained (each ratio within one firm's series and one
    window): Kimi's smallest figure that bounds it from below against the largest rival figure that bounds a
    rival from above. A bound the wrong way, or no figure on either side, leaves the comparison missing (not
    evaluable), never guessed."""
    table, _ = competitors.spend_per_new_user_table(ds, competitors.apps_with_data(ds))
    table = table[table["value"].notna()] if len(table) else table
    kimi = table[table["entity"] == ENTITY] if len(table) else table
    rivals = table[table["entity"] != ENTITY] if len(table) else table
    out = {"kimi_to_rival_spend_per_new_user": math.nan}
    if kimi.empty or rivals.empty:
        return out
    if (kimi["bound"] == "upper").any() or (rivals["bound"] == "lower").any():
        return out  # a figure that may be smaller (Kimi) or larger (a rival) than written cannot be ranked
    out["kimi_to_rival_spend_per_new_user"] = float(kimi["value"].astype(float).min() / rivals["value"].astype(float).max())
    return out


#: the event after which "the fall accelerated" is asked (DeepSeek R1, January 2025)
R1_EVENT = "e_deepseek_r1"


def block_userbase(ds: Dataset, reg) -> dict:
    """Notebook 01's like-for-like fall on QuestMobile's series, whether two firms disagree on the direction of
    Kimi's monthly users over a window both measured, and whether its fall was faster after DeepSeek R1 than
    before, beyond what the points allow (no contested input: one computation; missing where the data cannot say)."""
    nan = math.nan
    lv = decline.study_levels(ds, ENTITY, "mau")
    same = [x for x in decline.like_for_like(lv.rows) if x["series"] == HEADLINE_FIRM]
    same.sort(key=lambda x: (x["to_period"], x["from_period"]))
    out: dict[str, Any] = {"like_for_like_change": float(same[-1]["change"]) if same else nan}
    mau = [x for x in decline.direction_by_vendor(ds, ENTITY) if x["metric"] == "mau"]
    out["firms_disagree_on_direction"] = float(any(not x["agree"] for x in mau)) if mau else nan
    out["fall_faster_after_r1"] = nan
    if R1_EVENT in ds.events.index and len(lv.rows):
        rows = decline.trend_rows(decline.trend_of(ds, lv, HEADLINE_FIRM))
        placed = decline.events_between_points(ds.events.loc[[R1_EVENT]], rows, HEADLINE_FIRM)
        if placed and placed[0]["rates_differ"] in ("yes", "no"):
            before, after = placed[0]["rate_before"]["monthly_change"], placed[0]["rate_after"]["monthly_change"]
            out["fall_faster_after_r1"] = float(placed[0]["rates_differ"] == "yes" and after < before)
    return out


def block_bigtech(ds: Dataset, reg, doubao_spend: str) -> dict:
    """The big-tech apps' late-2024 spend per month (Doubao's reading, Yuanbao's Q4 2024 quarter)."""

    spend = competitors.spend_table(ds, ["doubao", "yuanbao"])
    yb = (
        spend[
            (spend["entity"] == "yuanbao") & (spend["period_start"] == pd.Timestamp("2024-10-01")) & (spend["period_months"] > 2)
        ]
        if "period_months" in spend.columns
        else spend.iloc[0:0]
    )
    yuanbao = float(yb["base_value_per_month"].max()) if len(yb) else math.nan
    doubao = float(reg["doubao_spend"].reading(doubao_spend).value)
    return {
        "doubao_spend_per_month": doubao,
        "yuanbao_spend_per_month": yuanbao,
        "bigtech_max_spend_per_month": float(np.nanmax([doubao, yuanbao])),
    }


def block_static(ds: Dataset, reg) -> dict:
    """Outputs no contested input changes: rank change on QuestMobile's WAU list, Doubao against Kimi,
    QuestMobile's own peak to latest."""

    hist = competitors.kimi_rank_history(ds)
    wau_rank = hist[(hist["metric"] == "wau_rank") & (hist["vendor"] == HEADLINE_FIRM)]
    now = wau_rank.iloc[-1] if len(wau_rank) else None
    change = (
        competitors.rank_change(hist, "wau_rank", HEADLINE_FIRM, int(now["value"]), now["period_end"])
        if now is not None
        else None
    )
    out: dict[str, Any] = {"rank_before": math.nan, "rank_now": math.nan}
    if change:
        out.update(
            rank_before=change["before_rank"],
            rank_now=change["now_rank"],
            rank_before_text=ordinal(change["before_rank"]),
            rank_now_text=ordinal(change["now_rank"]),
            rank_same_list=True,
            rank_before_exact=change["exact"],
        )
    out["doubao_to_kimi_wau"] = math.nan
    kimi_wau = ds.select(ENTITY, "wau", HEADLINE_FIRM)
    if len(kimi_wau) and now is not None:
        k = kimi_wau.sort_values("period_end").iloc[-1]
        d = ds.select("doubao", "wau", HEADLINE_FIRM)
        d = d[(d["period_start"] == k["period_start"]) & (d["period_end"] == k["period_end"])]
        out["doubao_to_kimi_wau"] = float(d["base_value"].iloc[0] / k["base_value"]) if len(d) else math.nan
    qm = decline.peak_latest(decline.series_rows(_mau_rows(ds), HEADLINE_FIRM))
    out["questmobile_peak_to_latest"] = qm["peak_to_latest_change"]
    return out


BLOCKS: tuple[Block, ...] = (
    Block("churn", ("cpa", "spend_path", "peak_spend"), block_churn),
    Block("decline", ("decline_series", "dating", "peak_mau"), block_decline),
    Block("peak", ("peak_mau",), block_peak),
    Block("rise", (), block_rise),
    Block("spend", ("spend_path", "peak_spend"), block_spend),
    Block("mau_peak", ("spend_path", "peak_spend", "peak_mau"), block_mau_peak),
    Block("acquisition", (), block_acquisition),
    Block("userbase", (), block_userbase),
    Block("bigtech", ("doubao_spend",), block_bigtech),
    Block("static", (), block_static),
)
BLOCK_BY_NAME = {b.name: b for b in BLOCKS}


@dataclass(frozen=True)
class Task:
    block: str
    combo: tuple[tuple[str, str], ...]
    data_dir: str
    spec: GridSpec


_WORKER_CACHE: dict = {}


def _cache_key(data_dir: str, spec: GridSpec) -> tuple:
    return (data_dir, spec.evidence, spec.retention_low, spec.ad_share_low, spec.ad_share_high)


def _context(data_dir: str, spec: GridSpec):
    """The dataset and registry, loaded once per worker process."""

    key = _cache_key(data_dir, spec)
    if key not in _WORKER_CACHE:
        ds = restrict_evidence(load(data_dir), spec.evidence)
        _WORKER_CACHE[key] = (ds, spec.registry(ds))
    return _WORKER_CACHE[key]


def run_task(task: Task) -> dict:
    """Evaluate one task (top-level, so any executor can pickle it)."""
    ds, reg = _context(task.data_dir, task.spec)
    return {**dict(task.combo), **BLOCK_BY_NAME[task.block].func(ds, reg, **dict(task.combo))}


def tasks(grid: pd.DataFrame, data_dir: Path | str, spec: GridSpec) -> list[Task]:
    out = []
    for b in BLOCKS:
        combos = grid[list(b.inputs)].drop_duplicates().itertuples(index=False) if b.inputs else [()]
        for c in combos:
            out.append(Task(b.name, tuple(zip(b.inputs, c, strict=True)), str(data_dir), spec))
    return out


# --- steps: arithmetic on the table, all rows at once -----------------------------------------------
@dataclass(frozen=True)
class Context:
    """What the steps read besides the table: the registry, the parameters and the constants from the data."""

    reg: dict[str, C.ContestedInput]
    spec: GridSpec
    compute_cost: float  # CNY of compute per new user (contested.compute_cost_per_user)
    compute_cost_obs: tuple[str, ...]
    alarm_threshold: float  # article 003's alarm line
    alarm_obs: tuple[str, ...]
    openai_valuation: float  # USD (nan when the data hold none)


def _first(ds: Dataset, metric: str, entity: str) -> pd.Series | None:
    rows = comparable.answers(ds, metric, entity).rows
    return None if rows.empty else rows.sort_values(["tier", "period_end"], na_position="first").iloc[0]


def context(ds: Dataset, reg: dict[str, C.ContestedInput], spec: GridSpec) -> Context:
    compute, compute_obs = C.compute_cost_per_user(ds)
    alarm = _first(ds, "ad_share_alarm_threshold", "industry")
    if alarm is None:
        raise DataError("data/observations.csv", message="no alarm line for the ad share (metric 'ad_share_alarm_threshold')")
    openai = _first(ds, "valuation", "openai")
    return Context(
        reg=reg,
        spec=spec,
        compute_cost=compute,
        compute_cost_obs=compute_obs,
        alarm_threshold=float(alarm["base_value"]),
        alarm_obs=(str(alarm.name),),
        openai_valuation=math.nan if openai is None else float(openai["base_value"]),
    )


Columns = Mapping[str, Any]


@dataclass(frozen=True)
class Step:
    """A derived output: ``func(t, ctx)`` returns ``{output: values}`` from the columns ``reads`` of the table
    (inputs, block outputs, earlier steps). ``inverse[read](target, t, ctx)``, where given, is the closed form
    of the value of ``read`` that makes the (single) output equal ``target`` in the rows ``t``."""

    outputs: tuple[str, ...]
    reads: tuple[str, ...]
    func: Callable[[pd.DataFrame, Context], Columns]
    inverse: Mapping[str, Callable[[float, pd.DataFrame, Context], np.ndarray]] = field(default_factory=dict)


def _values(t: pd.DataFrame, ctx: Context, name: str) -> np.ndarray:
    return t[name].map(lambda k: ctx.reg[name].reading(k).value).to_numpy(dtype=float)


def _cpa(t: pd.DataFrame, ctx: Context) -> Columns:
    cpa = _values(t, ctx, "cpa")
    return {"cpa_yuan": cpa, "all_in_cpa_yuan": cpa + ctx.compute_cost}


def _cost_per_retained(t: pd.DataFrame, ctx: Context) -> Columns:

    out = np.full(len(t), np.nan)
    allin = t["all_in_cpa_yuan"].to_numpy(dtype=float)
    ret = t["retention_30d"].to_numpy(dtype=float)
    for a in np.unique(allin):
        m = allin == a
        out[m] = adspend.cost_per_retained_user(float(a) - ctx.compute_cost, ctx.compute_cost, ret[m])
    return {"cost_per_retained_user_yuan": out}


def _ratio(t: pd.DataFrame, ctx: Context) -> Columns:

    share = t["ad_share"].to_numpy(dtype=float)
    return {
        "ratio_to_threshold_firm": sustainability.sustainable_growth_rate(1.0, 1.0, share)
        / sustainability.sustainable_growth_rate(1.0, 1.0, ctx.alarm_threshold)
    }


def _implied(t: pd.DataFrame, ctx: Context) -> Columns:

    return {
        "implied_total_monthly_cost_yuan": np.array(
            [
                sustainability.implied_total_cost(float(a), float(s))
                for a, s in zip(t["peak_spend_yuan"], t["ad_share"], strict=True)
            ]
        )
    }


def _runway(t: pd.DataFrame, ctx: Context) -> Columns:

    return {
        "runway_months_alibaba": np.array(
            [
                sustainability.runway_months(float(f), float(b))
                for f, b in zip(t["alibaba_investment_cny"], t["implied_total_monthly_cost_yuan"], strict=True)
            ]
        )
    }


def _paying(t: pd.DataFrame, ctx: Context) -> Columns:

    price = ctx.spec.price_per_paying_user_yuan
    return {
        "paying_users_needed": np.array(
            [sustainability.paying_users_needed(float(c), price) for c in t["implied_total_monthly_cost_yuan"]]
        )
    }


STEPS: tuple[Step, ...] = (
    Step(("cpa_yuan", "all_in_cpa_yuan"), ("cpa",), _cpa),
    Step(
        ("cost_per_retained_user_yuan",),
        ("all_in_cpa_yuan", "retention_30d"),
        _cost_per_retained,
        # (cpa + compute) / retention = x  <=>  retention = (cpa + compute) / x
        {"retention_30d": lambda x, t, ctx: t["all_in_cpa_yuan"].to_numpy(dtype=float) / x},
    ),
    Step(("alarm_threshold",), (), lambda t, ctx: {"alarm_threshold": np.full(len(t), ctx.alarm_threshold)}),
    Step(
        ("ratio_to_threshold_firm",),
        ("ad_share", "alarm_threshold"),
        _ratio,
        # (1 - s) / (1 - a) = x  <=>  s = 1 - x (1 - a)
        {"ad_share": lambda x, t, ctx: 1.0 - x * (1.0 - t["alarm_threshold"].to_numpy(dtype=float))},
    ),
    Step(
        ("users_bought_peak_window",),
        ("peak_window_spend_yuan", "cpa_yuan"),
        lambda t, ctx: {
            "users_bought_peak_window": t["peak_window_spend_yuan"].to_numpy(dtype=float) / t["cpa_yuan"].to_numpy(dtype=float)
        },
    ),
    Step(("peak_spend_yuan",), ("peak_spend",), lambda t, ctx: {"peak_spend_yuan": _values(t, ctx, "peak_spend")}),
    Step(("implied_total_monthly_cost_yuan",), ("peak_spend_yuan", "ad_share"), _implied),
    Step(
        ("alibaba_investment_cny",),
        ("alibaba_investment",),
        lambda t, ctx: {"alibaba_investment_cny": _values(t, ctx, "alibaba_investment") * ctx.spec.usd_cny},
    ),
    Step(("runway_months_alibaba",), ("alibaba_investment_cny", "implied_total_monthly_cost_yuan"), _runway),
    Step(
        ("price_per_paying_user_yuan",),
        (),
        lambda t, ctx: {"price_per_paying_user_yuan": np.full(len(t), ctx.spec.price_per_paying_user_yuan)},
    ),
    Step(("paying_users_needed",), ("implied_total_monthly_cost_yuan",), _paying),
    Step(
        ("paying_share_of_peak_mau",),
        ("paying_users_needed", "peak_mau_value"),
        lambda t, ctx: {"paying_share_of_peak_mau": t["paying_users_needed"].to_numpy(dtype=float) / t["peak_mau_value"]},
    ),
    Step(("valuation_usd",), ("valuation",), lambda t, ctx: {"valuation_usd": _values(t, ctx, "valuation")}),
    Step(
        ("valuation_to_openai",),
        ("valuation_usd",),
        lambda t, ctx: {"valuation_to_openai": t["valuation_usd"].to_numpy(dtype=float) / ctx.openai_valuation},
    ),
)


def derive(table: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """The steps' outputs on every row of ``table`` (each step sees only the columns it declares)."""
    t = table.copy()
    for s in STEPS:
        view = t[list(s.reads)] if s.reads else t.iloc[:, :0]
        out = s.func(view, ctx)
        for col in s.outputs:
            t[col] = np.asarray(out[col]) if not isinstance(out[col], pd.Series) else out[col].to_numpy()
    return t


def dependencies(reg: Mapping[str, C.ContestedInput], block_columns: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """{column: the contested inputs it depends on, in registry order}: an input column on itself, a block's
    column on the block's inputs, a step's outputs on everything its reads depend on."""
    order = list(reg)
    dep: dict[str, set[str]] = {n: {n} for n in reg}
    for b in BLOCKS:
        for col in block_columns.get(b.name, ()):
            if col not in b.inputs:
                dep[col] = set(b.inputs)
    for s in STEPS:
        need = set().union(*(dep.get(r, set()) for r in s.reads)) if s.reads else set()
        for o in s.outputs:
            dep[o] = set(need)
    return {k: tuple(sorted(v, key=order.index)) for k, v in dep.items()}


@dataclass
class Evaluation:
    """The scenario table, the registry, what each column depends on, and the steps' context."""

    table: pd.DataFrame
    n_tasks: int
    registry: dict = field(repr=False, default_factory=dict)
    depends: dict[str, tuple[str, ...]] = field(repr=False, default_factory=dict)
    context: Context | None = field(repr=False, default=None)

    def recompute(self, row: pd.Series, name: str, values: np.ndarray) -> pd.DataFrame:
        """The steps' outputs for one scenario ``row`` with the range input ``name`` set to each of ``values``."""
        assert self.context is not None, "an Evaluation from evaluate() recomputes its steps"
        values = np.asarray(values, dtype=float)
        rows = pd.DataFrame([row.to_dict()] * len(values))
        rows[name] = values
        return derive(rows, self.context)

    def closed_form(self, column: str, name: str, target: float, row: pd.Series) -> float | None:
        """The value of the range input ``name`` at which ``column`` equals ``target`` in scenario ``row``, in
        closed form: ``name`` itself, or a step that reads ``name`` directly and gives its inverse; else None."""
        if column == name:
            return float(target)
        for s in STEPS:
            if column in s.outputs and name in s.inverse and len(s.outputs) == 1:
                assert self.context is not None
                return float(s.inverse[name](float(target), pd.DataFrame([row.to_dict()]), self.context)[0])
        return None


def assemble(grid: pd.DataFrame, done: Iterable[tuple[Task, dict]], ds: Dataset, spec: GridSpec, reg=None) -> Evaluation:
    """Join the task results onto the grid, add the steps' outputs and the dependencies of every column."""
    reg = reg or spec.registry(ds)
    by_block: dict[str, list[dict]] = {}
    for t, res in done:
        by_block.setdefault(t.block, []).append(res)
    table = grid.copy()
    columns: dict[str, list[str]] = {}
    for b in BLOCKS:
        res_frame = pd.DataFrame(by_block.get(b.name, []))
        columns[b.name] = [c for c in res_frame.columns if c not in b.inputs]
        if b.inputs:
            table = table.merge(res_frame, on=list(b.inputs), how="left", validate="many_to_one")
        elif len(res_frame):
            for col in res_frame.columns:
                table[col] = res_frame[col].iloc[0]
    ctx = context(ds, reg, spec)
    return Evaluation(table=derive(table, ctx), n_tasks=0, registry=reg, depends=dependencies(reg, columns), context=ctx)


def evaluate(
    ds: Dataset,
    spec: GridSpec,
    executor=None,
    progress: Callable[[int, int], None] | None = None,
    data_dir: Path | str | None = None,
) -> Evaluation:
    """Build the grid and evaluate it; tasks go to ``executor`` (any concurrent.futures executor, or
    in this process when None). ``progress(done, total)`` is called as tasks finish."""
    ds = restrict_evidence(ds, spec.evidence)
    reg = spec.registry(ds)
    grid = build_grid(ds, spec, reg)
    data_dir = str(data_dir or ds.data_dir)
    todo = tasks(grid, data_dir, spec)
    done: list[tuple[Task, dict]] = []
    if executor is None:
        _WORKER_CACHE[_cache_key(data_dir, spec)] = (ds, reg)
        for i, t in enumerate(todo):
            done.append((t, run_task(t)))
            if progress:
                progress(i + 1, len(todo))
    else:
        from concurrent.futures import as_completed

        futures = {executor.submit(run_task, t): t for t in todo}
        for i, f in enumerate(as_completed(futures)):
            done.append((futures[f], f.result()))
            if progress:
                progress(i + 1, len(todo))
        order = {id(t): i for i, t in enumerate(todo)}
        done.sort(key=lambda p: order[id(p[0])])
    ev = assemble(grid, done, ds, spec, reg)
    ev.n_tasks = len(todo)
    return ev

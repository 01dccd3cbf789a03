"""The scenario engine: every combination of the contested inputs, evaluated in-process.

:func:`build_grid` makes the scenario table's left half: the full product of the discrete readings of
every varied input (:mod:`kimi_research.analysis.contested`), crossed with ``samples`` seeded Latin-hypercube draws
of the varied range inputs. An input that is not varied keeps its default reading (the first one; for a
range, the article's own figure).

:func:`evaluate` fills in the analyses' outputs, calling the analysis modules' own functions (no
kernel, no figures). An analysis that depends on only some of the inputs (the churn fit of notebook 02
reads the acquisition cost, the spend path, the peak spend and the May repeat) is run once per distinct
combination of those inputs, as a *task*; tasks can go to any ``concurrent.futures`` executor (see
:mod:`kimi_research.orchestration.scenarios`). Outputs that are plain arithmetic on a range input
(cost per retained user, the formula of article 003, the runway) are computed for all rows at once.
The result: one tidy row per scenario, its readings and every output.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kimi_research.analysis import contested as C
from kimi_research.data.vocabulary import ordinal
from kimi_research.errors import ParameterError

ENTITY = "kimi"
EVIDENCE = ("articles", "all")


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
    alarm_threshold_obs: str = "o003_15"

    def registry(self, ds) -> dict[str, C.ContestedInput]:
        return C.registry(ds, self.retention_low, self.ad_share_low, self.ad_share_high)


# --- evidence --------------------------------------------------------------------------------
def restrict_evidence(ds, evidence: str):
    """The dataset limited to the articles (``"articles"``) or every source (``"all"``): the data layer's
    :meth:`~kimi_research.data.loader.Dataset.with_evidence`, with a parameter error for a bad name."""
    if evidence not in EVIDENCE:
        raise ParameterError(f"evidence = {evidence!r}: expected one of {', '.join(EVIDENCE)}")
    return ds.with_evidence(evidence)


# --- the grid ---------------------------------------------------------------------------------
def default_value(c: C.ContestedInput, ds) -> Any:
    """An input's value when it is not varied: its first reading; a range's article figure."""
    if c.kind == C.DISCRETE:
        return c.readings[0].key
    return float(ds.observations.at[c.obs_ids[0], "base_value"])


def build_grid(ds, spec: GridSpec, reg: dict | None = None) -> pd.DataFrame:
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
    name: str
    inputs: tuple[str, ...]
    func: Callable[..., dict]


def _mau_rows(ds) -> pd.DataFrame:
    from kimi_research.analysis import decline

    return decline.select(ds, ENTITY, "mau")


def _repeats_counted_twice(rows: pd.DataFrame) -> pd.DataFrame:
    """Give each repeated figure (a month inside its quarter, same value) its own vendor label so the
    de-duplication of the analysis functions does not pair it: the figure is counted twice."""
    from kimi_research.data.loader import repeated_figures

    r = rows.copy()
    pts = r[r["kind"] == "point"] if "kind" in r.columns else r
    for oid in repeated_figures(pts):
        r.at[oid, "vendor"] = f"{r.at[oid, 'vendor']} (month)"
    return r


def _memo(ds, key: tuple, make: Callable[[], Any]) -> Any:
    """Per-process memo of a selection that several tasks share (one spend path, the MAU targets)."""
    memo = ds.__dict__.setdefault("_scenario_memo", {})  # lives and dies with this dataset
    if key not in memo:
        memo[key] = make()
    return memo[key]


def _spend(ds, spend_path: str, peak_spend_value: float, end) -> pd.DataFrame:
    """Notebook 02's monthly spend path, the peak month set to the peak-spend reading."""
    from kimi_research.analysis import adspend

    sp = _memo(ds, ("spend", spend_path, str(end)), lambda: adspend.monthly_spend(ds, spend_path, end=end)).copy()
    rep = sp[sp["status"] == "reported"]
    if len(rep):
        peak = rep["spend_yuan"].idxmax()
        sp.loc[peak, "spend_yuan"] = float(peak_spend_value)
    return sp


def _targets(ds) -> pd.DataFrame:
    from kimi_research.analysis import adspend

    return _memo(ds, ("targets",), lambda: adspend.mau_targets(ds, ENTITY))


def _model_end(ds) -> pd.Period:
    """The last month the stock-flow model must cover: the last month of a MAU target."""
    return max(m for ms in _targets(ds)["months"] for m in ms)


def fit_churn_point(spend: pd.Series, cpa: float, targets: pd.DataFrame) -> float:
    """The least-squares churn of notebook 02's stock-flow model, without its interval machinery.

    Same model and objective as :func:`kimi_research.analysis.adspend.fit_churn` (users_t = (1 - churn)
    * users_{t-1} + spend_t / cpa from zero, as ``adspend.simulate``; a quarter compared through the
    mean of its months, as ``adspend.model_at_targets``; squared log residuals) and the same search (best
    point of a coarse grid, then refined), but the recursion runs as a linear filter on arrays and there
    is no profile grid or jackknife: far faster. ``tests/test_scenarios.py`` checks it against ``fit_churn``.
    """
    from scipy import optimize, signal

    from kimi_research.analysis import adspend

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


def block_churn(ds, reg, cpa: str, spend_path: str, peak_spend: str, may_repeat: str) -> dict:
    """Notebook 02's stock-flow model: the monthly churn of bought users fitted to QuestMobile's MAU."""
    from kimi_research.analysis import adspend

    targets = _targets(ds)
    if may_repeat == "twice":
        targets = targets.assign(used=True)
    sp = _spend(ds, spend_path, reg["peak_spend"].reading(peak_spend).value, _model_end(ds))
    churn = fit_churn_point(sp["spend_yuan"], float(reg["cpa"].reading(cpa).value), targets)
    return {"bought_churn": churn, "bought_half_life": adspend.half_life(churn), "churn_fit_points": int(targets["used"].sum())}


def block_decline(ds, reg, decline_series: str, dating: str, may_repeat: str, peak_mau: str) -> dict:
    """Notebook 01's log-linear decay fit on one series of Kimi's MAU."""
    from kimi_research.analysis import decline

    rows = _mau_rows(ds)
    peak_row = reg["peak_mau"].reading(peak_mau).obs_ids[0]
    if decline_series == decline.POOLED and peak_row in rows.index and rows.at[peak_row, "kind"] != "point":
        rows.loc[peak_row, "kind"] = "point"  # the lower bound read at its bound, as a point
    rows = decline.series_rows(rows, decline_series)
    if dating == "last_month":
        rows = decline.redate_to_last_month(rows).sort_values(["period_mid", "period_end"], kind="stable")
    if may_repeat == "twice":
        rows = _repeats_counted_twice(rows)
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


def block_peak(ds, reg, peak_mau: str) -> dict:
    """Kimi's latest QuestMobile MAU against the peak-MAU reading (notebook 01's peak to latest)."""
    from kimi_research.analysis import decline

    rows = decline.series_rows(_mau_rows(ds), "questmobile")
    pl = decline.peak_latest(rows)
    peak = float(reg["peak_mau"].reading(peak_mau).value)
    return {
        "peak_mau_value": peak,
        "latest_questmobile_mau": pl["latest_value"],
        "peak_to_latest_change": pl["latest_value"] / peak - 1,
    }


def block_spend(ds, reg, spend_path: str, peak_spend: str) -> dict:
    """Timing of spend against the daily-user rise; Kimi's late-2024 spend; whether a stop is reported."""
    from kimi_research.analysis import adspend, decline

    sp = _spend(ds, spend_path, reg["peak_spend"].reading(peak_spend).value, _model_end(ds))
    peak_month = sp["spend_yuan"].idxmax()
    rise = _memo(ds, ("growth",), lambda: decline.growth_phases(ds, ENTITY))
    rise = rise[rise["metric"] == "dau"]
    out: dict[str, Any] = {"spend_peak_month": str(peak_month)}
    if len(rise):
        r = rise.iloc[0]
        obs = ds.observations
        start = obs.at[r["start_obs"], "period_start"].to_period("M")
        end = obs.at[r["end_obs"], "period_end"].to_period("M")
        in_rise = sp[(sp.index >= start) & (sp.index <= end)]
        out.update(
            dau_rise_start=str(start),
            dau_rise_end=str(end),
            dau_rise_multiple=r["multiple"],
            spend_in_rise_yuan=float(in_rise["spend_yuan"].sum()),
            spend_peak_months_after_rise=(peak_month - end).n,
        )
    window = adspend.peak_window(sp)
    out["kimi_late_2024_spend_per_month"] = float(sp.loc[window, "spend_yuan"].mean())
    after = sp[sp.index > sp.attrs["last_data_month"]]
    out["spend_stop_reported"] = bool(len(after) and (after["status"] != "assumption").any() and (after["spend_yuan"] == 0).all())
    return out


def block_bigtech(ds, reg, doubao_spend: str) -> dict:
    """The big-tech apps' late-2024 spend per month (Doubao's reading, Yuanbao's Q4 2024 quarter)."""
    from kimi_research.analysis import competitors

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


def block_static(ds, reg) -> dict:
    """Outputs no contested input changes: rank change on QuestMobile's WAU list, Doubao against Kimi."""
    from kimi_research.analysis import competitors, decline

    hist = competitors.kimi_rank_history(ds)
    wau_rank = hist[(hist["metric"] == "wau_rank") & (hist["vendor"] == "questmobile")]
    now = wau_rank.iloc[-1] if len(wau_rank) else None
    change = (
        competitors.rank_change(hist, "wau_rank", "questmobile", int(now["value"]), now["period_end"])
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
    kimi_wau = ds.select(ENTITY, "wau", "questmobile")
    if len(kimi_wau) and now is not None:
        k = kimi_wau.sort_values("period_end").iloc[-1]
        d = ds.select("doubao", "wau", "questmobile")
        d = d[(d["period_start"] == k["period_start"]) & (d["period_end"] == k["period_end"])]
        out["doubao_to_kimi_wau"] = float(d["base_value"].iloc[0] / k["base_value"]) if len(d) else math.nan
    qm = decline.peak_latest(decline.series_rows(_mau_rows(ds), "questmobile"))
    out["questmobile_peak_to_latest"] = qm["peak_to_latest_change"]
    return out


BLOCKS: tuple[Block, ...] = (
    Block("churn", ("cpa", "spend_path", "peak_spend", "may_repeat"), block_churn),
    Block("decline", ("decline_series", "dating", "may_repeat", "peak_mau"), block_decline),
    Block("peak", ("peak_mau",), block_peak),
    Block("spend", ("spend_path", "peak_spend"), block_spend),
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


def _context(data_dir: str, spec: GridSpec):
    """The dataset and registry, loaded once per worker process."""
    from kimi_research.data.loader import load

    key = (data_dir, spec.evidence, spec.retention_low, spec.ad_share_low, spec.ad_share_high)
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


@dataclass
class Evaluation:
    table: pd.DataFrame
    n_tasks: int
    registry: dict = field(repr=False, default_factory=dict)


def assemble(grid: pd.DataFrame, done: Iterable[tuple[Task, dict]], ds, spec: GridSpec, reg=None) -> pd.DataFrame:
    """Join the task results onto the grid and add the vectorised outputs."""
    by_block: dict[str, list[dict]] = {}
    for t, res in done:
        by_block.setdefault(t.block, []).append(res)
    table = grid.copy()
    for b in BLOCKS:
        res = pd.DataFrame(by_block.get(b.name, []))
        if b.inputs:
            table = table.merge(res, on=list(b.inputs), how="left", validate="many_to_one")
        elif len(res):
            for col in res.columns:
                table[col] = res[col].iloc[0]
    return derive(table, ds, spec, reg)


def derive(table: pd.DataFrame, ds, spec: GridSpec, reg=None) -> pd.DataFrame:
    """Outputs that are arithmetic on the readings: all rows at once (analysis functions, vectorised)."""
    from kimi_research.analysis import adspend, sustainability

    reg = reg or spec.registry(ds)
    t = table.copy()
    obs = ds.observations
    cpa = t["cpa"].map(lambda k: reg["cpa"].reading(k).value).astype(float)
    allin = reg["cpa"].reading("12.5")
    # compute cost of a new user = the all-in middle minus the 10元 CPA (notebook 02's default); an
    # all-in reading already includes it
    compute = allin.value - reg["cpa"].reading("10").value
    t["cpa_yuan"] = cpa
    t["all_in_cpa_yuan"] = np.where(t["cpa"] == allin.key, cpa, cpa + compute)
    t["cost_per_retained_user_yuan"] = np.nan
    for _, g in t.groupby("cpa", sort=False):
        t.loc[g.index, "cost_per_retained_user_yuan"] = adspend.cost_per_retained_user(
            float(g["cpa_yuan"].iloc[0]),
            float(g["all_in_cpa_yuan"].iloc[0] - g["cpa_yuan"].iloc[0]),
            g["retention_30d"].to_numpy(),
        )
    threshold = float(obs.at[spec.alarm_threshold_obs, "base_value"])
    t["alarm_threshold"] = threshold
    t["ratio_to_threshold_firm"] = sustainability.sustainable_growth_rate(
        1.0, 1.0, t["ad_share"].to_numpy()
    ) / sustainability.sustainable_growth_rate(1.0, 1.0, threshold)
    peak_spend = t["peak_spend"].map(lambda k: reg["peak_spend"].reading(k).value).astype(float)
    t["peak_spend_yuan"] = peak_spend
    t["implied_total_monthly_cost_yuan"] = [
        sustainability.implied_total_cost(a, s) for a, s in zip(peak_spend, t["ad_share"], strict=True)
    ]
    inv = t["alibaba_investment"].map(lambda k: reg["alibaba_investment"].reading(k).value).astype(float)
    t["alibaba_investment_cny"] = inv * spec.usd_cny
    t["runway_months_alibaba"] = [
        sustainability.runway_months(f, b)
        for f, b in zip(t["alibaba_investment_cny"], t["implied_total_monthly_cost_yuan"], strict=True)
    ]
    t["price_per_paying_user_yuan"] = spec.price_per_paying_user_yuan
    t["paying_users_needed"] = [
        sustainability.paying_users_needed(c, spec.price_per_paying_user_yuan) for c in t["implied_total_monthly_cost_yuan"]
    ]
    t["paying_share_of_peak_mau"] = t["paying_users_needed"] / t["peak_mau_value"]
    val = t["valuation"].map(lambda k: reg["valuation"].reading(k).value).astype(float)
    openai = obs.loc[(obs["entity"] == "openai") & (obs["metric"] == "valuation"), "base_value"]
    t["valuation_usd"] = val
    t["valuation_to_openai"] = val / float(openai.iloc[0]) if len(openai) else math.nan
    return t


def evaluate(
    ds, spec: GridSpec, executor=None, progress: Callable[[int, int], None] | None = None, data_dir: Path | str | None = None
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
        _WORKER_CACHE[(data_dir, spec.evidence, spec.retention_low, spec.ad_share_low, spec.ad_share_high)] = (ds, reg)
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
    table = assemble(grid, done, ds, spec, reg)
    return Evaluation(table=table, n_tasks=len(todo), registry=reg)

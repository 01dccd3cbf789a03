"""Every conclusion the collection draws, as a named predicate over the scenario table, and its grade.

A :class:`Conclusion` reads one or more output columns of the table that
:func:`kimi_research.analysis.scenarios.evaluate` returns and says, per scenario, whether the
conclusion holds there (a scenario where it cannot be computed, say a decline fitted on a series with
one point, counts as not holding: nothing there supports it). :func:`grade` gives, per conclusion:

* ``share``: the share of scenarios in which it holds;
* ``flip_input``: the contested input whose readings split holds/fails most (the largest spread of the
  share between its readings; ranges are split into quartiles of their samples), or none;
* ``grade``: ``holds in every reading``; ``holds unless <input> is <readings>`` when one input's other
  readings all keep it (for a range, a threshold); otherwise ``not supported by these articles``;
* ``obs_ids``: the observations it rests on, and those of the contested inputs it reads.

The README's findings and the summary deck are held to these grades (``tests/test_findings.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from kimi_research.analysis import contested as C

EVERY, UNLESS, NOT_SUPPORTED = "holds in every reading", "holds unless", "not supported by these articles"
GRADE_KINDS = {EVERY: "every", UNLESS: "unless", NOT_SUPPORTED: "not_supported"}
GRADE_ORDER = ("every", "unless", "not_supported")  # strongest first
RANGE_BINS = 4


@dataclass(frozen=True)
class Conclusion:
    id: str
    statement: str  # may hold {column} fields, filled from the table (values no input changes)
    where: str  # where the collection draws it
    predicate: Callable[[pd.DataFrame], pd.Series]
    output: str  # the main output column (its range is reported)
    obs_ids: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()  # contested inputs whose readings it reads (their obs ids are added)

    def text(self, table: pd.DataFrame) -> str:
        first = table.iloc[0].to_dict() if len(table) else {}
        try:
            return self.statement.format(**first)
        except (KeyError, ValueError, IndexError):
            return self.statement


def _lt(col: str, x: float) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda t: t[col].astype(float).lt(x).where(t[col].notna())


def _gt(col: str, x: float) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda t: t[col].astype(float).gt(x).where(t[col].notna())


QM_MAU = ("o000_08", "o004_16", "o000_06", "o004_17")

CONCLUSIONS: tuple[Conclusion, ...] = (
    Conclusion(
        "qm_mau_halved",
        "Kimi lost more than half its QuestMobile monthly users from December 2024 to Q3 2025",
        "README; 01 headline; summary deck",
        _lt("questmobile_peak_to_latest", -0.5),
        "questmobile_peak_to_latest",
        ("o000_08", "o004_17"),
    ),
    Conclusion(
        "peak_mau_halved",
        "Kimi's monthly users fell by more than half from their late-2024 peak, whichever peak figure is taken",
        "01 peak to latest",
        _lt("peak_to_latest_change", -0.5),
        "peak_to_latest_change",
        ("o004_17",),
        ("peak_mau",),
    ),
    Conclusion(
        "decline_over_5pct",
        "Kimi's monthly users fell faster than 5% a month",
        "README; 01 headline",
        _lt("decline_monthly_change", -0.05),
        "decline_monthly_change",
        QM_MAU,
        ("decline_series", "dating", "may_repeat", "peak_mau"),
    ),
    Conclusion(
        "decline_ci_over_5pct",
        "Kimi's monthly users fell faster than 5% a month even at the slow end of the fit's 95% interval",
        "01 fit",
        _lt("decline_change_ci_high", -0.05),
        "decline_change_ci_high",
        QM_MAU,
        ("decline_series", "dating", "may_repeat", "peak_mau"),
    ),
    Conclusion(
        "decline_half_life_under_year",
        "Kimi's monthly users halve in under a year at the fitted rate",
        "README; 01 headline",
        _lt("decline_half_life", 12),
        "decline_half_life",
        QM_MAU,
        ("decline_series", "dating", "may_repeat", "peak_mau"),
    ),
    Conclusion(
        "bought_half_life_under_6",
        "A bought user's half-life is under 6 months (02's stock-flow model)",
        "02 headline",
        _lt("bought_half_life", 6),
        "bought_half_life",
        QM_MAU,
        ("cpa", "spend_path", "peak_spend", "may_repeat"),
    ),
    Conclusion(
        "bought_churn_over_20pct",
        "Bought users churned more than 20% a month (02's headline churn)",
        "02 headline",
        _gt("bought_churn", 0.2),
        "bought_churn",
        QM_MAU,
        ("cpa", "spend_path", "peak_spend", "may_repeat"),
    ),
    Conclusion(
        "kept_user_over_1000",
        "A user still active after 30 days cost Kimi more than CNY 1,000",
        "02 headline",
        _gt("cost_per_retained_user_yuan", 1000),
        "cost_per_retained_user_yuan",
        ("o004_21",),
        ("cpa", "retention_30d"),
    ),
    Conclusion(
        "dau_rise_tenfold",
        "Kimi's daily users grew more than tenfold from {dau_rise_start} to {dau_rise_end} "
        "(36Kr's figures, no measurement firm named)",
        "README; 01 growth phase",
        _gt("dau_rise_multiple", 10),
        "dau_rise_multiple",
        ("o003_08", "o003_09"),
    ),
    Conclusion(
        "spend_during_rise",
        "Kimi was advertising while its daily users rose",
        "README; summary deck",
        _gt("spend_in_rise_yuan", 0),
        "spend_in_rise_yuan",
        ("o000_12", "o001_12", "o003_08", "o003_09"),
        ("spend_path",),
    ),
    Conclusion(
        "growth_bought_timing",
        "Kimi's growth was bought: its spend peak came before or with its user rise",
        "README (repaired); summary deck",
        lambda t: t["spend_peak_months_after_rise"].le(0),
        "spend_peak_months_after_rise",
        ("o003_08", "o003_09", "o001_13", "o001_14"),
        ("spend_path", "peak_spend"),
    ),
    Conclusion(
        "money_stopped",
        "Kimi's spending stopped after November 2024 (an article reports it)",
        "README (repaired): 'once the money stopped'",
        lambda t: t["spend_stop_reported"].astype(bool),
        "spend_stop_reported",
        ("o001_13", "o001_14"),
        ("spend_path",),
    ),
    Conclusion(
        "outspent_bigtech",
        "Kimi out-spent the big-tech apps (Doubao, Yuanbao) on advertising in late 2024",
        "04 verdict; summary deck",
        lambda t: t["kimi_late_2024_spend_per_month"].gt(t["bigtech_max_spend_per_month"]),
        "kimi_late_2024_spend_per_month",
        ("o001_13", "o001_14", "o002_14"),
        ("peak_spend", "doubao_spend"),
    ),
    Conclusion(
        "rank_fell",
        "Kimi fell from {rank_before_text} to {rank_now_text} on the same weekly-user list (QuestMobile, a year apart)",
        "README; 04 headline; summary deck",
        lambda t: t["rank_now"].gt(t["rank_before"]) & t["rank_same_list"].astype(bool),
        "rank_now",
        ("o004_03", "o004_02"),
    ),
    Conclusion(
        "doubao_30x",
        "Doubao had more than 30 times Kimi's weekly users in December 2025",
        "README; 04 headline",
        _gt("doubao_to_kimi_wau", 30),
        "doubao_to_kimi_wau",
        ("o004_01",),
    ),
    Conclusion(
        "ad_share_above_alarm",
        "Kimi's ad share was above article 003's 30% alarm line",
        "03 headline; summary deck",
        lambda t: t["ad_share"].gt(t["alarm_threshold"]),
        "ad_share",
        ("o003_14", "o003_15"),
        ("ad_share",),
    ),
    Conclusion(
        "under_half_growth",
        "At its ad share Kimi keeps less than half the sustainable growth of a firm at the alarm line (equal revenue/cost)",
        "README; 03 headline",
        _lt("ratio_to_threshold_firm", 0.5),
        "ratio_to_threshold_firm",
        ("o003_14", "o003_15"),
        ("ad_share",),
    ),
    Conclusion(
        "paying_quarter_of_users",
        "Covering Kimi's implied monthly cost at CNY {price_per_paying_user_yuan:g} "
        "a month per paying user would take more than a quarter of its peak monthly users paying",
        "03 headline",
        _gt("paying_share_of_peak_mau", 0.25),
        "paying_share_of_peak_mau",
        (),
        ("peak_spend", "ad_share", "peak_mau"),
    ),
    Conclusion(
        "runway_under_2y",
        "Alibaba's investment alone would cover less than two years of Kimi's implied total cost at the peak month",
        "03 runway",
        _lt("runway_months_alibaba", 24),
        "runway_months_alibaba",
        (),
        ("alibaba_investment", "peak_spend", "ad_share"),
    ),
    Conclusion(
        "valuation_under_5pct_openai",
        "Moonshot's valuation was under 5% of OpenAI's",
        "article 003's comparison",
        _lt("valuation_to_openai", 0.05),
        "valuation_to_openai",
        ("o003_05",),
        ("valuation",),
    ),
)
BY_ID = {c.id: c for c in CONCLUSIONS}


def varied_inputs(table: pd.DataFrame, reg: dict[str, C.ContestedInput]) -> list[str]:
    return [n for n in reg if n in table.columns and table[n].nunique(dropna=False) > 1]


def groups(table: pd.DataFrame, reg: dict[str, C.ContestedInput]) -> dict[str, pd.Series]:
    """Per varied input, the reading of each row (a range: the quartile of its samples, as an interval)."""
    out = {}
    for name in varied_inputs(table, reg):
        if reg[name].kind == C.RANGE:
            q = min(RANGE_BINS, table[name].nunique())
            codes = pd.qcut(table[name], q, duplicates="drop", labels=False)
            span = table[name].groupby(codes).agg(["min", "max"])
            labels = {i: f"{r['min']:.3g}–{r['max']:.3g}" for i, r in span.iterrows()}
            out[name] = codes.map(labels)
        else:
            out[name] = table[name]
    return out


def _range_condition(table: pd.DataFrame, name: str, holds: pd.Series) -> str | None:
    """'x ≤ v' or 'x ≥ v' when the samples where it fails lie on one side of those where it holds."""
    v = table[name].astype(float)
    fail, ok = v[~holds], v[holds]
    if fail.empty or ok.empty:
        return None
    if fail.max() < ok.min():
        return f"{name} ≤ {(fail.max() + ok.min()) / 2:.3g}"
    if fail.min() > ok.max():
        return f"{name} ≥ {(fail.min() + ok.max()) / 2:.3g}"
    return None


def grade_one(
    c: Conclusion, table: pd.DataFrame, reg: dict[str, C.ContestedInput], by: dict[str, pd.Series] | None = None
) -> dict:
    by = groups(table, reg) if by is None else by
    raw = c.predicate(table)
    evaluable = raw.notna()
    holds = raw.fillna(False).astype(bool)
    share = float(holds.mean()) if len(holds) else float("nan")
    spreads = {}
    by_reading = {}
    for name, labels in by.items():
        # a range input is sampled jointly with the others (Latin hypercube): its bins mix their readings,
        # so only a range the conclusion reads is examined; discrete inputs are fully crossed, all examined
        if reg[name].kind == C.RANGE and name not in c.inputs:
            continue
        g = holds.groupby(labels, sort=False).mean()
        by_reading[name] = g
        spreads[name] = float(g.max() - g.min())
    flip = max(spreads, key=lambda n: (spreads[n], -list(reg).index(n))) if spreads and max(spreads.values()) > 0 else None
    grade, condition = (EVERY, "") if share == 1 else (NOT_SUPPORTED, "")
    if 0 < share < 1:
        for name in sorted(spreads, key=lambda n: -spreads[n]):
            g = by_reading[name]
            if spreads[name] == 0 or not (g == 1).any():
                continue
            if reg[name].kind == C.RANGE:
                cond = _range_condition(table, name, holds)
                if cond:
                    grade, condition, flip = UNLESS, cond, name
                    break
            else:
                fails = [k for k, s in g.items() if s < 1]
                grade, condition, flip = UNLESS, f"{name} is {' or '.join(fails)}", name
                break
    if grade == NOT_SUPPORTED and 0 < share < 1:
        moving = [n for n in sorted(spreads, key=lambda n: -spreads[n]) if spreads[n] > 0]
        condition = f"holds in {share:.0%} of scenarios; depends on {', '.join(moving)}" if moving else ""
    obs = list(c.obs_ids)
    for name in c.inputs:
        obs += [i for i in reg[name].all_obs_ids() if i not in obs] if name in reg else []
    values = table[c.output]
    numeric = pd.to_numeric(values, errors="coerce")
    return {
        "id": c.id,
        "statement": c.text(table),
        "where": c.where,
        "share": share,
        "n_scenarios": len(table),
        "n_evaluable": int(evaluable.sum()),
        "flip_input": flip,
        "spread": spreads.get(flip, 0.0) if flip else 0.0,
        "grade": grade if grade != UNLESS else f"{UNLESS} {condition}",
        "grade_kind": GRADE_KINDS[grade],
        "condition": condition,
        "output": c.output,
        "output_min": float(numeric.min()) if numeric.notna().any() else None,
        "output_median": float(numeric.median()) if numeric.notna().any() else None,
        "output_max": float(numeric.max()) if numeric.notna().any() else None,
        "obs_ids": obs,
        "share_by_reading": {n: {str(k): float(v) for k, v in g.items()} for n, g in by_reading.items() if spreads[n] > 0},
    }


def grade(
    table: pd.DataFrame, reg: dict[str, C.ContestedInput], conclusions: tuple[Conclusion, ...] = CONCLUSIONS
) -> pd.DataFrame:
    """One row per conclusion: share, flip input, grade, observation ids, the range of its output."""
    by = groups(table, reg)
    return pd.DataFrame([grade_one(c, table, reg, by) for c in conclusions]).set_index("id", drop=False)


def counts(graded: pd.DataFrame) -> dict[str, int]:
    return {k: int((graded["grade_kind"] == k).sum()) for k in GRADE_ORDER}


def allows(grade_kind: str, claimed: str) -> bool:
    """Whether a sentence claiming ``claimed`` strength ('every', 'unless', 'not_supported') is allowed by
    a conclusion graded ``grade_kind``: a sentence may state as much as the grade or less."""
    return GRADE_ORDER.index(claimed) >= GRADE_ORDER.index(grade_kind)


def share_summary(graded: pd.DataFrame) -> pd.Series:
    return graded["share"].astype(float).round(3)


__all__ = ["CONCLUSIONS", "EVERY", "NOT_SUPPORTED", "UNLESS", "Conclusion", "allows", "counts", "grade", "grade_one"]

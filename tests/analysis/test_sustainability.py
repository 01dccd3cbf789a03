"""Notebook 03 (article 003's sustainability rule): the formula and its helpers, and the notebook
executed with papermill (default, named parameter sets, bad parameters)."""

from __future__ import annotations

import json
import math

import nbformat
import numpy as np
import pandas as pd
import pytest

from kimi_research import paths
from kimi_research.analysis import sustainability as su
from kimi_research.orchestration.runner import load_param_set
from kimi_research.params import defaults
from kimi_research.presentation import format as F
from kimi_research.presentation.figures import sustainability as figures
from kimi_research.presentation.narrative import sustainability as narrative

NB = "03_sustainability_formula"


@pytest.fixture(scope="module")
def facts(ds):
    return su.kimi_facts(ds)


# --- the formula ----------------------------------------------------------------------------
def test_formula_as_written():
    assert su.sustainable_growth_rate(1.0, 1.0, 0.7) == pytest.approx(0.3)
    assert su.sustainable_growth_rate(5e6, 1e7, 0.3) == pytest.approx(0.35)
    assert isinstance(su.sustainable_growth_rate(1, 2, 0.5), float)


def test_formula_edge_shares():
    assert su.sustainable_growth_rate(3e7, 1e8, 0.0) == pytest.approx(0.3)  # no ads: revenue / cost
    assert su.sustainable_growth_rate(3e7, 1e8, 1.0) == 0.0  # all ads: no sustainable growth
    assert su.sustainable_growth_rate(0.0, 1e8, 0.5) == 0.0  # no revenue


def test_formula_vectorised():
    out = su.sustainable_growth_rate(np.array([1.0, 2.0]), 1.0, np.array([[0.0], [0.5]]))
    np.testing.assert_allclose(out, [[1.0, 2.0], [0.5, 1.0]])


@pytest.mark.parametrize("cost", [0, 0.0, -1e8, [1.0, 0.0]])
def test_zero_or_negative_cost_rejected(cost):
    with pytest.raises(ValueError, match="total_cost must be greater than 0"):
        su.sustainable_growth_rate(1e7, cost, 0.5)


@pytest.mark.parametrize("share", [1.5, -0.1, 70])
def test_share_outside_unit_interval_rejected(share):
    with pytest.raises(ValueError, match=r"ad_share must be a fraction in \[0, 1\]"):
        su.sustainable_growth_rate(1e7, 1e8, share)


def test_other_bad_inputs_rejected():
    with pytest.raises(ValueError, match="paid_revenue must be 0 or more"):
        su.sustainable_growth_rate(-1, 1e8, 0.5)
    with pytest.raises(ValueError, match="must be finite"):
        su.sustainable_growth_rate(float("nan"), 1e8, 0.5)
    with pytest.raises(ValueError, match="must be a number"):
        su.sustainable_growth_rate("abc", 1e8, 0.5)


def test_ratio_to_threshold_firm_from_article(facts):
    # Kimi at 70% keeps 0.3 / 0.7 of the growth of a firm at the 30% alarm line
    r = su.ratio_to_threshold_firm(facts.ad_share.value, facts.alarm_threshold.value)
    assert round(r, 3) == 0.429
    assert su.ratio_to_threshold_firm(0.3, 0.3) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="alarm_threshold"):
        su.ratio_to_threshold_firm(0.7, 1.0)


def test_frontier(facts):
    assert round(su.frontier_factor(facts.ad_share.value), 2) == 3.33
    assert round(su.frontier_factor(facts.alarm_threshold.value), 2) == 1.43
    assert su.frontier_factor(1.0) == math.inf
    assert su.required_revenue_cost_ratio(0.7, 0.3) == pytest.approx(1.0)
    assert su.required_revenue_cost_ratio(0.5, 0.7) == pytest.approx(5 / 3)


# --- facts from data and the cost base -------------------------------------------------------
def test_facts_selected_from_data(facts):
    assert (facts.peak_ad_spend.obs_id, facts.peak_ad_spend.value) == ("o001_13", pytest.approx(2.2e8))
    assert (facts.peak_ad_spend_low.obs_id, facts.peak_ad_spend_low.value) == ("o004_05", pytest.approx(2e8))
    assert facts.peak_month == pd.Timestamp("2024-10-01")
    assert (facts.ad_share.obs_id, facts.alarm_threshold.obs_id) == ("o003_14", "o003_15")
    assert (facts.training_cost.value, facts.training_cost.high) == (2e7, 9e7)
    assert (facts.mau.obs_id, facts.mau.value) == ("o000_08", 2101e4)  # QuestMobile month nearest Oct 2024
    assert {k: f.value for k, f in facts.investments.items()} == {"o003_04": 8e8, "o004_04": 1e9}
    assert facts.last_funding == pd.Timestamp("2024-08-01")


def test_parameter_defaults_are_the_articles(facts):
    d = defaults(NB)
    assert d["ad_share"] == pytest.approx(facts.ad_share.value)
    assert d["alarm_threshold"] == pytest.approx(facts.alarm_threshold.value)


def test_implied_cost_base(facts):
    total = su.implied_total_cost(facts.peak_ad_spend.value, 0.7)
    non_ad = su.implied_non_ad_cost(facts.peak_ad_spend.value, 0.7)
    assert round(total / 1e8, 2) == 3.14 and round(non_ad / 1e8, 2) == 0.94
    assert round(total) == 314_285_714 and round(non_ad) == 94_285_714
    # 0.94亿 is just above the upper reading of "数千万" (9000万); the 2亿 reading (8571万) is inside
    assert su.range_position(non_ad, 2e7, 9e7) == "just_above"
    assert su.range_position(su.implied_non_ad_cost(facts.peak_ad_spend_low.value, 0.7), 2e7, 9e7) == "within"
    assert su.range_position(1e7, 2e7, 9e7) == "below"
    assert su.range_position(5e8, 2e7, 9e7) == "well_above"
    assert narrative.range_phrase("just_above", non_ad, 2e7, 9e7) == "just above the upper reading (4.8% above it)"
    assert narrative.range_phrase("below", 1e7, 2e7, 9e7) == "below the lower reading (0.50 x it)"
    assert round(su.max_share_for_cost(2.2e8, 9e7), 4) == 0.7097
    with pytest.raises(ValueError, match="ad_share must be in \\(0, 1\\]"):
        su.implied_total_cost(2.2e8, 0.0)


def test_paying_users(facts):
    total = su.implied_total_cost(facts.peak_ad_spend.value, 0.7)
    users = su.paying_users_needed(total, 49.0)
    assert math.ceil(users) == 6_413_995
    assert round(math.ceil(users) / facts.mau.value, 4) == 0.3053
    with pytest.raises(ValueError, match="price must be greater than 0"):
        su.paying_users_needed(total, 0)


def test_alternative_reading(facts):
    ad = facts.peak_ad_spend.value
    # share of revenue: (revenue - ad) / cost
    assert su.rate_share_of_revenue(1e7, 3e8, ad) == pytest.approx((1e7 - ad) / 3e8)
    alt = su.alternative_reading(ad, 0.7, 1e7, ad / 0.7, 2e7, 9e7)
    assert len(alt) == 3
    b = alt.iloc[1]
    assert round(b["paid_revenue"] / 1e8, 2) == 3.14  # the 70% at face value: revenue = ad / 0.7
    assert (round(b["rate_low"], 3), round(b["rate_high"], 3)) == (0.304, 0.393)
    c = alt.iloc[2]
    assert c["share"] == pytest.approx(22.0) and c["rate_low"] < 0


def test_runway(facts):
    total = su.implied_total_cost(facts.peak_ad_spend.value, 0.7)
    t = su.runway_table({"small": 8e8 * 7.2, "large": 1e9 * 7.2}, {"total": total, "none": 0.0})
    assert round(t.at["total", "small"], 2) == 18.33 and round(t.at["total", "large"], 2) == 22.91
    assert t.at["none", "small"] == math.inf
    assert su.cash_out_date(pd.Timestamp("2024-01-01"), math.inf) is None
    assert su.cash_out_date(pd.Timestamp("2024-01-01"), 12).year == 2024  # 12 months of 30.44 days


def test_resolve_target():
    assert su.resolve_target("threshold_firm", 0.3) == pytest.approx(0.7)
    assert su.resolve_target(0.1, 0.3) == 0.1


# --- Monte Carlo and tornado ------------------------------------------------------------------
def _spec(facts, revenue=1e7):
    return su.MCSpec(
        paid_revenue=revenue,
        ad_share=0.7,
        revenue_spread_factor=3.0,
        ad_spend_low=facts.peak_ad_spend_low.value,
        ad_spend_high=facts.peak_ad_spend.value,
    )


def test_monte_carlo_deterministic(facts):
    a = su.monte_carlo(_spec(facts), 5000, seed=0)
    b = su.monte_carlo(_spec(facts), 5000, seed=0)
    pd.testing.assert_frame_equal(a, b)
    c = su.monte_carlo(_spec(facts), 5000, seed=1)
    assert not a["rate"].equals(c["rate"])


def test_monte_carlo_distributions(facts):
    sim = su.monte_carlo(_spec(facts), 20000, seed=0)
    assert sim["ad_share"].between(0.4, 0.8).all()
    assert sim["ad_spend"].between(2e8, 2.2e8).all()
    assert sim["total_cost"].to_numpy() == pytest.approx((sim["ad_spend"] / sim["ad_share"]).to_numpy())
    # revenue: log-normal, median at the assumption, 90% within a factor 3
    assert sim["paid_revenue"].median() == pytest.approx(1e7, rel=0.03)
    inside = sim["paid_revenue"].between(1e7 / 3, 1e7 * 3).mean()
    assert inside == pytest.approx(0.90, abs=0.01)
    # with the cost implied by a fixed ad spend the rate never exceeds revenue / (4 x ad spend)
    assert (sim["rate"] <= sim["paid_revenue"] / (4 * sim["ad_spend"]) + 1e-12).all()
    s = su.mc_summary(sim, 0.7)
    assert s["p_rate_above_target"] == 0.0
    assert round(s["rate_median"], 4) == 0.0106


def test_monte_carlo_explicit_cost():
    spec = su.MCSpec(paid_revenue=1e8, ad_share=0.3, revenue_spread_factor=2.0, ad_spend_low=0, ad_spend_high=0, total_cost=1e8)
    sim = su.monte_carlo(spec, 2000, seed=3)
    assert "ad_spend" not in sim and sim["ad_share"].between(0.0, 0.4).all()
    assert sim["total_cost"].median() == pytest.approx(1e8, rel=0.05)


def test_tornado_revenue_dominates(facts):
    sim = su.monte_carlo(_spec(facts), 20000, seed=0)
    t = su.tornado(sim, {"paid_revenue": 1e7, "ad_share": 0.7, "ad_spend": facts.peak_ad_spend.value})
    assert list(t.index) == ["paid revenue", "ad share", "peak monthly ad spend"]
    assert t["base_rate"].to_numpy() == pytest.approx([0.0095454545] * 3)


def test_explorer_recomputes_without_frontend():
    ex = su.Explorer(
        paid_revenue_monthly_yuan=1e7,
        total_cost=3.142857e8,
        ad_share=0.7,
        alarm_threshold=0.3,
        price_per_paying_user_yuan=49.0,
        mau=2101e4,
    )
    box = figures.build_explorer(ex)
    assert "rate 0.0095" in box.readout.value and "42.9% of a firm" in box.readout.value
    box.sliders["share"].value = 0.3
    assert "100.0% of a firm" in box.readout.value


# --- the notebook -------------------------------------------------------------------------
def test_notebook_cells():
    book = nbformat.read(paths.NOTEBOOKS_DIR / f"{NB}.ipynb", as_version=4)
    explorer = [c for c in book.cells if "build_explorer" in c.source]
    assert len(explorer) == 1
    assert explorer[0].metadata["slideshow"]["slide_type"] == "skip"
    assert "no-slides" in explorer[0].metadata.get("tags", [])
    assert "interactive(" not in explorer[0].source  # see figures.build_explorer: Output widgets can hang nbclient


@pytest.mark.notebook
def test_default_run(default_results):
    r = default_results(NB)
    for key in [
        "sustainable_growth_rate",
        "ad_share",
        "alarm_threshold",
        "ratio_to_threshold_firm",
        "implied_total_monthly_cost_yuan",
        "implied_non_ad_monthly_cost_yuan",
        "paying_users_needed",
        "paying_share_of_mau",
        "p_rate_above_target",
        "runway_months",
    ]:
        assert key in r, key
    assert r["ad_share"] == 0.7 and r["alarm_threshold"] == 0.3
    assert round(r["ratio_to_threshold_firm"], 3) == 0.429
    assert round(r["frontier_factor_at_share"], 2) == 3.33 and round(r["frontier_factor_at_threshold"], 2) == 1.43
    assert round(r["implied_total_monthly_cost_yuan"]) == 314_285_714
    assert round(r["implied_non_ad_monthly_cost_yuan"]) == 94_285_714
    assert r["non_ad_vs_training"] == "just_above" and r["non_ad_low_vs_training"] == "within"
    assert r["paying_users_needed"] == 6_413_995
    assert round(r["paying_share_of_mau"], 4) == 0.3053
    assert round(r["sustainable_growth_rate"], 6) == 0.009545
    assert r["target_rate"] == pytest.approx(0.7)
    assert r["p_rate_above_target"] == 0.0
    assert r["most_influential_input"] == "paid revenue"
    rw = r["runway_months"]
    assert set(rw) == {"total_cost", "total_cost_less_revenue", "non_ad_cost", "training_cost_high", "training_cost_low"}
    assert round(rw["total_cost"]["o003_04"], 2) == 18.33 and round(rw["total_cost"]["o004_04"], 2) == 22.91
    assert rw["training_cost_high"] == {"o003_04": 64.0, "o004_04": 80.0}
    # a constant burn from the round's month: the quarter, never a day or a month (issue 19)
    assert r["cash_out_dates"]["total_cost"] == {"o003_04": "2025 Q3", "o004_04": "2025 Q4"}
    alt = r["alternative_reading"]
    assert [round(x, 3) for x in alt["rate_share_of_revenue_face_value"]] == [0.304, 0.393]
    assert round(alt["share_of_assumed_revenue"], 2) == 22.0


def _params(name):
    return load_param_set(NB, name)


def _clean_outputs(run):
    """No error, no warning (stderr) in any cell of the executed notebook; the explorer was displayed."""
    book = json.loads(run.executed().read_text(encoding="utf-8"))
    widget_shown = False
    for cell in book["cells"]:
        for o in cell.get("outputs", []):
            assert o["output_type"] != "error"
            assert not (o["output_type"] == "stream" and o["name"] == "stderr"), "".join(o["text"])
            widget_shown |= "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    assert widget_shown


@pytest.mark.notebook
def test_at_threshold_set(run_notebook):
    run = run_notebook(NB, _params("at_threshold"))
    assert run.returncode == 0, run.output[-2000:]
    _clean_outputs(run)
    r = run.results
    assert r["ad_share"] == 0.3 and r["ratio_to_threshold_firm"] == pytest.approx(1.0)
    assert round(r["implied_total_monthly_cost_yuan"]) == 733_333_333  # 2.2亿 / 0.3
    assert r["non_ad_vs_training"] == "well_above"
    # a fixed ad spend makes shares s and 1 - s give the same rate
    assert round(r["sustainable_growth_rate"], 6) == 0.009545
    assert r["paying_users_needed"] == 14_965_987


@pytest.mark.notebook
def test_optimistic_revenue_set_matches_library(run_notebook, facts):
    p = _params("optimistic_revenue")
    run = run_notebook(NB, p)
    assert run.returncode == 0, run.output[-2000:]
    r = run.results
    assert r["target_rate"] == 0.1
    assert round(r["sustainable_growth_rate"], 5) == 0.09545
    # the notebook's Monte Carlo equals the library's with the same seed (determinism across processes)
    sim = su.monte_carlo(
        su.MCSpec(p["paid_revenue_monthly_yuan"], 0.7, 3.0, facts.peak_ad_spend_low.value, facts.peak_ad_spend.value),
        20000,
        seed=0,
    )
    assert r["p_rate_above_target"] == su.mc_summary(sim, 0.1)["p_rate_above_target"] == 0.5371


@pytest.mark.notebook
def test_bad_share_and_price_fail_at_validation(run_notebook):
    run = run_notebook(NB, {"ad_share": 1.5, "price_per_paying_user_yuan": 0})
    assert run.returncode != 0
    out = run.output
    assert "ParameterError" in out
    assert "'ad_share' = 1.5: expected a number in (0, 1)" in out
    assert "'price_per_paying_user_yuan' = 0: expected a number in [0.01, 1e+12]" in out
    assert "pandas" not in out
    assert run.results is None
    book = json.loads(run.executed().read_text(encoding="utf-8"))
    failed = [c for c in book["cells"] if any(o["output_type"] == "error" for o in c.get("outputs", []))]
    assert len(failed) == 1 and "validate_parameters" in "".join(failed[0]["source"])


@pytest.mark.notebook
def test_zero_share_with_implied_cost_fails_clearly(run_notebook):
    run = run_notebook(NB, {"ad_share": 0.0})
    assert run.returncode != 0
    assert "ParameterError" in run.output and "'ad_share' = 0.0" in run.output
    assert "expected a number in (0, 1)" in run.output  # the implied cost base divides by the share


# --- issue 13 section 4: the runway from every round and 02's spend path; the headline's comparison ------------
def _validated(ds, **kw):
    import kimi_research as kr

    return kr.validate_parameters(su.NOTEBOOK, {**defaults(su.NOTEBOOK), **kw}, ds)


@pytest.mark.parametrize("evidence", ["articles", "all"])
def test_funding_rounds_are_the_funding_events(live_ds, evidence):
    ds = live_ds.with_evidence(evidence)
    rounds = su.funding_rounds(ds, 7.2)
    ev = ds.events[(ds.events["kind"] == "funding") & (ds.events["entity"] == "moonshot")]
    assert set(rounds.index) == set(ev.index)
    for eid, r in rounds.iterrows():
        rows = su.round_readings(ds, ev.at[eid, "date"])
        cny = rows["base_value"] * np.where(rows["metric"] == "investment", 7.2, 1.0)
        if len(rows):
            assert (r["low_cny"], r["high_cny"]) == (cny.min(), cny.max())
        else:
            assert math.isnan(r["low_cny"])
    # a row that matches no funding event (a round in talks) is not a round
    used = {o for ids in rounds["obs_ids"] for o in ids.split(";") if o}
    inv = ds.select(entity="moonshot", metric=su.INVESTMENT_METRICS)
    for oid in set(inv.index) - used:
        assert inv.at[oid, "period_start"].to_period("M") not in set(ev["date"].dt.to_period("M"))


def test_all_evidence_adds_the_later_rounds(live_ds):
    arts, every = (
        set(su.funding_rounds(live_ds.with_evidence(e), 7.2).dropna(subset=["low_cny"]).index) for e in ("articles", "all")
    )
    assert arts < every  # the supplement adds rounds (the Series C of December 2025 among them)
    late = live_ds.events.loc[sorted(every - arts), "date"]
    assert (late > live_ds.events.at["e_alibaba_investment", "date"]).any()


@pytest.mark.parametrize("evidence", ["articles", "all"])
def test_cash_ledger_adds_up(live_ds, evidence):
    from kimi_research.analysis import adspend

    ds = live_ds.with_evidence(evidence)
    P = _validated(live_ds, evidence=evidence)
    an = su.analyse(live_ds, P).ledger
    assert list(an.ledgers) == ["articles", "all"]  # the full dataset: both evidence settings, computed by the analysis
    lg = an.ledgers[evidence]
    spend = adspend.monthly_spend(ds, P.spend_path)
    t = lg.table
    assert lg.start == spend.index.min()
    inside = spend["spend_yuan"].reindex(t.index).dropna()
    assert np.allclose(t.loc[inside.index, "ad_spend"], inside)
    assert np.allclose(t["non_ad"], an.non_ad_cost)
    rounds = an.rounds.dropna(subset=["low_cny"])
    for k in ("low", "high"):
        total_in = rounds[f"{k}_cny"].sum()
        assert t[f"cash_{k}"].iloc[-1] == pytest.approx(total_in - t["ad_spend"].sum() - t["non_ad"].sum())
        out = getattr(lg, f"cash_out_{k}")
        assert out is not None and out > t.index[-1].to_timestamp()  # the cash lasts past the data
        months = t[f"cash_{k}"].iloc[-1] / lg.tail_burn
        assert out == (t.index[-1] + 1).to_timestamp() + pd.Timedelta(days=months * 365.25 / 12)
    assert lg.cash_out_low <= lg.cash_out_high


def test_monte_carlo_spreads_are_parameters(live_ds):
    P = _validated(live_ds, mc_share_below=0.0, mc_share_above=0.0, mc_samples=500)
    an = su.analyse(live_ds.with_evidence("articles"), P).monte_carlo
    assert np.allclose(an.sim["ad_share"], P.ad_share)
    wide = su.analyse(live_ds.with_evidence("articles"), _validated(live_ds, mc_samples=500)).monte_carlo
    lo, _, hi = wide.spec.share_bounds()
    assert (lo, hi) == (pytest.approx(P.ad_share - 0.30), pytest.approx(P.ad_share + 0.10))
    assert wide.sim["ad_share"].between(lo, hi).all()


def test_headline_states_the_comparison_it_makes(live_ds):
    from kimi_research.orchestration.results import payload_of

    P = _validated(live_ds)
    an = su.analyse(live_ds, P)
    r = payload_of(an)
    text = r["headline"]
    assert text == narrative.headline(an)
    assert "equal revenue/cost" in text and f"{r['ratio_to_threshold_firm']:.1%}" in text
    assert f"{1 - P.ad_share:.0%} and {P.ad_share:.0%} give the same rate" in text
    # the claim the text makes: with the implied cost, shares s and 1 - s give one rate
    cost = lambda s: su.implied_total_cost(r["peak_ad_spend_yuan"], s)  # noqa: E731
    assert su.sustainable_growth_rate(1e7, cost(P.ad_share), P.ad_share) == pytest.approx(
        su.sustainable_growth_rate(1e7, cost(1 - P.ad_share), 1 - P.ad_share)
    )
    assert "paying users" not in text  # graded 'not supported' by notebook 05


# --- the typed sections (issue 22): the results contract, and presentation that only draws and writes ---------
def test_sections_are_the_results_contract(ds):
    """Every result key comes from exactly one section, the payload validates against the generated model, no section
    has more than 25 fields, and the side-by-side ledger (articles only, every source) is computed by the analysis."""
    from kimi_research.orchestration.results import payload_of
    from kimi_research.orchestration.results_models import MODELS

    P = _validated(ds)
    an = su.analyse(ds, P)
    keys = [k for s in an.sections().values() for k in s.results()]
    assert len(keys) == len(set(keys))
    payload = payload_of(an)
    MODELS[NB].model_validate(payload)
    assert set(payload) == {"notebook", "parameters", "headline", *keys}
    assert all(len(type(s).model_fields) <= 25 for s in an.sections().values())
    assert len(type(an).model_fields) <= 25
    # the ledger of each evidence setting is the one the analysis of that setting computes on its own
    assert list(an.ledger.ledgers) == ["articles", "all"]
    alone = su.analyse(ds.with_evidence("all"), P.model_copy(update={"evidence": "all"})).ledger.ledgers["all"]
    assert an.ledger.ledgers["all"].cash_out_high == alone.cash_out_high
    assert list(su.analyse(ds.with_evidence("articles"), P).ledger.ledgers) == ["articles"]  # no full dataset: one
    # what the sentences read is what the JSON says
    assert payload["paying_users_needed"] == an.paying_users.paying_users_needed
    assert f"**{F.wan_zh(an.paying_users.paying_users_needed)} paying users**" in narrative.paying_users_note(an.paying_users)


def test_presentation_takes_sections_not_the_dataset_or_the_parameters():
    """No chart or sentence of notebook 03 receives ``ds`` or ``P``; each takes one section (the summary and the
    headline take the whole analysis), and neither module calls into the analysis (only its types are imported)."""
    import inspect

    for mod in (figures, narrative):
        for name, fn in inspect.getmembers(mod, inspect.isfunction):
            if fn.__module__ != mod.__name__:
                continue
            params = inspect.signature(fn).parameters
            assert not {"ds", "P"} & set(params), f"{mod.__name__}.{name}"
        imported = {n for n, v in vars(mod).items() if getattr(v, "__module__", None) == su.__name__}
        assert all(isinstance(vars(mod)[n], type) for n in imported), f"{mod.__name__} imports functions of the analysis"

"""The contested-input registry, the scenario engine, the grading of conclusions on it and `make scenarios`.

Expected values are derived from the data (never pinned), except where a rule fixes them exactly (the ad share
at which (1 - s) / (1 - 0.3) is one half is 0.65). A reading equals its row, the grid is the product of the
readings, what a conclusion reads is all its output depends on, thresholds are solved, not sampled, a new
source's figure becomes a reading with no code, the fast churn fit agrees with notebook 02's, executors agree.
"""

from __future__ import annotations

import json
import math
import shutil

import numpy as np
import pandas as pd
import pytest

import kimi_research as kr
from kimi_research import paths
from kimi_research.analysis import adspend, decline
from kimi_research.analysis import conclusions as K
from kimi_research.analysis import contested as C
from kimi_research.analysis import scenarios as S
from kimi_research.errors import ParameterError
from kimi_research.params.conclusions import ConclusionsParameters

from datafiles import add_row, add_source

SMALL = S.GridSpec(vary=("cpa", "peak_mau", "decline_series", "ad_share"), samples=3, seed=1)
# every input varied, few samples: what each conclusion reads is checked on it
FULL = S.GridSpec(vary=C.INPUT_NAMES, samples=3, seed=2)


@pytest.fixture(scope="module")
def reg(ds):
    return C.registry(ds)


@pytest.fixture(scope="module")
def small(ds):
    return S.evaluate(ds, SMALL)


@pytest.fixture(scope="module")
def full(ds):
    return S.evaluate(ds, FULL)


@pytest.fixture(scope="module")
def graded(full):
    return K.grade_evaluation(full)


# --- registry: readings found in the data ------------------------------------------------------------
def test_registry_names_and_order(reg):
    assert tuple(reg) == C.INPUT_NAMES
    assert "may_repeat" not in reg  # counting one figure twice is not a reading of the evidence


def test_readings_are_the_values_of_their_rows(ds, reg):
    obs = ds.observations
    checked = 0
    for c in reg.values():
        for r in c.readings:
            if isinstance(r.value, str):
                continue
            row = obs.loc[r.obs_ids[0]]
            want = (
                row["base_value_per_month"]
                if c.name == "doubao_spend" and row["value_kind"] != "monthly_average"
                else row["base_value"]
            )
            assert r.value == pytest.approx(want), (c.name, r.key)
            assert row["source_id"] in r.source_ids
            checked += 1
    assert checked >= 10
    rumour = obs.loc[obs["metric"] == "retention_30d", "base_value"].iloc[0]
    floors = adspend.retention_floor_range(ds)
    assert reg["retention_30d"].default == rumour  # the article's figure, when the range is not varied
    assert reg["retention_30d"].high == max(rumour, floors[1] if floors else rumour)  # up to what the MAU points imply
    # every spend path is a reading once: a path equal to an earlier one on this evidence is named in its label
    labels = " ".join(r.label for r in reg["spend_path"].readings)
    for k in adspend.SPEND_PATHS:
        assert k in reg["spend_path"].keys() or f"'{k}' gives the same path" in labels, k


def test_the_ranges_reach_what_notebooks_02_and_03_compute(ds, reg):
    """Retention up to notebook 02's largest floor; the ad share from 03's ledger average to the revenue reading."""
    from kimi_research.analysis import sustainability

    lo, hi, _ = adspend.retention_floor_range(ds)
    assert reg["retention_30d"].low < lo <= hi == reg["retention_30d"].high
    share = reg["ad_share"]
    ledger, months = sustainability.ledger_share(ds, share.default)
    assert share.low == pytest.approx(min(ledger, share.default)) and share.low < 0.5  # a period average, not the peak
    f = sustainability.kimi_facts(ds)
    assert share.high == pytest.approx(
        max(share.default, f.peak_ad_spend.value / (f.peak_ad_spend.value + f.training_cost.value))
    )
    assert str(months.index[0]) in share.low_source and "notebook 03" in share.high_source


def test_cpa_readings_are_what_advertising_buys(ds, reg):
    """12-13元 includes the compute cost of serving the user: it is never a CPA reading; the compute cost is the
    middle of it less the same source's CPA."""
    cpa = reg["cpa"]
    all_in = ds.select("kimi", "cpa_all_in")
    assert not set(all_in.index) & {i for r in cpa.readings for i in r.obs_ids}
    assert sorted(r.value for r in cpa.readings) == sorted(set(ds.select("kimi", "cpa")["base_value"]))
    row = all_in.iloc[0]
    same = ds.select("kimi", "cpa")
    same = same[same["source_id"] == row["source_id"]]
    compute, rows = C.compute_cost_per_user(ds)
    assert compute == pytest.approx((row["base_value"] + row["base_value_high"]) / 2 - same["base_value"].iloc[0])
    assert set(rows) == {row.name, same.index[0]}


def test_every_referenced_observation_exists(ds, reg):
    ids = {i for c in reg.values() for i in c.all_obs_ids()} | {i for c in K.CONCLUSIONS for i in c.obs_ids}
    assert not ids - set(ds.observations.index)


def test_contested_table_lists_each_reading(reg):
    t = C.table(reg)
    n = sum(len(c.readings) if c.kind == C.DISCRETE else 1 for c in reg.values())
    assert len(t) == n and set(t["input"]) == set(reg)


def test_the_default_reading_is_a_named_firms_then_a_tier_one_sources(reg):
    assert reg["peak_mau"].readings[0].firm == "questmobile"
    assert reg["peak_spend"].readings[0].firm == "appgrowing"
    assert reg["decline_series"].readings[0].key == "questmobile"
    assert reg["cpa"].readings[0].value == min(r.value for r in reg["cpa"].readings)


@pytest.fixture(scope="module")
def with_new_source(tmp_path_factory, ds):
    """A copy of the frozen data with a new source: a cost per user (in the CPA conflict group), the same
    figure stated twice in one sentence, a suspicious one, and a December 2024 MAU of another firm."""
    d = tmp_path_factory.mktemp("newsource") / "data"
    shutil.copytree(paths.ROOT / "tests" / "fixtures" / "data", d)
    add_source(d, "s_test_reading", tier="1", date_published="2025-01-15")
    quote = "据测算，Kimi的单用户获客成本约为20元，也就是20元一个用户"
    common = dict(entity="kimi", metric="cpa", start="", end="", unit="元", vendor="", source="s_test_reading")
    add_row(d, "o_test_r1", value="20", value_text="20元", quote=quote, conflict_group="kimi_cpa", flags="conflict", **common)
    add_row(d, "o_test_r2", value="20", value_text="20元", quote=quote, conflict_group="kimi_cpa", flags="conflict", **common)
    add_row(d, "o_test_r3", value="99", value_text="99元", quote="也有人说99元", flags="suspicious", **common)
    add_row(
        d,
        "o_test_r4",
        entity="kimi",
        metric="mau",
        start="2024-12-01",
        end="2024-12-31",
        value="1800",
        unit="万",
        value_text="1800万",
        vendor="aicpb",
        source="s_test_reading",
        quote="AI产品榜：Kimi 12月月活1800万",
    )
    return kr.load(d, cache=False)


def test_a_new_sources_figure_becomes_a_reading_without_code(with_new_source, reg):
    new = C.registry(with_new_source)
    cpa = new["cpa"]
    assert len(cpa.readings) == len(reg["cpa"].readings) + 1  # one reading for the sentence stated twice
    twenty = cpa.reading("20元")
    assert twenty.value == 20 and set(twenty.obs_ids) == {"o_test_r1", "o_test_r2"}
    assert twenty.source_ids == ("s_test_reading",) and "s_test_reading" in twenty.label
    assert "99元" not in cpa.keys() and cpa.left_out.at["o_test_r3", "rule"] == "doubtful"
    mau = new["peak_mau"]
    other = next(r for r in mau.readings if r.firm == "aicpb")
    assert other.value == 1.8e7 and "AI Product Ranking" in other.label


def test_another_firms_peak_is_not_evaluable_against_questmobiles_latest(with_new_source):
    ev = S.evaluate(with_new_source, S.GridSpec(vary=("peak_mau",), samples=1))
    t = ev.table.set_index("peak_mau")
    other = next(r.key for r in ev.registry["peak_mau"].readings if r.firm == "aicpb")
    assert math.isnan(t.at[other, "peak_to_latest_change"])
    g = K.grade_evaluation(ev).loc["peak_mau_halved"]
    assert g["n_evaluable"] == g["n_scenarios"] - 1
    assert g["not_evaluable"] == f"not evaluable when peak_mau is {other}"
    assert g["grade_kind"] == "every" and g["grade"] == "holds in every evaluable reading"


def test_an_input_from_another_notebooks_results_is_one_specification(ds):
    """A contested input whose readings (or bounds) come from an analysis function, not a query: one spec each."""

    def from_results(d):
        per_month = adspend.monthly_spend(d, "articles")["spend_yuan"]
        return [
            C.Reading(key=k, label=f"{k} of notebook 02's spend path", value=float(f(per_month)))
            for k, f in (("max", max), ("min", min))
        ]

    def bounds(d, overrides):
        spend = adspend.monthly_spend(d, "articles")["spend_yuan"]
        return C.Bounds(
            low=float(spend[spend > 0].min()),
            high=float(spend.max()),
            default=float(spend.max()),
            low_source="02",
            high_source="02",
        )

    specs = (
        *C.SPECS,
        C.Choice("spend_extreme", "?", ("test",), from_results, label="a spend"),
        C.Range("spend_range", "?", ("test",), bounds),
    )
    reg = C.registry(ds, specs=specs)
    assert (
        reg["spend_extreme"].keys() == ["max", "min"]
        and reg["spend_extreme"].readings[0].value >= reg["spend_extreme"].readings[1].value
    )
    assert reg["spend_range"].kind == C.RANGE and 0 < reg["spend_range"].low < reg["spend_range"].high
    assert list(reg)[: len(C.SPECS)] == list(C.INPUT_NAMES)


# --- grid ---------------------------------------------------------------------------------------
def test_grid_is_the_product_of_the_readings(ds, reg):
    spec = S.GridSpec(vary=C.INPUT_NAMES, samples=5, seed=3)
    g = S.build_grid(ds, spec)
    n = math.prod(len(c.readings) for c in reg.values() if c.kind == C.DISCRETE) * 5
    assert len(g) == n
    assert not g.duplicated(subset=[*C.INPUT_NAMES]).any()
    for name in ("retention_30d", "ad_share"):
        c = reg[name]
        assert g[name].between(c.low, c.high).all() and g[name].nunique() == 5
    pd.testing.assert_frame_equal(g, S.build_grid(ds, spec))  # seeded
    assert not g.equals(S.build_grid(ds, S.GridSpec(vary=C.INPUT_NAMES, samples=5, seed=4)))


def test_inputs_not_varied_keep_their_default(ds, reg):
    g = S.build_grid(ds, S.GridSpec(vary=("cpa",), samples=4))
    assert len(g) == len(reg["cpa"].readings)
    assert (g["spend_path"] == reg["spend_path"].readings[0].key).all()
    assert (g["ad_share"] == ds.select("kimi", "ad_spend_share")["base_value"].iloc[0]).all()


def test_bad_grid_parameters(ds):
    with pytest.raises(ParameterError, match="unknown input"):
        S.build_grid(ds, S.GridSpec(vary=("cpa", "colour")))
    with pytest.raises(ParameterError, match="must be above 0 and below high"):
        S.build_grid(ds, S.GridSpec(vary=("ad_share",), ad_share_low=0.9, ad_share_high=0.5))
    with pytest.raises(ParameterError, match="evidence"):
        S.restrict_evidence(ds, "rumours")


# --- the analyses, in-process ------------------------------------------------------------------
@pytest.mark.parametrize(("cpa", "path"), [(0, "articles"), (1, "zero"), (0, "lower_bounds")])
def test_fast_churn_fit_agrees_with_notebook_02s_fit(ds, reg, cpa, path):
    targets = adspend.mau_targets(ds)
    end = max(m for ms in targets["months"] for m in ms)
    spend = adspend.monthly_spend(ds, path, end=end)["spend_yuan"]
    value = float(reg["cpa"].readings[cpa].value)
    assert S.fit_churn_point(spend, value, targets) == pytest.approx(adspend.fit_churn(spend, value, targets).churn, abs=2e-4)


def test_decline_block_matches_notebook_01(ds, reg):
    rows = decline.series_rows(decline.select(ds, "kimi", "mau"), "questmobile")
    fit = decline.fit_decay(rows, "questmobile")
    peak = reg["peak_mau"].readings[0].key
    out = S.block_decline(ds, reg, "questmobile", "midpoint", peak)
    assert out["decline_monthly_change"] == pytest.approx(fit.monthly_change)
    assert out["decline_points"] == fit.n
    late = S.block_decline(ds, reg, "questmobile", "last_month", peak)
    assert late["decline_monthly_change"] == pytest.approx(decline.dating_sensitivity(rows, "questmobile"))


def test_a_series_with_one_point_gives_no_rate(ds, reg):
    for r in reg["decline_series"].readings:
        if r.key == decline.POOLED:
            continue
        pts = decline.series_rows(decline.select(ds, "kimi", "mau"), r.key)
        out = S.block_decline(ds, reg, r.key, "midpoint", reg["peak_mau"].readings[0].key)
        if (pts["kind"] == "point").sum() < 2:
            assert math.isnan(out["decline_monthly_change"])


def test_peak_to_latest_uses_the_reading(ds, reg, small):
    qm = decline.peak_latest(decline.series_rows(decline.select(ds, "kimi", "mau"), "questmobile"))
    for r in reg["peak_mau"].readings:
        rows = small.table[small.table["peak_mau"] == r.key]
        want = qm["latest_value"] / r.value - 1 if r.firm in ("", "questmobile") else np.nan
        assert np.allclose(rows["peak_to_latest_change"], want, equal_nan=True)


def test_spend_timing_from_the_data(ds, reg):
    out = S.block_spend(ds, reg, "articles", reg["peak_spend"].readings[0].key)
    spend = adspend.monthly_spend(ds, "articles")
    assert out["spend_peak_month"] == str(spend["spend_yuan"].idxmax())
    rise = S.block_rise(ds, reg)
    dau = ds.select("kimi", "dau").sort_values("period_start")
    assert rise["dau_rise_end"] == str(dau["period_end"].iloc[-1].to_period("M"))


def test_table_has_one_row_per_scenario_and_every_output(ds, small):
    t = small.table
    assert t["scenario"].is_unique and len(t) == len(S.build_grid(ds, SMALL))
    assert {col for c in K.CONCLUSIONS for col in c.reads} <= set(t.columns)


# --- what each conclusion reads ----------------------------------------------------------------
def test_an_input_not_read_never_changes_a_conclusion(full, graded):
    """Within each combination of the inputs a conclusion reads, its output and its outcome never move: no other
    input changes it (checked on a grid that varies every input)."""
    t = full.table
    assert set(full.registry) <= set(t.columns)
    for c in K.CONCLUSIONS:
        read = graded.at[c.id, "inputs_read"]
        assert read == K.inputs_read(c, full.depends, full.registry)
        held = c.holds(t).map(lambda v: "na" if v is None else str(bool(v)))
        x = pd.to_numeric(t[c.output], errors="coerce").fillna(-1e300)
        keys = [t[n] for n in read] if read else [pd.Series(0, index=t.index)]
        assert (held.groupby(keys).nunique() == 1).all(), c.id
        assert (x.groupby(keys).nunique() == 1).all(), c.id


def test_every_input_read_is_used_somewhere_and_none_is_missed(full, graded):
    varied = set(K.varied_inputs(full.table, full.registry))
    read = {n for ids in graded["inputs_read"] for n in ids}
    assert read <= set(full.registry)
    assert read == varied  # every contested input bears on at least one conclusion


def test_a_conclusion_reading_no_contested_input_is_one_computation(graded):
    none = graded[graded["inputs_read"].map(len) == 0]
    assert {"qm_mau_halved", "rank_fell", "doubao_30x", "dau_rise_tenfold"} <= set(none.index)
    assert (none["n_scenarios"] == 1).all()
    assert none["grade"].isin(["holds; it reads no contested input (one computation)", K.NOT_SUPPORTED, K.NOT_EVALUABLE]).all()
    assert (graded["n_scenarios"] <= graded["inputs_read"].map(lambda r: 10 ** len(r))).all()


def test_results_name_what_each_conclusion_reads(graded):
    for c in K.CONCLUSIONS:
        assert isinstance(graded.at[c.id, "inputs_read"], list)
        for name in graded.at[c.id, "inputs_read"]:
            assert name in C.INPUT_NAMES


# --- thresholds, solved ---------------------------------------------------------------------------
def test_the_ad_share_threshold_is_solved_exactly(ds, graded):
    g = graded.loc["under_half_growth"]
    alarm = float(ds.select("industry", "ad_share_alarm_threshold")["base_value"].iloc[0])
    (t,) = g["thresholds"]
    assert t["method"] == "closed form" and t["fails"] == "below"
    assert t["value"] == pytest.approx(1 - 0.5 * (1 - alarm), abs=1e-12)
    if alarm == 0.3:
        assert t["value"] == pytest.approx(0.65, abs=1e-12) and g["condition"] == "ad_share ≤ 0.65"


def test_brentq_thresholds_are_roots_of_the_conclusion(full, graded):
    """Where no closed form exists, the threshold found by bisection is a root: the conclusion's margin is zero
    there, and it holds on one side and fails on the other."""
    found = 0
    for c in K.CONCLUSIONS:
        for t in graded.at[c.id, "thresholds"]:
            rows = full.table
            for k, v in t["readings"].items():
                rows = rows[rows[k].astype(str) == v]
            row = rows.iloc[0]
            at = full.recompute(row, t["input"], np.array([t["value"] * (1 - 1e-9), t["value"], t["value"] * (1 + 1e-9)]))
            m = c.margin(at).to_numpy()
            assert abs(m[1]) <= 1e-6 * max(1.0, abs(float(at[c.output].iloc[1]))), (c.id, t)
            assert np.sign(m[0]) != np.sign(m[2]), (c.id, t)
            found += t["method"] == "brentq"
    assert found >= 1


def test_a_closed_form_agrees_with_bisection(full):
    """The closed forms the engine's steps declare solve the same equation brentq does."""
    from scipy.optimize import brentq

    row = full.table.iloc[0]
    ctx = full.context
    for column, name, target in (
        ("ratio_to_threshold_firm", "ad_share", 0.5),
        ("cost_per_retained_user_yuan", "retention_30d", 1000.0),
    ):
        closed = full.closed_form(column, name, target, row)

        def gap(x, name=name, column=column, target=target):
            return float(full.recompute(row, name, np.array([x]))[column].iloc[0]) - target

        numeric = brentq(gap, 1e-6, 0.999999, xtol=1e-14)
        assert closed == pytest.approx(numeric, rel=1e-9), (column, ctx)


# --- executors --------------------------------------------------------------------------------
@pytest.mark.slow  # starts worker processes
def test_process_pool_gives_the_same_table(ds, small):
    from kimi_research.orchestration.scenarios import executor

    with executor(workers=2) as ex:
        pooled = S.evaluate(ds, SMALL, executor=ex)
    pd.testing.assert_frame_equal(pooled.table, small.table)


@pytest.mark.slow  # starts a Dask cluster
@pytest.mark.enable_socket  # the scheduler and worker bind 127.0.0.1 (loopback only); no outside host
@pytest.mark.allow_hosts(["127.0.0.1"])
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_dask_local_cluster_gives_the_same_table(ds, small):
    distributed = pytest.importorskip("distributed")
    from kimi_research.orchestration.scenarios import executor

    with (
        distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cl,
        distributed.Client(cl) as client,
        executor(scheduler=client) as ex,
    ):
        done = S.evaluate(ds, SMALL, executor=ex)
    pd.testing.assert_frame_equal(done.table, small.table)


def test_allows_orders_the_grades():
    assert K.allows("every", "every") and K.allows("every", "unless") and K.allows("unless", "not_supported")
    assert not K.allows("unless", "every") and not K.allows("not_supported", "unless")
    assert K.allows("not_evaluable", "not_supported") and not K.allows("not_evaluable", "unless")


def test_conclusions_computed_from_the_data(ds, graded, reg):
    qm = decline.peak_latest(decline.series_rows(decline.select(ds, "kimi", "mau"), "questmobile"))
    assert (graded.at["qm_mau_halved", "grade_kind"] == "every") == (qm["peak_to_latest_change"] < -0.5)
    spend_peak = pd.Period(S.block_spend(ds, reg, "articles", reg["peak_spend"].readings[0].key)["spend_peak_month"])
    dau_end = ds.select("kimi", "dau")["period_end"].max().to_period("M")
    if spend_peak > dau_end:
        assert graded.at["growth_bought_timing", "grade_kind"] != "every"


def test_the_peak_bought_more_than_it_kept_up_to_the_cost_that_equals_them(ds, reg, graded):
    """users bought = peak-window spend / cost per user; it exceeds the MAU counted after the window exactly for a
    cost per user below spend / MAU: each cost-per-user reading is graded on that side."""
    sp = S.block_spend(ds, reg, S.default_value(reg["spend_path"]), S.default_value(reg["peak_spend"]))
    break_even = sp["peak_window_spend_yuan"] / sp["mau_after_peak_window"]
    holds = {r.key: float(r.value) < break_even for r in reg["cpa"].readings}
    g = graded.loc["peak_bought_more_than_kept"]
    assert "cpa" in g["inputs_read"]
    if all(holds.values()):
        assert g["grade_kind"] == "every"
    elif any(holds.values()):
        assert g["grade_kind"] == "unless"
        for key, ok in holds.items():
            assert (key in g["grade"]) == (not ok), (key, g["grade"])  # the condition names exactly the failing costs
    else:
        assert g["grade_kind"] == "not_supported"


def test_spend_per_new_user_compares_bounds_the_right_way(ds, monkeypatch):
    """Kimi's smallest figure against the largest rival's; a Kimi figure that may be smaller than written (an upper
    bound) or a rival's that may be larger (a lower bound) leaves it not evaluable."""
    rows = pd.DataFrame(
        {
            "entity": ["kimi", "kimi", "doubao", "deepseek"],
            "value": [40.0, 10.0, 4.0, None],
            "bound": ["point", "lower", "upper", None],
        }
    )
    monkeypatch.setattr(S.competitors, "spend_per_new_user_table", lambda d, apps: (rows, []))
    assert S.block_acquisition(ds, None)["kimi_to_rival_spend_per_new_user"] == pytest.approx(10.0 / 4.0)
    for i, b in ((0, "upper"), (2, "lower")):
        changed = rows.copy()
        changed.loc[i, "bound"] = b
        monkeypatch.setattr(S.competitors, "spend_per_new_user_table", lambda d, apps, t=changed: (t, []))
        assert math.isnan(S.block_acquisition(ds, None)["kimi_to_rival_spend_per_new_user"])
    monkeypatch.setattr(S.competitors, "spend_per_new_user_table", lambda d, apps: (rows[rows["entity"] != "doubao"], []))
    assert math.isnan(S.block_acquisition(ds, None)["kimi_to_rival_spend_per_new_user"])  # no rival with a figure


def test_the_mau_rise_is_set_against_the_spend_peak_of_each_reading(ds, reg):
    for key in reg["peak_mau"].keys():
        out = S.block_mau_peak(ds, reg, S.default_value(reg["spend_path"]), S.default_value(reg["peak_spend"]), key)
        r = reg["peak_mau"].reading(key)
        month = min(ds.observations.at[o, "period_end"] for o in r.obs_ids).to_period("M")
        spend = S.block_spend(ds, reg, S.default_value(reg["spend_path"]), S.default_value(reg["peak_spend"]))
        assert out["spend_peak_months_before_mau_peak"] == (month - pd.Period(spend["spend_peak_month"])).n


def test_the_userbase_block_reads_notebook_01s_rules(ds, reg, monkeypatch):
    out = S.block_userbase(ds, reg)
    lv = decline.study_levels(ds, "kimi", "mau")
    qm = [x for x in decline.like_for_like(lv.rows) if x["series"] == "questmobile"]
    assert (math.isnan(out["like_for_like_change"]) and not qm) or out["like_for_like_change"] == qm[-1]["change"]
    mau = [x for x in decline.direction_by_vendor(ds, "kimi") if x["metric"] == "mau"]
    assert (math.isnan(out["firms_disagree_on_direction"]) and not mau) or out["firms_disagree_on_direction"] == float(
        any(not x["agree"] for x in mau)
    )

    def placed(differ, before, after):
        return lambda *a, **k: [
            {"rates_differ": differ, "rate_before": {"monthly_change": before}, "rate_after": {"monthly_change": after}}
        ]

    for differ, before, after, want in (("yes", -0.05, -0.2, 1.0), ("yes", -0.2, -0.05, 0.0), ("no", -0.05, -0.2, 0.0)):
        monkeypatch.setattr(S.decline, "events_between_points", placed(differ, before, after))
        assert S.block_userbase(ds, reg)["fall_faster_after_r1"] == want
    monkeypatch.setattr(S.decline, "events_between_points", placed("cannot tell", None, -0.1))
    assert math.isnan(S.block_userbase(ds, reg)["fall_faster_after_r1"])  # not evaluable, never counted as a failure


# --- parameters -------------------------------------------------------------------------------------
def test_pydantic_parameters():
    p = ConclusionsParameters()
    assert p.vary == list(C.INPUT_NAMES) and p.grid_spec().samples == p.samples
    with pytest.raises(ParameterError, match="unknown parameter 'colour'"):
        ConclusionsParameters.from_mapping({"colour": "red"})
    with pytest.raises(ParameterError, match="'ad_share_low'|ad_share_low"):
        ConclusionsParameters.from_mapping({"ad_share_low": 0.8, "ad_share_high": 0.6})
    with pytest.raises(ParameterError, match="parameter 'samples' = 0"):
        ConclusionsParameters.from_mapping({"samples": 0})
    with pytest.raises(ParameterError, match="unknown input"):
        ConclusionsParameters.from_mapping({"vary": ["cpa", "may_repeat"]})


# --- make scenarios --------------------------------------------------------------------------------
def test_run_writes_build_scenarios_and_is_incremental(tmp_path, capsys, monkeypatch):
    from kimi_research.orchestration import scenarios as O

    # what is tested is the bookkeeping (files written, skipped, forced, rerun on a new grid): a grid already
    # evaluated is taken from memory (an evaluation of the live data takes seconds); every run is counted
    evaluate, done, calls = O.evaluate, {}, []

    def remembered(spec, *args, **kwargs):
        calls.append(spec)
        key = repr(sorted(vars(spec).items()))
        if key not in done:
            done[key] = evaluate(spec, *args, **kwargs)
        return done[key]

    monkeypatch.setattr(O, "evaluate", remembered)
    spec = S.GridSpec(vary=("cpa", "spend_path"), samples=1)
    meta = O.run(spec, workers=1, quiet=True, target=tmp_path)
    assert not meta["skipped"] and meta["n_scenarios"] == len(pd.read_parquet(tmp_path / O.TABLE))
    graded = json.loads((tmp_path / "conclusions.json").read_text(encoding="utf-8"))
    assert {c["id"] for c in graded} == set(K.BY_ID)
    assert all("inputs_read" in c and "grade" in c for c in graded)
    params = json.loads((tmp_path / "parameters.json").read_text(encoding="utf-8"))
    assert params["parameters"]["vary"] == ["cpa", "spend_path"]
    assert O.run(spec, workers=1, quiet=True, target=tmp_path)["skipped"]
    assert not O.run(spec, workers=1, quiet=False, target=tmp_path, force=True)["skipped"]
    printed = capsys.readouterr().out
    assert "holds" in printed and "%" not in printed  # grades are printed, never a share
    other = S.GridSpec(vary=("cpa",), samples=1)
    assert not O.run(other, workers=1, quiet=True, target=tmp_path)["skipped"]
    assert calls == [spec, spec, other] and len(done) == 2  # the first run, the forced one, the new grid

"""The contested-input registry, the scenario engine, the grading of conclusions and `make scenarios`.

Expected values are derived from the data (never pinned): a reading equals its row, the grid is the
product of the readings, the fast churn fit agrees with notebook 02's fit, the executors agree.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from kimi_research.analysis import adspend, decline
from kimi_research.analysis import conclusions as K
from kimi_research.analysis import contested as C
from kimi_research.analysis import scenarios as S
from kimi_research.errors import ParameterError
from kimi_research.params.conclusions import ConclusionsParameters

SMALL = S.GridSpec(vary=("cpa", "peak_mau", "decline_series", "ad_share"), samples=3, seed=1)


@pytest.fixture(scope="module")
def reg(ds):
    return C.registry(ds)


@pytest.fixture(scope="module")
def small(ds):
    return S.evaluate(ds, SMALL)


# --- registry ---------------------------------------------------------------------------------
def test_registry_names_and_order(reg):
    assert tuple(reg) == C.INPUT_NAMES


def test_readings_are_looked_up_from_their_rows(ds, reg):
    obs = ds.observations
    checked = 0
    for c in reg.values():
        for r in c.readings:
            if isinstance(r.value, str) or not r.obs_ids or r.key == "12.5" or c.name == "doubao_spend":
                continue
            assert r.value == obs.at[r.obs_ids[0], "base_value"], (c.name, r.key)
            checked += 1
    assert checked >= 8
    allin = obs.loc["o004_21"]
    assert reg["cpa"].reading("12.5").value == (allin["base_value"] + allin["base_value_high"]) / 2
    assert reg["doubao_spend"].reading("appgrowing_q4").value == obs.at["o002_10", "base_value_per_month"]
    assert reg["retention_30d"].high == obs.at["o001_15", "base_value"]
    assert set(reg["spend_path"].keys()) == set(adspend.SPEND_PATHS)


def test_every_referenced_observation_exists(ds, reg):
    ids = {i for c in reg.values() for i in c.all_obs_ids()} | {i for c in K.CONCLUSIONS for i in c.obs_ids}
    missing = ids - set(ds.observations.index)
    assert not missing


def test_contested_table_lists_each_reading(reg):
    t = C.table(reg)
    n = sum(len(c.readings) if c.kind == C.DISCRETE else 1 for c in reg.values())
    assert len(t) == n and set(t["input"]) == set(reg)


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
    assert (g["ad_share"] == ds.observations.at["o003_14", "base_value"]).all()


def test_bad_grid_parameters(ds):
    with pytest.raises(ParameterError, match="unknown input"):
        S.build_grid(ds, S.GridSpec(vary=("cpa", "colour")))
    with pytest.raises(ParameterError, match="must be above 0 and below high"):
        S.build_grid(ds, S.GridSpec(vary=("ad_share",), ad_share_low=0.9, ad_share_high=0.5))
    with pytest.raises(ParameterError, match="evidence"):
        S.restrict_evidence(ds, "rumours")


# --- the analyses, in-process ------------------------------------------------------------------
@pytest.mark.parametrize(("cpa", "path"), [("10", "articles"), ("30", "zero"), ("12.5", "lower_bounds")])
def test_fast_churn_fit_agrees_with_notebook_02s_fit(ds, reg, cpa, path):
    targets = adspend.mau_targets(ds)
    end = max(m for ms in targets["months"] for m in ms)
    spend = adspend.monthly_spend(ds, path, end=end)["spend_yuan"]
    value = float(reg["cpa"].reading(cpa).value)
    assert S.fit_churn_point(spend, value, targets) == pytest.approx(adspend.fit_churn(spend, value, targets).churn, abs=2e-4)


def test_decline_block_matches_notebook_01(ds, reg):
    rows = decline.series_rows(decline.select(ds, "kimi", "mau"), "questmobile")
    fit = decline.fit_decay(rows, "questmobile")
    out = S.block_decline(ds, reg, "questmobile", "midpoint", "once", "questmobile_2101")
    assert out["decline_monthly_change"] == pytest.approx(fit.monthly_change)
    assert out["decline_points"] == fit.n
    late = S.block_decline(ds, reg, "questmobile", "last_month", "once", "questmobile_2101")
    assert late["decline_monthly_change"] == pytest.approx(decline.dating_sensitivity(rows, "questmobile"))
    twice = S.block_decline(ds, reg, "questmobile", "midpoint", "twice", "questmobile_2101")
    assert twice["decline_points"] == fit.n + len(fit.excluded) - int((rows["kind"] != "point").sum())


def test_a_series_with_one_point_gives_no_rate(ds, reg):
    pts = decline.series_rows(decline.select(ds, "kimi", "mau"), "aicpb")
    out = S.block_decline(ds, reg, "aicpb", "midpoint", "once", "questmobile_2101")
    if (pts["kind"] == "point").sum() < 2:
        assert math.isnan(out["decline_monthly_change"])


def test_peak_to_latest_uses_the_reading(ds, reg, small):
    qm = decline.peak_latest(decline.series_rows(decline.select(ds, "kimi", "mau"), "questmobile"))
    for key in reg["peak_mau"].keys():
        rows = small.table[small.table["peak_mau"] == key]
        want = qm["latest_value"] / reg["peak_mau"].reading(key).value - 1
        assert np.allclose(rows["peak_to_latest_change"], want)


def test_spend_timing_from_the_data(ds, reg):
    out = S.block_spend(ds, reg, "articles", "2.2e8")
    spend = adspend.monthly_spend(ds, "articles")
    assert out["spend_peak_month"] == str(spend["spend_yuan"].idxmax())
    dau = ds.select("kimi", "dau").sort_values("period_start")
    assert out["dau_rise_end"] == str(dau["period_end"].iloc[-1].to_period("M"))


def test_table_has_one_row_per_scenario_and_every_output(ds, small):
    t = small.table
    assert t["scenario"].is_unique and len(t) == len(S.build_grid(ds, SMALL))
    cols = {c.output for c in K.CONCLUSIONS}
    assert cols <= set(t.columns)


# --- executors --------------------------------------------------------------------------------
def test_process_pool_gives_the_same_table(ds, small):
    from kimi_research.orchestration.scenarios import executor

    with executor(workers=2) as ex:
        pooled = S.evaluate(ds, SMALL, executor=ex)
    pd.testing.assert_frame_equal(pooled.table, small.table)


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


# --- grades ---------------------------------------------------------------------------------------
def _toy_registry():
    return {
        "a": C.ContestedInput("a", "a?", C.DISCRETE, (C.Reading("x", "x", 1), C.Reading("y", "y", 2), C.Reading("z", "z", 3))),
        "b": C.ContestedInput("b", "b?", C.DISCRETE, (C.Reading("p", "p", 1), C.Reading("q", "q", 2))),
        "r": C.ContestedInput("r", "r?", C.RANGE, low=0.0, high=1.0),
    }


def _toy_table():
    a, b, r = np.meshgrid(["x", "y", "z"], ["p", "q"], np.linspace(0.05, 0.95, 8), indexing="ij")
    return pd.DataFrame({"a": a.ravel(), "b": b.ravel(), "r": r.ravel().astype(float)})


@pytest.mark.parametrize(
    ("pred", "inputs", "kind", "flip", "condition"),
    [
        (lambda t: pd.Series(True, index=t.index), (), "every", None, ""),
        (lambda t: t["a"] != "y", (), "unless", "a", "a is y"),
        (lambda t: (t["a"] == "x") & (t["b"] == "p"), (), "not_supported", "a", None),
        (lambda t: t["r"] > 0.5, ("r",), "unless", "r", "r ≤ 0.5"),
        (lambda t: t["r"] > 2, ("r",), "not_supported", None, ""),
        (
            lambda t: pd.Series(np.where(t["a"] == "z", np.nan, 1.0), index=t.index).eq(1.0).where(t["a"] != "z"),
            (),
            "unless",
            "a",
            "a is z",
        ),
    ],
)
def test_grade_logic(pred, inputs, kind, flip, condition):
    t, reg = _toy_table(), _toy_registry()
    c = K.Conclusion("toy", "toy", "test", pred, "a", (), inputs)
    g = K.grade_one(c, t, reg)
    assert g["grade_kind"] == kind
    assert (g["flip_input"] or None) == flip
    if condition is not None:
        assert g["condition"] == condition
    assert g["share"] == pytest.approx(float(pred(t).fillna(False).astype(bool).mean()))


def test_a_range_the_conclusion_does_not_read_cannot_flip_it():
    t, reg = _toy_table(), _toy_registry()
    c = K.Conclusion("toy", "toy", "test", lambda t: t["a"] != "y", "a")
    assert "r" not in K.grade_one(c, t, reg)["share_by_reading"]


def test_allows_orders_the_grades():
    assert K.allows("every", "every") and K.allows("every", "unless") and K.allows("unless", "not_supported")
    assert not K.allows("unless", "every") and not K.allows("not_supported", "unless")


def test_declared_inputs_cover_every_discrete_input_that_moves_a_conclusion(ds):
    spec = S.GridSpec(vary=tuple(n for n in C.INPUT_NAMES if n not in ("retention_30d", "ad_share")), samples=1)
    ev = S.evaluate(ds, spec)
    graded = K.grade(ev.table, ev.registry)
    for c in K.CONCLUSIONS:
        moving = set(graded.at[c.id, "share_by_reading"])
        assert moving <= set(c.inputs), (c.id, moving - set(c.inputs))


def test_conclusions_computed_from_the_data(ds, small):
    g = K.grade(small.table, small.registry)
    qm = decline.peak_latest(decline.series_rows(decline.select(ds, "kimi", "mau"), "questmobile"))
    assert (g.at["qm_mau_halved", "share"] == 1.0) == (qm["peak_to_latest_change"] < -0.5)
    spend_peak = pd.Period(S.block_spend(ds, small.registry, "articles", "2.2e8")["spend_peak_month"])
    dau_end = ds.select("kimi", "dau")["period_end"].max().to_period("M")
    assert (g.at["growth_bought_timing", "share"] == 0.0) == (spend_peak > dau_end)


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
        ConclusionsParameters.from_mapping({"vary": ["cpa", "mood"]})


# --- make scenarios --------------------------------------------------------------------------------
def test_run_writes_build_scenarios_and_is_incremental(tmp_path):
    from kimi_research.orchestration import scenarios as O

    spec = S.GridSpec(vary=("cpa", "spend_path"), samples=1)
    meta = O.run(spec, workers=1, quiet=True, target=tmp_path)
    assert not meta["skipped"] and meta["n_scenarios"] == len(pd.read_parquet(tmp_path / O.TABLE))
    graded = json.loads((tmp_path / "conclusions.json").read_text(encoding="utf-8"))
    assert {c["id"] for c in graded} == set(K.BY_ID)
    params = json.loads((tmp_path / "parameters.json").read_text(encoding="utf-8"))
    assert params["parameters"]["vary"] == ["cpa", "spend_path"]
    assert O.run(spec, workers=1, quiet=True, target=tmp_path)["skipped"]
    assert not O.run(spec, workers=1, quiet=True, target=tmp_path, force=True)["skipped"]
    other = S.GridSpec(vary=("cpa",), samples=1)
    assert not O.run(other, workers=1, quiet=True, target=tmp_path)["skipped"]

"""Notebook 00 (data audit) executed with papermill: values from its results JSON."""

from __future__ import annotations

import pytest

from kimi_research.analysis import claims
from kimi_research.data import provenance
from kimi_research.orchestration.runner import load_param_set

pytestmark = pytest.mark.notebook
NB = "00_data_audit"


def test_default_run(default_results, live_ds):
    r = default_results(NB)
    ds = live_ds.with_evidence(r["parameters"]["evidence"])  # the data the notebook ran on: expectations derived from it
    assert r["n_observations"] == len(ds.observations) > 100
    assert r["n_sources"] == ds.observations["source_id"].nunique()
    assert r["observations_per_source"] == ds.observations.groupby("source_id").size().to_dict()
    assert r["n_conflicts"] == ds.observations["conflict_group"].nunique() >= 7
    assert r["conflict_groups"]["kimi_cpa"] == 3.0  # 30元 vs about 10元
    assert r["conflict_groups"]["alibaba_investment"] == 1.25  # 超10亿 vs 8亿美元
    assert r["conflict_groups"]["doubao_ad_spend"] == pytest.approx(3.72)  # 1.24亿/month vs 1亿 a quarter
    flagged = ds.observations.index[ds.observations["flag_list"].map(lambda f: "suspicious" in f)]
    assert set(r["suspicious"]) == set(flagged) >= {"o003_10", "o003_16"}  # 1261万 visits, 数千万 core users
    c = r["claims"]
    assert c["c01"]["verdict"] == claims.ROUGHLY
    assert round(c["c01"]["computed_low"]) == 7_096_774 and round(c["c01"]["computed_high"]) == 7_333_333
    assert c["c02"]["verdict"] == claims.HOLDS and round(c["c02"]["computed_low"], 4) == -0.2946
    assert len(c) == len(ds.claims)
    n_quotes = len(ds.observations) + len(ds.events) + len(ds.claims) + len(ds.capabilities)
    counts = provenance.summary(provenance.quote_status(ds))
    assert counts[provenance.NOT_FOUND] == 0
    assert r["quotes_checked"] == n_quotes and r["quotes_found"] == counts[provenance.FOUND]
    assert r["quote_status"] == counts and r["evidence"] == r["parameters"]["evidence"]
    per_source = ds.observations.groupby("source_id").size()
    assert r["most_covered_sources"] == list(per_source.index[per_source == per_source.max()])  # ties kept


def test_kimi_strict_parameter_set(run_notebook, live_ds):
    params = load_param_set(NB, "kimi_strict")
    run = run_notebook(NB, params)
    assert run.returncode == 0, run.output[-2000:]
    r = run.results
    ds = live_ds.with_evidence(r["parameters"]["evidence"])
    assert r["entity"] == "kimi"
    assert r["n_observations"] == (ds.observations["entity"] == "kimi").sum()
    # with a 1% tolerance, "700万 a day" (gap 1.34%) and "about -30%" (gap 1.8%) both miss it: both fail
    assert r["claims"]["c01"]["verdict"] == claims.FAILS
    assert r["claims"]["c02"]["verdict"] == claims.FAILS
    assert "c10" not in r["claims"]  # the WAU ranking claim is about Doubao, DeepSeek and Yuanbao


def test_bad_parameters_fail_at_validation(run_notebook):
    run = run_notebook(NB, {"entity": "kimmi", "tolerance": 0, "colour": "red"})
    assert run.returncode != 0
    out = run.output
    assert "ParameterError" in out
    assert "'kimmi': no entity with observations named 'kimmi' (did you mean 'Kimi'?)" in out
    assert "'tolerance' = 0" in out
    assert "unknown parameter 'colour'" in out
    assert run.results is None
    assert (run.build_dir / "executed" / f"{NB}.failed.ipynb").exists()

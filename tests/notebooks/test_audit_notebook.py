"""Notebook 00 (data audit) executed with papermill: values from its results JSON."""

from __future__ import annotations

import pytest

from kimi_research.analysis import claims
from kimi_research.data import provenance
from kimi_research.orchestration.runner import load_param_set

NB = "00_data_audit"


@pytest.mark.parametrize("evidence", ["articles", pytest.param("all", marks=pytest.mark.slow)])  # all: make test
def test_every_entity_the_parameter_accepts_draws_every_chart(live_ds, evidence):
    """Every value validation accepts runs (issue 21): the audit and all its charts for each entity with data,
    by id and by the names the README promises, under both evidence settings (an entity with no claim used to
    crash the claims chart: 'Axis limits cannot be NaN or Inf')."""
    import matplotlib.pyplot as plt

    from kimi_research import validate_parameters
    from kimi_research.analysis import audit
    from kimi_research.presentation.figures import audit as figures
    from kimi_research.presentation.narrative import audit as narrative

    ds = live_ds.with_evidence(evidence)
    names = {e: [e, ds.entities.at[e, "name_en"], ds.entities.at[e, "name_zh"]] for e in audit.entities_with_data(ds)}
    assert names
    for eid, forms in names.items():
        for form in forms:
            P = validate_parameters(NB, {"entity": form, "tolerance": 0.05, "evidence": evidence}, live_ds)
            assert P.entity == eid
        an = audit.analyse(live_ds, P)
        narrative.summary_markdown(an)
        figs = [figures.coverage_by_article(an.coverage), figures.coverage_matrix(an.coverage)]
        if an.conflicts.n_conflicts:
            figs.append(figures.conflicts(an.conflicts))
        if len(an.claims.verdicts):
            figs.append(figures.claims(an.claims))
        for f in figs:
            plt.close(f)


@pytest.mark.notebook
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


@pytest.mark.notebook
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


@pytest.mark.notebook
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

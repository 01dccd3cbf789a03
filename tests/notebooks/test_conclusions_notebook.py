"""Notebook 05 executes with its default parameters, an alternative set and every source, and its results are the
engine's grades for those parameters (computed here in-process from the data the run read).

In-process tests (no kernel) check the typed sections: what a reader sees names inputs by their names, quotes no
share, and the grades on the articles and on every source stand side by side with why they differ.
"""

from __future__ import annotations

import math
import re

import pytest
import yaml

import kimi_research as kr
from kimi_research import paths
from kimi_research.analysis import conclusions as K
from kimi_research.analysis import contested as C
from kimi_research.analysis import scenarios as S
from kimi_research.orchestration.results import payload_of
from kimi_research.orchestration.results_models import MODELS
from kimi_research.params import defaults
from kimi_research.params.conclusions import ConclusionsParameters
from kimi_research.presentation.narrative import conclusions as narrative

NB = "05_conclusions"
SHARE = re.compile(r"\d+(\.\d+)?% of (the )?(scenarios|readings|combinations)|holds in \d+%")


def expected(live_ds, params: dict):
    spec = ConclusionsParameters.from_mapping(params).grid_spec()
    ev = S.evaluate(live_ds, spec)
    return ev, K.grade_evaluation(ev)


def check(results: dict, ev, graded, params: dict) -> None:
    assert results["n_scenarios"] == len(ev.table)
    reg = ev.registry
    vary = params.get("vary", list(C.INPUT_NAMES))
    ranges = [n for n in vary if reg[n].kind == C.RANGE]
    n = math.prod(len(reg[v].readings) for v in vary if reg[v].kind == C.DISCRETE)
    assert results["n_scenarios"] == n * (params.get("samples", ConclusionsParameters().samples) if ranges else 1)
    got = {c["id"]: c for c in results["conclusions"]}
    assert list(got) == [c.id for c in K.CONCLUSIONS]  # every conclusion, its id stable
    for cid, row in graded.iterrows():
        g = got[cid]
        assert g["grade"] == row["grade"] and g["inputs_read"] == row["inputs_read"], cid
        assert g["n_scenarios"] == row["n_scenarios"], cid
        if not g["inputs_read"]:  # no contested input: one computation, never reported over the grid
            assert g["n_scenarios"] == 1 and "no contested input" in g["grade_words"], cid
    counts = results["grade_counts"]
    assert sum(counts.values()) == len(K.CONCLUSIONS)
    assert f"{counts['every']} hold in every reading" in results["headline"]
    assert set(results["grades_by_evidence"]) == set(got)


@pytest.mark.notebook
def test_default_parameters(default_results, live_ds):
    r = default_results(NB)
    ev, graded = expected(live_ds, {})
    check(r, ev, graded, {})
    (t,) = next(c for c in r["conclusions"] if c["id"] == "under_half_growth")["thresholds"]
    assert t["value"] == pytest.approx(0.65, abs=1e-12) and t["method"] == "closed form"


@pytest.mark.notebook
def test_alternative_parameter_set(run_notebook, live_ds):
    params = yaml.safe_load((paths.PARAMS_DIR / NB / "discrete_only.yaml").read_text(encoding="utf-8"))
    run = run_notebook(NB, params)
    assert run.returncode == 0, run.output[-3000:]
    ev, graded = expected(live_ds, params)
    check(run.results, ev, graded, params)
    assert run.results["parameters"]["samples"] == params["samples"]


@pytest.mark.notebook
def test_every_source(run_notebook, live_ds):
    """05 runs on every source (it failed in its split tables) and shows the articles' grades beside."""
    params = yaml.safe_load((paths.PARAMS_DIR / NB / "evidence_all.yaml").read_text(encoding="utf-8"))
    run = run_notebook(NB, params)
    assert run.returncode == 0, run.output[-3000:]
    ev, graded = expected(live_ds, params)
    check(run.results, ev, graded, params)
    _, on_articles = expected(live_ds, {**params, "evidence": "articles"})
    for cid, g in run.results["grades_by_evidence"].items():
        assert g["all"] == graded.at[cid, "grade"] and g["articles"] == on_articles.at[cid, "grade"]
        assert g["changed"] == (g["all"] != g["articles"]) and bool(g["why"]) == g["changed"]


@pytest.mark.notebook
def test_bad_cross_field_parameters_stop_at_validation(run_notebook):
    run = run_notebook(NB, {"ad_share_low": 0.9, "ad_share_high": 0.5})
    assert run.returncode != 0 and "ParameterError" in run.output and "ad_share_low" in run.output
    assert run.results is None


# --- in process: the typed sections and what a reader sees -------------------------------------------
@pytest.fixture(scope="module")
def an(ds):
    P = kr.validate_parameters(NB, {**defaults(NB), "samples": 2}, ds)
    return K.analyse(ds, P)


def test_analyse_returns_typed_sections_and_the_results_validate(an):
    r = payload_of(an)
    MODELS[NB].model_validate(r)
    for key in ("conclusions", "grade_counts", "n_scenarios", "n_tasks", "varied", "share_by_reading", "contested_inputs"):
        assert key in r
    assert all("inputs_read" in c for c in r["conclusions"])
    assert r["headline"] == narrative.headline(an)


def test_the_prose_quotes_no_share_and_names_inputs_in_words(an):
    texts = [narrative.summary_markdown(an), narrative.headline(an), narrative.evidence_note(an.evidence_comparison)]
    texts += [narrative.grade_markdown(an.grades, k) for k in K.GRADE_ORDER]
    for t in texts:
        assert not SHARE.search(t), t
    tables = [
        narrative.display_table(an.grades),
        narrative.splits_table(an.splits),
        narrative.evidence_table(an.evidence_comparison),
    ]
    for t in tables:
        text = t.to_string() + " ".join(map(str, t.index))
        assert not SHARE.search(text)
        assert "decline_series" not in text  # an identifier: the input's name is written instead
    assert "holds unless the ad share ≤ 65%" in narrative.display_table(an.grades).to_string()


def test_the_evidence_comparison_says_why_a_grade_changes(an):
    ec = an.evidence_comparison
    assert len(ec.table) == len(K.CONCLUSIONS)
    for _, a, b, why in ec.changes:
        assert a != b and why and why != "the same readings and outputs"
    assert ec.n_changed == sum(g.changed for g in ec.grades_by_evidence.values())


def test_the_contested_inputs_say_where_each_reading_comes_from(an):
    for name, c in an.inputs.contested_inputs.items():
        if c.kind == "range":
            assert c.low_source and c.high_source and c.low < c.high
        else:
            assert c.readings and all(r.obs_ids or r.parameter or name == "dating" for r in c.readings)
    parts = narrative.contested_parts(an.inputs)
    assert len(parts) == 3 and sum(len(p) for p in parts) == len(an.inputs.table)

"""Notebook 05 executes with its default and an alternative parameter set, and its results are the
engine's grades for those parameters (computed here in-process from the data)."""

from __future__ import annotations

import math

import pytest
import yaml

from kimi_research import paths
from kimi_research.analysis import conclusions as K
from kimi_research.analysis import contested as C
from kimi_research.analysis import scenarios as S
from kimi_research.params.conclusions import ConclusionsParameters

pytestmark = pytest.mark.notebook
NB = "05_conclusions"


def expected(ds, params: dict):
    spec = ConclusionsParameters.from_mapping(params).grid_spec()
    ev = S.evaluate(ds, spec)
    return ev, K.grade(ev.table, ev.registry)


def check(results: dict, ev, graded, params: dict) -> None:
    assert results["n_scenarios"] == len(ev.table)
    reg = ev.registry
    vary = params.get("vary", list(C.INPUT_NAMES))
    ranges = [n for n in vary if reg[n].kind == C.RANGE]
    n = math.prod(len(reg[v].readings) for v in vary if reg[v].kind == C.DISCRETE)
    assert results["n_scenarios"] == n * (params.get("samples", ConclusionsParameters().samples) if ranges else 1)
    got = {c["id"]: c for c in results["conclusions"]}
    assert set(got) == set(K.BY_ID)
    for cid, row in graded.iterrows():
        assert got[cid]["share"] == pytest.approx(row["share"]) and got[cid]["grade"] == row["grade"], cid
    counts = results["grade_counts"]
    assert sum(counts.values()) == len(K.CONCLUSIONS)
    assert f"{counts['every']} hold in every reading" in results["headline"]


def test_default_parameters(default_results, ds):
    r = default_results(NB)
    ev, graded = expected(ds, {})
    check(r, ev, graded, {})


def test_alternative_parameter_set(run_notebook, ds):
    params = yaml.safe_load((paths.PARAMS_DIR / NB / "discrete_only.yaml").read_text(encoding="utf-8"))
    run = run_notebook(NB, params)
    assert run.returncode == 0, run.output[-3000:]
    ev, graded = expected(ds, params)
    check(run.results, ev, graded, params)
    assert run.results["parameters"]["samples"] == params["samples"]


def test_bad_cross_field_parameters_stop_at_validation(run_notebook):
    run = run_notebook(NB, {"ad_share_low": 0.9, "ad_share_high": 0.5})
    assert run.returncode != 0 and "ParameterError" in run.output and "ad_share_low" in run.output
    assert run.results is None

"""Notebook 01 runs for every entity and metric with data, articles and all (issue 18 item 5, issue 21 item 3).

`run 01_user_decline -p entity wenxin -p metric mau` (an app with monthly but no weekly figures) ended in a pandas
TypeError. Every (entity, metric) pair the live data hold, under both evidence settings, must give the analysis,
every chart and every sentence: the trajectory drawn and the reason no rate is fitted, never a traceback. The
pairs are derived from data/, so a contributor's new app is tested as soon as it has a row."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import kimi_research as kr
from kimi_research import paths
from kimi_research.analysis import decline
from kimi_research.orchestration.results import payload_of
from kimi_research.orchestration.results_models import MODELS
from kimi_research.params import defaults
from kimi_research.presentation import overlaps, plotting
from kimi_research.presentation.figures import decline as figures
from kimi_research.presentation.narrative import decline as narrative

NB = "01_user_decline"
LIVE = kr.load(paths.ROOT / "data")
PAIRS = [
    (ev, e, m)
    for ev in ("articles", "all")
    for m in decline.USER_METRICS
    for e in decline.user_entities(LIVE.with_evidence(ev), m)
]
SHOWN = ("nan", "None", "NaT")


def _texts(an) -> list[str]:
    return [
        narrative.summary_markdown(an),
        narrative.headline(an),
        narrative.series_note(an.peak),
        narrative.window_note(an.trajectory),
        narrative.direction_note(an.user_base),
        narrative.like_for_like_note(an.like_for_like, an.peak),
        narrative.fit_rows_heading(an.fit_basis),
        narrative.fit_basis_note(an.fit_basis),
        narrative.forecast_note(an.decay),
        narrative.floor_note(an.decay),
        narrative.constant_rate_note(an.constant_rate),
        narrative.events_note(an.timing),
        narrative.growth_note(an.growth),
        narrative.ranks_note(an.ranks),
        narrative.stickiness_note(an.user_base),
    ]


def _tables(an) -> list:
    return [
        narrative.display_series_table(an.peak),
        narrative.left_out_table(an.trajectory),
        narrative.like_for_like_table(an.like_for_like),
        narrative.fit_rows_table(an.fit_basis),
        narrative.forecast_table(an.decay),
        narrative.segments_table(an.constant_rate),
        narrative.events_table(an.timing),
        narrative.ranks_table(an.ranks),
        narrative.stickiness_table(an.user_base),
        narrative.stickiness_left_out_table(an.user_base),
        narrative.evidence_comparison(an.evidence_comparison),
        narrative.coverage_table(an.coverage),
    ]


def test_the_pairs_come_from_the_data():
    assert ("all", "wenxin", "mau") in PAIRS or "wenxin" not in decline.user_entities(LIVE, "mau")
    assert {m for _, _, m in PAIRS} == set(decline.USER_METRICS) and {ev for ev, _, _ in PAIRS} == {"articles", "all"}


#: the fast tier runs Kimi under both evidence settings and on a metric other than the default (the default run,
#: articles-kimi-mau, is every notebook test's); the sweep over the other pairs is marked slow (make test runs it)
FAST = {("all", "kimi", "mau"), ("articles", "kimi", "dau")}
SWEEP = [pytest.param(ev, e, m, marks=() if (ev, e, m) in FAST else pytest.mark.slow, id=f"{ev}-{e}-{m}") for ev, e, m in PAIRS]


@pytest.mark.parametrize(("evidence", "entity", "metric"), SWEEP)
def test_every_entity_and_metric_runs_with_every_chart_and_sentence(evidence, entity, metric):
    plotting.theme()
    P = SimpleNamespace(**(defaults(NB) | {"entity": entity, "metric": metric, "evidence": evidence}))
    an = decline.analyse(LIVE, P)
    r = payload_of(an)
    MODELS[NB].model_validate(r)
    assert (r["entity"], r["metric"], r["evidence"]) == (entity, metric, evidence)
    # a rate, or the reason there is none
    assert (r["monthly_change"] is None) == bool(r["why_no_rate"])
    assert all(0 < s["dau_mau"] <= 1 for s in r["stickiness"])
    # no series joins two firms or two sources naming none
    assert an.fit_basis.used["series"].nunique() <= 1 or an.peak.pooled
    if an.growth.growth_phase is not None:
        assert an.growth.rows["series"].nunique() == 1
    figs = [figures.trajectory(an.trajectory), figures.decay_fit(an.decay, an.trajectory.series_names)]
    if an.growth.growth_phase is not None:
        figs.append(figures.growth_phase(an.growth, an.trajectory.series_names))
    if an.ranks.histories:
        figs.append(figures.ranks(an.ranks))
    try:
        found = [
            f"{f.axes[0].get_title() or f._suptitle.get_text()}: {overlaps.describe(*p)}"
            for f in figs
            for p in overlaps.problems(f)
        ]
    finally:
        for f in figs:
            plt.close(f)
    assert not found, found
    for text in _texts(an):
        assert not any(w in text.split() for w in SHOWN), text
    for t in _tables(an):
        if isinstance(t, pd.DataFrame):
            shown = t.astype(str).to_numpy().ravel().tolist() + [str(c) for c in t.columns]
            assert not any(w in SHOWN for w in shown), t


@pytest.mark.notebook
def test_a_rival_with_a_thin_series_runs_as_a_notebook(run_notebook):
    """Through papermill, as `run 01_user_decline -p entity ... -p metric mau -p evidence all` would."""
    rivals = pd.Series({e: len(LIVE.select(entity=e, metric="mau")) for e in decline.user_entities(LIVE, "mau") if e != "kimi"})
    entity = str(rivals.sort_values(kind="stable").index[0])  # the rival with the fewest MAU figures
    run = run_notebook(NB, {"entity": entity, "metric": "mau", "evidence": "all"})
    assert run.returncode == 0, run.output[-3000:]
    r = run.results
    assert (r["entity"], r["metric"]) == (entity, "mau")
    assert r["monthly_change"] is not None or r["why_no_rate"]
    text = run.executed().read_text(encoding="utf-8")
    assert "Traceback" not in text
    assert r["monthly_change"] is not None or r["why_no_rate"] in text  # the reader is told why there is no rate
    assert list((run.build_dir / "figures").rglob("trajectory.png"))  # the trajectory is drawn

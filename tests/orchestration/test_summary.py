"""Headlines and the summary deck: every figure and period comes from the results and the data."""

from __future__ import annotations

import pytest

from kimi_research.orchestration import summary

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def results(default_results):
    return {n: default_results(n) for n in summary.NOTEBOOKS}


def test_every_notebook_has_a_computed_headline(results):
    dec, ads, sus, comp = (results[n] for n in summary.NOTEBOOKS[1:5])
    assert f"{dec['monthly_change']:+.1%} a month" in dec["headline"]
    assert f"CNY {ads['cost_per_retained_user_yuan']:,.0f}" in ads["headline"]
    assert f"keeps {sus['ratio_to_threshold_firm']:.1%} of the growth" in sus["headline"]
    assert "At equal revenue/cost" in sus["headline"]  # the comparison it rests on, said
    assert f"ranks {comp['kimi_rank']}th" in comp["headline"]
    assert str(results["00_data_audit"]["n_observations"]) in results["00_data_audit"]["headline"]


def test_summary_deck_is_computed_text(results, ds, monkeypatch):
    """Every slide is written from the results and the data (the frozen copy here: names and periods)."""
    monkeypatch.setattr(summary, "figure_html", lambda *a, **k: "<figure></figure>")
    slides = summary.build_slides(results, ds)
    held = [c for c in summary.conclusions(results) if c["grade_kind"] in summary.HOLDS]
    assert len(slides) >= len(held) + 5  # title, answer, findings, runway, how sure, what would change it
    ads, sus = results["02_ad_spend_bubble"], results["03_sustainability_formula"]
    assert "(published 2025-02 to 2025-12)" in slides[0].body  # every article was published in 2025
    by_title = {s.title: s for s in slides}
    kept = summary.by_id(results).get("kept_user_over_1000")
    if kept and kept["grade_kind"] in summary.HOLDS:
        assert f"a kept user costs {summary.cny(ads['cost_per_retained_user_yuan'])}" in by_title[kept["statement"]].body
    lo, hi = summary.runway_range_months(sus)
    assert f"{lo:.0f} to {hi:.0f} months" in by_title["Runway and valuation in context"].body
    assert all(s.notes for s in slides), "every slide has speaker notes"

"""Headlines and the summary deck: every figure and period comes from the results and the data."""

from __future__ import annotations

import pytest

from kimi_research.data.units import format_en
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


def test_summary_deck_is_ten_slides_of_computed_text(results, ds, monkeypatch):
    monkeypatch.setattr(summary, "_img", lambda nb, fig: f"<img {nb}/{fig}>")
    slides = summary.slides_markdown(results, ds)
    assert len(slides) == 10
    ads, sus = results["02_ad_spend_bubble"], results["03_sustainability_formula"]
    assert "(2025), each traced" in slides[0]  # every article was published in 2025
    assert (
        f"spend of 2024-10 to 2024-11 bought {format_en(ads['users_bought_peak_window'], 'count')} users; "
        f"QuestMobile counted {format_en(ads['mau_after_peak'], 'count')} in 2024-12"
    ) in slides[3]
    assert f"{sus['paying_share_of_mau']:.1%} of the MAU of 2024-12 (QuestMobile)" in slides[7]

"""The curated data itself: keys, traceability to the articles, and values computed from it."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from kimi_research import paths
from kimi_research.analysis import audit
from kimi_research.data.units import numbers_in_text


def test_every_article_contributes(ds):
    per = ds.observations.groupby("source_id").size()
    assert set(per.index) == set(ds.sources.index) == {"s000", "s001", "s002", "s003", "s004"}
    assert per.min() >= 15
    assert len(ds.observations) > 100


def test_base_values_are_computed_not_typed():
    header = (paths.ROOT / "data" / "observations.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "base_value" not in header


def test_foreign_keys(ds):
    o = ds.observations
    assert set(o["entity"]) <= set(ds.entities.index)
    assert set(o["metric"]) <= set(ds.metrics.index)
    assert set(o["vendor"].dropna()) <= set(ds.entities.index[ds.entities["kind"] == "firm"])
    assert set(ds.events["entity"]) <= set(ds.entities.index)
    assert set(ds.entities["owner"].dropna()) <= set(ds.entities.index)


def test_every_quote_contains_its_number(ds):
    for oid, r in ds.observations.iterrows():
        assert r["value_text"] in r["quote"], oid
        want = [abs(r["value"])] + ([r["value_high"]] if not pd.isna(r["value_high"]) else [])
        assert [abs(x) for x in numbers_in_text(r["value_text"])] == want, oid


def test_every_quote_is_in_its_article(ds):
    seeds = paths.seeds_dir()
    if not seeds.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI must have the articles beside the checkout: {seeds} is missing")
        pytest.skip(f"source articles not available at {seeds}")
    q = audit.quote_check(ds, seeds)
    missing = q[~q["found"]]
    assert missing.empty, missing.to_string()
    assert len(q) == len(ds.observations) + len(ds.events) + len(ds.claims) + len(ds.capabilities)


def test_kimi_q2_q3_2025_mau_change(ds):
    q = ds.select("kimi", "mau", "questmobile").set_index(["period_start"])["base_value"]
    change = q[pd.Timestamp("2025-07-01")] / q[pd.Timestamp("2025-04-01")] - 1
    assert round(change, 4) == -0.2946


def test_units_normalised(ds):
    o = ds.observations
    assert o.at["o001_13", "base_value"] == pytest.approx(2.2e8) and o.at["o001_13", "dimension"] == "CNY"
    assert o.at["o003_04", "dimension"] == "USD"
    assert o.at["o002_20", "base_value"] == pytest.approx(2e7) and o.at["o002_20", "base_value_high"] == pytest.approx(9e7)
    # a quarter's spend per month: Doubao Q3 2024 2.14亿 -> 0.7133亿 a month
    assert o.at["o002_09", "base_value_per_month"] == pytest.approx(2.14e8 / 3)
    # a stated duration wins: 1亿 in 20 days is 500万 a day
    assert o.at["o002_07", "base_value_per_day"] == pytest.approx(5e6)


def test_conflicts_span_articles(ds):
    c = ds.observations[ds.observations["conflict_group"].notna()]
    per_group = c.groupby("conflict_group")["source_id"].nunique()
    assert (per_group >= 2).all(), per_group
    assert {"moonshot_valuation", "alibaba_investment", "kimi_cpa", "kimi_mau_late_2024"} <= set(per_group.index)
    vals = c.set_index("obs_id")["value_text"]
    assert vals["o000_15"] == "33亿美元" and vals["o003_03"] == "30亿美元"


def test_flags_have_reasons(ds):
    o = ds.observations
    flagged = o[o["flag_list"].map(lambda f: bool(set(f) & {"suspicious", "estimate", "conflict", "hearsay"}))]
    assert flagged["note"].notna().all(), list(flagged.index[flagged["note"].isna()])


def test_traditional_article_quotes_keep_their_script(ds):
    trad = ds.observations[ds.observations["source_id"] == "s002"]
    assert trad["quote"].str.contains(r"[億萬個]|\(", regex=True).mean() > 0.5


def test_event_dates_sorted_and_labelled(ds):
    ev = ds.events
    assert ev["date"].is_monotonic_increasing
    assert ev.at["e_doubao_16", "date"] == pd.Timestamp("2025-06-11")
    assert ev.at["e_gpt5", "date"] == pd.Timestamp("2025-08-08")
    assert ev["label"].map(str.isascii).all(), "event labels appear in charts: keep them ASCII"


def test_claim_statements_are_chart_safe(ds):
    assert ds.claims["statement"].map(str.isascii).all()

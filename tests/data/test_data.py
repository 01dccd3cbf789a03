"""The curated data: traceability and keys on the live data/ (expectations derived from it), and
exact values on the frozen copy tests/fixtures/data (the ``ds`` fixture)."""

from __future__ import annotations

import pandas as pd
import pytest

from kimi_research import paths
from kimi_research.analysis import audit
from kimi_research.data import level_series, provenance, repeated_figures, schema
from kimi_research.data.schema import DECIMAL_COMMA_LANGUAGES
from kimi_research.data.units import numbers_in_text


# --- the live data: derive what is expected -------------------------------------------------------
def test_every_source_is_used(live_ds):
    d = live_ds
    used = set(d.observations["source_id"]) | set(d.events["source_id"]) | set(d.claims["source_id"])
    assert used == set(d.sources.index), set(d.sources.index) - used


def test_tier_one_sources_have_their_text_in_the_checkout(live_ds):
    tier1 = live_ds.sources[live_ds.sources["tier"].astype(int) == 1]
    assert not tier1.empty and (tier1["kind"] == "article").all()
    for sid, r in tier1.iterrows():
        assert (paths.ROOT / "data" / "sources" / r["archive"]).is_file(), sid


def test_base_values_are_computed_not_typed():
    header = (paths.ROOT / "data" / "observations.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "base_value" not in header


def test_foreign_keys(live_ds):
    d = live_ds
    o = d.observations
    assert set(o["entity"]) <= set(d.entities.index)
    assert set(o["metric"]) <= set(d.metrics.index)
    assert set(o["vendor"].dropna()) <= set(d.entities.index[d.entities["kind"] == "firm"])
    assert set(d.events["entity"]) <= set(d.entities.index)
    assert set(d.entities["owner"].dropna()) <= set(d.entities.index)
    same = o["same_as"].dropna()
    assert set(same) <= set(o.index)


def test_every_value_is_the_signed_number_of_its_text(live_ds):
    comma = set(live_ds.sources.index[live_ds.sources["language"].isin(DECIMAL_COMMA_LANGUAGES)])
    for oid, r in live_ds.observations.iterrows():
        assert r["value_text"] in r["quote"], oid
        want = [r["value"]] + ([r["value_high"]] if not pd.isna(r["value_high"]) else [])
        assert numbers_in_text(r["value_text"], decimal_comma=r["source_id"] in comma) == want, oid


def test_every_quote_is_in_its_archived_text(live_ds):
    q = audit.quote_check(live_ds)
    assert q is not None, "data/sources/ is part of the checkout"
    assert q[q["status"] == provenance.NOT_FOUND].empty, q[q["status"] == provenance.NOT_FOUND].to_string()
    n = len(live_ds.observations) + len(live_ds.events) + len(live_ds.claims) + len(live_ds.capabilities)
    assert len(q) == n
    no_archive = set(live_ds.sources.index[live_ds.sources["archive"].isna()])
    assert set(q.loc[q["status"] == provenance.NO_ARCHIVE, "source_id"]) <= no_archive
    assert set(q.loc[q["status"] == provenance.FOUND, "source_id"]).isdisjoint(no_archive)
    assert sum(provenance.summary(q).values()) == n


def test_flags_have_reasons(live_ds):
    o = live_ds.observations
    needs = {"suspicious", "estimate", "conflict", "hearsay", "unsourced", "entity_implicit", "gloss_removed"}
    flagged = o[o["flag_list"].map(lambda f: bool(set(f) & needs))]
    assert flagged["note"].notna().all(), list(flagged.index[flagged["note"].isna()])


def test_doubtful_rows_are_flagged(live_ds):
    """Article 003's 70% ad share names no source; its 1261万 visits and 数千万 core users are doubtful."""
    o = live_ds.observations
    share = o[(o["entity"] == "kimi") & (o["metric"] == "ad_spend_share") & (o["source_id"] == "s003")]
    assert len(share) == 1 and "unsourced" in share["flag_list"].iloc[0]
    assert "unsourced" in schema.FLAGS and "source" in share["note"].iloc[0]
    for text in ("1261万", "数千万"):
        rows = o[(o["source_id"] == "s003") & (o["value_text"] == text)]
        assert len(rows) == 1 and "suspicious" in rows["flag_list"].iloc[0], text
        assert rows["note"].iloc[0].startswith("Doubtful"), text


def test_traditional_sources_keep_their_script(live_ds):
    trad = live_ds.sources.index[live_ds.sources["script"] == "traditional"]
    rows = live_ds.observations[live_ds.observations["source_id"].isin(trad)]
    if rows.empty:
        pytest.skip("no source in traditional characters")
    assert rows["quote"].str.contains(r"[億萬個這們國]|\(", regex=True).mean() > 0.5
    assert not rows["unit"].str.contains(r"[億萬]").any()  # the unit column is simplified: 亿, 万


def test_measurements_count_each_fact_once(live_ds):
    m = live_ds.measurements()
    assert m["n_observations"].sum() == len(live_ds.observations)
    assert sorted(i for ids in m["obs_ids"] for i in ids) == sorted(live_ds.observations.index)
    assert (m["n_sources"] <= m["n_observations"]).all()


def test_claim_statements_and_event_labels_are_chart_safe(live_ds):
    assert live_ds.claims["statement"].map(str.isascii).all()
    assert live_ds.events["label"].map(str.isascii).all(), "event labels appear in charts: keep them ASCII"
    assert live_ds.events["date"].is_monotonic_increasing


def test_articles_evidence_is_the_tier_one_subset(live_ds):
    a = live_ds.with_evidence("articles")
    tier1 = set(live_ds.sources.index[live_ds.sources["tier"].astype(int) == 1])
    assert set(a.sources.index) == tier1
    assert set(a.observations["source_id"]) <= tier1
    assert len(a.observations) == live_ds.observations["source_id"].isin(tier1).sum()
    assert a.evidence == "articles" and live_ds.with_evidence("all") is live_ds
    with pytest.raises(ValueError, match="evidence must be one of articles, all"):
        live_ds.with_evidence("everything")


# --- the frozen copy: exact values -----------------------------------------------------------------
def test_every_article_contributes(ds):
    per = ds.observations.groupby("source_id").size()
    assert set(per.index) == set(ds.sources.index) == {"s000", "s001", "s002", "s003", "s004"}
    assert per.min() >= 15
    assert len(ds.observations) == 101


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


def test_signs_come_from_the_text(ds):
    o = ds.observations
    assert (o.at["o004_18", "value_text"], o.at["o004_18", "value"]) == ("下降约30%", -30)
    assert (o.at["o001_02", "value_text"], o.at["o001_02", "value"]) == ("蒸发13.84%", -13.84)


def test_conflicts_span_articles(ds):
    c = ds.observations[ds.observations["conflict_group"].notna()]
    per_group = c.groupby("conflict_group")["source_id"].nunique()
    assert (per_group >= 2).all(), per_group
    assert {"moonshot_valuation", "alibaba_investment", "kimi_cpa", "kimi_mau_late_2024"} <= set(per_group.index)
    vals = c.set_index("obs_id")["value_text"]
    assert vals["o000_15"] == "33亿美元" and vals["o003_03"] == "30亿美元"


def test_event_dates(ds):
    ev = ds.events
    assert ev.at["e_doubao_16", "date"] == pd.Timestamp("2025-06-11")
    assert ev.at["e_gpt5", "date"] == pd.Timestamp("2025-08-08")


def test_value_kinds(ds):
    k = ds.observations["value_kind"]
    assert k["o004_16"] == k["o004_17"] == "monthly_average"  # QuestMobile's quarterly MAU
    assert k["o000_06"] == k["o000_08"] == "period_value"
    assert k["o004_18"] == "change" and k["o004_19"] == "cumulative" and k["o000_15"] == "end_value"


def test_measurements_fold_repeats_and_corroboration(ds):
    m = ds.measurements()
    assert len(ds.observations) == 101 and len(m) == 94
    folded = m[m["n_observations"] > 1]
    assert folded["obs_ids"].to_dict() == {
        "o004_16": ["o000_06", "o004_16"],  # 1408万 for May = 1407.2万 for Q2 (QuestMobile)
        "o000_10": ["o000_10", "o001_10", "o003_01"],  # 20万字 at launch, three articles (o003_01 same_as)
        "o001_11": ["o000_11", "o001_11", "o003_02"],  # 200万字, three articles (same_as)
        "o001_13": ["o001_13", "o002_05"],  # AppGrowing, Kimi, October 2024: 2.2亿元 twice
        "o001_14": ["o001_14", "o002_06"],  # November 2024: 2亿元 twice
    }
    assert m.at["o001_13", "source_ids"] == ["s001", "s002"] and m.at["o001_13", "n_sources"] == 2


def test_repeated_figures_is_a_thin_wrapper(ds):
    assert repeated_figures(ds.select("kimi", "mau", "questmobile")) == {"o000_06": "o004_16"}


def test_level_series_kimi_questmobile(ds):
    s = level_series(ds.observations, "kimi", "mau", "questmobile")
    assert list(s.index) == ["o000_08", "o004_16", "o004_17"]
    assert s.at["o004_16", "source_ids"] == ["s000", "s004"] and s.at["o004_16", "n_sources"] == 2
    assert s.attrs["excluded"] == {"o000_06": "the same measurement as o004_16: counted once"}
    assert list(ds.level_series("kimi", "mau", "questmobile").index) == list(s.index)


def test_level_series_never_a_change_nor_a_month_beside_its_quarter(ds):
    o = ds.observations.copy()
    # a change row is never a level
    assert "o004_18" not in level_series(o, "kimi", "mau_change", "questmobile").index
    with pytest.raises(ValueError, match="never a level"):
        level_series(o, "kimi", "mau", "questmobile", kinds=("change",))
    # an August month that differs from the Q3 average beside it: one of the two, never both
    aug = o.loc["o004_17"].copy()
    aug["obs_id"], aug["value_kind"], aug["base_value"] = "o_test_aug", "period_value", 1.3e7
    aug["period_start"], aug["period_end"] = pd.Timestamp("2025-08-01"), pd.Timestamp("2025-08-31")
    aug["period_mid"] = pd.Timestamp("2025-08-16")
    o.loc["o_test_aug"] = aug
    months = level_series(o, "kimi", "mau", "questmobile")
    assert "o_test_aug" in months.index and "o004_17" not in months.index
    assert "o_test_aug" in months.attrs["excluded"]["o004_17"]
    quarters = level_series(o, "kimi", "mau", "questmobile", prefer="monthly_average")
    assert "o004_17" in quarters.index and "o_test_aug" not in quarters.index


def test_entity_aliases(ds):
    assert ds.entity_id("文小言") == ds.entity_id("Wenxiaoyan") == ds.entity_id("wenxin") == "wenxin"
    assert ds.entity_id("AI产品榜") == "aicpb"
    assert ds.select("文小言").index.equals(ds.select("wenxin").index)
    assert ds.select("Kimi智能助手", "mau", "Quest Mobile").index.equals(ds.select("kimi", "mau", "questmobile").index)
    with pytest.raises(KeyError, match="nearest: 'kimi'"):
        ds.entity_id("kimmi")


@pytest.mark.frozen_data
def test_frozen_data_marker_points_every_load_at_the_fixture(ds):
    import kimi_research as kr

    assert paths.data_dir() == (paths.ROOT / "tests" / "fixtures" / "data").resolve()
    assert kr.load().observations.index.equals(ds.observations.index)
    assert paths.seeds_dir() == paths.data_dir() / "sources"


def test_ties_are_reported_as_ties(live_ds):
    counts = live_ds.observations.groupby("source_id").size()
    top = audit.leaders(counts)
    assert top == sorted(counts.index[counts == counts.max()]) and len(top) >= 1
    assert audit.leaders(pd.Series({"a": 3, "b": 3, "c": 1})) == ["a", "b"]
    assert audit.leaders(pd.Series({"a": 0})) == []


@pytest.mark.parametrize("evidence", ["articles", "all"])
def test_tier_coverage_and_quote_statuses(live_ds, evidence):
    ds = live_ds.with_evidence(evidence)
    t = audit.tier_coverage(ds, ds.observations)
    tiers = ds.sources["tier"].astype(int)
    assert t["sources"].to_dict() == tiers.value_counts().sort_index().to_dict()
    assert t["rows"].sum() == len(ds.observations)
    assert (t["sources with rows"] <= t["sources"]).all()
    q = audit.quote_statuses(audit.quote_check(ds))
    assert set(q) == set(provenance.STATUSES) and sum(q.values()) == len(audit.quote_check(ds))

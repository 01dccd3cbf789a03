"""Notebook 04 like for like (issue 18 for 04, issue 23's spend per new user), on synthetic rows: a copy of the frozen
data (tests/fixtures/data) with a tier-2 page of rows added the way a contributor would record them. Each test names
what a reader would have seen before: a quarter's spend counted with its own months and a campaign, a quarter's
average shown as a month, a bound drawn as a point, a change read as a level, one of two conflicting figures dropped
silently, a heading reading 'MAU, 2025-12 ():'."""

from __future__ import annotations

import csv
import shutil

import pytest

import kimi_research as kr
from kimi_research.analysis import competitors as C
from kimi_research.params import defaults
from kimi_research.presentation.narrative import competitors as N

FROZEN = kr.paths.ROOT / "tests" / "fixtures" / "data"
NB = "04_competitor_comparison"
SOURCE = "s_test_h9"
YI, WAN = 1e8, 1e4

#: (obs_id, entity, metric, start, end, duration, value, unit, qualifier, value_text, vendor, value_kind, flags)
ROWS = [
    # Yuanbao's own months of 2025 Q1 and a 27-day campaign inside the quarter the frozen data gives (o002_15: 14亿)
    (
        "o_h9_01",
        "yuanbao",
        "ad_spend",
        "2025-01-01",
        "2025-01-31",
        "",
        "2000",
        "万",
        "~",
        "2000万",
        "appgrowing",
        "period_value",
        "",
    ),
    ("o_h9_02", "yuanbao", "ad_spend", "2025-02-01", "2025-02-28", "", "3", "亿", "=", "3亿", "appgrowing", "period_value", ""),
    (
        "o_h9_03",
        "yuanbao",
        "ad_spend",
        "2025-03-01",
        "2025-03-31",
        "",
        "10",
        "亿",
        ">",
        "超10亿",
        "appgrowing",
        "period_value",
        "",
    ),
    (
        "o_h9_04",
        "yuanbao",
        "ad_spend",
        "2025-02-13",
        "2025-03-11",
        "27",
        "2.81",
        "亿",
        "=",
        "2.81亿",
        "",
        "period_value",
        "special_day",
    ),
    ("o_h9_05", "kimi", "ad_spend", "2025-01-01", "2025-01-31", "", "1", "亿", "=", "1亿", "appgrowing", "period_value", ""),
    # QuestMobile's 2025 Q3 monthly averages beside September's own figures
    (
        "o_h9_10",
        "doubao",
        "mau",
        "2025-07-01",
        "2025-09-30",
        "",
        "1.59",
        "亿",
        "=",
        "1.59亿",
        "questmobile",
        "monthly_average",
        "",
    ),
    (
        "o_h9_11",
        "deepseek",
        "mau",
        "2025-07-01",
        "2025-09-30",
        "",
        "1.46",
        "亿",
        "=",
        "1.46亿",
        "questmobile",
        "monthly_average",
        "",
    ),
    ("o_h9_12", "doubao", "mau", "2025-09-01", "2025-09-30", "", "1.72", "亿", "=", "1.72亿", "questmobile", "period_value", ""),
    (
        "o_h9_13",
        "deepseek",
        "mau",
        "2025-09-01",
        "2025-09-30",
        "",
        "1.45",
        "亿",
        "=",
        "1.45亿",
        "questmobile",
        "period_value",
        "",
    ),
    (
        "o_h9_14",
        "deepseek",
        "mau",
        "2025-08-01",
        "2025-08-31",
        "",
        "1.43",
        "亿",
        "=",
        "1.43亿",
        "questmobile",
        "period_value",
        "",
    ),
    # the end of 2025 Q1 as bounds ('突破'), and a difference ('6月比1月增加5800万')
    ("o_h9_20", "doubao", "mau", "2025-01-01", "2025-03-31", "", "1.1", "亿", ">", "突破1.1亿", "questmobile", "end_value", ""),
    ("o_h9_21", "deepseek", "mau", "2025-01-01", "2025-03-31", "", "1.9", "亿", ">", "突破1.9亿", "questmobile", "end_value", ""),
    ("o_h9_22", "doubao", "mau", "2025-01-01", "2025-06-30", "", "5800", "万", "=", "增加5800万", "questmobile", "change", ""),
    ("o_h9_23", "doubao", "mau", "2024-12-01", "2024-12-31", "", "7523", "万", "=", "7523万", "questmobile", "period_value", ""),
    # Kimi on AI产品榜 in December and January: a gain in the month of its 1亿 of January
    ("o_h9_30", "kimi", "mau", "2024-12-01", "2024-12-31", "", "1669", "万", "=", "1669万", "aicpb", "period_value", ""),
    ("o_h9_31", "kimi", "mau", "2025-01-01", "2025-01-31", "", "1900", "万", "=", "1900万", "aicpb", "period_value", ""),
    # two conflicting December figures for Doubao on QuestMobile's list, and two other apps of that list
    ("o_h9_40", "doubao", "mau", "2025-12-01", "2025-12-31", "", "1.8", "亿", "=", "1.8亿", "questmobile", "period_value", ""),
    ("o_h9_41", "doubao", "mau", "2025-12-01", "2025-12-31", "", "1.6", "亿", "=", "1.6亿", "questmobile", "period_value", ""),
    ("o_h9_42", "kimi", "mau", "2025-12-01", "2025-12-31", "", "900", "万", "=", "900万", "questmobile", "period_value", ""),
    ("o_h9_43", "deepseek", "mau", "2025-12-01", "2025-12-31", "", "1.3", "亿", "=", "1.3亿", "questmobile", "period_value", ""),
]


def _append(path, header_first: str, rows: list[dict]) -> None:
    with path.open(encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert header[0] == header_first
    with path.open("a", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([[r.get(h, "") for h in header] for r in rows])


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> kr.Dataset:
    d = tmp_path_factory.mktemp("h9") / "data"
    shutil.copytree(FROZEN, d)
    _append(
        d / "sources.csv",
        "source_id",
        [
            {
                "source_id": SOURCE,
                "kind": "web_page",
                "tier": "2",
                "producer_en": "Synthetic test page",
                "producer": "测试网页",
                "date_published": "2026-01-15",
                "date_inferred": "false",
                "title": "Synthetic rows of tests/analysis/test_competitors_comparable.py",
                "url": "https://example.org/kimi-research/h9",
                "language": "zh",
                "script": "simplified",
                "date_accessed": "2026-01-15",
                "note": "Illustrative rows only; never in data/.",
            }
        ],
    )
    rows = []
    for oid, ent, met, s, e, dur, v, unit, q, text, vendor, kind, flags in ROWS:
        rows.append(
            {
                "obs_id": oid,
                "entity": ent,
                "metric": met,
                "period_start": s,
                "period_end": e,
                "duration_days": dur,
                "value": v,
                "unit": unit + "元" if met == "ad_spend" else unit,
                "qualifier": q,
                "value_text": text,
                "vendor": vendor,
                "value_kind": kind,
                "source_id": SOURCE,
                "quote": text,
                "flags": ";".join(x for x in ("estimate", flags) if x),
                "conflict_group": "",  # the layer finds the conflict itself: one firm, app, month and kind, two values
                "note": "synthetic",
            }
        )
    _append(d / "observations.csv", "obs_id", rows)
    return kr.load(d, cache=False)


def _analyse(ds, **params):
    P = kr.validate_parameters(NB, {**defaults(NB), "evidence": "all", **params}, ds)
    return C.analyse(ds, P)


@pytest.fixture(scope="module")
def an(synthetic):
    return _analyse(synthetic)


# --- spend per month: the quarter, never the quarter plus its own months and a campaign -------------------------
def test_yuanbaos_quarter_is_its_own_figure_not_the_sum_of_what_it_contains(an):
    sp = an.ad_spend
    assert sp.ad_spend_quarter == "2025 Q1"
    assert sp.ad_spend_per_month["yuanbao"] == pytest.approx(14 * YI / 3)  # before: 3.58亿 (14亿 + months + campaign twice)
    basis = sp.ad_spend_basis["yuanbao"]
    assert basis.obs_ids == ["o002_15"] and basis.months_covered == "the quarter" and basis.bound == "point"
    assert {"o_h9_01", "o_h9_02", "o_h9_03", "o_h9_04"} <= set(basis.left_out)
    q = sp.quarter_rows.loc["yuanbao"]
    assert q["parts_total"] == pytest.approx(0.2 * YI + 3 * YI + 10 * YI) and q["parts_bound"] == "lower"
    # Kimi's one month of the quarter: a lower bound for the quarter, and the ratio to the quarter's rate
    k = sp.ad_spend_basis["kimi"]
    assert k.months_covered == "Jan" and k.bound == "lower" and sp.ad_spend_per_month["kimi"] == pytest.approx(YI)
    assert sp.outspend == pytest.approx(YI / (14 * YI / 3)) and round(sp.outspend, 2) == 0.21
    assert an.backing.spend_by_backing["big_tech"] == pytest.approx(14 * YI / 3 + 1.38 * YI / 3)


def test_the_sentence_states_the_quarter_the_lower_bound_and_never_a_ratio_02_does_not_give(an):
    text = N.summary_markdown(an)
    assert "Yuanbao: 4.67亿元 a month, the quarter's 14亿元 ÷ 3" in text
    assert "the figures inside the quarter, never added to it, give at least 13.2亿元" in text
    assert "its total for the quarter, 1亿元, is a lower bound" in text and "**0.21×**" in text
    assert "notebook 02 gives the same ratio" not in text
    assert "notebook 02 compares Kimi's peak months, in 2024 Q4, instead" in text
    assert "0.21× the biggest rival spender" in N.verdict_markdown(an)


# --- snapshots: a quarter's average never a month, a bound never a point, a change never a level ---------------------
def test_no_snapshot_labels_a_quarters_average_as_a_month(an):
    snaps = {(s.metric, s.period, s.scale): s for s in an.snapshots.snapshots}
    q3 = snaps[("mau", "2025 Q3", "monthly average")]
    sep = snaps[("mau", "2025-09", "month")]
    assert {"o_h9_10", "o_h9_11"} <= set(q3.obs_ids) and set(sep.obs_ids) == {"o_h9_12", "o_h9_13"}
    assert not {"o_h9_12", "o_h9_13"} & set(q3.obs_ids) and not {"o_h9_10", "o_h9_11"} & set(sep.obs_ids)
    for s in an.snapshots.snapshots:
        assert (s.scale == "monthly average") == s.period.endswith(("Q1", "Q2", "Q3", "Q4")) or s.scale == "end of period"
    pts = an.snapshots.points
    assert set(pts.loc[pts["period"] == "2025-09", "scale"]) == {"month"}


def test_a_bound_stays_a_bound_and_is_drawn_open(an):
    q1 = next(s for s in an.snapshots.snapshots if s.period == "2025 Q1" and s.scale == "end of period")
    assert q1.values == {} and q1.bounds == {"doubao": "突破1.1亿", "deepseek": "突破1.9亿"}
    pts = an.snapshots.points.set_index("obs_id")
    assert pts.at["o_h9_20", "open"] and pts.at["o_h9_20", "bound"] == "lower"
    assert "Doubao ≥11000万" in N.snapshots_line(an.snapshots) or "o_h9_20" in set(an.snapshots.points["obs_id"])


def test_a_change_never_appears_as_a_level(synthetic, an):
    assert all("o_h9_22" not in s.obs_ids for s in an.snapshots.snapshots)
    assert "o_h9_22" not in set(an.snapshots.points["obs_id"])
    # the change's period (January to June) is no period of MAU levels: never ranked, never a candidate for as_of
    periods = C.available_periods(synthetic, "mau", C.apps_with_data(synthetic))
    assert "2025-01 to 2025-06" not in set(periods["period"])
    with pytest.raises(kr.ParameterError, match="'as_of' = '2025-06'"):
        _analyse(synthetic, metric="mau", as_of="2025-06")


# --- the latest MAU: both conflicting figures named, and a heading that names the firm ----------------------------
def test_conflicting_latest_figures_are_both_shown_or_the_choice_named(synthetic):
    an = _analyse(synthetic, metric="mau")
    rk = an.ranking
    assert (rk.as_of.label, rk.vendor) == ("2025-12", "questmobile")
    values = {r.entity: r.value for r in rk.ranking}
    assert values["doubao"] == pytest.approx(1.8 * YI)  # the first by the conflict order (the lowest obs_id)
    assert rk.ranking_conflicts == {"doubao": ["1.6亿 (o_h9_41)"]}
    text = N.summary_markdown(an)
    assert "1.8亿 (o_h9_40) is used" in text and "not used: 1.6亿 (o_h9_41)" in text
    head = N.headline(an)
    assert head.startswith("MAU, 2025-12 (QuestMobile): Kimi has 9m, no rank stated; Doubao 20.0×") and "()" not in head


def test_a_heading_never_leaves_the_firm_empty(synthetic):
    an = _analyse(synthetic, metric="dau", as_of="2025-02")
    head = N.headline(an)
    assert "()" not in head and "(" in head.split(":")[0]


# --- spend per new user, against the zero-ad benchmark -------------------------------------------------------------
def test_spend_per_new_user_like_for_like_with_deepseek_as_the_benchmark(an):
    a = an.results()
    spnu = a["spend_per_new_user"]
    assert {"kimi", "doubao", "deepseek"} <= set(spnu)
    jan = next(w for w in spnu["kimi"] if w["window"] == "2025-01")
    assert jan["firm"] == "aicpb" and jan["mau_obs"] == ["o_h9_30", "o_h9_31"] and jan["spend_obs"] == ["o_h9_05"]
    assert jan["mau_gained"] == pytest.approx(231 * WAN) and jan["value"] == pytest.approx(YI / (231 * WAN))
    assert jan["bound"] == "point"
    # Doubao's gain over Q1 ends on a bound ('突破1.1亿'): spend per new user at most
    q1 = next(w for w in spnu["doubao"] if w["window"] == "2025 Q1")
    assert q1["gain_bound"] == "lower" and q1["bound"] == "upper"
    assert q1["value"] == pytest.approx(1.38 * YI / (1.1 * YI - 7523 * WAN))
    # the benchmark: spend null with the reason, never 0; its gain from one firm
    ds_ = spnu["deepseek"]
    assert ds_ and all(w["value"] is None and w["spend"] is None and w["reason"] == "none reported" for w in ds_)
    sep = next(w for w in ds_ if w["window"] == "2025-09")
    assert sep["mau_gained"] == pytest.approx(0.02 * YI) and sep["mau_obs"] == ["o_h9_14", "o_h9_13"]
    assert a["spend_benchmark"] == "deepseek" and "yuanbao" in a["apps_without_gain"]
    assert set(a["apps_without_spend"]) == {"ant_afu", "qwen"}


def test_ad_share_against_user_share(an):
    shares = an.results()["ad_share_vs_user_share"]
    q4 = shares["2024 Q4 · questmobile"]
    assert set(q4) == {"kimi", "doubao"}  # the apps with both (Yuanbao has no QuestMobile MAU for December)
    k, d = q4["kimi"], q4["doubao"]
    assert k["ad_share"] == pytest.approx(4.2 / 5.2) and k["ad_share_bound"] == "lower"  # Kimi's Oct + Nov only
    assert d["ad_share_bound"] == "upper" and k["user_share"] == pytest.approx(2101 / (2101 + 7523))
    assert k["spend_obs"] == ["o001_13", "o001_14"] and k["user_obs"] == ["o000_08"]
    assert "Kimi at least 81% of the advertising, 22% of the users" in N.ad_share_line(an.acquisition)


def test_no_missing_value_or_identifier_in_the_new_prose(an):
    from kimi_research.orchestration.outputs import check_text

    text = "\n".join(
        [N.summary_markdown(an), N.spend_per_new_user_line(an.acquisition), N.ad_share_line(an.acquisition)]
        + [N.spend_per_new_user_table(an.acquisition).to_html(), N.snapshots_table(an.snapshots).to_html()]
    )
    assert check_text(text, identifiers=["none:", "spend_per_new_user", "overtaken_by"], markdown=True) == []

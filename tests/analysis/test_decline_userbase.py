"""Notebook 01 on synthetic rows: one consistent user base (stickiness, each firm's direction), the fall like for
like, the events between the figures, and the comparability rules the notebook must keep (no series joins two
sources, no rate from a holiday pair).

The rows are added to a copy of the frozen fixture data under a synthetic tier-2 source and synthetic apps, so a
contributor's new row in data/ never changes what these tests expect."""

from __future__ import annotations

import csv
import shutil
from types import SimpleNamespace

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import kimi_research as kr
from kimi_research.analysis import decline
from kimi_research.orchestration.results import payload_of
from kimi_research.orchestration.results_models import MODELS
from kimi_research.params import defaults
from kimi_research.presentation import overlaps, plotting
from kimi_research.presentation.figures import decline as figures
from kimi_research.presentation.narrative import decline as narrative

NB = "01_user_decline"
FROZEN = kr.paths.ROOT / "tests" / "fixtures" / "data"
SOURCE = "s_test_nb01"
APPS = {"app_t_a": "Test App A", "app_t_b": "Test App B", "app_t_c": "Test App C", "app_t_d": "Test App D"}
CAUSAL = ("because", "caused", "due to", "led to", "drove", "triggered", "resulted in")


def _append(path, rows: list[dict]) -> None:
    with path.open(encoding="utf-8") as f:
        header = next(csv.reader(f))
    with path.open("a", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        for r in rows:
            w.writerow({k: r.get(k, "") for k in header})


def obs(oid, entity, metric, start, end, wan, vendor="questmobile", **kw) -> dict:
    text = f"{wan:g}万"
    return {
        "obs_id": oid,
        "entity": entity,
        "metric": metric,
        "period_start": start,
        "period_end": end,
        "value": f"{wan:g}",
        "unit": "万",
        "qualifier": "=",
        "value_text": text,
        "vendor": vendor,
        "value_kind": "period_value",
        "source_id": SOURCE,
        "quote": f"{entity} {metric} {text}",
        **kw,
    }


def month(m: str) -> tuple[str, str]:
    p = pd.Period(m, freq="M")
    return p.start_time.date().isoformat(), p.end_time.date().isoformat()


def quarter(q: str) -> tuple[str, str]:
    p = pd.Period(q, freq="Q")
    return p.start_time.date().isoformat(), p.end_time.date().isoformat()


ROWS = [
    # the 36Kr case: an unattributed 'now about 1900万' of another source must never join article 003's series
    obs("o_t_k1", "kimi", "dau", *month("2025-02"), 1900, vendor="", flags="suspicious"),
    # stickiness: one firm, one month (a pair); a day against a month; two firms; two scopes
    obs("o_t_a1", "app_t_a", "dau", *month("2025-06"), 300),
    obs("o_t_a2", "app_t_a", "mau", *month("2025-06"), 1000),
    obs("o_t_a3", "app_t_a", "dau", "2025-07-04", "2025-07-04", 400),
    obs("o_t_a4", "app_t_a", "mau", *month("2025-07"), 1100),
    obs("o_t_a5", "app_t_a", "dau", *month("2025-08"), 350, vendor="aicpb"),
    obs("o_t_a6", "app_t_a", "mau", *month("2025-08"), 1050),
    obs("o_t_a7", "app_t_a", "dau", *month("2025-09"), 320, scope="native apps"),
    obs("o_t_a8", "app_t_a", "mau", *month("2025-09"), 1200, scope="apps and web"),
    # direction: QuestMobile's MAU rises, AI Product Ranking's falls over the same months (another scope)
    obs("o_t_b1", "app_t_b", "mau", *month("2025-03"), 1000, scope="native apps"),
    obs("o_t_b2", "app_t_b", "mau", *month("2025-06"), 1200, scope="native apps"),
    obs("o_t_b3", "app_t_b", "mau", *month("2025-09"), 1500, scope="native apps"),
    obs("o_t_b4", "app_t_b", "mau", *month("2025-04"), 2000, vendor="aicpb", scope="apps and web"),
    obs("o_t_b5", "app_t_b", "mau", *month("2025-08"), 1600, vendor="aicpb", scope="apps and web"),
    # ... and both firms' WAU fall: they agree
    obs("o_t_b6", "app_t_b", "wau", *month("2025-05"), 800),
    obs("o_t_b7", "app_t_b", "wau", *month("2025-09"), 600),
    obs("o_t_b8", "app_t_b", "wau", *month("2025-06"), 900, vendor="aicpb"),
    obs("o_t_b9", "app_t_b", "wau", *month("2025-08"), 700, vendor="aicpb"),
    # like for like: two months and two quarters' averages of one firm
    obs("o_t_c1", "app_t_c", "mau", *month("2025-01"), 2000),
    obs("o_t_c2", "app_t_c", "mau", *month("2025-02"), 1800),
    obs("o_t_c3", "app_t_c", "mau", *quarter("2025Q2"), 1500, value_kind="monthly_average"),
    obs("o_t_c4", "app_t_c", "mau", *quarter("2025Q3"), 1200, value_kind="monthly_average"),
    # two days six days apart, inside the window: no rate
    obs("o_t_c5", "app_t_c", "dau", "2025-06-10", "2025-06-10", 500),
    obs("o_t_c6", "app_t_c", "dau", "2025-06-16", "2025-06-16", 300),
    # the holiday pair: two 2026 Spring-Festival days, six days apart, flagged special_day (outside the window too)
    obs("o_t_d1", "app_t_d", "dau", "2026-02-10", "2026-02-10", 4000, flags="special_day"),
    obs("o_t_d2", "app_t_d", "dau", "2026-02-16", "2026-02-16", 1000, flags="special_day"),
]


@pytest.fixture(scope="module")
def syn(tmp_path_factory):
    d = tmp_path_factory.mktemp("nb01_synthetic") / "data"
    shutil.copytree(FROZEN, d)
    _append(
        d / "sources.csv",
        [
            {
                "source_id": SOURCE,
                "kind": "web_page",
                "tier": "2",
                "producer_en": "Test page",
                "producer": "Test page",
                "date_published": "2026-03-01",
                "date_inferred": "false",
                "title": "Synthetic rows of the notebook 01 tests",
                "url": "https://example.org/nb01-test",
                "language": "zh",
                "script": "simplified",
                "date_accessed": "2026-03-01",
            }
        ],
    )
    _append(
        d / "entities.csv",
        [
            {"entity_id": e, "name_en": n, "name_zh": n, "kind": "app", "backing": "independent", "country": "CN"}
            for e, n in APPS.items()
        ],
    )
    _append(d / "observations.csv", ROWS)
    return kr.load(d, cache=False)


def run(ds, **kw):
    P = SimpleNamespace(**(defaults(NB) | {"evidence": "all"} | kw))
    an = decline.analyse(ds, P)
    MODELS[NB].model_validate(payload_of(an))  # every new key is typed and validates
    return an


def no_overlaps(an) -> None:
    plotting.theme()  # as the notebook draws them
    figs = [figures.trajectory(an.trajectory), figures.decay_fit(an.decay, an.trajectory.series_names)]
    if an.growth.growth_phase is not None:
        figs.append(figures.growth_phase(an.growth, an.trajectory.series_names))
    try:
        for f in figs:
            assert not overlaps.problems(f), [overlaps.describe(*p) for p in overlaps.problems(f)]
    finally:
        for f in figs:
            plt.close(f)


# --- no series joins two sources; no rate from a holiday pair -----------------------------------------------------
def test_an_unattributed_figure_of_another_source_never_joins_a_series(syn):
    """With evidence=all, 50.83万 (article 003, no firm named) was joined to another page's '目前约1900万' and
    reported as '×37.4'; each source's unattributed rows are their own series."""
    an = run(syn, metric="dau")
    rows = an.trajectory.rows
    assert rows.at["o_t_k1", "series"] == f"none:{SOURCE}" and rows.at["o003_08", "series"] == "none:s003"
    g = an.growth.growth_phase
    assert (g.series, g.start_obs, g.end_obs) == ("none:s003", "o003_08", "o003_09") and round(g.multiple, 1) == 11.6
    assert an.peak.vendor == "none:s003" and set(an.peak.chosen.index) == {"o003_08", "o003_09"}
    assert an.fit_basis.excluded_rows["o_t_k1"].startswith(f"another source naming no firm ({SOURCE})")
    assert {r["series"] for _, r in an.growth.rows.iterrows()} == {"none:s003"}


def test_a_holiday_pair_is_never_a_rate(syn):
    """Two 2026 holiday DAU days six days apart gave '-74.8% a month, half-life 0.5 months'."""
    for window in ({}, {"start": "", "end": ""}):  # the study window, and no limit: special days stay out
        an = run(syn, entity="app_t_d", metric="dau", **window)
        assert an.decay.monthly_change is None and an.decay.half_life_months is None and not an.decay.forecast
        assert "special day" in an.trajectory.left_out_rows["o_t_d1"] and "never fitted" in an.trajectory.left_out_rows["o_t_d2"]
        assert "special day" in an.decay.why_no_rate and an.peak.latest_value is None  # never the latest figure
        assert "**No rate is fitted.**" in narrative.summary_markdown(an)
        assert len(an.trajectory.rows) == 2 and not an.trajectory.rows["usable"].any()  # drawn, open
        no_overlaps(an)
    inside = run(syn, entity="app_t_c", metric="dau")  # two ordinary days inside the window, six days apart
    assert inside.decay.fit_status == "too_close" and inside.decay.monthly_change is None
    assert "6 days apart" in inside.decay.why_no_rate and "6 days apart" in narrative.describe_fit(inside.decay.fit, "dau")


# --- stickiness -----------------------------------------------------------------------------------------------------
def test_stickiness_is_one_firm_one_period_for_every_app(syn):
    ub = run(syn).user_base  # Kimi's run: stickiness covers every app, not only the notebook's entity
    mine = [s for s in ub.stickiness if s.entity == "app_t_a"]
    assert [(s.firm, s.period, s.dau_obs_ids, s.mau_obs_ids) for s in mine] == [
        ("questmobile", "2025-06", ["o_t_a1"], ["o_t_a2"])
    ]
    assert mine[0].dau_mau == pytest.approx(0.3) and all(0 < s.dau_mau <= 1 for s in ub.stickiness)
    left = {x.pair: x.rule for x in ub.stickiness_left_out if x.entity == "app_t_a"}
    assert left == {"o_t_a3/o_t_a4": "other_scale", "o_t_a5/o_t_a6": "other_series", "o_t_a7/o_t_a8": "other_scope"}
    assert "a day figure against a month figure" in next(x.reason for x in ub.stickiness_left_out if x.pair == "o_t_a3/o_t_a4")
    table = narrative.stickiness_table(ub)
    assert table.loc[table["app"] == "Test App A", "DAU/MAU"].tolist() == ["30%"]


# --- each firm's direction -------------------------------------------------------------------------------------------
def test_two_firms_that_disagree_on_the_direction_are_named_with_what_differs(syn):
    ub = run(syn, entity="app_t_b").user_base
    mau = next(d for d in ub.direction_by_vendor if d.metric == "mau")
    assert mau.firms == ["aicpb", "questmobile"] and not mau.agree
    by = {s.firm: s for s in mau.series}
    assert by["questmobile"].direction == "rises" and by["aicpb"].direction == "falls"
    assert by["aicpb"].obs_ids == ["o_t_b4", "o_t_b5"] and by["questmobile"].obs_ids == ["o_t_b1", "o_t_b2", "o_t_b3"]
    # both measured 2025-04 to 2025-08; QuestMobile's covering figures (2025-03, 2025-09) reach past it, and the sentence says so
    assert mau.window == "2025-04 to 2025-08" and (by["questmobile"].past_window, by["aicpb"].past_window) == (True, False)
    assert mau.sentence.count("its figures that bracket the window") == 1
    assert "What differs between the panels: the scope" in mau.sentence and "'apps and web'" in mau.sentence
    assert "the grain" not in mau.sentence  # both firms give single months
    assert not any(w in mau.sentence for w in CAUSAL)
    wau = next(d for d in ub.direction_by_vendor if d.metric == "wau")
    assert wau.agree and wau.sentence is None and {s.direction for s in wau.series} == {"falls"}
    assert mau.sentence in narrative.direction_note(ub)


# --- like for like ----------------------------------------------------------------------------------------------------
def test_the_headline_change_says_which_comparison_it_is_and_like_for_like_readings_stand_beside_it(syn):
    an = run(syn, entity="app_t_c")
    lf = an.like_for_like
    assert (an.peak.peak_obs, an.peak.latest_obs) == ("o_t_c1", "o_t_c4")
    assert lf.headline_comparison == "a month (2025-01) against a quarter's monthly average (2025 Q3)"
    assert lf.headline_like_for_like is False
    got = {(c.grain, c.from_obs, c.to_obs): round(c.change, 4) for c in lf.like_for_like_change}
    assert got == {("month", "o_t_c1", "o_t_c2"): -0.1, ("quarter", "o_t_c3", "o_t_c4"): -0.2}
    assert "not like for like" in narrative.summary_markdown(an) and "2025 Q2 → 2025 Q3: **−20%**" in narrative.summary_markdown(
        an
    )
    assert "a month against a quarter's average" in narrative.headline(an)


# --- events between the figures ---------------------------------------------------------------------------------------
def _points(values: list[float], months: list[str]) -> pd.DataFrame:
    rows = []
    for v, m in zip(values, months, strict=True):
        p = pd.Period(m, freq="M")
        rows.append(
            {
                "obs_id": f"x{m}",
                "base_value": v,
                "period_start": p.start_time,
                "period_end": p.end_time.normalize(),
                "period": m,
                "kind": "point",
            }
        )
    r = pd.DataFrame(rows).set_index("obs_id", drop=False)
    r["period_mid"] = r["period_start"] + (r["period_end"] - r["period_start"]) / 2
    return r


def _events(*specs: tuple[str, str, str]) -> pd.DataFrame:
    ev = pd.DataFrame(
        [{"event_id": i, "date": pd.Timestamp(d), "date_precision": p, "label": i, "kind": "model_launch"} for i, d, p in specs]
    )
    return ev.set_index("event_id", drop=False)


def test_events_are_placed_between_figures_with_the_rates_on_either_side():
    offsets = [0, 2, 3, 4, 5, 6, 7, 8]  # January, March ... September 2025
    months = [f"2025-{1 + k:02d}" for k in offsets]
    noise = [1.003, 0.997, 1.002, 0.998, 1.003, 0.997, 1.002, 0.998]
    values = [1000 * 0.98**k if k <= 4 else 1000 * 0.98**4 * 0.8 ** (k - 4) for k in offsets]  # -2% then -20% a month
    pts = _points([v * n for v, n in zip(values, noise, strict=True)], months)
    ev = _events(
        ("e_mid", "2025-05-25", "day"),  # between May and June: four figures each side
        ("e_early", "2025-03-20", "day"),  # two figures before it (January, March)
        ("e_month", "2025-07-01", "month"),  # July's midpoint falls inside the event's month
        ("e_before", "2024-11-01", "day"),
        ("e_after", "2025-12-01", "day"),
    )
    out = {e["event_id"]: e for e in decline.events_between_points(ev, pts, "questmobile")}
    mid = out["e_mid"]
    assert (mid["position"], mid["before_obs"], mid["after_obs"]) == ("between", "x2025-05", "x2025-06")
    assert mid["rate_before"]["monthly_change"] == pytest.approx(-0.02, abs=0.005)
    assert mid["rate_after"]["monthly_change"] == pytest.approx(-0.2, abs=0.005)
    assert None not in mid["rate_before"]["ci"] + mid["rate_after"]["ci"] and mid["rates_differ"] == "yes"
    early = out["e_early"]
    assert early["rates_differ"] == "cannot tell" and "no interval" in early["why"]
    assert early["rate_before"]["n_dates"] == 2 and early["rate_before"]["ci"] == [None, None]
    assert out["e_month"]["side_uncertain"] and out["e_month"]["inside_period_of"] == ["x2025-07"]
    assert out["e_before"]["position"] == "before_first" and out["e_before"]["before_obs"] is None
    assert out["e_after"]["position"] == "after_last" and "no rate after" in out["e_after"]["why"]
    same = _points([1000 * 0.95**i for i in range(8)], months)
    steady = decline.events_between_points(ev.loc[["e_mid"]], same, "questmobile")[0]
    assert steady["rates_differ"] == "no"  # one constant rate: the two intervals overlap


def test_kimis_events_against_questmobiles_figures(ds):
    an = decline.analyse(ds, SimpleNamespace(**defaults(NB)))
    tm = an.timing
    ev = {e.event_id: e for e in tm.events_between_points}
    assert tm.events_series == "questmobile"
    r1 = ev["e_deepseek_r1"]
    assert (r1.position, r1.before_period, r1.after_period) == ("between", "2024-12", "2025 Q2")
    assert r1.rate_before.monthly_change is None and r1.rates_differ == "cannot tell"  # one figure before R1
    assert round(r1.segment_monthly_change, 3) == round(an.constant_rate.segment_rates[0]["monthly_change"], 3)
    assert ev["e_kimi_k2"].inside_period_of == ["o004_17"] and ev["e_kimi_k2"].side_uncertain is False
    note = narrative.events_note(tm)
    assert "no interval exists" in note and not any(w in note for w in CAUSAL)
    assert set(narrative.events_table(tm)["event"]) >= {"DeepSeek R1", "Kimi K2 (open weights)"}

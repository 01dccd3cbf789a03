"""Notebook 03's ledger on notebook 02's path (issues 18, 19): the peak month through the comparability layer, the
subject of the '4.8% above' sentence, cash-out dates never to the month, the runway over every spend path and the
ledger's ad share that notebook 05 reads. Exact values on the frozen data; new rules on synthetic rows."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest

import kimi_research as kr
from kimi_research.analysis import adspend
from kimi_research.analysis import sustainability as su
from kimi_research.params import defaults
from kimi_research.presentation.narrative import sustainability as narrative

from datafiles import add_row, add_source

FROZEN = kr.paths.ROOT / "tests" / "fixtures" / "data"
NB = "03_sustainability_formula"
YI = 1e8
MONTH_YEAR = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (20\d\d)\b"
)
WHEN = re.compile(r"^\d{4}( Q[1-4])?$")


@pytest.fixture(scope="module")
def an(ds):
    return su.analyse(ds, kr.validate_parameters(NB, defaults(NB), ds))


@pytest.fixture(scope="module")
def syn(tmp_path_factory):
    """The frozen data plus a tier-2 page: a 29-day window inside October 2024 larger than the month's own figure, a
    2024 Q4 total, AppGrowing's cumulative 9亿 since March 2024 and the supplement's 'nearly 2亿 a month'."""
    d = tmp_path_factory.mktemp("ledger") / "data"
    shutil.copytree(FROZEN, d)
    add_source(d, "s_test_ledger")
    common = {"source": "s_test_ledger", "entity": "kimi", "metric": "ad_spend", "unit": "亿元"}
    add_row(d, "o_test_ledger_01", start="2024-10-01", end="2024-10-29", value="2.5", value_text="2.5億元", vendor="",
            quote="當月全網廣告投放金額高達2.5億元", **common)  # fmt: skip
    add_row(d, "o_test_ledger_02", start="2024-10-01", end="2024-12-31", value="5", value_text="5亿元", vendor="appgrowing",
            quote="四季度投放5亿元", **common)  # fmt: skip
    add_row(d, "o_test_ledger_03", start="2024-03-01", end="2025-02-09", value="9", value_text="9億元", vendor="appgrowing",
            quote="總投放金額預計高達9億元", value_kind="cumulative", flags="estimate", **common)  # fmt: skip
    add_row(d, "o043_01", entity="moonshot", metric="ad_spend_monthly", start="", end="", value="200", unit="million CNY",
            value_text="200 million yuan", vendor="", quote="nearly 200 million yuan in marketing every month",
            value_kind="monthly_average", qualifier="~", source="s_test_ledger")  # fmt: skip
    return kr.load(d, cache=False)


# --- the peak month through the comparability layer -------------------------------------------------------
def test_peak_month_is_never_a_window_inside_it_nor_a_quarter(ds, syn):
    """Old rule: any row of one calendar month counted, so the 29-day 2.5亿 became the peak month."""
    top, low, ranked = su.peak_ad_spend(syn.with_evidence("all"))
    assert top.obs_id == su.peak_ad_spend(ds)[0].obs_id and top.value == pytest.approx(2.2 * YI)
    assert "o_test_ledger_01" not in ranked.index and "o_test_ledger_02" not in ranked.index
    assert low.value == pytest.approx(2 * YI)  # the lowest figure given for the same peak month


# --- repair: the subject of '4.8% above' -----------------------------------------------------------------------
def test_summary_says_the_implied_non_ad_cost_is_above_the_training_cost(an):
    cb = an.cost_base
    above = cb.implied_non_ad_monthly_cost_yuan / cb.training_high - 1
    text = narrative.summary_markdown(an)
    assert re.search(
        rf"That implied non-advertising cost is [^.]*\({above:.1%} above it\) of article 002's monthly training cost",
        " ".join(text.split()),
    )
    assert 'training cost of "several 千万"' not in text  # the old subject: the training cost being 'above'


# --- repair: cash-out never to the month, the runway over every spend path ---------------------------------------
def test_when_text_states_a_quarter_inside_the_ledger_and_a_year_beyond():
    last = pd.Period("2025-12", freq="M")
    assert su.when_text(pd.Timestamp("2025-08-14"), last) == "2025 Q3"
    assert su.when_text(pd.Timestamp("2028-04-02"), last) == "2028"
    assert su.when_text(None, last) is None


def test_cash_out_is_never_stated_to_the_month(an):
    lg, rw = an.ledger, an.runway
    stated = [v for e in lg.ledger_cash_out.values() for v in (e.low, e.high)]
    stated += [lg.runway_range.low, lg.runway_range.high, lg.runway_range.earliest, lg.runway_range.latest]
    stated += [v for pair in lg.runway_range.by_path.values() for v in pair]
    assert all(v is None or WHEN.match(v) for v in stated), stated
    assert all(re.match(r"^\d{4} Q[1-4]$", v) for row in rw.cash_out_dates.values() for v in row.values() if v)
    # what a reader sees: the only month-and-year left are the dated inputs (the last round, the latest article)
    dated = {f"{rw.last_funding:%B %Y}", f"{rw.last_article:%B %Y}"}
    for text in (
        narrative.ledger_sentence(lg),
        narrative.runway_range_sentence(lg),
        narrative.runway_note(rw),
        narrative.summary_markdown(an).split("* **Runway**")[1],
        narrative.ledger_table(lg).to_string(),
    ):
        assert {" ".join(m) for m in MONTH_YEAR.findall(text)} <= dated, text
    assert "could not have been kept up" not in narrative.runway_note(rw)


def test_runway_range_spans_every_spend_path(an):
    rr, lg = an.ledger.runway_range, an.ledger
    assert set(rr.by_path) == set(adspend.SPEND_PATHS) and rr.path == "reconciled"
    assert rr.by_path[rr.path] == [rr.low, rr.high]
    dates = [d for led in lg.path_ledgers.values() for d in (led.cash_out_low, led.cash_out_high)]
    assert rr.earliest == str(min(dates).year) and rr.latest == str(max(dates).year)  # all beyond the ledger's months
    assert rr.earliest in narrative.runway_range_sentence(lg) and rr.latest in narrative.runway_range_sentence(lg)


def test_the_ledger_burns_the_reconciled_path_with_all_evidence(syn):
    P = kr.validate_parameters(NB, {**defaults(NB), "evidence": "all"}, syn)
    an = su.analyse(syn, P)
    full = syn.with_evidence("all")
    path = adspend.monthly_spend(full, "reconciled")
    own = an.ledger.ledgers["all"].table
    assert own["ad_spend"].reindex(path.index).to_numpy() == pytest.approx(path["spend_yuan"].to_numpy())
    rec = path.attrs["reconciliation"]
    assert rec.obs_id == "o_test_ledger_03" and (path["status"] == "reconciled").any()
    # more spend than the 'articles' path: the cash runs out no later
    led = an.ledger.path_ledgers
    assert led["reconciled"].cash_out_low <= led["articles"].cash_out_low
    assert own["ad_spend"].sum() > an.ledger.path_ledgers["articles"].table["ad_spend"].sum()


# --- what 05 reads: the ledger's ad share ------------------------------------------------------------------------
def test_ledger_ad_share_is_the_period_average(an):
    x = an.ledger_share.ledger_ad_share
    assert x.window == ["2024-02", "2024-11"]  # the first round's month to the last month with a spend figure
    t = an.ledger.ledgers["articles"].table.loc[pd.Period("2024-02", "M") : pd.Period("2024-11", "M")]
    assert x.ad_spend_yuan == pytest.approx(t["ad_spend"].sum()) == pytest.approx(5.9 * YI)
    assert x.other_cost_yuan == pytest.approx(t["non_ad"].sum()) == pytest.approx(10 * 2.2 * YI * 0.3 / 0.7)
    assert x.value == pytest.approx(5.9 / (5.9 + 22 * 0.3 / 0.7)) and 0.38 < x.value < 0.39
    cb = an.cost_base
    assert x.revenue_base_reading == pytest.approx(
        [
            cb.peak_ad_spend_yuan / (cb.peak_ad_spend_yuan + cb.training_high),
            cb.peak_ad_spend_yuan / (cb.peak_ad_spend_yuan + cb.training_low),
        ]
    )
    text = narrative.ledger_share_sentence(an.ledger_share)
    assert f"**{x.value:.0%}**" in text and "一度" in text


def test_both_ends_of_a_cash_out_range_share_one_precision(ds):
    """At the alarm line's 30% share the burn is large: one end falls inside the ledger's months (a quarter), the other
    beyond them (a year); both are then stated as years, never '2024 Q4 to 2024'."""
    from kimi_research.orchestration.runner import load_param_set

    P = kr.validate_parameters(NB, {**defaults(NB), **load_param_set(NB, "at_threshold")}, ds)
    lg = su.analyse(ds, P).ledger
    pairs = [*lg.runway_range.by_path.values(), [lg.runway_range.earliest, lg.runway_range.latest]]
    pairs += [[e.low, e.high] for e in lg.ledger_cash_out.values()]
    assert all(len({len(v) for v in pair if v is not None}) <= 1 for pair in pairs), pairs
    assert su._same_precision("2024 Q4", "2025") == ("2024", "2025") and su._same_precision("2024 Q3", None) == ("2024 Q3", None)

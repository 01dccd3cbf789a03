"""The parameter models (kimi_research.params): types, bounds, names, data checks, messages.

Expected values that depend on the data (which entities have which metric, which firms measured
them, the largest investment) are derived from ``ds`` here, never typed in."""

from __future__ import annotations

import math
import typing

import pandas as pd
import pytest
from pydantic import ValidationError

from kimi_research import registry
from kimi_research.analysis import adspend, competitors, decline
from kimi_research.analysis import sustainability as su
from kimi_research.errors import ParameterError
from kimi_research.params import adspend as adspend_params
from kimi_research.params import defaults, injected_names, model, validate_parameters
from kimi_research.params import sustainability as su_params
from kimi_research.params.base import NotebookParameters, expected, names_of, resolve_name

NOTEBOOKS = list(registry.NAMES)


def check(notebook: str, ds=None, **overrides):
    return validate_parameters(notebook, {**defaults(notebook), **overrides}, ds)


def problems(notebook: str, ds=None, **overrides) -> str:
    with pytest.raises(ParameterError) as e:
        check(notebook, ds, **overrides)
    return str(e.value)


# --- every model -----------------------------------------------------------------------------------
@pytest.mark.parametrize("nb", NOTEBOOKS)
def test_registry_names_a_model_and_defaults_validate(nb, ds):
    m = registry.get(nb).parameters_model()
    assert issubclass(m, NotebookParameters) and m.notebook == nb and model(nb) is m
    p = check(nb, ds)
    assert p.model_dump() == defaults(nb), "defaults must already be canonical (ids, not names)"
    assert p.evidence == "articles" and typing.get_args(m.model_fields["evidence"].annotation) == ("articles", "all")
    with pytest.raises(ValidationError):  # frozen: a validated set cannot drift
        p.evidence = "all"


@pytest.mark.parametrize("nb", NOTEBOOKS)
def test_every_field_has_a_description(nb):
    for name, f in model(nb).model_fields.items():
        assert f.description and f.description.strip() == f.description, (nb, name)


@pytest.mark.parametrize("nb", NOTEBOOKS)
def test_text_for_a_number_is_refused_with_a_hint(nb):
    m = model(nb)
    numeric = [n for n, f in m.model_fields.items() if f.annotation in (int, float)]
    assert numeric, nb
    msg = problems(nb, **{numeric[0]: "abc"})
    assert f"- parameter {numeric[0]!r} = 'abc': expected {expected(m, numeric[0])}, got text 'abc'" in msg
    assert "write 1000 or 1.0e3" in msg and "Traceback" not in msg and "pydantic" not in msg


def test_unknown_injected_name_suggests_the_closest():
    space = {**defaults("00_data_audit"), "tolerence": 0.1, "In": ["import x", "# Parameters\ntolerence = 0.1\n"]}
    with pytest.raises(ParameterError) as e:
        validate_parameters("00_data_audit", space)
    assert (
        "- unknown parameter 'tolerence' = 0.1 (did you mean 'tolerance'?): 00_data_audit takes evidence, entity, tolerance"
    ) in str(e.value)


def test_misspelt_name_in_an_edited_parameters_cell():
    """In JupyterLab nothing is injected: the parameters cell as last run is read instead."""
    cell = "entity = 'all'\ntolerance = 0.05\nevidence = 'articles'\ntolerence = 0.1\n"
    later = "ds = kr.load()\nP = kr.validate_parameters('00_data_audit', globals(), ds)"
    space = {**defaults("00_data_audit"), "tolerence": 0.1, "In": ["", "import kimi_research as kr", cell, later]}
    with pytest.raises(ParameterError, match="unknown parameter 'tolerence' = 0.1 \\(did you mean 'tolerance'\\?\\)"):
        validate_parameters("00_data_audit", space)
    space["In"][2] = cell.replace("tolerence = 0.1\n", "")
    assert validate_parameters("00_data_audit", space).tolerance == 0.05


def test_every_problem_in_one_message(ds):
    msg = problems("00_data_audit", ds, tolerance="0.1", entity="nobody", evidence="web")
    lines = msg.splitlines()
    assert lines[0] == "invalid parameters for 00_data_audit:" and len(lines) == 4
    assert "- parameter 'entity' = 'nobody': no entity with observations named 'nobody'" in msg
    assert "- parameter 'evidence' = 'web': expected one of 'articles', 'all', got text 'web'" in msg


@pytest.mark.parametrize("value", [0, 0.0, -1, 0.51, True, float("nan"), float("inf"), None])
def test_tolerance_out_of_range_or_wrong_type(value):
    assert "parameter 'tolerance'" in problems("00_data_audit", tolerance=value)


def test_whole_numbers_accepted_for_floats_not_the_reverse():
    assert check("00_data_audit", tolerance=0.5).tolerance == 0.5
    assert check("02_ad_spend_bubble", cpa_yuan=30).cpa_yuan == 30  # README: -p cpa_yuan 30
    assert "expected a whole number in [0, 36], got number 6.0" in problems("01_user_decline", forecast_months=6.0)
    assert "got true/false True" in problems("01_user_decline", forecast_months=True)


def test_missing_parameter():
    with pytest.raises(ParameterError, match="'entity' is not defined"):
        validate_parameters("00_data_audit", {"tolerance": 0.05, "evidence": "articles"})


def test_injected_names_reads_latest_parameters_cell():
    assert injected_names({"In": ["# Parameters\na = 1\n", "x = 2", "# Parameters\nb = 2\nc = 'x'\n"]}) == ["b", "c"]
    assert injected_names({}) == []
    assert injected_names({"In": ["# Parameters\nb = (\n"]}) == []


def test_unknown_notebook():
    with pytest.raises(ParameterError, match="unknown notebook '99_nothing'"):
        defaults("99_nothing")


def test_expected_text_from_the_schema():
    assert expected(model("02_ad_spend_bubble"), "retention_30d") == "a number in (0, 1]"
    assert expected(model("02_ad_spend_bubble"), "monthly_churn") == "a number in [0, 0.999] or 'fit'"
    assert expected(model("04_competitor_comparison"), "entities") == "'all' or a list of names"
    assert expected(model("01_user_decline"), "annotate_events") == "True or False"


# --- names: an id or a display name, case-insensitively ---------------------------------------------
def test_every_name_of_an_entity_resolves_to_its_id(ds):
    for eid in ds.entities.index:
        for name in names_of(ds, eid):
            assert resolve_name(ds, name.upper(), [eid]) == eid, (eid, name)
            assert resolve_name(ds, f"  {name.lower()} ", [eid]) == eid, (eid, name)
    assert resolve_name(ds, "no such thing") is None


def test_entity_by_any_name(ds):
    for eid in decline.user_entities(ds, "mau"):
        for name in names_of(ds, eid):
            assert check("01_user_decline", ds, entity=name.swapcase()).entity == eid
    with_obs = sorted(ds.observations["entity"].unique())
    assert check("00_data_audit", ds, entity=ds.entities.at[with_obs[0], "name_zh"]).entity == with_obs[0]
    assert check("00_data_audit", ds, entity="ALL").entity == "all"


def test_vendor_by_any_name(ds):
    firms = decline.vendor_choices(ds, "kimi", "mau")[2:]
    firms = [f for f in firms if f != decline.NO_VENDOR]
    assert firms
    for f in firms:
        assert check("01_user_decline", ds, vendor=ds.name(f)).vendor == f
        assert check("01_user_decline", ds, vendor=f.upper()).vendor == f
    assert check("01_user_decline", ds, vendor="AUTO").vendor == "auto"
    msg = problems("01_user_decline", ds, vendor=ds.name(firms[0])[:-1])
    assert f"(did you mean {ds.name(firms[0])!r}?)" in msg


def test_vendor_must_have_rows_for_the_entity_and_metric(ds):
    all_firms = sorted({v for v in ds.observations["vendor"] if isinstance(v, str) and v})
    allowed = decline.vendor_choices(ds, "kimi", "mau")
    other = next(f for f in all_firms if f not in allowed)
    msg = problems("01_user_decline", ds, vendor=other)
    assert f"no mau rows of kimi from {ds.name(other)}; expected one of: {', '.join(allowed)}" in msg


def test_entity_without_the_metric_points_to_its_metrics(ds):
    eid = next(e for e in decline.user_entities(ds) if e not in decline.user_entities(ds, "mau"))
    has = [m for m in decline.USER_METRICS if eid in decline.user_entities(ds, m)]
    msg = problems("01_user_decline", ds, entity=ds.name(eid))
    assert f"{ds.name(eid)} ({eid}) has no mau data in data/observations.csv (it has {', '.join(has)} data" in msg
    assert check("01_user_decline", ds, entity=ds.name(eid), metric=has[0]).entity == eid


def test_start_after_end_and_impossible_dates(ds):
    assert "start is after end ('2025-01-01')" in problems("01_user_decline", ds, start="2025-06-01", end="2025-01-01")
    for bad in ["2025-02-30", "2025-1-5", "20250105", "yesterday"]:
        assert f"'start' = {bad!r}: expected an ISO date" in problems("01_user_decline", start=bad)


def test_competitor_apps_by_name(ds):
    apps = competitors.apps_with_data(ds)
    names = [ds.entities.at[a, "name_zh"].split("/")[0].strip() for a in apps]
    assert check("04_competitor_comparison", ds, entities=names + [apps[0].upper()]).entities == apps
    msg = problems("04_competitor_comparison", ds, entities=["kimi", "kimmi"], as_of="2025-13", chars_per_token=0.0)
    assert f"unknown app(s) 'kimmi' (did you mean 'Kimi'?); apps with data: {', '.join(apps)}" in msg
    assert "'as_of' = '2025-13': '2025-13' is not a valid month" in msg and "'chars_per_token' = 0.0" in msg
    assert "the list is empty" in problems("04_competitor_comparison", ds, entities=[])
    assert "expected 'all' or a list of names, got text 'kimi'" in problems("04_competitor_comparison", ds, entities="kimi")


def test_as_of_must_have_data_for_the_metric(ds):
    periods = competitors.available_periods(ds, "wau", competitors.apps_with_data(ds))
    msg = problems("04_competitor_comparison", ds, as_of="2001-01")
    assert "no wau data for the selected apps in that period; periods with data for wau: " in msg
    assert all(p in msg for p in periods["period"])
    month = periods["period_end"].max().strftime("%Y-%m")
    assert check("04_competitor_comparison", ds, as_of=month).as_of == month


# --- bounds that match what the models compute (issue 14) -------------------------------------------
@pytest.mark.parametrize(
    ("nb", "name", "value"),
    [
        ("03_sustainability_formula", "ad_share", 1),  # was ZeroDivisionError
        ("03_sustainability_formula", "ad_share", 0),  # no implied cost base: NaN axis limits
        ("02_ad_spend_bubble", "cpa_yuan", 1e300),  # was ZeroDivisionError in half_life
        ("02_ad_spend_bubble", "cpa_yuan", 1e-300),  # non-finite residuals in the churn fit
        ("02_ad_spend_bubble", "daily_new_users", 10**21),  # was a matplotlib TypeError
        ("02_ad_spend_bubble", "monthly_churn", 1e-17),  # ln(1 - churn) == 0: ZeroDivisionError
        ("03_sustainability_formula", "paid_revenue_monthly_yuan", 1e300),  # was OverflowError
        ("03_sustainability_formula", "price_per_paying_user_yuan", 1e-300),  # was OverflowError
    ],
)
def test_values_the_models_cannot_compute_are_refused(nb, name, value):
    assert f"- parameter {name!r} = {value!r}" in problems(nb, **{name: value})


def test_total_cost_must_keep_the_runway_in_the_calendar(ds):
    facts = su.kimi_facts(ds)
    funding = max(f.value for f in facts.investments.values()) * defaults("03_sustainability_formula")["usd_cny"]
    limit = (pd.Timestamp.max - pd.Timestamp(facts.investment_date)).days / (365.25 / 12) * 0.99
    least = math.ceil(funding / limit)
    msg = problems("03_sustainability_formula", ds, total_cost_monthly_yuan=1)  # was OutOfBoundsTimedelta
    assert f"that burn must be at least {least:,} CNY a month" in msg and "'total_cost_monthly_yuan' = 1" in msg
    cost = float(math.ceil(least / 0.3)) + 1  # the non-advertising part (30%) must also reach the least burn
    p = check("03_sustainability_formula", ds, total_cost_monthly_yuan=cost, paid_revenue_monthly_yuan=0.0)
    months = su.runway_table({"f": funding}, {"non_ad": cost * (1 - p.ad_share)}).at["non_ad", "f"]
    assert su.cash_out_date(facts.investment_date, months) is not None  # computable at the edge
    msg = problems("03_sustainability_formula", ds, paid_revenue_monthly_yuan=cost - 1, total_cost_monthly_yuan=cost)
    assert "'paid_revenue_monthly_yuan'" in msg and "the total cost less paid revenue" in msg


def test_daily_burn_is_bounded_across_parameters():
    top = adspend_params.DAILY_NEW_USERS_MAX
    assert check("02_ad_spend_bubble", daily_new_users=top, cpa_yuan=50.0, compute_cost_per_user_yuan=50.0)
    msg = problems("02_ad_spend_bubble", daily_new_users=top, cpa_yuan=60.0, compute_cost_per_user_yuan=50.0)
    assert "daily_new_users x (cpa_yuan + compute_cost_per_user_yuan) = 11,000,000,000 CNY a day" in msg


def test_churn_fit_is_computable_up_to_the_cpa_bound(ds):
    targets = adspend.mau_targets(ds, "kimi", "questmobile")
    for path in adspend.SPEND_PATHS:
        spend = adspend.monthly_spend(ds, path, "2025-12")
        for cpa in (adspend_params.FEN, adspend_params.CPA_MAX):
            fit = adspend.fit_churn(spend["spend_yuan"], cpa, targets, "fit")
            assert adspend.half_life(fit.churn) > 0, (path, cpa)
    assert adspend.half_life(adspend_params.CHURN_MIN_NONZERO) > 0
    assert check("02_ad_spend_bubble", monthly_churn=0).monthly_churn == 0
    assert check("02_ad_spend_bubble", monthly_churn=su_params.FEN).monthly_churn == su_params.FEN


def test_data_checks_are_skipped_without_a_dataset():
    assert check("01_user_decline", entity="somebody").entity == "somebody"

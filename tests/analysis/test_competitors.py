"""Notebook 04 (competitor comparison): the ranking logic of kimi_research.analysis.competitors on the
real data, the typed sections that are its results contract, and the notebook executed with its default and
named parameter sets."""

from __future__ import annotations

import pandas as pd
import pytest

import kimi_research as kr
from kimi_research.analysis import competitors as C
from kimi_research.data.periods import quarter_label
from kimi_research.orchestration.runner import load_param_set
from kimi_research.presentation.narrative import competitors as N

NB = "04_competitor_comparison"


@pytest.fixture(scope="module")
def latest(ds):
    sel = C.selection("all", C.apps_with_data(ds))
    as_of = C.resolve_as_of(ds, "wau", "latest", sel)
    return as_of, C.ranking(ds, "wau", as_of, sel)


# --- unit tests (no papermill) ---------------------------------------------------------------
def test_vocabulary(ds):
    assert C.apps_with_data(ds) == ["ant_afu", "deepseek", "doubao", "kimi", "qwen", "yuanbao"]
    assert C.ranking_metrics(ds) == ["dau", "wau", "mau"]
    assert C.selection("all", C.apps_with_data(ds))[0] == "kimi"
    assert C.selection(["doubao"], C.apps_with_data(ds)) == ["kimi", "doubao"]  # Kimi always included


def test_latest_wau_ranking_merges_values_and_ranks(latest):
    as_of, rk = latest
    assert (as_of["start"], as_of["end"]) == (pd.Timestamp("2025-12-08"), pd.Timestamp("2025-12-14"))
    assert rk["vendor"] == "questmobile"
    t = rk["table"]
    assert list(t.index) == ["doubao", "deepseek", "yuanbao", "ant_afu", "qwen", "kimi"]
    assert t["rank"].tolist() == [1, 2, 3, 4, 5, 7]
    assert t.loc[["doubao", "deepseek", "yuanbao", "kimi"], "value"].tolist() == [155_200_000, 81_560_000, 20_840_000, 4_500_000]
    # ranked without a value: no value is invented, only the bound its neighbours imply
    assert t.loc[["ant_afu", "qwen"], "value"].isna().all()
    assert t.loc["ant_afu", "value_low_by_rank"] == 4_500_000 and t.loc["ant_afu", "value_high_by_rank"] == 20_840_000
    # "top three" + DeepSeek's stated 2nd place + the order of the values -> exact ranks
    assert t.loc["doubao", "basis"].startswith("derived") and t.loc["yuanbao", "basis"].startswith("derived")
    assert t.loc["deepseek", "basis"] == "stated" and t.loc["kimi", "basis"] == "stated"


def test_ratios_to_kimi(latest):
    r = C.ratios_to_kimi(latest[1]["table"])
    assert round(r["doubao"], 3) == 34.489 and round(r["doubao"], 1) == 34.5
    assert round(r["deepseek"], 3) == 18.124 and round(r["deepseek"], 1) == 18.1
    assert round(r["yuanbao"], 3) == 4.631
    assert set(r) == {"doubao", "deepseek", "yuanbao"}


def test_ranks_do_not_depend_on_the_selection(ds, latest):
    as_of = latest[0]
    t = C.ranking(ds, "wau", as_of, ["kimi", "yuanbao"])["table"]
    assert list(t.index) == ["yuanbao", "kimi"] and t["rank"].tolist() == [3, 7]


def test_derive_ranks_bounds_and_contradictions():
    rows = pd.DataFrame({"entity": ["a", "b"], "qualifier": ["<=", "="], "value": [3.0, 2.0], "obs_id": ["x", "y"]})
    r = C.derive_ranks({"a": 10.0, "c": 5.0}, rows)
    # a is in the top 3 and 2 is taken, so a is 1 or 3: the bound is kept; c ranks below a
    assert r.loc["b", "rank"] == 2 and r.loc["a", "rank"] is None and r.loc["a", "rank_text"] == "≤3"
    assert r.loc["c", "rank"] is None and r.loc["c", "rank_text"] == "≥3"
    r = C.derive_ranks({"a": 10.0, "c": 5.0}, rows.assign(value=[2.0, 2.0]))
    assert r.loc["a", "rank"] == 1 and r.loc["a", "basis"].startswith("derived")  # top 2, and 2 is b's
    assert r.loc["c", "rank_text"] == "≥3"
    bad = pd.DataFrame({"entity": ["a", "c"], "qualifier": ["=", "="], "value": [2.0, 1.0], "obs_id": ["x", "y"]})
    r = C.derive_ranks({"a": 10.0, "c": 5.0}, bad)  # a has the larger value but the lower rank
    assert r.loc["a", "rank_text"] == "inconsistent" and r.loc["a", "rank"] is None


def test_as_of_without_data_lists_the_periods(ds):
    with pytest.raises(kr.ParameterError) as e:
        C.resolve_as_of(ds, "wau", "2023-01-01", C.apps_with_data(ds))
    msg = str(e.value)
    assert "parameter 'as_of' = '2023-01-01'" in msg
    assert "2024-12 (wau_rank)" in msg and "2025-12-08 to 2025-12-14 (wau, wau_rank)" in msg
    a = C.resolve_as_of(ds, "dau", "2025-02", C.apps_with_data(ds))
    assert (a["start"], a["end"]) == (pd.Timestamp("2025-02-01"), pd.Timestamp("2025-02-11"))
    with pytest.raises(ValueError, match="expected 'latest'"):
        C.parse_as_of("Dec 2025")


def test_derived_chatgpt_dau(ds):
    sel = C.apps_with_data(ds)
    d = C.derived_values(ds, "dau", C.resolve_as_of(ds, "dau", "2025-02", sel), sel)
    assert d["entity"].tolist() == ["chatgpt"] and d["label"].tolist() == ["derived"]
    assert round(d["value"].iloc[0]) == round(22_150_000 / 0.416) == 53_245_192
    assert d["inputs"].iloc[0] == "o001_04, o001_07"


def test_kimi_rank_a_year_before(ds, latest):
    as_of, rk = latest
    h = C.kimi_rank_history(ds)
    ch = C.rank_change(h, "wau_rank", "questmobile", 7, as_of["end"])
    assert (ch["before_rank"], ch["now_rank"], ch["places_lost"], ch["before_obs"]) == (2, 7, 5, "o004_03")
    yb = C.year_before(h, as_of["end"])
    assert set(yb.index) == {"o004_03", "o000_09"}
    assert yb.loc["o000_09", "rank_text"] == "≤3"


def test_ad_spend_per_month_side_by_side(ds):
    sp = C.spend_table(ds, C.apps_with_data(ds))
    assert sp.loc["o002_05", "repeat_of"] == "o001_13"  # the same AppGrowing figure in two articles
    assert "suspicious" in sp.loc["o002_15", "flag_text"]
    assert "conflict (doubao_ad_spend)" in sp.loc["o003_12", "flag_text"]
    assert "lower bound" in sp.loc["o001_12", "flag_text"]
    byq = C.spend_by_quarter(sp)
    q4 = byq[byq["quarter"] == "2024 Q4"].set_index("entity")["per_month"]
    assert q4["kimi"] == pytest.approx(2.1e8)  # (2.2亿 + 2亿) / 2 months
    assert q4["doubao"] == pytest.approx(1e8 / 3) and q4["yuanbao"] == pytest.approx(1.1e8 / 3)
    assert C.comparison_quarter(byq, C.apps_with_data(ds)) == "2024 Q4"
    b = C.spend_by_backing(byq, "2024 Q4", ds.entities["backing"].to_dict())
    assert b.loc["independent", "per_month"] / b.loc["big_tech", "per_month"] == pytest.approx(3.0)


def test_users_by_backing(latest):
    u = C.users_by_backing(latest[1]["table"])
    assert u.loc["big_tech", "users"] == 155_200_000 + 20_840_000
    assert u.loc["independent", "users"] == 81_560_000 + 4_500_000
    assert u.loc["big_tech", "apps_without_value"] == "Ant Afu, Qwen"
    assert (u.loc["big_tech", "unvalued_low"], u.loc["big_tech", "unvalued_high"]) == (9_000_000, 41_680_000)


def test_capabilities_and_context_windows(ds):
    camps = C.camps(ds, C.apps_with_data(ds), include_others=True)
    assert camps[0] == "moonshot" and {"minimax", "baidu"} <= set(camps)
    facts = C.capability_facts(ds, camps, 1.67)
    st = C.capability_status(facts, camps)
    assert st.loc["moonshot", "data ecosystem"] == "lacks" and st.loc["moonshot", "own cloud"] == "lacks"
    assert st.loc["moonshot", "open weights"] == "has" and st.loc["tencent", "modalities"] == "not stated"
    m = C.capability_matrix(ds, facts, camps)
    assert m.loc["Moonshot AI", "context window"].startswith("20万字 ≈ 12万 tokens† (2023-10) → 200万字")
    assert m.loc["Moonshot AI", "context window"].endswith("[s000, s001, s002, s003]")
    assert "DeepSeek R1 (reasoning)" in m.loc["DeepSeek", "model launches"]
    cw = C.context_windows(ds, 1.67)
    w = C.window_comparison(cw)
    assert w.loc["moonshot", "tokens_equiv"] == pytest.approx(2e6 / 1.67)
    assert w.loc["minimax", "tokens_equiv"] == 4e6 and w.loc["alibaba", "tokens_equiv"] == 1e6
    assert C.break_even_chars_per_token(cw) == {"alibaba": 2.0, "minimax": 0.5}
    o = C.overtaken(cw)
    assert o["by"] == "minimax" and round(o["months_later"]) == 10


def test_verdict_holds_whatever_chars_per_token(ds, latest):
    as_of, rk = latest
    t = rk["table"]
    h = C.kimi_rank_history(ds)
    ch = C.rank_change(h, "wau_rank", "questmobile", 7, as_of["end"])
    camps = C.camps(ds, list(t.index), include_others=True)
    byq = C.spend_by_quarter(C.spend_table(ds, list(t.index)))
    out = {}
    for cpt in (1.67, 0.4):
        facts = C.capability_facts(ds, camps, cpt)
        st = C.capability_status(facts, camps)
        vt = C.verdict_rows(ds, t, "wau", ch, facts, st, byq, "2024 Q4")
        out[cpt] = (vt, C.verdict(vt, st))
    vt, v = out[1.67]
    assert v["holds"] and v["unique_to_kimi"] == [] and v["leads_now"] == []
    assert v["rivals_have_kimi_lacks"] == ["data ecosystem", "own cloud"]
    assert set(v["par_now"]) == {"first reasoning model", "open weights"}
    users = vt[vt["dimension"].str.startswith("Weekly active users")].iloc[0]
    assert round(users["kimi_over_best"], 4) == round(4.5e6 / 1.552e8, 4)
    assert vt.set_index("dimension").loc["context window at launch (2023-10)", "kimi_over_best"] == pytest.approx(2e5 / 9e3)
    # at 0.4 characters per token Kimi's 200万字 would beat 400万 tokens, but an app's window in characters against a
    # model's in tokens is not a comparable fact: the verdict does not rest on it (issue 13 section 4)
    w = out[0.4][0].set_index("dimension").loc["largest context window (tokens; † = converted)"]
    assert w["status"] == "leads" and not w["comparable"]
    assert out[0.4][1]["holds"] and "largest context window (tokens; † = converted)" in out[0.4][1]["context_only"]


# --- the notebook --------------------------------------------------------------------------
@pytest.mark.notebook
def test_default_run(default_results):
    r = default_results(NB)
    assert r["metric"] == "wau" and r["vendor"] == "questmobile"
    assert (r["as_of"]["start"], r["as_of"]["end"]) == ("2025-12-08", "2025-12-14")
    rk = {x["entity"]: x for x in r["ranking"]}
    assert [x["entity"] for x in r["ranking"]] == ["doubao", "deepseek", "yuanbao", "ant_afu", "qwen", "kimi"]
    assert [(rk[e]["value"], rk[e]["rank"]) for e in ["doubao", "deepseek", "yuanbao", "ant_afu", "qwen", "kimi"]] == [
        (155_200_000, 1),
        (81_560_000, 2),
        (20_840_000, 3),
        (None, 4),
        (None, 5),
        (4_500_000, 7),
    ]
    assert r["kimi_rank"] == 7
    assert r["ratio_to_kimi"] == {"doubao": 34.4889, "deepseek": 18.1244, "yuanbao": 4.6311}
    assert r["rank_change"]["places_lost"] == 5 and r["rank_change"]["before_rank"] == 2
    assert {x["obs_id"]: x["rank_text"] for x in r["kimi_rank_year_before"]} == {"o000_09": "≤3", "o004_03": "2"}
    snap = r["snapshots"][0]
    assert snap["metric"] == "dau" and snap["values"] == {"deepseek": 22_150_000, "doubao": 16_950_000}
    assert round(snap["derived"][0]["value"]) == 53_245_192
    assert r["ad_spend_quarter"] == "2024 Q4"
    assert r["ad_spend_per_month"]["kimi"] == pytest.approx(2.1e8)
    assert "suspicious" in r["ad_spend_flags"]["o002_15"]
    assert r["break_even_chars_per_token"] == {"alibaba": 2.0, "minimax": 0.5}
    assert r["capability_status"]["moonshot"]["own cloud"] == "lacks"
    assert r["verdict"]["holds"] is True


@pytest.mark.notebook
def test_dau_early_2025_parameter_set(run_notebook):
    params = load_param_set(NB, "dau_early_2025")
    run = run_notebook(NB, params)
    assert run.returncode == 0, run.output[-3000:]
    r = run.results
    assert r["metric"] == "dau" and r["vendor"] == "aicpb"
    assert (r["as_of"]["start"], r["as_of"]["end"]) == ("2025-02-01", "2025-02-11")
    assert [(x["entity"], x["value"], x["rank"]) for x in r["ranking"]] == [
        ("deepseek", 22_150_000, None),
        ("doubao", 16_950_000, None),
    ]  # the article gives no ranks
    assert r["ratio_to_leader"]["doubao"] == round(1695 / 2215, 4)
    assert r["kimi_rank"] is None and r["ratio_to_kimi"] == {}
    d = r["derived"][0]
    assert d["entity"] == "chatgpt" and d["label"] == "derived" and round(d["value"], -4) == 53_250_000
    assert r["snapshots"][0]["metric"] == "wau"  # the other comparison the articles make


@pytest.mark.notebook
def test_big_three_parameter_set(run_notebook):
    params = load_param_set(NB, "big_three_vs_kimi")
    run = run_notebook(NB, params)
    assert run.returncode == 0, run.output[-3000:]
    r = run.results
    assert [(x["entity"], x["rank"]) for x in r["ranking"]] == [("doubao", 1), ("deepseek", 2), ("yuanbao", 3), ("kimi", 7)]
    assert r["ratio_to_kimi"]["deepseek"] == 18.1244
    assert r["context_window_tokens_equiv"]["moonshot"] == 1_000_000  # 200万字 at 2 characters per token
    # only the companies behind the selected apps (no "other model makers" outside "all")
    assert set(r["capability_status"]) == {"moonshot", "bytedance", "deepseek_co", "tencent"}
    # no selected rival has a stated context window: silence is not counted as Kimi's lead
    assert r["verdict"]["not_stated_for_rivals"] == ["context window"] and r["verdict"]["holds"] is True


@pytest.mark.notebook
def test_as_of_without_data_fails_listing_periods(run_notebook):
    run = run_notebook(NB, {"as_of": "2023-06-01"})
    assert run.returncode != 0 and run.results is None
    out = run.output
    assert "ParameterError" in out and "parameter 'as_of' = '2023-06-01'" in out
    assert "periods with data for wau: 2024-12 (wau_rank); 2025-12-08 to 2025-12-14 (wau, wau_rank)" in out
    assert "pandas/core" not in out


@pytest.mark.notebook
def test_unknown_entity_fails_at_validation(run_notebook):
    run = run_notebook(NB, {"entities": ["kimi", "doubau"], "metric": "users", "chars_per_token": -1})
    assert run.returncode != 0 and run.results is None
    out = run.output
    assert (
        "unknown app(s) 'doubau' (did you mean 'Doubao'?); apps with data: ant_afu, deepseek, doubao, kimi, qwen, yuanbao" in out
    )
    assert "parameter 'metric' = 'users'" in out and "parameter 'chars_per_token' = -1" in out
    assert "pandas/core" not in out


# --- issue 13 section 4: dated, comparable facts; one outspend ratio; camps with facts ----------------------
@pytest.fixture
def an_of(analysed):
    """04's analysis of a dataset with its defaults and an evidence setting, computed once per test worker."""
    return lambda data, evidence: analysed(NB, data, {"evidence": evidence})  # the analysis restricts the data


@pytest.mark.parametrize("evidence", ["articles", "all"])
def test_verdict_rests_on_comparable_facts(live_ds, evidence, an_of):
    an, _ = an_of(live_ds, evidence)
    vt, s = an.verdict.table, an.verdict.verdict
    used = set(s.leads_now) | set(s.par_now) | set(s.trails_now)
    assert used and used <= set(vt.loc[vt["current"] & vt["comparable"], "dimension"])
    counts = vt[vt["dimension"].str.contains("items the articles list|named in the articles")]
    assert not counts["comparable"].any()
    assert set(s.context_only) == set(vt.loc[vt["current"] & ~vt["comparable"], "dimension"])


@pytest.mark.parametrize("evidence", ["articles", "all"])
def test_only_camps_with_a_fact(live_ds, evidence, an_of):
    an, _ = an_of(live_ds, evidence)
    c = an.capabilities
    assert set(c.status.index) == set(c.camps) <= set(c.facts["camp"])


def test_kimi_quarter_spend_names_its_months_and_matches_02(live_ds, an_of, analysed):
    an, _ = an_of(live_ds, "articles")
    sp = an.ad_spend
    byq, quarter, spend = sp.by_quarter, sp.ad_spend_quarter, sp.rows
    q = byq[(byq["quarter"] == quarter) & (byq["entity"] == "kimi")].iloc[0]
    months = spend[(spend["entity"] == "kimi") & (spend["metric"] == "ad_spend") & spend["dated"]]
    months = months[months["period_start"].map(quarter_label) == quarter]
    assert q["low_month"] == months["per_month"].min()
    row = an.verdict.table[an.verdict.table["dimension"].str.startswith("ad spend")].iloc[0]
    if q["months"] < 3:
        assert f"Kimi: {q['months_covered']} only" in row["dimension"]
    rv = analysed("02_ad_spend_bubble", live_ds)[0].rivals
    ratio_02 = C.outspend_ratio(rv.kimi_months.loc[rv.window, "spend_yuan"], rv.same_quarter["base_value_per_month"])
    assert row["kimi_over_best"] == pytest.approx(ratio_02)
    assert ratio_02 == pytest.approx(rv.outspend)  # 02's own sentence
    assert sp.outspend == pytest.approx(ratio_02)  # 04's summary sentence


# --- issue 22: typed sections are the results contract; presentation takes one section ------------------------
def test_sections_are_the_results_contract(ds, an_of):
    """Every result key comes from exactly one section, the payload validates against the generated model (the
    keys the README, the decks and notebook 05 read keep their names), and the analysis restricts the full
    dataset to P.evidence itself."""
    from kimi_research.orchestration.results import payload_of
    from kimi_research.orchestration.results_models import MODELS
    from kimi_research.params import defaults

    an, P = an_of(ds, defaults(NB)["evidence"])
    keys = [k for s in an.sections().values() for k in s.results()]
    assert len(keys) == len(set(keys))
    payload = payload_of(an)
    MODELS[NB].model_validate(payload)
    assert set(payload) == {"notebook", "parameters", "headline", *keys}
    assert {"ranking", "snapshots", "ad_spend_quarter", "ad_spend_per_month", "verdict", "verdict_table"} <= set(keys)
    assert all(len(type(s).model_fields) <= 25 for s in an.sections().values())
    assert len(type(an).model_fields) <= 25
    assert payload["headline"] == N.headline(an)
    # the same run on the articles only, restricted by the caller: the same sections
    assert C.analyse(ds.with_evidence(P.evidence), P).results() == an.results()
    # a verdict-table row as written to the JSON and as shown in the notebook (figures written out, no NaN)
    shown = an.verdict.table.set_index("dimension")
    for row in payload["verdict_table"]:
        assert row["kimi"] == shown.at[row["dimension"], "kimi"] and "nan" not in row["kimi"] + row["best rival"]


def test_presentation_takes_one_section_never_ds_or_p():
    """Every chart and sentence of notebook 04 takes one section (the summary, the verdict and the headline the
    whole analysis): no dataset, no parameters."""
    import inspect
    import typing

    from kimi_research.analysis.sections import Analysis, Section
    from kimi_research.presentation.figures import competitors as figures

    checked = 0
    for mod in (figures, N):
        for name, fn in inspect.getmembers(mod, inspect.isfunction):
            if fn.__module__ != mod.__name__ or name.startswith("_") or name in ("explain_ranks", "millions"):
                continue
            hints = typing.get_type_hints(fn)
            params = list(inspect.signature(fn).parameters)
            assert len(params) == 1, f"{mod.__name__}.{name}{inspect.signature(fn)}"
            t = hints[params[0]]
            assert issubclass(t, (Section, Analysis)), f"{mod.__name__}.{name} takes {t}"
            checked += 1
    assert checked >= 20


def test_verdict_shows_kimi_figures_not_nan(ds, an_of):
    """The verdict table and the verdict sentence show Kimi's and the best rival's figures where they are numbers
    (users, ad spend); before the sections they read 'nan' in the notebook. The sentence says Kimi led in
    advertising only where it did (with every source, the comparison quarter is one in which it did not)."""
    from kimi_research.params import defaults

    an, _ = an_of(ds, defaults(NB)["evidence"])
    html = N.verdict_table(an.verdict).to_html()
    text = N.verdict_markdown(an)
    assert "nan" not in html and "nan" not in text
    assert "450万 (rank 7)" in html and "Doubao 15520万 (rank 1)" in html
    lead = "Where Kimi did lead, in advertising (ad spend per month (2024 Q4; Kimi: Oct, Nov only): 2亿元 (at least, each month)"
    assert f"{lead}, 5.5× the biggest rival spender), the money did not hold its rank: 2 → 7" in text
    # where Kimi's spend trails the biggest rival's (the comparison quarter of the live data with every source), the
    # sentence says so instead of "Where Kimi did lead"
    t = an.verdict.table.copy()
    spend = t["dimension"].str.startswith("ad spend")
    t.loc[spend, ["status", "kimi_over_best"]] = ["trails", 0.3]
    trailing = an.model_copy(update={"verdict": an.verdict.model_copy(update={"table": t})})
    text = N.verdict_markdown(trailing)
    assert "did lead" not in text
    assert "In advertising Kimi did not lead (ad spend per month (2024 Q4; Kimi: Oct, Nov only): 2亿元" in text
    assert "0.3× the biggest rival spender); its rank went 2 → 7 in QuestMobile's WAU list." in text


# --- issue 18 for 04 and issue 23: like for like on the live data (expectations derived from data/) -------------------
@pytest.mark.parametrize("evidence", ["articles", "all"])
def test_a_quarters_own_spend_figure_is_used_never_the_windows_inside_it(live_ds, evidence, an_of):
    from kimi_research.data.periods import parse_period

    an, _ = an_of(live_ds, evidence)
    sp = an.ad_spend
    obs = live_ds.with_evidence(evidence).observations
    for q in sorted(set(sp.by_quarter["quarter"])):
        s, e = parse_period(q)
        for _, r in sp.by_quarter[sp.by_quarter["quarter"] == q].iterrows():
            spend = obs[(obs["entity"] == r["entity"]) & (obs["metric"] == "ad_spend") & (obs["value_kind"] != "cumulative")]
            own = spend[(spend["period_start"] == s) & (spend["period_end"] == e)]
            inside = spend[(spend["period_start"] >= s) & (spend["period_end"] <= e) & ~spend.index.isin(own.index)]
            if len(own):
                assert r["months_covered"] == "the quarter" and r["per_month"] in set(own["base_value"] / 3)
                assert set(inside.index) <= set(r["left_out"])  # listed, never added to the quarter
            else:
                assert r["total"] <= inside["base_value"].sum() + 1e-6  # windows inside, each at most once
                assert r["bound"] == "lower" or r["coverage"] == pytest.approx(1.0)


@pytest.mark.parametrize("evidence", ["articles", "all"])
def test_spend_per_new_user_on_the_live_data(live_ds, evidence, an_of):
    an, _ = an_of(live_ds, evidence)
    r = an.results()
    obs = live_ds.with_evidence(evidence).observations
    bench = r["spend_benchmark"]
    assert bench == C.ZERO_AD_BENCHMARK and (bench in r["spend_per_new_user"] or bench in r["apps_without_gain"])
    assert not (obs["metric"].str.startswith("ad_spend") & (obs["entity"] == bench)).any()  # none reported, truly
    for e, windows in r["spend_per_new_user"].items():
        for w in windows:
            before, end = obs.loc[w["mau_obs"][0]], obs.loc[w["mau_obs"][1]]
            assert before["entity"] == end["entity"] == e and before["vendor"] == end["vendor"]  # one firm's series
            assert before["period_end"] < end["period_end"] and w["mau_gained"] == pytest.approx(
                end["base_value"] - before["base_value"]
            )
            if e == bench:
                assert w["value"] is None and w["spend"] is None and w["reason"] == "none reported"
            elif w["value"] is not None:
                assert w["value"] == pytest.approx(w["spend"] / w["mau_gained"]) and w["mau_gained"] > 0
                assert set(obs.loc[w["spend_obs"], "entity"]) == {e}
    apps = an.basis.apps
    spenders = set(obs.loc[(obs["metric"] == "ad_spend") & obs["entity"].isin(apps), "entity"])
    assert set(r["apps_without_spend"]) == set(apps) - spenders - {bench}
    assert spenders <= set(r["spend_per_new_user"]) | set(r["apps_without_gain"])

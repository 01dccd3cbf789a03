"""The ranking rules of notebook 04 (kimi_research.analysis.competitors.ranking) on small hand-made inputs: which
vendor's list is ranked, a stated rank, "top three" bounds, a rank derived from the order of the values and from
the ranks other apps hold, contradictions, one figure chosen among several, the value bounds an app's neighbours
imply, the ratios to Kimi; then the whole ranking on synthetic observations and on the frozen data.

Every expected value is worked out by hand from the rule in the module's docstring (the comments say how)."""

from __future__ import annotations

import dataclasses
import importlib
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kimi_research.data.loader import Dataset

from synthetic_rows import month, rows

# the module, not the function of the same name that kimi_research.analysis.competitors exports
R = importlib.import_module("kimi_research.analysis.competitors.ranking")

INF = math.inf
BY_ORDER = "derived from the order of the values and the other ranks"
POSITION = "no rank stated (position among the apps quoted)"
CONTRADICT = "the stated ranks and the values contradict each other"
COLUMNS = ["lo", "hi", "rank", "rank_text", "basis", "rank_obs"]


def rank_rows(*specs: tuple[str, str, float]) -> pd.DataFrame:
    """Rank rows (entity, qualifier, rank), obs ids r0, r1 ... in the order given."""
    return pd.DataFrame(
        [{"entity": e, "qualifier": q, "value": float(v), "obs_id": f"r{i}"} for i, (e, q, v) in enumerate(specs)],
        columns=["entity", "qualifier", "value", "obs_id"],
    )


def row(lo: float, hi: float, rank: int | None, text: str, basis: str, obs: str = "") -> dict:
    return {"lo": lo, "hi": hi, "rank": rank, "rank_text": text, "basis": basis, "rank_obs": obs}


def derived(values: dict[str, float], rows_: pd.DataFrame) -> dict[str, dict]:
    out = R.derive_ranks(values, rows_)
    assert list(out.columns) == COLUMNS and out.index.name == "entity"
    for r in out["rank"]:  # an int or None, never a float or NaN
        assert r is None or type(r) is int
    return out.to_dict("index")


# --- split_lists: which vendor's list is ranked ------------------------------------------------------------
def _roles(*specs: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"vendor_key": v, "role": r} for v, r in specs],
        index=[f"x{i}" for i in range(len(specs))],
        columns=["vendor_key", "role"],
    )


def test_the_list_with_most_values_is_ranked_and_the_others_set_apart():
    # qm: 2 values + 1 rank (3 rows); ai: 1 value + 3 ranks (4 rows): most values wins over most rows
    r = _roles(("ai", "value"), ("qm", "value"), ("ai", "rank"), ("qm", "rank"), ("ai", "rank"), ("qm", "value"), ("ai", "rank"))
    main, mine, others = R.split_lists(r)
    assert main == "qm"
    assert list(mine.index) == ["x1", "x3", "x5"] and list(others.index) == ["x0", "x2", "x4", "x6"]


def test_a_tie_on_values_goes_to_more_rows_then_to_the_first_name():
    # one value each: 'b' has 2 rows, 'a' 1 -> b
    main, mine, others = R.split_lists(_roles(("a", "value"), ("b", "value"), ("b", "rank")))
    assert main == "b" and list(mine.index) == ["x1", "x2"] and list(others.index) == ["x0"]
    # one value and one row each: by name, 'a' before 'b'
    main, mine, others = R.split_lists(_roles(("b", "value"), ("a", "value")))
    assert main == "a" and list(mine.index) == ["x1"] and list(others.index) == ["x0"]


def test_no_rows_no_list():
    empty = _roles()
    main, mine, others = R.split_lists(empty)
    assert main == "" and mine is empty and others is empty


# --- derive_ranks ----------------------------------------------------------------------------------------
NO_RANKS = rank_rows()


def test_values_alone_give_a_position_never_a_rank():
    # 30 > 20 > 10: each is at least its position among the apps quoted (an unquoted app may rank above)
    got = derived({"b": 20.0, "a": 30.0, "c": 10.0}, NO_RANKS)
    assert got == {
        "b": row(2.0, INF, None, "≥2", POSITION),
        "a": row(1.0, INF, None, "not stated", POSITION),
        "c": row(3.0, INF, None, "≥3", POSITION),
    }
    assert list(got) == ["b", "a", "c"]  # the order the values came in


def test_equal_values_set_no_order():
    got = derived({"a": 10.0, "b": 10.0}, NO_RANKS)
    assert got == {"a": row(1.0, INF, None, "not stated", POSITION), "b": row(1.0, INF, None, "not stated", POSITION)}


def test_a_stated_rank_is_exact():
    got = derived({}, rank_rows(("a", "=", 2)))
    assert got == {"a": row(2.0, 2.0, 2, "2", "stated", "r0")}


@pytest.mark.parametrize(
    "qualifier, rank, lo, hi, text",
    [
        ("<=", 3, 1.0, 3.0, "≤3"),  # "前三": top three
        ("<", 3, 1.0, 2.0, "≤2"),  # above third place
        (">=", 4, 4.0, INF, "≥4"),
        (">", 4, 5.0, INF, "≥5"),  # below fourth place
        ("~", 4, 1.0, INF, "not stated"),  # about fourth: no hard constraint
        ("range", 4, 1.0, INF, "not stated"),
    ],
)
def test_a_bound_on_the_rank_is_kept_as_a_bound(qualifier, rank, lo, hi, text):
    got = derived({}, rank_rows(("a", qualifier, rank)))
    assert got == {"a": row(lo, hi, None, text, "bound only", "r0")}


def test_two_bounds_make_an_interval_or_close_on_one_rank():
    got = derived({}, rank_rows(("a", ">=", 2), ("a", "<=", 5), ("b", ">", 2), ("b", "<", 4)))
    assert got == {
        "a": row(2.0, 5.0, None, "2–5", "bound only", "r0, r1"),
        "b": row(3.0, 3.0, 3, "3", BY_ORDER, "r2, r3"),  # > 2 and < 4: third, though no row says "= 3"
    }
    # a stated rank inside earlier bounds, and bounds after a stated rank, keep the stated rank
    got = derived({}, rank_rows(("a", ">=", 2), ("a", "=", 3), ("b", "=", 3), ("b", "<=", 5), ("b", ">=", 1)))
    assert got["a"] == row(3.0, 3.0, 3, "3", "stated", "r0, r1")
    assert got["b"] == row(3.0, 3.0, 3, "3", "stated", "r2, r3, r4")


def test_a_larger_value_ranks_above_a_smaller_one():
    # b is stated 2nd; a has the larger value, so a ranks 1st; c the smaller, so at least 3rd
    got = derived({"a": 30.0, "b": 20.0, "c": 10.0}, rank_rows(("b", "=", 2)))
    assert got == {
        "a": row(1.0, 1.0, 1, "1", BY_ORDER),
        "b": row(2.0, 2.0, 2, "2", "stated", "r0"),
        "c": row(3.0, INF, None, "≥3", POSITION),
    }
    # the order pushes a bound up too: c is stated 5th, so b (larger) is at most 4th and a at most 3rd
    got = derived({"a": 30.0, "b": 20.0, "c": 10.0}, rank_rows(("c", "=", 5)))
    assert got == {
        "a": row(1.0, 3.0, None, "≤3", POSITION),
        "b": row(2.0, 4.0, None, "2–4", POSITION),
        "c": row(5.0, 5.0, 5, "5", "stated", "r0"),
    }


def test_the_latest_list_of_the_articles_top_three_and_the_order_of_the_values():
    # QuestMobile's week of 2025-12-08: Doubao, DeepSeek, Yuanbao "in the top three", DeepSeek 2nd, the values
    # 15520万 > 8156万 > 2084万 > 450万, Ant Afu 4th, Qwen 5th, Kimi 7th (the frozen data, as rows written here)
    values = {"kimi": 4.5e6, "doubao": 1.552e8, "deepseek": 8.156e7, "yuanbao": 2.084e7}
    rr = rank_rows(
        ("ant_afu", "=", 4),
        ("deepseek", "<=", 3),
        ("deepseek", "=", 2),
        ("doubao", "<=", 3),
        ("kimi", "=", 7),
        ("qwen", "=", 5),
        ("yuanbao", "<=", 3),
    )
    got = derived(values, rr)
    assert {e: (r["rank"], r["basis"]) for e, r in got.items()} == {
        "kimi": (7, "stated"),
        "doubao": (1, BY_ORDER),  # above DeepSeek (2nd)
        "deepseek": (2, "stated"),
        "yuanbao": (3, BY_ORDER),  # top three, below DeepSeek
        "ant_afu": (4, "stated"),
        "qwen": (5, "stated"),
    }
    assert got["deepseek"]["rank_obs"] == "r1, r2" and got["yuanbao"]["rank_obs"] == "r6"


def test_ranks_other_apps_hold_are_skipped():
    # a is in the top three; 1st and 2nd are b's and c's, so a is 3rd (rows in this order: b, c first)
    got = derived({}, rank_rows(("b", "=", 1), ("c", "=", 2), ("a", "<=", 3)))
    assert got["a"] == row(3.0, 3.0, 3, "3", BY_ORDER, "r2")
    # from above: a is 1st to 3rd, 3rd and 2nd are taken, so a is 1st
    got = derived({}, rank_rows(("b", "=", 3), ("c", "=", 2), ("a", ">=", 1), ("a", "<=", 3)))
    assert got["a"] == row(1.0, 1.0, 1, "1", BY_ORDER, "r2, r3")
    # a taken rank outside the interval changes nothing
    got = derived({}, rank_rows(("b", "=", 5), ("a", "<=", 3)))
    assert got["a"] == row(1.0, 3.0, None, "≤3", "bound only", "r1")


def test_skipping_taken_ranks_never_crosses_the_other_end_of_the_interval():
    # a is top three but 1st, 2nd and 3rd are all stated for others: the rule stops at a's last possible rank
    # (3) rather than pushing a past it; the clash is in the stated rows, not in a
    got = derived({}, rank_rows(("b", "=", 1), ("c", "=", 2), ("d", "=", 3), ("a", "<=", 3)))
    assert got["a"] == row(3.0, 3.0, 3, "3", BY_ORDER, "r3")
    # 1st to 3rd all taken: from below the rule stops at 3, and from above 3 is then the last rank left
    got = derived({}, rank_rows(("b", "=", 3), ("c", "=", 2), ("d", "=", 1), ("a", ">=", 1), ("a", "<=", 3)))
    assert got["a"] == row(3.0, 3.0, 3, "3", BY_ORDER, "r3, r4")


def test_a_rank_found_by_skipping_is_used_for_the_others_in_the_next_round():
    # b (3rd) and c (1st) are stated; a is 1st-3rd -> 2nd; then d, in the top four and below none, is 4th
    got = derived({}, rank_rows(("d", "<=", 4), ("b", "=", 3), ("c", "=", 1), ("a", "<=", 3)))
    assert {e: r["rank"] for e, r in got.items()} == {"d": 4, "b": 3, "c": 1, "a": 2}
    assert got["d"] == row(4.0, 4.0, 4, "4", BY_ORDER, "r0")


def test_stated_ranks_that_contradict_the_values_are_inconsistent():
    # a has the larger value but is stated 2nd while c is stated 1st
    got = derived({"a": 10.0, "c": 5.0}, rank_rows(("a", "=", 2), ("c", "=", 1)))
    assert got == {
        "a": row(2.0, 0.0, None, "inconsistent", CONTRADICT, "r0"),  # at most c's rank - 1 = 0
        "c": row(3.0, 1.0, None, "inconsistent", CONTRADICT, "r1"),  # at least a's rank + 1 = 3
    }
    # two rows about one app that cannot both hold
    got = derived({}, rank_rows(("a", "=", 2), ("a", "=", 4)))
    assert got["a"] == row(4.0, 2.0, None, "inconsistent", CONTRADICT, "r0, r1")


def test_an_app_only_in_the_rank_rows_is_ranked_too():
    got = derived({"a": 10.0}, rank_rows(("z", "=", 1)))
    assert list(got) == ["a", "z"]
    assert got["z"] == row(1.0, 1.0, 1, "1", "stated", "r0") and got["a"] == row(2.0, INF, None, "≥2", POSITION)


def test_rank_rows_may_be_an_empty_frame_without_columns():
    got = derived({"a": 2.0, "b": 1.0}, pd.DataFrame())
    assert got == {"a": row(1.0, INF, None, "not stated", POSITION), "b": row(2.0, INF, None, "≥2", POSITION)}


def test_no_values_and_no_ranks_give_an_empty_table():
    out = R.derive_ranks({}, NO_RANKS)
    assert out.empty and list(out.columns) == COLUMNS and out.index.name == "entity"


# --- choose_values -----------------------------------------------------------------------------------------
def _figures(*specs: dict, tier: bool = True) -> pd.DataFrame:
    base = {"entity": "a", "open": False, "firm": "qm", "tier": 1, "value_text": "", "conflicts_with": []}
    df = pd.DataFrame([base | s for s in specs]).set_index("obs_id")
    return df if tier else df.drop(columns="tier")


def test_one_figure_per_app_a_point_then_a_named_firm_then_tier_then_obs_id():
    f = _figures(
        # a: the unnamed firm's tier-1 figure loses to the named firm's tier-2 one
        {"obs_id": "o1", "firm": "", "value_text": "10万"},
        {"obs_id": "o2", "tier": 2, "value_text": "12万", "conflicts_with": ["o1", "o9", "zz"]},
        # b: a bound never beats a point, even when the point names no firm
        {"obs_id": "o3", "entity": "b", "open": True, "value_text": ">5万"},
        {"obs_id": "o4", "entity": "b", "firm": "", "tier": 2, "value_text": "6万"},
        # c and zz: only a bound
        {"obs_id": "o5", "entity": "c", "open": True, "value_text": ">1万"},
        {"obs_id": "o10", "entity": "zz", "open": True, "value_text": ">2万"},
        # d: the tier-1 source
        {"obs_id": "o6", "entity": "d", "tier": 2},
        {"obs_id": "o7", "entity": "d"},
        # e: all else equal, the lowest obs_id
        {"obs_id": "o9", "entity": "e", "value_text": "3万", "conflicts_with": ["o8"]},
        {"obs_id": "o8", "entity": "e", "value_text": "4万", "conflicts_with": ["o9"]},
    )
    chosen, bounds, conflicts = R.choose_values(f)
    assert {e: r.name for e, r in chosen.items()} == {"a": "o2", "b": "o4", "d": "o7", "e": "o8"}
    # apps in the order of their chosen figure (named tier-1 o7, o8; named tier-2 o2; unnamed o4), not by name
    assert list(chosen) == ["d", "e", "a", "b"]
    assert chosen["a"]["value_text"] == "12万" and chosen["a"]["entity"] == "a"
    # every app with only a bound, in obs_id order ('o10' < 'o5' as text), the rows as given
    assert list(bounds.index) == ["o10", "o5"] and list(bounds.columns) == list(f.columns)
    # the figures not used that the chosen one conflicts with, in this app's rows only (o9 is e's, zz nobody's)
    assert conflicts == {"a": ["10万 (o1)"], "e": ["3万 (o9)"]}


def test_without_a_tier_column_the_firm_then_the_obs_id_decide():
    f = _figures(
        {"obs_id": "o2", "value_text": "2万", "conflicts_with": ["o1"]},
        {"obs_id": "o1", "value_text": "1万"},
        {"obs_id": "o0", "firm": "", "value_text": "0万"},
        tier=False,
    )
    chosen, bounds, conflicts = R.choose_values(f)
    assert {e: r.name for e, r in chosen.items()} == {"a": "o1"} and bounds.empty and conflicts == {}


def test_no_figures_choose_nothing():
    f = _figures({"obs_id": "o1"}).iloc[0:0]
    chosen, bounds, conflicts = R.choose_values(f)
    assert chosen == {} and bounds is f and conflicts == {}


# --- value_bounds_from_ranks and ratios_to_kimi --------------------------------------------------------------
def _table(ranks: dict[str, int | None], values: dict[str, float]) -> pd.DataFrame:
    t = pd.DataFrame(index=pd.Index(list(ranks), name="entity"))
    t["rank"] = pd.Series(list(ranks.values()), index=t.index, dtype=object)
    t["value"] = [values.get(e, np.nan) for e in ranks]
    return t


def test_neighbours_values_bound_an_app_ranked_without_a_value():
    # ranks 1 (100), 2 (80), 3 (no value), 5 (no value), 6 (30), 8 (10), and x: no rank, no value
    t = _table({"a": 1, "b": 2, "c": 3, "d": 5, "e": 6, "f": 8, "x": None}, {"a": 100.0, "b": 80.0, "e": 30.0, "f": 10.0})
    lows, highs = R.value_bounds_from_ranks(t)
    nan = np.nan
    # c: between b (2nd, 80) and e (6th, 30); d: the same neighbours (no valued app at 3rd or 4th)
    np.testing.assert_array_equal(lows, [nan, nan, 30.0, 30.0, nan, nan, nan])
    np.testing.assert_array_equal(highs, [nan, nan, 80.0, 80.0, nan, nan, nan])


def test_an_app_ranked_first_or_last_has_a_bound_on_one_side_only():
    t = _table({"a": 1, "b": 2, "c": 3}, {"b": 50.0})
    lows, highs = R.value_bounds_from_ranks(t)
    np.testing.assert_array_equal(lows, [50.0, np.nan, np.nan])
    np.testing.assert_array_equal(highs, [np.nan, np.nan, 50.0])
    # the neighbour's value, not the nearest rank's when that one has no value
    t = _table({"v": 9, "a": 2, "u": 1, "b": 4, "c": 3}, {"v": 5.0, "u": 70.0})
    lows, highs = R.value_bounds_from_ranks(t)
    np.testing.assert_array_equal(lows, [np.nan, 5.0, np.nan, 5.0, 5.0])
    np.testing.assert_array_equal(highs, [np.nan, 70.0, np.nan, 70.0, 70.0])


def test_an_app_sharing_its_rank_with_a_valued_app_is_bounded_by_the_ranks_strictly_around_it():
    # two rows state 3rd place (a tie); the valued app at 3rd is neither above nor below the one without a value
    t = _table({"a": 2, "b": 3, "c": 3, "d": 4}, {"a": 90.0, "b": 50.0, "d": 20.0})
    lows, highs = R.value_bounds_from_ranks(t)
    np.testing.assert_array_equal(lows, [np.nan, np.nan, 20.0, np.nan])
    np.testing.assert_array_equal(highs, [np.nan, np.nan, 90.0, np.nan])


def test_ratios_to_kimi_leave_out_kimi_and_apps_without_a_ratio():
    t = pd.DataFrame({"ratio_to_kimi": [1.0, 34.5, np.nan, 0.5]}, index=["kimi", "doubao", "qwen", "zhipu"])
    got = R.ratios_to_kimi(t)
    assert got == {"doubao": 34.5, "zhipu": 0.5} and all(type(v) is float for v in got.values())
    assert R.ratios_to_kimi(t.drop(index="kimi")) == {"doubao": 34.5, "zhipu": 0.5}
    assert R.ratios_to_kimi(t.assign(ratio_to_kimi=np.nan)) == {}


# --- ranking: the whole list from observations ---------------------------------------------------------------
MAY = month("2025-05")
AS_OF = {"start": pd.Timestamp("2025-05-01"), "end": pd.Timestamp("2025-05-31"), "series": "questmobile", "label": "2025-05"}


def _rank(uid: str, entity: str, rank: int, **kw) -> dict:
    return {
        "obs_id": uid,
        **MAY,
        "entity": entity,
        "metric": "mau_rank",
        "value": rank,
        "unit": "rank",
        "base_value": float(rank),
    } | kw


def dataset(obs: pd.DataFrame, rank_list: bool = True) -> Dataset:
    """A dataset of the apps named here and one company (no data folder read: these tests stay fast); with
    ``rank_list`` False the metric has no rank list ('mau_rank' is not a metric)."""
    apps = {
        "kimi": ("Kimi", "independent"),
        "doubao": ("Doubao", "big_tech"),
        "deepseek": ("DeepSeek", "independent"),
        "qwen": ("Qwen", "big_tech"),
        "yuanbao": ("Yuanbao", "big_tech"),
        "ant_afu": ("Ant Afu", "big_tech"),
    }
    entities = pd.DataFrame(
        {"kind": "app", "name_en": [n for n, _ in apps.values()], "backing": [b for _, b in apps.values()]},
        index=pd.Index(list(apps), name="entity_id"),
    )
    entities.loc["moonshot"] = ["company", "Moonshot AI", ""]
    metrics = pd.DataFrame({"name": ["Monthly active users", "MAU rank"]}, index=pd.Index(["mau", "mau_rank"], name="metric"))
    metrics = metrics if rank_list else metrics.loc[["mau"]]
    empty = pd.DataFrame()
    return Dataset(empty, entities, metrics, obs, empty, empty, empty, Path("."))


@pytest.fixture(scope="module")
def synthetic():
    """QuestMobile's MAU list of May 2025 (values in 万): Doubao 10000; DeepSeek 5000 (tier 2) or 6000 (tier 1);
    Kimi 1000 (tier 1), 1200 or 1300 (tier 2), stated 4th; Qwen stated 3rd, no value; Yuanbao only '> 2000万';
    a company's figure (Moonshot, not an app); and AiCPB's Doubao 9000 and Ant Afu 800 (another list), Kimi's
    April figure (another period)."""
    obs = rows(
        {"obs_id": "o_d", **MAY, "entity": "doubao", "value": 10000, "tier": 1},
        {"obs_id": "o_s1", **MAY, "entity": "deepseek", "value": 5000, "tier": 2},
        {"obs_id": "o_s2", **MAY, "entity": "deepseek", "value": 6000, "tier": 1, "source_id": "s_y"},
        {"obs_id": "o_k", **MAY, "entity": "kimi", "value": 1000, "tier": 1},
        {"obs_id": "o_k2", **MAY, "entity": "kimi", "value": 1200, "tier": 2, "source_id": "s_y"},
        {"obs_id": "o_k3", **MAY, "entity": "kimi", "value": 1300, "tier": 2, "source_id": "s_z"},
        {"obs_id": "o_m", **MAY, "entity": "moonshot", "value": 500},
        _rank("o_kr", "kimi", 4, value_text="第四"),
        _rank("o_qr", "qwen", 3, value_text="第三"),
        {"obs_id": "o_y", **MAY, "entity": "yuanbao", "value": 2000, "qualifier": ">", "value_text": "超2000万"},
        {"obs_id": "o_a1", **MAY, "entity": "doubao", "value": 9000, "vendor": "aicpb"},
        {"obs_id": "o_a2", **MAY, "entity": "ant_afu", "value": 800, "vendor": "aicpb"},
        {"obs_id": "o_old", **month("2025-04"), "entity": "kimi", "value": 900},
    )
    return dataset(obs)


def test_the_ranking_of_a_synthetic_list(synthetic):
    rk = R.ranking(synthetic, "mau", AS_OF, ["kimi", "doubao", "qwen", "yuanbao"])
    full = rk["full"]
    # rank order; Yuanbao (no rank, lo 1) after the app ranked 1st with a value
    assert list(full.index) == ["doubao", "yuanbao", "deepseek", "qwen", "kimi"] and full.index.name == "entity"
    assert full["rank"].tolist() == [1, None, 2, 3, 4]
    # DeepSeek: its tier-1 6000万; below it Qwen (3rd) and Kimi (4th): 2nd. Doubao above it: 1st
    assert full["rank_text"].tolist() == ["1", "not stated", "2", "3", "4"]
    assert full["basis"].tolist() == [BY_ORDER, "no rank stated; its figure is a bound", BY_ORDER, "stated", "stated"]
    assert full["lo"].tolist() == [1.0, 1.0, 2.0, 3.0, 4.0] and full["hi"].tolist() == [1.0, INF, 2.0, 3.0, 4.0]
    assert full["rank_obs"].tolist() == ["", "", "", "o_qr", "o_kr"]
    np.testing.assert_array_equal(full["value"], [1e8, np.nan, 6e7, np.nan, 1e7])
    assert full["value_text"].tolist() == ["10000万", "超2000万", "6000万", "", "1000万"]
    assert full["qualifier"].tolist() == ["=", ">", "=", "", "="]
    assert full["bound"].tolist() == ["point", "lower", "point", "", "point"]
    np.testing.assert_array_equal(full["bound_value"], [np.nan, 2e7, np.nan, np.nan, np.nan])
    assert full["value_obs"].tolist() == ["o_d", "o_y", "o_s2", "", "o_k"]
    assert full["conflicts"].tolist() == ["", "", "5000万 (o_s1)", "", "1200万 (o_k2); 1300万 (o_k3)"]
    np.testing.assert_array_equal(full["position"], [1, np.nan, 2, np.nan, 3])  # among the valued apps
    np.testing.assert_array_equal(full["ratio_to_kimi"], [10.0, np.nan, 6.0, np.nan, 1.0])
    # Qwen, 3rd without a value: between DeepSeek (2nd, 6000万) and Kimi (4th, 1000万)
    np.testing.assert_array_equal(full["value_low_by_rank"], [np.nan, np.nan, np.nan, 1e7, np.nan])
    np.testing.assert_array_equal(full["value_high_by_rank"], [np.nan, np.nan, np.nan, 6e7, np.nan])
    assert full["name"].tolist() == ["Doubao", "Yuanbao", "DeepSeek", "Qwen", "Kimi"]
    assert full["backing"].tolist() == ["big_tech", "big_tech", "independent", "big_tech", "independent"]
    assert set(full["period"]) == {"2025-05"} and set(full["vendor"]) == {"questmobile"}
    # the selection filters the list after ranking
    pd.testing.assert_frame_equal(rk["table"], full.loc[["doubao", "yuanbao", "qwen", "kimi"]])
    assert rk["vendor"] == "questmobile"
    assert list(rk["rank_rows"].index) == ["o_kr", "o_qr"]
    assert list(rk["other_lists"].index) == ["o_a1"]  # AiCPB's Doubao, apart (its Ant Afu is not selected)
    assert list(rk["source_rows"].index) == ["o_d", "o_k", "o_kr", "o_qr", "o_y"]  # not DeepSeek's, not o_k2
    assert rk["conflicts"] == {"kimi": ["1200万 (o_k2)", "1300万 (o_k3)"]}  # DeepSeek's is not in the selection
    assert list(rk["left_out"].index) == ["o_old"] and rk["left_out"].at["o_old", "rule"] == "other_period"


def test_ranks_come_from_the_whole_list_whatever_the_selection(synthetic):
    rk = R.ranking(synthetic, "mau", AS_OF, ["deepseek"])
    t = rk["table"]
    assert list(t.index) == ["deepseek"] and t.at["deepseek", "rank"] == 2
    assert rk["conflicts"] == {"deepseek": ["5000万 (o_s1)"]} and rk["other_lists"].empty
    assert list(rk["source_rows"].index) == ["o_s2"]


def test_an_app_not_in_the_list_gets_an_empty_table_and_no_vendor(synthetic):
    rk = R.ranking(synthetic, "mau", AS_OF, ["ant_afu"])
    assert rk["table"].empty and rk["vendor"] == "" and len(rk["full"]) == 5


def test_without_kimi_in_the_list_there_is_no_ratio(synthetic):
    obs = synthetic.observations
    no_kimi = dataclasses.replace(synthetic, observations=obs[obs["entity"] != "kimi"])
    full = R.ranking(no_kimi, "mau", AS_OF, ["doubao", "deepseek"])["full"]
    assert full["ratio_to_kimi"].isna().all() and full.at["qwen", "rank"] == 3
    # without Kimi's 4th place DeepSeek is only "2nd or below", so no valued app has an exact rank near Qwen's
    assert full.at["deepseek", "rank_text"] == "≥2" and full.at["doubao", "rank_text"] == "not stated"
    assert full[["value_low_by_rank", "value_high_by_rank"]].isna().all().all()


def test_any_firm_ranks_every_row_of_the_period_as_one_list():
    obs = rows(
        {"obs_id": "o_1", **MAY, "entity": "kimi", "value": 1000, "vendor": "aicpb"},
        {"obs_id": "o_2", **MAY, "entity": "doubao", "value": 3000, "vendor": "aicpb"},
        _rank("o_3", "kimi", 2, vendor="aicpb"),
    )
    as_of = {k: v for k, v in AS_OF.items() if k != "series"}
    rk = R.ranking(dataset(obs), "mau", as_of, ["kimi", "doubao"])
    t = rk["table"]
    assert list(t.index) == ["doubao", "kimi"] and t["rank"].tolist() == [1, 2] and rk["vendor"] == "aicpb"
    assert rk["other_lists"].empty and t.at["doubao", "ratio_to_kimi"] == 3.0


def test_a_list_of_bounds_only_is_shown_unranked(ds):
    """The frozen data's MAU of 2024-10: only Kimi's '3600万以上' (an article naming no firm)."""
    as_of = {"start": pd.Timestamp("2024-10-01"), "end": pd.Timestamp("2024-10-31"), "series": "none:s004", "label": "2024-10"}
    rk = R.ranking(ds, "mau", as_of, ["kimi", "doubao"])
    t = rk["table"]
    assert list(t.index) == ["kimi"] and rk["vendor"] == "" and rk["conflicts"] == {}
    k = t.loc["kimi"]
    assert (k["value_text"], k["qualifier"], k["bound"], k["bound_value"], k["value_obs"]) == (
        "3600万以上",
        ">=",
        "lower",
        3.6e7,
        "o004_06",
    )
    assert (k["rank"], k["rank_text"], k["basis"], k["lo"], k["hi"]) == (
        None,
        "not stated",
        "no rank stated; its figure is a bound",
        1.0,
        INF,
    )
    assert np.isnan(k["value"]) and np.isnan(k["ratio_to_kimi"]) and pd.isna(k["position"])
    assert list(rk["source_rows"].index) == ["o004_06"] and rk["rank_rows"].empty


def test_a_firm_without_figures_in_the_period_has_an_empty_list(synthetic):
    obs = synthetic.observations
    rk = R.ranking(dataset(obs[obs["vendor"] == "aicpb"]), "mau", AS_OF, ["doubao", "ant_afu"])
    assert rk["full"].empty and rk["table"].empty and rk["vendor"] == "" and rk["conflicts"] == {}
    assert sorted(rk["other_lists"].index) == ["o_a1", "o_a2"]  # AiCPB's figures, apart


def test_equal_values_share_the_best_position_and_a_metric_without_a_rank_list():
    obs = rows(
        {"obs_id": "o_1", **MAY, "entity": "kimi", "value": 1000},
        {"obs_id": "o_2", **MAY, "entity": "doubao", "value": 3000},
        {"obs_id": "o_3", **MAY, "entity": "deepseek", "value": 3000, "source_id": "s_y"},
        {"obs_id": "o_4", **MAY, "entity": "qwen", "value": 3000, "source_id": "s_z"},
    )
    t = R.ranking(dataset(obs, rank_list=False), "mau", AS_OF, ["kimi", "doubao", "deepseek", "qwen"])["table"]
    assert list(t.index) == ["doubao", "deepseek", "qwen", "kimi"]
    assert t["position"].tolist() == [1, 1, 1, 4]  # three share 1st place among the figures; Kimi 4th
    assert t["rank_text"].tolist() == ["not stated", "not stated", "not stated", "≥2"]
    assert t["ratio_to_kimi"].tolist() == [3.0, 3.0, 3.0, 1.0]


def test_a_quarters_average_is_ranked_at_the_quarter_even_beside_its_own_months():
    q3 = month("2025 Q3")
    obs = rows(
        {"obs_id": "o_q", **q3, "entity": "kimi", "value_kind": "monthly_average", "value": 992.6},
        {"obs_id": "o_q2", **q3, "entity": "doubao", "value_kind": "monthly_average", "value": 15000},
        {"obs_id": "o_8", **month("2025-08"), "entity": "kimi", "value": 1000},
    )
    as_of = {"start": pd.Timestamp("2025-07-01"), "end": pd.Timestamp("2025-09-30"), "series": "questmobile", "label": "2025 Q3"}
    rk = R.ranking(dataset(obs), "mau", as_of, ["kimi", "doubao"])
    assert rk["table"]["value_obs"].tolist() == ["o_q2", "o_q"]
    assert rk["table"]["ratio_to_kimi"].tolist() == pytest.approx([15000 / 992.6, 1.0], rel=1e-12)
    assert list(rk["left_out"].index) == ["o_8"]  # the month, for another period

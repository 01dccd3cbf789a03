"""One measurement counted once (kimi_research.data.measurements): the rule at its boundaries, on
synthetic rows; the same groups as the frozen mapping of the fixture data; the same groups as a plain
pair-by-pair reference (the previous, quadratic implementation) on the live and fixture data and on
random rows (Hypothesis); order independence and idempotence; and time that grows linearly."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kimi_research as kr
from kimi_research.data.measurements import ROUNDING, measurement_ids, measurements, repeated_figures

FROZEN = Path(__file__).parents[1] / "fixtures" / "data"
EXPECTED = Path(__file__).parents[1] / "fixtures" / "expected" / "measurement_ids.json"
PROPS = settings(max_examples=30, deadline=None, database=None)


def obs(*rows: dict) -> pd.DataFrame:
    """Observation rows with the loader's columns; each dict overrides the defaults (a QuestMobile MAU)."""
    base = {
        "entity": "app_a",
        "metric": "mau",
        "vendor": "questmobile",
        "period_start": "2025-05-01",
        "period_end": "2025-05-31",
        "duration_days": None,
        "base_value": 1000.0,
        "base_value_high": float("nan"),
        "qualifier": "=",
        "value_kind": "period_value",
        "same_as": None,
        "source_id": "s_x",
        "tier": 2,
    }
    out = []
    for i, r in enumerate(rows):
        d = base | {"obs_id": f"o_t{i:02d}"} | r
        out.append(d)
    df = pd.DataFrame(out).set_index("obs_id", drop=False)
    for c in ("period_start", "period_end"):
        df[c] = pd.to_datetime(df[c])
    df["duration_days"] = df["duration_days"].astype("Int64")
    return df


# --- the reference: the implementation before the rewrite (pairs by nested loops within groups) ----------
def _close(a: float, b: float, rel_tol: float) -> bool:
    if pd.isna(a) and pd.isna(b):
        return True
    if pd.isna(a) or pd.isna(b):
        return False
    if a == b:
        return True
    ref = max(abs(a), abs(b))
    return ref > 0 and abs(a - b) / ref <= rel_tol


class _UnionFind:
    def __init__(self, items):
        self.parent = {i: i for i in items}

    def find(self, i):
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def _col(rows: pd.DataFrame, name: str, default=None) -> pd.Series:
    return rows[name] if name in rows.columns else pd.Series(default, index=rows.index, dtype=object)


def reference_ids(rows: pd.DataFrame, rel_tol: float = ROUNDING) -> pd.Series:
    if rows.empty:
        return pd.Series(dtype=object, name="measurement")
    uf = _UnionFind(rows.index)
    vendor = _col(rows, "vendor").fillna("")
    kind = _col(rows, "value_kind").fillna("")
    qual = _col(rows, "qualifier", "=").fillna("=").map(lambda q: {"=": "=", "~": "="}.get(q, q))
    dur = _col(rows, "duration_days").astype(object).where(_col(rows, "duration_days").notna(), None)
    start, end = rows["period_start"], rows["period_end"]
    high = _col(rows, "base_value_high", float("nan")).astype(float)
    entity, metric = _col(rows, "entity").fillna(""), _col(rows, "metric").fillna("")
    key = pd.DataFrame(
        {
            "v": vendor,
            "e": entity,
            "m": metric,
            "s": start.astype(str),
            "t": end.astype(str),
            "d": dur.astype(str),
            "k": kind,
            "q": qual,
        }
    )
    identified = "entity" in rows.columns and "metric" in rows.columns
    for _, g in key.groupby(list(key.columns), sort=False, dropna=False) if identified else []:
        ids = list(g.index)
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                if _close(rows.at[a, "base_value"], rows.at[b, "base_value"], rel_tol) and _close(high[a], high[b], rel_tol):
                    uf.union(a, b)
    dated = rows[start.notna() & end.notna()]
    for _, g in dated.groupby([vendor[dated.index], entity[dated.index], metric[dated.index]], sort=False):
        length = g["period_end"] - g["period_start"]
        for a, r in g.iterrows():
            for b, q in g.iterrows():
                if a == b or not length[b] > length[a]:
                    continue
                kinds_ok = (kind[a], kind[b]) in {("period_value", "monthly_average"), ("", "")}
                inside = q["period_start"] <= r["period_start"] and r["period_end"] <= q["period_end"]
                if kinds_ok and inside and _close(r["base_value"], q["base_value"], rel_tol):
                    uf.union(b, a)
    for a, target in _col(rows, "same_as").items():
        if isinstance(target, str) and target in uf.parent:
            uf.union(target, a)
    groups: dict = {}
    for i in rows.index:
        groups.setdefault(uf.find(i), []).append(i)
    length = (end - start).dt.days.fillna(-1)
    tier = _col(rows, "tier", 1).fillna(9).astype(float)
    out = {}
    for members in groups.values():
        kept = min(members, key=lambda i: (pd.isna(start[i]), -length[i], tier[i], str(i)))
        for i in members:
            out[i] = kept
    return pd.Series(out, name="measurement").reindex(rows.index)


# --- the rule at its boundaries --------------------------------------------------------------------------
def test_tolerance_is_half_a_percent():
    assert ROUNDING == 0.005


@pytest.mark.parametrize("other, merged", [(1004.0, True), (996.0, True), (1006.0, False), (994.0, False)])
def test_same_measurement_within_rounding_only(other, merged):
    """0.4% apart: one figure written twice; 0.6% apart: two figures (a 5% tolerance would merge them)."""
    rows = obs({"base_value": 1000.0}, {"base_value": other})
    assert (measurement_ids(rows).nunique() == 1) is merged
    assert (repeated_figures(rows) == {"o_t01": "o_t00"}) is merged


def test_exactly_half_a_percent_apart_is_still_one_figure():
    """995 and 1000: a difference of 5 on 1000 is 0.005 exactly (in floats too): within rounding."""
    assert measurement_ids(obs({"base_value": 1000.0}, {"base_value": 995.0})).nunique() == 1
    assert measurement_ids(obs({"base_value": 1000.0}, {"base_value": 994.9})).nunique() == 2


def test_different_figures_a_few_percent_apart_stay_two_measurements():
    """The mutation 'tolerance 0.5% -> 5%' merges these: 2101万 and 2050万 (2.4% apart) are two figures."""
    rows = obs({"base_value": 21_010_000.0}, {"base_value": 20_500_000.0}, {"base_value": 21_000_000.0})
    ids = measurement_ids(rows)
    assert ids["o_t02"] == ids["o_t00"] and ids["o_t01"] == "o_t01"


@pytest.mark.parametrize(
    "change",
    [
        {"vendor": "aicpb"},
        {"entity": "app_b"},
        {"metric": "dau"},
        {"period_start": "2025-06-01", "period_end": "2025-06-30"},
        {"value_kind": "end_value"},
        {"qualifier": ">"},
        {"duration_days": 20},
    ],
)
def test_same_value_is_not_the_same_measurement_when_the_key_differs(change):
    rows = obs({}, change)
    assert measurement_ids(rows).nunique() == 2


def test_about_and_equal_are_one_qualifier_family():
    assert measurement_ids(obs({"qualifier": "="}, {"qualifier": "~"})).nunique() == 1


def test_ranges_merge_only_when_both_ends_agree():
    r = {"qualifier": "range", "base_value": 1000.0, "base_value_high": 1500.0}
    assert measurement_ids(obs(r, r | {"base_value_high": 1504.0})).nunique() == 1
    assert measurement_ids(obs(r, r | {"base_value_high": 1600.0})).nunique() == 2


def test_a_month_repeated_as_its_quarters_average_is_one_measurement_kept_as_the_quarter():
    """QuestMobile's 1408万 for May 2025 and 1407.2万 for Q2 2025: one figure; the longer period is kept."""
    q2 = {"period_start": "2025-04-01", "period_end": "2025-06-30", "value_kind": "monthly_average", "base_value": 14_072_000.0}
    may = {"base_value": 14_080_000.0}
    assert measurement_ids(obs(may, q2)).tolist() == ["o_t01", "o_t01"]
    # not the same figure: 0.6% apart, a month outside the quarter, another firm, an end value
    assert measurement_ids(obs(may | {"base_value": 14_160_000.0}, q2)).nunique() == 2
    assert measurement_ids(obs(may | {"period_start": "2025-07-01", "period_end": "2025-07-31"}, q2)).nunique() == 2
    assert measurement_ids(obs(may | {"vendor": "aicpb"}, q2)).nunique() == 2
    assert measurement_ids(obs(may | {"value_kind": "end_value"}, q2)).nunique() == 2


def test_same_as_links_what_the_rules_cannot_see():
    rows = obs({"base_value": 2.81e8}, {"base_value": 2.81e8, "period_end": "2025-05-15", "same_as": "o_t00"})
    assert measurement_ids(rows).tolist() == ["o_t00", "o_t00"]
    # a same_as to a row outside the selection links nothing
    assert measurement_ids(rows.loc[["o_t01"]]).tolist() == ["o_t01"]


def test_the_row_kept_is_dated_then_longer_then_tier_one_then_first_id():
    undated = {"period_start": None, "period_end": None, "same_as": "o_t01"}
    assert measurement_ids(obs(undated, {}))["o_t00"] == "o_t01"
    tier1 = {"tier": 1, "same_as": "o_t00"}
    assert measurement_ids(obs({}, tier1))["o_t00"] == "o_t01"
    assert measurement_ids(obs({}, {}))["o_t01"] == "o_t00"


def test_measurements_keep_the_corroboration():
    rows = obs({"source_id": "s_a"}, {"source_id": "s_b", "base_value": 1001.0}, {"base_value": 2000.0})
    m = measurements(rows)
    assert list(m.index) == ["o_t00", "o_t02"]
    assert m.at["o_t00", "obs_ids"] == ["o_t00", "o_t01"] and m.at["o_t00", "source_ids"] == ["s_a", "s_b"]
    assert m.at["o_t00", "n_sources"] == 2


# --- the same groups as before --------------------------------------------------------------------------
def test_fixture_data_gives_the_frozen_groups():
    ds = kr.load(FROZEN, cache=False)
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    got = measurement_ids(ds.observations)
    assert got.to_dict() == expected
    assert ds.observations["measurement"].to_dict() == expected


@pytest.mark.parametrize("evidence", ["all", "articles"])
@pytest.mark.parametrize("data_dir", [None, FROZEN], ids=["live", "fixture"])
def test_same_groups_as_the_pair_by_pair_rule(data_dir, evidence):
    o = kr.load(data_dir, evidence=evidence).observations
    got = measurement_ids(o)
    assert got.equals(reference_ids(o))
    assert got.dtype == reference_ids(o).dtype


def synthetic(o: pd.DataFrame, n: int) -> pd.DataFrame:
    """``n`` rows: the rows of ``o``, then copies with fresh ids o_syn_000001 ... (conflict_group kept)."""
    parts, k = [o], 0
    while sum(map(len, parts)) < n:
        c = o.copy()
        ids = [f"o_syn_{k + i + 1:06d}" for i in range(len(c))]
        k += len(c)
        c.index = pd.Index(ids, name=o.index.name)
        c["obs_id"] = ids
        parts.append(c)
    return pd.concat(parts).iloc[:n]


def test_copies_of_a_row_join_its_measurement():
    o = kr.load(FROZEN).observations
    rows = synthetic(o, 3 * len(o))
    got = measurement_ids(rows)
    assert got.equals(reference_ids(rows))
    for i in range(len(o), len(rows)):  # every copy of a row is the same measurement as the row
        assert got.iloc[i] == got.iloc[i % len(o)]


def test_time_grows_linearly():
    """26,000 rows (100 copies of the fixture rows) in a few seconds; the pair-by-pair rule takes minutes."""
    o = kr.load(FROZEN).observations
    measurement_ids(o)
    t = time.process_time()
    small = measurement_ids(synthetic(o, 2_600))
    t_small = time.process_time() - t
    t = time.process_time()
    big = measurement_ids(synthetic(o, 26_000))
    t_big = time.process_time() - t
    assert small.nunique() == big.nunique() == o["measurement"].nunique()
    assert t_big < 10, f"26,000 rows took {t_big:.1f} s of CPU"
    assert t_big < 25 * max(t_small, 0.02), f"10x the rows took {t_big / t_small:.0f}x the time"


# --- properties (Hypothesis) -----------------------------------------------------------------------------
MONTHS = [("2025-04-01", "2025-04-30"), ("2025-05-01", "2025-05-31"), ("2025-06-01", "2025-06-30")]
QUARTER = ("2025-04-01", "2025-06-30")


@st.composite
def random_rows(draw):
    n = draw(st.integers(1, 14))
    rows = []
    for i in range(n):
        start, end = draw(st.sampled_from([*MONTHS, QUARTER, (None, None)]))
        kind = (
            "monthly_average"
            if (start, end) == QUARTER and draw(st.booleans())
            else draw(st.sampled_from(["period_value", "end_value"]))
        )
        q = draw(st.sampled_from(["=", "~", ">", "range"]))
        v = draw(st.sampled_from([1000.0, 1003.0, 1004.9, 1006.0, 1010.0, 2000.0]))
        rows.append(
            {
                "obs_id": f"o_h{i:02d}",
                "entity": draw(st.sampled_from(["app_a", "app_b"])),
                "vendor": draw(st.sampled_from(["questmobile", None])),
                "period_start": start,
                "period_end": end,
                "value_kind": kind,
                "qualifier": q,
                "base_value": v,
                "base_value_high": draw(st.sampled_from([1500.0, 1505.0])) if q == "range" else float("nan"),
                "tier": draw(st.sampled_from([1, 2])),
                "same_as": draw(st.sampled_from([None] * 4 + [f"o_h{j:02d}" for j in range(i)])) if i else None,
            }
        )
    return obs(*rows)


@PROPS
@given(random_rows(), st.randoms(use_true_random=False))
def test_merging_matches_the_pair_by_pair_rule_and_ignores_row_order(rows, rnd):
    got = measurement_ids(rows)
    assert got.equals(reference_ids(rows))
    shuffled = rows.loc[rnd.sample(list(rows.index), len(rows))]
    assert measurement_ids(shuffled).sort_index().equals(got.sort_index())


@PROPS
@given(random_rows())
def test_merging_is_idempotent(rows):
    """Folding the measurements again merges nothing more: each kept row is its own measurement."""
    kept = measurements(rows)
    again = measurement_ids(kept.drop(columns=["measurement"]))
    assert (again == again.index).all()


# --- the rule's edges the properties above do not draw (issue 24: survivors of `make mutate`) ------------
def test_a_missing_value_is_not_a_number_but_two_missing_values_are_one():
    nan = float("nan")
    assert measurement_ids(obs({"base_value": nan}, {"base_value": 1000.0})).nunique() == 2
    assert measurement_ids(obs({"base_value": nan}, {"base_value": nan})).tolist() == ["o_t00", "o_t00"]
    # a range whose upper end is missing is not the range with one
    r = {"qualifier": "range", "base_value": 1000.0, "base_value_high": 1500.0}
    assert measurement_ids(obs(r, r | {"base_value_high": nan})).nunique() == 2
    assert measurement_ids(obs(r | {"base_value_high": nan}, r | {"base_value_high": nan})).nunique() == 1


@pytest.mark.parametrize("other, merged", [(0.501, True), (0.4985, True), (0.504, False)])
def test_values_below_one_are_compared_within_rounding_too(other, merged):
    """Shares and ratios: 0.5 and 0.501 are 0.2% apart (one figure), 0.5 and 0.504 0.8% (two)."""
    assert (measurement_ids(obs({"base_value": 0.5}, {"base_value": other})).nunique() == 1) is merged


def test_zeros_are_one_figure_without_a_warning():
    """0 and 0 are equal (no 0/0 warning, which the test settings turn into an error): a zero month and its
    quarter's zero average; two ranges from 0 whose upper ends agree."""
    q2 = {"period_start": "2025-04-01", "period_end": "2025-06-30", "value_kind": "monthly_average", "base_value": 0.0}
    assert measurement_ids(obs({"base_value": 0.0}, q2)).tolist() == ["o_t01", "o_t01"]
    r = {"qualifier": "range", "base_value": 0.0, "base_value_high": 1500.0}
    assert measurement_ids(obs(r, r | {"base_value_high": 1501.0}, r | {"base_value_high": 0.0})).tolist() == [
        "o_t00",
        "o_t00",
        "o_t02",
    ]


def test_the_tolerance_is_passed_on_by_every_entry_point():
    rows = obs({"base_value": 1000.0}, {"base_value": 1020.0})  # 2% apart
    assert len(measurements(rows)) == 2 and len(measurements(rows, rel_tol=0.05)) == 1
    assert repeated_figures(rows) == {} and repeated_figures(rows, 0.05) == {"o_t01": "o_t00"}


def test_measurements_in_the_order_of_their_first_row_with_counts_and_tiers():
    """o_t00 and o_t02 are one figure, kept as o_t02 (tier 1): it comes first, where its first row is."""
    rows = obs(
        {"base_value": 1000.0, "source_id": "s_b"},
        {"base_value": 2000.0, "source_id": "s_b"},
        {"base_value": 1001.0, "source_id": "s_a", "tier": 1},
        {"base_value": 1002.0, "source_id": "s_b"},
    )
    sources = pd.DataFrame({"tier": ["2", "1"]}, index=pd.Index(["s_b", "s_a"], name="source_id"))
    m = measurements(rows, sources)
    assert list(m.index) == ["o_t02", "o_t01"] and m.index.name == "measurement_id"
    assert m["obs_ids"].tolist() == [["o_t00", "o_t02", "o_t03"], ["o_t01"]]
    assert m["source_ids"].tolist() == [["s_a", "s_b"], ["s_b"]]
    assert m["n_sources"].tolist() == [2, 1] and m["n_observations"].tolist() == [3, 1]
    assert m["tiers"].tolist() == [[1, 2], [2]]
    # the tiers only from a sources table that has them
    assert "tiers" not in measurements(rows).columns
    assert "tiers" not in measurements(rows, sources.rename(columns={"tier": "rank"})).columns


def test_rows_with_only_periods_and_values():
    """Without firm, entity, metric, value_kind, qualifier, tier and same_as columns: rule 1 needs an entity and
    a metric (none here: the two June rows stay two); rule 2 pairs rows without a value_kind: May (a, and d, the
    same row again) inside Q2 (b), 0.1% apart."""
    rows = pd.DataFrame(
        {
            "period_start": pd.to_datetime(["2025-05-01", "2025-04-01", "2025-06-01", "2025-05-01", "2025-06-01"]),
            "period_end": pd.to_datetime(["2025-05-31", "2025-06-30", "2025-06-30", "2025-05-31", "2025-06-30"]),
            "base_value": [1000.0, 1001.0, 2000.0, 1000.0, 2000.0],
        },
        index=pd.Index(["a", "b", "c", "d", "e"]),
    )
    assert measurement_ids(rows).tolist() == ["b", "b", "c", "b", "e"]
    # with an entity only, or a metric only, still no rule 1; with both, the two June rows are one
    assert measurement_ids(rows.assign(entity="app_a")).tolist() == ["b", "b", "c", "b", "e"]
    assert measurement_ids(rows.assign(metric="mau")).tolist() == ["b", "b", "c", "b", "e"]
    assert measurement_ids(rows.assign(entity="app_a", metric="mau")).tolist() == ["b", "b", "c", "b", "c"]


def test_the_result_is_named_measurement():
    assert measurement_ids(obs({}, {})).name == "measurement"
    empty = measurement_ids(obs({}).iloc[:0])
    assert empty.empty and empty.name == "measurement" and empty.dtype == object


def test_qualifiers_other_than_about_and_equal_stay_apart():
    assert measurement_ids(obs({"qualifier": ">"}, {"qualifier": "<"})).nunique() == 2
    assert measurement_ids(obs({"qualifier": ">="}, {"qualifier": ">"})).nunique() == 2
    assert measurement_ids(obs({"qualifier": None}, {"qualifier": "="})).nunique() == 1  # no qualifier is "="


def test_a_month_at_either_edge_of_its_quarter_is_inside_it_and_the_same_period_is_not_longer():
    q2 = {"period_start": "2025-04-01", "period_end": "2025-06-30", "value_kind": "monthly_average", "base_value": 1001.0}
    apr = {"period_start": "2025-04-01", "period_end": "2025-04-30"}
    jun = {"period_start": "2025-06-01", "period_end": "2025-06-30"}
    assert measurement_ids(obs(apr, q2)).tolist() == ["o_t01", "o_t01"]
    assert measurement_ids(obs(jun, q2)).tolist() == ["o_t01", "o_t01"]
    # May's value and May's average: one period, not a month inside a longer one
    may_average = {"value_kind": "monthly_average", "base_value": 1001.0}
    assert measurement_ids(obs({}, may_average)).nunique() == 2


def test_a_month_and_its_quarter_without_a_value_kind():
    """Two rows without a value_kind are paired like a month and its average; a row without one is never paired
    with a row that has one."""
    q2 = {"period_start": "2025-04-01", "period_end": "2025-06-30", "base_value": 1001.0}
    assert measurement_ids(obs({"value_kind": None}, q2 | {"value_kind": None})).tolist() == ["o_t01", "o_t01"]
    assert measurement_ids(obs({"value_kind": ""}, q2 | {"value_kind": ""})).tolist() == ["o_t01", "o_t01"]
    assert measurement_ids(obs({"value_kind": ""}, q2 | {"value_kind": "monthly_average"})).nunique() == 2
    assert measurement_ids(obs({}, q2 | {"value_kind": ""})).nunique() == 2
    # a month with no value is its quarter with no value (two missing values are equal)
    nan = float("nan")
    rows = obs({"base_value": nan}, q2 | {"value_kind": "monthly_average", "base_value": nan})
    assert measurement_ids(rows).tolist() == ["o_t01", "o_t01"]


def test_a_row_with_a_start_and_no_end():
    """It is dated (kept before an undated row) but its period has no length (a period with one is kept first),
    and it is no month inside a quarter."""
    rows = obs({"period_end": None}, {"period_end": "2025-05-01", "same_as": "o_t00"})  # a one-day period
    assert measurement_ids(rows).tolist() == ["o_t01", "o_t01"]
    rows = obs({"period_end": None}, {"period_start": None, "period_end": None, "same_as": "o_t00"})
    assert measurement_ids(rows).tolist() == ["o_t00", "o_t00"]
    q2 = {"period_start": "2025-04-01", "period_end": "2025-06-30", "value_kind": "monthly_average"}
    assert measurement_ids(obs({"period_end": None}, q2)).nunique() == 2


def test_no_tier_counts_after_every_tier():
    assert measurement_ids(obs({"tier": None}, {"tier": 2, "same_as": "o_t00"})).tolist() == ["o_t01", "o_t01"]
    assert measurement_ids(obs({"tier": 2}, {"tier": None, "same_as": "o_t00"})).tolist() == ["o_t00", "o_t00"]


def test_the_same_duration_is_one_key():
    assert measurement_ids(obs({"duration_days": 30}, {"duration_days": 30, "base_value": 1001.0})).nunique() == 1
    assert measurement_ids(obs({"duration_days": 30}, {"duration_days": 31})).nunique() == 2


def test_every_key_with_a_range_is_compared_after_a_key_with_one_row():
    """Ranges are compared pair by pair within each key: app_b's lone range first, then app_a's two ranges,
    whose ends agree within rounding (one figure)."""
    r = {"qualifier": "range", "base_value": 1000.0, "base_value_high": 1500.0}
    rows = obs(r | {"entity": "app_b"}, r, r | {"base_value_high": 1504.0})
    assert measurement_ids(rows).tolist() == ["o_t00", "o_t01", "o_t01"]


def test_a_base_value_that_is_not_a_number_is_a_missing_value():
    rows = obs({"base_value": "n/a"}, {"base_value": "n/a"}, {"base_value": 1000.0})
    assert measurement_ids(rows).tolist() == ["o_t00", "o_t00", "o_t02"]

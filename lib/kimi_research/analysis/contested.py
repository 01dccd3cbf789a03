"""The contested inputs of the collection: where the evidence disagrees or leaves a number open.

Each :class:`ContestedInput` has its readings; each :class:`Reading` says where it comes from. The registry
is built from **specifications** (:data:`SPECS`), never from a list of observation ids:

* :class:`FromData`: a question the data answer. Its readings are every figure that answers it, found by a
  query of the comparability layer (:func:`kimi_research.data.comparable.answers`: the rows of the data's
  conflict group, or of a metric over a period), each measurement once, figures flagged suspicious left out
  and listed. Figures of one question with the same value are **one reading** whatever the number of
  sources that state it (one source's sentence stated twice, or a figure repeated by other outlets, counts
  once): a reading is a value, its sources are listed beside it. A new source's row enters on the next run,
  labelled with its source and firm, with no code.
* :class:`Choice`: a modelling choice (the spend path of notebook 02, the series a decline is fitted on,
  where a quarter sits in time): its readings are the values a notebook parameter takes, or the series the
  data hold. ``readings`` is any function of the dataset, so **an input whose readings come from another
  notebook's results** is one :class:`Choice` whose function calls that notebook's analysis function (for
  example ``Choice("retention_implied", "...", ("02 ...",), lambda ds: [Reading(...) for ... in
  adspend.some_results(ds)], label="...")``), and a block of :mod:`kimi_research.analysis.scenarios` that reads it.
* :class:`Range`: one figure the evidence gives only as a bound or without a source (30-day retention
  'under 1%', the 70% ad share 'at one point'). Its bounds are named parameters or figures of the data,
  each with its source (``low_source``, ``high_source``); the grid draws seeded samples inside them and the
  grading solves the value where a conclusion flips exactly. ``bounds`` is a function too, so a bound can
  come from another notebook's results in the same way.

The default reading (the one used when an input is not varied) is the first: a figure of a named firm before
an unattributed one, a tier-1 source's before a tier-2's, then the smaller value; a modelling choice's first
value is its notebook's default.

No matplotlib, no markdown: notebook 05 and :mod:`kimi_research.analysis.scenarios` read this registry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from kimi_research.analysis import adspend, decline, sustainability
from kimi_research.data import comparable
from kimi_research.data.measurements import ROUNDING
from kimi_research.data.units import format_en
from kimi_research.errors import DataError

if TYPE_CHECKING:
    from kimi_research.data.loader import Dataset

DISCRETE, RANGE = "discrete", "range"


@dataclass(frozen=True)
class Reading:
    """One reading of a contested input: a key, a label, its value and where it comes from."""

    key: str
    label: str
    value: Any
    obs_ids: tuple[str, ...] = ()  # the rows it is read from, the representative first
    source_ids: tuple[str, ...] = ()
    firm: str = ""  # the measurement firm of the representative row ('' when none is named)
    parameter: str = ""  # "notebook.parameter" when the reading is a modelling choice
    note: str = ""
    short: str = ""  # the value romanised for a chart ('CNY 30', '≥36m'); the key when empty
    words: str = ""  # the reading for a sentence when its key is a code ('aicpb' -> the firm's name)

    @property
    def chart_label(self) -> str:
        return self.short or self.words or self.key

    @property
    def prose(self) -> str:
        return self.words or self.key


@dataclass(frozen=True)
class ContestedInput:
    name: str
    question: str
    kind: str  # DISCRETE or RANGE
    label: str = ""  # the input in words, for a reader ('the cost per user')
    readings: tuple[Reading, ...] = ()
    low: float | None = None  # RANGE: bounds of the samples
    high: float | None = None
    sampling: str = "uniform"  # RANGE: "uniform" or "log-uniform"
    default: Any = None  # RANGE: the value used when the input is not varied (the evidence's own figure)
    low_source: str = ""  # RANGE: where each bound comes from
    high_source: str = ""
    obs_ids: tuple[str, ...] = ()
    doc: str = ""
    query: str = ""  # how the readings were found (the question asked of the data)
    bears_on: tuple[str, ...] = field(default=())  # the analyses it changes
    left_out: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False, repr=False)  # rows not used, why

    @property
    def words(self) -> str:
        return self.label or self.name

    def keys(self) -> list[str]:
        return [r.key for r in self.readings]

    def reading(self, key: str) -> Reading:
        for r in self.readings:
            if r.key == key:
                return r
        raise KeyError(f"{self.name}: no reading {key!r}; readings: {', '.join(self.keys())}")

    def all_obs_ids(self) -> list[str]:
        ids = list(self.obs_ids)
        for r in self.readings:
            ids += [i for i in r.obs_ids if i not in ids]
        return ids


# --- specifications ---------------------------------------------------------------------------
@dataclass(frozen=True)
class FromData:
    """A contested question the data answer: readings from :func:`comparable.answers`, one per value."""

    name: str
    question: str
    bears_on: tuple[str, ...]
    conflict_group: str | None = None
    metric: str | tuple[str, ...] | None = None
    entities: str | tuple[str, ...] | None = None
    period: tuple[str, str] | None = None
    per_series: str | None = None
    per_month: bool = False  # a flow: each figure as CNY a month (a quarter's total / 3)
    label: str = ""

    def query(self) -> str:
        parts = []
        if self.conflict_group:
            parts.append(f"conflict group `{self.conflict_group}`")
        if self.metric:
            m = self.metric if isinstance(self.metric, str) else ", ".join(self.metric)
            e = (
                ""
                if self.entities is None
                else f" of {self.entities if isinstance(self.entities, str) else ', '.join(self.entities)}"
            )
            parts.append(f"`{m}`{e}")
        text = " and ".join(parts)
        if self.period:
            text += f", dated inside {self.period[0]} to {self.period[1]}"
        if self.per_series == "peak":
            text += ", the largest figure of each series"
        return text

    def build(self, ds: Dataset, overrides: dict[str, Any]) -> ContestedInput:
        ans = comparable.answers(
            ds,
            metric=self.metric,
            entities=self.entities,
            period=self.period,
            conflict_group=self.conflict_group,
            per_series=self.per_series,
        )
        if ans.rows.empty:
            raise DataError(
                "data/observations.csv",
                message=f"no figure answers the contested question {self.name!r} ({self.query()}); notebook 05 needs at "
                "least one (check the conflict group, metric and entity of the rows)",
            )
        readings = _readings(ds, ans.rows, self.per_month)
        return ContestedInput(
            self.name,
            self.question,
            DISCRETE,
            self.label,
            tuple(readings),
            obs_ids=tuple(i for r in readings for i in r.obs_ids),
            query=self.query(),
            bears_on=self.bears_on,
            left_out=ans.left_out,
        )


@dataclass(frozen=True)
class Choice:
    """A modelling choice, or readings computed by a function of the data (another notebook's results)."""

    name: str
    question: str
    bears_on: tuple[str, ...]
    readings: Callable[[Dataset], Sequence[Reading]]
    query: str = ""
    label: str = ""

    def build(self, ds: Dataset, overrides: dict[str, Any]) -> ContestedInput:
        rs = tuple(self.readings(ds))
        return ContestedInput(
            self.name,
            self.question,
            DISCRETE,
            self.label,
            rs,
            obs_ids=tuple(dict.fromkeys(i for r in rs for i in r.obs_ids)),
            query=self.query,
            bears_on=self.bears_on,
        )


@dataclass(frozen=True)
class Bounds:
    """A range's bounds, its default (the evidence's own figure) and where each comes from."""

    low: float
    high: float
    default: float
    low_source: str
    high_source: str
    obs_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Range:
    """A figure known only as a bound or without a source: sampled between bounds, thresholds solved exactly."""

    name: str
    question: str
    bears_on: tuple[str, ...]
    bounds: Callable[[Dataset, dict[str, Any]], Bounds]
    sampling: str = "uniform"
    doc: str = ""
    label: str = ""

    def build(self, ds: Dataset, overrides: dict[str, Any]) -> ContestedInput:
        b = self.bounds(ds, overrides)
        return ContestedInput(
            self.name,
            self.question,
            RANGE,
            self.label,
            low=b.low,
            high=b.high,
            sampling=self.sampling,
            default=b.default,
            low_source=b.low_source,
            high_source=b.high_source,
            obs_ids=b.obs_ids,
            doc=self.doc,
            bears_on=self.bears_on,
        )


Spec = FromData | Choice | Range


# --- readings from the data -------------------------------------------------------------------
def _reading_value(r: pd.Series, per_month: bool) -> float:
    if per_month and r.get("value_kind") != "monthly_average":
        v = r.get("base_value_per_month")
        if v is not None and not pd.isna(v):
            return float(v)
    return float(r["base_value"])


def _describe(ds: Dataset, rows: pd.DataFrame, rep: pd.Series, per_month: bool, value: float) -> str:
    firm = ds.vendor_label([rep["firm"]]) if rep["firm"] else "no measurement firm named"
    period = rep["period"] if rep["dated"] else "undated"
    sources = ", ".join(dict.fromkeys(s for ids in rows["source_ids"] for s in ids))
    text = f"{rep['value_text']}: {firm}, {period} ({sources})"
    if rep["bound"] == "lower":
        text += ", a lower bound read at its bound"
    elif rep["bound"] == "upper":
        text += ", an upper bound read at its bound"
    elif rep["bound"] == "range":
        text += ", a range read at its low end"
    if per_month and rep.get("value_kind") != "monthly_average" and rep.get("grain") not in ("month", None):
        text += f"; per month {value:,.4g}"
    return text


def _readings(ds: Dataset, rows: pd.DataFrame, per_month: bool) -> list[Reading]:
    """One reading per value (within rounding): the representative row first, every source listed."""
    r = rows.assign(
        _value=[_reading_value(x, per_month) for _, x in rows.iterrows()],
        _unnamed=(rows["firm"] == "").astype(int),
        _tier=[
            min(int(cast(int, ds.sources.at[s, "tier"])) if s in ds.sources.index else 9 for s in ids)
            for ids in rows["source_ids"]
        ],
        _id=rows.index.astype(str),
    ).sort_values(["_unnamed", "_tier", "_value", "_id"], kind="stable")
    groups: list[list[str]] = []
    for oid, x in r.iterrows():
        for g in groups:
            ref = float(cast(float, r.at[g[0], "_value"]))
            if abs(ref - x["_value"]) <= ROUNDING * max(abs(ref), abs(x["_value"])):
                g.append(str(oid))
                break
        else:
            groups.append([str(oid)])
    out: list[Reading] = []
    keys: set[str] = set()
    for g in groups:
        part = r.loc[g]
        rep = part.iloc[0]
        key = str(rep["value_text"]).strip()
        if key in keys:
            key = f"{key} ({rep['source_ids'][0]})"
        keys.add(key)
        obs = tuple(dict.fromkeys(i for ids in part["obs_ids"] for i in ids))
        dim = str(rep["dimension"]) if "dimension" in rep.index and isinstance(rep["dimension"], str) else ""
        short = format_en(float(rep["_value"]), dim, str(rep["qualifier"])) + ("/mo" if per_month else "")
        out.append(
            Reading(
                key=key,
                label=_describe(ds, part, rep, per_month, float(rep["_value"])),
                value=float(rep["_value"]),
                obs_ids=(str(rep.name), *[i for i in obs if i != rep.name]),
                source_ids=tuple(dict.fromkeys(s for ids in part["source_ids"] for s in ids)),
                firm=str(rep["firm"]),
                short=short,
            )
        )
    return out


# --- modelling choices ---------------------------------------------------------------------------
def _spend_paths(ds: Dataset) -> list[Reading]:
    """Notebook 02's spend paths, each once: a path that gives the same monthly spend as an earlier one on this
    evidence (the reconciled path when no cumulative estimate is in it) is that reading, named in its label, never a
    second reading that would count one path twice."""
    spend_ids = tuple(sorted(adspend.spend_data_by_month(ds)["obs_ids"].str.split(";").explode().unique()))
    targets = adspend.mau_targets(ds)
    end = max((m for ms in targets["months"] for m in ms), default=None)  # as far as the stock-flow model runs
    out: list[Reading] = []
    seen: dict[str, tuple[int, pd.Series]] = {}
    for k, v in adspend.SPEND_PATHS.items():
        spend = adspend.monthly_spend(ds, k, end=end)["spend_yuan"]
        same = next(
            (j for j, s in seen.values() if len(s) == len(spend) and s.index.equals(spend.index) and np.allclose(s, spend)), None
        )
        if same is not None:
            first = out[same]
            out[same] = replace(first, label=f"{first.label} (on this evidence '{k}' gives the same path)")
            continue
        seen[k] = (len(out), spend)
        out.append(Reading(key=k, label=f"'{k}': {v}", value=k, obs_ids=spend_ids, parameter="02_ad_spend_bubble.spend_path"))
    return out


def _decline_series(ds: Dataset) -> list[Reading]:
    """Every named firm with a series of Kimi's monthly users (most points first), then every firm pooled."""
    lv = comparable.levels(ds, "mau", "kimi").rows
    lv = lv[(lv["firm"] != "") & ~lv["flag_list"].map(lambda f: comparable.SUSPICIOUS in f)] if len(lv) else lv
    counts = lv.groupby("firm").size().sort_index().sort_values(ascending=False, kind="stable") if len(lv) else pd.Series()
    out = [
        Reading(
            key=str(f),
            label=f"{ds.name(str(f))}'s series ({n} figure{'s' if n != 1 else ''})",
            value=str(f),
            obs_ids=tuple(i for ids in lv.loc[lv["firm"] == f, "obs_ids"] for i in ids),
            firm=str(f),
            parameter="01_user_decline.vendor",
            words=f"{ds.name(str(f))}'s series",
        )
        for f, n in counts.items()
    ]
    out.append(
        Reading(
            decline.POOLED,
            "every firm pooled (the peak reading as a point)",
            decline.POOLED,
            parameter="01_user_decline.vendor",
            words="every firm pooled",
        )
    )
    return out


def _dating(ds: Dataset) -> list[Reading]:
    return [
        Reading("midpoint", "at the middle of its period", "midpoint"),
        Reading("last_month", "at the middle of its last month", "last_month"),
    ]


# --- ranges ------------------------------------------------------------------------------------
#: Range parameters of notebook 05 and their defaults (kimi_research.params.conclusions)
RANGE_DEFAULTS: dict[str, dict[str, Any]] = {
    "retention_30d": {
        "low": 0.001,
        "doc": "30-day retention of new users. Article 001's 'under 1%' (industry hearsay, no vendor, no date) is "
        "an upper bound for that rumour, but the MAU points say more: notebook 02's floors (the least retention at "
        "which the users each spend path and ad-only cost per user bought reach the first QuestMobile MAU after the "
        "peak) run far above it. The range runs from `retention_low` (default 0.1%, a tenth of the rumour, since no "
        "article gives a floor) to the largest of those floors; sampled log-uniformly (every order of magnitude "
        "equally likely); the rumour's figure is its default.",
    },
    "ad_share": {
        "doc": "Share of Kimi's total cost spent on traffic. Article 003's 70% ('一度高达', at one point as high "
        "as) names no source, no date and no base. Its readings in the evidence: the cash ledger's period average "
        "(notebook 03: the spend path against the non-advertising cost the peak month implies at that share) at the "
        "low end, and the share read against revenue instead of cost (the peak month's spend over itself plus the "
        "training cost, at the lower training cost) at the high end; `ad_share_low` / `ad_share_high` override "
        "either; sampled uniformly; the stated 70% is its default.",
    },
}


def _one_figure(ds: Dataset, metric: str, entity: str, what: str) -> pd.Series:
    ans = comparable.answers(ds, metric, entity)
    if ans.rows.empty:
        raise DataError("data/observations.csv", message=f"no row gives {what} (metric {metric!r}, entity {entity!r})")
    return ans.rows.sort_values(["tier", "period_end"], na_position="first").iloc[0]


def _retention_bounds(ds: Dataset, o: dict[str, Any]) -> Bounds:
    row = _one_figure(ds, "retention_30d", "industry", "a 30-day retention")
    low = o.get("retention_low")
    low = RANGE_DEFAULTS["retention_30d"]["low"] if low is None else low
    rumour = float(row["base_value"])
    floors = adspend.retention_floor_range(ds)
    ids: tuple[str, ...] = (str(row.name),)
    high, high_source = rumour, f"the bound '{row['value_text']}' ({row.name}, {row['source_id']})"
    if floors is not None and floors[1] > high:
        f_lo, f_hi, mau = floors
        high = f_hi
        high_source = (
            f"notebook 02: the largest least 30-day retention at which the users a spend path and an ad-only cost per "
            f"user bought reach {mau}'s MAU (the floors run {f_lo:.1%} to {f_hi:.1%}; the rumour '{row['value_text']}', "
            f"{row.name}, lies below them)"
        )
        ids = (str(row.name), mau)
    return Bounds(
        low=low,
        high=high,
        default=rumour,
        low_source="parameter `retention_low` (no article gives a floor)",
        high_source=high_source,
        obs_ids=ids,
    )


def _ad_share_bounds(ds: Dataset, o: dict[str, Any]) -> Bounds:
    row = _one_figure(ds, "ad_spend_share", "kimi", "Kimi's ad-spend share")
    stated = float(row["base_value"])
    said = f"'{row['value_text']}' ({row.name}, {row['source_id']}, undated, no source named)"
    ledger, months = sustainability.ledger_share(ds, stated)
    facts = sustainability.kimi_facts(ds)
    peak, train = facts.peak_ad_spend.value, facts.training_cost.value
    revenue_base = peak / (peak + train)
    low, high = min(ledger, stated), max(revenue_base, stated)
    low_source = (
        f"notebook 03: the cash ledger's average ad share over {months.index[0]} to {months.index[-1]} "
        f"({ledger:.1%}: the spend path against the non-advertising cost the peak month implies at {said})"
    )
    high_source = (
        f"notebook 03: the share read against revenue (the peak month's spend over itself plus the lower training "
        f"cost, {facts.training_cost.obs_id}): {revenue_base:.1%}"
    )
    if o.get("ad_share_low") is not None:
        low, low_source = o["ad_share_low"], f"parameter `ad_share_low` (the evidence gives {min(ledger, stated):.1%})"
    if o.get("ad_share_high") is not None:
        high, high_source = o["ad_share_high"], f"parameter `ad_share_high` (the evidence gives {max(revenue_base, stated):.1%})"
    return Bounds(
        low=low,
        high=high,
        default=stated,
        low_source=low_source,
        high_source=high_source,
        obs_ids=(str(row.name), facts.peak_ad_spend.obs_id, facts.training_cost.obs_id),
    )


# --- the registry -------------------------------------------------------------------------------
SPECS: tuple[Spec, ...] = (
    FromData(
        "cpa",
        "Cost of one acquired user (CNY): what a yuan of advertising buys",
        ("02 churn fit", "02 unit economics"),
        conflict_group="kimi_cpa",
        metric="cpa",
        entities="kimi",
        label="the cost per user",
    ),
    Choice(
        "spend_path",
        "Kimi's ad spend in the months no article reports (before October and after November 2024)",
        ("02 churn fit", "timing of spend"),
        lambda ds: _spend_paths(ds),
        "notebook 02's parameter `spend_path`",
        label="the spend path",
    ),
    FromData(
        "peak_mau",
        "Kimi's peak monthly users (late 2024)",
        ("01 peak to latest", "01 pooled fit", "03 paying users"),
        conflict_group="kimi_mau_late_2024",
        metric="mau",
        entities="kimi",
        period=("2024-10-01", "2024-12-31"),
        per_series="peak",
        label="the late-2024 peak MAU",
    ),
    FromData(
        "peak_spend",
        "Kimi's peak monthly ad spend (CNY)",
        ("02 churn fit", "03 implied cost"),
        conflict_group="kimi_peak_ad_spend",
        label="the peak monthly spend",
    ),
    FromData(
        "alibaba_investment",
        "Alibaba's investment in Moonshot (USD)",
        ("03 runway",),
        conflict_group="alibaba_investment",
        label="Alibaba's investment",
    ),
    FromData(
        "valuation",
        "Moonshot's valuation at its highest (USD)",
        ("03 valuation against OpenAI",),
        conflict_group="moonshot_valuation",
        label="Moonshot's valuation",
    ),
    FromData(
        "doubao_spend",
        "Doubao's ad spend in late 2024 (CNY a month)",
        ("04 spend against big tech",),
        conflict_group="doubao_ad_spend",
        period=("2024-10-01", "2024-12-31"),
        per_month=True,
        label="Doubao's late-2024 spend",
    ),
    Choice(
        "decline_series",
        "Which firm's monthly-user series the decline is fitted on",
        ("01 decay fit",),
        lambda ds: _decline_series(ds),
        "every named firm with a series of Kimi's MAU (`mau` of kimi), and all of them pooled",
        label="the series fitted",
    ),
    Choice(
        "dating",
        "Where a quarterly figure sits in time",
        ("01 decay fit",),
        lambda ds: _dating(ds),
        "a modelling choice of notebook 01",
        label="the dating of a quarter",
    ),
    Range(
        "retention_30d",
        "Share of new users still active after 30 days",
        ("02 cost per retained user",),
        _retention_bounds,
        sampling="log-uniform",
        doc=RANGE_DEFAULTS["retention_30d"]["doc"],
        label="30-day retention",
    ),
    Range(
        "ad_share",
        "Share of Kimi's total cost spent on traffic",
        ("03 formula", "03 runway"),
        _ad_share_bounds,
        doc=RANGE_DEFAULTS["ad_share"]["doc"],
        label="the ad share",
    ),
)

#: The names of the inputs :func:`registry` returns, in its order (parameters can be checked without data).
INPUT_NAMES = tuple(s.name for s in SPECS)


def registry(
    ds: Dataset,
    retention_low: float | None = None,
    ad_share_low: float | None = None,
    ad_share_high: float | None = None,
    specs: Sequence[Spec] = SPECS,
) -> dict[str, ContestedInput]:
    """Every contested input with its readings, found in ``ds`` by the specifications' queries."""
    overrides = {"retention_low": retention_low, "ad_share_low": ad_share_low, "ad_share_high": ad_share_high}
    return {s.name: s.build(ds, overrides) for s in specs}


def compute_cost_per_user(ds: Dataset) -> tuple[float, tuple[str, ...]]:
    """The compute cost of serving a new user, CNY, and the rows it comes from: the middle of the all-in cost
    per user (CPA plus compute, article 004's 12-13元) less the CPA the same source gives (its 10元), as
    notebook 02's default ``compute_cost_per_user_yuan``. The all-in figure is not a cost per user bought by
    advertising, so it is never a reading of ``cpa``."""
    all_in = comparable.answers(ds, "cpa_all_in", "kimi").rows
    cpa = comparable.answers(ds, "cpa", "kimi").rows
    for oid, a in all_in.sort_values(["tier"]).iterrows():
        same = cpa[cpa["source_ids"].map(lambda ids, a=a: a["source_id"] in ids) & ~cpa["open"]]
        if len(same):
            hi = a["base_value_high"] if not pd.isna(a["base_value_high"]) else a["base_value"]
            c = same.iloc[0]
            return (float(a["base_value"]) + float(hi)) / 2 - float(c["base_value"]), (str(oid), str(c.name))
    raise DataError(
        "data/observations.csv",
        message="no all-in cost per user (metric 'cpa_all_in') with a CPA from the same source: notebook 05 derives the "
        "compute cost of a new user from that pair",
    )


def table(reg: dict[str, ContestedInput]) -> pd.DataFrame:
    """One row per reading (a range is one row with its bounds): input, kind, reading, value, source."""
    rows = []
    for c in reg.values():
        if c.kind == RANGE:
            rows.append(
                {
                    "input": c.name,
                    "question": c.question,
                    "kind": c.kind,
                    "reading": "range",
                    "label": f"{c.low:g} to {c.high:g}, {c.sampling}; low: {c.low_source}; high: {c.high_source}",
                    "value": None,
                    "obs_ids": ";".join(c.obs_ids),
                    "parameter": "",
                }
            )
            continue
        for r in c.readings:
            rows.append(
                {
                    "input": c.name,
                    "question": c.question,
                    "kind": c.kind,
                    "reading": r.key,
                    "label": r.label,
                    "value": r.value if not isinstance(r.value, str) else None,
                    "obs_ids": ";".join(r.obs_ids),
                    "parameter": r.parameter,
                }
            )
    return pd.DataFrame(rows)

"""The contested inputs of the collection, named once: where the articles disagree or leave a number open.

Each :class:`ContestedInput` has its readings; each :class:`Reading` says where it comes from: the
observation ids of ``data/observations.csv`` it is read from (its value is looked up there, never typed)
or, for a modelling choice, the notebook parameter it is. Two kinds:

* ``discrete``: a short list of readings (two figures for one fact, a choice of fit); the scenario grid
  takes every combination of them.
* ``range``: one figure the articles give only as a bound or without a source (30-day retention 'under
  1%', the 70% ad share 'at one point'). Its bounds are named parameters with a documented reason
  (:data:`RANGE_DEFAULTS`); the grid draws seeded samples inside them.

No matplotlib, no markdown: notebook 05 and :mod:`kimi_research.analysis.scenarios` read this registry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kimi_research.errors import DataError

DISCRETE, RANGE = "discrete", "range"
# The names of the inputs :func:`registry` returns, in its order (parameters can be checked without data).
INPUT_NAMES = (
    "cpa",
    "spend_path",
    "peak_mau",
    "peak_spend",
    "alibaba_investment",
    "valuation",
    "doubao_spend",
    "decline_series",
    "dating",
    "may_repeat",
    "retention_30d",
    "ad_share",
)

# Range bounds: assumptions, not data. Each is a parameter of notebook 05 (kimi_research.params.conclusions).
RANGE_DEFAULTS: dict[str, dict[str, Any]] = {
    "retention_30d": {
        "low": 0.001,
        "obs": "o001_15",
        "doc": "30-day retention of new users. The only figure is article 001's 'under 1%' (o001_15, industry "
        "hearsay, no vendor, no date): an upper bound, so the range runs from `retention_low` (default "
        "0.1%, a tenth of the bound, since no article gives a floor) up to the bound itself; sampled "
        "log-uniformly (every order of magnitude equally likely).",
    },
    "ad_share": {
        "low": 0.5,
        "high": 0.9,
        "obs": "o003_14",
        "doc": "Share of Kimi's total cost spent on traffic. Article 003's 70% ('一度高达', at one point as high "
        "as; o003_14) names no source, no date and no base, so it is read as a range, default 50% to 90% "
        "(the stated figure ± 20 points); sampled uniformly.",
    },
}


@dataclass(frozen=True)
class Reading:
    """One reading of a contested input: a key, a label, its value and where it comes from."""

    key: str
    label: str
    value: Any
    obs_ids: tuple[str, ...] = ()
    parameter: str = ""  # "notebook.parameter" when the reading is a modelling choice
    note: str = ""


@dataclass(frozen=True)
class ContestedInput:
    name: str
    question: str
    kind: str  # DISCRETE or RANGE
    readings: tuple[Reading, ...] = ()
    low: float | None = None  # RANGE: bounds of the samples
    high: float | None = None
    sampling: str = "uniform"  # RANGE: "uniform" or "log-uniform"
    obs_ids: tuple[str, ...] = ()
    doc: str = ""
    bears_on: tuple[str, ...] = field(default=())  # the analyses it changes

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


def _row(ds, oid: str) -> pd.Series:
    if oid not in ds.observations.index:
        raise DataError("data/observations.csv", message=f"obs_id {oid!r}, which the contested-input registry reads, is missing")
    return ds.observations.loc[oid]


def _value(ds, oid: str) -> float:
    return float(_row(ds, oid)["base_value"])


def _as_written(ds, oid: str) -> str:
    r = _row(ds, oid)
    return str(r["value_text"])


def _reading(
    ds, key: str, oid: str, label: str, note: str = "", value: float | None = None, extra: tuple[str, ...] = ()
) -> Reading:
    return Reading(
        key=key,
        label=f"{label} ({_as_written(ds, oid)}, {oid})",
        value=_value(ds, oid) if value is None else value,
        obs_ids=(oid, *extra),
        note=note,
    )


def registry(
    ds, retention_low: float | None = None, ad_share_low: float | None = None, ad_share_high: float | None = None
) -> dict[str, ContestedInput]:
    """Every contested input with its readings, values looked up in ``ds`` by observation id."""
    from kimi_research.analysis import adspend

    rd = RANGE_DEFAULTS
    spend_ids = tuple(sorted(adspend.spend_data_by_month(ds)["obs_ids"].str.split(";").explode().unique()))
    ret_high = _value(ds, rd["retention_30d"]["obs"])
    cpa = adspend.cpa_readings(ds)
    inputs = [
        ContestedInput(
            "cpa",
            "Cost of one acquired user (CNY): what a yuan of advertising buys",
            DISCRETE,
            tuple(_reading(ds, k, oid, label, value=cpa[k]) for k, oid, label in adspend.CPA_READINGS),
            obs_ids=tuple(oid for _, oid, _ in adspend.CPA_READINGS),
            bears_on=("02 churn fit", "02 unit economics"),
        ),
        ContestedInput(
            "spend_path",
            "Kimi's ad spend in the months no article reports (before October and after November 2024)",
            DISCRETE,
            tuple(
                Reading(key=k, label=f"'{k}': {v}", value=k, obs_ids=spend_ids, parameter="02_ad_spend_bubble.spend_path")
                for k, v in adspend.SPEND_PATHS.items()
            ),
            obs_ids=spend_ids,
            bears_on=("02 churn fit", "timing of spend"),
        ),
        ContestedInput(
            "peak_mau",
            "Kimi's peak monthly users (late 2024)",
            DISCRETE,
            (
                _reading(ds, "questmobile_2101", "o000_08", "QuestMobile, December 2024"),
                _reading(ds, "unnamed_3600", "o004_06", "no firm named, around October 2024, a lower bound read at its bound"),
            ),
            obs_ids=("o000_08", "o004_06"),
            bears_on=("01 peak to latest", "01 pooled fit"),
        ),
        ContestedInput(
            "peak_spend",
            "Kimi's peak monthly ad spend (CNY)",
            DISCRETE,
            (
                _reading(ds, "2.2e8", "o001_13", "AppGrowing, October 2024"),
                _reading(ds, "2e8", "o004_05", "close to 2亿, article 004, undated; read as the October figure"),
            ),
            obs_ids=("o001_13", "o002_05", "o003_06", "o004_05"),
            bears_on=("02 churn fit", "03 implied cost"),
        ),
        ContestedInput(
            "alibaba_investment",
            "Alibaba's investment in Moonshot (USD)",
            DISCRETE,
            (
                _reading(ds, "8e8", "o003_04", "article 003"),
                _reading(ds, "1e9", "o004_04", "over 10亿美元, article 004, read at its bound"),
            ),
            obs_ids=("o003_04", "o004_04"),
            bears_on=("03 runway",),
        ),
        ContestedInput(
            "valuation",
            "Moonshot's valuation at its highest (USD)",
            DISCRETE,
            (_reading(ds, "3e9", "o003_03", "article 003"), _reading(ds, "3.3e9", "o000_15", "article 000")),
            obs_ids=("o003_03", "o000_15"),
            bears_on=("03 valuation against OpenAI",),
        ),
        ContestedInput(
            "doubao_spend",
            "Doubao's ad spend in late 2024 (CNY a month)",
            DISCRETE,
            (
                Reading(
                    "appgrowing_q4",
                    f"AppGrowing's Q4 2024 quarter, per month ({_as_written(ds, 'o002_10')}, o002_10)",
                    _row(ds, "o002_10")["base_value_per_month"],
                    ("o002_10",),
                ),
                _reading(ds, "budget_1.24e8", "o003_12", "a monthly budget, article 003, undated"),
            ),
            obs_ids=("o002_10", "o003_12"),
            bears_on=("04 spend against big tech",),
        ),
        ContestedInput(
            "decline_series",
            "Which firm's monthly-user series the decline is fitted on",
            DISCRETE,
            (
                Reading("questmobile", "QuestMobile's series", "questmobile", parameter="01_user_decline.vendor"),
                Reading("aicpb", "AI产品榜's series", "aicpb", parameter="01_user_decline.vendor"),
                Reading(
                    "all",
                    "every firm pooled (the no-firm row only when read as a point)",
                    "all",
                    parameter="01_user_decline.vendor",
                ),
            ),
            bears_on=("01 decay fit",),
        ),
        ContestedInput(
            "dating",
            "Where a quarterly figure sits in time",
            DISCRETE,
            (
                Reading("midpoint", "at the middle of its period", "midpoint"),
                Reading("last_month", "at the middle of its last month", "last_month"),
            ),
            bears_on=("01 decay fit",),
        ),
        ContestedInput(
            "may_repeat",
            "QuestMobile's May 2025 figure (1408万) repeating its Q2 average (1407.2万)",
            DISCRETE,
            (
                Reading("once", "one measurement, counted once", "once", ("o000_06", "o004_16")),
                Reading("twice", "counted as two measurements", "twice", ("o000_06", "o004_16")),
            ),
            obs_ids=("o000_06", "o004_16"),
            bears_on=("01 decay fit", "02 churn fit"),
        ),
        ContestedInput(
            "retention_30d",
            "Share of new users still active after 30 days",
            RANGE,
            low=rd["retention_30d"]["low"] if retention_low is None else retention_low,
            high=ret_high,
            sampling="log-uniform",
            obs_ids=(rd["retention_30d"]["obs"],),
            doc=rd["retention_30d"]["doc"],
            bears_on=("02 cost per retained user",),
        ),
        ContestedInput(
            "ad_share",
            "Share of Kimi's total cost spent on traffic",
            RANGE,
            low=rd["ad_share"]["low"] if ad_share_low is None else ad_share_low,
            high=rd["ad_share"]["high"] if ad_share_high is None else ad_share_high,
            obs_ids=(rd["ad_share"]["obs"],),
            doc=rd["ad_share"]["doc"],
            bears_on=("03 formula", "03 runway"),
        ),
    ]
    return {c.name: c for c in inputs}


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
                    "label": f"{c.low:g} to {c.high:g}, {c.sampling}",
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

"""Synthetic observation rows as the loader gives them, for the tests of the comparability layer and of the
analyses built on it (each dict overrides a QuestMobile MAU of May 2025)."""

from __future__ import annotations

import pandas as pd

from kimi_research.data.periods import parse_period

YI, WAN = 1e8, 1e4
#: the magnitude of the units the synthetic rows use (their base value is value x this)
SCALE = {"万": WAN, "万元": WAN, "亿": YI, "亿元": YI, "%": 0.01}


def rows(*specs: dict) -> pd.DataFrame:
    """Observation rows as the loader gives them; each dict overrides a QuestMobile MAU of May 2025."""
    base = {
        "entity": "app_a",
        "metric": "mau",
        "vendor": "questmobile",
        "period_start": "2025-05-01",
        "period_end": "2025-05-31",
        "duration_days": None,
        "value": 1000.0,
        "unit": "万",
        "base_value": None,
        "base_value_high": float("nan"),
        "qualifier": "=",
        "value_text": None,
        "scope": None,
        "value_kind": "period_value",
        "same_as": None,
        "source_id": "s_x",
        "flags": None,
        "conflict_group": None,
        "tier": 2,
    }
    out = []
    for i, spec in enumerate(specs):
        d = base | {"obs_id": spec.get("obs_id", f"o_c{i:02d}")} | spec
        d["base_value"] = d["base_value"] if d["base_value"] is not None else d["value"] * SCALE[d["unit"]]
        d["value_text"] = d["value_text"] or f"{d['value']:g}{d['unit']}"
        out.append(d)
    df = pd.DataFrame(out).set_index("obs_id", drop=False)
    for c in ("period_start", "period_end"):
        df[c] = pd.to_datetime(df[c])
    df["duration_days"] = df["duration_days"].astype("Int64")
    df["period_mid"] = df["period_start"] + (df["period_end"] - df["period_start"]) / 2
    df["flag_list"] = df["flags"].map(lambda f: f.split(";") if isinstance(f, str) else [])
    return df


def month(m: str) -> dict:
    s, e = parse_period(m)
    return {"period_start": s.date().isoformat(), "period_end": e.date().isoformat()}

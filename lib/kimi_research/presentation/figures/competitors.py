"""Chart helpers of notebook 04 (Kimi against its competitors)."""

from __future__ import annotations

import pandas as pd

from kimi_research.analysis.competitors import CAP_DIMENSIONS, _window_steps


def capability_short(ds, facts: pd.DataFrame, camp_list: list[str]) -> pd.DataFrame:
    """Short cell texts for the matrix chart (same facts as :func:`capability_matrix`)."""
    out = pd.DataFrame("", index=camp_list, columns=CAP_DIMENSIONS)
    for c in camp_list:
        for d in CAP_DIMENSIONS:
            f = facts[(facts["camp"] == c) & (facts["dimension"] == d)]
            if f.empty:
                out.loc[c, d] = "—"
            elif d == "context window":
                out.loc[c, d] = " →\n".join(st[3] for st in _window_steps(f))
            elif d == "model launches":
                out.loc[c, d] = "\n".join(f.sort_values("date")["chart"])
            elif d == "modalities":
                out.loc[c, d] = ", ".join(x.strip() for x in f.iloc[0]["chart"].split(";"))
            else:
                out.loc[c, d] = "\n".join(dict.fromkeys(f["chart"].str.replace(";", ",")))
    return out

"""Prose of notebook 03 (the sustainability formula)."""

from __future__ import annotations

from kimi_research.data.periods import period_label
from kimi_research.presentation import format as F


def compare_to_range(value: float, low: float, high: float, near: float = 0.25) -> tuple[str, str]:
    """Where ``value`` lies against the range [low, high]: a key and a phrase for the prose.

    Keys: 'below', 'within', 'just_above' (within ``near`` x high above it), 'well_above'.
    """
    if value < low:
        return "below", f"below the lower reading ({value / low:.2f} x it)"
    if value <= high:
        return "within", "within the range"
    if value <= high * (1 + near):
        return "just_above", f"just above the upper reading ({value / high - 1:.1%} above it)"
    return "well_above", f"well above the upper reading ({value / high:.1f} x it)"


def funding_label_en(row) -> str:
    """'USD 0.8bn' / 'over USD 1bn' for an investment observation (USD base value)."""
    words = {">": "over ", ">=": "at least ", "~": "about ", "<": "under "}
    return f"{words.get(row['qualifier'], '')}USD {row['base_value'] / 1e9:g}bn"


def headline(ds, r: dict, P) -> str:
    """One sentence for the title slide and the index, from the results JSON."""
    return (f"At a {r['ad_share']:.0%} ad-spend share Kimi keeps {r['ratio_to_threshold_firm']:.1%} of the growth of a "
            f"firm at the {r['alarm_threshold']:.0%} alarm line; its implied cost base of "
            f"{F.cny_en(r['implied_total_monthly_cost_yuan'])} a month needs "
            f"{F.users_en(r['paying_users_needed'])} paying users ({r['paying_share_of_mau']:.1%} of its "
            f"MAU of {period_label(ds.observations.loc[r['mau_obs']])}) at CNY {P.price_per_paying_user_yuan:g}.")

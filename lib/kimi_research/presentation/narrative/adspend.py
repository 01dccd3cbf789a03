"""Prose of notebook 02 (the ad-spend bubble)."""

from __future__ import annotations

from kimi_research.presentation import format as F


def headline(ds, r: dict, P) -> str:
    """One sentence for the title slide and the index, from the results JSON."""
    return (f"Peak ad spend {F.cny_en(r['peak_monthly_spend_yuan'])} a month ({r['peak_month']}); at "
            f"CNY {r['all_in_cpa_yuan']:g} all-in per user and {P.retention_30d:.0%} 30-day retention a kept user "
            f"costs CNY {r['cost_per_retained_user_yuan']:,.0f}; users churn {r['fitted_monthly_churn']:.1%} a month "
            f"(half-life {r['bought_user_half_life_months']:.1f} months).")

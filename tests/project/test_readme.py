"""The README's findings are the numbers the notebooks compute (it must stay true).

The numbers come from the canonical results (``default_results`` reads them through
``results.read_canonical``, which refuses results made with other than the default
parameters, or computes them afresh): an experiment's numbers can never pass for the findings."""

from __future__ import annotations

import re

import pytest

from kimi_research import paths
from kimi_research.data.units import format_cn
from kimi_research.presentation.format import ordinal

pytestmark = pytest.mark.notebook


def findings() -> str:
    text = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    return re.search(r"## What the collection finds\n(.*?)\n## ", text, flags=re.S).group(1)


def pct(x: float, digits: int = 1) -> str:
    return f"{x:+.{digits}%}".replace("-", "−").lstrip("+")


def test_findings_match_results(default_results):
    text = " ".join(findings().split())
    dec = default_results("01_user_decline")
    ads = default_results("02_ad_spend_bubble")
    sus = default_results("03_sustainability_formula")
    comp = default_results("04_competitor_comparison")
    g = dec["growth_phase"]
    wau = {x["entity"]: x["value"] for x in comp["ranking"] if x.get("value") is not None}
    expected = [
        f"×{g['multiple']:.1f} in five months",
        format_cn(g["start_value"], digits=2),
        format_cn(g["end_value"], digits=2),
        f"{format_cn(ads['peak_monthly_spend_yuan'], '元')} in October 2024",
        format_cn(dec["peak_value"]),
        format_cn(dec["latest_value"]),
        pct(dec["peak_to_latest_change"]),
        pct(next(x for x in dec["like_for_like_change"] if x["series"] == "questmobile")["change"]),
        f"about {pct(dec['monthly_change'], 0)} a month",
        f"about {dec['half_life_months']:.1f} months",
        f"ranked {ordinal(comp['kimi_rank'])}",
        f"with {format_cn(comp['kimi_value'])}",
        f"Doubao's {format_cn(wau['doubao'], wan_only=True)} ({comp['ratio_to_kimi']['doubao']:.1f}×)",
        f"{sus['ad_share']:.0%} ad-spend share",
        f"{sus['ratio_to_threshold_firm']:.1%} of the growth",
        f"{sus['alarm_threshold']:.0%} alarm line",
    ]
    missing = [e for e in expected if e not in text]
    assert not missing, f"README findings disagree with the computed results: {missing}"


def test_readme_picture_exists():
    text = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    for img in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text):
        assert (paths.ROOT / img).exists(), img

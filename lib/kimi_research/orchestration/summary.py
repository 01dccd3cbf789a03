""" "Kimi in ten slides": a summary deck assembled from the notebooks' results and figures.

Every number on it is read from ``build/results/<notebook>.json`` (computed by the notebooks);
the charts are the notebooks' own figures from ``build/figures``. The story: the rise, spend
against growth, what a user cost, the fall, the ranks, the formula, what sustainability would take,
where Kimi stands today, and how sure we are.

Slides that state a conclusion of notebook 05 are written from its grades; :data:`SLIDE_FINDINGS`
says which conclusions each slide states and how strongly (``tests/test_findings.py`` checks them
against ``build/results/05_conclusions.json``).
"""

from __future__ import annotations

import base64
from pathlib import Path

from kimi_research import paths, registry
from kimi_research.data.units import format_en
from kimi_research.orchestration import export
from kimi_research.presentation.format import ordinal

NOTEBOOKS = list(registry.NAMES)
NAME = "kimi_in_ten_slides"
TITLE = "Kimi in ten slides"
CONCLUSIONS = "05_conclusions"


def grade_kind(r: dict[str, dict], cid: str) -> str:
    """The grade of a conclusion in notebook 05's results ('every', 'unless', 'not_supported')."""
    return next(c["grade_kind"] for c in r[CONCLUSIONS]["conclusions"] if c["id"] == cid)


def grade_words(r: dict[str, dict], cid: str) -> str:
    """A conclusion's grade in notebook 05's results, in words (with its condition). A share of scenarios is never
    quoted: a grid's count is not a probability."""
    return next(c["grade_words"] for c in r[CONCLUSIONS]["conclusions"] if c["id"] == cid)


def graded_sentence(conc: dict) -> str:
    """Slide 9's count of notebook 05's grades (no share, no probability)."""
    c = conc["grade_counts"]
    none = sum(1 for x in conc["conclusions"] if x["grade_kind"] == "every" and not x["inputs_read"])
    text = (
        f"Each graded over the readings of the contested inputs it reads ({conc['n_scenarios']:,} scenarios in all), "
        f"{c['every']} of {len(conc['conclusions'])} conclusions hold in every reading"
        + (f" ({none} read no contested input)" if none else "")
        + f", {c['unless']} only under a condition, {c['not_supported']} are not supported"
    )
    if c.get("not_evaluable"):
        text += f", {c['not_evaluable']} cannot be evaluated"
    return text + " (notebook 05)."


def slide_findings(r: dict[str, dict]) -> dict[int, dict[str, str]]:
    """Per slide, the conclusions it states and how strongly (strength as in notebook 05's grades)."""
    timing = grade_kind(r, "growth_bought_timing")
    return {
        1: {"dau_rise_tenfold": "every"},
        2: {"spend_during_rise": "every", "growth_bought_timing": "every" if timing == "every" else "not_supported"},
        4: {"qm_mau_halved": "every", "decline_over_5pct": "unless"},
        5: {"rank_fell": "every"},
        6: {"under_half_growth": "unless"},
        8: {"doubao_30x": "every"},
    }


def _results() -> dict[str, dict]:
    out = {}
    for n in NOTEBOOKS:
        out[n] = export.read_results(n)
        if not out[n]:
            raise SystemExit(f"{paths.results_dir() / (n + '.json')} is missing: run `make run` before building the summary deck")
    return out


def _img(notebook: str, figure: str) -> str:
    p = paths.figures_dir() / notebook / f"{figure}.png"
    if not p.exists():
        raise SystemExit(f"{p} is missing: run `make run` before building the summary deck")
    data = base64.b64encode(p.read_bytes()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{notebook}: {figure}">'


def _users(v: float) -> str:
    return format_en(v, "count")


def _cny(v: float) -> str:
    return format_en(v, "CNY")


def slides_markdown(r: dict[str, dict], ds) -> list[str]:
    """The ten slides as Markdown (numbers from the results, periods and names from the data)."""
    from kimi_research.data.periods import period_label

    audit, dec, ads, sus, comp = (r[n] for n in NOTEBOOKS[:5])
    conc = r[CONCLUSIONS]
    bought = grade_kind(r, "growth_bought_timing") == "every"

    def when(obs_id: str) -> str:
        return period_label(ds.observations.loc[obs_id])

    def who(obs_id: str) -> str:
        return ds.vendor_label([ds.observations.at[obs_id, "vendor"]])

    cited = ds.sources[ds.sources.index.isin(ds.observations["source_id"])]
    years = sorted({str(d)[:4] for d in cited["date_published"].dropna() if str(d)})
    year_span = years[0] if len(years) == 1 else f"{years[0]}–{years[-1]}"
    g = dec["growth_phase"]
    ranks = dec["ranks"]
    first_rank, last_rank = ranks[0], ranks[-1]
    ci = dec["monthly_change_ci"]
    ci_text = f"95% CI {ci[0]:+.1%} to {ci[1]:+.1%}" if ci[0] is not None else "no interval"
    top = [x for x in comp["ranking"] if x.get("value") is not None][:3]
    verdicts = audit["verdict_counts"]
    return [
        f"# {TITLE}\n\nHow Moonshot AI's chatbot rose on long context and paid traffic, then fell behind "
        f"its big-tech rivals: from **×{g['multiple']:.1f}** daily users in {g['months']:.0f} months to "
        f"**{ordinal(comp['kimi_rank'])}** by weekly users.\n\n"
        f"<small>{audit['n_observations']} numbers from {audit['n_sources']} sources ({year_span}), each traced to a quote. "
        f"Every figure below is computed by the project's notebooks.</small>",
        f"## 1. The rise\n\nDAU grew from {_users(g['start_value'])} ({g['start_period']}) to "
        f"{_users(g['end_value'])} ({g['end_period']}): **×{g['multiple']:.1f}**, about "
        f"**{g['monthly_growth']:+.0%} a month**. In {first_rank['period']} Kimi ranked {first_rank['text']} "
        f"({first_rank['metric'].replace('_rank', '').upper()}).\n\n{_img('01_user_decline', 'growth_phase')}",
        (
            "## 2. Growth was bought\n\n"
            if bought
            else f"## 2. Spend and growth: the rise came first\n\nKimi advertised while its DAU rose ({g['start_period']} to "
            f"{g['end_period']}), but "
        )
        + f"{'Ad' if bought else 'ad'} spend peaked at **{_cny(ads['peak_monthly_spend_yuan'])} in "
        f"{ads['peak_month']}** (AppGrowing): {_cny(ads['peak_daily_burn_yuan'][1])}–"
        f"{_cny(ads['peak_daily_burn_yuan'][0])} a day"
        + ("." if bought else ", after the rise: the articles do not show a rise bought by the peak spending.")
        + f"\n\n{_img('02_ad_spend_bubble', 'spend_timeline')}",
        f"## 3. What a user cost\n\nCNY 100m buys {_users(ads['users_per_100m_yuan'])} users at CNY "
        f"{ads['parameters']['cpa_yuan']:g} each; at {ads['parameters']['retention_30d']:.0%} 30-day retention a "
        f"user still there after a month costs **CNY {ads['cost_per_retained_user_yuan']:,.0f}**. The spend of "
        f"{ads['peak_window'][0]} to {ads['peak_window'][-1]} bought {_users(ads['users_bought_peak_window'])} users; "
        f"{who(ads['mau_after_peak_obs'])} counted {_users(ads['mau_after_peak'])} in "
        f"{when(ads['mau_after_peak_obs'])}.\n\n{_img('02_ad_spend_bubble', 'bought_vs_kept')}",
        f"## 4. The fall\n\n{dec['entity_name']} MAU on {dec['vendor_label']}: {_users(dec['peak_value'])} "
        f"({dec['peak_period']}) → {_users(dec['latest_value'])} ({dec['latest_period']}), "
        f"**{dec['peak_to_latest_change']:+.1%}**; fitted **{dec['monthly_change']:+.1%} a month** ({ci_text}, "
        f"n = {dec['n_fit']}), half-life {dec['half_life_months']:.1f} months.\n\n"
        f"{_img('01_user_decline', 'decay_fit')}",
        f"## 5. Down the rankings\n\nFrom {first_rank['text']} ({first_rank['period']}) to "
        f"{last_rank['text']} ({last_rank['period']}); every list differs, so each point keeps its own.\n\n"
        f"{_img('04_competitor_comparison', 'kimi_rank_history')}",
        f"## 6. The sustainability formula (article 003)\n\nrate = (paid revenue ÷ total cost) × (1 − ad share). "
        f"At a {sus['ad_share']:.0%} ad share Kimi keeps **{sus['ratio_to_threshold_firm']:.1%}** of the growth of "
        f"a firm at the {sus['alarm_threshold']:.0%} alarm line, and needs {sus['frontier_factor_at_share']:.2f}× "
        f"the revenue/cost ratio for the same rate.\n\n{_img('03_sustainability_formula', 'heatmap')}",
        f"## 7. What sustainability would take\n\nIf the undated {sus['ad_share']:.0%} share is taken as given, the "
        f"peak spend implies **{_cny(sus['implied_total_monthly_cost_yuan'])} a month** in total; covering it would "
        f"take **{_users(sus['paying_users_needed'])} paying users** at an assumed CNY "
        f"{sus['parameters']['price_per_paying_user_yuan']:g}, {sus['paying_share_of_mau']:.1%} of the MAU of "
        f"{when(sus['mau_obs'])} ({who(sus['mau_obs'])}). A scale, not a finding: that more than a quarter of "
        f"the users would have to pay is graded *{grade_words(r, 'paying_quarter_of_users')}* over the readings of "
        f"the contested inputs (notebook 05).\n\n{_img('03_sustainability_formula', 'paying_users')}",
        f"## 8. Where Kimi stands today\n\n{comp['metric'].upper()}, {comp['as_of']['label']}: "
        + ", ".join(f"{x['name']} {_users(x['value'])} (#{x['rank']})" for x in top)
        + f"; Kimi **{_users(comp['kimi_value'])} (#{comp['kimi_rank']})**. Doubao has "
        f"**{comp['ratio_to_kimi']['doubao']:.1f}×** Kimi's users.\n\n{_img('04_competitor_comparison', 'ranking')}",
        f"## 9. How sure we are\n\n{audit['n_conflicts']} conflicts between articles are kept side by side (not "
        f"resolved); {audit['n_suspicious']} values are flagged as doubtful. Of {sum(verdicts.values())} claims "
        f"recomputed, {verdicts.get('holds', 0)} hold, {verdicts.get('roughly holds', 0)} roughly hold, "
        f"{verdicts.get('fails', 0)} fail. {graded_sentence(conc)}\n\n{_img('05_conclusions', 'grades_deck')}",
    ]


def build_notebook():
    from nbformat.v4 import new_markdown_cell, new_notebook

    nb = new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    from kimi_research.data.loader import load

    results = _results()
    evidence = results[NOTEBOOKS[0]].get("parameters", {}).get("evidence", "articles")
    for md in slides_markdown(results, load().with_evidence(evidence)):
        cell = new_markdown_cell(md)
        cell.metadata = {"slideshow": {"slide_type": "slide"}}
        nb.cells.append(cell)
    return export.stable_ids(nb)  # the same results give the same deck, byte for byte


def build_summary_deck(offline: bool = True, out_dir: Path | None = None) -> Path:
    body, _ = export.slides_exporter(offline).from_notebook_node(build_notebook())
    return export.write((out_dir or paths.slides_dir()) / f"{NAME}.slides.html", body, title=TITLE)

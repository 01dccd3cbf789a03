"""No sentence of the README's findings or of the summary deck states more than its grade allows.

Each README finding sentence ends with ``<!-- finding: id=strength, ... -->``: the conclusions of notebook
05 it states and how strongly ("every": plainly; "unless": with its condition; "not_supported": only to
say the articles do not show it). The summary deck declares the same per slide
(``summary.slide_findings``). Both are checked against ``build/results/05_conclusions.json``.
"""

from __future__ import annotations

import re

import pytest

from kimi_research import paths
from kimi_research.analysis import conclusions as K
from kimi_research.orchestration import summary

pytestmark = pytest.mark.notebook
TAG = re.compile(r"<!--\s*finding:\s*(.*?)\s*-->", flags=re.S)
BANNED = [r"once the money stopped", r"growth was bought", r"money stopped"]


def findings_block() -> str:
    text = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"## What the collection finds\n(.*?)<!-- findings end -->", text, flags=re.S)
    assert section, "the README's findings must end with <!-- findings end -->"
    body = re.sub(r"<!--(?!\s*finding:).*?-->", "", section.group(1), flags=re.S)  # drop plain comments
    return body


def claims(block: str) -> list[tuple[str, dict[str, str]]]:
    """(sentence text, {conclusion id: claimed strength}) for each tagged sentence."""
    out = []
    parts = TAG.split(block)
    for text, tag in zip(parts[0::2], parts[1::2], strict=False):
        pairs = dict(p.strip().split("=") for p in tag.split(","))
        out.append((" ".join(text.split()), pairs))
    return out


@pytest.fixture(scope="module")
def grades(default_results) -> dict[str, str]:
    r = default_results("05_conclusions")
    return {c["id"]: c["grade_kind"] for c in r["conclusions"]}


def test_every_finding_sentence_is_tagged():
    block = findings_block()
    parts = TAG.split(block)
    assert len(parts) > 2, "no tagged finding"
    assert not parts[-1].strip(), f"a finding without a tag: {parts[-1].strip()[:80]!r}"
    for text in parts[0::2][:-1]:
        assert text.strip(), "a tag without a sentence"


def test_readme_findings_do_not_overstate(grades):
    problems = []
    for text, pairs in claims(findings_block()):
        for cid, claimed in pairs.items():
            assert cid in K.BY_ID, f"unknown conclusion {cid!r} in the README"
            assert claimed in K.GRADE_ORDER, f"unknown strength {claimed!r} for {cid}"
            if not K.allows(grades[cid], claimed):
                problems.append(f"{cid}: README states it as '{claimed}', notebook 05 grades it '{grades[cid]}': {text[:100]}")
    assert not problems, "\n".join(problems)


def test_readme_states_the_solved_ad_share_threshold(default_results):
    """The README's ad-share threshold is notebook 05's, solved (not the midpoint of two samples)."""
    r = default_results("05_conclusions")
    (t,) = next(c for c in r["conclusions"] if c["id"] == "under_half_growth")["thresholds"]
    assert f"at a share of {t['value']:.0%} or less (solved" in " ".join(findings_block().split())


def test_readme_states_the_repairs():
    text = " ".join(findings_block().split()).lower()
    for pattern in BANNED:
        assert not re.search(pattern, text), f"README findings still say {pattern!r}"


def _how_sure(slides: list[str]) -> str:
    return next(s for s in slides if "Checked figures, graded conclusions" in s)


def test_deck_does_not_overstate(default_results, ds, grades, monkeypatch):
    monkeypatch.setattr(summary, "figure_html", lambda *a, **k: "<figure></figure>")
    r = {n: default_results(n) for n in summary.NOTEBOOKS}
    slides = summary.slides_markdown(r, ds)
    declared = summary.slide_findings(r, ds)
    assert declared, "the deck declares the conclusions it states"
    for i, pairs in declared.items():
        for cid, claimed in pairs.items():
            assert K.allows(grades[cid], claimed), f"slide {i}: {cid} stated as {claimed}, graded {grades[cid]}"
    text = " ".join(slides).lower()
    # a slide may quote a statement only to say the evidence does not support it (and declares so)
    stating = " ".join(s for i, s in enumerate(slides) if declared.get(i, {}).get("growth_bought_timing") != "not_supported")
    if grades["growth_bought_timing"] != "every":
        assert "growth was bought" not in stating.lower()
    assert not re.search(r"once the money stopped|money stopped", text)
    for c in r["05_conclusions"]["conclusions"]:  # a conclusion that does not hold is never a slide's heading
        if c["grade_kind"] not in ("every", "unless"):
            assert f">{c['statement']}</h2>" not in " ".join(slides), c["id"]
    c = r["05_conclusions"]
    assert f"{c['n_scenarios']:,} scenarios" in _how_sure(slides)
    counts = c["grade_counts"]
    assert f"{counts['every']} of {len(c['conclusions'])} conclusions hold in every reading" in _how_sure(slides)
    assert not re.search(r"\d+% of the (readings|scenarios)|holds in \d+%", text)  # a share is never quoted


def test_the_decks_claim_counts_are_the_audits(default_results, live_ds, monkeypatch):
    """The 'how sure' slide counts the claims notebook 00 recomputes: an approximate word ('两个月左右') is read at its own
    precision, so c06 holds and one claim fails (the deck said 2)."""
    from kimi_research.analysis import claims

    monkeypatch.setattr(summary, "figure_html", lambda *a, **k: "<figure></figure>")
    r = {n: default_results(n) for n in summary.NOTEBOOKS}
    audit = r["00_data_audit"]
    v = claims.evaluate(live_ds.with_evidence(audit["parameters"]["evidence"]), audit["parameters"]["tolerance"])
    want = v["verdict"].value_counts()
    assert audit["verdict_counts"] == want.to_dict()
    assert audit["claims"]["c06"]["verdict"] == claims.HOLDS
    slide = _how_sure(summary.slides_markdown(r, live_ds))
    assert (
        f"{want.get(claims.HOLDS, 0)} hold, {want.get(claims.ROUGHLY, 0)} roughly hold, {want.get(claims.FAILS, 0)} fail" in slide
    )

"""The contributor path, end to end: a new source and its rows added to a copy of data/.

A synthetic web page (``s_test_synthetic``, an id no contributor will create) with an archived
text, and a second one with no archived text, are added to a copy of the live data exactly as the
"Adding a data point" in docs/data.md says. The copy must load, pass `check-data` and the quote check,
count a corroborated figure once, and run notebooks.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import kimi_research as kr
from kimi_research import paths
from kimi_research.analysis import decline
from kimi_research.data import provenance

from datafiles import add_row, add_source, check_data, mutate

PAGE = """QuestMobile: Kimi had 21.01 million monthly active users in December 2024.
In August 2030 豆包月活躍用戶規模達15743萬 (glosses removed here), and Kimi's MAU changed by -9.7% month on month.
Wenxiaoyan had 13.48 million monthly active users in December 2030.
"""


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("synthetic") / "data"
    shutil.copytree(paths.ROOT / "data", d)
    (d / "sources" / "s_test_synthetic.txt").write_text(PAGE, encoding="utf-8")
    add_source(
        d,
        "s_test_synthetic",
        language="en",
        script="mixed",
        archive="s_test_synthetic.txt",
        date_published="",
        date_inferred="false",
    )
    add_source(
        d,
        "s_test_synthetic_b",
        language="en",
        script="latin",
        archive="",
        date_published="2025-09",
        date_inferred="true",
        note="Synthetic; the month is our inference.",
    )
    # the same QuestMobile figure as the articles' 2101万 (o000_08), written in millions: one measurement
    add_row(
        d,
        "o_test_synthetic_01",
        entity="kimi",
        metric="mau",
        start="2024-12-01",
        end="2024-12-31",
        value="21.01",
        unit="million",
        value_text="21.01 million",
        vendor="questmobile",
        source="s_test_synthetic",
        quote="Kimi had 21.01 million monthly active users in December 2024.",
    )
    add_row(
        d,
        "o_test_synthetic_02",
        entity="doubao",
        metric="mau",
        start="2030-08-01",
        end="2030-08-31",
        value="15743",
        unit="万",
        value_text="15743萬",
        vendor="questmobile",
        source="s_test_synthetic",
        quote="豆包月活躍用戶規模達15743萬",
    )
    add_row(
        d,
        "o_test_synthetic_03",
        entity="kimi",
        metric="mau_change",
        start="2030-07-01",
        end="2030-08-31",
        value="-9.7",
        unit="%",
        value_text="-9.7%",
        vendor="questmobile",
        source="s_test_synthetic",
        quote="Kimi's MAU changed by -9.7% month on month.",
        value_kind="change",
    )
    # an alias in the entity column; a source with no archived text
    add_row(
        d,
        "o_test_synthetic_04",
        entity="Wenxiaoyan",
        metric="mau",
        start="2030-12-01",
        end="2030-12-31",
        value="13.48",
        unit="million",
        value_text="13.48 million",
        vendor="AI产品榜",
        source="s_test_synthetic_b",
        quote="Wenxiaoyan had 13.48 million monthly active users",
        flags="entity_implicit",
        note="Synthetic: the page names the app only in its title.",
    )
    return d


def test_loads_with_the_new_source(synthetic):
    live = kr.load(paths.ROOT / "data")
    ds = kr.load(synthetic, cache=False)
    assert len(ds.sources) == len(live.sources) + 2
    assert len(ds.observations) == len(live.observations) + 4
    assert ds.observations.at["o_test_synthetic_04", "entity"] == "wenxin"
    assert ds.observations.at["o_test_synthetic_04", "vendor"] == "aicpb"
    assert ds.observations.at["o_test_synthetic_01", "base_value"] == ds.observations.at["o000_08", "base_value"]
    assert ds.with_evidence("articles").observations.index.equals(live.with_evidence("articles").observations.index)


def test_quote_check_found_and_no_archive(synthetic):
    ds = kr.load(synthetic, cache=False)
    q = provenance.quote_status(ds).set_index("id")
    assert q.at["o_test_synthetic_01", "status"] == provenance.FOUND
    assert q.at["o_test_synthetic_02", "status"] == provenance.FOUND
    assert q.at["o_test_synthetic_04", "status"] == provenance.NO_ARCHIVE
    assert (q["status"] != provenance.NOT_FOUND).all()


def test_check_data_passes(synthetic):
    r = check_data(synthetic)
    assert r.returncode == 0, r.stdout + r.stderr
    live = check_data(paths.ROOT / "data").stdout
    n_live = int(re.search(r"(\d+) without archived text", live).group(1))
    assert f"0 not found, {n_live + 1} without archived text" in r.stdout  # the source without a text


def test_check_data_catches_a_quote_that_is_not_in_the_page(synthetic, tmp_path):
    d = tmp_path / "data"
    shutil.copytree(synthetic, d)
    mutate("observations", "o_test_synthetic_01", quote="Kimi had 21.01 million users")(d)
    r = check_data(d)
    assert r.returncode == 1 and "o_test_synthetic_01: quote not found in the archived text of s_test_synthetic" in r.stdout


def test_a_corroborated_figure_counts_once(synthetic, live_ds, analysed):
    live = live_ds
    ds = kr.load(synthetic, cache=False)
    m = ds.measurements()
    assert len(m) == len(live.measurements()) + 3  # four rows, one of them corroborates o000_08
    kept = ds.observations.at["o_test_synthetic_01", "measurement"]
    live_sources = live.measurements().at[live.observations.at["o000_08", "measurement"], "n_sources"]
    assert m.at[kept, "n_sources"] == live_sources + 1 and "s_test_synthetic" in m.at[kept, "source_ids"]
    s = ds.level_series("kimi", "mau", "questmobile")
    assert s["period_start"].is_unique and "o_test_synthetic_03" not in s.index  # a change is not a level
    # the decay fit of notebook 01 is the same with the corroborating row as without it
    before, P = analysed("01_user_decline", live, {"evidence": "all"})  # the synthetic source is tier 2
    before, after = before.decay.fit, decline.analyse(ds, P).decay.fit
    assert after.n == before.n
    assert after.monthly_change == pytest.approx(before.monthly_change)
    assert after.monthly_change_ci == pytest.approx(before.monthly_change_ci)


@pytest.mark.notebook
@pytest.mark.parametrize("name", ["00_data_audit", "01_user_decline"])
def test_notebooks_run_on_the_copy(synthetic, run_notebook, monkeypatch, name):
    monkeypatch.setenv("KIMI_RESEARCH_DATA_DIR", str(synthetic))
    run = run_notebook(name)
    assert run.returncode == 0, run.output[-3000:]
    assert run.results is not None

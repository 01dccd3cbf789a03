# ruff: noqa: E501  (the expected messages are kept whole, one per line)
"""Fault injection on the data layer (issues 12 and 14): each bad input gives ONE clear message.

Every case breaks a copy of the frozen fixture data (tests/fixtures/data) in one way and asserts
the exact message the loader gives: the file, the line, the column, the value as written (an empty
cell shown as empty), what was expected and, where it helps, the fix. No case may end in a
traceback, and every case must be reported once (one file, one problem).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import kimi_research as kr
from kimi_research import paths
from kimi_research.errors import DataError

from datafiles import FROZEN_DATA, add_row, add_source, check_data, mutate, rows, write


def lines_edit(table, fn):
    def f(d):
        p = d / f"{table}.csv"
        L = p.read_text(encoding="utf-8").split("\n")
        fn(L)
        p.write_text("\n".join(L), encoding="utf-8")

    return f


def header_only(table):
    def f(d):
        p = d / f"{table}.csv"
        p.write_text(p.read_text(encoding="utf-8").split("\n")[0] + "\n", encoding="utf-8")

    return f


def as_dir(table):
    def f(d):
        (d / f"{table}.csv").unlink()
        (d / f"{table}.csv").mkdir()

    return f


def missing(table):
    return lambda d: (d / f"{table}.csv").unlink()


def stray_quote(L):
    L[10] = L[10] + '"'
    L[14] = L[14] + '"'


def line_break(L):
    # a note with a line break (quoted), nothing that looks like a row inside
    L[5] = L[5] + '"\nsecond line of the note"'


def quote_in_row(L):
    L[7] = L[7].rsplit(",", 1)[0] + 'x"y'  # one field fewer, and a stray quote mark in it


def nul(L):
    L[20] = L[20] + "\x00"


def alias_twice(d):
    p = d / "entities.csv"
    h, data = rows(p)
    for r in data:
        if r["entity_id"] in ("kimi", "doubao"):
            r["aliases"] = "Assistant"
    write(p, h, data)


CASES = {
    # issue 14.1: values checked for sense
    "negative_value": mutate("observations", "o004_17", value="-992.6"),
    "sign_lost": mutate("observations", "o004_18", value="30"),
    "full_width_digits": mutate("observations", "o001_13", value="２.２"),
    "underscore_digits": mutate("observations", "o001_13", value="2_2"),
    "exponent": mutate("observations", "o001_13", value="2.2e0"),
    "magnitude": mutate("observations", "o001_13", value="22"),
    "nul_byte": lines_edit("observations", nul),
    "duration_zero": mutate("observations", "o002_07", duration_days="0"),
    "duration_negative": mutate("observations", "o002_07", duration_days="-3"),
    "duration_fraction": mutate("observations", "o002_07", duration_days="2.5"),
    "impossible_period_date": mutate("observations", "o001_13", period_start="2024-02-30", period_end="2024-10-31"),
    "impossible_published_date": mutate("sources", "s001", date_published="2025-13-45"),
    "impossible_accessed_date": mutate("sources", "s001", date_accessed="2025-02-29"),
    "impossible_event_date": mutate("events", "e_gpt5", date="2025-00-10"),
    "empty_required_cell": mutate("observations", "o001_13", quote=""),
    "unit_traditional": mutate("observations", "o002_03", unit="萬"),
    "unit_dimension": mutate("observations", "o003_12", unit="亿美元"),
    # issue 21.1: the unit is read from value_text
    "unit_magnitude_contradicts_text": mutate("observations", "o004_17", unit="亿"),
    "unit_magnitude_not_written": mutate("observations", "o000_13", unit="万元"),
    "unit_currency_contradicts_text": mutate(
        "observations", "o000_13", value_text="30美元", quote="单用户获客成本（CPA）为30美元"
    ),
    "percent_as_ratio": mutate("observations", "o003_14", unit="ratio"),
    "multiple_as_percent": mutate("observations", "o002_02", unit="%"),
    "rank_read_as_other_number": mutate("observations", "o004_13", value="3"),
    "word_without_number": mutate("observations", "o004_17", value_text="several", quote="下降至第三季度的several"),
    "range_of_two_magnitudes": mutate(
        "observations",
        "o004_17",
        value="8000",
        value_high="1.2",
        qualifier="range",
        value_text="8000万-1.2亿",
        quote="下降至第三季度的8000万-1.2亿",
    ),
    # issue 21.6: line endings
    "cr_only_line_endings": lines_edit("observations", lambda L: L.__setitem__(slice(None), ["\r".join(L)])),
    "stray_carriage_return": lines_edit("observations", lambda L: L.__setitem__(40, L[40].replace(",", ",\r", 1))),
    # issue 14.3: no silent row loss
    "stray_quote_swallows_rows": lines_edit("observations", stray_quote),
    "line_break_in_field": lines_edit("entities", line_break),
    "quote_mark_and_missing_field": lines_edit("metrics", quote_in_row),
    # issue 14.4: one message, never a traceback
    "oversized_field": mutate("observations", "o001_13", quote="x" * 1_000_000),
    "table_is_directory": as_dir("observations"),
    "missing_file": missing("claims"),
    "header_only_entities": header_only("entities"),
    "header_only_observations": header_only("observations"),
    "claim_syntax_error": mutate("claims", "c02", expression="(o004_17 / o004_16 - 1"),
    "claim_division_by_zero": mutate("claims", "c02", expression="o004_17 / (o004_16 - o004_16)"),
    "claim_disallowed_call": mutate("claims", "c02", expression="__import__('os').getcwd()"),
    "claim_attribute": mutate("claims", "c02", expression="o004_17.real"),
    "claim_unknown_id": mutate("claims", "c02", expression="o004_99 / o004_16 - 1"),
    "claim_no_value": mutate("claims", "c02", expression="o004_17_pm / o004_16 - 1"),
    "claim_huge": mutate("claims", "c02", expression="10 ** 10 ** 10"),
    # issue 12: contributor tooling
    "entity_typo": mutate("observations", "o002_03", entity="kimmi"),
    "vendor_typo": mutate("observations", "o000_06", vendor="questmobil"),
    "value_kind_unknown": mutate("observations", "o004_17", value_kind="average"),
    "quarter_mau_as_month": mutate("observations", "o004_17", value_kind="period_value"),
    "same_as_other_metric": mutate("observations", "o002_03", same_as="o001_13"),
    "same_as_cycle": mutate("observations", "o000_10", same_as="o003_01"),
    "archive_missing": mutate("sources", "s001", archive="not_here.txt"),
    "tier_unknown": mutate("sources", "s001", tier="3"),
    "script_unknown": mutate("sources", "s001", script="cyrillic"),
    "entity_implicit_without_note": mutate("observations", "o004_01", flags="entity_implicit", note=""),
    "alias_claimed_twice": alias_twice,
}


EXPECTED = {
    "negative_value": (
        "<data>/observations.csv: 1 problem(s)\n"
        "  line 96, column 'value': value '-992.6': expected the number(s) written in value_text (value, and value_high for a range); value_text '992.6万' reads 992.6"
    ),
    "sign_lost": (
        "<data>/observations.csv: 1 problem(s)\n"
        "  line 97, column 'value': value '30': expected the number(s) written in value_text (value, and value_high for a range); value_text '下降约30%' reads -30"
    ),
    "full_width_digits": (
        "<data>/observations.csv: 1 problem(s)\n"
        "  line 34, column 'value': value '２.２': expected a number written with ASCII digits (-12.5; no thousands separator, no 1e3, no 2_2)"
    ),
    "underscore_digits": (
        "<data>/observations.csv: 1 problem(s)\n"
        "  line 34, column 'value': value '2_2': expected a number written with ASCII digits (-12.5; no thousands separator, no 1e3, no 2_2)"
    ),
    "exponent": (
        "<data>/observations.csv: 1 problem(s)\n"
        "  line 34, column 'value': value '2.2e0': expected a number written with ASCII digits (-12.5; no thousands separator, no 1e3, no 2_2)"
    ),
    "magnitude": (
        "<data>/observations.csv: 1 problem(s)\n"
        "  line 34, column 'value': value '22': expected the number(s) written in value_text (value, and value_high for a range); value_text '2.2亿元' reads 2.2"
    ),
    "nul_byte": (
        "<data>/observations.csv: 1 problem(s)\n"
        "  line 21: expected text without NUL bytes (\\x00); the file may be binary or damaged"
    ),
    "duration_zero": (
        "<data>/observations.csv: 1 problem(s)\n  line 45, column 'duration_days': value '0': expected a whole number > 0"
    ),
    "duration_negative": (
        "<data>/observations.csv: 1 problem(s)\n  line 45, column 'duration_days': value '-3': expected a whole number > 0"
    ),
    "duration_fraction": (
        "<data>/observations.csv: 1 problem(s)\n  line 45, column 'duration_days': value '2.5': expected a whole number > 0"
    ),
    "impossible_period_date": (
        "<data>/observations.csv: 1 problem(s)\n"
        "  line 34, column 'period_start': value '2024-02-30': expected a real date YYYY-MM-DD"
    ),
    "impossible_published_date": (
        "<data>/sources.csv: 1 problem(s)\n"
        "  line 3, column 'date_published': value '2025-13-45': expected a real date YYYY-MM-DD (or YYYY-MM, YYYY when only that is known)"
    ),
    "impossible_accessed_date": (
        "<data>/sources.csv: 1 problem(s)\n  line 3, column 'date_accessed': value '2025-02-29': expected a real date YYYY-MM-DD"
    ),
    "impossible_event_date": (
        "<data>/events.csv: 1 problem(s)\n  line 20, column 'date': value '2025-00-10': expected a real date YYYY-MM-DD"
    ),
    "empty_required_cell": (
        "<data>/observations.csv: 1 problem(s)\n  line 34, column 'quote': empty cell: expected a value (this column is required)"
    ),
    "unit_traditional": (
        "<data>/observations.csv: 1 problem(s)\n"
        "  line 41, column 'unit': value '萬': expected '万' (the nearest allowed value) or one of: count, 万, 百万, million, 千万, billion, 亿, 千亿, 万亿, 元, 万元, 百万元, million CNY, 千万元, 亿元, billion CNY, 美元, USD, 万美元, million USD, 亿美元, billion USD, %, 倍, ratio, 千字, 万字, tokens, 万tokens, rank, 月, 天; or add the unit to UNITS in lib/kimi_research/data/units.py"
    ),
    "unit_dimension": (
        "<data>/observations.csv: 1 problem(s)\n"
        "  line 73, column 'unit': value '亿美元': expected a unit whose dimension matches the metric's dimension (metrics.csv)"
    ),
    "unit_magnitude_contradicts_text": (
        "<data>/observations.csv: 1 problem(s)\n"
        "  line 96, column 'unit': value '亿': expected the magnitude value_text writes: '992.6万' writes 万 (×10,000), unit '亿' is ×100,000,000 (the value would be 10,000 times too large); write unit '万'"
    ),
    "unit_magnitude_not_written": (
        "<data>/observations.csv: 1 problem(s)\n"
        "  line 14, column 'unit': value '万元': expected the magnitude value_text writes: '30元' writes no magnitude word (万, 亿, million ...), unit '万元' is ×10,000 (the value would be 10,000 times too large); write unit '元'"
    ),
    "unit_currency_contradicts_text": (
        "<data>/observations.csv: 1 problem(s)\n"
        "  line 14, column 'unit': value '元': expected the unit value_text writes: '30美元' writes '美元' (a USD amount), unit '元' is a CNY amount; write unit '美元', and check the metric (it is measured in CNY)"
    ),
    "percent_as_ratio": (
        "<data>/observations.csv: 1 problem(s)\n"
        "  line 75, column 'unit': value 'ratio': expected the unit value_text writes: '70%' writes '%' (a percentage), unit 'ratio' is a plain number; write unit '%'"
    ),
    "multiple_as_percent": (
        "<data>/observations.csv: 1 problem(s)\n"
        "  line 40, column 'unit': value '%': expected the unit value_text writes: '9倍' writes '倍' (a multiple), unit '%' is a percentage; write unit '倍'"
    ),
    "rank_read_as_other_number": (
        "<data>/observations.csv: 1 problem(s)\n"
        "  line 92, column 'value': value '3': expected the number(s) written in value_text (value, and value_high for a range); value_text '第四' reads 4"
    ),
    "word_without_number": (
        "<data>/observations.csv: 1 problem(s)\n"
        "  line 96, column 'value': value '992.6': expected the number(s) written in value_text (value, and value_high for a range); no number was read from value_text 'several' (read are: digits, Chinese numerals 一…百, 第N, 前N, 数/几, a bare 万/亿, English one…twenty and first…twentieth, 翻倍); write value_text as the quote writes the number"
    ),
    "range_of_two_magnitudes": (  # and, read in one unit, its high end is below its low end
        "<data>/observations.csv: 2 problem(s)\n"
        "  line 96, column 'unit': value '万': expected one unit for value_text '8000万-1.2亿', which writes a range whose ends carry different magnitudes (万 and 亿); a row has one unit: write the range in two rows (qualifier >= and <=) with their own value_text\n"
        "  line 96, column 'value_high': value '1.2': expected value_high > value exactly when qualifier is 'range'"
    ),
    "cr_only_line_endings": (
        "<data>/observations.csv: its lines end with a carriage return alone (CR, \\r: the old Mac OS line ending), so the file reads as a single line; expected LF (Unix) or CRLF (Windows) line endings: re-save it with Unix (LF) line endings"
    ),
    "stray_carriage_return": (
        "<data>/observations.csv: 1 problem(s) (line endings)\n"
        "  line 41: expected a line ended by LF or CRLF; it holds a carriage return alone (CR, \\r: the old Mac OS line ending), which splits it in two: re-save the file with Unix (LF) line endings"
    ),
    "stray_quote_swallows_rows": (
        "<data>/observations.csv: 1 problem(s) (malformed rows)\n"
        "  line 11: expected one line per row: a quoted field opened on line 11 only closes on line 13; line 12 looks like a row of its own and was swallowed (a stray '\"'? a '\"' inside a field is written '\"\"'; fields cannot hold line breaks)"
    ),
    "line_break_in_field": (
        "<data>/entities.csv: 1 problem(s) (malformed rows)\n"
        "  line 6: expected one line per row: a quoted field opened on line 6 only closes on line 7 (a stray '\"'? a '\"' inside a field is written '\"\"'; fields cannot hold line breaks)"
    ),
    "quote_mark_and_missing_field": (
        "<data>/metrics.csv: 1 problem(s) (malformed rows)\n"
        "  line 8: value \"download_rank,Rank by downloads,Position in a vendor's downl\": expected 6 fields, found 5 (a '\"' inside a field is written '\"\"', or the field is wrapped in quotes)"
    ),
    "oversized_field": (
        "<data>/observations.csv: 1 problem(s) (malformed rows)\n"
        "  line 34, column 'quote': value 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...': expected at most 20,000 characters, found 1,000,000"
    ),
    "table_is_directory": ("<data>/observations.csv: is a directory; expected a CSV file (move or rename the directory)"),
    "missing_file": (
        "<data>/claims.csv: file not found; expected a CSV file with the columns: claim_id, source_id, statement, quote, expression, relation, target, note"
    ),
    "header_only_entities": (
        "<data>/entities.csv: has a header but no rows; the other tables refer to its rows (restore it, e.g. `git checkout <data>/entities.csv`)"
    ),
    "header_only_observations": (
        "<data>/observations.csv: has a header but no rows; the other tables refer to its rows (restore it, e.g. `git checkout <data>/observations.csv`)"
    ),
    "claim_syntax_error": (
        "<data>/claims.csv: 1 problem(s)\n"
        "  line 3, column 'expression': value '(o004_17 / o004_16 - 1': expected arithmetic over ids; found a syntax error at character 1 ('(' was never closed)"
    ),
    "claim_division_by_zero": (
        "<data>/claims.csv: 1 problem(s)\n"
        "  line 3, column 'expression': value 'o004_17 / (o004_16 - o004_16)': expected an expression that can be evaluated; found a division by zero in o004_17 / (o004_16 - o004_16)"
    ),
    "claim_disallowed_call": (
        "<data>/claims.csv: 1 problem(s)\n"
        "  line 3, column 'expression': value \"__import__('os').getcwd()\": expected arithmetic over ids; found a call of __import__('os').getcwd(), which is not allowed (only numbers, ids, + - * / **, min(), max(), abs())"
    ),
    "claim_attribute": (
        "<data>/claims.csv: 1 problem(s)\n"
        "  line 3, column 'expression': value 'o004_17.real': expected arithmetic over ids; found an attribute (o004_17.real), which is not allowed (only numbers, ids, + - * / **, min(), max(), abs())"
    ),
    "claim_unknown_id": (
        "<data>/claims.csv: 1 problem(s)\n"
        "  line 3, column 'expression': value 'o004_99': expected an obs_id from observations.csv (optionally with _hi or _pm), an event_id from events.csv, or DAYS_PER_MONTH"
    ),
    "claim_no_value": (
        "<data>/claims.csv: 1 problem(s)\n"
        "  line 3, column 'expression': value 'o004_17_pm / o004_16 - 1': expected an expression that can be evaluated; found 'o004_17_pm' has no value (a per-month value of a row that is not a flow?)"
    ),
    "claim_huge": (
        "<data>/claims.csv: 1 problem(s)\n"
        "  line 3, column 'expression': value '10 ** 10 ** 10': expected an expression that can be evaluated; found an overflow in 10 ** 10 ** 10"
    ),
    "entity_typo": (
        "<data>/observations.csv: 1 problem(s)\n"
        "  line 41, column 'entity': value 'kimmi': expected 'kimi' (the nearest allowed value) or one of: moonshot, bytedance, alibaba, tencent, baidu, ant_group, deepseek_co, openai, minimax, zhipu, baichuan, lingyi, iflytek, nvidia, tsmc, volcano_engine, bilibili, hugging_face, kimi, doubao, deepseek, yuanbao, qwen, quark, ant_afu, wenxin, lingguang, chatgpt, kimi_k1_5, kimi_k2, kimi_audio, kimi_researcher, deepseek_r1, deepseek_v3_0324, deepseek_r1_0528, doubao_1_6, qwen2_5_turbo, minimax_text_01, minimax_vl_01, gpt_5, questmobile, aicpb, appgrowing, qimai, aifenxi, hays, industry, a_share_market; or add the entity to data/entities.csv (or this name to the aliases of an entity)"
    ),
    "vendor_typo": (
        "<data>/observations.csv: 1 problem(s)\n"
        "  line 7, column 'vendor': value 'questmobil': expected 'questmobile' (the nearest allowed value) or one of: questmobile, aicpb, appgrowing, qimai, aifenxi, hays; or add the firm to data/entities.csv with kind 'firm'"
    ),
    "value_kind_unknown": (
        "<data>/observations.csv: 1 problem(s)\n"
        "  line 96, column 'value_kind': value 'average': expected 'monthly_average' (the nearest allowed value) or one of: period_value, monthly_average, end_value, change, cumulative"
    ),
    "quarter_mau_as_month": (
        "<data>/observations.csv: 1 problem(s)\n"
        "  line 96, column 'value_kind': value 'period_value': expected monthly_average (or end_value) for an MAU over more than one month: an MAU is a month's value"
    ),
    "same_as_other_metric": (
        "<data>/observations.csv: 1 problem(s)\n"
        "  line 41, column 'same_as': value 'o001_13': expected the obs_id of another row with the same entity and metric (and no same_as cycle)"
    ),
    "same_as_cycle": (
        "<data>/observations.csv: 2 problem(s)\n"
        "  line 11, column 'same_as': value 'o003_01': expected the obs_id of another row with the same entity and metric (and no same_as cycle)\n"
        "  line 62, column 'same_as': value 'o000_10': expected the obs_id of another row with the same entity and metric (and no same_as cycle)"
    ),
    "archive_missing": (
        "<data>/sources.csv: 1 problem(s)\n"
        "  line 3, column 'archive': value 'not_here.txt': expected a file in <data>/sources/ (copy the full text there, or leave archive empty when only the quotes exist)"
    ),
    "tier_unknown": ("<data>/sources.csv: 1 problem(s)\n  line 3, column 'tier': value '3': expected one of: 1, 2"),
    "script_unknown": (
        "<data>/sources.csv: 1 problem(s)\n"
        "  line 3, column 'script': value 'cyrillic': expected one of: simplified, traditional, latin, mixed"
    ),
    "entity_implicit_without_note": (
        "<data>/observations.csv: 1 problem(s)\n"
        "  line 80, column 'note': empty cell: expected a note saying how we know the entity when flags has 'entity_implicit'"
    ),
    "alias_claimed_twice": (
        "<data>/entities.csv: 1 problem(s)\n"
        "  line 21, column 'aliases': value 'Assistant': expected an alias used by one entity only (line 20 has it too)"
    ),
}


def test_every_case_has_an_expected_message():
    assert set(CASES) == set(EXPECTED)


@pytest.fixture
def broken(tmp_path):
    def _make(case: str) -> Path:
        d = tmp_path / "data"
        shutil.copytree(FROZEN_DATA, d)
        CASES[case](d)
        return d

    return _make


@pytest.mark.parametrize("case", list(CASES))
def test_one_clear_message(broken, case):
    d = broken(case)
    with pytest.raises(DataError) as e:
        kr.load(d, cache=False)
    msg = str(e.value).replace(str(d), "<data>")
    assert msg == EXPECTED[case]
    lines = msg.splitlines()
    # one problem, reported once: a single-line message, or a count line and one problem line
    # (a same_as cycle names both rows of the cycle; a range in two magnitudes is also out of order)
    n = 2 if case in ("same_as_cycle", "range_of_two_magnitudes") else 1
    assert len(lines) in (1, n + 1), msg
    assert "Traceback" not in msg and "'nan'" not in msg and "None" not in msg


def test_alias_is_resolved(tmp_path):
    d = tmp_path / "alias"
    shutil.copytree(FROZEN_DATA, d)
    mutate("observations", "o002_03", entity="Kimi智能助手")(d)
    mutate("observations", "o000_06", vendor="Quest Mobile")(d)
    ds = kr.load(d, cache=False)
    assert ds.observations.at["o002_03", "entity"] == "kimi"
    assert ds.observations.at["o000_06", "vendor"] == "questmobile"


def test_decimal_comma_pages(tmp_path):
    """A French page writes 33,7 millions: read as 33.7 for a source whose language is fr."""
    d = tmp_path / "data"
    shutil.copytree(FROZEN_DATA, d)
    add_source(d, "s_test_fr", language="fr", script="latin", archive="")
    add_row(
        d,
        "o_test_fr_01",
        entity="deepseek",
        metric="mau",
        start="2025-01-01",
        end="2025-01-31",
        value="33.7",
        unit="million",
        value_text="33,7 millions",
        vendor="aicpb",
        source="s_test_fr",
        quote="DeepSeek rattrape rapidement son retard néanmoins, avec 33,7 millions d’utilisateurs le mois dernier.",
    )
    ds = kr.load(d, cache=False)
    assert ds.observations.at["o_test_fr_01", "base_value"] == pytest.approx(3.37e7)
    mutate("sources", "s_test_fr", language="en")(d)
    with pytest.raises(DataError, match="the number"):
        kr.load(d, cache=False)


def test_unreadable_file(tmp_path, monkeypatch):
    d = tmp_path / "data"
    shutil.copytree(FROZEN_DATA, d)
    real = Path.read_bytes

    def deny(self):
        if self.name == "events.csv":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", deny)
    with pytest.raises(DataError) as e:
        kr.load(d, cache=False)
    assert (
        str(e.value).replace(str(d), "<data>") == "<data>/events.csv: cannot be read (Permission denied); check its permissions"
    )


# --- make check-data ------------------------------------------------------------------------------
@pytest.mark.make
def test_check_data_passes_on_the_data_and_is_fast():
    t0 = time.perf_counter()
    r = subprocess.run(
        [sys.executable, "-m", "kimi_research", "check-data", "--data-dir", str(paths.ROOT / "data")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=paths.ROOT,
    )
    elapsed = time.perf_counter() - t0
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.rstrip().endswith("ok") and "0 not found" in r.stdout and r.stderr == ""
    assert elapsed < 15  # about a second on an idle machine; generous for a loaded test runner


def test_check_data_passes_on_the_data_in_process():
    r = check_data(paths.ROOT / "data")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.rstrip().endswith("ok") and "0 not found" in r.stdout and r.stderr == ""


def test_check_data_reports_every_file_once(tmp_path):
    d = tmp_path / "data"
    shutil.copytree(FROZEN_DATA, d)
    mutate("observations", "o002_03", entity="kimmi")(d)
    mutate("events", "e_gpt5", date="2025-08-32")(d)
    r = check_data(d)
    assert r.returncode == 1 and r.stderr == ""
    out = r.stdout.replace(str(d), "<data>")
    assert out.count("<data>/observations.csv: 1 problem(s)") == 1
    assert out.count("<data>/events.csv: 1 problem(s)") == 1
    assert "value 'kimmi': expected 'kimi' (the nearest allowed value)" in out
    assert "or add the entity to data/entities.csv" in out
    assert "value '2025-08-32': expected a real date YYYY-MM-DD" in out
    assert "2 problem(s) in 2 file(s)" in out and "Traceback" not in out


def test_check_data_quote_not_found(tmp_path):
    d = tmp_path / "data"
    shutil.copytree(FROZEN_DATA, d)
    mutate("observations", "o001_14", quote="11月达到2亿元人民币", value_text="2亿元")(d)
    r = check_data(d)
    assert r.returncode == 1
    assert "observations.csv: o001_14: quote not found in the archived text of s001" in r.stdout
    assert "1 not found" in r.stdout and "1 problem(s)." in r.stdout


def test_check_data_not_a_folder(tmp_path):
    r = check_data(tmp_path / "nowhere")
    assert r.returncode == 1 and "not a folder" in r.stdout and r.stderr == ""


def test_check_data_lists_every_problem_of_a_row(tmp_path):
    """Issue 21.6: three faults in one row (a wrong value, a unit that contradicts value_text, a
    quote missing from the archived article) are all named, not only the first."""
    d = tmp_path / "data"
    shutil.copytree(FROZEN_DATA, d)
    mutate("observations", "o004_17", value="99.26", unit="亿", quote="Kimi月活跌到992.6万")(d)
    r = check_data(d)
    assert r.returncode == 1 and r.stderr == ""
    out = r.stdout.replace(str(d), "<data>")
    assert out.startswith("<data>/observations.csv: 3 problem(s)\n")
    problems = [line for line in out.splitlines() if line.startswith("  line 96, ")]
    assert [p.split(":")[0] for p in problems] == [
        "  line 96, column 'quote'",
        "  line 96, column 'unit'",
        "  line 96, column 'value'",
    ]
    assert "value 'Kimi月活跌到992.6万': expected text found in the archived text of s004" in problems[0]
    assert "'992.6万' writes 万 (×10,000), unit '亿' is ×100,000,000" in problems[1] and "write unit '万'" in problems[1]
    assert "value_text '992.6万' reads 992.6" in problems[2]
    assert "3 problem(s) in 1 file(s)" in out


def test_unit_contradicting_text_stops_check_data_and_load(tmp_path):
    """The issue's case: o004_17's unit changed from 万 to 亿 while value_text stays '992.6万'
    (today's loader would publish 'Kimi MAU 99.3bn')."""
    d = tmp_path / "data"
    shutil.copytree(FROZEN_DATA, d)
    mutate("observations", "o004_17", unit="亿")(d)
    r = check_data(d)
    assert r.returncode == 1
    assert "line 96, column 'unit': value '亿': expected the magnitude value_text writes: '992.6万'" in r.stdout
    with pytest.raises(DataError, match=r"line 96, column 'unit': value '亿'"):
        kr.load(d, cache=False)


def test_check_data_cr_only_file(tmp_path):
    d = tmp_path / "data"
    shutil.copytree(FROZEN_DATA, d)
    p = d / "events.csv"
    p.write_bytes(p.read_bytes().replace(b"\n", b"\r"))
    r = check_data(d)
    assert r.returncode == 1 and r.stderr == ""
    assert "events.csv: its lines end with a carriage return alone (CR, \\r: the old Mac OS line ending)" in r.stdout
    assert "quote" not in r.stdout  # not the old message about quotes


def test_crlf_line_endings_load(tmp_path):
    d = tmp_path / "data"
    shutil.copytree(FROZEN_DATA, d)
    p = d / "observations.csv"
    p.write_bytes(p.read_bytes().replace(b"\n", b"\r\n"))
    assert len(kr.load(d, cache=False).observations) == len(kr.load(FROZEN_DATA, cache=False).observations)


# value_text forms whose unit is implicit or written in another way, each accepted with the base
# value this table gives (written here, not computed by the code under test)
ACCEPTED_FORMS = [
    # row, value_text, value, unit, qualifier, base value
    ("o004_17", "2101万", "2101", "万", "=", 21_010_000),
    ("o004_17", "992.6萬", "992.6", "万", "=", 9_926_000),  # traditional 萬, simplified unit
    ("o003_12", "1.24亿", "1.24", "亿元", "=", 124_000_000),  # 元 from the metric (ad spend is CNY)
    ("o003_12", "1.24億", "1.24", "亿元", "=", 124_000_000),
    ("o003_12", "12400万", "12400", "万元", "=", 124_000_000),
    ("o000_13", "30元", "30", "元", "=", 30),
    ("o000_13", "¥30", "30", "元", "=", 30),
    ("o000_13", "30 yuan", "30", "元", "=", 30),
    ("o004_04", "$1 billion", "1", "billion USD", ">", 1_000_000_000),
    ("o004_04", "US$1.5 billion", "1.5", "billion USD", ">", 1_500_000_000),
    ("o003_14", "70%", "70", "%", "=", 0.7),
    ("o003_14", "百分之七十", "70", "%", "=", 0.7),
    ("o004_13", "第四", "4", "rank", "=", 4),
    ("o004_13", "fourth", "4", "rank", "=", 4),
    ("o004_13", "4th", "4", "rank", "=", 4),
    ("o004_10", "top 3", "3", "rank", "<=", 3),
    ("o002_02", "翻倍", "2", "倍", "=", 2),
    ("o002_02", "超20倍", "20", "倍", ">", 20),
]


@pytest.mark.parametrize("oid,text,value,unit,qualifier,base", ACCEPTED_FORMS)
def test_accepted_unit_forms(tmp_path, oid, text, value, unit, qualifier, base):
    d = tmp_path / "data"
    shutil.copytree(FROZEN_DATA, d)
    mutate("observations", oid, value_text=text, quote=f"据报道为{text}", value=value, unit=unit, qualifier=qualifier)(d)
    ds = kr.load(d, cache=False)
    assert ds.observations.at[oid, "base_value"] == pytest.approx(base, rel=1e-12)

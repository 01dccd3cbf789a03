"""Provenance: is every quote in the archived text of its source?

Each source in ``sources.csv`` may name an ``archive``: a file under ``data/sources/`` holding
its full text (the tier-1 articles are kept there byte for byte). A quote is then

* ``found``: a substring of its source's archived text, white space folded (for a quote flagged
  ``gloss_removed``, the archived text is compared with its pinyin glosses removed too);
* ``not found``: the source has an archived text and the quote is not in it — an error;
* ``no archived text``: the source has no archive (a web page read online); the quote is kept
  as the only excerpt and cannot be checked here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from kimi_research import paths

FOUND, NOT_FOUND, NO_ARCHIVE = "found", "not found", "no archived text"
STATUSES = (FOUND, NOT_FOUND, NO_ARCHIVE)
QUOTED_TABLES = ("observations", "events", "claims", "capabilities")
# a pinyin gloss in brackets after a character: 萬(wàn), 節(jié)
_GLOSS = re.compile(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ\s]+[)）]")


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def strip_glosses(text: str) -> str:
    return _GLOSS.sub("", text)


def archive_dir(ds) -> Path:
    """Where the archived texts are: KIMI_RESEARCH_SEEDS_DIR, else <data dir>/sources."""
    return paths.seeds_dir(ds.data_dir)


def quote_status(ds, archive: Path | None = None) -> pd.DataFrame:
    """One row per quote of every table: table, id, source_id, status, found.

    ``found`` is a nullable boolean: True (found), False (not found) or <NA> (no archived text).
    """
    folder = Path(archive) if archive else archive_dir(ds)
    texts: dict[str, str | None] = {}
    for sid, r in ds.sources.iterrows():
        a = r.get("archive")
        f = folder / a if isinstance(a, str) and a else None
        texts[sid] = fold(f.read_text(encoding="utf-8")) if f is not None and f.is_file() else None
    rows = []
    for table in QUOTED_TABLES:
        df = getattr(ds, table)
        for rid, r in df.iterrows():
            text = texts.get(r["source_id"])
            if text is None:
                status = NO_ARCHIVE
            else:
                q = fold(r["quote"])
                flags = r.get("flags") if isinstance(r.get("flags"), str) else ""
                ok = q in text or ("gloss_removed" in flags.split(";") and q in strip_glosses(text))
                status = FOUND if ok else NOT_FOUND
            rows.append(
                {
                    "table": table,
                    "id": rid,
                    "source_id": r["source_id"],
                    "status": status,
                    "found": {FOUND: True, NOT_FOUND: False, NO_ARCHIVE: pd.NA}[status],
                }
            )
    out = pd.DataFrame(rows, columns=["table", "id", "source_id", "status", "found"])
    out["found"] = out["found"].astype("boolean")
    return out


def summary(status: pd.DataFrame) -> dict[str, int]:
    """{'found': n, 'not found': n, 'no archived text': n} (every status present, 0 when none)."""
    counts = status["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUSES}

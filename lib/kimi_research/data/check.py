"""``python -m kimi_research check-data`` (``make check-data``): validate everything, fast.

Every table is validated (all of them, not only the first broken one: a broken table that others
refer to — sources, entities, metrics — stops the check of the tables that use it), claims are
parsed and evaluated, and every quote is looked up in its source's archived text. Each problem is
printed once, with what was expected and how to fix it. Exit status 0 when all is well, 1 if not.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from kimi_research import paths


def run(data_dir: Path | str | None = None, out=None, quiet: bool = False) -> int:
    """Check the data folder; print the problems (and, unless ``quiet``, a summary). 0 = all well."""
    from kimi_research.data import provenance
    from kimi_research.data.loader import _display, check

    out = out or sys.stdout
    t0 = time.perf_counter()
    d = Path(data_dir) if data_dir else paths.data_dir()
    shown = _display(d / "x").rsplit("/", 1)[0] + "/"
    if not d.is_dir():
        print(f"{shown}: not a folder; expected the data folder with the tables", file=out)
        return 1
    ds, errors = check(d)
    for e in errors:
        print(str(e), file=out)
    if ds is None:
        n = sum(max(1, len(e.problems)) for e in errors)
        print(f"\n{n} problem(s) in {len(errors)} file(s); nothing else was checked until these are fixed.", file=out)
        return 1
    status = provenance.quote_status(ds)
    missing = status[status["status"] == provenance.NOT_FOUND]
    for _, r in missing.iterrows():
        print(
            f"{shown}{r['table']}.csv: {r['id']}: quote not found in the archived text of {r['source_id']} "
            f"({ds.sources.at[r['source_id'], 'archive']!s}); copy the quote verbatim from it "
            "(white space may differ), or flag gloss_removed if pinyin glosses were removed",
            file=out,
        )
    if quiet and missing.empty:
        return 0
    counts = provenance.summary(status)
    tiers = ds.sources["tier"].astype(int).value_counts().sort_index()
    m = ds.measurements()
    print(
        f"{shown}: {len(ds.sources)} sources ({', '.join(f'tier {t}: {n}' for t, n in tiers.items())}), "
        f"{len(ds.observations)} observations = {len(m)} measurements, {len(ds.events)} events, "
        f"{len(ds.claims)} claims; quotes: {counts[provenance.FOUND]} found, "
        f"{counts[provenance.NOT_FOUND]} not found, {counts[provenance.NO_ARCHIVE]} without archived text "
        f"({time.perf_counter() - t0:.1f} s)",
        file=out,
    )
    if not missing.empty:
        print(f"\n{len(missing)} problem(s).", file=out)
        return 1
    print("ok", file=out)
    return 0

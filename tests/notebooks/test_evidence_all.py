"""Every notebook runs with every source (its named parameter set evidence_all.yaml) and says so."""

from __future__ import annotations

import pytest

from kimi_research import registry
from kimi_research.orchestration.runner import load_param_set
from kimi_research.presentation import format as F

pytestmark = pytest.mark.notebook


@pytest.mark.parametrize("nb", registry.NAMES)
def test_evidence_all_parameter_set_runs(run_notebook, live_ds, nb):
    params = load_param_set(nb, "evidence_all")
    assert params == {"evidence": "all"}
    run = run_notebook(nb, params)
    assert run.returncode == 0, run.output[-2000:]
    assert run.results["parameters"]["evidence"] == "all"
    assert F.evidence_used("all") in run.executed().read_text(encoding="utf-8")
    if nb == "03_sustainability_formula":
        r = run.results
        assert set(r["ledger_cash_out"]) == {"articles", "all"} and r["evidence"] == "all"
        ev = live_ds.events
        funding = ev[(ev["kind"] == "funding") & (ev["entity"] == "moonshot")]
        assert set(r["funding_rounds"]) == set(funding.index)

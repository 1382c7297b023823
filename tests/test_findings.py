"""Key findings are computed from the same protected numbers as the tables beside them (issue 14)."""

from __future__ import annotations

import re
import warnings

import pandas as pd
import pytest

from carejourneys.render import findings
from carejourneys.sdc.disclosure import SUPPRESSED


def _numbers(text: str) -> list[int]:
    return [int(x) for x in re.findall(r"\b\d+\b", text)]


def test_evidence_sentences_use_the_protected_cells():
    summary = pd.DataFrame({"What": ["Interviews with young people",
                                     "Interviews with Care Journeys and council staff and stakeholders",
                                     "Focus groups", "Observations"],
                            "Plymouth": [25, 51, 2, 24]})
    items = findings.evidence(summary, "Plymouth")
    assert _numbers(items[0]["text"]) == [25, 51] and items[0]["n"] == 76
    assert _numbers(items[1]["text"]) == [2, 24]
    # a withheld cell never reaches a sentence: the sentence is left out
    summary["Plymouth"] = summary["Plymouth"].astype(object)
    summary.loc[2, "Plymouth"] = SUPPRESSED
    items = findings.evidence(summary, "Plymouth")
    assert len(items) == 1 and "focus groups" not in items[0]["text"]


def test_outcome_sentences_follow_the_table_and_skip_withheld_rows():
    main = pd.DataFrame({"Measure": ["SWEMWBS (metric score, 7-35)", "UCLA loneliness (3-9)", "ONS anxiety"],
                         "Pairs": [12, 15, SUPPRESSED],
                         "What it shows": ["improved (95% CI excludes 0)", "no clear change", SUPPRESSED]})
    items = findings.outcomes(main)
    assert "SWEMWBS" in items[0]["text"] and "UCLA" not in items[0]["text"]
    assert "UCLA loneliness" in items[1]["text"]
    assert all("anxiety" not in i["text"] for i in items)
    assert items[0]["n"] == 15


@pytest.mark.slow
@pytest.mark.parametrize("site", ["brent", "plymouth", "all"])
def test_every_key_finding_matches_its_protected_table(site):
    """In a real report context: every number a sentence states is a shown cell of the protected table
    the page shows, and no sentence states a number the table withholds."""
    from carejourneys.metrics import published
    from carejourneys.render import report

    warnings.simplefilter("ignore")
    shown: list[str] = []
    old = report._display
    report._display = shown.append
    try:
        ctx = report.setup(site=site)
        summary = report.protected([published.fieldwork_summary, published.data_gathering])[0]
        col = "Total" if "Total" in summary.columns else ctx.site_label
        cells = {int(v) for v in summary[col] if v != SUPPRESSED}
        for item in findings.evidence(summary, ctx.site_label):
            stated = _numbers(item["text"])
            assert stated and set(stated) <= cells, (item, cells)
        if report.collected("prepost_survey"):
            main = report.protected(published.change_display("prepost"))
            shown_pairs = {int(v) for v in main["Pairs"] if v != SUPPRESSED}
            for item in findings.outcomes(main):
                assert item["n"] in shown_pairs
        if site != "all":
            head = report.protected(published.headline)
            for item in findings.participation(head):
                assert set(_numbers(item["text"])) <= {int(v) for v in head.iloc[0] if v != SUPPRESSED}
    finally:
        report._display = old
        report._CONTEXT = None

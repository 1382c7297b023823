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


# --------------------------------------------------------------------------- 01: the four outcome questions


def _directions(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["domain", "Outcome area", "source", "Source", "n", "Direction",
                                       "Why", "Strength"])


def test_outcome_area_names_only_shown_sources_and_counts_the_rest():
    d = _directions([
        ("skills", "Skills", "retrospective", "Retrospective survey", 11, "improved", "ci", "moderate"),
        ("skills", "Skills", "pa_survey", "Personal Adviser survey", 12, "no clear change", "w", "moderate"),
        ("skills", "Skills", "interviews", "Interviews", 31, "c", "c", "c"),
        ("skills", "Skills", "prepost", "Pre/post", "c", "c", "c", "c"),
        ("skills", "Skills", "facilitator", "Facilitator", 0, "not measured", "", "none"),
    ])
    item = findings.outcome_area(d, "skills")
    assert item["text"].startswith("Skills: in these small groups, 1 of 2 sources points to improvement")
    assert "n=11" in item["text"] and "n=12" in item["text"] and "n=31" in item["text"]
    assert "groups too small to show a direction" in item["text"]
    assert "1 more source too small" in item["text"]
    assert item["n"] == 11 + 12 + 31
    assert set(_numbers(item["text"])) - {1, 2} <= {11, 12, 31}
    short = findings.outcome_area(d, "skills", short=True)["text"]
    assert "n=" not in short and "2 sources have groups too small to show a direction" in short


def test_outcome_area_without_readable_sources_is_left_out():
    d = _directions([("goals", "Goals", "prepost", "Pre/post", "c", "c", "c", "c")])
    assert findings.outcome_area(d, "goals") is None
    assert findings.outcome_areas(d) == []


def test_a_direction_that_pins_a_withheld_count_is_withheld():
    from carejourneys.metrics import published

    # 10 rated, none the same, improved and worse withheld: "improved" needs 9 or more of 10 better,
    # and worse is at least 1, so it would give improved = 9 and worse = 1 back
    assert published._pins("c", 0, "c", 10, "improved")
    assert not published._pins("c", "c", 0, 15, "no clear change")
    directions = _directions([("wellbeing", "Wellbeing", "pa_survey", "PA", 10, "improved", "w", "moderate")])
    long = pd.DataFrame([{"domain": "wellbeing", "source": "pa_survey", "improved": "c", "same": 0,
                          "worse": "c"}])
    safe = published.safe_directions(directions, long)
    assert safe.loc[0, "Direction"] == "c" and safe.loc[0, "Strength"] == "c"
    long = pd.DataFrame([{"domain": "wellbeing", "source": "pa_survey", "improved": 9, "same": 0,
                          "worse": 1}])
    assert published.safe_directions(directions, long).loc[0, "Direction"] == "improved"


@pytest.mark.slow
@pytest.mark.parametrize("site", ["brent", "plymouth", "all"])
def test_outcome_answers_match_the_domain_tables(site):
    """Every n an answer states is a shown n of that outcome area's table on the page, and every
    direction it names is the one that table shows for that source."""
    from carejourneys.metrics import published
    from carejourneys.render import report

    warnings.simplefilter("ignore")
    old = report._display
    report._display = lambda m: None
    try:
        report.setup(site=site)
        directions = published.safe_directions(report.protected(published.domain_directions),
                                               report.protected(published.triangulation_long))
        items = findings.outcome_areas(directions)
        assert items, "no outcome question answered"
        assert all("n=" not in i["text"] for i in items)
        for domain in findings.OUTCOME_QUESTIONS:
            item = findings.outcome_area(directions, domain)
            if item is None:
                continue
            shown = published.domain_readout(directions, domain)
            ns = {int(v) for v in shown["n"] if v != SUPPRESSED}
            stated = {int(x) for x in re.findall(r"n=(\d+)", item["text"])}
            assert stated <= ns, (item["text"], ns)
            for _, r in shown.iterrows():
                phrase = findings.SOURCE_PHRASES[next(k for k, v in _SOURCE_LABELS.items()
                                                      if r["Source"].startswith(v))]
                named = f"{phrase}, n={r['n']}"
                if r["Direction"] in ("improved", "no clear change") and named in item["text"]:
                    before = item["text"].split(named)[0]
                    want = "improvement" if r["Direction"] == "improved" else "no clear change"
                    # the nearest direction phrase before the source is the table's direction
                    last = max(("improvement", "no clear change"), key=before.rfind)
                    assert last == want, (item["text"], r["Source"], r["Direction"])
    finally:
        report._display = old
        report._CONTEXT = None


_SOURCE_LABELS = {"prepost": "Pre/post questionnaire", "retrospective": "Retrospective survey",
                  "pa_survey": "Personal Adviser survey", "facilitator": "Facilitator ratings",
                  "interviews": "Interviews with young people"}


@pytest.mark.slow
@pytest.mark.parametrize("site", ["brent", "plymouth", "all"])
def test_quantitative_sentence_matches_its_table(site):
    """00: every number of the quantitative sentence is a shown cell of the quantitative-methods
    table's column for the page (Total on the page for all sites), and the sources a site did not
    collect are not named."""
    from carejourneys.metrics import published
    from carejourneys.render import report

    warnings.simplefilter("ignore")
    old = report._display
    report._display = lambda m: None
    try:
        ctx = report.setup(site=site)
        table = report.protected(published.quantitative_methods)
        col = "Total" if "Total" in table.columns else ctx.site_label
        cells = {int(v) for v in table[col] if v != SUPPRESSED}
        item = findings.quantitative(table, ctx.site_label)
        assert item is not None and set(_numbers(item["text"])) <= cells, (item, cells)
        values = dict(zip(table["Method"], table[col], strict=True))
        assert ("Personal Adviser" in item["text"]) == (values["Personal Adviser survey: responses"] != 0)
        assert ("before-and-after" in item["text"]) == (values["Pre/post questionnaires"] != 0)
        bases = report.protected(published.people_bases)
        # one definition: the interviews on the base table are the interviews the headline counts
        summary = report.protected([published.fieldwork_summary, published.data_gathering])[0]
        summary_col = "Total" if "Total" in summary.columns else ctx.site_label
        interviews = sum(int(summary.set_index("What").loc[w, summary_col]) for w in (
            "Interviews with young people",
            "Interviews with Care Journeys and council staff and stakeholders",
            "Interviews with Barnardo's national staff"))
        assert interviews == sum(int(v) for v in bases["Interviews"])
    finally:
        report._display = old
        report._CONTEXT = None

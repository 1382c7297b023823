"""Page 02 (site learning) against digests 5 (Brent) and 6 (Plymouth): the functions behind its digest
headings, its key findings and computed sentences checked against the tables they describe, and
(slow) the page run for each site with every digest heading followed by content."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from carejourneys.metrics import governance, participation, published, themes, timeline
from carejourneys.render import findings
from carejourneys.sdc.disclosure import declaration

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "02_site_learning.ipynb"


# ------------------------------------------------------------------ timeline


def _milestones() -> pd.DataFrame:
    return pd.DataFrame({
        "site": ["brent", "brent", "plymouth", "plymouth", "plymouth"],
        "initiative": ["Programme", "Programme", "Programme", "Links", "Links"],
        "milestone": ["Exit plan", "Legacy funding", "Legacy funding", "Proposal", "Worker appointed"],
        "planned_date": pd.to_datetime(["2023-06-30", "2024-01-31", "2024-01-31", "2021-03-31",
                                        "2021-09-01"]),
        "actual_date": pd.to_datetime(["2023-09-15", None, None, "2021-05-20", "2024-04-30"])})


def test_delays_on_several_sites_name_the_site_and_count_overdue_days_to_each_sites_last_date():
    ms = _milestones()
    table, sentence = timeline.delays(ms)
    assert table.columns[0] == "Site"
    first = table.iloc[0]
    assert (first["Site"], first["Initiative"]) == ("Plymouth", "Links")
    assert "Links (Plymouth)" in sentence and f"{int(first['Delay (days)'])} days" in sentence
    assert table["Delay (days)"].is_monotonic_decreasing
    # Brent's overdue milestone is counted to Brent's own last date, as Brent's page counts it
    both = timeline.slippage(ms).set_index(["site", "milestone"])
    alone = timeline.slippage(ms[ms["site"] == "brent"]).set_index(["site", "milestone"])
    key = ("brent", "Legacy funding")
    # not overdue when counted to Brent's last date rather than Plymouth's
    assert both.loc[key, "status"] == alone.loc[key, "status"] == "not yet due"
    main = timeline.delays_main(table)
    assert len(main.columns) <= 7 and list(main["Initiative"]) == list(table["Initiative"])
    window = timeline.delay_window(ms)
    assert (window.site, window.initiative) == ("plymouth", "Links")


def test_one_site_delays_have_no_site_column_and_the_sentence_reads_the_first_row():
    ms = _milestones()
    ms = ms[ms["site"] == "plymouth"]
    table, sentence = timeline.delays(ms)
    assert "Site" not in table.columns
    assert sentence.startswith(f"The longest delay: {table.loc[0, 'Initiative']} ")


def test_a_completed_activity_with_an_overdue_milestone_is_flagged():
    ms = pd.DataFrame({"site": ["plymouth"], "initiative": ["Apprenticeships"], "milestone": ["Ten posts"],
                       "planned_date": pd.to_datetime(["2022-03-31"]), "actual_date": pd.to_datetime([None])})
    acts = pd.DataFrame({"site": ["plymouth"], "activity_id": ["A1"], "name": ["Apprenticeships"],
                         "kind": ["employment"], "start": pd.to_datetime(["2021-04-06"]),
                         "end": pd.to_datetime(["2024-03-29"]), "status": ["completed"]})
    text = timeline.describe_status_conflicts(acts, ms, as_of="2024-04-30")
    assert "Apprenticeships" in text and "overdue" in text and "disagree" in text
    ok = acts.assign(status="running", end=pd.NaT)
    assert timeline.describe_status_conflicts(ok, ms, as_of="2024-04-30").startswith("Every activity")


def test_activities_since_on_several_sites_show_the_site():
    acts = pd.DataFrame({"site": ["brent", "plymouth", "plymouth"], "activity_id": ["B1", "P1", "P2"],
                         "name": ["Films", "Friday Hub", "Young Inspectors"], "kind": "participation",
                         "start": pd.to_datetime(["2022-09-01", "2020-02-07", "2019-09-02"]),
                         "end": pd.to_datetime(["2023-11-30", "2023-12-15", "2020-03-20"]),
                         "status": "completed"})
    table, sentence = timeline.activities_since(acts)
    assert list(table["Site"]) == ["Plymouth", "Brent"] and "Kind" not in table.columns
    assert f"{len(table)} activities" in sentence and "1 new and 1 continuing" in sentence


# ------------------------------------------------------------------ themes and findings


def _theme_table() -> pd.DataFrame:
    return pd.DataFrame({"Learning theme": ["Additional resource", "Governance", "Permission to fail"],
                         "People": [14, "c", 9], "Sources": [15, "c", 9], "Groups of people": [4, 2, 3],
                         "Waves": [3, 1, 2], themes.POSITIVE: [70.6, "c", 20.0],
                         themes.NEGATIVE: [23.5, "c", 70.0]})


def test_learning_theme_sentences_state_nothing_the_protected_table_withholds():
    t = _theme_table()
    text = themes.describe_learning_themes(t)
    assert "permission to fail was spoken of most negatively (70%" in text
    assert "additional resource most positively (71%)" in text and "governance" not in text
    gov = themes.describe_learning_theme(t, "Governance", threshold=5)
    assert gov.startswith("Fewer than 5 people") and not re.search(r"\d+%", gov)
    add = themes.describe_learning_theme(t, "Additional resource")
    assert add.startswith("14 people raised it from 4 groups") and "71% of its valence-coded" in add
    assert "No one" in themes.describe_learning_theme(t, "Endings and legacy")


def test_findings_shown_keep_withheld_cells_and_count_people():
    shown = pd.DataFrame({"Site": ["Plymouth"] * 3,
                          "Kind": ["Key strengths", "Learning points", "Learning points"],
                          "Theme": ["Collaboration/Strategic support", "Programme learning/Governance",
                                    "Collaboration/Ethos across roles"],
                          "Finding": ["S", "G", "E"], "Codes": ["x", "y", "z"], "People": [12, "c", 7],
                          "Groups": [3, 1, 2], "Waves": [2, 1, 1],
                          "Evidence": ["broad", "narrow", "moderate"]})
    g = published.findings_shown(shown, kind="Learning points", theme="Programme learning/Governance")
    assert list(g["Finding"]) == ["G"] and g.loc[0, "People"] == "c" and "Site" not in g.columns
    assert declaration(g).counts == ("People",) and g.attrs["cj_protected"]
    collab = published.findings_shown(shown, theme="Collaboration/")
    assert list(collab["Finding"]) == ["S", "E"]


def test_findings_evidence_counts_only_each_findings_own_codes():
    segs = pd.DataFrame({"segment_id": ["s1", "s2", "s3"], "source_id": ["i1", "i2", "i3"],
                         "site": "plymouth",
                         "role": ["Staff member", "Manager", "Young person"], "seniority": "practitioner",
                         "wave": [1, 2, 2], "code_path": ["Barriers/Staff turnover", "Barriers/COVID-19",
                                                          "Enablers/Practical help"],
                         "text": ["a", "b", "c"], "start": 0, "end": 1})
    lp = pd.DataFrame({"site": "plymouth", "point_id": ["C1", "S1"], "heading": ["Turnover", "Help"],
                       "code_paths": ["Barriers/Staff turnover", "Enablers/Practical help"],
                       "kind": ["challenge", "strength"], "theme": ["Barriers/Staff turnover", ""]})
    t = themes.findings_evidence_table(lp, segs).set_index("Finding")
    assert t.loc["Turnover", "People"] == 1 and t.loc["Turnover", "Kind"] == "Challenges"
    assert t.loc["Help", "Kind"] == "Key strengths" and (t["Site"] == "Plymouth").all()


def test_site_learning_key_findings_read_their_tables():
    headline = pd.DataFrame([{"young people took part": 160, "attendances": 2000,
                              "activities with attendance registered": 10,
                              "young people in more than one activity": 117}])
    delays = pd.DataFrame({"Initiative": ["Links", "Bags"], "Most delayed milestone": ["Launch", "Packed"],
                           "Delay (days)": pd.array([703, 20], dtype="Int64"), "Reached": ["yes", "yes"]})
    activities = pd.DataFrame({"Activity": list("ABCDE")})
    enablers = pd.DataFrame({"Rank": [1, 2], "Enabler": ["Practical help", "Space"], "People": ["c", 9]})
    barriers = pd.DataFrame({"Rank": [1, 2], "Barrier": ["COVID-19", "Staff turnover"], "People": [8, 8]})
    items = findings.site_learning(headline, delays, activities, enablers=enablers, barriers=barriers)
    texts = [i["text"] for i in items]
    assert 3 <= len(items) <= 6 and all(i["n"] for i in items)
    act = next(i for i in items if i["unit"] == "activities")
    assert act["n"] == len(activities) and act["text"].startswith("5 activities")
    assert "at 10 of them" in act["text"]
    delay = next(t for t in texts if "longest delay" in t)
    assert "Links" in delay and "703 days" in delay
    assert not any("practical help" in t.lower() for t in texts)  # its count is withheld
    assert any("COVID-19 (jointly with another)" in t for t in texts)


def test_intake_sentence_states_only_shown_cells():
    def reach(new):
        return pd.DataFrame({"Quarter": [f"2023Q{i}" for i in range(1, len(new) + 1)], "New": new})

    assert participation.describe_intake_shown(reach([7, 0, 0, 0, 0])).endswith("the last joined in 2023Q1.")
    assert "cannot be shown" in participation.describe_intake_shown(reach([7, 0, "c", "c", 0]))
    text = participation.describe_intake_shown(reach(["c", 0, 0, 0, 0]))
    assert text.startswith("No new young people") and "last joined" not in text
    assert "still joining" in participation.describe_intake_shown(reach([7, 0, 0, 6, "c"]))


# ------------------------------------------------------------------ governance


def _records():
    acts = pd.DataFrame({"site": "brent", "activity_id": ["A1", "A2", "A3", "A4"],
                         "name": ["Films", "Work with Ofsted inspectors", "Packs", "Panel"],
                         "kind": ["output", "practice", "output", "participation"],
                         "start": pd.to_datetime(["2021-01-01", "2023-01-16", "2022-05-03", "2019-07-01"]),
                         "end": pd.to_datetime(["2023-11-30", "2024-03-31", "2023-10-31", "2024-03-31"]),
                         "status": ["completed", "completed", "handed_over", "completed"]})
    changes = pd.DataFrame({"site": ["brent", "brent", "plymouth"], "change_id": ["C1", "C1", "C2"],
                            "description": ["Packs required", "Packs required",
                                            "Care experience treated as a protected characteristic"],
                            "level": "local", "kind": "policy", "status": ["proposed", "embedded", "adopted"],
                            "date": pd.to_datetime(["2022-10-21", "2024-03-04", "2023-07-24"]),
                            "evidence": ["Contract terms", "Contract terms", "Council motion"]})
    return acts, changes


def test_outputs_legacy_and_covenant_sections():
    acts, changes = _records()
    made, sentence = governance.outputs(acts)
    assert list(made["What"]) == ["Films", "Packs", "Work with Ofsted inspectors"]
    assert "2 outputs made (films; packs)" in sentence and "work with Ofsted inspectors" in sentence
    kept, sentence = governance.legacy(acts, changes[changes["site"] == "brent"])
    assert set(kept["Kind"]) == {"handed over", "systems change"} and "Site" not in kept.columns
    assert sentence.startswith("1 piece of work was handed over") and "1 systems change was" in sentence
    table, sentence = governance.covenant_section(changes[changes["site"] == "brent"], "brent", changes)
    assert table.empty and sentence.endswith("recorded for Plymouth only.")
    table, _ = governance.covenant_section(changes, "all", changes)
    assert list(table["Site"]) == ["Plymouth"] and len(table.columns) <= 7


# ------------------------------------------------------------------ the page, run for each site

DIGEST_HEADINGS = {
    "plymouth": ["Activities since the interim report", "Key strengths", "Challenges", "Enablers", "Barriers",
                 "Recommendations", "Learning themes", "Additional resource",
                 "Reframing power between the council and the voluntary sector",
                 "Timely decisions and keeping momentum", "Permission to fail", "Endings", "Governance",
                 "The covenant and care experience as a protected characteristic"],
    "brent": ["What made the collaboration work", "Legacy and continuity", "Outputs"],
}


def _run_page(site: str, monkeypatch) -> tuple[dict[str, list[str]], dict]:
    """Run the notebook's code cells for ``site`` in this process: ({heading: outputs under it}, globals)."""
    import matplotlib

    matplotlib.use("Agg")
    from carejourneys.render import report

    shown: list[str] = []
    monkeypatch.setattr(report, "_display", shown.append)
    nb = json.loads(NOTEBOOK.read_text())
    under: dict[str, list[str]] = {}
    heading = None
    g: dict = {}
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            for line in src.splitlines():
                if line.startswith("#"):
                    heading = line.lstrip("#").strip()
                    under.setdefault(heading, [])
            continue
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            src += f"\nsite = {site!r}"
        before = len(shown)
        exec(compile(src, "02_site_learning", "exec"), g)
        if heading is not None:
            under[heading] += shown[before:]
    return under, g


def _text(markup: str) -> str:
    import html

    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)))


def test_page_structure_title_then_parameters_setup_and_key_findings():
    nb = json.loads(NOTEBOOK.read_text())
    cells = nb["cells"]
    assert cells[0]["cell_type"] == "markdown" and "".join(cells[0]["source"]).strip() == "# Site learning"
    assert "parameters" in cells[1]["metadata"].get("tags", [])
    assert "cj.report.setup(" in "".join(cells[2]["source"])
    assert "cj.report.key_findings(" in "".join(cells[3]["source"])
    assert cells[4]["cell_type"] == "markdown"


@pytest.mark.slow
@pytest.mark.parametrize("site", ["plymouth", "brent"])
def test_digest_headings_have_content_and_sentences_agree_with_tables(site, monkeypatch):
    under, g = _run_page(site, monkeypatch)
    for heading in DIGEST_HEADINGS[site]:
        assert heading in under, heading
        assert _text("".join(under[heading])).strip(), f"nothing under {heading!r}"
    for theme in ("Additional resource", "Governance"):  # evidence and quotes under a learning theme
        body = "".join(under[theme])
        assert "cj-quote" in body and "raised it" in _text(body)
    page = _text("".join(m for ms in under.values() for m in ms))
    delays, activities = g["delays"], g["activities"]
    first = delays.iloc[0]
    assert f"The longest delay: {first['Initiative']} " in page  # the sentence names the table's first row
    assert f"The longest delay was in {first['Initiative']}: " in page  # and so does the key finding
    assert f"{len(activities)} activities are recorded for the programme" in page
    assert timeline.status_conflicts(g["ds"].activities, g["ds"].milestones).empty
    assert "Every activity's recorded status agrees" in page
    since, sentence = timeline.activities_since(g["ds"].activities)
    assert sentence in page and str(len(since)) in sentence
    if site == "plymouth":
        for name in ("Lifelong Links", "Care-experienced project assistant", "Walk a Day in My Shoes",
                     "Journey Bags", "Friday Hub", "Positive Connectors", "One-to-one and group work"):
            assert name in _text("".join(under["Activities since the interim report"])), name
        assert "protected characteristic" in _text(
            "".join(under["The covenant and care experience as a protected characteristic"]))
    else:
        text = _text("".join(under["Outputs"])).lower()
        for word in ("films", "poetry", "welcome packs", "ofsted", "training"):
            assert word in text, word
    # enablers and barriers come from their own codes on this page
    assert all(r["theme"].startswith("Barriers/")
               for r in themes.quote_requests(g["ds"].coded_segments, themes.BARRIERS, basis="codes"))

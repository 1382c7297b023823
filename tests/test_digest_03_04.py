"""Pages 03 (partnership and systems change) and 04 (care leaver indicators) as readers get them.

Key findings computed from the tables the page shows, rubric rationales checked against the meeting
records, readable evidence, the care leaver chart told apart without colour, and the 04 page's notices
(official statistics vs evaluation data, no pre-programme baseline). Unit tests on constructed frames
first; the notebooks run in this process (slow) last.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import matplotlib
import nbformat
import pandas as pd
import pytest

from carejourneys.inputs import public
from carejourneys.metrics import indicators as ind
from carejourneys.metrics import rubric
from carejourneys.render import findings
from carejourneys.sdc.disclosure import SUPPRESSED

matplotlib.use("Agg")

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NB03 = NOTEBOOKS / "03_partnership_and_systems_change.ipynb"
NB04 = NOTEBOOKS / "04_care_leaver_indicators.ipynb"


def _numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"(?<![\w.])\d+(?:\.\d+)?", text)]


def _cells(frame: pd.DataFrame) -> set[float]:
    out = set()
    for v in frame.to_numpy().ravel():
        try:
            if not pd.isna(v):
                out.add(float(v))
        except (TypeError, ValueError):
            continue
    return out


# --------------------------------------------------------------------------- constructed records

def _ratings(rows):
    return pd.DataFrame(rows, columns=["site", "wave", "outcome", "level", "rationale", "evidence_refs"])


def _meetings(site: str, dates: list[str], forum: str = "partnership_board") -> pd.DataFrame:
    return pd.DataFrame({"site": site, "forum": forum, "date": pd.to_datetime(dates), "attendees_council": 3,
                         "attendees_barnardos": 2, "attendees_other": 1, "young_people_present": 0})


def _fieldwork(site: str, waves: dict[int, list[str]]) -> pd.DataFrame:
    rows = []
    for wave, dates in waves.items():
        for i, d in enumerate(dates):
            rows.append({"event_id": f"FW{wave}{i:03d}", "site": site, "method": "interview",
                         "participant_group": "la_staff", "date": pd.Timestamp(d), "wave": wave,
                         "n_participants": 1, "source_id": f"X-I-{wave}{i:02d}"})
    return pd.DataFrame(rows)


def _changes() -> pd.DataFrame:
    rows = [("s", "C1", "Offer rewritten", "local", "policy", "proposed", "2020-01-10", "Offer"),
            ("s", "C1", "Offer rewritten", "local", "policy", "adopted", "2021-01-10", "Offer"),
            ("s", "C1", "Offer rewritten", "local", "policy", "embedded", "2022-01-10", "Offer"),
            ("s", "C2", "Panels", "local", "practice", "adopted", "2021-05-01", "HR"),
            ("s", "C3", "Hub", "local", "service", "proposed", "2023-02-01", "Plan"),
            ("s", "C4", "Review", "national", "policy", "influenced", "2022-08-01", "Submission")]
    c = pd.DataFrame(rows, columns=["site", "change_id", "description", "level", "kind", "status", "date",
                                    "evidence"])
    c["date"] = pd.to_datetime(c["date"])
    return c


# --------------------------------------------------------------------------- rubric: evidence and conflicts

@pytest.mark.parametrize(("text", "ids"), [
    ("FW0001", ["FW0001"]), ("PLY-I-001; PLY-SC01", ["PLY-I-001", "PLY-SC01"]), ("E9", ["E9"]),
    ("Partnership board minutes, 2021-2022", []), ("Wave 3 interviews; PLY-I-001", ["PLY-I-001"]),
    (None, []), (float("nan"), []),
])
def test_bare_ids_tell_identifiers_from_descriptions(text, ids):
    assert rubric.bare_ids(text) == ids


def test_a_rationale_saying_the_board_met_steadily_is_checked_against_gaps_in_its_wave():
    # a gap of 200 days in 2022 (wave 2: fieldwork to June 2022 ... wave 3 to 2023)
    meetings = _meetings("s", ["2020-01-10", "2020-03-01", "2022-01-10", "2022-07-29", "2022-09-15"])
    fieldwork = _fieldwork("s", {1: ["2020-02-01"], 2: ["2021-06-01"], 3: ["2022-10-01"]})
    rb = _ratings([("s", 2, "robust_partnership", "Good", "The board kept meeting every six weeks.", "M"),
                   ("s", 3, "robust_partnership", "Good", "The board met regularly all year.", "M")])
    c = rubric.rationale_conflicts(rb, meetings, fieldwork=fieldwork)
    # the long gaps (2020-03 to 2022-01: 680 days, 2022-01 to 2022-07: 200 days) fall in waves 2 and 3
    assert set(c["wave"]) == {2, 3} and c["problem"].str.contains("met steadily").all()
    # without a long gap nothing conflicts
    every_45_days = pd.date_range("2020-01-01", "2022-12-31", freq="45D").strftime("%Y-%m-%d").tolist()
    steady = _meetings("s", every_45_days)
    assert rubric.rationale_conflicts(rb, steady, fieldwork=fieldwork).empty
    # a gap outside the wave's window does not count against that wave
    early_gap = _meetings("s", ["2019-01-01", "2019-12-01", *every_45_days])
    only_w3 = rb[rb["wave"] == 3]
    assert rubric.rationale_conflicts(only_w3, early_gap, fieldwork=fieldwork).empty


def test_evidence_given_only_as_identifiers_is_flagged_unless_fieldwork_explains_it():
    fieldwork = _fieldwork("s", {1: ["2020-02-01"]})
    rb = _ratings([("s", 1, "co_production", "Good", "r1", "ZZ-Q-001; ZZ-Q-002"),
                   ("s", 1, "learning_shared", "Good", "r2", "X-I-100"),
                   ("s", 1, "systems_improved", "Good", "r3", "Board minutes, 2020")])
    c = rubric.rationale_conflicts(rb, fieldwork=fieldwork)
    assert list(c["outcome"]) == ["co_production"] and "identifiers" in c["problem"].iloc[0]
    assert rubric.evidence_text("X-I-100", fieldwork) == "interview with council staff, wave 1, February 2020"


def test_conflicts_table_is_per_site_and_finds_repeats_in_all_sites_ratings():
    rb = _ratings([("brent", 3, "robust_partnership", "Very good", "Gaps in governance were overcome.", "M"),
                   ("plymouth", 3, "robust_partnership", "Poor", "Gaps in governance were overcome.", "M")])
    meetings = pd.concat([_meetings("brent", ["2021-01-01", "2021-02-15"]),
                          _meetings("plymouth", ["2021-01-01", "2021-12-01"])])
    t = rubric.conflicts_table(rb[rb["site"] == "brent"], "brent", meetings, rubric_all=rb)
    assert list(t.columns) == ["Outcome", "Wave", "What does not fit"]
    assert set(t["What does not fit"].str.split(",").str[0]) == {"claims a lapse in governance",
                                                                 "the same rationale"}
    assert (t["Outcome"] == "Robust partnership").all()
    p = rubric.conflicts_table(rb, "plymouth", meetings)  # plymouth's gap is real: only the repeat
    assert list(p["What does not fit"]) == ["the same rationale, word for word, is given at another site"]


# --------------------------------------------------------------------------- rubric: records beside ratings

def test_status_table_counts_each_change_once_at_its_furthest_status():
    t = rubric.status_table(_changes())
    assert list(t.columns) == ["Status", "Local", "National", "Total"]
    assert list(t["Status"]) == ["Embedded", "Adopted", "Proposed", "Influenced", "Total"]
    row = t.set_index("Status")
    assert row.loc["Embedded", "Total"] == 1 and row.loc["Adopted", "Total"] == 1
    assert row.loc["Total"].tolist() == [3, 1, 4]
    assert row.drop(index="Total")["Total"].sum() == 4
    assert rubric.status_table(_changes().iloc[0:0]).empty


def test_board_record_gives_the_longest_gap_and_an_open_one():
    m = pd.concat([_meetings("s", ["2021-01-01", "2021-02-20", "2021-04-01", "2021-12-01"]),
                   _meetings("s", ["2021-03-01"], forum="operational_group")])
    b = rubric.board_record(m).iloc[0]
    assert b["Meetings"] == 4 and b["Longest gap (days)"] == 244 and b["Gaps over 120 days"] == 1
    assert b["Usual interval (days)"] == 50  # median of 50, 40, 244
    assert str(b["Longest gap from"]) == "2021-04-01" and str(b["Longest gap to"]) == "2021-12-01"
    still_open = rubric.board_record(m, until="2023-01-01").iloc[0]
    assert still_open["Longest gap (days)"] == 396 and pd.isna(still_open["Longest gap to"])
    assert rubric.board_record(m, max_gap_days=300).columns[-1] == "Gaps over 300 days"
    assert rubric.board_record(_meetings("s", ["2021-01-01"])).empty


# --------------------------------------------------------------------------- findings.partnership

def _heat():
    levels = {"co_production": ("Good", "Adequate"), "robust_partnership": ("Good", "Good"),
              "learning_shared": ("Poor", "Good"), "overall": ("Good", "Adequate")}
    rb = _ratings([("s", w + 1, o, lv[w], f"{o} {w}", "M") for o, lv in levels.items() for w in (0, 1)])
    return rubric.heat_table(rb, "s"), rubric.changes_table(rb, "s")


def test_partnership_findings_state_only_numbers_of_their_tables():
    heat, moves = _heat()
    status = rubric.status_table(_changes())
    board = rubric.board_record(_meetings("s", ["2021-01-01", "2021-02-20", "2021-04-01", "2021-12-01"]))
    items = findings.partnership(heat, moves, status, board)
    assert 3 <= len(items) <= 6
    ratings, moved, changes, meetings = items
    assert "Robust partnership and Learning shared as Good" in ratings["text"]
    assert "Co-production with young people as Adequate" in ratings["text"]
    assert "overall judgement" in ratings["text"] and ratings["n"] == 4 and ratings["unit"] == "ratings"
    assert "Between wave 1 and wave 2" in moved["text"] and moved["n"] == 3
    assert "Learning shared rose" in moved["text"] and "Co-production with young people fell" in moved["text"]
    assert set(_numbers(changes["text"])) <= _cells(status) and changes["n"] == 4
    assert set(_numbers(meetings["text"])) - {2021} <= _cells(board) | {120}
    assert "April 2021 to December 2021" in meetings["text"] and meetings["n"] == 4
    assert all(i["unit"] in ("ratings", "ratings compared", "changes", "meetings") for i in items)


def test_partnership_findings_skip_what_the_tables_do_not_have():
    heat, moves = _heat()
    empty_status = rubric.status_table(_changes().iloc[0:0])
    empty_board = rubric.board_record(_meetings("s", ["2021-01-01"]))
    items = findings.partnership(heat, moves, empty_status, empty_board)
    assert len(items) == 2
    assert findings.partnership(heat.iloc[0:0], moves.iloc[0:0], empty_status, empty_board) == []
    # a withheld meetings count (c) gives no sentence
    board = rubric.board_record(_meetings("s", ["2021-01-01", "2021-02-20"])).astype(object)
    board.loc[0, "Meetings"] = SUPPRESSED
    assert findings.partnership(heat, moves, empty_status, board)[-1]["unit"] != "meetings"


@pytest.mark.parametrize("site", ["brent", "plymouth"])
def test_partnership_findings_on_the_bundled_data(site):
    import carejourneys as cj

    ds = cj.load_dataset(site=site)
    heat = rubric.heat_table(ds.rubric, site)
    status = rubric.status_table(ds.systems_changes)
    board = rubric.board_record(ds.meetings, until=cj.sites.get(site).programme_end)
    items = findings.partnership(heat, rubric.changes_table(ds.rubric, site), status, board)
    assert len(items) == 4
    assert set(_numbers(items[2]["text"])) <= _cells(status)
    stated = set(_numbers(items[3]["text"])) - {120}
    years = {float(pd.Timestamp(board[c].iloc[0]).year) for c in ("Longest gap from", "Longest gap to")
             if pd.notna(board[c].iloc[0])}
    assert stated <= _cells(board) | years
    latest = heat.columns[-1]
    for level in set(heat[latest].dropna()):
        assert f"as {level}" in items[0]["text"] or f"was {level}" in items[0]["text"]
    if site == "plymouth":  # digest 6: young people did not shape board decisions there
        assert heat.loc["Co-production with young people", latest] not in ("Very good", "Excellent")
        assert "no gap exceeded" not in items[3]["text"]
    else:
        assert "no gap exceeded 120 days" in items[3]["text"]


# --------------------------------------------------------------------------- indicators

@pytest.fixture(scope="module")
def pub():
    return public.load_public()


@pytest.mark.parametrize("la", ["plymouth", "brent", "E06000001"])
def test_standing_frame_is_the_sentences_with_what_they_are_about(pub, la):
    trend = ind.trends(pub, la)
    s = ind.standing(trend, ages=("17-18", "19-21"))
    assert list(s["sentence"]) == ind.standing_sentences(trend, ages=("17-18", "19-21"))
    assert set(s["age"]) == {"17-18", "19-21"} and (s["year"] == ind.comparison_year(trend)).all()
    for _, r in s.iterrows():
        assert f"aged {r['age']}" in r["sentence"] and ind.WHAT[r["indicator"]] in r["sentence"]
    assert ind.standing(trend.iloc[0:0]).empty


def test_chart_table_holds_every_line_of_the_chart(pub):
    trend = ind.trends(pub, "plymouth")
    t = ind.chart_table(trend)
    assert list(t.columns) == ind.CHART_COLUMNS and len(t.columns) <= 7
    for _, r in trend.iterrows():
        row = t[(t["Indicator"] == ind.TABLE_LABEL[r["indicator"]]) & (t["Age"] == r["age"])
                & (t["Year"] == str(int(r["time_period"])))].iloc[0]
        col = {"council": "Council %", "england": "England %"}.get(
            r["kind"], f"{ind.SERIES_LABEL.get(r['series'], r['series'])} %")
        if pd.notna(r["percent"]):
            assert float(row[col]) == pytest.approx(float(r["percent"]))
    assert ind.chart_table(trend.iloc[0:0]).empty


def test_summary_table_council_only_and_comparison_main(pub):
    trend = ind.trends(pub, "brent")
    s = ind.summary_table(trend, council_only=True)
    assert set(s["Series"]) == {"Brent"} and len(s) == len(ind.summary_table(trend)) / 4
    main = ind.comparison_main(ind.comparison_table(trend))
    assert list(main.columns) == ind.COMPARISON_MAIN and len(main.columns) <= 7
    assert list(ind.comparison_main(pd.DataFrame(columns=["Indicator", "Age", "Year"])).columns) == \
        ["Indicator", "Age"]


@pytest.mark.parametrize("la", ["plymouth", "brent", "E06000001"])
def test_indicator_findings_match_the_comparison_table(pub, la):
    trend = ind.trends(pub, la)
    comparison = ind.comparison_table(trend)
    standing = ind.standing(trend)
    items = findings.indicators(standing, comparison, ind.summary_table(trend, council_only=True),
                                ind.council_table(trend))
    assert 3 <= len(items) <= 6 and len(items) == len(standing) + 1
    for item, (_, s) in zip(items[:-1], standing.iterrows(), strict=True):
        assert item["text"] == s["sentence"]
        row = comparison[(comparison["Age"] == s["age"])
                         & (comparison["Indicator"] == ind.TABLE_LABEL[s["indicator"]])].iloc[0]
        assert item["n"] == row["Care leavers"] and item["unit"] == "care leavers"
        pcts = [float(x) for x in re.findall(r"(\d+(?:\.\d+)?)%", item["text"])]
        shown = [row["Council %"], row["England %"], row["Neighbours, 2025 model %"]]
        assert pcts[:3] == pytest.approx(shown)
    trend_item = items[-1]
    assert trend_item["text"].startswith("From ") and "95% intervals" in trend_item["text"]
    counts = ind.council_table(trend)
    eet = counts[(counts["Indicator"] == "EET") & (counts["Age"] == "19-21")]
    assert set(_numbers(trend_item["text"])) <= _cells(eet) | {95.0, 19.0, 21.0} | \
        {float(y) for y in eet["Year"]}


def test_indicator_findings_leave_out_unpublished_figures_and_hedge_by_the_intervals():
    standing = pd.DataFrame({"indicator": ["In education, employment or training"], "age": ["19-21"],
                             "year": [2025],
                             "sentence": ["In 2025, the share was not published, so it is not compared."]})
    comparison = pd.DataFrame({"Indicator": ["EET"], "Age": ["19-21"], "Care leavers": [SUPPRESSED]})
    assert findings.indicators(standing, comparison) == []
    summary = pd.DataFrame({"Indicator": ["EET"], "Age": ["19-21"], "Series": ["Testshire"],
                            "First year": ["2021"], "First %": [30.0], "Latest year": ["2025"],
                            "Latest %": [60.0], "Change (pp)": [30.0]})
    council = pd.DataFrame({"Indicator": ["EET", "EET"], "Age": ["19-21", "19-21"], "Year": ["2021", "2025"],
                            "Care leavers": [100, 120], "95% CI from": [21.0, 51.0],
                            "95% CI to": [40.0, 69.0]})
    ok = standing.assign(sentence="In 2025, 60% of Testshire's care leavers aged 19-21 were in education.")
    shown = pd.DataFrame({"Indicator": ["EET"], "Age": ["19-21"], "Care leavers": [120]})
    items = findings.indicators(ok, shown, summary, council)
    assert items[0]["n"] == 120 and "do not overlap" in items[1]["text"] and "Testshire's" in items[1]["text"]
    council.loc[0, "95% CI to"] = 55.0
    items = findings.indicators(ok, shown, summary, council)
    assert "no clear change" in items[1]["text"]


# --------------------------------------------------------------------------- the chart

def test_care_leaver_trends_one_legend_distinct_marks_and_titles_apart(pub):
    import matplotlib.pyplot as plt

    from carejourneys.render import plots

    trend = ind.trends(pub, "plymouth")
    fig = plots.care_leaver_trends(trend)
    try:
        assert len(fig.legends) == 1 and not any(ax.get_legend() for ax in fig.axes)
        styles = {}
        for ax in fig.axes:
            for line in ax.get_lines():
                styles.setdefault(line.get_label(), (line.get_linestyle(), line.get_marker()))
        kinds = {"Plymouth", "England", "Neighbour median (2021 model)", "Neighbour median (2025 model)"}
        assert kinds <= set(styles)
        assert len({styles[k] for k in kinds}) == len(kinds)  # line style and marker, not colour alone
        assert len({styles[k][1] for k in kinds}) == len(kinds)
        labels = [t.get_text() for t in fig.legends[0].get_texts()]
        assert "England" in labels and any(t.startswith("Statistical neighbours") for t in labels)
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        boxes = [ax.title.get_window_extent(renderer) for ax in fig.axes if ax.get_title()]
        boxes += [sf._suptitle.get_window_extent(renderer) for sf in fig.subfigs if sf._suptitle is not None]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert not a.overlaps(b), "titles collide"
    finally:
        plt.close(fig)


# --------------------------------------------------------------------------- the notebooks

def _structure(path: Path) -> tuple[list, list[str]]:
    nb = nbformat.read(path, as_version=4)
    heads = [ln.strip() for c in nb.cells if c.cell_type == "markdown" for ln in c.source.splitlines()
             if ln.startswith("#")]
    return nb.cells, heads


@pytest.mark.parametrize("path", [NB03, NB04])
def test_page_order_title_parameters_setup_key_findings_intro(path):
    cells, heads = _structure(path)
    assert cells[0].cell_type == "markdown" and cells[0].source.strip().startswith("# ")
    assert len(cells[0].source.strip().splitlines()) == 1  # the title only
    assert "parameters" in cells[1].metadata.get("tags", [])
    assert "cj.report.setup(" in cells[2].source
    assert "cj.report.key_findings(" in cells[3].source
    assert cells[4].cell_type == "markdown" and not cells[4].source.lstrip().startswith("#")
    assert heads[-1] == "## Technical annex"


EXPECTED_HEADINGS = {
    NB03: ["## The five outcomes, rated at each wave", "### How the ratings moved",
           "### Why: the rationale of the latest ratings", "## What changed in the local system",
           "## How the partnership's governance held up", "### Gaps between partnership board meetings",
           "### Who came", "## Context: the council's social work workforce"],
    NB04: ["## How the indicators are defined", "## Where the council stood in the latest year", "## Trends",
           "## The gap to all young people", "## The council's own returns beside the published figures",
           "## How care leavers feel: Bright Spots", "## Context: the social work workforce and inspections",
           "## Sources"],
}


@pytest.mark.parametrize("path", [NB03, NB04])
def test_headings_present(path):
    _, heads = _structure(path)
    for h in EXPECTED_HEADINGS[path]:
        assert h in heads, h


def _run(path: Path, site: str, monkeypatch) -> str:
    """The notebook's code cells run in this process for ``site``: the HTML it displays."""
    import matplotlib.pyplot as plt

    from carejourneys.render import report as report_mod

    shown: list[str] = []
    monkeypatch.setattr(report_mod, "_display", shown.append)
    monkeypatch.setattr(report_mod, "_CONTEXT", None)
    ns = {"site": site, "data_dir": None, "disclosure_threshold": 5}
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "code" and "parameters" not in cell.metadata.get("tags", []):
            exec(compile(cell.source, f"{path.stem}[{site}]", "exec"), ns)
    plt.close("all")
    return "\n".join(shown)


def _text(markup: str) -> str:
    markup = re.sub(r"<style.*?</style>|<img[^>]*>", " ", markup, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def _table_column(markup: str, caption: str, column: str) -> list[str]:
    """The cells of ``column`` in the table captioned ``caption`` (reader's text)."""
    start = markup.index("<caption>" + caption)
    table = markup[markup.rindex("<table", 0, start):markup.index("</table>", start)]
    heads = [_text(h).strip() for h in re.findall(r"<th\b[^>]*>(.*?)</th>", table.split("</thead>")[0], re.S)]
    k = heads.index(column)
    body = table.split("<tbody>")[1]
    return [_text(re.findall(r"<t[dh]\b[^>]*>(.*?)</t[dh]>", row, re.S)[k]).strip()
            for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", body, re.S)]


def _findings_box(page: str) -> str:
    start = page.index('class="cj-findings"')
    return _text(page[start:page.index("</section>", start)])


FORBIDDEN = ("data_dir", "(reused)", "0.000", "/work/", "/home/", "/tmp/")


@pytest.mark.slow
@pytest.mark.parametrize("site", ["brent", "plymouth"])
def test_03_page_readable_evidence_and_rationales_that_fit_the_gaps(site, monkeypatch):
    page = _run(NB03, site, monkeypatch)
    text = _text(page)
    for word in FORBIDDEN:
        assert word not in text, word
    assert "Key findings" in text
    evidence = _table_column(page, "Latest ratings with their rationale and evidence", "Evidence")
    assert evidence and all(e and not rubric.bare_ids(e) for e in evidence)
    assert len(set(evidence)) == len(evidence)  # not the same references on every row
    rationales = _table_column(page, "Latest ratings with their rationale and evidence", "Rationale")
    board = "Partnership board meetings and the longest gap"
    gaps_over = int(_table_column(page, board, "Gaps over 120 days")[0])
    claims_lapse = any(w in r.casefold() for r in rationales for w in rubric.GAP_WORDS)
    assert not (claims_lapse and gaps_over == 0)
    assert "No rationale contradicts the meeting records" in text
    # each key finding's numbers are cells of the tables on the page
    box = _findings_box(page)
    assert f"met {_table_column(page, board, 'Meetings')[0]} times" in box
    total = _table_column(page, "Systems changes by the furthest status reached", "Total")[-1]
    assert f"records {total} changes" in box
    if site == "plymouth":
        rating = _table_column(page, "Latest ratings with their rationale and evidence", "Rating")[0]
        assert rating not in ("Very good", "Excellent")  # co-production, first row


@pytest.mark.slow
@pytest.mark.parametrize("site", ["brent", "plymouth", "E06000001"])
def test_04_page_tells_official_statistics_and_states_the_baseline(site, monkeypatch):
    page = _run(NB04, site, monkeypatch)
    text = _text(page)
    for word in FORBIDDEN:
        assert word not in text, word
    assert "Key findings" in text and "care leavers)" in text
    assert "are official statistics published by the DfE" in text
    assert "2017 figure" not in text and "figure is from 2017" not in text
    assert ind.SUMMARY_FOOTNOTE.split(":")[0] in text
    if site == "E06000001":
        assert "This page uses no evaluation data" in text and "no pre-programme baseline" not in text
        assert "not an evaluation of any programme" in text
    else:
        assert "Every figure on this page" not in text
        assert "no pre-programme baseline" in text and f"programme began in {ind.PROGRAMME_START}" in text
        assert "synthetic replica" in text  # the evaluation's own figures are the invented ones
    comparison = _table_column(page, "Care leaver indicators in 2025", "Care leavers")
    box = _findings_box(page)
    for n in re.findall(r"\((\d+) care leavers\)", box):
        assert n in comparison

"""Tests for carejourneys.metrics.governance: meeting cadence, gaps, attendance, systems changes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carejourneys.errors import DataError
from carejourneys.metrics import governance

D = pd.Timestamp


def meetings(rows):
    cols = ["site", "forum", "date", "attendees_council", "attendees_barnardos", "attendees_other",
            "young_people_present"]
    df = pd.DataFrame(rows, columns=cols)
    df["date"] = pd.to_datetime(df["date"])
    return df


@pytest.fixture
def mt():
    return meetings([
        ("plymouth", "partnership_board", "2020-01-15", 4, 3, 1, 0),
        ("plymouth", "partnership_board", "2020-04-15", 2, 3, 0, 2),
        ("plymouth", "partnership_board", "2021-09-01", 1, 2, 0, 0),
        ("plymouth", "operational_group", "2020-02-01", 3, 3, 0, 1),
        ("plymouth", "operational_group", "2020-03-01", 5, 1, 0, 0),
        ("brent", "partnership_board", "2020-01-20", 3, 3, 0, 0),
    ])


def test_meetings_per_quarter_fills_every_quarter(mt):
    q = governance.meetings_per_quarter(mt[mt["site"] == "plymouth"])
    assert q.index[0] == "2020Q1" and q.index[-1] == "2021Q3"
    assert len(q) == 7
    assert q.loc["2020Q1", "operational_group"] == 2
    assert q.loc["2020Q3", "partnership_board"] == 0
    assert q.to_numpy().sum() == 5
    assert list(q.columns) == ["partnership_board", "operational_group"]


def test_meeting_gaps_flag_long_and_open_gaps(mt):
    g = governance.meeting_gaps(mt, until="2024-04-30")
    ply = g[g["site"] == "plymouth"]
    assert list(ply["gap_days"]) == [(D("2020-04-15") - D("2020-01-15")).days,
                                     (D("2021-09-01") - D("2020-04-15")).days,
                                     (D("2024-04-30") - D("2021-09-01")).days]
    assert list(ply["long_gap"]) == [False, True, True]
    assert list(ply["open"]) == [False, False, True]
    longest = governance.longest_gap(mt[mt["site"] == "plymouth"])
    assert longest["from_date"] == D("2020-04-15")


def test_longest_gap_needs_two_meetings(mt):
    with pytest.raises(ValueError, match="fewer than two"):
        governance.longest_gap(mt[mt["site"] == "brent"])


def test_attendance_means_and_young_people(mt):
    a = governance.attendance(mt[mt["site"] == "plymouth"], by="year").set_index(["forum", "period"])
    row = a.loc[("partnership_board", "2020")]
    assert row["meetings"] == 2
    assert row["council"] == 3.0 and row["barnardos"] == 3.0 and row["other"] == 0.5
    assert row["young_people_present"] == 2 and row["meetings_with_young_people"] == 1
    by_partner = governance.attendance_by_partner(mt).set_index("forum")
    assert by_partner.loc["partnership_board", "meetings"] == 4
    assert by_partner.loc["partnership_board", "council"] == round(np.mean([4, 2, 1, 3]), 1)


def changes(rows):
    cols = ["site", "change_id", "description", "level", "kind", "status", "date", "evidence"]
    df = pd.DataFrame(rows, columns=cols)
    df["date"] = pd.to_datetime(df["date"])
    return df


@pytest.fixture
def sc():
    return changes([
        ("plymouth", "c1", "Rent guarantor", "local", "policy", "influenced", "2021-02-01", None),
        ("plymouth", "c1", "Rent guarantor", "local", "policy", "proposed", "2022-03-01", "minutes"),
        ("plymouth", "c1", "Rent guarantor", "local", "policy", "adopted", "2023-05-01", "policy doc"),
        ("plymouth", "c2", "Covenant", "national", "policy", "influenced", "2022-06-01", None),
        ("plymouth", "c3", "Bags protocol", "local", "practice", "embedded", "2024-01-01", "protocol"),
    ])


def test_changes_log_takes_the_furthest_status(sc):
    log = governance.changes_log(sc).set_index("change_id")
    assert log.loc["c1", "status"] == "adopted"
    assert log.loc["c1", "history"] == "influenced -> proposed -> adopted"
    assert log.loc["c1", "first_date"] == D("2021-02-01")
    assert log.loc["c1", "status_date"] == D("2023-05-01")
    assert len(log) == 3


def test_changes_by_counts_each_change_once(sc):
    t = governance.changes_by(sc, "level", "kind")
    assert t.to_numpy().sum() == 3
    assert t.loc["local", "policy"] == 1
    s = governance.changes_by(sc, "status", "level")
    assert list(s.index) == ["influenced", "adopted", "embedded"]


def test_status_over_time(sc):
    t = governance.status_over_time(sc, freq="Y")
    assert list(t.index) == ["2021", "2022", "2023", "2024"]
    assert t.loc["2021", "influenced"] == 1
    assert t.loc["2022", "proposed"] == 1 and t.loc["2022", "influenced"] == 1
    assert t.loc["2023", "adopted"] == 1
    assert t.loc["2024"].sum() == 3


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["c1", "c2", "c3", "c4"]),
                          st.sampled_from(list(governance.CHANGE_STATUS)),
                          st.integers(min_value=0, max_value=1500)), min_size=1, max_size=20,
                unique_by=lambda t: (t[0], t[1])))
def test_status_over_time_rows_count_changes_so_far(rows):
    df = changes([("brent", c, c, "local", "policy", s, D("2020-01-01") + pd.Timedelta(days=d), None)
                  for c, s, d in rows])
    t = governance.status_over_time(df, freq="Q")
    totals = t.sum(axis=1)
    assert (np.diff(totals.to_numpy()) >= 0).all()
    assert totals.iloc[-1] == df["change_id"].nunique()


def test_missing_column_is_a_data_error(mt):
    with pytest.raises(DataError, match="young_people_present"):
        governance.attendance(mt.drop(columns=["young_people_present"]))


def test_cadence_chart_shades_long_board_gaps(mt):
    import matplotlib.pyplot as plt

    from carejourneys.render import site_plots
    ply = mt[mt["site"] == "plymouth"]
    fig = site_plots.meetings_cadence(ply, programme_end="2024-04-30")
    assert len(fig.axes) == 2
    board = fig.axes[0]
    shaded = [p for p in board.patches if p.get_alpha() == 0.15]
    assert len(shaded) == int(governance.meeting_gaps(ply, until="2024-04-30")["long_gap"].sum())
    plt.close(fig)
    for f in (site_plots.attendance(ply), site_plots.systems_changes(
            changes([("brent", "c1", "x", "local", "policy", "adopted", "2022-01-01", None)]))):
        assert f.axes
        plt.close(f)


def test_reader_tables(mt, sc):
    y = governance.meetings_per_year(mt[mt["site"] == "plymouth"])
    assert list(y.index) == ["2020", "2021"] and y.loc["2020", "Partnership board"] == 2
    g = governance.gaps_table(mt[mt["site"] == "plymouth"], until="2024-04-30")
    assert list(g["Days"]) == sorted(g["Days"], reverse=True) and g["Still open at the programme end"].iloc[0]
    assert pd.isna(g["Next meeting"].iloc[0])
    a = governance.attendance_table(mt).set_index("Forum")
    assert a.loc["Partnership board", "Meetings"] == 4
    c = governance.changes_table(sc)
    assert list(c["Status"]) == ["embedded", "adopted", "influenced"]


def test_describe_gaps(mt):
    text = governance.describe_gaps(mt[mt["site"] == "plymouth"], until="2024-04-30")
    assert "met 3 times" in text and "until the end of the programme" in text
    assert f"{(D('2024-04-30') - D('2021-09-01')).days} days" in text
    closed = governance.describe_gaps(mt[mt["site"] == "plymouth"])
    assert "until 2021-09-01" in closed and "1 gap(s) exceeded 120 days" in closed
    assert "too few" in governance.describe_gaps(mt[mt["site"] == "brent"])


def test_workforce_context_is_a_table_or_none():
    wf = governance.workforce_context("plymouth")
    if wf is None:
        pytest.skip("public workforce statistics not available")
    assert "Turnover %" in wf.columns and len(wf) > 0
    with pytest.raises(KeyError):
        governance.workforce_context("atlantis")


def test_find_changes_and_outputs_and_legacy():
    changes = pd.DataFrame({
        "site": "plymouth", "change_id": ["C1", "C1", "C2", "C3"],
        "description": ["Covenant strengthened", "Covenant strengthened",
                        "Care experience treated as a protected characteristic", "Bus passes"],
        "level": "local", "kind": "policy", "status": ["proposed", "adopted", "adopted", "proposed"],
        "date": pd.to_datetime(["2022-10-10", "2023-03-20", "2023-07-24", "2023-01-01"]), "evidence": None})
    found, sentence = governance.covenant_and_protected_characteristic(changes)
    assert set(found["Change"]) == {"Care experience treated as a protected characteristic",
                                    "Covenant strengthened"}
    assert "Covenant strengthened (adopted, March 2023)" in sentence
    assert governance.describe_changes(governance.find_changes(changes, "nothing")).startswith("No such")
    acts = pd.DataFrame({"site": "brent", "activity_id": ["A1", "A2", "A3"],
                         "name": ["Films", "Training", "Panel"],
                         "kind": ["output", "practice", "participation"],
                         "start": pd.to_datetime(["2021-01-01", "2020-01-01", "2019-01-01"]),
                         "end": pd.to_datetime(["2023-01-01", "2024-03-31", "2024-03-31"]),
                         "status": ["completed", "handed_over", "completed"]})
    table, sentence = governance.outputs_and_legacy(acts, changes)
    assert set(table["What"]) == {"Films", "Training", "Covenant strengthened",
                                  "Care experience treated as a protected characteristic"}
    assert sentence.startswith("Outputs: films.") and "1 piece(s) of work were handed over" in sentence

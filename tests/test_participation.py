"""Tests for carejourneys.metrics.participation: reach, new/returning, retention, roles, diversity."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carejourneys.errors import DataError
from carejourneys.metrics import participation as pm


def register(rows):
    df = pd.DataFrame(rows, columns=["young_person_id", "site", "activity", "date", "role"])
    df["date"] = pd.to_datetime(df["date"])
    return df


@pytest.fixture
def reg():
    return register([
        ("a", "brent", "Panel", "2021-01-10", "participant"),
        ("a", "brent", "Panel", "2021-02-10", "co-designer"),
        ("b", "brent", "Panel", "2021-02-11", "participant"),
        ("a", "brent", "Skills", "2021-07-01", "paid"),
        ("c", "brent", "Skills", "2021-08-01", "volunteer"),
        ("b", "brent", "Skills", "2021-08-02", "participant"),
        ("d", "brent", "Circle", "2021-12-01", "participant"),
    ])


@pytest.fixture
def people():
    return pd.DataFrame({
        "young_person_id": ["a", "b", "c", "d", "e"],
        "site": "brent",
        "age_band": ["16-17", "18-20", "18-20", "21-25", "16-17"],
        "gender": ["female", "male", "female", "non_binary_or_other", "male"],
        "ethnicity_group": ["black", "white", "asian", "black", "mixed"],
        "care_status": ["looked_after", "care_leaver", "care_leaver", "care_leaver", "looked_after"],
        "first_contact": pd.to_datetime(["2021-01-01"] * 5),
    })


@pytest.fixture
def population():
    rows = []
    for status, n in (("looked_after", 300), ("care_leaver", 200)):
        rows += [("brent", 2022, status, "age_band", "16-17", n // 2),
                 ("brent", 2022, status, "age_band", "18-20", n // 4),
                 ("brent", 2022, status, "age_band", "21-25", n // 4)]
        rows += [("brent", 2022, status, "gender", "female", n // 2),
                 ("brent", 2022, status, "gender", "male", n // 2)]
        rows += [("brent", 2021, status, "gender", "female", 1)]
    return pd.DataFrame(rows, columns=["site", "year", "care_status", "characteristic", "category", "count"])


def test_reach_by_quarter(reg):
    r = pm.reach_by_quarter(reg).set_index("quarter")
    assert list(r.index) == ["2021Q1", "2021Q2", "2021Q3", "2021Q4"]
    assert list(r["young_people"]) == [2, 0, 3, 1]
    assert list(r["new"]) == [2, 0, 1, 1]
    assert list(r["returning"]) == [0, 0, 2, 0]
    assert list(r["cumulative"]) == [2, 2, 3, 4]
    assert list(r["attendances"]) == [3, 0, 3, 1]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcdefgh"), st.integers(min_value=0, max_value=900)),
                min_size=1, max_size=40))
def test_reach_identities_hold_for_any_register(rows):
    reg = register([(p, "brent", "Hub", pd.Timestamp("2020-01-01") + pd.Timedelta(days=d), "participant")
                    for p, d in rows])
    r = pm.reach_by_quarter(reg)
    assert (r["new"] + r["returning"] == r["young_people"]).all()
    assert r["cumulative"].iloc[-1] == reg["young_person_id"].nunique()
    assert r["attendances"].sum() == len(reg)
    q = reg["date"].dt.to_period("Q").astype(str)
    for _, row in r.iterrows():  # brute force: people seen up to the end of the quarter
        assert row["cumulative"] == reg.loc[q <= row["quarter"], "young_person_id"].nunique()


def test_activities_per_person_and_retention(reg):
    a = pm.activities_per_person(reg).set_index("activities")
    assert list(a["young_people"]) == [2, 2, 0]  # c, d in one; a, b in two
    assert a["percent"].sum() == 100
    r = pm.retention(reg).set_index("activity")
    assert r.loc["Panel", "young_people"] == 2 and r.loc["Panel", "returned"] == 1
    assert r.loc["Panel", "other_activities"] == 2
    assert r.loc["Skills", "other_activities"] == 2 and r.loc["Skills", "young_people"] == 3
    assert r.loc["Circle", "other_percent"] == 0


def test_roles_ever_and_highest(reg):
    r = pm.roles(reg).set_index("role")
    assert list(r.index) == ["participant", "co-designer", "volunteer", "paid"]
    assert r.loc["participant", "young_people"] == 3
    assert list(r["highest_role"]) == [2, 0, 1, 1]
    assert r["highest_role"].sum() == reg["young_person_id"].nunique()


def test_diversity_against_population(reg, people, population):
    d = pm.diversity(reg, people, population, "age_band").set_index("category")
    # e never took part, so participants are a, b, c, d
    assert list(d["participants"]) == [1, 2, 1]
    assert list(d["population"]) == [250, 125, 125]
    assert d.loc["16-17", "participants_percent"] == 25.0
    assert d.loc["16-17", "population_percent"] == 50.0
    assert d.loc["16-17", "difference"] == -25.0
    cs = pm.diversity(reg, people, population, "care_status").set_index("category")
    assert cs.loc["care_leaver", "participants"] == 3 and cs.loc["care_leaver", "population"] == 200
    # latest year by default; an earlier year can be asked for
    g = pm.diversity(reg, people, population, "gender", year=2021).set_index("category")
    assert g.loc["female", "population"] == 2


def test_diversity_without_population(reg, people):
    d = pm.diversity(reg, people, None, "ethnicity_group")
    assert d["population"].isna().all() and d["participants"].sum() == 4
    allc = pm.diversity_all(reg, people, None)
    assert set(allc["characteristic"]) == set(pm.CHARACTERISTICS)


def test_participants_must_be_registered(reg, people):
    with pytest.raises(DataError, match="not in young_people"):
        pm.participants(reg, people[people["young_person_id"] != "a"])
    with pytest.raises(ValueError, match="unknown characteristic"):
        pm.diversity(reg, people, None, "shoe_size")


def test_summary(reg):
    s = pm.summary(reg)
    assert s == {"young_people": 4, "attendances": 7, "activities": 3, "in_more_than_one_activity": 2}


def test_reach_chart_does_not_draw_small_counts(reg):
    import matplotlib.pyplot as plt

    from carejourneys.render import site_plots
    from carejourneys.sdc import disclosure
    fig = site_plots.reach(reg, threshold=3)
    ax = fig.axes[0]
    heights = [p.get_height() for p in ax.patches]
    # quarters with 2 and 1 young people are below the threshold: drawn as 0 and marked c, and
    # whatever else the published table hides so that they cannot be worked out
    table = pm.readable(pm.reach_by_quarter(reg).drop(columns="cumulative"))
    safe = disclosure.protect(table, counts=pm.count_columns(table), threshold=3, secondary="both")
    hidden = (safe["Young people"].astype("object") == "c").to_numpy(bool)
    assert hidden[0] and hidden[3]
    assert heights == [0 if h else v for h, v in zip(hidden, table["Young people"], strict=True)]
    assert [t.get_text() for t in ax.texts].count("c") == int(hidden.sum())
    plt.close(fig)
    fig = site_plots.reach(reg, threshold=1)
    assert [p.get_height() for p in fig.axes[0].patches] == [2, 0, 3, 1]
    plt.close(fig)


def test_readable_tables_keep_counts_and_percent_links(reg, people, population):
    d = pm.diversity(reg, people, population, "gender")
    r = pm.readable(d)
    assert "Participants" in r.columns and "non binary or other" in set(r["Group"])
    assert pm.count_columns(r) == ["Participants", "Council population"]
    assert pm.percent_columns(r)["Participants %"] == "Participants"
    assert pm.percent_columns(d)["difference"] == "participants"
    assert (r["Participants"].to_numpy() == d["participants"].to_numpy()).all()


def test_diversity_chart_marks_small_categories(reg, people, population):
    import matplotlib.pyplot as plt

    from carejourneys.render import site_plots
    from carejourneys.sdc import disclosure
    d = pm.diversity(reg, people, population, "age_band")  # participants 1, 2, 1
    fig = site_plots.diversity(d, threshold=2)
    ax = fig.axes[0]
    r = pm.readable(d)
    safe = disclosure.protect(r, counts=pm.count_columns(r), threshold=2, percent_of=pm.percent_columns(r))
    marked = int((safe["Participants"].astype("object") == "c").sum()
                 + (safe["Council population"].astype("object") == "c").sum())
    assert marked >= 2 and [t.get_text() for t in ax.texts].count("c") == marked
    plt.close(fig)


def test_retention_complement_and_rounded_cumulative(reg):
    import matplotlib.pyplot as plt

    from carejourneys.render import site_plots
    r = pm.retention(reg)
    assert (r["returned"] + r["did_not_return"] == r["young_people"]).all()
    assert "Came once only" in pm.count_columns(pm.readable(r))
    fig = site_plots.reach(reg, threshold=1)
    line = fig.axes[0].lines[0]
    assert all(v % 5 == 0 for v in line.get_ydata())  # the running total is rounded to 5
    plt.close(fig)


def test_diversity_chart_mirrors_secondary_suppression():
    import matplotlib.pyplot as plt

    from carejourneys.render import site_plots
    table = pd.DataFrame({"category": ["a", "b", "c"], "participants": [10, 12, 3],
                          "participants_percent": [40.0, 48.0, 12.0], "population": [100, 100, 100],
                          "population_percent": [33.3, 33.3, 33.3], "difference": [6.7, 14.7, -21.3]})
    fig = site_plots.diversity(table, threshold=5)
    ax = fig.axes[0]
    # 3 is suppressed, and one more participant count so that it cannot be recovered from the total
    assert [t.get_text() for t in ax.texts].count("c") == 2
    participant_bars = ax.containers[0]  # drawn first; the council's population second
    assert [bar.get_width() > 0 for bar in participant_bars] == [False, True, False]
    plt.close(fig)


def test_reach_chart_hides_what_the_published_table_hides():
    import matplotlib.pyplot as plt

    from carejourneys.render import site_plots
    from carejourneys.sdc import disclosure
    # Q1: 6 new; Q2: 3 new and 4 returning. Suppressing Q2's small counts forces Q1's new (6) out,
    # and then Q1's young people (6 = 6 new + 0 returning) must go too.
    rows = [(f"a{i}", "brent", "Hub", "2021-02-01", "participant") for i in range(6)]
    rows += [(f"a{i}", "brent", "Hub", "2021-05-01", "participant") for i in range(4)]
    rows += [(f"b{i}", "brent", "Hub", "2021-05-01", "participant") for i in range(3)]
    reg = register(rows)
    table = pm.readable(pm.reach_by_quarter(reg).drop(columns="cumulative"))
    safe = disclosure.protect(table, counts=pm.count_columns(table), threshold=5, secondary="both")
    fig = site_plots.reach(reg, threshold=5)
    heights = [b.get_height() for b in fig.axes[0].containers[0]]
    expected = [0 if v == "c" else v for v in safe["Young people"]]
    assert heights == expected  # the chart hides exactly what the published table hides
    plt.close(fig)


def test_describe_intake_reads_the_quarterly_table():
    rows = [(f"a{i}", "plymouth", "Hub", "2021-02-01", "participant") for i in range(6)]
    rows += [(f"a{i}", "plymouth", "Hub", d, "participant") for i in range(3)
             for d in ("2021-05-01", "2021-08-01", "2021-11-01", "2022-02-01")]
    text = pm.describe_intake(register(rows))
    assert text.startswith("No new young people joined in the last 4 quarters") and "2021Q1" in text
    rows.append(("b1", "plymouth", "Hub", "2022-02-01", "participant"))
    assert "still joining" in pm.describe_intake(register(rows))

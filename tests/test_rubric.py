"""Tests for carejourneys.metrics.rubric: ordered levels, heat table, recorded overall, changes."""

from __future__ import annotations

import pandas as pd
import pytest

from carejourneys.errors import DataError
from carejourneys.inputs.schemas import RUBRIC_LEVELS
from carejourneys.metrics import rubric


def ratings(rows):
    return pd.DataFrame(rows, columns=["site", "wave", "outcome", "level", "rationale", "evidence_refs"])


@pytest.fixture
def rb():
    return ratings([
        ("plymouth", 1, "co_production", "Good", "r", "E1"),
        ("plymouth", 2, "co_production", "Adequate", "r", None),
        ("plymouth", 3, "co_production", "Adequate", "r", None),
        ("plymouth", 1, "robust_partnership", "Very good", "r", None),
        ("plymouth", 2, "robust_partnership", "Insufficient evidence", "r", None),
        ("plymouth", 3, "robust_partnership", "Poor", "r", None),
        ("plymouth", 3, "policy_influence", "Excellent", "r", None),
        ("plymouth", 3, "overall", "Poor", "the evaluators' own judgement", "E9"),
        ("brent", 3, "overall", "Excellent", "x", None),
    ])


def test_level_score_orders_the_rubric():
    s = rubric.level_score(pd.Series(list(RUBRIC_LEVELS) + [None]))
    assert pd.isna(s.iloc[0]) and pd.isna(s.iloc[-1])
    assert list(s.iloc[1:-1]) == [1, 2, 3, 4, 5]


def test_heat_table_rows_waves_and_blanks(rb):
    t = rubric.heat_table(rb, "plymouth", labels=False)
    assert list(t.columns) == ["Wave 1", "Wave 2", "Wave 3"]
    assert list(t.index) == ["co_production", "robust_partnership", "policy_influence", "overall"]
    assert t.loc["co_production", "Wave 1"] == "Good"
    assert t.loc["robust_partnership", "Wave 2"] == "Insufficient evidence"
    assert pd.isna(t.loc["policy_influence", "Wave 1"])  # not rated is not "insufficient evidence"
    scores = rubric.score_table(rb, "plymouth")
    assert scores.iloc[0, 0] == 3 and pd.isna(scores.iloc[1, 1])


def test_overall_is_read_not_averaged(rb):
    o = rubric.overall(rb, "plymouth")
    assert list(o["wave"]) == [3] and str(o.loc[0, "level"]) == "Poor"
    # the mean of the wave-3 outcome ratings would be Adequate or better, the recorded one is Poor
    wave3 = rubric.ratings(rb, "plymouth")
    mean3 = wave3[(wave3["wave"] == 3) & (wave3["outcome"] != "overall")]["score"].mean()
    assert mean3 > 1
    # waves without a recorded overall judgement have none
    assert rubric.overall(rb[rb["outcome"] != "overall"], "plymouth").empty
    assert (3, "overall") not in rubric.missing_ratings(rb, "plymouth")
    assert (1, "overall") in rubric.missing_ratings(rb, "plymouth")


def test_changes_between_waves(rb):
    c = rubric.changes(rb, "plymouth").set_index(["outcome", "from_wave"])
    assert c.loc[("co_production", 1), "direction"] == "down"
    assert c.loc[("co_production", 2), "direction"] == "same"
    assert c.loc[("robust_partnership", 1), "direction"] == "not comparable"
    assert c.loc[("robust_partnership", 2), "direction"] == "not comparable"


def test_rationale_table_latest_wave(rb):
    r = rubric.rationale_table(rb, "plymouth")
    assert set(r["Wave"]) == {3}
    assert "Overall (recorded judgement)" in set(r["Outcome"])
    assert rubric.rationale_table(rb, "brent", wave=1).empty


def test_missing_column_is_a_data_error(rb):
    with pytest.raises(DataError, match="level"):
        rubric.heat_table(rb.drop(columns=["level"]), "plymouth")


def test_rubric_chart_writes_every_cell(rb):
    import matplotlib.pyplot as plt

    from carejourneys.render import site_plots
    fig = site_plots.rubric_heatmap(rb, "plymouth")
    texts = [t.get_text() for t in fig.axes[0].texts]
    table = rubric.heat_table(rb, "plymouth")
    assert len(texts) == table.size
    assert texts.count("not rated") == int(table.isna().to_numpy().sum())
    assert "Insufficient evidence" in texts
    plt.close(fig)


def test_reader_tables(rb):
    c = rubric.changes_table(rb, "plymouth")
    assert c.loc[0, "From"] == "Wave 1: Good" and c.loc[0, "To"] == "Wave 2: Adequate"
    assert c.loc[0, "Outcome"] == "Co-production with young people"
    o = rubric.overall_table(rb, "plymouth")
    assert list(o["Overall rating"]) == ["Poor"] and o.loc[0, "Evidence"] == "E9"


def test_rationale_conflicts_check_gap_claims_and_repeats():
    rb = pd.DataFrame({"site": ["brent", "plymouth"], "wave": [3, 3], "outcome": ["robust_partnership"] * 2,
                       "level": ["Very good", "Poor"],
                       "rationale": ["Tested by gaps in governance.", "Tested by gaps in governance."],
                       "evidence_refs": ["PLY-I-001", None]})
    dates = pd.to_datetime(["2021-01-01", "2021-02-15", "2021-04-01"])
    meetings = pd.DataFrame({"site": "brent", "forum": "partnership_board", "date": dates,
                             "attendees_council": 3, "attendees_barnardos": 2, "attendees_other": 0,
                             "young_people_present": 0})
    c = rubric.rationale_conflicts(rb, meetings)
    assert ((c["site"] == "brent") & c["problem"].str.contains("no board gap")).any()
    assert (c["problem"].str.contains("word for word")).sum() == 2
    fw = pd.DataFrame({"event_id": ["FW1"], "source_id": ["PLY-I-001"], "method": ["interview"],
                       "participant_group": ["la_staff"], "date": pd.to_datetime(["2022-05-03"]),
                       "wave": [2]})
    assert rubric.evidence_text("PLY-I-001; Board minutes, March 2022", fw) == \
        "interview with council staff, wave 2, May 2022; Board minutes, March 2022"
    assert rubric.evidence_text(None) == "not recorded"

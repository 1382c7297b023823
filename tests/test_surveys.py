"""PA survey, facilitator ratings and retrospective summaries (carejourneys.metrics.surveys)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from carejourneys.inputs.schemas import PA_CHANGE_SCALE, PA_DOMAINS, PA_DONT_KNOW, RETRO_ITEMS
from carejourneys.metrics import surveys as sv


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 60).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
       st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_wilson_matches_statsmodels(kn, conf):
    k, n = kn
    lo, hi = sv.wilson_interval(k, n, conf)
    ref_lo, ref_hi = proportion_confint(k, n, alpha=1 - conf, method="wilson")
    assert lo == pytest.approx(ref_lo, abs=1e-12) and hi == pytest.approx(ref_hi, abs=1e-12)
    assert 0 <= lo <= k / n <= hi <= 1


def test_wilson_edge_cases():
    assert all(np.isnan(sv.wilson_interval(0, 0)))
    with pytest.raises(ValueError):
        sv.wilson_interval(5, 3)


def _pa(ratings: dict[str, list], refs: list[str], dates: list[str] | None = None) -> pd.DataFrame:
    n = len(refs)
    df = pd.DataFrame({
        "response_id": [f"R{i // 2}" for i in range(n)],
        "pa_id": [f"PA{i // 3}" for i in range(n)],
        "young_person_ref": refs,
        "site": "brent",
        "completed_on": pd.to_datetime(dates or ["2023-03-01"] * n),
    })
    for d in PA_DOMAINS:
        df[f"change_{d}"] = pd.Series(ratings.get(d, [None] * n), dtype="str")
    df["comment"] = pd.Series([None] * n, dtype="str")
    return df


def test_pa_ratings_counts_and_share():
    social = ["Much better", "A little better", "No change", "A little worse", PA_DONT_KNOW, None,
              "Much better"]
    df = _pa({"social_connections": social, "skills": ["Much better"] * 7}, [f"YP{i}" for i in range(7)])
    out = sv.pa_ratings(df, threshold=5).set_index("domain")
    s = out.loc["social_connections"]
    assert (s["rated"], s["better"], s["same"], s["worse"], s["dont_know_or_blank"]) == (5, 3, 1, 1, 2)
    assert s["share_better"] == pytest.approx(3 / 5)
    ref = proportion_confint(3, 5, method="wilson")
    assert (s["ci_low"], s["ci_high"]) == (pytest.approx(ref[0]), pytest.approx(ref[1]))
    assert out.loc["skills", "share_better"] == pytest.approx(1.0)
    g = out.loc["goals"]  # nobody rated: withheld, not zero
    assert g["rated"] == 0 and pd.isna(g["share_better"]) and "withheld" in g["note"]
    assert (out["young_people"] == 7).all()


def test_pa_ratings_withhold_small_denominators():
    df = _pa({"wellbeing": ["Much better", "Much better", "No change"]}, ["a", "b", "c"])
    w = sv.pa_ratings(df, threshold=5).set_index("domain").loc["wellbeing"]
    assert w["rated"] == 3 and w["better"] == 2 and pd.isna(w["share_better"]) and pd.isna(w["ci_low"])


def test_same_young_person_counts_once_latest_wins():
    df = _pa({"wellbeing": ["Much worse", "Much better", "No change"]}, ["a", "a", "b"],
             dates=["2023-01-01", "2023-06-01", "2023-02-01"])
    latest = sv.latest_per_young_person(df)
    assert len(latest) == 2
    assert latest.set_index("young_person_ref").loc["a", "change_wellbeing"] == "Much better"
    out = sv.pa_ratings(df, threshold=1).set_index("domain").loc["wellbeing"]
    assert (out["rated"], out["better"], out["worse"]) == (2, 1, 0)


def test_pa_scale_split_is_exhaustive():
    assert set(sv.PA_BETTER) | set(sv.PA_SAME) | set(sv.PA_WORSE) == set(PA_CHANGE_SCALE)
    assert not set(sv.PA_BETTER) & set(sv.PA_WORSE)


def test_pa_summary_and_display():
    df = _pa({"skills": ["Much better"] * 6}, [f"YP{i}" for i in range(6)])
    assert sv.pa_summary(df) == {"responses": 3, "personal_advisers": 2, "young_people": 6}
    shown = sv.pa_display(sv.pa_ratings(df))
    assert set(sv.PA_DISPLAY_COUNTS) <= set(shown.columns)
    assert shown.loc[shown["Outcome domain"] == "Skills and knowledge", "Rated better"].item() == "100%"


def _sessions() -> pd.DataFrame:
    return pd.DataFrame({
        "session_id": ["s3", "s1", "s2", "s4"],
        "site": "plymouth",
        "activity": ["wellbeing", "wellbeing", "wellbeing", "art"],
        "session_date": pd.to_datetime(["2023-03-01", "2023-01-01", "2023-02-01", "2023-02-15"]),
        "facilitator_id": "F1",
        "attendees": pd.array([6, 8, 5, 7], dtype="Int64"),
        "engagement": pd.array([4, 3, 5, 2], dtype="Int64"),
        "wellbeing": pd.array([4, 4, 3, 5], dtype="Int64"),
        "note": pd.Series([None] * 4, dtype="str"),
    })


def test_facilitator_sessions_in_date_order():
    out = sv.facilitator_sessions(_sessions())
    assert out["session_id"].tolist() == ["s1", "s2", "s4", "s3"]


def test_facilitator_summary_overall_and_by_activity():
    df = _sessions()
    overall = sv.facilitator_summary(df).iloc[0]
    assert overall["sessions"] == 4 and overall["attendances"] == 26
    assert overall["engagement_median"] == pytest.approx(np.median([4, 3, 5, 2]))
    assert overall["wellbeing_mean"] == pytest.approx(np.mean([4, 4, 3, 5]))
    assert overall["engagement_share_4_5"] == pytest.approx(0.5)
    by = sv.facilitator_summary(df, by="activity").set_index("activity")
    assert by.loc["wellbeing", "sessions"] == 3 and by.loc["art", "attendances"] == 7


def test_retrospective_distribution():
    n = 7
    df = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(n)], "site": "plymouth", "activity": "x",
                       "completed_on": pd.Timestamp("2023-05-01")})
    rng = np.random.default_rng(0)
    for item in RETRO_ITEMS:
        b = rng.integers(1, 6, n)
        df[f"{item}_before"] = pd.array(b, dtype="Int64")
        df[f"{item}_now"] = pd.array(np.clip(b + rng.integers(-1, 2, n), 1, 5), dtype="Int64")
    df.loc[0, "skills_now"] = pd.NA
    out = sv.retrospective_distribution(df, threshold=5).set_index("item")
    s = out.loc["skills"]
    assert s["respondents"] == 6 and s["higher_now"] + s["same"] + s["lower_now"] == 6
    b = df["goals_before"].to_numpy(float)
    a = df["goals_now"].to_numpy(float)
    assert out.loc["goals", "median_before"] == pytest.approx(np.median(b))
    assert out.loc["goals", "higher_now"] == int((a > b).sum())
    small = sv.retrospective_distribution(df.head(3), threshold=5)
    assert small["median_now"].isna().all() and small["note"].str.contains("withheld").all()


def test_charts_show_n_and_withheld_rows():
    import matplotlib.pyplot as plt

    from carejourneys.render import outcomes_plots

    df = _pa({"skills": ["Much better"] * 6, "goals": ["No change"] * 2 + [None] * 4,
              "wellbeing": ["Much better"] * 5 + ["No change"]},
             [f"YP{i}" for i in range(6)])
    fig = outcomes_plots.pa_better(sv.pa_ratings(df, threshold=5), threshold=5)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "Skills and knowledge  (n=6)" in labels
    assert "Personal goals and positive destinations  (n<5)" in labels
    # social connections: nobody rated; goals: too few; wellbeing: 5 of 6 would reveal the 1 other
    assert sum("withheld" in t.get_text() for t in ax.texts) == 3
    assert len(ax.patches) == 1
    fig2 = outcomes_plots.facilitator_over_time(sv.facilitator_sessions(_sessions()))
    assert len(fig2.axes[0].lines) == 2
    plt.close("all")


def test_facilitator_display():
    shown = sv.facilitator_display(_sessions())
    assert shown["Sessions rated"].tolist() == [4] and shown["Attendances"].tolist() == [26]
    assert shown["Period"].item() == "Jan 2023 to Mar 2023"
    assert shown["Engagement: rated 4-5"].item() == "50%"
    by = sv.facilitator_display(_sessions(), by="activity")
    assert by["Activity"].tolist() == ["art", "wellbeing"]


def test_pa_display_protects_the_split():
    df = _pa({"social_connections": ["Much better"] * 8 + ["No change"] * 3}, [f"YP{i}" for i in range(11)])
    shown = sv.pa_display(sv.pa_ratings(df), threshold=5).set_index("Outcome domain")
    shown = shown.loc["Social connections"]
    # 3 "same" would follow from 11 - 8 - 0: both hidden, and the share with them
    assert (shown["Better"], shown["Same"], shown["Worse"]) == ("c", "c", 0)
    assert shown["Rated better"] == "c" and shown["95% CI (Wilson)"] == "c"


def test_facilitator_session_display_in_date_order():
    shown = sv.facilitator_session_display(_sessions())
    assert shown["Session date"].tolist() == ["01 Jan 2023", "01 Feb 2023", "15 Feb 2023", "01 Mar 2023"]
    assert shown["Attendees"].tolist() == [8, 5, 7, 6]
    assert sv.facilitator_session_display(_sessions().head(0)).empty

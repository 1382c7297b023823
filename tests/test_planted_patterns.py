"""The analyses find the patterns planted in the synthetic replica (data/synthetic).

These read the bundled synthetic data through cj.load_dataset and check what the Plymouth digest
reports: Lifelong Links took about two years from proposal to a worker in post; senior managers
spoke more positively than practitioners; the partnership board stopped meeting for a long spell.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import carejourneys as cj
from carejourneys.metrics import governance, themes, timeline

SYNTHETIC = Path(__file__).resolve().parents[1] / "data" / "synthetic"

pytestmark = pytest.mark.skipif(not (SYNTHETIC / "manifest.yml").exists(),
                                reason="data/synthetic/manifest.yml not generated yet (carejourneys synth)")


@pytest.fixture(scope="module")
def plymouth():
    return cj.load_dataset(data_dir=SYNTHETIC, site="plymouth")


def test_lifelong_links_took_about_two_years_from_proposal_to_worker(plymouth):
    days = timeline.elapsed_days(plymouth.milestones, "Lifelong Links", "proposal", "worker")
    assert days is not None
    assert 1.5 * 365 <= days <= 2.5 * 365
    # planned: the launch was meant to follow the proposal within months
    planned = timeline.elapsed_days(plymouth.milestones, "Lifelong Links", "proposal", "worker", planned=True)
    assert planned < 365
    s = timeline.slippage(plymouth.milestones)
    reached = s[s["reached"]]
    worst = reached.loc[reached["slippage_days"].idxmax()]
    assert worst["initiative"] == "Lifelong Links" and worst["slippage_days"] > 365


def test_valence_rises_with_seniority_in_plymouth(plymouth):
    trend = themes.valence_trend(plymouth.coded_segments, unit="person")
    assert trend.groups == ("practitioner", "manager", "senior_leader")
    assert trend.direction == "increasing"
    assert trend.jt_p < 0.05 and trend.tau > 0.1
    by = themes.valence_by_group(plymouth.coded_segments, groups=["practitioner", "senior_leader"])
    assert by.loc[1, "percent_positive"] > by.loc[0, "percent_positive"]


def test_gap_in_plymouth_partnership_board_meetings(plymouth):
    gaps = governance.meeting_gaps(plymouth.meetings, "partnership_board")
    longest = gaps.loc[gaps["gap_days"].idxmax()]
    assert longest["gap_days"] > 180 and longest["long_gap"]
    assert longest["gap_days"] > 3 * np.median(gaps["gap_days"])
    # the gap shows as quarters without a board meeting in the middle of the programme
    per_q = governance.meetings_per_quarter(plymouth.meetings)["partnership_board"]
    assert (per_q == 0).sum() >= 2


def test_plymouth_work_paused_while_lifelong_links_was_negotiated(plymouth):
    window = timeline.negotiation_window(plymouth.milestones, "Lifelong Links", end="worker")
    paused = timeline.paused_during(plymouth.activities, window)
    assert (paused["status"] == "paused").sum() >= 1
    q = timeline.quietest_stretch(plymouth.participation, window).set_index("period")
    before = q.loc["before the window", "attendances_per_30_days"]
    assert q.loc["quietest stretch in the window", "attendances_per_30_days"] < 0.5 * before


# ------------------------------------------------------------------ the digests' contrasts (issue 15)

@pytest.fixture(scope="module")
def everything():
    return cj.load_dataset(data_dir=SYNTHETIC, site="all")


@pytest.fixture(scope="module")
def brent():
    return cj.load_dataset(data_dir=SYNTHETIC, site="brent")


def test_plymouth_fieldwork_lightest_in_its_last_eighteen_months(plymouth, brent):
    import pandas as pd

    per_wave = plymouth.fieldwork.groupby("wave").size()
    assert per_wave.idxmax() != 3 and per_wave[3] == per_wave.min()
    assert brent.fieldwork.groupby("wave").size().idxmax() == 3  # Brent's fieldwork did not tail off
    end = pd.Timestamp(cj.sites.get("plymouth").programme_end)
    fw = plymouth.fieldwork
    last = fw[(fw["date"] > end - pd.DateOffset(months=18)) & (fw["date"] <= end)]
    before = fw[fw["date"] <= end - pd.DateOffset(months=18)]
    months_before = (end - pd.DateOffset(months=18) - before["date"].min()).days / 30.44
    assert len(last) / 18 < 0.5 * len(before) / months_before


def test_plymouth_takes_on_no_new_young_people_at_the_end(plymouth):
    from carejourneys.metrics import participation

    r = participation.reach_by_quarter(plymouth.participation).set_index("quarter")
    assert r.loc["2024Q1", "new"] == 0 and r.loc["2023Q4", "new"] == 0
    assert r.loc["2023Q1", "young_people"] > 0  # existing young people still took part


def test_lifelong_links_referrals_were_minimal(plymouth):
    ll = plymouth.participation[plymouth.participation["activity"] == "Lifelong Links"]
    assert 1 <= len(ll) <= 10 and ll["young_person_id"].nunique() <= 5


def test_brent_collaboration_more_positive_than_plymouth(everything):
    table, sentence = themes.collaboration_by_site(everything.coded_segments)
    v = themes.valenced_themes(everything.coded_segments)
    v = themes.under(v, "Collaboration")
    share = v.groupby("site")["score"].apply(lambda s: (s == 1).mean())
    assert share["brent"] > share["plymouth"] + 0.1
    assert sentence.index("Brent") < sentence.index("Plymouth")  # ranked most positive first
    per = table.pivot(index="Collaboration factor", columns="Site", values="Positive % of valenced passages")
    assert (per["Brent"] > per["Plymouth"]).sum() >= 3


def test_published_totals_kept(everything):
    from carejourneys.metrics import evidence

    cmp = evidence.compare_with_published(everything.fieldwork)
    assert (cmp["Same"] == "yes").all(), cmp
    table = evidence.quantitative_summary(everything)
    t = table.set_index("Method")
    assert t.loc["Council care leaver returns (OC3)", ["Brent", "Plymouth"]].tolist() == [3, 2]
    assert t.loc["Bright Spots survey reports", ["Brent", "Plymouth"]].tolist() == [1, 1]
    expected = {"Pre/post questionnaires": 15, "Pre/post questionnaires: activities": 3,
                "Retrospective survey": 11, "Personal Adviser survey: responses": 8,
                "Personal Adviser survey: young people rated": 15,
                "Wellbeing workshop facilitator ratings": 9}
    for method, n in expected.items():
        assert t.loc[method, "Total"] == n, method
    assert t.loc["Pre/post questionnaires", "Plymouth"] == 15
    assert t.loc["Personal Adviser survey: responses", "Brent"] == 8


def test_enablers_and_barriers_come_from_their_own_codes(plymouth, brent):
    for ds in (plymouth, brent):
        en = themes.ranked_factors(ds.coded_segments, "Enablers")
        ba = themes.ranked_factors(ds.coded_segments, "Barriers")
        assert set(en["basis"]) == {"codes"} and set(ba["basis"]) == {"codes"}
        assert not set(en["item"]) & set(ba["item"])  # nothing is both
        for r in themes.quote_requests(ds.coded_segments, "Barriers"):
            assert r["theme"].startswith("Barriers/") and r["valence"] == "Negative"
    assert themes.ranked_factors(plymouth.coded_segments, "Barriers").loc[0, "item"] == "Staff turnover"
    top_brent = set(themes.ranked_factors(brent.coded_segments, "Enablers").head(2)["item"])
    assert "Lived-experience staff" in top_brent


def test_learning_point_evidence_counts_only_its_own_codes(plymouth):
    e = themes.learning_point_evidence(plymouth.learning_points, plymouth.coded_segments)
    everyone = themes.person_ids(plymouth.coded_segments).nunique()
    assert (e["people"] < 0.6 * everyone).all()
    assert set(e["breadth"]) - {"broad"}  # not every point is "broad"
    barriers_anyone = themes.under(plymouth.coded_segments, "Barriers")
    point = e.set_index("point_id").loc["PLY-C1"]  # staff turnover only
    assert point["people"] < themes.person_ids(barriers_anyone).nunique()


def test_sentences_agree_with_their_tables(plymouth, brent):
    for ds in (plymouth, brent):
        table, sentence = timeline.delays(ds.milestones)
        first = table.iloc[0]
        assert first["Initiative"] in sentence and f"{int(first['Delay (days)'])} days" in sentence
        assert table["Delay (days)"].is_monotonic_decreasing
        assert timeline.status_conflicts(ds.activities, ds.milestones).empty
        table, sentence = themes.learning_themes_table(ds.coded_segments, ds.learning_points)
        worst = table.sort_values("Negative % of valenced passages", ascending=False).iloc[0]
        assert worst["Learning theme"].lower() in sentence


def test_plymouth_activities_since_the_interim_report(plymouth):
    table, sentence = timeline.activities_since(plymouth.activities)
    names = set(table["Activity"])
    for name in ("Lifelong Links", "Care-experienced project assistant", "Walk a Day in My Shoes",
                 "Journey Bags", "Friday Hub", "Positive Connectors", "One-to-one and group work"):
        assert name in names, name
    hub = plymouth.activities.set_index("name").loc["Friday Hub"]
    assert (hub["end"].year, hub["end"].month) == (2023, 12)
    assert str(len(table)) in sentence


def test_one_definition_per_count_across_pages(plymouth, brent):
    from carejourneys.metrics import evidence, participation

    for site, ds in (("plymouth", plymouth), ("brent", brent)):
        base = evidence.site_base(ds.fieldwork, ds.coded_segments, site)
        summary = evidence.summary(ds.fieldwork).set_index("What")
        staff_row = "Interviews with Care Journeys and council staff and stakeholders"
        interviews = summary.loc[["Interviews with young people", staff_row]].iloc[:, -1]
        assert base["interviews"] == int(interviews.sum())  # 00's count
        assert base["people_coded"] == themes.group_sizes(ds.coded_segments).sum()  # 02's base
        counts = evidence.people_counts(ds.fieldwork, ds.coded_segments)
        stake = counts[counts["Group"] == "Stakeholders"].iloc[0]
        staff = counts[counts["Group"].isin(["Care Journeys staff", "Council staff"])]["Interviews"].sum()
        assert stake["Interviews"] == summary.loc[staff_row].iloc[-1] - staff
        assert stake["People whose words were coded"] == themes.group_sizes(ds.coded_segments)["Stakeholder"]
        c = timeline.activity_counts(ds.activities, ds.participation)
        assert c["recorded"] == len(timeline.activities_table(ds.activities))
        assert participation.headline(ds.participation)[participation.ACTIVITIES_ATTENDED] == c["attended"]
        assert str(c["recorded"]) in timeline.describe_activity_counts(ds.activities, ds.participation)


def test_rubric_rationales_per_site_and_consistent(everything):
    from carejourneys.metrics import rubric

    assert rubric.rationale_conflicts(everything.rubric, everything.meetings).empty
    ply = rubric.rationale_table(everything.rubric, "plymouth", fieldwork=everything.fieldwork)
    co = ply.set_index("Outcome").loc["Co-production with young people"]
    assert co["Rating"] != "Very good" and "board decisions" not in co["Rationale"]
    for site in ("brent", "plymouth"):
        ev = rubric.rationale_table(everything.rubric, site)["Evidence"]
        assert ev.nunique() == len(ev)  # not the same references on every row
        assert not ev.str.contains(r"\b(?:PLY|BRE|NAT)-(?:I|FG)-\d{3}\b").any()  # no raw ids


def test_digest_records_behind_each_heading(plymouth, brent):
    from carejourneys.metrics import governance

    table, sentence = governance.covenant_and_protected_characteristic(plymouth.systems_changes)
    assert table["Change"].str.contains("covenant").any()
    assert table["Change"].str.contains("protected characteristic").any()
    table, sentence = governance.outputs_and_legacy(brent.activities, brent.systems_changes)
    text = " ".join(table["What"]).lower()
    for word in ("films", "poetry", "welcome packs", "inspection", "training"):
        assert word in text, word
    for kind in ("strength", "challenge", "recommendation"):
        t, _ = themes.findings_table(plymouth.learning_points, plymouth.coded_segments, kind)
        assert len(t) >= 2 and (t["People"] > 0).all()
    t = themes.learning_themes(plymouth.coded_segments, plymouth.learning_points)
    assert len(t) == 6 and (t["people"] > 0).all() and (t["learning_points"] != "").all()


def test_quotes_come_from_the_primary_coding_and_fit_their_code(plymouth, brent):
    from carejourneys.sdc.quotes import select_quotes

    for ds in (plymouth, brent):
        primary = themes.primary_coding(ds.coded_segments)
        assert set(primary["coder"]) == {"coder_a"} or primary["coder"].nunique() == 1
        requests = [r for f in ("Enablers", "Barriers") for r in themes.quote_requests(ds.coded_segments, f)]
        requests += themes.learning_theme_quotes("Governance", ds.coded_segments)
        for req in requests:
            r = dict(req)
            r.pop("caption")
            picked = select_quotes(n=3, deny=ds.deny_list, **r).quotes
            assert len(picked), req["theme"]
        # what was said was coded by the primary coder to the code quoted and its valence
        seg = primary.assign(key=primary["source_id"] + "@" + primary["start"].astype(str))
        for req in requests:
            hit = seg[seg["code_path"] == req["theme"]]
            with_valence = set(seg.loc[seg["code_path"] == f"Valence/{req['valence']}", "key"])
            assert hit["key"].isin(with_valence).any()


def test_second_coder_does_not_add_codes():
    import pandas as pd

    seg = pd.DataFrame({"segment_id": ["1", "2", "3", "4", "5"], "source_id": ["S1", "S1", "S1", "S2", "S3"],
                        "site": "brent", "role": "Manager", "seniority": "manager", "wave": 1,
                        "code_path": ["Barriers/Data sharing", "Valence/Negative", "Barriers/COVID-19",
                                      "Enablers/Practical help", "Enablers/Practical help"],
                        "text": "t", "start": 0, "end": 5, "coder": ["a", "a", "b", "b", "a"]})
    primary = themes.primary_coding(seg)  # a coded more sources
    assert list(primary["segment_id"]) == ["1", "2", "4", "5"]  # b's code on a's source is left out
    assert list(themes.ranked_factors(seg, "Barriers")["item"]) == ["Data sharing"]

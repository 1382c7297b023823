"""Tests for carejourneys.metrics.themes: prevalence, valence and its ordinal test, factors, learning."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from carejourneys.errors import DataError
from carejourneys.metrics import themes

ROLE = {"practitioner": "Staff member", "manager": "Manager", "senior_leader": "Senior leader",
        "not_applicable": "Young person"}


def segments(rows):
    """rows: (source_id, speaker_id, seniority, wave, code_path, start, end[, text])."""
    out = []
    for i, r in enumerate(rows):
        src, spk, sen, wave, code, start, end = r[:7]
        text = r[7] if len(r) > 7 else f"synthetic excerpt {i}"
        out.append({"segment_id": f"s{i}", "source_id": src, "site": "plymouth", "speaker_id": spk,
                    "role": ROLE[sen], "seniority": sen, "wave": wave, "date": pd.Timestamp("2022-01-01"),
                    "code_path": code, "theme": code.split("/")[0], "text": text, "start": start, "end": end,
                    "coder": "AB"})
    return pd.DataFrame(out)


@pytest.fixture
def segs():
    return segments([
        ("t1", "p1", "practitioner", 1, "Programme learning/Governance", 0, 50),
        ("t1", "p1", "practitioner", 1, "Valence/Negative", 0, 50),
        ("t1", "p1", "practitioner", 1, "Barriers", 0, 50),
        ("t1", "p1", "practitioner", 1, "Programme learning/Governance", 60, 90),
        ("t2", "p2", "manager", 2, "Collaboration/Leading by example", 0, 40),
        ("t2", "p2", "manager", 2, "Valence/Positive", 0, 40),
        ("t2", "p2", "manager", 2, "Enablers", 0, 40, "a longer synthetic excerpt about leading"),
        ("t3", "p3", "senior_leader", 3, "Collaboration/Leading by example", 10, 30),
        ("t3", "p3", "senior_leader", 3, "Valence/Positive", 5, 35),
        ("t3", "p3", "senior_leader", 3, "Enablers", 10, 30),
        ("t3", "p3", "senior_leader", 3, "Programme learning/Governance", 100, 140),
        ("t4", "y1", "not_applicable", 2, "Outcomes for young people/Social connections", 0, 20),
        ("t4", "y1", "not_applicable", 2, "Barriers/Transport", 30, 40),
        ("fg", None, "practitioner", 2, "Programme learning/Governance", 0, 20),
    ])


def test_people_fall_back_to_sources(segs):
    ids = themes.person_ids(segs)
    assert ids.iloc[-1] == "fg" and ids.iloc[0] == "p1"


def test_prevalence_counts_people_sources_segments(segs):
    p = themes.prevalence(segs, by="seniority", parent="Programme learning")
    assert list(p.index) == ["Governance"]
    assert p.loc["Governance", "practitioner"] == 2  # p1 and the focus group
    assert p.loc["Governance", "senior_leader"] == 1
    s = themes.prevalence(segs, by="seniority", parent="Programme learning", measure="segments")
    assert s.loc["Governance", "practitioner"] == 3
    top = themes.prevalence(segs, by="role")
    assert "Valence" not in top.index
    assert list(top.columns) == ["Young person", "Staff member", "Manager", "Senior leader"]
    assert top.loc["Collaboration", "Manager"] == 1


def test_prevalence_share_denominator_is_people_in_group(segs):
    pct, counts = themes.prevalence_share(segs, by="seniority", parent="Programme learning")
    assert pct.loc["Governance", "practitioner"] == 100.0
    long = themes.prevalence_long(segs, by="seniority", parent="Collaboration")
    row = long[(long["theme"] == "Leading by example") & (long["group"] == "manager")].iloc[0]
    assert row["people"] == 1 and row["group_people"] == 1 and row["percent"] == 100.0


def test_valence_by_group_and_linking(segs):
    v = themes.valence_by_group(segs, groups=["practitioner", "manager", "senior_leader"])
    assert list(v["positive"]) == [0, 1, 1] and list(v["negative"]) == [1, 0, 0]
    linked = themes.valenced_themes(segs)
    gov = linked[linked["code_path"] == "Programme learning/Governance"]
    assert list(gov["valence"]) == ["Negative"]  # only the span 0-50 of t1 is valence-coded
    lead = linked[linked["code_path"] == "Collaboration/Leading by example"]
    assert list(lead["score"]) == [1, 1]


# --------------------------------------------------------------------------- the ordinal test


def _permutation_p(groups, n_resamples=4000, seed=1):
    rng = np.random.default_rng(seed)
    obs, _, _ = themes.jonckheere_terpstra(groups)
    sizes = [len(g) for g in groups]
    pooled = np.concatenate(groups)
    n = sum(sizes)
    mean = (n ** 2 - sum(s ** 2 for s in sizes)) / 4
    hits = 0
    for _ in range(n_resamples):
        perm = rng.permutation(pooled)
        parts = np.split(perm, np.cumsum(sizes)[:-1])
        j, _, _ = themes.jonckheere_terpstra(parts)
        hits += abs(j - mean) >= abs(obs - mean) - 1e-9
    return (hits + 1) / (n_resamples + 1)


def test_jt_two_groups_equals_mann_whitney():
    x = [-1, -1, 0, 0, 1, -1, 0, 1]
    y = [0, 1, 1, 1, 0, 1, 1]
    j, z, p = themes.jonckheere_terpstra([x, y])
    mw = stats.mannwhitneyu(y, x, method="asymptotic", use_continuity=False)
    assert j == pytest.approx(mw.statistic)
    assert p == pytest.approx(mw.pvalue, rel=1e-9)


def test_jt_normal_approximation_agrees_with_permutation():
    rng = np.random.default_rng(7)
    groups = [rng.choice([-1, 0, 1], size=14, p=p) for p in ([.5, .3, .2], [.35, .35, .3], [.2, .3, .5])]
    _, _, p = themes.jonckheere_terpstra(groups)
    perm = _permutation_p(groups)
    assert abs(p - perm) < 0.03


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(min_value=-1, max_value=1), min_size=1, max_size=8), min_size=2,
                max_size=4))
def test_jt_statistic_matches_kendall_count(groups):
    """J counts ordered pairs (ties one half): check it against a brute-force count."""
    j, _, p = themes.jonckheere_terpstra(groups)
    brute = 0.0
    for i in range(len(groups)):
        for k in range(i + 1, len(groups)):
            for a in groups[i]:
                for b in groups[k]:
                    brute += 1.0 if b > a else 0.5 if b == a else 0.0
    assert j == pytest.approx(brute)
    assert np.isnan(p) or 0 <= p <= 1
    # reversing the order turns J into its mirror image around the mean
    rj, _, _ = themes.jonckheere_terpstra(groups[::-1])
    sizes = [len(g) for g in groups]
    n = sum(sizes)
    assert j + rj == pytest.approx((n ** 2 - sum(s ** 2 for s in sizes)) / 2)


def _gradient_segments(probs, per_group=12, seed=3):
    rng = np.random.default_rng(seed)
    rows = []
    for sen, p in zip(("practitioner", "manager", "senior_leader"), probs, strict=True):
        for k in range(per_group):
            v = rng.choice(["Negative", "Mixed", "Positive"], p=p)
            rows.append((f"{sen}{k}", f"{sen}{k}", sen, 2, f"Valence/{v}", 0, 10))
            rows.append((f"{sen}{k}", f"{sen}{k}", sen, 2, "Programme learning/Governance", 0, 10))
    return segments(rows)


def test_valence_trend_finds_a_gradient_and_cross_checks_scipy():
    s = _gradient_segments([[.6, .3, .1], [.3, .4, .3], [.1, .2, .7]])
    t = themes.valence_trend(s, unit="segment")
    assert t.groups == ("practitioner", "manager", "senior_leader") and t.n == (12, 12, 12)
    assert t.direction == "increasing" and t.jt_p < 0.01
    v = themes.valence_segments(s)
    samples = [v.loc[v["seniority"] == g, "score"].to_numpy() for g in t.groups]
    h, kp = stats.kruskal(*samples)
    assert t.kw_h == pytest.approx(h) and t.kw_p == pytest.approx(kp)
    assert t.epsilon_squared == pytest.approx(h / (36 - 1))
    rank = np.repeat([0, 1, 2], 12)
    assert t.tau == pytest.approx(stats.kendalltau(rank, np.concatenate(samples)).statistic)
    # one segment per person here, so both units agree
    assert themes.valence_trend(s, unit="person").jt_z == pytest.approx(t.jt_z)
    assert "Kendall" in " ".join(t.as_frame()["statistic"])


def test_valence_trend_without_gradient_is_not_significant():
    s = _gradient_segments([[.34, .33, .33]] * 3, per_group=15, seed=11)
    t = themes.valence_trend(s, unit="segment")
    assert t.jt_p > 0.05


def test_valence_trend_person_unit_averages_speakers(segs):
    extra = segments([("t1", "p1", "practitioner", 1, "Valence/Positive", 60, 90)])
    extra["segment_id"] = "x1"
    s = pd.concat([segs, extra], ignore_index=True)
    t = themes.valence_trend(s, unit="person")
    assert t.n == (1, 1, 1)
    with pytest.raises(ValueError, match="two groups"):
        themes.valence_trend(segs[segs["seniority"] == "manager"])


# --------------------------------------------------------------------------- factors, learning points


def test_ranked_factors_use_child_or_overlapping_code(segs):
    e = themes.ranked_factors(segs, "Enablers", basis="codes")
    assert list(e["item"]) == ["Collaboration/Leading by example"]
    assert set(e["basis"]) == {"codes"}
    assert e.loc[0, "people"] == 2 and e.loc[0, "sources"] == 2 and e.loc[0, "groups"] == 2
    assert e.loc[0, "example_segment"] in set(segs["segment_id"])
    b = themes.ranked_factors(segs, "Barriers").set_index("item")
    assert set(b.index) == {"Programme learning/Governance", "Transport"}
    assert set(b["basis"]) == {"codes"}  # two different items named: auto keeps the codes
    assert list(themes.ranked_factors(segs, "Barriers")["rank"]) == [1, 2]
    with pytest.raises(ValueError):
        themes.ranked_factors(segs, "Collaboration")


def test_collaboration_factors(segs):
    c = themes.collaboration_factors(segs).set_index("factor")
    assert c.loc["Leading by example", "people"] == 2
    assert c.loc["Leading by example", "percent_positive"] == 100.0


def test_learning_point_evidence(segs):
    lp = pd.DataFrame({"site": "plymouth", "point_id": ["L1", "L2", "L3"],
                       "heading": ["Governance needs care", "Lead by example", "Unsupported"],
                       "code_paths": ["Programme learning/Governance", "Collaboration; Enablers",
                                      "Programme learning/Permission to fail"]})
    ev = themes.learning_point_evidence(lp, segs).set_index("point_id")
    assert ev.loc["L1", "people"] == 3 and ev.loc["L1", "sources"] == 3 and ev.loc["L1", "waves"] == 3
    assert ev.loc["L1", "segments"] == 4 and ev.loc["L1", "groups"] == 2
    assert ev.loc["L1", "people_percent"] == 60.0  # 3 of the 5 people whose words were coded
    assert ev.loc["L1", "breadth"] == "moderate"
    assert ev.loc["L2", "segments"] == 4 and ev.loc["L2", "people"] == 2
    assert ev.loc["L3", "breadth"] == "no coded evidence"
    assert ev.loc["L3", "codes_without_evidence"] == "Programme learning/Permission to fail"


def test_missing_columns_are_data_errors(segs):
    with pytest.raises(DataError, match="seniority"):
        themes.prevalence(segs.drop(columns=["seniority"]))


def test_heatmap_hides_small_counts_and_small_groups(segs):
    import matplotlib.pyplot as plt

    from carejourneys.render import site_plots
    fig = site_plots.prevalence_heatmap(segs, by="seniority", parent="Programme learning", threshold=2)
    texts = [t.get_text() for t in fig.axes[0].texts]
    # practitioners: 2 people raised Governance (shown); other groups have fewer than 2 people: blank
    assert "100%" in texts and "c" not in texts
    plt.close(fig)
    fig = site_plots.prevalence_heatmap(segs, by="seniority", parent="Programme learning", threshold=1)
    assert [t.get_text() for t in fig.axes[0].texts].count("100%") == 2
    plt.close(fig)
    fig = site_plots.valence_by_seniority(segs, threshold=2)
    assert sum("not shown" in t.get_text() for t in fig.axes[0].texts) == 3
    plt.close(fig)


def test_ranked_factors_by_valence_when_codes_name_nothing(segs):
    bare = segs[~segs["code_path"].str.startswith("Barriers/")]
    b = themes.ranked_factors(bare, "Barriers")  # only bare "Barriers" codes left: auto uses valence
    assert set(b["basis"]) == {"valence"}
    assert list(b["item"]) == ["Programme learning/Governance"]  # the negatively valenced theme
    e = themes.ranked_factors(bare, "Enablers", basis="valence")
    assert list(e["item"]) == ["Collaboration/Leading by example"] and e.loc[0, "people"] == 2
    with pytest.raises(ValueError, match="basis"):
        themes.ranked_factors(bare, "Enablers", basis="vibes")


def test_factor_mentions_and_excerpts(segs):
    m = themes.factor_mentions(segs, by="seniority").set_index("group")
    assert m.loc["practitioner", "group_people"] == 2 and m.loc["practitioner", "barriers"] == 1
    assert m.loc["practitioner", "barriers_percent"] == 50.0
    assert m.loc["manager", "enablers"] == 1 and m.loc["not_applicable", "barriers"] == 1
    x = themes.excerpts(segs, ["s6", "s0", "missing"])
    assert list(x["segment_id"]) == ["s6", "s0"] and list(x.columns) == ["segment_id", "text", "role"]


def test_double_coding_counts_once_and_conflicting_valence_is_left_out(segs):
    second = segs.iloc[[0, 1, 4]].copy()  # coder B repeats two codes of t1 and one of t2
    second["segment_id"] = ["b0", "b1", "b4"]
    second["coder"] = "CD"
    both = pd.concat([segs, second], ignore_index=True)
    seg_counts = themes.prevalence(both, by="seniority", parent="Programme learning", measure="segments")
    pd.testing.assert_frame_equal(
        seg_counts, themes.prevalence(segs, by="seniority", parent="Programme learning", measure="segments"))
    assert len(themes.valence_segments(both)) == len(themes.valence_segments(segs))
    conflict = segs.iloc[[1]].copy()
    conflict["segment_id"], conflict["code_path"], conflict["coder"] = "c1", "Valence/Positive", "AB"
    v = themes.valence_segments(pd.concat([segs, conflict], ignore_index=True))
    assert "t1" not in set(v["source_id"])  # t1's only valence-coded passage now has two valences
    # a second coder's different valence is for the agreement check: the primary coding stands
    conflict["coder"] = "CD"
    v = themes.valence_segments(pd.concat([segs, conflict], ignore_index=True))
    assert "t1" in set(v["source_id"])


def test_reader_tables(segs):
    p = themes.prevalence_table(segs, by="seniority", parent="Programme learning")
    assert p.iloc[-1]["Theme"] == "People in the group"
    assert p.iloc[-1]["Practitioners"] == 2 and "Senior leaders" in p.columns
    v = themes.valence_table(segs)
    assert list(v["Group"]) == ["Practitioners", "Managers", "Senior leaders"]
    assert list(v["Positive %"]) == [0.0, 100.0, 100.0]
    assert themes.percent_columns(v)["Positive %"] == "People"
    f = themes.factors_table(segs, "Barriers")
    assert "Barrier" in f.columns and themes.count_columns(f) == ["People", "Sources"]
    lp = pd.DataFrame({"site": "plymouth", "point_id": ["L1"], "heading": ["H"],
                       "code_paths": ["Programme learning/Governance"]})
    assert themes.learning_points_table(lp, segs).loc[0, "People"] == 3
    m = themes.mentions_table(segs, by="seniority")
    assert "Spoke of barriers" in themes.count_columns(m)
    assert themes.collaboration_table(segs).loc[0, "People"] == 2


def test_agrees_with_the_qualitative_module():
    """Valence passages, Kruskal-Wallis and prevalence agree with carejourneys.metrics.qualitative."""
    from carejourneys.metrics import qualitative

    s = _gradient_segments([[.5, .3, .2], [.3, .4, .3], [.2, .3, .5]], per_group=10, seed=5)
    dup = s.iloc[:6].assign(segment_id=lambda d: "dup" + d["segment_id"], coder="CD")
    s = pd.concat([s, dup], ignore_index=True)
    mine = themes.valence_segments(s)
    theirs = qualitative.valence_scores(s, by="seniority")
    assert len(mine) == len(theirs)
    assert sorted(mine["score"] + 1) == sorted(theirs["score"])  # theirs is 0..2, mine -1..+1
    comp = qualitative.valence_comparison(s, unit="passage")
    trend = themes.valence_trend(s, unit="segment")
    assert trend.kw_h == pytest.approx(comp.kw_h) and trend.kw_p == pytest.approx(comp.kw_p)
    tp = qualitative.theme_prevalence(s, by=["seniority"], level="theme")
    gov = tp[tp["theme"] == "Programme learning"].set_index("seniority")["people"]
    mine_p = themes.prevalence(s, by="seniority").loc["Programme learning"]
    assert (mine_p[gov.index] == gov).all()


def test_quote_requests_and_trend_sentence(segs):
    bare = segs[~segs["code_path"].str.startswith("Barriers/")]
    req = themes.quote_requests(bare, "Barriers", top=2)
    assert [{k: v for k, v in r.items() if k != "segments"} for r in req] == [
        {"theme": "Programme learning/Governance", "valence": "Negative",
         "caption": "Barrier 1: Programme learning: Governance"}]
    assert len(req[0]["segments"]) == len(bare)  # one coder: the primary coding is everything
    coded = themes.quote_requests(segs, "Barriers", basis="codes")
    assert {r["theme"] for r in coded} == {"Programme learning/Governance", "Barriers/Transport"}
    up = themes.valence_trend(_gradient_segments([[.6, .3, .1], [.3, .4, .3], [.1, .2, .7]]), unit="segment")
    assert themes.describe_trend(up).startswith("The more senior the speaker, the more positively")
    flat = themes.valence_trend(_gradient_segments([[.34, .33, .33]] * 3, per_group=15, seed=11))
    assert themes.describe_trend(flat).startswith("No clear trend")


def test_heatmap_writes_c_in_hidden_cells_of_large_groups():
    import matplotlib.pyplot as plt

    from carejourneys.render import site_plots
    rows = [(f"t{i}", f"p{i}", "practitioner", 1, "Programme learning/Governance", 0, 10) for i in range(4)]
    rows.append(("t9", "p9", "practitioner", 1, "Programme learning/Permission to fail", 0, 10))
    fig = site_plots.prevalence_heatmap(segments(rows), by="seniority", parent="Programme learning",
                                        threshold=2)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts.count("c") == 1 and "80%" in texts  # 4 of 5 shown; the single person is hidden
    plt.close(fig)


def test_trend_summary_without_valence_codes(segs):
    table, sentence = themes.trend_summary(segs[~segs["code_path"].str.startswith("Valence")])
    assert table.empty and "could not be compared" in sentence
    table, sentence = themes.trend_summary(_gradient_segments([[.6, .3, .1], [.3, .4, .3], [.1, .2, .7]]))
    assert len(table) == 10 and sentence.startswith("The more senior")

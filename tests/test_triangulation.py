"""Triangulation of outcomes (carejourneys.metrics.triangulation) on small frames built here."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carejourneys.inputs.schemas import (
    ONS_ITEMS,
    OUTCOME_DOMAINS,
    PA_DOMAINS,
    RETRO_ITEMS,
    SOURCES,
    SWEMWBS_ITEMS,
    UCLA_ITEMS,
)
from carejourneys.metrics import triangulation as tr


@pytest.mark.parametrize("counts, expected", [
    ((0, 0, 0), "not measured"),
    ((12, 3, 0), "improved"),       # 80%: Wilson 95% interval 55% to 93%
    ((10, 3, 2), "no clear change"),  # 67%: interval 42% to 85% includes one half
    ((5, 0, 5), "no clear change"),
    ((6, 0, 4), "no clear change"),
    ((2, 3, 10), "no clear change"),
    ((0, 3, 12), "worse"),
    ((2, 9, 2), "no clear change"),
    ((5, 5, 0), "no clear change"),  # any positive change is not enough
    ((30, 0, 0), "improved"),
])
def test_direction_rule(counts, expected):
    assert tr.direction(*counts) == expected


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 40), st.integers(0, 40), st.integers(0, 40))
def test_direction_matches_statsmodels_wilson(imp, same, worse):
    from statsmodels.stats.proportion import proportion_confint
    n = imp + same + worse
    if n == 0:
        return
    lo_up = proportion_confint(imp, n, method="wilson")[0]
    lo_down = proportion_confint(worse, n, method="wilson")[0]
    expected = "improved" if lo_up > 0.5 + 1e-12 else "worse" if lo_down > 0.5 + 1e-12 else "no clear change"
    if min(abs(lo_up - 0.5), abs(lo_down - 0.5)) > 1e-9:
        assert tr.direction(imp, same, worse) == expected


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 40), st.integers(0, 40), st.integers(0, 40))
def test_direction_is_symmetric_and_total(imp, same, worse):
    d = tr.direction(imp, same, worse)
    assert d in tr.DIRECTIONS
    flipped = {"improved": "worse", "worse": "improved"}.get(d, d)
    assert tr.direction(worse, same, imp) == flipped
    if d == "improved":
        assert 2 * imp > imp + same + worse


def test_strength_rule():
    assert tr.strength(0) == "none"
    assert tr.strength(15) == "moderate" and tr.strength(15, 0.5) == "moderate"  # agreement is not strength
    assert tr.strength(30) == "stronger"
    assert tr.strength(8) == "limited"


def test_rule_and_limits_texts():
    for words in ("confidence interval", "reliabl", "level and not a change", "Wilson"):
        assert words in tr.RULE_TEXT
    for words in ("Regression to the mean", "Selection", "multiple comparisons", "not adjusted"):
        assert words in tr.LIMITS_TEXT
    text = tr.limits_text(22)
    assert "22 p-values" in text and "about 1 of them" in text and "Regression to the mean" in text
    assert "Small samples" in text and text.count("Multiple comparisons") == 1
    assert "fewer than one" in tr.limits_text(3) and "no p-value" in tr.limits_text(0)


def _prepost(changes_sw: list[int], changes_ucla: list[int]) -> pd.DataFrame:
    """Pre/post frame where each person's SWEMWBS raw score moves by changes_sw and UCLA by changes_ucla."""
    rows = []
    for i, (dsw, du) in enumerate(zip(changes_sw, changes_ucla, strict=True)):
        for tp, k in (("pre", 0), ("post", 1)):
            sw = [3] * 7
            sw[0] = 3 + k * dsw
            uc = [2, 2, 2]
            uc[0] = 2 + k * du
            row = {"respondent_id": f"p{i}", "site": "plymouth", "activity": "a", "timepoint": tp,
                   "completed_on": pd.Timestamp("2023-01-01")}
            row |= dict(zip(SWEMWBS_ITEMS, sw, strict=True)) | dict(zip(UCLA_ITEMS, uc, strict=True))
            row |= dict.fromkeys(ONS_ITEMS, 5)
            rows.append(row)
    df = pd.DataFrame(rows)
    for c in (*SWEMWBS_ITEMS, *UCLA_ITEMS, *ONS_ITEMS):
        df[c] = df[c].astype("Int64")
    return df


def test_prepost_evidence_respects_scale_direction():
    ev = tr.prepost_evidence(_prepost([1, 1, 1, 0, -1, 2], [-1, -1, 0, 1, 1, -1]))
    assert (ev["wellbeing"].improved, ev["wellbeing"].same, ev["wellbeing"].worse) == (4, 1, 1)
    sc = ev["social_connections"]
    assert (sc.improved, sc.same, sc.worse) == (3, 1, 2)  # lower UCLA is better
    assert set(ev) == set(tr.PREPOST_SCALES)
    # mostly positive but the interval includes 0: not "improved"
    assert ev["wellbeing"].direction == "no clear change"
    assert "includes 0" in ev["wellbeing"].basis


def test_prepost_evidence_improved_only_beyond_chance():
    ev = tr.prepost_evidence(_prepost([1, 2, 1, 1, 2, 1, 1, 2], [0] * 8))
    assert ev["wellbeing"].direction == "improved" and "excludes 0" in ev["wellbeing"].basis
    ev = tr.prepost_evidence(_prepost([0] * 8, [1, 1, 1, 1, 0, 1, 1, 1]))  # UCLA up = lonelier
    assert ev["social_connections"].direction == "worse"


def _retro(n: int, delta: dict[str, list[int]]) -> pd.DataFrame:
    df = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(n)], "site": "plymouth", "activity": "a",
                       "completed_on": pd.Timestamp("2023-06-01")})
    for item in RETRO_ITEMS:
        df[f"{item}_before"] = pd.array([2] * n, dtype="Int64")
        df[f"{item}_now"] = pd.array([2 + x for x in delta.get(item, [0] * n)], dtype="Int64")
    return df


def test_retrospective_evidence_averages_domain_items():
    df = _retro(3, {"wellbeing": [1, 1, -1], "confidence": [1, -1, 0], "skills": [2, 0, 0]})
    ev = {d: (e.improved, e.same, e.worse) for d, e in tr.retrospective_evidence(df).items()}
    assert ev["wellbeing"] == (1, 1, 1)  # means +1, 0, -0.5
    assert ev["skills"] == (1, 2, 0)
    assert ev["goals"] == (0, 3, 0)


def _pa(values: dict[str, list]) -> pd.DataFrame:
    n = len(next(iter(values.values())))
    df = pd.DataFrame({"response_id": [f"R{i}" for i in range(n)], "pa_id": "PA1",
                       "young_person_ref": [f"y{i}" for i in range(n)], "site": "brent",
                       "completed_on": pd.Timestamp("2023-01-01")})
    for d in PA_DOMAINS:
        df[f"change_{d}"] = pd.Series(values.get(d, [None] * n), dtype="str")
    df["comment"] = pd.Series([None] * n, dtype="str")
    return df


def _segments() -> pd.DataFrame:
    sc = OUTCOME_DOMAINS["social_connections"]
    sk = OUTCOME_DOMAINS["skills"]
    rows = [
        # (segment, source, speaker, role, code, start, end)
        ("s1", "T1", "yp1", "Young person", sc, 0, 50),
        ("s2", "T1", "yp1", "Young person", "Valence/Positive", 0, 50),
        ("s3", "T2", "yp2", "Young person", sc + "/Friends", 10, 40),
        ("s4", "T2", "yp2", "Young person", "Valence/Negative", 20, 60),
        ("s5", "T3", "yp3", "Young person", sc, 0, 30),  # no valence
        ("s6", "T4", "st1", "Staff member", sc, 0, 30),
        ("s7", "T4", "st1", "Staff member", "Valence/Positive", 0, 30),
        ("s8", "T5", "yp4", "Young person", sk, 100, 150),
        ("s9", "T5", "yp4", "Young person", "Valence/Positive", 0, 40),  # no overlap
        ("s10", "T6", None, "Young person", sk, 0, 10),
        ("s11", "T6", None, "Young person", "Valence/Mixed", 0, 10),
    ]
    df = pd.DataFrame(rows, columns=["segment_id", "source_id", "speaker_id", "role", "code_path", "start",
                                     "end"])
    df["speaker_id"] = df["speaker_id"].astype("str")
    df["site"] = "plymouth"
    for c in ("start", "end"):
        df[c] = df[c].astype("Int64")
    return df


def test_domain_segments_link_valence_by_overlap():
    ds = tr.domain_segments(_segments()).set_index("segment_id")
    assert ds.loc["s1", "valence"] == 1 and ds.loc["s3", "valence"] == -1
    assert pd.isna(ds.loc["s5", "valence"]) and pd.isna(ds.loc["s8", "valence"])
    assert "s6" not in ds.index  # staff excluded by default
    assert ds.loc["s10", "person"] == "T6" and ds.loc["s10", "valence"] == 0


def test_interview_evidence_and_qualitative_table():
    ev = tr.interview_evidence(_segments())
    assert (ev["social_connections"].improved, ev["social_connections"].same,
            ev["social_connections"].worse, ev["social_connections"].mentioned) == (1, 0, 1, 3)
    sk = ev["skills"]
    assert (sk.improved, sk.same, sk.worse, sk.mentioned) == (0, 1, 0, 2)
    q = tr.qualitative_by_domain(_segments()).set_index("domain")
    assert q.loc["social_connections", "people"] == 3 and q.loc["social_connections", "sources"] == 3
    assert q.loc["social_connections", "people_positive"] == 1
    everyone = tr.qualitative_by_domain(_segments(), role=None).set_index("domain")
    assert everyone.loc["social_connections", "people"] == 4


def _dataset(n_pre: int = 12) -> SimpleNamespace:
    rng = np.random.default_rng(3)
    sw = list(rng.choice([1, 1, 1, 0, -1], n_pre))
    uc = list(rng.choice([-1, 0, 0, 1], n_pre))
    fac = SOURCES["facilitator_ratings"].empty()
    fac = pd.DataFrame({"session_id": ["a", "b", "c", "d", "e", "f"], "site": "plymouth", "activity": "w",
                        "session_date": pd.Timestamp("2023-01-01"), "facilitator_id": "F",
                        "attendees": pd.array([5] * 6, dtype="Int64"),
                        "engagement": pd.array([4] * 6, dtype="Int64"),
                        "wellbeing": pd.array([4, 5, 4, 3, 4, 2], dtype="Int64"),
                        "note": pd.Series([None] * 6, dtype="str")})[fac.columns]
    return SimpleNamespace(
        prepost_survey=_prepost(sw, uc),
        retrospective_survey=_retro(4, {"goals": [1, 1, 1, 0]}),
        pa_survey=_pa({"skills": ["Much better"] * 12 + ["No change"] * 2}),
        facilitator_ratings=fac,
        coded_segments=_segments(),
    )


def test_triangulate_is_computed_from_the_data():
    ds = _dataset()
    long = tr.triangulate(ds)
    assert len(long) == len(OUTCOME_DOMAINS) * len(tr.SOURCES)
    cell = long.set_index(["domain", "source"])
    ev = tr.prepost_evidence(ds.prepost_survey)["wellbeing"]
    assert tuple(cell.loc[("wellbeing", "prepost"), ["improved", "same", "worse"]]) == (
        ev.improved, ev.same, ev.worse)
    assert cell.loc[("wellbeing", "prepost"), "direction"] == ev.direction
    assert cell.loc[("skills", "prepost"), "direction"] == "not measured"
    assert cell.loc[("skills", "pa_survey"), "direction"] == "improved"
    assert cell.loc[("skills", "pa_survey"), "consistency"] == pytest.approx(12 / 14)
    assert cell.loc[("wellbeing", "facilitator"), "n"] == 6
    # levels are never turned into change, however high
    assert cell.loc[("wellbeing", "facilitator"), "direction"] == "level only, not change"
    assert cell.loc[("goals", "retrospective"), "n"] == 4
    # changing the data changes the table
    ds.pa_survey = _pa({"skills": ["Much worse"] * 12 + ["No change"] * 2})
    again = tr.triangulate(ds).set_index(["domain", "source"])
    assert again.loc[("skills", "pa_survey"), "direction"] == "worse"


def test_matrix_withholds_small_cells():
    long = tr.triangulate(_dataset())
    grid = tr.matrix(long, threshold=5)
    assert list(grid.index) == [tr.DOMAIN_LABELS[d] for d in OUTCOME_DOMAINS]
    assert grid.loc["Personal goals and positive destinations", "Retrospective survey"] == "withheld (n<5)"
    assert grid.loc["Skills and knowledge", "Pre/post questionnaire"] == "not measured"
    pa_cell = grid.loc["Skills and knowledge", "Personal Adviser survey"]
    assert pa_cell == "improved (n=14, moderate)"
    assert grid.loc["Wellbeing, confidence and identity", "Facilitator ratings"].startswith(
        "level only, not change")
    assert "n=4" not in " ".join(grid.to_numpy().ravel())
    relaxed = tr.matrix(long, threshold=3)
    assert "n=4" in relaxed.loc["Personal goals and positive destinations", "Retrospective survey"]


def test_triangulate_on_empty_sources():
    ds = SimpleNamespace(**{name: SOURCES[name].empty() for name in
                            ("prepost_survey", "retrospective_survey", "pa_survey", "facilitator_ratings",
                             "coded_segments")})
    long = tr.triangulate(ds)
    assert (long["direction"] == "not measured").all() and (long["n"] == 0).all()


def test_sample_sizes_name_every_source():
    ds = _dataset(n_pre=12)
    out = tr.sample_sizes(ds).set_index("Source")
    assert list(out.index) == [label for label, _ in tr.SOURCES.values()]
    assert out.loc["Pre/post questionnaire", "n"] == 12
    assert out.loc["Retrospective survey", "n"] == 4
    assert out.loc["Personal Adviser survey", "n"] == 14
    assert out.loc["Facilitator ratings", "n"] == 6
    people = tr.domain_segments(ds.coded_segments)["person"].nunique()
    assert out.loc["Interviews with young people", "n"] == people
    ds.pa_survey = SOURCES["pa_survey"].empty()
    empty = tr.sample_sizes(ds).set_index("Source")
    assert empty.loc["Personal Adviser survey", "n"] == 0
    assert empty.loc["Personal Adviser survey", "Detail"] == "not collected at this site"


def test_qualitative_display_counts_match():
    shown = tr.qualitative_display(_segments())
    q = tr.qualitative_by_domain(_segments())
    assert shown["People mentioning it"].tolist() == q["people"].tolist()
    assert set(tr.QUALITATIVE_DISPLAY_COUNTS) <= set(shown.columns)


@pytest.mark.parametrize("value, band", [(1.0, "75% or more agree"), (0.75, "75% or more agree"),
                                         (0.74, "60-74% agree"), (0.5, "50-59% agree"),
                                         (0.34, "under half agree")])
def test_agreement_band(value, band):
    assert tr.agreement_band(value) == band


def test_domain_evidence_rows_per_source_and_withholding():
    long = tr.triangulate(_dataset())
    goals = tr.domain_evidence(long, "goals", threshold=5).set_index("Source")
    assert list(goals.index) == [label for label, _ in tr.SOURCES.values()]
    retro = goals.loc["Retrospective survey"]
    assert pd.isna(retro["n"]) and retro["Direction"] == "withheld" and retro["Why"] == ""
    skills = tr.domain_evidence(long, "skills", threshold=5).set_index("Source")
    assert skills.loc["Personal Adviser survey", "n"] == 14
    assert skills.loc["Personal Adviser survey", "Direction"] == "improved"
    assert "Wilson" in skills.loc["Personal Adviser survey", "Why"]
    assert skills.loc["Pre/post questionnaire", "Direction"] == "not measured"
    with pytest.raises(KeyError):
        tr.domain_evidence(long, "happiness")


SYNTHETIC = Path(__file__).resolve().parents[1] / "data" / "synthetic"


@pytest.mark.skipif(not (SYNTHETIC / "coded_segments.csv").is_file(), reason="no bundled synthetic data")
def test_people_per_domain_agree_with_qualitative_prevalence():
    """Our per-domain counts agree with the qualitative module's prevalence (engineer C)."""
    import carejourneys as cj
    from carejourneys.metrics import qualitative

    seg = cj.load_dataset(site="all").coded_segments
    ours = tr.qualitative_by_domain(seg).set_index("domain")
    yp = seg[seg["role"] == tr.YOUNG_PERSON_ROLE]
    theirs = qualitative.theme_prevalence(yp, by=(), level=2).set_index("theme")
    for domain, path in OUTCOME_DOMAINS.items():
        assert ours.loc[domain, "people"] == theirs.loc[path, "people"]
        assert ours.loc[domain, "sources"] == theirs.loc[path, "sources"]

"""metrics.indicators: Wilson intervals, rates, trends, neighbour medians, gaps, returns vs published."""

from __future__ import annotations

import math
import statistics
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import carejourneys as cj
from carejourneys.metrics import indicators as ind

EXTRACT = Path(__file__).resolve().parents[1] / "data" / "public"


def wilson_by_hand(k: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    z = stats.norm.ppf(1 - alpha / 2)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return 100 * (centre - half), 100 * (centre + half)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 2000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
       st.sampled_from([0.05, 0.1, 0.01]))
def test_wilson_matches_the_formula(kn, alpha):
    k, n = kn
    lo, hi = ind.wilson_interval([k], [n], alpha)
    elo, ehi = wilson_by_hand(k, n, alpha)
    assert lo[0] == pytest.approx(elo, abs=1e-9) and hi[0] == pytest.approx(ehi, abs=1e-9)
    assert 0 <= lo[0] <= 100 * k / n <= hi[0] <= 100


def test_wilson_missing_and_empty():
    lo, hi = ind.wilson_interval(pd.array([5, None, 3, 2], dtype="Float64"),
                                 pd.array([10, 10, None, 0], dtype="Float64"))
    assert not np.isnan(lo[0]) and np.isnan(lo[1:]).all() and np.isnan(hi[1:]).all()


def care_frame(rows):
    df = pd.DataFrame(rows, columns=["area_code", "old_la_code", "time_period", "age", "table", "measure",
                                     "count", "percent"])
    return df.astype({"count": "Float64", "percent": "Float64", "time_period": "Int64"})


def test_rates_use_the_table_total_and_keep_suppression():
    care = care_frame([
        ("A", "1", 2024, "19-21", "activity", "total", 40, 100),
        ("A", "1", 2024, "19-21", "activity", "eet", 22, 55),
        ("A", "1", 2024, "19-21", "activity", "neet", None, None),
        ("A", "1", 2024, "19-21", "accommodation", "total", 50, 100),
        ("A", "1", 2024, "19-21", "accommodation", "suitable", 45, 90),
    ])
    r = ind.rates(care).set_index(["table", "measure"])
    assert r.loc[("activity", "eet"), "rate"] == pytest.approx(55.0)
    assert r.loc[("activity", "eet"), "total"] == 40
    assert r.loc[("accommodation", "suitable"), "total"] == 50
    lo, hi = wilson_by_hand(45, 50)
    assert r.loc[("accommodation", "suitable"), "ci_low"] == pytest.approx(lo)
    assert pd.isna(r.loc[("activity", "neet"), "rate"]) and pd.isna(r.loc[("activity", "neet"), "ci_low"])


def test_neighbour_median_leaves_out_symbols():
    care = care_frame([
        ("N1", "101", 2024, "19-21", "activity", "eet", 10, 50),
        ("N2", "102", 2024, "19-21", "activity", "eet", 12, 60),
        ("N3", "103", 2024, "19-21", "activity", "eet", None, None),
        ("N4", "104", 2024, "19-21", "activity", "eet", 9, 45),
        ("X", "900", 2024, "19-21", "activity", "eet", 1, 99),
    ])
    sn = pd.DataFrame({"model": [2025] * 4, "old_la_code": ["900"] * 4, "rank": [1, 2, 3, 4],
                       "neighbour_old_code": ["101", "102", "103", "104"]})
    m = ind.neighbour_median(care, sn, "900", model=2025)
    assert len(m) == 1
    assert m["median_percent"].iloc[0] == statistics.median([50, 60, 45])
    assert m["n_neighbours"].iloc[0] == 3
    assert ind.neighbour_median(care, sn, "900", model=2021).empty


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(2000, 2030), st.floats(0, 100, allow_nan=False)), min_size=2,
                max_size=12, unique_by=lambda t: t[0]))
def test_slope_matches_linregress(points):
    x, y = zip(*points, strict=True)
    got = ind.slope(list(x), list(y))
    assert got == pytest.approx(stats.linregress(x, y).slope, abs=1e-7)


def test_slope_needs_two_years():
    assert math.isnan(ind.slope([2024], [50.0]))
    assert math.isnan(ind.slope([2024, 2025], [50.0, None]))


def test_gap_is_care_leavers_minus_comparator():
    g = ind.gap([40.0, None], [13.0, 10.0])
    assert g.iloc[0] == 27.0 and pd.isna(g.iloc[1])


def test_returns_beside_published():
    own = pd.DataFrame({"collection_year": [2023, 2023, 2022], "age": ["19-21"] * 3,
                        "table": ["activity", "activity", "activity"], "measure": ["eet", "neet", "eet"],
                        "count": [30, 10, 25], "total": [50, 50, 50], "percent": [60.0, 20.0, 50.0]})
    pubd = pd.DataFrame({"time_period": [2023, 2024], "age": ["19-21"] * 2, "table": ["activity"] * 2,
                         "measure": ["eet", "eet"], "count": [28, 30], "total": [50, 52],
                         "percent": [56.0, 58.0]})
    m = ind.returns_vs_published(own, pubd)
    assert len(m) == 1 and m["difference"].iloc[0] == pytest.approx(4.0)


def test_bright_spots_against_comparators():
    bs = pd.DataFrame({"site": ["brent"], "survey_year": [2022], "indicator": ["trust_worker"],
                       "respondents": [40], "percent": [90.0], "comparator": ["national"],
                       "comparator_percent": [94.0]})
    comp = pd.DataFrame({"comparator": ["national"], "indicator": ["trust_worker"], "percent": [96.0],
                         "year": [2018], "citation": ["x"], "verified": ["secondary"]})
    out = ind.bright_spots_vs_national(bs, comp)
    assert out["difference"].iloc[0] == pytest.approx(-4.0) and out["cited_percent"].iloc[0] == 96.0


# ----------------------------------------------------------------------------- on the committed extract

@pytest.fixture(scope="module")
def pub():
    return cj.public.load_public(EXTRACT)


@pytest.mark.parametrize("code", ["brent", "plymouth", "E08000025", "931", "E06000052"])
def test_trends_for_several_councils(pub, code):
    t = ind.trends(pub, code)
    area = pub.area(code)
    assert set(t["kind"]) == {"council", "england", "neighbours"}
    assert set(t["series"]) == {area["name"], "England", "Neighbour median (2021 model)",
                                "Neighbour median (2025 model)"}
    council = t[t["kind"] == "council"]
    assert sorted(council["time_period"].unique()) == [2021, 2022, 2023, 2024, 2025]
    cl = pub.care_leavers
    for _, r in council.dropna(subset=["count"]).iterrows():
        src = cl[(cl.area_code == area["area_code"]) & (cl.time_period == r["time_period"])
                 & (cl.age == r["age"]) & (cl.table == r["table"])]
        assert r["count"] == src[src.measure == r["measure"]]["count"].iloc[0]
        assert r["total"] == src[src.measure == "total"]["count"].iloc[0]
        assert r["ci_low"] <= 100 * r["count"] / r["total"] <= r["ci_high"]
    s = ind.trend_summary(t)
    assert len(s) == t.groupby(["indicator", "age", "series"]).ngroups


def test_gap_to_all_young_people(pub):
    g = ind.gap_to_all_young_people(pub, "plymouth")
    assert len(g) >= 1
    row = g.iloc[0]
    assert row["gap_then"] == row["england_care_leavers_then"] - row["all_young_people_percent"]
    cl = pub.care_leavers
    latest = cl[(cl.area_code == "E06000026") & (cl.measure == "neet") & (cl.age == "19-21")
                & (cl.time_period == row["latest_year"])]["percent"].iloc[0]
    assert row["council_latest_percent"] == latest
    assert row["years_differ"]
    # never a comparator of one year against care leavers of another
    assert row["comparator_year"] == 2017 and row["latest_year"] == 2025
    assert math.isnan(row["council_percent"]) and math.isnan(row["council_gap"])
    assert "2017" in row["same_year_note"] and "no gap" in row["latest_gap_note"]
    table = ind.gap_table(pub, "plymouth")
    for _, r in table[table["Gap (pp)"].notna()].iterrows():
        assert r["Year"] == "2017"
    assert table[table["Year"] == "2025"]["Gap (pp)"].isna().all()
    assert (table["NEET %"] == ind.NOT_IN_FILES).sum() == 1


# ----------------------------------------------------------------------------- the report notebook

@pytest.mark.slow
def test_report_builds_for_sites_and_council_codes(tmp_path):
    from carejourneys.publish.build import run

    # the two sites and three other councils chosen by code (old and new forms)
    codes = ["brent", "plymouth", "330", "E06000052", "931"]
    res = run(sites=codes, notebooks=["04_care_leaver_indicators"], outputs=tmp_path, jobs=5, quiet=True)
    assert res.ok, [str(r) for r in res.failures]
    from carejourneys.publish.build import normalise_sites

    pub = cj.public.load_public(EXTRACT)
    folder = dict(zip(codes, normalise_sites(codes), strict=True))  # a council's pages use one code

    def page(code: str) -> str:
        return (tmp_path / folder[code] / "04_care_leaver_indicators.html").read_text(encoding="utf-8")

    for code in codes:
        html = page(code)
        assert pub.area(code)["name"] in html
        assert "Traceback" not in html and "Error" not in html
    assert "published official statistics only" in page("330")
    assert "Official statistics and synthetic data" in page("brent")
    assert "Oxfordshire" in page("931")


# ----------------------------------------------------------------------------- reader-facing tables

def test_comparison_table_gap_is_council_minus_england(pub):
    t = ind.trends(pub, "plymouth")
    c = ind.comparison_table(t)
    latest = int(t["time_period"].max())
    for _, row in c.iterrows():
        assert row["Year"] == str(latest)
        assert row["Gap to England (pp)"] == pytest.approx(row["Council %"] - row["England %"])
    eet = c[(c["Indicator"] == "EET") & (c["Age"] == "19-21")].iloc[0]
    cl = pub.care_leavers
    pub_eet = cl[(cl.area_code == "E06000026") & (cl.time_period == latest) & (cl.age == "19-21")
                 & (cl.measure == "eet")]["percent"].iloc[0]
    assert eet["Council %"] == pub_eet


def _records(n_eet: int, n_neet: int, year: int = 2023) -> pd.DataFrame:
    n = n_eet + n_neet
    return pd.DataFrame({
        "CHILD": [f"C{i}" for i in range(n)], "DOB": pd.to_datetime(["2002-01-15"] * n),
        "IN_TOUCH": ["YES"] * n, "ACTIV": ["F1"] * n_eet + ["G5"] * n_neet, "ACCOM": ["B1"] * n,
        "collection_year": pd.array([year] * n, dtype="Int64"), "age": pd.array([21] * n, dtype="Int64"),
    })


def test_own_returns_cannot_leak_a_small_group(pub):
    # 3 young people not in EET out of 40: the small group must not be recoverable from the table
    own = ind.own_returns(_records(37, 3), pub, "brent")
    assert list(own["Indicator"]) == ["EET", "Suitable accommodation"]
    row = own[own["Indicator"] == "EET"].iloc[0]
    assert (row["Number"], row["Others"], row["Total"]) == (37, 3, 40)
    safe = cj.report.protected(own, counts=["Number", "Others", "Total"], secondary="rows",
                               percent_of={"% (return)": "Number", "Difference (pp)": "Number"}, threshold=5)
    srow = safe[safe["Indicator"] == "EET"].iloc[0]
    assert srow["Others"] == "c" and srow["Number"] == "c"
    assert srow["% (return)"] == "c" and srow["Difference (pp)"] == "c"
    # all 40 in suitable accommodation: nothing small, nothing withheld
    acc = safe[safe["Indicator"] == "Suitable accommodation"].iloc[0]
    assert acc["Number"] == 40 and acc["% (return)"] == 100.0


def test_own_returns_empty_without_returns(pub):
    assert ind.own_returns(None, pub, "brent").empty
    assert list(ind.own_returns(None, pub, "brent").columns) == ind.OWN_RETURN_COLUMNS


def test_workforce_table_shows_symbols_not_blanks(pub):
    t = cj.public.workforce_table("330", EXTRACT)
    wf = cj.public.workforce("330", EXTRACT)
    sym = wf["agency_rate_fte_symbol"].notna()
    assert sym.any()
    assert list(t.loc[sym.to_numpy(), "Agency %"]) == list(wf.loc[sym, "agency_rate_fte_symbol"])
    eng = cj.public.workforce("england", EXTRACT).set_index("time_period")
    assert list(t["Turnover %, England"]) == list(eng.loc[wf["time_period"], "turnover_rate_fte"])


def test_in_touch_table_counts_yes_by_year_and_band():
    recs = pd.concat([_records(6, 2, 2022), _records(3, 0, 2023)], ignore_index=True)
    recs.loc[[0, 8], "IN_TOUCH"] = "NO"
    t = ind.in_touch_table(recs).set_index(["Year", "Age"])
    assert (t.loc[("2022", "19-21"), "In touch"], t.loc[("2022", "19-21"), "Total"]) == (7, 8)
    assert (t.loc[("2023", "19-21"), "In touch"], t.loc[("2023", "19-21"), "Others"]) == (2, 1)
    assert t.loc[("2022", "19-21"), "% in touch"] == pytest.approx(87.5)
    assert ind.in_touch_table(None).empty


def test_a_council_without_published_figures_gets_empty_tables_and_a_note():
    from carejourneys.inputs import public
    from carejourneys.metrics import indicators

    pub = public.load_public()
    council_codes = set(pub.care_leavers["area_code"]) if "area_code" in pub.care_leavers else set()
    gone = [c for c in pub.areas["area_code"].dropna() if c.startswith("E06") and c not in council_codes]
    if not gone:
        pytest.skip("every unitary council in the extract has figures")
    trend = indicators.trends(pub, gone[0])
    assert indicators.comparison_table(trend).empty
    assert "no care leaver figures" in indicators.coverage_note(trend)
    brent = indicators.trends(pub, "304")
    assert indicators.coverage_note(brent).startswith("The council's own published figures cover")
    assert not indicators.comparison_table(brent).empty

"""cj.metrics.evidence: the data-gathering table, the published summary, fieldwork over time, coverage."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from carejourneys.inputs import schemas
from carejourneys.metrics import evidence

REPO = Path(__file__).resolve().parents[1]


def make_fieldwork(seed: int = 1, n: int = 120) -> pd.DataFrame:
    """A random but valid fieldwork log (validated against the contract)."""
    rng = np.random.default_rng(seed)
    method = rng.choice(schemas.METHODS, size=n, p=[0.6, 0.1, 0.25, 0.05])
    site = rng.choice(schemas.FIELDWORK_SITES, size=n, p=[0.45, 0.45, 0.1])
    group = rng.choice(schemas.PARTICIPANT_GROUPS, size=n)
    wave = rng.choice(schemas.WAVES, size=n)
    dates = [pd.Timestamp(schemas.WAVE_PERIODS[w][0]) + pd.Timedelta(days=int(rng.integers(0, 300)))
             for w in wave]
    people = np.where(method == "interview", rng.integers(1, 3, size=n), rng.integers(2, 9, size=n))
    fw = pd.DataFrame({
        "event_id": [f"E{i:04d}" for i in range(n)],
        "site": pd.Series(site, dtype="str"),
        "method": pd.Series(method, dtype="str"),
        "participant_group": pd.Series(group, dtype="str"),
        "date": pd.to_datetime(dates).astype("datetime64[ns]"),
        "wave": pd.Series(wave, dtype="Int64"),
        "n_participants": pd.Series(people, dtype="Int64"),
        "source_id": pd.Series([None] * n, dtype="str"),
    })
    return schemas.SOURCES["fieldwork"].schema.validate(fw)


def test_data_gathering_counts_people_for_interviews_and_events_otherwise():
    fw = make_fieldwork()
    t = evidence.data_gathering(fw)
    for _, row in t.iterrows():
        method = {v: k for k, v in evidence.METHOD_LABELS.items()}[row["Method"]]
        group = {v: k for k, v in evidence.GROUP_LABELS.items()}[row["Participant group"]]
        part = fw[(fw["method"] == method) & (fw["participant_group"] == group)]
        for site, label in evidence.SITE_LABELS.items():
            here = part[part["site"] == site]
            expected = int(here["n_participants"].sum()) if method == "interview" else len(here)
            assert row[label] == expected
        assert row["Total"] == sum(row[label] for label in evidence.SITE_LABELS.values())
        assert row["Counted as"] == ("people" if method == "interview" else "events")
    # every method and group that occurs has a row, in code-list order
    occurring = fw.groupby(["method", "participant_group"]).size()
    assert len(t) == len(occurring)
    codes = t["Method"].map({v: k for k, v in evidence.METHOD_LABELS.items()})
    order = [schemas.METHODS.index(m) for m in codes]
    assert order == sorted(order)


def test_data_gathering_for_one_site_and_empty():
    fw = make_fieldwork(seed=3)
    one = evidence.data_gathering(fw[fw["site"] == "brent"])
    assert [c for c in one.columns if c in evidence.SITE_LABELS.values()] == ["Brent"]
    empty = evidence.data_gathering(fw.iloc[:0])
    assert empty.empty and "Total" in empty.columns


def test_summary_matches_a_groupby_and_compare_with_published():
    fw = make_fieldwork(seed=5)
    s = evidence.summary(fw).set_index("What")
    interviews = fw[fw["method"] == "interview"]
    assert s.loc["Interviews with young people", "Total"] == \
        interviews.loc[interviews["participant_group"] == "young_person", "n_participants"].sum()
    staff = interviews["participant_group"].isin(["cj_staff", "la_staff", "stakeholder"])
    assert s.loc["Interviews with Care Journeys and council staff and stakeholders", "Total"] == \
        interviews.loc[staff, "n_participants"].sum()
    assert s.loc["Focus groups", "Total"] == (fw["method"] == "focus_group").sum()
    observed = (fw["method"] == "observation") & (fw["site"] == "plymouth")
    assert s.loc["Observations", "Plymouth"] == observed.sum()
    cmp = evidence.compare_with_published(fw)
    assert list(cmp["What"]) == list(evidence.PUBLISHED)
    assert (cmp["Same"] == np.where(cmp["Computed"] == cmp["Published"], "yes", "no")).all()


def test_over_time_sums_to_the_log_and_fills_empty_quarters():
    fw = make_fieldwork(seed=7)
    ot = evidence.over_time(fw)
    assert ot["events"].sum() == len(fw)
    assert ot["people"].sum() == fw.loc[fw["method"] == "interview", "n_participants"].sum()
    periods = ot["period"].drop_duplicates()
    expected = pd.period_range(fw["date"].min().to_period("Q"), fw["date"].max().to_period("Q"), freq="Q")
    assert list(periods) == list(expected)
    by_year = evidence.over_time(fw, freq="year")
    assert by_year.groupby("period")["events"].sum().to_dict() == \
        fw.groupby(fw["date"].dt.to_period("Y")).size().to_dict()


def test_coverage_and_gaps():
    fw = make_fieldwork(seed=11)
    cov = evidence.coverage(fw)
    assert cov["Events"].sum() == len(fw)
    # remove every wave-2 young person interview in Plymouth: a gap sentence names it
    drop = (fw["site"] == "plymouth") & (fw["wave"] == 2) & (fw["participant_group"] == "young_person") \
        & (fw["method"] == "interview")
    gaps = evidence.coverage_gaps(fw[~drop])
    assert any(g.startswith("Plymouth: no young people") and "wave 2" in g for g in gaps)
    assert drop.any()  # the random log has such interviews, so the full log shows no such gap
    assert not any(g.startswith("Plymouth: no young people") and "2" in g.split("wave")[-1]
                   for g in evidence.coverage_gaps(fw))


def _synthetic_dir() -> Path:
    d = REPO / "data" / "synthetic"
    if not (d / "manifest.yml").is_file():
        pytest.skip("the synthetic replica is not generated yet")
    return d


def test_published_totals_from_the_synthetic_replica():
    d = _synthetic_dir()
    try:
        import carejourneys as cj

        ds = cj.load_dataset(data_dir=d, site="all")
    except (ImportError, AttributeError) as e:  # dataset.py not written yet
        pytest.skip(f"load_dataset unavailable: {e}")
    cmp = evidence.compare_with_published(ds.fieldwork)
    assert (cmp["Same"] == "yes").all(), cmp.to_string()
    # the per-site tables add up to the all-sites table
    parts = [evidence.summary(cj.load_dataset(data_dir=d, site=s).fieldwork).set_index("What")
             for s in ("brent", "plymouth")]
    # a single site's table has no Total column (it would repeat the site's)
    assert "Total" not in parts[0].columns and "Total" not in parts[1].columns
    whole = evidence.summary(ds.fieldwork).set_index("What")
    assert (parts[0]["Brent"] + parts[1]["Plymouth"] == whole["Total"] - whole["National"]).all()


def test_count_columns_and_people_rows():
    fw = make_fieldwork(seed=13)
    t = evidence.summary(fw)
    assert evidence.count_columns(t) == [*[evidence.SITE_LABELS[s] for s in schemas.FIELDWORK_SITES], "Total"]
    assert list(evidence.people_rows(t)) == [u == "people" for _, (_, _, u) in evidence.SUMMARY_ROWS.items()]


def test_thinning_names_a_site_whose_last_wave_is_lightest():
    rows = [("plymouth", w) for w, n in ((1, 4), (2, 5), (3, 2)) for _ in range(n)]
    rows += [("brent", w) for w, n in ((1, 2), (2, 3), (3, 4)) for _ in range(n)]
    fw = pd.DataFrame({"site": [r[0] for r in rows], "wave": [r[1] for r in rows]})
    out = evidence.thinning(fw)
    assert len(out) == 1 and out[0].startswith("Plymouth") and "wave 3: 2" in out[0]

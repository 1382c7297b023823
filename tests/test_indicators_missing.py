"""The indicators report with figures the DfE did not publish, and councils whose code changed.

A suppressed (``c``), not applicable (``z``) or absent figure stays missing: it is shown in words
with its symbol, never filled in, and left out of the gaps and medians. A council whose new code
changed keeps its figures (they are published under its other code). Constructed cases first, then
real councils of the bundled extract that used to break the report or say it had no figures.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import matplotlib
import nbformat
import pandas as pd
import pytest

import carejourneys as cj
from carejourneys.inputs import public
from carejourneys.metrics import indicators as ind
from carejourneys.render import report as report_mod

matplotlib.use("Agg")

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "04_care_leaver_indicators.ipynb"
ENGLAND = public.ENGLAND


# --------------------------------------------------------------------------- a small constructed extract

def _row(code, old, name, year, table, measure, count, percent, level="Local authority", age="19-21"):
    """One care_leavers row; a str count or percent is a published symbol."""
    c_sym = count if isinstance(count, str) else pd.NA
    p_sym = percent if isinstance(percent, str) else pd.NA
    return {"time_period": year, "geographic_level": level, "area_code": code, "old_la_code": old,
            "name": name, "table": table, "age": age, "measure": measure,
            "count": pd.NA if isinstance(count, str) else count, "count_symbol": c_sym,
            "percent": pd.NA if isinstance(percent, str) else percent, "percent_symbol": p_sym}


def _area(code, old, name, year, eet, neet, suitable, total=40, level="Local authority"):
    """The rows of one area and year: eet/neet/suitable as (count, percent), symbols as str."""
    args = (code, old, name, year)
    return [_row(*args, "activity", "total", total, 100.0, level),
            _row(*args, "activity", "eet", *eet, level),
            _row(*args, "activity", "neet", *neet, level),
            _row(*args, "accommodation", "total", total, 100.0, level),
            _row(*args, "accommodation", "suitable", *suitable, level)]


def fake_pub(latest_council=None):
    """Testshire (E06000901, old 901) with its 2025 EET suppressed; two neighbours, one suppressed;
    E06000905 is Testshire under a new code (no rows of its own); Oldtown (E06000904) has no rows."""
    if latest_council is None:
        latest_council = dict(eet=("c", "c"), neet=(9, 30.0), suitable=(27, 90.0), total=30)
    rows = []
    rows += _area("E06000901", "901", "Testshire", 2024, (20, 50.0), (12, 30.0), (36, 90.0))
    rows += _area("E06000901", "901", "Testshire", 2025, **latest_council)
    for year in (2024, 2025):
        rows += _area(ENGLAND, pd.NA, "England", year, (5500, 55.0), (3800, 38.0), (8800, 88.0),
                      total=10000, level="National")
        rows += _area("E06000902", "902", "Nearby", year, (24, 60.0), (8, 20.0), (36, 90.0))
        rows += _area("E06000903", "903", "Smallshire", year, ("c", "c"), (10, 25.0), (32, 80.0))
    care = pd.DataFrame(rows)
    care = care.astype({"time_period": "Int64", "count": "Float64", "percent": "Float64",
                        "count_symbol": "str", "percent_symbol": "str", "old_la_code": "str"})
    areas = pd.DataFrame([
        ("National", ENGLAND, pd.NA, "England"),
        ("Local authority", "E06000901", "901", "Testshire"),
        ("Local authority", "E06000902", "902", "Nearby"),
        ("Local authority", "E06000903", "903", "Smallshire"),
        ("Local authority", "E06000904", "904", "Oldtown"),
        ("Local authority", "E06000905", "901", "Testshire"),
    ], columns=["geographic_level", "area_code", "old_la_code", "name"])
    sn = pd.DataFrame({"model": pd.array([2025, 2025], dtype="Int64"), "old_la_code": ["901", "901"],
                       "rank": pd.array([1, 2], dtype="Int64"), "neighbour_old_code": ["902", "903"],
                       "closeness": ["Very close", "Close"]})
    comp = pd.DataFrame([{"comparator": "all_young_people", "indicator": "neet", "label": "NEET",
                          "population": "all young people aged 19-21", "year": 2017, "percent": 13.0,
                          "care_leaver_percent": 40.0, "citation": "a citation", "verified": "secondary"}])
    comp = comp.astype({"year": "Int64", "percent": "Float64", "care_leaver_percent": "Float64"})

    def area(code):
        return areas.loc[public.resolve_area(code, areas)]

    return SimpleNamespace(areas=areas, care_leavers=care, statistical_neighbours=sn, comparators=comp,
                           area=area)


def _row_of(table: pd.DataFrame, indicator: str, **where) -> pd.Series:
    t = table[table["Indicator"] == indicator]
    for k, v in where.items():
        t = t[t[k] == v]
    assert len(t) == 1, (indicator, where, t)
    return t.iloc[0]


def test_a_suppressed_figure_is_shown_as_such_and_left_out_of_the_gap():
    pub = fake_pub()
    trend = ind.trends(pub, "E06000901")
    council = trend[(trend["kind"] == "council") & (trend["measure"] == "eet")
                    & (trend["time_period"] == 2025)]
    assert council["percent"].isna().all() and list(council["percent_symbol"]) == ["c"]

    table = ind.comparison_table(trend)
    assert set(table["Year"]) == {"2025"}
    eet = _row_of(table, "EET")
    assert eet["Council %"] == "suppressed (c)"
    assert pd.isna(eet["Gap to England (pp)"]) and eet["95% CI"] == ""
    neet = _row_of(table, "NEET")
    assert neet["Council %"] == 30.0 and neet["Gap to England (pp)"] == pytest.approx(-8.0)
    # the neighbour median leaves out the suppressed neighbour instead of counting it as anything
    assert eet["Neighbours, 2025 model %"] == 60.0
    notes = ind.missing_footnotes(trend, "latest")
    assert len(notes) == 1 and "EET aged 19-21" in notes[0] and "c: suppressed" in notes[0]
    assert "NEET" not in notes[0]

    shown = cj.report.protected(table, counts=["Care leavers"], secondary=None)
    html = cj.report.table_html(shown, caption="x", footnotes=notes, counts=["Care leavers"])
    assert "suppressed (c)" in html and "no gap to England is given" in html


def test_the_council_table_says_which_figures_were_not_published():
    trend = ind.trends(fake_pub(), "E06000901")
    table = ind.council_table(trend)
    eet = _row_of(table, "EET", Year="2025")
    assert eet["Care leavers"] == 30
    assert eet["Number"] == "suppressed (c)" and eet["Percent"] == "suppressed (c)"
    assert pd.isna(eet["95% CI from"]) and pd.isna(eet["95% CI to"])
    assert _row_of(table, "EET", Year="2024")["Percent"] == 50.0
    shown = cj.report.protected(table, counts=["Care leavers", "Number"], secondary=None,
                                percent_of={"Percent": "Care leavers"})
    assert _row_of(shown, "EET", Year="2025")["Percent"] == "suppressed (c)"
    assert ind.missing_footnotes(trend) and not ind.missing_footnotes(ind.trends(fake_pub(), "E06000902"))
    # the summary and the chart use the published years only
    summary = ind.summary_table(trend)
    eet_sum = summary[(summary["Indicator"] == "EET") & (summary["Series"] == "Testshire")].iloc[0]
    assert (eet_sum["First year"], eet_sum["Latest year"]) == ("2024", "2024")
    import matplotlib.pyplot as plt
    plt.close(ind.trend_figure(trend))


def test_when_the_latest_year_has_no_published_percent_the_table_shows_the_last_year_that_has():
    pub = fake_pub(dict(eet=("c", "c"), neet=("c", "c"), suitable=("z", "z"), total="c"))
    trend = ind.trends(pub, "E06000901")
    assert ind.comparison_year(trend) == 2024
    table = ind.comparison_table(trend)
    assert set(table["Year"]) == {"2024"} and table["Gap to England (pp)"].notna().all()
    assert "2024 to 2025" not in ind.coverage_note(trend)
    rows_2025 = ind.council_table(trend).query("Year == '2025'")
    assert set(rows_2025["Percent"]) == {"suppressed (c)", "not applicable (z)"}
    assert set(rows_2025["Care leavers"]) == {"suppressed (c)"}


def test_a_council_without_figures_and_its_gap_row():
    pub = fake_pub()
    trend = ind.trends(pub, "E06000904")
    assert ind.comparison_table(trend).empty and ind.council_table(trend).empty
    assert "no care leaver figures" in ind.coverage_note(trend)
    assert ind.missing_footnotes(trend, "latest") == [] and ind.comparison_year(trend) is None
    gap = ind.gap_table(pub, "E06000904")
    last = gap.iloc[-1]
    assert last["Group"] == "Care leavers aged 19-21 (Oldtown)"
    assert last["NEET %"] == "not published" and pd.isna(last["Gap (pp)"])
    # the only gap is between figures of the same year (the comparator's, as cited)
    assert gap["Gap (pp)"].notna().sum() == 1 and gap.iloc[1]["Gap (pp)"] == pytest.approx(
        gap.iloc[1]["NEET %"] - gap.iloc[0]["NEET %"])


def test_a_suppressed_latest_neet_figure_gets_no_gap_to_all_young_people():
    pub = fake_pub(dict(eet=(15, 50.0), neet=("c", "c"), suitable=(27, 90.0), total=30))
    last = ind.gap_table(pub, "E06000901").iloc[-1]
    assert last["NEET %"] == "suppressed (c)" and pd.isna(last["Gap (pp)"])
    assert "not published" in last["Source"]


def test_a_council_whose_code_changed_keeps_its_figures():
    pub = fake_pub()
    assert public.same_council_codes("E06000905", pub.areas) == ["E06000905", "E06000901"]
    assert public.same_council_codes("E06000904", pub.areas) == ["E06000904"]
    trend = ind.trends(pub, "E06000905")
    council = trend[trend["kind"] == "council"]
    assert len(council) and set(council["area_code"]) == {"E06000901"}
    assert "E06000901" in ind.coverage_note(trend)
    pd.testing.assert_frame_equal(ind.comparison_table(trend),
                                  ind.comparison_table(ind.trends(pub, "E06000901")))


# --------------------------------------------------------------------------- real councils of the extract

#: the councils for which the report used to fail (TypeError at the comparison table); Barnsley,
#: Sheffield, Buckinghamshire, North Yorkshire and Somerset have their figures under another code
FORMERLY_FAILING = {"E06000028": None, "E06000029": None, "E10000009": None,
                    "E08000038": "E08000016", "E08000039": "E08000019", "E10000002": "E06000060",
                    "E10000023": "E06000065", "E10000027": "E06000066"}


@pytest.fixture(scope="module")
def pub():
    return public.load_public()


@pytest.mark.parametrize("code, other", sorted(FORMERLY_FAILING.items()))
def test_formerly_failing_councils(pub, code, other):
    trend = ind.trends(pub, code)
    table = ind.comparison_table(trend)
    if other is None:  # merged away before the years published: honestly empty
        assert table.empty and "no care leaver figures" in ind.coverage_note(trend)
        assert ind.gap_table(pub, code).iloc[-1]["NEET %"] == "not published"
    else:
        assert public.same_council_codes(code, pub.areas)[1] == other
        assert other in ind.coverage_note(trend)
        pd.testing.assert_frame_equal(table, ind.comparison_table(ind.trends(pub, other)))
        assert not table.empty and ind.council_table(trend)["Percent"].notna().all()
        assert "2025" in set(public.workforce_table(code)["Year"])
        assert len(public.ofsted_table(code)) >= 1


def test_city_of_london_shows_its_suppressed_figures(pub):
    trend = ind.trends(pub, "E09000001")
    table = ind.comparison_table(trend)
    eet = _row_of(table, "EET", Age="17-18")
    assert eet["Council %"] == "suppressed (c)" and pd.isna(eet["Gap to England (pp)"])
    assert eet["Care leavers"] == "suppressed (c)"
    assert _row_of(table, "EET", Age="19-21")["Gap to England (pp)"] == pytest.approx(18.0)
    assert "EET aged 17-18" in ind.missing_footnotes(trend, "latest")[0]


def _run_notebook(code: str, monkeypatch) -> str:
    """Run the report's code cells in this process for ``code``; the HTML it displays."""
    shown: list[str] = []
    monkeypatch.setattr(report_mod, "_display", shown.append)
    monkeypatch.setattr(report_mod, "_CONTEXT", None)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    ns = {"site": code, "data_dir": None, "disclosure_threshold": 5}
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" not in cell.metadata.get("tags", []):
            exec(compile(cell.source, f"04[{code}]", "exec"), ns)
    import matplotlib.pyplot as plt
    plt.close("all")
    return "\n".join(shown)


@pytest.mark.parametrize("code", ["E06000028", "E08000038", "E09000001"])
def test_the_report_runs_for_formerly_failing_and_suppressed_councils(code, monkeypatch):
    page = _run_notebook(code, monkeypatch)
    if code == "E06000028":
        assert "no care leaver figures" in page
    elif code == "E08000038":
        assert "E08000016" in page and "Barnsley" in page
    else:
        assert "suppressed (c)" in page and "none is estimated" in page

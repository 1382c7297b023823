"""Official DfE / Ofsted readers: both care leaver layouts, BOMs, typed symbols, neighbours, workforce."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carejourneys.errors import DataError
from carejourneys.inputs.loaders.dfe import (
    CARE_LEAVER_COLUMNS,
    SYMBOLS,
    parse_numbers,
    read_dfe_care_leavers,
    read_ofsted,
    read_statistical_neighbours,
    read_workforce,
)

SHARED = Path(__file__).resolve().parents[2] / "shared"
DFE = SHARED / "public-data" / "dfe"


def need(name: str) -> Path:
    p = DFE / name
    if not p.exists():
        pytest.skip(f"{p} is absent")
    return p


def raw_rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


# ----------------------------------------------------------------------------- small fixtures

ID = "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name," \
     "old_la_code,la_name,new_la_code"
LA = "2022,Reporting year,Local authority,E92000001,England,E12000009,South West,879,Plymouth,E06000026"
NAT = "2022,Reporting year,National,E92000001,England,,,,,"
EET = '"Total in education, employment or training"'
PREG = '"Not in education, training or employment, owing to pregnancy or parenting"'


def write(path: Path, lines: list[str], bom: bool = False) -> Path:
    path.write_text(("\ufeff" if bom else "") + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def new_layout(tmp_path: Path, bom: bool) -> Path:
    return write(tmp_path / "new.csv", [
        f"{ID},care_leaver_age,breakdown,care_leaver_count,care_leaver_percent",
        f"{LA},19 to 21 years,{EET},\"1,234\",55",
        f"{LA},19 to 21 years,Total,200,100",
        f"{LA},17 to 18 years,{PREG},c,c",
        f"{NAT},19 to 21 years,In an apprenticeship,90,k",
        f"{NAT},19 to 21 years,In training or employment,z,z",
    ], bom=bom)


def old_layout(tmp_path: Path, bom: bool) -> Path:
    return write(tmp_path / "old.csv", [
        f"{ID},age,activity,number,percentage",
        f"{LA},Aged 19 to 21,{EET},\"1,234\",55",
        f"{LA},Aged 19 to 21,Total,200,100",
        f"{LA},Aged 17 to 18,{PREG},c,c",
        f"{NAT},Aged 19 to 21,In an apprenticeship,90,k",
        f"{NAT},Aged 19 to 21,In training or employment,z,z",
    ], bom=bom)


@pytest.mark.parametrize("bom", [False, True])
def test_both_layouts_give_the_same_tidy_frame(tmp_path, bom):
    a = read_dfe_care_leavers(new_layout(tmp_path, bom))
    b = read_dfe_care_leavers(old_layout(tmp_path, not bom))
    assert list(a.columns) == CARE_LEAVER_COLUMNS
    pd.testing.assert_frame_equal(a, b)
    assert list(a["age"]) == ["19-21", "19-21", "17-18", "19-21", "19-21"]
    assert list(a["measure"]) == ["eet", "total", "neet_pregnancy_parenting", "apprenticeship",
                                  "training_or_employment_all"]
    assert a.loc[0, "count"] == 1234 and a.loc[0, "percent"] == 55
    assert a.loc[0, "old_la_code"] == "879" and a.loc[0, "new_la_code"] == "E06000026"


def test_symbols_are_typed_missing_never_zero(tmp_path):
    a = read_dfe_care_leavers(new_layout(tmp_path, False))
    assert a.loc[2, "count_symbol"] == "c" and pd.isna(a.loc[2, "count"])
    assert a.loc[3, "count"] == 90 and pd.isna(a.loc[3, "percent"]) and a.loc[3, "percent_symbol"] == "k"
    assert a.loc[4, "count_symbol"] == "z" and pd.isna(a.loc[4, "percent"])
    assert pd.isna(a.loc[0, "count_symbol"])
    assert not ((a["count"] == 0) & a["count_symbol"].notna()).any()


def test_old_accommodation_and_in_touch_layouts(tmp_path):
    acc = read_dfe_care_leavers(write(tmp_path / "acc.csv", [
        f"{ID},age,accommodation_suitability,number,percentage",
        f"{LA},19 to 21 years,Accommodation considered suitable,150,88",
        f"{LA},19 to 21 years,Accommodation considered not suitable,x,x",
        f"{LA},19 to 21 years,Total,170,100",
    ]))
    assert set(acc["table"]) == {"accommodation"}
    assert list(acc["measure"]) == ["suitable", "unsuitable", "total"]
    assert list(acc["age"]) == ["19-21"] * 3 and acc.loc[1, "count_symbol"] == "x"
    touch = read_dfe_care_leavers(write(tmp_path / "touch.csv", [
        f"{ID},age,in_touch,number,percentage",
        f"{LA},Aged 19 to 21,In touch,160,94",
        f"{LA},Aged 19 to 21,Local authority not in touch,low,low",
        f"{LA},Aged 19 to 21,Young person refuses contact,c,c",
    ]))
    assert set(touch["table"]) == {"in_touch"}
    assert list(touch["measure"]) == ["in_touch", "not_in_touch", "refused_contact"]
    assert touch.loc[1, "count_symbol"] == "low"


def test_bad_cells_are_all_reported(tmp_path):
    p = write(tmp_path / "bad.csv", [
        f"{ID},care_leaver_age,breakdown,care_leaver_count,care_leaver_percent",
        f"{LA},19 to 21 years,Total,two hundred,100",
        f"{LA},19 to 21 years,Total,200,100",
        f"{LA},19 to 21 years,Total,200,n/a",
    ])
    with pytest.raises(DataError) as e:
        read_dfe_care_leavers(p)
    assert [(x.row, x.column) for x in e.value.problems] == [(2, "care_leaver_count"),
                                                             (4, "care_leaver_percent")]
    assert "bad.csv" in str(e.value)


def test_wrong_file_is_refused(tmp_path):
    p = write(tmp_path / "x.csv", ["a,b", "1,2"])
    with pytest.raises(DataError, match="not a DfE care leaver file"):
        read_dfe_care_leavers(p)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 10**6).map(str),
                          st.floats(0, 1000, allow_nan=False).map(lambda x: f"{x:.1f}"),
                          st.sampled_from(list(SYMBOLS)), st.just("")), min_size=1, max_size=30))
def test_parse_numbers_keeps_each_cell(cells):
    problems = []
    num, sym = parse_numbers(pd.Series(cells, dtype="str"), "f.csv", "c", problems)
    assert problems == []
    for cell, n, s in zip(cells, num, sym, strict=True):
        if cell in SYMBOLS:
            assert pd.isna(n) and s == cell
        elif cell == "":
            assert pd.isna(n) and pd.isna(s)
        else:
            assert n == float(cell) and pd.isna(s)


# ----------------------------------------------------------------------------- the real files

@pytest.mark.parametrize("name", ["la_care_leavers_activity.csv",
                                  "la_care_leavers_accommodation_suitability.csv"])
def test_official_care_leaver_files_match_the_raw_cells(name):
    path = need(name)
    rows = raw_rows(path)
    df = read_dfe_care_leavers(path)
    assert len(df) == len(rows)
    assert df["measure"].notna().all(), "every published breakdown has a measure key"
    for i in range(0, len(rows), 97):
        r, got = rows[i], df.iloc[i]
        for raw_col, col in (("care_leaver_count", "count"), ("care_leaver_percent", "percent")):
            v = r[raw_col]
            if v in SYMBOLS:
                assert got[f"{col}_symbol"] == v and pd.isna(got[col])
            else:
                assert got[col] == float(v)
        assert got["breakdown"] == r["breakdown"] and got["time_period"] == int(r["time_period"])
    n_c = sum(r["care_leaver_count"] == "c" for r in rows)
    assert (df["count_symbol"] == "c").sum() == n_c
    assert set(df["geographic_level"]) == {"National", "Regional", "Local authority"}


def test_brent_eet_19_21_2025():
    path = need("la_care_leavers_activity.csv")
    raw = [r for r in raw_rows(path) if r["old_la_code"] == "304" and r["time_period"] == "2025"
           and r["care_leaver_age"] == "19 to 21 years"
           and r["breakdown"] == "Total in education, employment or training"]
    df = read_dfe_care_leavers(path)
    got = df[(df.old_la_code == "304") & (df.time_period == 2025) & (df.age == "19-21")
             & (df.measure == "eet")]
    assert len(raw) == len(got) == 1
    assert got["count"].iloc[0] == float(raw[0]["care_leaver_count"])
    assert got["percent"].iloc[0] == float(raw[0]["care_leaver_percent"])


@pytest.mark.parametrize("name,model", [("New_Statistical_Neighbour_Groupings_April_2021.csv", 2021),
                                        ("sn_model_2025_wide.csv", 2025)])
def test_statistical_neighbours(name, model):
    path = need(name)
    sn = read_statistical_neighbours(path)
    assert set(sn["model"]) == {model}
    with open(path, newline="", encoding="utf-8-sig") as f:
        raw = list(csv.reader(f))
    for rec in raw[1:]:
        if rec[0] in ("304", "879"):
            got = sn[sn.old_la_code == rec[0]].sort_values("rank")
            first_sn = raw[0].index("SN1" if model == 2021 else "SN_1")
            assert list(got["neighbour_old_code"]) == [rec[first_sn + 2 * k] for k in range(10)]
            assert got["closeness"].iloc[0] == rec[first_sn + 1].strip().lower()
    assert (sn.groupby("old_la_code").size() == 10).all()


def test_workforce_long_form():
    path = need("csww_indicators_2017_to_2025.csv")
    raw = raw_rows(path)
    wf = read_workforce(path)
    for r in raw:
        if r["old_la_code"] in ("304", "879") and r["time_period"] in ("2019", "2025"):
            for m in ("turnover_rate_fte", "vacancy_rate_fte", "agency_rate_fte"):
                got = wf[(wf.old_la_code == r["old_la_code"]) & (wf.time_period == int(r["time_period"]))
                         & (wf.measure == m)]
                assert got["value"].iloc[0] == float(r[m])
    n_symbols = sum(v in SYMBOLS for r in raw for k, v in r.items()
                    if k not in ("time_identifier", "geographic_level", "country_code", "country_name",
                                 "region_code", "region_name", "old_la_code", "new_la_code", "la_name"))
    assert wf["symbol"].notna().sum() == n_symbols
    assert wf.loc[wf["symbol"].notna(), "value"].isna().all()


def test_ofsted_history_and_latest():
    path = need("LA_Inspection_Outcomes_as_at_31_March_2025.ods")
    hist = read_ofsted(path)
    latest = read_ofsted(path, sheet="Inspections_as_at_31_March")
    grid = pd.read_excel(path, sheet_name="Inspections_as_at_31_March", header=2, engine="odf")
    for code in ("E09000005", "E06000026"):
        row = grid[grid["Local authority area code"] == code].iloc[0]
        got = latest[(latest.new_la_code == code) & (latest.judgement == "overall")]
        assert got["grade"].iloc[0] == row["Overall effectiveness"]
        assert got["inspection_date"].iloc[0] == pd.Timestamp(row["Inspection date"])
        h = hist[(hist.new_la_code == code) & (hist.judgement == "overall")]
        assert pd.Timestamp(row["Inspection date"]) in set(h["inspection_date"])
    assert latest["new_la_code"].nunique() == grid["Local authority area code"].notna().sum()


_LABELS = ["Total", "Total in education, employment or training", "In an apprenticeship",
           "Not in education, training or employment, owing to other reasons", "Total information not known"]
_CELL = st.one_of(st.integers(0, 99999).map(str), st.sampled_from(["c", "k", "z", "x", "low"]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(2015, 2025), st.sampled_from(["17 to 18", "19 to 21"]),
                          st.sampled_from(_LABELS), _CELL, _CELL), min_size=1, max_size=25),
       st.booleans(), st.booleans())
def test_any_rows_read_alike_in_either_layout(tmp_path_factory, rows, old, bom):
    d = tmp_path_factory.mktemp("dfe")
    if old:
        head = f"{ID},age,activity,number,percentage"
        lines = [f'{LA.replace("2022", str(y), 1)},Aged {a},"{lab}",{n},{p}' for y, a, lab, n, p in rows]
    else:
        head = f"{ID},care_leaver_age,breakdown,care_leaver_count,care_leaver_percent"
        lines = [f'{LA.replace("2022", str(y), 1)},{a} years,"{lab}",{n},{p}' for y, a, lab, n, p in rows]
    df = read_dfe_care_leavers(write(d / "f.csv", [head, *lines], bom=bom))
    assert len(df) == len(rows)
    for (y, a, lab, n, p), (_, got) in zip(rows, df.iterrows(), strict=True):
        assert got["time_period"] == y and got["age"] == a.replace(" to ", "-") and got["breakdown"] == lab
        for cell, col in ((n, "count"), (p, "percent")):
            if cell.isdigit():
                assert got[col] == int(cell) and pd.isna(got[f"{col}_symbol"])
            else:
                assert pd.isna(got[col]) and got[f"{col}_symbol"] == cell

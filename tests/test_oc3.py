"""SSDA903 OC3 loader: code lists, cross-field rules, ages, every breach reported, indicators."""

from __future__ import annotations

import csv
import warnings
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carejourneys.errors import DataError, DataWarning
from carejourneys.inputs import schemas
from carejourneys.inputs.loaders.oc3 import age_at_birthday, oc3_indicators, oc3_problems, read_oc3

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLE = SHARED / "samples" / "ssda903" / "oc3.csv"
HEADER = ["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"]


def write_oc3(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def expected_breaches(rows: list[dict], year: int) -> set[tuple[int, str]]:
    """(row, column) of every rule breach, computed directly from the DfE rules row by row."""
    out = set()
    valid = {"IN_TOUCH": set(schemas.OC3_IN_TOUCH), "ACTIV": set(schemas.OC3_ACTIV),
             "ACCOM": set(schemas.OC3_ACCOM)}
    for n, r in enumerate(rows, start=2):
        d = datetime.strptime(r["DOB"], "%d/%m/%Y").date()
        start = date(year - 1, 4, 1)
        bday = date(year - 1 if d.month >= 4 else year, d.month, 28 if (d.month, d.day) == (2, 29) else d.day)
        assert start <= bday <= date(year, 3, 31)
        if not 17 <= bday.year - d.year <= 21:
            out.add((n, "DOB"))
        for c in ("IN_TOUCH", "ACTIV", "ACCOM"):
            if r[c] and r[c] not in valid[c]:
                out.add((n, c))
        blanks = [c for c in ("IN_TOUCH", "ACTIV", "ACCOM") if not r[c]]
        if 0 < len(blanks) < 3:
            out.update((n, c) for c in blanks)
        for c in ("ACTIV", "ACCOM"):
            if r["IN_TOUCH"] in ("DIED", "RHOM") and r[c] not in ("0", ""):
                out.add((n, c))
            if r["IN_TOUCH"] == "YES" and r[c] == "0":
                out.add((n, c))
    return out


@pytest.fixture(scope="module")
def sample_rows() -> list[dict]:
    if not SAMPLE.exists():
        pytest.skip("../shared/samples/ssda903 is absent")
    with open(SAMPLE, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("year", [2020, 2022])
def test_sample_yields_every_breach(sample_rows, year):
    expected = expected_breaches(sample_rows, year)
    assert expected, "the shared sample is meant to break rules"
    got = oc3_problems(SAMPLE, year)
    assert {(p.row, p.column) for p in got} == expected
    with pytest.raises(DataError) as e:
        read_oc3(SAMPLE, year)
    assert len(e.value.problems) == len(got)
    assert all(p.path == str(SAMPLE) and p.row and p.column and p.message for p in e.value.problems)
    assert [p.row for p in got] == sorted(p.row for p in got)
    text = str(e.value)
    assert "oc3.csv" in text and f"row {got[0].row}" in text and repr(got[0].column) in text


def test_sample_out_of_age_range_is_reported(sample_rows):
    # in 2025 everyone born in 2001 has turned 23 or 24: every row breaks the age rule
    got = oc3_problems(SAMPLE, 2025)
    dob_rows = {p.row for p in got if p.column == "DOB"}
    assert dob_rows == set(range(2, len(sample_rows) + 2))
    assert all("17 to 21" in p.message for p in got if p.column == "DOB")


def test_each_rule_names_row_and_column(tmp_path):
    rows = [
        ["A1", "15/06/2003", "YES", "F1", "B1"],   # fine (age 18 in 2021-22)
        ["A2", "15/06/2003", "YES", "0", "B1"],    # YES with ACTIV 0
        ["A3", "15/06/2003", "DIED", "F2", "0"],   # DIED with ACTIV not 0
        ["A4", "15/06/2003", "RHOM", "0", "0"],    # fine
        ["A5", "15/06/2003", "NO", "", "C1"],      # partly blank
        ["A6", "15/06/2003", "MAYBE", "F1", "B1"],  # bad IN_TOUCH
        ["A7", "15/06/2003", "YES", "F9", "Q1"],   # bad ACTIV and ACCOM
        ["A8", "31/13/2003", "", "", ""],          # bad date
        ["A9", "15/06/2010", "", "", ""],          # age 11
        ["A1", "15/06/2003", "", "", ""],          # repeated CHILD
        ["", "15/06/2003", "", "", ""],            # blank CHILD
    ]
    p = write_oc3(tmp_path / "oc3.csv", rows)
    got = {(x.row, x.column) for x in oc3_problems(p, 2022)}
    assert got == {(3, "ACTIV"), (4, "ACTIV"), (6, "ACTIV"), (7, "IN_TOUCH"), (8, "ACTIV"), (8, "ACCOM"),
                   (9, "DOB"), (10, "DOB"), (11, "CHILD"), (12, "CHILD")}


def test_missing_column_is_reported(tmp_path):
    p = write_oc3(tmp_path / "oc3.csv", [["A", "01/01/2003", "YES", "F1"]], header=HEADER[:4])
    with pytest.raises(DataError) as e:
        read_oc3(p, 2022)
    assert e.value.row == 1 and e.value.column == "ACCOM"


def test_legacy_codes_load_with_warning(tmp_path):
    p = write_oc3(tmp_path / "oc3.csv", [["A", "01/01/2003", "YES", "F3", "B1"],
                                         ["B", "01/01/2002", "NO", "P3", "C2"],
                                         ["C", "01/01/2002", "NO", "F1", "C2"]])
    with pytest.warns(DataWarning, match=r"2 row\(s\).*Rows: 2, 3"):
        df = read_oc3(p, 2022)
    assert list(df["ACTIV"]) == ["F3", "P3", "F1"]
    ind = oc3_indicators(df).set_index(["age", "table", "measure"])
    # all three turn 19 or 20 in 2021-22; F3/P3 count as EET like F1
    assert ind.loc[("19-21", "activity", "eet"), "count"] == 3


def test_ages_at_birthday_in_collection_year():
    dob = pd.Series(pd.to_datetime(["2004-03-31", "2004-04-01", "2000-04-01", "2000-03-31", "2004-02-29"]))
    # collection year 2022 runs 1 April 2021 to 31 March 2022
    assert list(age_at_birthday(dob, 2022)) == [18, 17, 21, 22, 18]


def test_xlsx_reads_like_csv(tmp_path):
    rows = [["101", "05/09/2002", "YES", "F2", "S1"], ["102", "20/01/2001", "RHOM", "0", "0"],
            ["103", "11/11/2003", "", "", ""]]
    a = read_oc3(write_oc3(tmp_path / "oc3.csv", rows), 2022)
    xl = pd.DataFrame(rows, columns=HEADER)
    xl["CHILD"] = xl["CHILD"].astype(int)  # councils' spreadsheets hold numbers and real dates
    xl["DOB"] = pd.to_datetime(xl["DOB"], format="%d/%m/%Y")
    xl["ACTIV"] = xl["ACTIV"].astype(object)
    xl.loc[1, "ACTIV"] = 0
    xl.to_excel(tmp_path / "oc3.xlsx", index=False)
    b = read_oc3(tmp_path / "oc3.xlsx", 2022)
    pd.testing.assert_frame_equal(a, b)


# ----------------------------------------------------------------------------- property-based

_EET = list(schemas.OC3_ACTIV_EET)
_NEET = list(schemas.OC3_ACTIV_NEET)
_ACCOM_CODES = [c for c in schemas.OC3_ACCOM if c != "0"]


@st.composite
def oc3_record(draw, year: int):
    age = draw(st.integers(17, 21))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 28))
    birth_year = (year - 1 if month >= 4 else year) - age
    touch = draw(st.sampled_from([*schemas.OC3_IN_TOUCH, ""]))
    if touch == "":
        activ = accom = ""
    elif touch in ("DIED", "RHOM"):
        activ = accom = "0"
    else:
        activ = draw(st.sampled_from(_EET + _NEET + ([] if touch == "YES" else ["0"])))
        accom = draw(st.sampled_from(_ACCOM_CODES + ([] if touch == "YES" else ["0"])))
    return [f"{day:02d}/{month:02d}/{birth_year}", touch, activ, accom]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(oc3_record(2023), min_size=1, max_size=40))
def test_valid_records_round_trip_and_count(tmp_path, recs):
    rows = [[f"C{i}", *r] for i, r in enumerate(recs)]
    p = write_oc3(tmp_path / "prop.csv", rows)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = read_oc3(p, 2023)
    assert list(df["CHILD"]) == [r[0] for r in rows]
    assert [d.strftime("%d/%m/%Y") for d in df["DOB"]] == [r[1] for r in rows]
    assert list(df["ACTIV"].fillna("")) == [r[3] for r in rows]
    ind = oc3_indicators(df).set_index(["collection_year", "age", "table", "measure"])
    for band, (lo, hi) in {"17-18": (17, 18), "19-21": (19, 21)}.items():
        in_band = [r for r, a in zip(rows, df["age"], strict=True) if lo <= a <= hi]
        eet = sum(r[3][:1] in ("F", "P") for r in in_band)
        neet = sum(r[3][:1] == "G" for r in in_band)
        suitable = sum(len(r[4]) == 2 and r[4][1] == "1" for r in in_band)
        yes = sum(r[2] == "YES" for r in in_band)
        key = (2023, band)
        assert ind.loc[(*key, "activity", "eet"), "count"] == eet
        assert ind.loc[(*key, "activity", "neet"), "count"] == neet
        assert ind.loc[(*key, "accommodation", "suitable"), "count"] == suitable
        assert ind.loc[(*key, "in_touch", "in_touch"), "count"] == yes
        assert ind.loc[(*key, "activity", "eet"), "total"] == len(in_band)
        parts = ind.loc[[(*key, "activity", m) for m in ("eet", "neet", "not_known")], "count"].sum()
        assert parts == len(in_band)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(oc3_record(2023), min_size=2, max_size=20), st.data())
def test_one_corrupted_cell_is_found(tmp_path, recs, data):
    rows = [[f"C{i}", *r] for i, r in enumerate(recs)]
    i = data.draw(st.integers(0, len(rows) - 1))
    col = data.draw(st.sampled_from(["IN_TOUCH", "ACTIV", "ACCOM"]))
    rows[i][HEADER.index(col)] = data.draw(st.sampled_from(["yes", "F7", "A1", "00", "XX"]))
    p = write_oc3(tmp_path / "bad.csv", rows)
    with pytest.raises(DataError) as e:
        read_oc3(p, 2023)
    assert (i + 2, col) in {(x.row, x.column) for x in e.value.problems}
    assert {x.row for x in e.value.problems} == {i + 2}


def test_ragged_row_names_its_row(tmp_path):
    p = tmp_path / "oc3.csv"
    p.write_text("CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n1,01/01/2003,YES,F1,B1\n2,01/01/2003,YES,F1,B1,extra\n")
    with pytest.raises(DataError) as e:
        read_oc3(p, 2022)
    assert e.value.row == 3 and "oc3.csv" in str(e.value)


def test_spaces_round_codes_are_tolerated(tmp_path):
    p = write_oc3(tmp_path / "oc3.csv", [["A", "01/01/2003", " YES", "F1 ", " B1 "]])
    df = read_oc3(p, 2022)
    assert (df.loc[0, "IN_TOUCH"], df.loc[0, "ACTIV"], df.loc[0, "ACCOM"]) == ("YES", "F1", "B1")


def test_row_numbers_follow_the_spreadsheet_across_blank_lines(tmp_path):
    p = tmp_path / "oc3.csv"
    p.write_text("CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\nA,01/01/2003,YES,F1,B1\n\nB,01/01/2003,YES,ZZ,B1\n",
                 encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_oc3(p, 2022)
    assert (info.value.row, info.value.column) == (4, "ACTIV")


def test_windows_and_utf16_encodings_are_read(tmp_path):
    text = "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\nA1,01/01/2003,YES,F1,B1\n"
    for enc in ("cp1252", "utf-16"):
        p = tmp_path / f"oc3_{enc}.csv"
        p.write_bytes(text.encode(enc))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            df = read_oc3(p, 2022)
        assert list(df["CHILD"]) == ["A1"] and df.loc[0, "ACTIV"] == "F1"

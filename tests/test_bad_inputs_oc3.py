"""Bad-input corpus for read_oc3 (SSDA903 OC3 care leaver returns): each file loads as a user would
expect or raises one DataError naming file, row and column; the file is never changed."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from bad_input_helpers import digest, load_unchanged, write_file
from workbooks import xlsx_bytes

from carejourneys.errors import DataError, DataWarning
from carejourneys.inputs.loaders.oc3 import read_oc3

YEAR = 2023  # collection year 1 April 2022 - 31 March 2023
HEADER = "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM"
ROWS = ["C1,01/02/2003,YES,F1,B1", "C2,15/09/2004,NO,G5,U2", "C3,30/06/2002,DIED,0,0"]
GOOD = "\n".join([HEADER, *ROWS]) + "\n"


def _write(tmp_path: Path, data: str | bytes, name: str = "oc3.csv", encoding: str = "utf-8") -> Path:
    return write_file(tmp_path, data, name, encoding)


_digest = digest


def _load(p: Path) -> pd.DataFrame:
    return load_unchanged(lambda p: read_oc3(p, YEAR), p)


def _error(p: Path) -> DataError:
    before = _digest(p)
    with pytest.raises(DataError) as info, warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        read_oc3(p, YEAR)
    assert _digest(p) == before
    assert info.value.path == str(p) and str(p) in str(info.value)
    return info.value


def _with(column: str, value: str, row: int = 1) -> str:
    cols = HEADER.split(",")
    cells = [r.split(",") for r in ROWS]
    cells[row][cols.index(column)] = value
    return "\n".join([HEADER, *(",".join(c) for c in cells)]) + "\n"


def test_reference_file_loads(tmp_path):
    got = _load(_write(tmp_path, GOOD))
    assert got["CHILD"].tolist() == ["C1", "C2", "C3"]
    assert got["age_band"].tolist() == ["19-21", "17-18", "19-21"]


@pytest.mark.parametrize("column,value,expected", [
    ("DOB", "31/02/2004", "date of birth"), ("DOB", "15/13/2004", "date of birth"),
    ("DOB", "2004", "date of birth"), ("DOB", "tomorrow", "date of birth"),
    ("DOB", "15/09/1950", "17 to 21"), ("DOB", "15/09/2020", "17 to 21"),
    ("IN_TOUCH", "MAYBE", "IN_TOUCH"), ("ACTIV", "F9", "ACTIV"), ("IN_TOUCH", "DIED", "must be '0'"),
    ("ACCOM", "B3", "ACCOM"), ("ACCOM", "A1", "ACCOM"), ("ACCOM", "", "blank"),
])
def test_wrong_values_name_row_and_column(tmp_path, column, value, expected):
    err = _error(_write(tmp_path, _with(column, value)))
    # a DIED care leaver with an activity is reported at the activity and accommodation cells
    columns = {"ACTIV", "ACCOM"} if value == "DIED" else {column}
    assert any(p.row == 3 and p.column in columns and expected in p.message for p in err.problems), str(err)


def test_every_problem_in_one_error(tmp_path):
    rows = ["C1,31/02/2003,YES,F1,B1", "C2,15/09/2004,MAYBE,G5,U2", "C1,30/06/2002,DIED,F1,0"]
    text = "\n".join([HEADER, *rows])
    err = _error(_write(tmp_path, text + "\n"))
    where = {(p.row, p.column) for p in err.problems}
    assert {(2, "DOB"), (3, "IN_TOUCH"), (4, "CHILD"), (4, "ACTIV")} <= where
    assert all(p.path == str(err.path) for p in err.problems)


def test_duplicate_child_ids(tmp_path):
    err = _error(_write(tmp_path, GOOD.replace("C2,", "C1,")))
    assert (err.row, err.column) == (3, "CHILD") and "more than once" in err.message


def test_repeated_header(tmp_path):
    text = "\n".join([HEADER + ",CHILD", *(r + ",X" for r in ROWS)]) + "\n"
    err = _error(_write(tmp_path, text))
    assert (err.row, err.column) == (1, "CHILD") and "more than once" in err.message


def test_missing_columns_all_named(tmp_path):
    err = _error(_write(tmp_path, "CHILD,DOB\nC1,01/02/2003\n"))
    assert {(p.row, p.column) for p in err.problems} == {(1, "IN_TOUCH"), (1, "ACTIV"), (1, "ACCOM")}


def test_extra_column_and_header_case_and_spaces_load(tmp_path):
    header = " child ,Dob,in_touch ,Activ,ACCOM,NOTES"
    got = _load(_write(tmp_path, "\n".join([header, *(r + ",x" for r in ROWS)]) + "\n"))
    ref = _load(_write(tmp_path, GOOD, "ref.csv"))
    assert got["CHILD"].tolist() == ref["CHILD"].tolist()
    assert got["DOB"].tolist() == ref["DOB"].tolist()


def test_codes_with_spaces_load(tmp_path):
    got = _load(_write(tmp_path, GOOD.replace("YES,F1,B1", " YES , F1 ,B1 ")))
    assert (got["IN_TOUCH"].iloc[0], got["ACTIV"].iloc[0], got["ACCOM"].iloc[0]) == ("YES", "F1", "B1")


def test_codes_in_lower_case_are_named(tmp_path):
    # the DfE's codes are upper case; a lower-case code is reported with what was expected
    err = _error(_write(tmp_path, GOOD.replace("YES,F1,B1", "yes,F1,B1")))
    assert (err.row, err.column) == (2, "IN_TOUCH") and "'yes'" in err.message and "YES" in err.message


def test_older_codes_load_with_a_warning(tmp_path):
    p = _write(tmp_path, GOOD.replace("YES,F1", "YES,F3"))
    with pytest.warns(DataWarning, match="F3/P3"):
        got = read_oc3(p, YEAR)
    assert got["ACTIV"].iloc[0] == "F3"


def test_blank_lines_keep_spreadsheet_rows(tmp_path):
    text = "\n".join([HEADER, ROWS[0], "", ",,,,", ROWS[1].replace("NO", "NOPE")]) + "\n"
    err = _error(_write(tmp_path, text))
    assert (err.row, err.column) == (5, "IN_TOUCH")


@pytest.mark.parametrize("encoding,prefix", [("utf-8", "\ufeff"), ("utf-16", ""), ("cp1252", "")])
def test_encodings(tmp_path, encoding, prefix):
    got = _load(_write(tmp_path, prefix + GOOD.replace("C1", "Zoë1"), encoding=encoding))
    assert got["CHILD"].tolist() == ["Zoë1", "C2", "C3"]


@pytest.mark.parametrize("text", ["", "\n", "\ufeff\n"])
def test_empty_files(tmp_path, text):
    err = _error(_write(tmp_path, text))
    assert err.row == 1 and "empty" in err.message


def test_header_only(tmp_path):
    got = _load(_write(tmp_path, HEADER + "\n"))
    assert got.empty and "age_band" in got.columns


def test_row_longer_than_header(tmp_path):
    err = _error(_write(tmp_path, "\n".join([HEADER, ROWS[0], ROWS[1] + ",x,y"]) + "\n"))
    assert err.row == 3 and "header" in err.message


_xlsx = xlsx_bytes


def _cells() -> list[list[object]]:
    return [line.split(",") for line in GOOD.strip().splitlines()]


def test_workbook_with_several_sheets(tmp_path):
    got = _load(_write(tmp_path, _xlsx({"Cover": [["Return for 2023"]], "OC3": _cells()}), "return.xlsx"))
    assert got["CHILD"].tolist() == ["C1", "C2", "C3"]


def test_workbook_with_merged_cells(tmp_path):
    err = _error(_write(tmp_path, _xlsx({"OC3": _cells()}, merge="C2:C3"), "oc3.xlsx"))
    assert "merged" in err.message


def test_corrupt_workbook(tmp_path):
    data = _xlsx({"OC3": _cells()})
    _error(_write(tmp_path, data[:200], "oc3.xlsx"))


def test_collection_year_must_be_a_year(tmp_path):
    with pytest.raises(ValueError, match="collection_year"):
        read_oc3(_write(tmp_path, GOOD), 23)

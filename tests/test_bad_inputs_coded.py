"""Bad-input corpus for read_coded_segments (NVivo/generic and Taguette coding exports): each file
loads as a user would expect or raises one DataError naming file, row and column; never changed."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from bad_input_helpers import digest, load_unchanged, write_file
from workbooks import xlsx_bytes

from carejourneys.errors import DataError, DataWarning
from carejourneys.inputs.loaders.coded import read_coded_segments

HEADER = "segment_id,source_id,code_path,text,start,end,wave,date,coder"
ROWS = ["S1,T1,Outcomes/Wellbeing,Felt calmer after the hub,0,25,1,2021-03-04,a",
        "S2,T1,Barriers,The bus never came on time,30,57,1,2021-03-04,b"]
GOOD = "\n".join([HEADER, *ROWS]) + "\n"


def _write(tmp_path: Path, data: str | bytes, name: str = "coded.csv", encoding: str = "utf-8") -> Path:
    return write_file(tmp_path, data, name, encoding)


_digest = digest


def _load(p: Path) -> pd.DataFrame:
    return load_unchanged(read_coded_segments, p)


def _error(p: Path) -> DataError:
    before = _digest(p)
    with pytest.raises(DataError) as info, warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        read_coded_segments(p)
    assert _digest(p) == before
    assert info.value.path == str(p)
    return info.value


def _with(column: str, value: str, row: int = 0) -> str:
    cols = HEADER.split(",")
    cells = [r.split(",") for r in ROWS]
    cells[row][cols.index(column)] = value
    return "\n".join([HEADER, *(",".join(c) for c in cells)]) + "\n"


@pytest.mark.parametrize("column,value,expected", [
    ("start", "inf", "whole number"), ("start", "1e400", "whole number"), ("start", "-3", "whole number"),
    ("start", "99999999999999999999999", "whole number"), ("start", "2.5", "whole number"),
    ("end", "nan", "whole number"), ("wave", "1.5", "whole number"), ("wave", "inf", "whole number"),
    ("wave", "1e400", "whole number"), ("wave", "two", "whole number"),
    ("date", "31/02/2021", "not a date"), ("date", "2021-13-45", "not a date"),
    ("date", "021-03-04", "not a date"), ("date", "now", "not a date"), ("date", "today", "not a date"),
    ("date", "soon", "not a date"),
])
def test_wrong_values_name_row_and_column(tmp_path, column, value, expected):
    err = _error(_write(tmp_path, _with(column, value, row=1)))
    first = err.problems[0]
    assert (first.row, first.column) == (3, column)
    assert expected in first.message and repr(value) in first.message


@pytest.mark.parametrize("value", ["2021-03-04", "04/03/2021", "4 March 2021", "2021-03-04 10:30"])
def test_dates_in_several_formats(tmp_path, value):
    got = _load(_write(tmp_path, _with("date", value)))
    assert got["date"].iloc[0].date().isoformat() == "2021-03-04"


def test_end_before_start(tmp_path):
    err = _error(_write(tmp_path, _with("end", "0", row=1)))
    assert (err.row, err.column) == (3, "end") and "before start" in err.message


def test_repeated_header_is_named(tmp_path):
    text = "\n".join([HEADER + ",text", *(r + ",extra" for r in ROWS)]) + "\n"
    err = _error(_write(tmp_path, text))
    assert (err.row, err.column) == (1, "text") and "more than once" in err.message


def test_missing_required_columns_all_reported(tmp_path):
    err = _error(_write(tmp_path, "segment_id,start,end\nS1,0,3\n"))
    assert {p.column for p in err.problems} == {"source_id", "code_path", "text"}
    assert all(p.row == 1 and "accepted headers" in p.message for p in err.problems)


def test_empty_required_cells_every_row(tmp_path):
    text = "\n".join([HEADER, "S1,,Barriers,x,0,1,1,2021-03-04,a", "S2,T1,,x,0,1,1,2021-03-04,a"]) + "\n"
    err = _error(_write(tmp_path, text))
    assert [(p.row, p.column) for p in err.problems] == [(2, "source_id"), (3, "code_path")]


def test_headers_with_spaces_and_capitals_load(tmp_path):
    header = " Segment ID , SOURCE_ID,Code Path ,Text,Start,END,Wave,Date,Coder"
    got = _load(_write(tmp_path, "\n".join([header, *ROWS]) + "\n"))
    ref = _load(_write(tmp_path, GOOD, "ref.csv"))
    pd.testing.assert_frame_equal(got[ref.columns].reset_index(drop=True), ref, check_like=False)


@pytest.mark.parametrize("encoding,prefix", [("utf-8", "\ufeff"), ("utf-16", ""), ("cp1252", "")])
def test_encodings_load_the_same(tmp_path, encoding, prefix):
    text = GOOD.replace("Felt calmer", "Felt calmer – café")
    got = _load(_write(tmp_path, prefix + text, encoding=encoding))
    assert got["text"].iloc[0] == "Felt calmer – café after the hub"
    assert got["segment_id"].tolist() == ["S1", "S2"]


def test_duplicate_segment_ids_are_numbered(tmp_path):
    got = _load(_write(tmp_path, GOOD.replace("S2,", "S1,")))
    assert got["segment_id"].tolist() == ["S1:1", "S1:2"]


@pytest.mark.parametrize("text", ["", "\n\n\n", "\ufeff"])
def test_empty_files(tmp_path, text):
    err = _error(_write(tmp_path, text))
    assert err.row == 1 and "empty" in err.message


def test_header_only_file_is_empty(tmp_path):
    got = _load(_write(tmp_path, HEADER + "\n"))
    assert got.empty and {"segment_id", "code_path", "text"} <= set(got.columns)


def test_taguette_content_is_plain_text_kept_as_written(tmp_path):
    got = _load(_write(tmp_path, 'id,document,tag,content\n7,Interview 1,Barriers,"<p>Too <b>far</b></p>"\n'))
    assert got.attrs["format"] == "taguette"
    assert (got["segment_id"].iloc[0], got["text"].iloc[0]) == ("7", "<p>Too <b>far</b></p>")


_xlsx = xlsx_bytes


def _rows() -> list[list[object]]:
    return [line.split(",") for line in GOOD.strip().splitlines()]


def test_workbook_with_several_sheets_finds_the_coding(tmp_path):
    data = _xlsx({"Notes": [["written by hand"]], "Coding": _rows()})
    got = _load(_write(tmp_path, data, "coded.xlsx"))
    assert got["segment_id"].tolist() == ["S1", "S2"]


def test_workbook_with_merged_cells_is_refused_with_place(tmp_path):
    err = _error(_write(tmp_path, _xlsx({"Coding": _rows()}, merge="B2:B3"), "coded.xlsx"))
    assert "merged" in str(err)
    assert err.row == 2


def test_truncated_workbook(tmp_path):
    data = _xlsx({"Coding": _rows()})
    err = _error(_write(tmp_path, data[: len(data) // 2], "coded.xlsx"))
    assert err.row is None or err.row == 1


def test_unclosed_quote(tmp_path):
    err = _error(_write(tmp_path, HEADER + '\nS1,T1,Barriers,"never closed,0,1,1,2021-03-04,a\n'))
    assert err.row == 2 and "quote" in err.message

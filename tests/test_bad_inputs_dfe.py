"""Bad-input corpus for read_dfe_care_leavers: each file loads as a user would expect or raises one
DataError naming file, row and column; the file is never changed."""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

import pytest

from carejourneys.errors import DataError, DataWarning
from carejourneys.inputs.loaders.dfe import read_dfe_care_leavers

ID = "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name," \
     "old_la_code,la_name,new_la_code"
NEW = f"{ID},care_leaver_age,breakdown,care_leaver_count,care_leaver_percent"
OLD = f"{ID},age,activity,number,percentage"
LA = "2022,Reporting year,Local authority,E92000001,England,E12000009,South West,879,Plymouth,E06000026"
GOOD_ROWS = [f"{LA},19 to 21 years,Total,200,100", f"{LA},17 to 18 years,Total,c,c"]


def _write(tmp_path: Path, text: str | bytes, name: str = "dfe.csv", encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
    return p


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _load(p: Path):
    before = _digest(p)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            return read_dfe_care_leavers(p)
    finally:
        assert _digest(p) == before, "the input file was changed"


def _error(p: Path) -> DataError:
    before = _digest(p)
    with pytest.raises(DataError) as info:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            read_dfe_care_leavers(p)
    assert _digest(p) == before
    err = info.value
    assert err.path == str(p) and str(p) in str(err)
    return err


GOOD = "\n".join([NEW, *GOOD_ROWS]) + "\n"


@pytest.mark.parametrize("encoding,prefix", [
    ("utf-8", ""), ("utf-8", "\ufeff"), ("utf-16", ""), ("cp1252", ""),
])
def test_encodings_load_the_same(tmp_path, encoding, prefix):
    expected = _load(_write(tmp_path, GOOD, "ref.csv"))
    got = _load(_write(tmp_path, prefix + GOOD.replace("Plymouth", "Plymouth Côte"), encoding=encoding))
    assert got["count"].tolist() == expected["count"].tolist()
    assert got["la_name"].tolist() == ["Plymouth Côte"] * 2
    assert got["count_symbol"].tolist()[1] == "c"


def test_headers_with_spaces_and_capitals_load(tmp_path):
    header = ", ".join(h.upper() if i % 2 else f" {h} " for i, h in enumerate(NEW.split(",")))
    got = _load(_write(tmp_path, "\n".join([header, *GOOD_ROWS]) + "\n"))
    ref = _load(_write(tmp_path, GOOD, "ref.csv"))
    assert got.equals(ref)


def test_blank_lines_keep_spreadsheet_rows(tmp_path):
    text = "\n".join([NEW, GOOD_ROWS[0], "", f"{LA},19 to 21 years,Total,abc,1"]) + "\n"
    err = _error(_write(tmp_path, text))
    assert (err.row, err.column) == (4, "care_leaver_count")
    assert "abc" in err.message and "number" in err.message


def test_row_longer_than_header(tmp_path):
    long_row = f"{LA},19 to 21 years,Total,1,2,3,4"
    err = _error(_write(tmp_path, "\n".join([NEW, GOOD_ROWS[0], long_row]) + "\n"))
    assert err.row == 3
    assert "header" in err.message


def test_repeated_header_is_named(tmp_path):
    err = _error(_write(tmp_path, "\n".join([NEW + ",breakdown", *(r + ",x" for r in GOOD_ROWS)]) + "\n"))
    assert (err.row, err.column) == (1, "breakdown")
    assert "more than once" in err.message


@pytest.mark.parametrize("text", ["", "\n\n", "\ufeff"])
def test_empty_files(tmp_path, text):
    err = _error(_write(tmp_path, text))
    assert err.row == 1 and "empty" in err.message


def test_header_only_file_is_empty_frame(tmp_path):
    got = _load(_write(tmp_path, NEW + "\n"))
    assert got.empty and "measure" in got.columns


def test_old_layout_header_only(tmp_path):
    assert _load(_write(tmp_path, OLD + "\n")).empty


def test_missing_and_unknown_columns(tmp_path):
    err = _error(_write(tmp_path, "a,b,c\n1,2,3\n"))
    assert err.row == 1 and "care_leaver_age" in err.message and "found a, b, c" in err.message
    no_period = ",".join(NEW.split(",")[1:])
    row = ",".join(GOOD_ROWS[0].split(",")[1:])
    err = _error(_write(tmp_path, f"{no_period}\n{row}\n", "b.csv"))
    assert (err.row, err.column) == (1, "time_period")


def test_wrong_types_every_problem_listed(tmp_path):
    rows = [f"{LA},19 to 21 years,Total,12x,100",
            f"{LA.replace('2022', '22/23')},19 to 21 years,Total,1,50",
            f"{LA.replace('Local authority', 'County')},19 to 21 years,Total,1,five"]
    err = _error(_write(tmp_path, "\n".join([NEW, *rows]) + "\n"))
    where = {(p.row, p.column) for p in err.problems}
    assert where == {(2, "care_leaver_count"), (3, "time_period"), (4, "geographic_level"),
                     (4, "care_leaver_percent")}
    assert all(p.path == str(err.path) for p in err.problems)


def test_unclosed_quote(tmp_path):
    err = _error(_write(tmp_path, f'{NEW}\n{LA},"19 to 21 years,Total,1,2\n'))
    assert err.row == 2 and "quote" in err.message


def test_binary_file(tmp_path):
    err = _error(_write(tmp_path, b"\x00\x01\x02\x03garbage"))
    assert "not a text file" in err.message


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="not found"):
        read_dfe_care_leavers(tmp_path / "absent.csv")

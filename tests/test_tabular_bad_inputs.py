"""The bad-input corpus: files a new user might really hand to read_source.

Each case is written into a temporary folder and either loads as a user would expect, or raises
one DataError whose .path, .row and .column point at the problem and whose message says what was
expected. After every attempt the file is byte-identical.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from carejourneys.errors import DataError, DataWarning
from carejourneys.inputs import schemas
from carejourneys.inputs.loaders.tabular import read_source

HEADER = "event_id,site,method,participant_group,date,wave,n_participants,source_id"
ROW2 = "F1,brent,interview,young_person,2020-03-02,1,1,T1"
ROW3 = "F2,plymouth,focus_group,cj_staff,2021-05-10,2,6,T2"
GOOD = f"{HEADER}\n{ROW2}\n{ROW3}\n"
PREPOST_HEADER = ",".join(schemas.SOURCES["prepost_survey"].columns)


def _prepost(swemwbs_1: str) -> str:
    cells = ["R1", "plymouth", "Friday Hub", "pre", "2023-01-13", swemwbs_1, *["3"] * 6,
             *["2"] * 3, *["5"] * 4]
    return f"{PREPOST_HEADER}\n{','.join(cells)}\n"


def _xlsx(rows_by_sheet: dict[str, list[list[object]]], merge: dict[str, str] | None = None) -> bytes:
    import io

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in rows_by_sheet.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
        if merge and title in merge:
            ws.merge_cells(merge[title])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rows(text: str) -> list[list[object]]:
    return [line.split(",") for line in text.strip().splitlines()]


@dataclass
class Case:
    id: str
    content: Callable[[], bytes] | bytes | str
    filename: str = "fieldwork.csv"
    source: str = "fieldwork"
    # for a failure: (row, column, fragment of the message); None means the file loads
    error: tuple[int | None, str | None, str] | None = None
    check: Callable[[pd.DataFrame], None] | None = None
    warns: str | None = None

    def data(self) -> bytes:
        c = self.content() if callable(self.content) else self.content
        return c.encode("utf-8") if isinstance(c, str) else c


def _dates_equal(df: pd.DataFrame) -> None:
    assert df["date"].tolist() == [pd.Timestamp("2020-03-02")] * len(df)


def _same_as_good(df: pd.DataFrame) -> None:
    assert df["event_id"].tolist() == ["F1", "F2"]
    assert df["wave"].tolist() == [1, 2]
    schemas.SOURCES["fieldwork"].schema.validate(df)


CASES = [
    # ---- columns
    Case("missing column", GOOD.replace(",wave", "").replace(",1,1,T1", ",1,T1").replace(",2,6,T2", ",6,T2"),
         error=(1, "wave", "missing column 'wave' (found: event_id, site")),
    Case("extra column", f"{HEADER},comments\n{ROW2},fine\n{ROW3},\n", check=_same_as_good, warns="comments"),
    Case("headers with spaces and other case",
         " Event ID ,SITE,Method , Participant-Group,Date,WAVE,N Participants,source id\n"
         f"{ROW2}\n{ROW3}\n",
         check=_same_as_good),
    Case("column named twice", f"{HEADER},site\n{ROW2},brent\n{ROW3},plymouth\n",
         error=(1, "site", "appears twice")),
    Case("values under a blank header", f"{HEADER},\n{ROW2},x\n{ROW3},\n", error=(1, "I", "no header")),
    Case("title rows above the header", f"Fieldwork log,,,,,,,\nexported 2024,,,,,,,\n{GOOD}",
         error=(3, None, "the header row seems to be row 3, not row 1")),
    Case("reordered columns", "wave,event_id,site,method,participant_group,date,n_participants,source_id\n"
         "1,F1,brent,interview,young_person,2020-03-02,1,T1\n2,F2,plymouth,focus_group,cj_staff,2021-05-10,6,T2\n",
         check=_same_as_good),
    # ---- values
    Case("text in a number column", GOOD.replace(",2,6,T2", ",two,6,T2"),
         error=(3, "wave", "'two' is not a whole")),
    Case("decimal in a count", GOOD.replace(",2,6,T2", ",2,6.5,T2"),
         error=(3, "n_participants", "'6.5' is not a whole number")),
    Case("unknown site code", GOOD.replace("F2,plymouth", "F2,leeds"),
         error=(3, "site", "'leeds' is not one of brent, plymouth, national")),
    Case("unknown code in a code list", GOOD.replace("focus_group", "phone call"),
         error=(3, "method", "'phone call' is not one of interview, focus_group")),
    Case("codes in other case", GOOD.replace("F2,plymouth,focus_group", "F2,Plymouth,Focus Group"),
         check=lambda df: df["method"].tolist() == ["interview", "focus_group"] or pytest.fail("recode")),
    Case("out-of-range Likert", _prepost("7"), "prepost_survey.csv", "prepost_survey",
         error=(2, "swemwbs_1", "'7' is outside 1-5")),
    Case("zero Likert", _prepost("0"), "prepost_survey.csv", "prepost_survey",
         error=(2, "swemwbs_1", "'0' is outside 1-5")),
    Case("missing Likert item is allowed", _prepost(""), "prepost_survey.csv", "prepost_survey",
         check=lambda df: df["swemwbs_1"].isna().all() or pytest.fail("expected missing")),
    Case("required value missing", GOOD.replace("F2,plymouth,focus_group", "F2,plymouth,"),
         error=(3, "method", "missing value")),
    Case("duplicate IDs", GOOD.replace("F2,", "F1,"),
         error=(3, "event_id", "duplicate event_id 'F1' (first in row 2)")),
    Case("count below minimum", GOOD.replace(",2,6,T2", ",2,0,T2"),
         error=(3, "n_participants", "below the minimum 1")),
    # ---- dates
    Case("dates in several formats",
         f"{HEADER}\nA,brent,interview,young_person,2020-03-02,1,1,\nB,brent,interview,young_person,02/03/2020,1,1,\n"
         "C,brent,interview,young_person,2 Mar 2020,1,1,\nD,brent,interview,young_person,02.03.2020,1,1,\n"
         "E,brent,interview,young_person,2020-03-02 00:00:00,1,1,\n", check=_dates_equal),
    Case("impossible date", GOOD.replace("2021-05-10", "31/02/2022"),
         error=(3, "date", "'31/02/2022' is not a real date")),
    Case("text in a date column", GOOD.replace("2021-05-10", "spring 2021"),
         error=(3, "date", "'spring 2021' is not a date (expected a date such as 2022-03-31 or 31/03/2022)")),
    Case("month-first date", GOOD.replace("2021-05-10", "05/13/2021"), error=(3, "date", "read day first")),
    Case("two-digit year", GOOD.replace("2021-05-10", "10/05/21"), error=(3, "date", "two-digit year")),
    # ---- empty and odd files
    Case("empty file", b"", error=(1, None, "empty file")),
    Case("blank lines only", b"\r\n\r\n  \n", error=(1, None, "empty file")),
    Case("header only", f"{HEADER}\n", check=lambda df: len(df) == 0 or pytest.fail("rows")),
    Case("blank lines and trailing commas", f"{HEADER},,\n{ROW2},,\n\n,,,,,,,,,\n{ROW3},,\n\n",
         check=_same_as_good),
    Case("row numbers after a blank line", f"{HEADER}\n\n{ROW2}\n{ROW3.replace('2021-05-10', 'never')}\n",
         error=(4, "date", "'never' is not a date")),
    Case("row too long", f"{HEADER}\n{ROW2}\n{ROW3},Leeds, UK\n",
         error=(3, "I", "a value with a comma needs quotes")),
    Case("quote never closed", f'{HEADER}\n{ROW2}\n"F2,plymouth,focus_group\n',
         error=(3, None, "unclosed quote")),
    Case("semicolon separated", GOOD.replace(",", ";"), check=_same_as_good),
    Case("Windows line endings", GOOD.replace("\n", "\r\n"), check=_same_as_good),
    # ---- encodings
    Case("UTF-8 with byte-order mark", b"\xef\xbb\xbf" + GOOD.encode(), check=_same_as_good),
    Case("UTF-16 with byte-order mark", GOOD.encode("utf-16"), check=_same_as_good),
    Case("cp1252", GOOD.replace("T2", "Renée’s notes").encode("cp1252"),
         check=lambda df: df["source_id"].iloc[1] == "Renée’s notes" or pytest.fail("bad decode"),
         warns="Windows-1252"),
    Case("undecodable byte", GOOD.encode().replace(b"T2", b"T\x81"),
         error=(3, "source_id", "cannot be decoded")),
    Case("binary file", b"\x00\x01\x02garbage\x00", error=(1, None, "not a text file")),
    Case("NUL characters in UTF-16", (GOOD + "F3\x00\n").encode("utf-16"),
         error=(4, None, "not a text file")),
    # ---- Excel
    Case("xlsx several sheets",
         lambda: _xlsx({"Read me": [["About"], ["synthetic"]], "Fieldwork": _rows(GOOD)}),
         "fieldwork.xlsx", check=lambda df: _same_as_good(df.astype({"date": "datetime64[ns]"}))),
    Case("xlsx sheets named otherwise", lambda: _xlsx({"Notes": [["x"]], "Export": _rows(GOOD)}),
         "export.xlsx",
         check=_same_as_good),
    Case("xlsx real dates and numbers", lambda: _xlsx({"Sheet1": [
        HEADER.split(","), ["F1", "brent", "interview", "young_person",
        dt.datetime(2020, 3, 2), 1, 1, "T1"]]}),
         "fieldwork.xlsx", check=lambda df: _dates_equal(df)),
    Case("xlsx merged header cells", lambda: _xlsx({"Sheet1": _rows(GOOD)}, {"Sheet1": "B1:C1"}),
         "fieldwork.xlsx",
         error=(1, "B", "merged header cells B1:C1")),
    Case("xlsx merged body cells", lambda: _xlsx({"Sheet1": _rows(GOOD)}, {"Sheet1": "B2:B3"}),
         "fieldwork.xlsx",
         error=(2, "site", "merged cells B2:B3")),
    Case("xlsx truncated", lambda: _xlsx({"Sheet1": _rows(GOOD)})[:300], "fieldwork.xlsx",
         error=(None, None, "cannot be read as an Excel workbook")),
    Case("not really xlsx", GOOD, "fieldwork.xlsx",
         error=(None, None, "cannot be read as an Excel workbook")),
    Case("xlsx saved as .csv", lambda: _xlsx({"Sheet1": _rows(GOOD)}), "fieldwork.csv", check=_same_as_good,
         warns="Excel workbook despite its name"),
    Case("old .xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "fieldwork.xls",
         error=(None, None, "old-format (.xls)")),
    Case("xlsx wrong value", lambda: _xlsx({"Sheet1": _rows(GOOD.replace("F2,plymouth", "F2,leeds"))}),
         "fieldwork.xlsx", error=(3, "site", "'leeds' is not one of")),
]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_corpus(tmp_path, case):
    path = tmp_path / case.filename
    path.write_bytes(case.data())
    before = _sha(path)
    mtime = path.stat().st_mtime_ns
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if case.error is None:
            df = read_source(case.source, path)
            assert list(df.columns)[: len(schemas.SOURCES[case.source].columns)] == \
                schemas.SOURCES[case.source].columns
            if case.check is not None:
                case.check(df)
        else:
            with pytest.raises(DataError) as e:
                read_source(case.source, path)
            row, column, fragment = case.error
            err = e.value
            assert err.path == str(path)
            assert (err.row, err.column) == (row, column), str(err)
            assert fragment in err.message, err.message
            assert len(err.problems) == 1, str(err)
            text = str(err)
            assert str(path) in text
            assert (f"row {row}" if row is not None else "row -") in text
            assert (f"column {column!r}" if column is not None else "column -") in text
    messages = [str(w.message) for w in caught if issubclass(w.category, DataWarning)]
    if case.warns:
        assert any(case.warns in m for m in messages), messages
    else:
        assert messages == []
    assert _sha(path) == before and path.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in tmp_path.iterdir()) == [case.filename]  # nothing written beside it


def test_several_problems_in_one_error(tmp_path):
    text = GOOD.replace("F2,plymouth", "F1,leeds").replace("2020-03-02", "31/02/2020") + \
        "F3,brent,interview,young_person,2022-01-01,9,x,\n"
    path = tmp_path / "fieldwork.csv"
    path.write_text(text)
    with pytest.raises(DataError) as e:
        read_source("fieldwork", path)
    where = [(p.row, p.column) for p in e.value.problems]
    assert where == [(2, "date"), (3, "event_id"), (3, "site"), (4, "wave"), (4, "n_participants")]
    assert all(p.path == str(path) for p in e.value.problems)
    assert "(and 4 more problems)" in str(e.value)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(DataError, match="file not found") as e:
        read_source("fieldwork", tmp_path / "absent.csv")
    assert e.value.path == str(tmp_path / "absent.csv")
    with pytest.raises(DataError, match="is a folder"):
        read_source("fieldwork", tmp_path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs file permissions (not root)")
def test_unreadable_file(tmp_path):
    path = tmp_path / "fieldwork.csv"
    path.write_text(GOOD)
    path.chmod(0)
    try:
        with pytest.raises(DataError, match="cannot read the file") as e:
            read_source("fieldwork", path)
        assert e.value.path == str(path)
    finally:
        path.chmod(0o644)


def test_unreadable_file_simulated(tmp_path, monkeypatch):
    """The same as test_unreadable_file, for runs as root (where chmod cannot lock a file)."""
    path = tmp_path / "fieldwork.csv"
    path.write_text(GOOD)

    def refuse(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(DataError, match="cannot read the file: Permission denied") as e:
        read_source("fieldwork", path)
    assert (e.value.path, e.value.row, e.value.column) == (str(path), None, None)

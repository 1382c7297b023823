"""Unit tests of carejourneys.inputs.loaders.tabular: read_table, headers, parsing, validation,
read_source."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from carejourneys.errors import DataError, DataWarning
from carejourneys.inputs import schemas
from carejourneys.inputs.loaders import tabular
from carejourneys.inputs.loaders.tabular import (
    check_frame,
    column_letter,
    filter_site,
    match_columns,
    normalise_header,
    parse_columns,
    read_source,
    read_table,
)

FIELDWORK = (
    "event_id,site,method,participant_group,date,wave,n_participants,source_id\n"
    "F1,brent,interview,young_person,2020-03-02,1,1,T1\n"
    "F2,plymouth,focus_group,cj_staff,10/05/2021,2,6,\n"
)


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8", newline="")
    return p


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize("i, letters",
                         [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (52, "BA"), (702, "AAA")])
def test_column_letter(i, letters):
    assert column_letter(i) == letters


@pytest.mark.parametrize("raw, norm", [
    (" Event ID ", "event_id"), ("participant-group", "participant_group"), ("SWEMWBS 1", "swemwbs_1"),
    ("\ufeffsite", "site"), ("n\u00a0participants", "n_participants"), ("CHILD", "child"),
])
def test_normalise_header(raw, norm):
    assert normalise_header(raw) == norm


# --------------------------------------------------------------------------- read_table: CSV


def test_read_table_csv_strings_and_row_numbers(tmp_path):
    p = write(tmp_path, "t.csv", "a,b,c\n1,,x\n\n\"multi\nline\",2,y\n")
    df = read_table(p)
    assert list(df.columns) == ["a", "b", "c"]
    assert df.index.name == "row"
    # the blank line is row 3 (dropped), the multi-line record is row 4 as a spreadsheet shows it
    assert list(df.index) == [2, 4]
    assert df.loc[2, "b"] == ""
    assert df.loc[4, "a"] == "multi\nline"
    assert all(isinstance(v, str) for v in df.to_numpy().ravel())


def test_read_table_header_only_is_empty_frame(tmp_path):
    df = read_table(write(tmp_path, "t.csv", "a,b\n"))
    assert list(df.columns) == ["a", "b"] and len(df) == 0


def test_read_table_drops_trailing_empty_columns_keeps_named(tmp_path):
    df = read_table(write(tmp_path, "t.csv", "a,b,,\n1,,,\n2,,,\n"))
    assert list(df.columns) == ["a", "b"]


@pytest.mark.parametrize("encoding, prefix", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16", b"")])
def test_read_table_encodings(tmp_path, encoding, prefix):
    text = "name,town\nZoë,Plymouth\n"
    p = write(tmp_path, "t.csv", prefix + text.encode(encoding))  # Python's utf-16 writes a BOM
    df = read_table(p)
    assert list(df.columns) == ["name", "town"]
    assert df.loc[2, "name"] == "Zoë"


def test_read_table_cp1252_fallback_warns(tmp_path):
    p = write(tmp_path, "t.csv", "name,note\nRenée,“quoted” – dash\n".encode("cp1252"))
    with pytest.warns(DataWarning, match="Windows-1252"):
        df = read_table(p)
    assert df.loc[2, "note"] == "“quoted” – dash"


@pytest.mark.parametrize("sep", [";", "\t"])
def test_read_table_other_delimiters(tmp_path, sep):
    p = write(tmp_path, "t.csv", f"a{sep}b\n1{sep}x,y\n")
    df = read_table(p)
    assert list(df.columns) == ["a", "b"] and df.loc[2, "b"] == "x,y"


# --------------------------------------------------------------------------- read_table: Excel


def test_read_table_xlsx_values_dates_and_numbers(tmp_path):
    p = workbook(tmp_path / "t.xlsx", {"Sheet1": [
        ["id", "when", "n", "score", "stamp"],
        ["a", dt.datetime(2022, 3, 31), 3, 2.5, dt.datetime(2022, 3, 31, 14, 5)],
        [None, None, None, None, None],
        ["b", dt.date(2021, 1, 2), 4.0, None, None],
    ]})
    df = read_table(p)
    assert list(df.index) == [2, 4]
    assert df.loc[2].tolist() == ["a", "2022-03-31", "3", "2.5", "2022-03-31 14:05:00"]
    assert df.loc[4].tolist() == ["b", "2021-01-02", "4", "", ""]


def test_read_table_xlsx_sheet_choice(tmp_path):
    p = workbook(tmp_path / "book.xlsx", {
        "Notes": [["read me"], ["nothing here"]],
        "Data": [["x", "y"], [1, 2]],
        "fieldwork": [["event_id"], ["F1"]],
    })
    assert list(read_table(p, name="fieldwork").columns) == ["event_id"]          # named like the source
    assert list(read_table(p, columns=["X", "y"]).columns) == ["x", "y"]          # first with the columns
    assert list(read_table(p, sheet="Notes").columns) == ["read me"]              # asked for
    with pytest.raises(DataError, match="3 sheets"):
        read_table(p, columns=["nope"])
    with pytest.raises(DataError, match="no sheet named 'Other'"):
        read_table(p, sheet="Other")


def test_read_table_xlsx_single_sheet_any_name(tmp_path):
    p = workbook(tmp_path / "t.xlsx", {"Export 2023": [["a"], ["1"]]})
    assert read_table(p, name="fieldwork").loc[2, "a"] == "1"


# --------------------------------------------------------------------------- match_columns


def test_match_columns_renames_and_reports():
    raw = pd.DataFrame(columns=[" Event ID", "SITE", "Extra thing", "", "site"])
    fields = schemas.SOURCES["fieldwork"].fields
    named, problems, extras = match_columns(raw, fields, "f.csv")
    assert list(named.columns)[:2] == ["event_id", "site"]
    assert extras == ["Extra thing"]
    messages = {(p.column, p.message.split(" (")[0]) for p in problems}
    assert ("D", "column D has values but no header") in messages
    assert ("site", "column 'site' appears twice") in messages
    missing = sorted(p.column for p in problems if p.message.startswith("missing column"))
    assert missing == ["date", "method", "n_participants", "participant_group", "source_id", "wave"]
    assert all(p.row == 1 and p.path == "f.csv" for p in problems)


def test_match_columns_optional_column_not_required():
    fields = schemas.SOURCES["coded_segments"].fields
    raw = pd.DataFrame(columns=[f.name for f in fields if f.name != "speaker_id"])
    _, problems, _ = match_columns(raw, fields, "c.csv")
    assert problems == []


# --------------------------------------------------------------------------- parse_columns


def _raw(values: dict[str, list[str]]) -> pd.DataFrame:
    n = len(next(iter(values.values())))
    return pd.DataFrame(values, index=pd.RangeIndex(2, 2 + n, name="row"), dtype="str")


def test_parse_int():
    f = schemas.Field("n", schemas.INT, nullable=True)
    cells = ["3", " 4 ", "+5", "6.0", "", "3.5", "three", "1e30"]
    typed, problems = parse_columns(_raw({"n": cells}), [f], "x")
    assert typed["n"].dtype == "Int64"
    assert typed["n"].tolist()[:5] == [3, 4, 5, 6, pd.NA]
    assert typed["n"].iloc[5:].isna().all()
    bad = {p.row: p.message for p in problems}
    assert bad == {7: "'3.5' is not a whole number", 8: "'three' is not a whole number",
                   9: "'1e30' is too large"}


def test_parse_numbers_with_thousands_and_percent():
    fields = [schemas.Field("n", schemas.INT), schemas.Field("p", schemas.FLOAT, max=100),
              schemas.Field("x", schemas.FLOAT)]
    raw = _raw({"n": ["1,234", "12,34", "1,234,567"], "p": ["45%", "4.5 %", "1,5"],
                "x": ["2.5", "7%", "-1,000.5"]})
    typed, problems = parse_columns(raw, fields, "x")
    assert typed["n"].tolist()[0::2] == [1234, 1234567]
    assert typed["p"].tolist()[:2] == [45.0, 4.5]
    assert typed["x"].tolist()[0::2] == [2.5, -1000.5]
    assert sorted((p.row, p.column) for p in problems) == [(3, "n"), (3, "x"), (4, "p")]


def test_parse_float():
    f = schemas.Field("x", schemas.FLOAT, nullable=True)
    typed, problems = parse_columns(_raw({"x": ["1.5", "2", "", "nan", "inf", "1,5"]}), [f], "x")
    assert typed["x"].dtype == "Float64"
    assert typed["x"].tolist()[:2] == [1.5, 2.0]
    assert [p.row for p in problems] == [5, 6, 7]


@pytest.mark.parametrize("text, expected", [
    ("2022-03-31", "2022-03-31"), ("31/03/2022", "2022-03-31"), ("1/4/2022", "2022-04-01"),
    ("31-03-2022", "2022-03-31"), ("31.03.2022", "2022-03-31"), ("31 Mar 2022", "2022-03-31"),
    ("31 March 2022", "2022-03-31"), ("2022-03-31 13:45:00", "2022-03-31"),
    ("2022-03-31T09:00", "2022-03-31"),
    ("31/03/2022 00:00", "2022-03-31"), ("29/02/2024", "2024-02-29"),
])
def test_parse_date_accepted(text, expected):
    f = schemas.Field("d", schemas.DATE)
    typed, problems = parse_columns(_raw({"d": [text]}), [f], "x")
    assert problems == []
    assert typed["d"].dtype == "datetime64[ns]"
    assert typed.loc[2, "d"] == pd.Timestamp(expected)


@pytest.mark.parametrize("text, fragment", [
    ("31/02/2022", "not a real date"), ("29/02/2023", "not a real date"), ("2022-13-01", "not a real date"),
    ("12/25/2022", "read day first"), ("05/03/22", "two-digit year"), ("next week", "is not a date"),
    ("44562", "is not a date"), ("0001-01-01", "outside the dates that can be held (1678-2261)"),
    ("31/12/9999", "outside the dates"),
])
def test_parse_date_rejected(text, fragment):
    f = schemas.Field("d", schemas.DATE)
    typed, problems = parse_columns(_raw({"d": [text]}), [f], "x")
    assert len(problems) == 1 and fragment in problems[0].message
    assert (problems[0].row, problems[0].column) == (2, "d")
    assert pd.isna(typed.loc[2, "d"])


def test_parse_text_codes_loosely_matched():
    f = schemas.Field("m", allowed=schemas.METHODS)
    cells = ["Focus Group", " interview ", "document-review", "chat"]
    typed, problems = parse_columns(_raw({"m": cells}), [f], "x")
    assert problems == []
    assert typed["m"].tolist() == ["focus_group", "interview", "document_review", "chat"]


def test_parse_columns_absent_field_and_extras():
    fields = [schemas.Field("a"), schemas.Field("b", schemas.INT, required=False, nullable=True)]
    typed, problems = parse_columns(_raw({"a": [" x "], "zzz": [" keep "]}), fields, "x")
    assert list(typed.columns) == ["a", "b", "zzz"]
    assert typed.loc[2, "a"] == "x" and typed.loc[2, "zzz"] == "keep" and pd.isna(typed.loc[2, "b"])


# --------------------------------------------------------------------------- check_frame


def test_check_frame_messages():
    src = schemas.SOURCES["facilitator_ratings"]
    raw = _raw({
        "session_id": ["W1", "W2", "W1"], "site": ["brent", "leeds", "plymouth"], "activity": ["A", "A", ""],
        "session_date": ["2022-01-01"] * 3, "facilitator_id": ["P1"] * 3, "attendees": ["3", "-1", "2"],
        "engagement": ["5", "7", "1"], "wellbeing": ["1", "0", "3"], "note": ["", "", ""],
    })
    typed, parse_problems = parse_columns(raw, src.fields, "r.csv")
    assert parse_problems == []
    problems = check_frame(typed, src, "r.csv", raw=raw)
    got = {(p.row, p.column): p.message for p in problems}
    assert got == {
        (3, "site"): "'leeds' is not one of brent, plymouth",
        (3, "attendees"): "'-1' is below the minimum 0",
        (3, "engagement"): "'7' is outside 1-5",
        (3, "wellbeing"): "'0' is outside 1-5",
        (4, "session_id"): "duplicate session_id 'W1' (first in row 2): each session_id must be unique",
        (4, "activity"): "missing value: this column needs a value in every row",
    }
    assert [p.row for p in problems] == sorted(p.row for p in problems)


def test_check_frame_unique_together():
    src = schemas.SOURCES["milestones"]
    raw = _raw({"site": ["brent"] * 3, "initiative": ["Hub", "Hub", "Hub"],
                "milestone": ["Open", "Open", "Close"],
                "planned_date": ["2022-01-01"] * 3, "actual_date": ["", "", ""]})
    typed, _ = parse_columns(raw, src.fields, "m.csv")
    problems = check_frame(typed, src, "m.csv", raw=raw)
    assert len(problems) == 1
    p = problems[0]
    assert (p.row, p.column) == (3, "site, initiative, milestone")
    assert "as row 2" in p.message


def test_check_frame_unique_together_points_at_each_first_row():
    src = schemas.SOURCES["milestones"]
    keys = [("Hub", "Open"), ("Bags", "Pack"), ("Hub", "Open"), ("Bags", "Pack"), ("Hub", "Open")]
    raw = _raw({"site": ["brent"] * 5, "initiative": [k[0] for k in keys], "milestone": [k[1] for k in keys],
                "planned_date": ["2022-01-01"] * 5, "actual_date": [""] * 5})
    typed, _ = parse_columns(raw, src.fields, "m.csv")
    problems = check_frame(typed, src, "m.csv", raw=raw)
    first = {}
    expected = []
    for row, key in enumerate(keys, start=2):
        if key in first:
            expected.append((row, f"as row {first[key]}"))
        first.setdefault(key, row)
    assert [(p.row, p.message.split(")")[1].split(":")[0].strip()) for p in problems] == expected


def test_check_frame_without_rows():
    src = schemas.SOURCES["deny_list"]
    df = pd.DataFrame({"site": ["mars"], "term": ["x"], "tag": ["name"]}).astype("str")
    problems = check_frame(df, src, "p.qdpx", rows=False)
    assert [(p.row, p.column) for p in problems] == [(None, "site")]


# --------------------------------------------------------------------------- read_source


def test_read_source_typed_in_contract_order(tmp_path):
    text = "Source ID, n participants ,Event-ID,site,method,participant_group,date,wave,Notes\n" \
           "T1,1,F1,Brent,interview,young_person,2020-03-02,1,ok\n"
    with pytest.warns(DataWarning, match="Notes"):
        df = read_source("fieldwork", write(tmp_path, "fieldwork.csv", text))
    src = schemas.SOURCES["fieldwork"]
    assert list(df.columns) == [*src.columns, "Notes"]
    assert df.loc[0, "site"] == "brent"
    assert df.loc[0, "date"] == pd.Timestamp("2020-03-02")
    src.schema.validate(df)
    assert isinstance(df.index, pd.RangeIndex)


def test_read_source_site_filter(tmp_path):
    p = write(tmp_path, "fieldwork.csv", FIELDWORK)
    assert read_source("fieldwork", p, site="brent")["event_id"].tolist() == ["F1"]
    assert read_source("fieldwork", p, site="all")["event_id"].tolist() == ["F1", "F2"]
    with pytest.raises(KeyError, match="valid sites: brent, plymouth"):
        read_source("fieldwork", p, site="leeds")
    with pytest.raises(KeyError, match="unknown source"):
        read_source("fieldwrok", p)


def test_read_source_header_only_gives_empty_typed_frame(tmp_path):
    p = write(tmp_path, "fieldwork.csv", FIELDWORK.splitlines()[0] + "\n")
    df = read_source("fieldwork", p)
    assert len(df) == 0
    assert df.dtypes.to_dict() == schemas.SOURCES["fieldwork"].empty().dtypes.to_dict()


def test_read_source_xlsx_same_as_csv(tmp_path):
    rows = [line.split(",") for line in FIELDWORK.strip().splitlines()]
    rows[1][4] = dt.datetime(2020, 3, 2)
    rows[1][5], rows[1][6] = 1, 1
    p = workbook(tmp_path / "fieldwork.xlsx", {"Notes": [["x"]], "Fieldwork": rows})
    from_xlsx = read_source("fieldwork", p)
    from_csv = read_source("fieldwork", write(tmp_path, "fieldwork.csv", FIELDWORK))
    pd.testing.assert_frame_equal(from_xlsx, from_csv)


def test_filter_site_deny_list_all_rows_go_to_every_site():
    src = schemas.SOURCES["deny_list"]
    df = pd.DataFrame({"site": ["all", "brent", "plymouth"], "term": ["a", "b", "c"], "tag": ["name"] * 3})
    assert filter_site(df, src, "brent")["term"].tolist() == ["a", "b"]
    assert filter_site(df, src, None)["term"].tolist() == ["a", "b", "c"]


def test_read_source_no_warning_for_clean_file(tmp_path):
    p = write(tmp_path, "fieldwork.csv", FIELDWORK)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_source("fieldwork", p)


def test_date_formats_documented():
    doc = tabular.__doc__
    assert "31/03/2022" in doc and "2022-03-31" in doc
    assert tabular.DATE_FORMATS[0] == "%Y-%m-%d"

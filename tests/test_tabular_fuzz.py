"""Property-based fuzzing of read_source: only DataError escapes, and the file never changes.

Inputs: CSV text built from a source's columns with random header case/spacing, random column
subsets and order, cells mixing valid values and junk, in several encodings; random bytes; and
random byte edits of a valid file. A load that succeeds must give a frame the schema accepts.
"""

from __future__ import annotations

import csv
import hashlib
import io
import warnings
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carejourneys.errors import DataError
from carejourneys.inputs import schemas
from carejourneys.inputs.loaders.tabular import read_source

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SOURCES = ["fieldwork", "prepost_survey", "milestones", "bright_spots", "deny_list"]


def _valid_cell(field: schemas.Field) -> st.SearchStrategy[str]:
    if field.allowed is not None:
        return st.sampled_from([str(a) for a in field.allowed])
    if field.kind == schemas.INT:
        lo = int(field.min) if field.min is not None else -5
        hi = int(field.max) if field.max is not None else lo + 20
        return st.integers(lo, hi).map(str)
    if field.kind == schemas.FLOAT:
        lo = field.min if field.min is not None else -100.0
        hi = field.max if field.max is not None else 100.0
        return st.floats(lo, hi, allow_nan=False).map(lambda x: f"{x:.2f}")
    if field.kind == schemas.DATE:
        return st.dates().flatmap(
            lambda d: st.sampled_from([f"{d.year:04d}-{d.month:02d}-{d.day:02d}",
                                       f"{d.day:02d}/{d.month:02d}/{d.year:04d}"]))
    return st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)


JUNK = st.one_of(
    st.sampled_from(["", " ", "N/A", "three", "3.5", "-1", "99", "31/02/2022", "12/25/2022", "2022-13-01",
                     "1e400", "nan", "inf", '"', "a,b", "\n", "\r", "leeds", "PLYMOUTH", "  brent  "]),
    st.text(max_size=8),
)


def _header(name: str) -> st.SearchStrategy[str]:
    variants = [name, name.upper(), name.title(), f" {name} ", name.replace("_", " "), name.replace("_", "-")]
    return st.sampled_from(variants)


@st.composite
def csv_files(draw) -> tuple[str, bytes]:
    source = schemas.SOURCES[draw(st.sampled_from(SOURCES))]
    fields = list(source.fields)
    if draw(st.booleans()):
        fields = draw(st.permutations(fields))
    if draw(st.integers(0, 4)) == 0:
        fields = [f for f in fields if draw(st.booleans())] or fields[:1]
    headers = [draw(_header(f.name)) for f in fields]
    if draw(st.integers(0, 5)) == 0:
        headers.append(draw(st.text(max_size=6)))
    n_rows = draw(st.integers(0, 6))
    rows = []
    for _ in range(n_rows):
        row = [draw(st.one_of(_valid_cell(f), JUNK) if draw(st.integers(0, 3)) == 0 else _valid_cell(f))
               for f in fields]
        row += [draw(JUNK) for _ in range(len(headers) - len(fields))]
        rows.append(row)
    buf = io.StringIO()
    sep = draw(st.sampled_from([",", ",", ";"]))
    writer = csv.writer(buf, delimiter=sep, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(headers)
    writer.writerows(rows)
    text = buf.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    data = text.encode(encoding, errors="replace")
    return source.name, data


def _attempt(path: Path, name: str, data: bytes) -> None:
    path.write_bytes(data)
    before = hashlib.sha256(data).hexdigest()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            df = read_source(name, path)
        except DataError as e:
            assert e.problems and all(p.path == str(path) for p in e.problems)
            assert all(p.row is None or p.row >= 1 for p in e.problems)
        else:
            source = schemas.SOURCES[name]
            assert list(df.columns)[: len(source.columns)] == source.columns
            source.schema.validate(df)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


@FUZZ
@given(csv_files())
def test_fuzz_generated_csv(tmp_path_factory, case):
    name, data = case
    _attempt(tmp_path_factory.mktemp("fuzz") / schemas.SOURCES[name].filename, name, data)


@FUZZ
@given(st.binary(max_size=400), st.sampled_from(["fieldwork.csv", "fieldwork.xlsx"]))
def test_fuzz_random_bytes(tmp_path_factory, data, filename):
    _attempt(tmp_path_factory.mktemp("fuzz") / filename, "fieldwork", data)


GOOD = (
    b"event_id,site,method,participant_group,date,wave,n_participants,source_id\n"
    b"F1,brent,interview,young_person,2020-03-02,1,1,T1\n"
    b"F2,plymouth,focus_group,cj_staff,10/05/2021,2,6,\n"
)


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(GOOD)), st.integers(0, 3), st.binary(max_size=3)), max_size=4))
def test_fuzz_edited_good_file(tmp_path_factory, edits):
    data = bytearray(GOOD)
    for pos, drop, insert in edits:
        pos = min(pos, len(data))
        data[pos: pos + drop] = insert
    _attempt(tmp_path_factory.mktemp("fuzz") / "fieldwork.csv", "fieldwork", bytes(data))


XLSX_CELL = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 3000), st.floats(allow_nan=True, allow_infinity=False),
    st.datetimes(min_value=pd.Timestamp("1900-01-01").to_pydatetime(),
                 max_value=pd.Timestamp("2100-01-01").to_pydatetime()),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=10), JUNK,
)


@FUZZ
@given(st.lists(st.lists(XLSX_CELL, min_size=0, max_size=9), max_size=5), st.booleans(),
       st.sampled_from(["", "A1:B1", "C2:C3", "A2:H2"]))
def test_fuzz_generated_xlsx(tmp_path_factory, body, with_header, merge):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    buf = io.BytesIO()
    try:
        if with_header:
            ws.append(schemas.SOURCES["fieldwork"].columns)
        for row in body:
            ws.append(row)
        if merge:
            ws.merge_cells(merge)
        wb.save(buf)
    except Exception:  # openpyxl refuses some generated values (e.g. control characters): not our concern
        return
    _attempt(tmp_path_factory.mktemp("fuzz") / "fieldwork.xlsx", "fieldwork", buf.getvalue())


def test_generated_valid_file_loads(tmp_path):
    """A file of only valid cells is not rejected (the fuzz strategy is not all junk)."""
    source = schemas.SOURCES["fieldwork"]
    rows = [["F1", "brent", "interview", "young_person", "2020-03-02", "1", "1", "T1"]]
    buf = io.StringIO()
    csv.writer(buf).writerows([source.columns, *rows])
    path = tmp_path / "fieldwork.csv"
    path.write_text(buf.getvalue())
    assert len(read_source("fieldwork", path)) == 1

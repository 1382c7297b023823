"""The loaders' fast paths give exactly what the plain paths give: same frames, same errors.

* ``read_table(categorical=...)``: Categorical columns hold the same strings as ``str`` columns.
* ``read_source``: coded/date columns read as Categoricals, and a large clean frame checked by its
  distinct values (pandera then validating the first rows only), against plain ``str`` columns
  and full pandera validation.
* ``read_oc3``: the coded columns and DOB read as Categoricals against factorised ``str`` columns;
  the quick "no repeated CHILD" test against pandas' ``duplicated``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import warnings
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_tabular_fuzz import csv_files

from carejourneys.errors import DataError
from carejourneys.inputs import schemas
from carejourneys.inputs.loaders import oc3, tabular
from carejourneys.inputs.loaders.oc3 import read_oc3
from carejourneys.inputs.loaders.tabular import normalise_header, read_source, read_table

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
YEAR = 2023


def _outcome(fn):
    """(frame, None) or (None, error text): what a load gives, warnings ignored."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(), None
        except DataError as e:
            return None, (str(e), [(p.row, p.column, p.message) for p in e.problems])


def _same(a, b) -> None:
    frame_a, error_a = a
    frame_b, error_b = b
    assert error_a == error_b
    if frame_a is not None:
        pd.testing.assert_frame_equal(frame_a, frame_b, check_exact=True)


def _as_text(df: pd.DataFrame) -> pd.DataFrame:
    return df.astype("str")


# --------------------------------------------------------------------------- read_table


@FUZZ
@given(csv_files())
def test_categorical_columns_hold_the_same_strings(tmp_path_factory, drawn):
    _, data = drawn
    path = tmp_path_factory.mktemp("t") / "file.csv"
    path.write_bytes(data)
    plain = _outcome(lambda: read_table(path))
    if plain[0] is None:
        _same(plain, _outcome(lambda: read_table(path, categorical=["anything"])))
        return
    every = [normalise_header(c) for c in plain[0].columns]
    hinted = _outcome(lambda: read_table(path, categorical=every))
    assert hinted[1] is None
    assert all(dtype == "str" for dtype in plain[0].dtypes)
    pd.testing.assert_frame_equal(_as_text(hinted[0]), plain[0], check_exact=True)


def test_categorical_hint_on_a_real_file(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("ID,Code, Date \nA, x ,01/02/2020\n,,\nB,,2020-02-01\nC,x,\n", encoding="utf-8-sig")
    df = read_table(path, categorical=["code", "date"])
    assert all(isinstance(df[c].dtype, pd.CategoricalDtype) for c in ("Code", "Date"))
    assert df["ID"].dtype == "str"
    assert list(df.index) == [2, 4, 5]
    pd.testing.assert_frame_equal(_as_text(df), read_table(path))
    assert df["Code"].tolist() == [" x ", "", "x"]


# --------------------------------------------------------------------------- read_source


@contextlib.contextmanager
def _plain_source_reading():
    """read_source without Categoricals and always with full pandera validation."""
    with mock.patch.object(tabular, "_few_values", lambda source: []), \
            mock.patch.object(tabular, "_FULL_SCHEMA_ROWS", 10**12):
        yield


@contextlib.contextmanager
def _fast_source_reading():
    """read_source taking the distinct-value checks even for a frame of one row."""
    with mock.patch.object(tabular, "_FULL_SCHEMA_ROWS", 0):
        yield


def _both_ways(name: str, path: Path):
    with _fast_source_reading():
        fast = _outcome(lambda: read_source(name, path))
    with _plain_source_reading():
        plain = _outcome(lambda: read_source(name, path))
    return fast, plain


@FUZZ
@given(csv_files())
def test_read_source_fast_and_plain_paths_agree(tmp_path_factory, drawn):
    name, data = drawn
    path = tmp_path_factory.mktemp("s") / "file.csv"
    path.write_bytes(data)
    _same(*_both_ways(name, path))


PARTICIPATION = "young_person_id,site,activity,date,role\n"
GOOD_ROWS = ["YP1,brent,Friday Hub,01/02/2022,participant", "YP2,Plymouth,Skills,2022-02-03,co-designer",
             "YP1,plymouth,Friday Hub,03/02/2022,volunteer"]


@pytest.mark.parametrize("row, column, value", [
    (None, None, None),  # clean: loads
    (1, "site", "leeds"),  # not a code
    (2, "date", "31/02/2022"),  # not a real date
    (0, "role", ""),  # missing value
    (2, "young_person_id", " "),  # missing value (blank after stripping)
])
def test_participation_fast_path_same_frame_or_same_error(tmp_path, row, column, value):
    rows = [r.split(",") for r in GOOD_ROWS]
    if row is not None:
        rows[row][PARTICIPATION.strip().split(",").index(column)] = value
    path = tmp_path / "participation.csv"
    path.write_text(PARTICIPATION + "\n".join(",".join(r) for r in rows) + "\n")
    fast, plain = _both_ways("participation", path)
    _same(fast, plain)
    if row is None:
        assert fast[0] is not None and len(fast[0]) == 3
    else:
        assert fast[1] is not None and any(p[0] == row + 2 and p[1] == column for p in fast[1][1])


FIELDWORK = "event_id,site,method,participant_group,date,wave,n_participants,source_id\n"


@pytest.mark.parametrize("rows", [
    ["E1,brent,interview,young_person,01/02/2022,1,3,", "E2,brent,interview,young_person,01/02/2022,1,3,"],
    ["E1,brent,interview,young_person,01/02/2022,1,3,", "E1,brent,interview,young_person,01/02/2022,1,3,"],
    ["E1,brent,interview,young_person,01/02/2022,1,3,", " E1 ,brent,interview,young_person,01/02/2022,1,3,"],
    ["E1,brent,interview,young_person,01/02/2022,1,0,", "E2,brent,interview,young_person,01/02/2022,9,3,"],
], ids=["clean", "duplicate-id", "duplicate-after-stripping", "range-and-code"])
def test_fieldwork_fast_path_uniqueness_and_ranges(tmp_path, rows):
    path = tmp_path / "fieldwork.csv"
    path.write_text(FIELDWORK + "\n".join(rows) + "\n")
    fast, plain = _both_ways("fieldwork", path)
    _same(fast, plain)


def test_prepost_unique_together_same_error(tmp_path):
    source = schemas.SOURCES["prepost_survey"]
    cells = {f.name: ("3" if f.kind == schemas.INT else "") for f in source.fields}
    cells.update(respondent_id="R1", site="brent", activity="Hub", timepoint=schemas.TIMEPOINTS[0],
                 completed_on="01/02/2022")
    row = ",".join(cells[c] for c in source.columns)
    path = tmp_path / "prepost_survey.csv"
    path.write_text(",".join(source.columns) + "\n" + row + "\n" + row + "\n")
    fast, plain = _both_ways("prepost_survey", path)
    _same(fast, plain)
    assert fast[1] is not None and "each combination must be unique" in fast[1][0]


def test_large_clean_file_takes_the_fast_path(tmp_path, monkeypatch):
    path = tmp_path / "participation.csv"
    path.write_text(PARTICIPATION + "\n".join(GOOD_ROWS * 40) + "\n")
    monkeypatch.setattr(tabular, "_FULL_SCHEMA_ROWS", 10)
    seen = []
    real = schemas.Source.schema.fget

    def spy(self):
        schema = real(self)
        validate = schema.validate
        schema.validate = lambda df, **kw: (seen.append(len(df)), validate(df, **kw))[1]
        return schema

    monkeypatch.setattr(schemas.Source, "schema", property(spy))
    df = read_source("participation", path)
    assert len(df) == 120 and seen == [10]


# --------------------------------------------------------------------------- read_oc3

OC3_HEADER = "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n"
OC3_CODES = {"IN_TOUCH": [*schemas.OC3_IN_TOUCH, "", "yes", " NO ", "X"],
             "ACTIV": [*schemas.OC3_ACTIV, "", "F9", " F1"],
             "ACCOM": [*schemas.OC3_ACCOM, "", "A1", "B1 "]}
DOBS = st.one_of(
    st.dates(min_value=dt.date(1998, 1, 1), max_value=dt.date(2008, 12, 31))
    .map(lambda d: d.strftime("%d/%m/%Y")),
    st.sampled_from(["", "2004-05-06", "31/02/2004", "5/6/2004", " 01/02/2004", "xx", "01/13/2004"]),
)


@st.composite
def oc3_files(draw) -> str:
    n = draw(st.integers(0, 8))
    children = draw(st.lists(st.sampled_from(["C1", "C2", "C3", "", " C1", "a-very-long-child-id-0001",
                                              "a-very-long-child-id-0002", "é1"]), min_size=n, max_size=n))
    lines = []
    for child in children:
        codes = [draw(st.sampled_from(OC3_CODES[c])) for c in ("IN_TOUCH", "ACTIV", "ACCOM")]
        cells = [child, draw(DOBS), *codes]
        lines.append(",".join(cells))
    return OC3_HEADER + "".join(line + "\n" for line in lines)


def _oc3_both_ways(path: Path):
    hinted = _outcome(lambda: read_oc3(path, YEAR))
    with mock.patch.object(oc3, "_FEW_VALUES", ()):
        plain = _outcome(lambda: read_oc3(path, YEAR))
    return hinted, plain


@FUZZ
@given(oc3_files())
def test_read_oc3_categorical_and_plain_agree(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("o") / "oc3.csv"
    path.write_text(text)
    _same(*_oc3_both_ways(path))


@pytest.mark.parametrize("column, value", [("DOB", "31/02/2004"), ("DOB", "2004/02/01"), ("ACTIV", "F9"),
                                           ("IN_TOUCH", "yes"), ("CHILD", "C1")])
def test_read_oc3_bad_cell_in_row_n_same_error(tmp_path, column, value):
    rows = ["C1,01/02/2003,YES,F1,B1", "C2,15/09/2004,NO,G5,U2", "C3,30/06/2002,DIED,0,0"]
    cells = [r.split(",") for r in rows]
    cells[2][OC3_HEADER.strip().split(",").index(column)] = value
    path = tmp_path / "oc3.csv"
    path.write_text(OC3_HEADER + "\n".join(",".join(c) for c in cells) + "\n")
    hinted, plain = _oc3_both_ways(path)
    _same(hinted, plain)
    assert hinted[1] is not None and (4, column) in [(p[0], p[1]) for p in hinted[1][1]]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(["", "a", "b", "a" * 16, "a" * 16 + "x", "a" * 16 + "y", "é",
                                           "a\x00"]),
                          st.text(max_size=20)), max_size=30))
def test_duplicated_matches_pandas(values):
    array = np.array(values, dtype=object)
    expected = pd.Series(array, dtype=object).duplicated(keep="first").to_numpy()
    got = oc3._duplicated(array)
    if "a\x00" in values and "a" in values:  # trailing NUL: compared as bytes, like before
        return
    assert got.tolist() == expected.tolist()


def test_the_distinct_value_checks_know_every_constraint_a_field_can_carry():
    """A large clean frame is validated by pandera on its first rows only, because
    ``_passes_by_distinct`` checks every row for each constraint a Field turns into a schema
    check. A new kind of constraint on Field must be taught to it too (then update this list)."""
    import dataclasses

    from carejourneys.inputs import schemas
    assert {f.name for f in dataclasses.fields(schemas.Field)} == {
        "name", "kind", "required", "nullable", "allowed", "min", "max", "unique",
        "identifier"}  # identifier: a flag for the output checker, not a check on values

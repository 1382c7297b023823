"""Fuzzing of read_oc3, read_dfe_care_leavers, read_coded_segments and read_qdpx.

Whatever the bytes, the only exception that may escape a loader is DataError (DataWarning may be
issued), and the input file is never changed. Bounded: at most 50 examples per test, no deadline.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carejourneys.errors import DataError
from carejourneys.inputs.loaders import read_qdpx, write_qdpx
from carejourneys.inputs.loaders.coded import read_coded_segments
from carejourneys.inputs.loaders.dfe import read_dfe_care_leavers
from carejourneys.inputs.loaders.oc3 import read_oc3

FUZZ = settings(max_examples=50, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

OC3_HEADER = ["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"]
DFE_ID = ["time_period", "time_identifier", "geographic_level", "country_code", "country_name", "region_code",
          "region_name", "old_la_code", "la_name", "new_la_code"]
DFE_NEW = [*DFE_ID, "care_leaver_age", "breakdown", "care_leaver_count", "care_leaver_percent"]
DFE_OLD = [*DFE_ID, "age", "activity", "number", "percentage"]
CODED = ["segment_id", "source_id", "code_path", "text", "start", "end", "wave", "date", "coder", "site",
         "role", "Document", "Tag", "Content", "id"]

#: cells that have upset parsers: numbers at the edges, dates of every shape, codes, symbols, text
NASTY = [
    "", " ", "0", "-1", "1.5", "1e400", "-1e400", "inf", "-inf", "nan", "NaN", "NA", "null", "None",
    "99999999999999999999999", "0x1F", "1,234", "45%", "١٢", "１２", "½", "c", "k", "z", "x", "low", "u", ":",
    "YES", "yes", "DIED", "RHOM", "F1", "F3", "G6", "0", "B1", "Z2", "A9", "now", "today", "tomorrow",
    "31/02/2003", "29/02/2004", "01/02/2003", "2003-02-01", "2003-02-30", "01/13/2003", "1/2/03",
    "0000-00-00",
    "9999-12-31", "01/01/1677", "01/01/2263", "2020", "202223", "Local authority", "National", "Regional",
    "19 to 21 years", "17 to 18 years", "Total", "Total in education, employment or training", "a/b/c",
    "Outcomes for young people/Wellbeing", "<p>x</p>", "<script>", '"', '""', "'", "\t", "é", "\u200b", "😀",
    "=1+2", "\\", ";", "|",
]


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _attempt(loader: Callable[[Path], object], path: Path) -> None:
    """Run a loader; anything but DataError fails the test; the file must not change."""
    before = _digest(path)
    mtime = path.stat().st_mtime_ns
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            loader(path)
        except DataError as e:
            # every problem names the file (a REFI-QDA member is named as archive!member)
            assert all(pr.path is not None and pr.path.startswith(str(path)) for pr in e.problems), str(e)
    assert _digest(path) == before and path.stat().st_mtime_ns == mtime


LOADERS: dict[str, Callable[[Path], object]] = {
    "oc3": lambda p: read_oc3(p, 2023),
    "dfe": read_dfe_care_leavers,
    "coded": read_coded_segments,
}


def _csv(header: list[str], rows: list[list[str]]) -> str:
    def cell(v: str) -> str:
        return '"' + v.replace('"', '""') + '"' if any(ch in v for ch in ',"\n\r') else v

    return "\n".join(",".join(cell(c) for c in r) for r in [header, *rows]) + "\n"


@st.composite
def tables(draw, header: list[str]) -> bytes:
    """A CSV shaped like the loader's files, with headers dropped, repeated, re-cased or padded,
    rows short or long, cells from NASTY or arbitrary text, in one of several encodings."""
    cols = draw(st.lists(st.sampled_from(header), min_size=0, max_size=len(header) + 2))
    if draw(st.booleans()):
        cols = list(dict.fromkeys(cols)) or list(header)
    cols = [draw(st.sampled_from([c, c.upper(), c.lower(), f" {c} ", c.replace("_", " ")])) for c in cols]
    cell = st.one_of(st.sampled_from(NASTY), st.text(max_size=12))
    n = max(len(cols), 1)
    rows = draw(st.lists(st.lists(cell, min_size=max(n - 1, 0), max_size=n + 1), max_size=6))
    text = _csv(cols, rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    return text.encode(encoding, errors="replace")


@st.composite
def edited(draw, good: bytes) -> bytes:
    """A good file with a few bytes replaced, inserted or deleted, or cut short."""
    data = bytearray(good)
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["replace", "insert", "delete", "truncate"]))
        b = draw(st.integers(0, 255))
        if kind == "replace":
            data[at] = b
        elif kind == "insert":
            data[at:at] = bytes([b])
        elif kind == "delete":
            del data[at]
        else:
            del data[at:]
    return bytes(data)


GOOD = {
    "oc3": _csv(OC3_HEADER, [["C1", "01/02/2003", "YES", "F1", "B1"],
                             ["C2", "15/09/2004", "DIED", "0", "0"]]),
    "dfe": _csv(DFE_NEW, [["2022", "Reporting year", "Local authority", "E92000001", "England", "E12000009",
                           "South West", "879", "Plymouth", "E06000026", "19 to 21 years", "Total", "200",
                           "100"]]),
    "coded": _csv(CODED[:10], [["S1", "T1", "Barriers/Transport", "Late buses", "0", "10", "1", "2021-03-04",
                                "a", "brent"]]),
}
HEADERS = {"oc3": OC3_HEADER, "dfe": DFE_NEW + DFE_OLD[-4:], "coded": CODED}


@pytest.mark.parametrize("name", list(LOADERS))
def test_good_reference_files_load(tmp_path, name):
    p = tmp_path / f"{name}.csv"
    p.write_text(GOOD[name], encoding="utf-8")
    assert len(LOADERS[name](p)) >= 1


@pytest.mark.parametrize("name", list(LOADERS))
@FUZZ
@given(data=st.data())
def test_fuzz_generated_tables(tmp_path, name, data):
    p = tmp_path / f"{name}.csv"
    p.write_bytes(data.draw(tables(HEADERS[name])))
    _attempt(LOADERS[name], p)


@pytest.mark.parametrize("name", list(LOADERS))
@FUZZ
@given(data=st.data())
def test_fuzz_edited_good_files(tmp_path, name, data):
    p = tmp_path / f"{name}.csv"
    p.write_bytes(data.draw(edited(GOOD[name].encode("utf-8"))))
    _attempt(LOADERS[name], p)


@pytest.mark.parametrize("name", list(LOADERS))
@FUZZ
@given(blob=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".xlsx", ".txt"]))
def test_fuzz_random_bytes(tmp_path, name, blob, suffix):
    p = tmp_path / f"{name}{suffix}"
    p.write_bytes(blob)
    _attempt(LOADERS[name], p)


# --------------------------------------------------------------------------- REFI-QDA

TEXTS = {"t1": "We met every Friday and it helped.\nThe bus was late.", "t2": "The board decided slowly."}


def _project(folder: Path) -> Path:
    rows = []
    spans = [("s1", "t1", "Outcomes for young people/Social connections", "it helped"),
             ("s2", "t1", "Barriers", "The bus was late."),
             ("s3", "t2", "Programme learning/Decision-making and momentum", "decided slowly")]
    for sid, src, code, text in spans:
        start = TEXTS[src].index(text)
        rows.append({"segment_id": sid, "source_id": src, "code_path": code, "text": text, "start": start,
                     "end": start + len(text), "speaker_id": "P1", "role": "Young person", "coder": "a",
                     "site": "brent", "wave": 1, "date": pd.Timestamp("2021-03-04")})
    seg = pd.DataFrame(rows)
    for c in ("start", "end", "wave"):
        seg[c] = seg[c].astype("Int64")
    return write_qdpx(folder / "project.qdpx", seg, TEXTS)


class _Parts(tuple):
    """(archive bytes, {member: bytes}); short repr so that a failing example stays readable."""

    def __repr__(self) -> str:
        return "<reference project>"


@pytest.fixture(scope="module")
def qdpx_parts(tmp_path_factory) -> tuple[bytes, dict[str, bytes]]:
    path = _project(tmp_path_factory.mktemp("qdpx"))
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    return _Parts((path.read_bytes(), members))


def test_reference_project_loads(qdpx_parts, tmp_path):
    archive, _ = qdpx_parts
    p = tmp_path / "p.qdpx"
    p.write_bytes(archive)
    assert len(read_qdpx(p).segments) == 3


def _rezip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in members.items():
            z.writestr(n, data)
    return buf.getvalue()


_ATTR = re.compile(rb'(\w+)="([^"]*)"')
ATTR_VALUES = [b"", b"-1", b"0", b"1e400", b"abc", b"99999999999999999999", b"1.5", b"../../etc/passwd",
               b"internal://missing.txt", b"relative://x", b"&amp;", b"\xc3\xa9",
               b"{00000000-0000-0000-0000-0}"]


@FUZZ
@given(data=st.data())
def test_fuzz_qdpx_xml_attributes(tmp_path, qdpx_parts, data):
    """Attribute values of project.qde replaced (positions, GUIDs, paths, names)."""
    _, members = qdpx_parts
    xml = members["project.qde"]
    spans = list(_ATTR.finditer(xml))
    out = bytearray(xml)
    chosen = data.draw(st.lists(st.sampled_from(spans), min_size=1, max_size=5,
                                unique_by=lambda m: m.start()))
    for m in sorted(chosen, key=lambda m: m.start(), reverse=True):
        value = data.draw(st.one_of(st.sampled_from(ATTR_VALUES), st.binary(max_size=8)))
        out[m.start(2):m.end(2)] = value
    p = tmp_path / "p.qdpx"
    p.write_bytes(_rezip({**members, "project.qde": bytes(out)}))
    _attempt(read_qdpx, p)


@FUZZ
@given(data=st.data())
def test_fuzz_qdpx_xml_bytes(tmp_path, qdpx_parts, data):
    """project.qde with bytes edited (broken tags, truncation), in a sound archive or as a bare .qde."""
    _, members = qdpx_parts
    xml = data.draw(edited(members["project.qde"]))
    if data.draw(st.booleans()):
        p = tmp_path / "p.qdpx"
        p.write_bytes(_rezip({**members, "project.qde": xml}))
    else:
        p = tmp_path / "p.qde"
        p.write_bytes(xml)
    _attempt(read_qdpx, p)


@FUZZ
@given(data=st.data())
def test_fuzz_qdpx_archive(tmp_path, qdpx_parts, data):
    """The archive itself edited or cut short, or its members dropped or replaced."""
    archive, members = qdpx_parts
    if data.draw(st.booleans()):
        blob = data.draw(edited(archive))
    else:
        names = data.draw(st.lists(st.sampled_from(sorted(members)), unique=True))
        changed = {n: members[n] for n in members if n not in names}
        for n in data.draw(st.lists(st.sampled_from(sorted(members)), max_size=2, unique=True)):
            changed[n] = data.draw(st.binary(max_size=50))
        blob = _rezip(changed)
    p = tmp_path / "p.qdpx"
    p.write_bytes(blob)
    _attempt(read_qdpx, p)

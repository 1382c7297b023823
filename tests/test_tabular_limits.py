"""The tabular loaders' limits: hostile or absurd files fail fast, with short messages.

* a 1 MB workbook that would expand to a gigabyte (a zip bomb) is refused before it is opened;
* a CSV file with 100,000 columns, or a workbook with thousands, is refused before it is parsed;
* a message lists at most ``MAX_LISTED`` names and is at most ``MAX_MESSAGE`` characters long.
"""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font

from carejourneys.errors import MAX_LISTED, MAX_MESSAGE, DataError, DataProblem, short_list
from carejourneys.inputs import schemas
from carejourneys.inputs.loaders import tabular
from carejourneys.inputs.loaders.tabular import MAX_COLUMNS, read_source, read_table

FIELDWORK = ("event_id,site,method,participant_group,date,wave,n_participants,source_id\n"
             "E1,brent,interview,young_person,2021-03-01,1,1,\n")


# --------------------------------------------------------------------------- a zip bomb


def _zip(members: list[tuple[str, bytes, int, int, int, int]]) -> bytes:
    """A zip archive of already-compressed members: (name, data, method, crc, compressed, size)."""
    out = io.BytesIO()
    central = []
    for name, data, method, crc, csize, size in members:
        offset = out.tell()
        raw = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, csize, size,
                              len(raw), 0))
        out.write(raw)
        out.write(data)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, csize,
                                   size, len(raw), 0, 0, 0, 0, 0, offset) + raw)
    start = out.tell()
    for c in central:
        out.write(c)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start,
                          start, 0))
    return out.getvalue()


def _stored_members(workbook: bytes, skip: str) -> list[tuple[str, bytes, int, int, int, int]]:
    members = []
    with zipfile.ZipFile(io.BytesIO(workbook)) as z:
        for info in z.infolist():
            if info.filename != skip:
                data = z.read(info)
                members.append((info.filename, data, 0, zlib.crc32(data), len(data), len(data)))
    return members


def zip_bomb(path: Path, megabytes: int = 1024) -> Path:
    """A real .xlsx whose first sheet holds one cell of ``megabytes`` MiB of 'A': about 1 MB on disk.

    Each MiB of 'A' compresses to the same bytes after a full flush, so the member is made by
    repetition instead of compressing a gigabyte."""
    wb = openpyxl.Workbook()
    wb.active.title = "fieldwork"
    wb.active["A1"] = "event_id"
    buffer = io.BytesIO()
    wb.save(buffer)
    sheet = "xl/worksheets/sheet1.xml"
    head = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>')
    tail = b"</t></is></c></row></sheetData></worksheet>"
    chunk = b"A" * (1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    data = first + block * megabytes + c.compress(tail) + c.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    for _ in range(megabytes):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + len(chunk) * megabytes + len(tail)
    members = [*_stored_members(buffer.getvalue(), sheet), (sheet, data, 8, crc, len(data), size)]
    path.write_bytes(_zip(members))
    return path


def test_the_zip_bomb_is_what_it_claims(tmp_path):
    """The helper's archive is a valid zip whose sheet really expands (checked on a small one)."""
    path = zip_bomb(tmp_path / "small.xlsx", megabytes=3)
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        info = z.getinfo("xl/worksheets/sheet1.xml")
        assert info.file_size > 3 * 1024**2 and info.file_size / info.compress_size > 500


def test_a_workbook_zip_bomb_is_refused_before_it_is_opened(tmp_path):
    path = zip_bomb(tmp_path / "fieldwork.xlsx")
    assert path.stat().st_size < 1.5 * 1024**2
    tracemalloc.start()
    try:
        with pytest.raises(DataError, match="zip bomb") as e:
            read_source("fieldwork", path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert e.value.path == str(path)
    assert "xl/worksheets/sheet1.xml" in e.value.message
    assert peak < 64 * 1024**2  # the file read once, nothing decompressed


def test_a_workbook_part_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(tabular, "WORKBOOK_LIMITS",
                        tabular.Limits(max_members=100, max_member_bytes=2 * 1024**2,
                                       max_total_bytes=10 * 1024**2, max_ratio=1e9))
    path = zip_bomb(tmp_path / "fieldwork.xlsx", megabytes=3)
    with pytest.raises(DataError, match="over the limit"):
        read_table(path)


def test_an_ordinary_workbook_passes_the_archive_checks(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for line in FIELDWORK.splitlines():
        ws.append(line.split(","))
    ws.cell(row=1, column=3000).font = Font(bold=True)  # a styled empty cell far to the right
    path = tmp_path / "fieldwork.xlsx"
    wb.save(path)
    frame = read_source("fieldwork", path)
    assert list(frame["event_id"]) == ["E1"]


# --------------------------------------------------------------------------- too many columns


def test_a_csv_file_with_100000_columns_is_refused_at_once(tmp_path):
    header = ",".join(f"c{i}" for i in range(100_000))
    path = tmp_path / "fieldwork.csv"
    path.write_text(f"{header}\n{header}\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"100,000 columns: at most 1,000") as e:
        read_source("fieldwork", path)
    assert (e.value.path, e.value.row) == (str(path), 1)
    assert len(str(e.value)) < 500


def test_a_workbook_with_too_many_columns_is_refused(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append([f"c{i}" for i in range(MAX_COLUMNS + 5)])
    path = tmp_path / "fieldwork.xlsx"
    wb.save(path)
    with pytest.raises(DataError, match=f"{MAX_COLUMNS + 5:,} columns"):
        read_table(path)


def test_up_to_the_limit_is_read(tmp_path):
    header = ",".join(f"c{i}" for i in range(MAX_COLUMNS))
    path = tmp_path / "wide.csv"
    path.write_text(f"{header}\n{header}\n", encoding="utf-8")
    assert read_table(path).shape == (1, MAX_COLUMNS)


# --------------------------------------------------------------------------- short messages


def test_missing_columns_list_what_was_found_briefly(tmp_path):
    path = tmp_path / "fieldwork.csv"
    names = [f"unknown_{i}" for i in range(900)]
    path.write_text(",".join(names) + "\n" + ",".join("x" * len(names)) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as e:
        read_source("fieldwork", path)
    missing = [p for p in e.value.problems if p.message.startswith("missing column")]
    assert len(missing) == len(schemas.SOURCES["fieldwork"].required_columns)
    assert all(p.message.endswith(f"... and {900 - MAX_LISTED} more)") for p in missing)
    assert len(str(e.value)) < 8 * 1000


def test_one_problem_keeps_at_most_max_message_characters():
    p = DataProblem("f.csv", 2, "x" * 500, "y" * 100_000)
    assert p.message.startswith("y" * MAX_MESSAGE)
    assert p.message.endswith(f"... and {100_000 - MAX_MESSAGE} more characters")
    assert len(p.column) <= 100
    e = DataError("z" * 50_000, path="f.csv")
    assert len(str(e)) < MAX_MESSAGE + 200 and e.message == e.problems[0].message


def test_short_list():
    assert short_list(range(3)) == "0, 1, 2"
    assert short_list(range(25), limit=2) == "0, 1 ... and 23 more"


def test_merged_cells_are_found_in_any_sheet_through_the_workbook_relationships(tmp_path):
    """The sheet's part is found as the format says (not through openpyxl's private attributes)."""
    wb = openpyxl.Workbook()
    wb.active.title = "notes"
    wb.active["A1"] = "read me"
    ws = wb.create_sheet("fieldwork")
    for line in (FIELDWORK + "E2,brent,interview,young_person,2021-03-02,1,1,\n").splitlines():
        ws.append(line.split(","))
    ws.merge_cells("B2:B3")
    path = tmp_path / "data.xlsx"
    wb.save(path)
    with pytest.raises(DataError, match="merged cells B2:B3") as e:
        read_source("fieldwork", path)
    assert (e.value.row, e.value.column) == (2, "site")

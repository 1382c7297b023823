"""Tabular loaders: CSV and Excel files of the data contract (DESIGN.md section 4).

Two steps, both public so that other loaders (for example :mod:`carejourneys.inputs.loaders.oc3`) can
reuse them:

:func:`read_table`
    reads a CSV or XLSX/XLSM file into a frame of raw strings (every cell a ``str``, an empty
    cell ``""``), indexed by spreadsheet row number (the header is row 1, the first record row 2).
:func:`read_source`
    reads one source of :data:`carejourneys.inputs.schemas.SOURCES`: matches headers to the contract's
    column names (:func:`match_columns`), parses each column by its kind (:func:`parse_columns`),
    validates with the source's pandera schema (:func:`check_frame`) and raises one
    :class:`~carejourneys.errors.DataError` listing every problem of the file.

What is accepted
----------------
* Encodings (CSV): UTF-8 with or without a byte-order mark; UTF-16 with a byte-order mark;
  anything else is read as Windows-1252 (with a :class:`DataWarning` saying so) and a file that
  is not Windows-1252 either is a DataError naming the row of the first undecodable byte.
* Delimiters (CSV): comma; a semicolon or tab is used when the header row has no comma but has one.
* Headers: case, surrounding spaces and spaces or hyphens between words do not matter
  (``" Event ID "`` is ``event_id``). Unknown extra columns are kept, after the contract's
  columns, with a DataWarning.
* Whole numbers: ``3``, ``+3``, ``3.0``, ``1,234``; not ``3.5`` or ``three``. Other numbers
  likewise; a percentage column (one whose maximum is 100) also takes ``45%``.
* Dates (see :data:`DATE_FORMATS`): ISO ``2022-03-31`` (optionally with a time), and day-first
  as UK councils write them: ``31/03/2022``, ``31-03-2022``, ``31.03.2022``, ``31 Mar 2022``,
  ``31 March 2022`` (optionally with a time). Times are dropped: a date column holds days.
  Month-first (US) dates and two-digit years are rejected with a message saying why.
* Code lists: a value that differs from a code only by case, spaces, hyphens or underscores is
  read as that code (``"Plymouth"`` is ``plymouth``, ``"focus group"`` is ``focus_group``).
* An empty cell is a missing value; whether that is allowed is the column's ``nullable``.
* Fully empty rows and fully empty unnamed columns (as spreadsheets export them) are ignored.

Limits
------
* At most :data:`MAX_COLUMNS` columns: a wider file is refused at once, before it is parsed.
* A workbook is a zip archive: before it is opened, its members' sizes and compression ratios are
  checked against :data:`WORKBOOK_LIMITS` (as a REFI-QDA project's are), so that a small file that
  would expand to gigabytes (a zip bomb) is refused quickly and with little memory.
* Messages list at most :data:`carejourneys.errors.MAX_LISTED` names ("... and N more").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import posixpath
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pandera.pandas as pa
from lxml import etree
from openpyxl.utils.exceptions import InvalidFileException

from carejourneys import sites
from carejourneys.errors import DataError, DataProblem, DataWarning, short_list
from carejourneys.inputs import schemas
from carejourneys.inputs.loaders.qdpx_container import Limits

__all__ = [
    "DATE_FORMATS",
    "EXCEL_SUFFIXES",
    "read_table",
    "read_source",
    "normalise_header",
    "match_columns",
    "parse_columns",
    "check_frame",
    "filter_site",
    "column_letter",
]

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
ROW = "row"  # name of the index of every raw frame: the spreadsheet row number

#: the date layouts :func:`parse_columns` accepts, tried in this order (all with four-digit years)
DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d %b %Y",
    "%d %B %Y",
)
_DATE_HELP = "expected a date such as 2022-03-31 or 31/03/2022"
_NUMERIC_DATE = re.compile(r"^\s*(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})(?:[ T].*)?$")
_INT_LIMIT = 2**53  # beyond this a number in a text file cannot be held exactly

#: the most columns a file may have (a wider one is refused before it is parsed)
MAX_COLUMNS = 1_000
#: size limits of a workbook's zip archive, checked before it is opened (see the module docstring)
WORKBOOK_LIMITS = Limits(max_members=10_000, max_member_bytes=256 * 1024**2, max_total_bytes=1024**3,
                         max_ratio=200.0)
#: what openpyxl raises for a damaged or hostile workbook: a bad archive (BadZipFile, zlib.error,
#: EOFError), a missing part (KeyError), bad XML (SyntaxError: ElementTree's and lxml's parse errors),
#: bad values or attributes (ValueError, TypeError, AttributeError, IndexError), a workbook it does
#: not support (InvalidFileException, NotImplementedError), a read failure (OSError)
_WORKBOOK_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, SyntaxError, ValueError, TypeError,
                    AttributeError, IndexError, InvalidFileException, NotImplementedError, OSError)

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, or a password-protected workbook


# --------------------------------------------------------------------------- small helpers


def column_letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column position (0 -> A, 26 -> AA)."""
    s = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def normalise_header(name: object) -> str:
    """A header as compared with the contract: stripped, lower case, spaces/hyphens -> ``_``."""
    text = str(name).replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


def _quote(value: object, limit: int = 40) -> str:
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text)


def _fail(path: Path, message: str, row: int | None = None, column: str | None = None) -> DataError:
    return DataError(message, path=path, row=row, column=column)


# --------------------------------------------------------------------------- read_table


def read_table(
    path: str | Path,
    *,
    sheet: str | None = None,
    columns: Sequence[str] | None = None,
    name: str | None = None,
    categorical: Iterable[str] = (),
) -> pd.DataFrame:
    """Read a CSV or XLSX/XLSM file into a frame of raw strings.

    Every cell is a ``str`` (an empty cell is ``""``); the columns are the header row as written
    (a blank header is ``""``); the index, named ``row``, is each record's spreadsheet row number
    (header = row 1). Fully empty rows, and fully empty columns without a header, are dropped.
    A file with only a header row gives an empty frame.

    For a workbook, ``sheet`` names the sheet to read; without it the sheet named like ``name``
    (or like the file) is read, else the only sheet, else the first sheet whose header row holds
    every one of ``columns``.

    ``categorical`` is a speed hint for CSV files: columns whose header (compared as by
    :func:`normalise_header`) is listed, and that are expected to hold few distinct values (codes,
    dates), are returned as a pandas ``Categorical`` of exactly the same strings (its codes then
    spare the caller a second pass over the column). Other columns, and every column of a
    workbook, are ``str``.

    Raises :class:`DataError` for a missing file, a folder, an empty file, an unreadable,
    undecodable or corrupt file, merged cells in a workbook, or rows longer than the header.
    """
    path = Path(path)
    if not path.exists():
        raise _fail(path, "file not found")
    if path.is_dir():
        raise _fail(path, "is a folder, not a file")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise _fail(path, f"cannot read the file: {e.strerror or e}") from None
    if data.startswith(_OLE_MAGIC):
        raise _fail(path, "an old-format (.xls) or password-protected workbook: save it as .xlsx "
                          "without a password, or as CSV (UTF-8)")
    is_excel = path.suffix.lower() in EXCEL_SUFFIXES
    if data.startswith(_ZIP_MAGIC) and not is_excel:
        warnings.warn(f"{path}: the file is an Excel workbook despite its name; reading it as one",
                      DataWarning, stacklevel=2)
        is_excel = True
    if is_excel:
        rows, first_row = _excel_rows(path, data, sheet=sheet, columns=columns, name=name)
        return _frame_from_rows(path, rows, first_row)
    if path.suffix.lower() in {".xls", ".ods", ".numbers"}:
        raise _fail(path, f"{path.suffix} files are not read: save it as .xlsx or as CSV (UTF-8)")
    return _read_csv(path, data, {normalise_header(c) for c in categorical})


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    """Bytes of a CSV file to text, following the rules in the module docstring.

    Returns ``(text, encoding)``, the encoding one of ``utf-8``, ``utf-8-sig``, ``utf-16``, ``cp1252``.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
    if encoding != "utf-16" and b"\x00" in data:
        raise _binary(path, data[: data.index(b"\x00")].count(b"\n") + 1)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as e:
        if encoding != "utf-8":
            raise _undecodable(path, data, e, encoding) from None
        utf8_error = e
    else:
        if "\x00" in text:
            raise _binary(path, text[: text.index("\x00")].count("\n") + 1)
        return text, encoding
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as e:
        raise _undecodable(path, data, utf8_error if e.start < utf8_error.start else e,
                           "UTF-8 or Windows-1252") from None
    warnings.warn(f"{path}: not UTF-8; read as Windows-1252 (cp1252). Save as 'CSV (UTF-8)' to avoid "
                  "guessing", DataWarning, stacklevel=3)
    return text, "cp1252"


def _binary(path: Path, row: int) -> DataError:
    return _fail(path, "not a text file (it holds NUL characters): expected CSV text such as a spreadsheet's "
                       "'Save as CSV (UTF-8)'", row=row)


def _undecodable(path: Path, data: bytes, err: UnicodeDecodeError, encoding: str) -> DataError:
    """A DataError naming the row (and, when it can be told, the column) of an undecodable byte."""
    before = data[: err.start]
    if encoding == "utf-16":
        row = before.decode("utf-16", errors="replace").count("\n") + 1
        return _fail(path, f"cannot be decoded as {encoding} (byte {err.start})", row=row)
    row = before.count(b"\n") + 1
    line_start = before.rfind(b"\n") + 1
    header = data.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    prefix = before[line_start:].decode("utf-8", errors="replace")
    column = None
    try:
        position = len(next(csv.reader([prefix]), [""])) - 1
        names = next(csv.reader([header.lstrip("\ufeff").rstrip("\r")]), [])
        if 0 <= position < len(names):
            column = names[position].strip() or column_letter(position)
    except csv.Error:
        pass
    return _fail(path, f"byte 0x{data[err.start]:02X} cannot be decoded as {encoding}: save the file "
                       "as 'CSV (UTF-8)'", row=row, column=column)


def _delimiter(text: str) -> str:
    end = text.find("\n")
    header = text if end < 0 else text[:end]
    if "," in header:
        return ","
    for d in (";", "\t"):
        if d in header:
            return d
    return ","


def _read_csv(path: Path, data: bytes, categorical: set[str] | frozenset = frozenset()) -> pd.DataFrame:
    text, encoding = _decode(path, data)
    if not text.strip().strip("\ufeff"):
        raise _fail(path, "empty file: expected a header row naming the columns", row=1)
    sep = _delimiter(text)
    _check_width(path, text, sep)
    # The C parser reads UTF-8 bytes directly (much faster than a StringIO of the decoded text,
    # which it would encode back to UTF-8); the text was decoded above only to check it.
    if encoding == "utf-8":
        buffer = data
    elif encoding == "utf-8-sig":
        buffer = data[3:]
    else:
        buffer = text.encode("utf-8")
    options = dict(header=None, na_filter=False, skip_blank_lines=False, sep=sep, engine="c",
                   encoding="utf-8")
    try:
        raw = None
        if categorical:
            raw = _read_csv_categorical(buffer, categorical, options)
        if raw is None:
            raw = pd.read_csv(io.BytesIO(buffer), dtype=str, **options)
    except pd.errors.EmptyDataError:  # a ValueError too: must come first
        raise _fail(path, "empty file: expected a header row naming the columns", row=1) from None
    except (pd.errors.ParserError, ValueError, IndexError, OverflowError):
        raise _csv_structure_error(path, text, sep) from None
    header = [str(h).strip() for h in raw.iloc[0]]
    body = raw.iloc[1:]
    body.index = pd.RangeIndex(2, 2 + len(body), name=ROW)
    return _finish_frame(path, header, body, 1)


def _check_width(path: Path, text: str, sep: str) -> None:
    """Refuse a CSV file whose header row has more than :data:`MAX_COLUMNS` cells, before parsing it."""
    end = text.find("\n")
    first = text if end < 0 else text[:end]
    if first.count(sep) < MAX_COLUMNS:
        return
    try:
        width = len(next(csv.reader(io.StringIO(text, newline=""), delimiter=sep), []))
    except csv.Error:
        width = first.count(sep) + 1
    if width > MAX_COLUMNS:
        raise _too_wide(path, width)


def _too_wide(path: Path, width: int, row: int = 1) -> DataError:
    return _fail(path, f"{width:,} columns: at most {MAX_COLUMNS:,} are read (is this the right file, "
                       "with one column per field of the data contract?)", row=row)


def _read_csv_categorical(
    buffer: bytes, categorical: set[str] | frozenset, options: dict
) -> pd.DataFrame | None:
    """The file read with the columns named in ``categorical`` as Categorical (the others ``str``).

    ``None`` when that cannot be done safely (the caller then reads every column as ``str``). The
    header row is read first, by the same parser, to know which position is which column.
    """
    head = pd.read_csv(io.BytesIO(buffer), dtype=str, nrows=1, **options)
    if len(head) != 1:
        return None
    positions = [i for i, h in enumerate(head.iloc[0]) if normalise_header(h) in categorical]
    if not positions:
        return None
    dtype: dict[int, object] = dict.fromkeys(range(head.shape[1]), str)
    dtype.update(dict.fromkeys(positions, "category"))
    raw = pd.read_csv(io.BytesIO(buffer), dtype=dtype, **options)
    # every column must be text (str) or a Categorical of text: anything else, read again as str
    for i in range(raw.shape[1]):
        col = raw.iloc[:, i]
        if isinstance(col.dtype, pd.CategoricalDtype):
            if col.cat.categories.dtype != "str" or (col.cat.codes.to_numpy() < 0).any():
                return None
        elif col.dtype != "str":
            return None
    return raw


def _csv_structure_error(path: Path, text: str, sep: str) -> DataError:
    """Explain why a CSV file could not be split into rows (rows too long, a quote never closed)."""
    problems: list[DataProblem] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    width = None
    record = 0
    try:
        for cells in reader:
            record += 1
            if width is None:
                width = len(cells)
            elif len(cells) > width and any(c.strip() for c in cells[width:]):
                problems.append(DataProblem(str(path), record, column_letter(width),
                                            f"row has {len(cells)} cells but the header has {width}: "
                                            "a value with a comma needs quotes"))
    except csv.Error as e:
        problems.append(DataProblem(str(path), record + 1, None,
                                    f"cannot split into cells ({e}): check for an unclosed quote"))
    if not problems:
        problems.append(DataProblem(str(path), None, None, "cannot be read as CSV"))
    return DataError.from_problems(problems)


def _frame_from_rows(path: Path, rows: list[list[object]], first_row: int) -> pd.DataFrame:
    """Header + records (lists of cells, the header at spreadsheet row ``first_row``) -> raw frame."""
    width = max((len(r) for r in rows), default=0)
    header = [_cell_text(c).strip() for c in rows[0]] + [""] * (width - len(rows[0])) if rows else []
    body = [[_cell_text(c) for c in r] + [""] * (width - len(r)) for r in rows[1:]]
    index = pd.RangeIndex(first_row + 1, first_row + 1 + len(body), name=ROW)
    frame = pd.DataFrame(body, columns=range(width), index=index, dtype="str")
    return _finish_frame(path, header, frame, first_row)


def _finish_frame(path: Path, header: list[str], frame: pd.DataFrame, first_row: int) -> pd.DataFrame:
    """Drop fully empty rows and unnamed empty columns; name the columns by the header row.

    Columns are ``str`` (made so here) or Categoricals of ``str`` (see :func:`read_table`'s
    ``categorical``), which are left as they are.
    """
    columns = {}
    filled_columns = []
    for i in range(frame.shape[1]):
        col = frame.iloc[:, i]
        if isinstance(col.dtype, pd.CategoricalDtype):
            empty = np.flatnonzero(col.cat.categories.to_numpy(dtype=object) == "")
            codes = col.cat.codes.to_numpy()
            filled_columns.append(codes != empty[0] if len(empty) else np.ones(len(codes), dtype=bool))
        else:
            col = col.astype("str")
            filled_columns.append(col.to_numpy(dtype=object) != "")
        columns[i] = col
    frame = pd.DataFrame(columns, index=frame.index, copy=False) if columns else frame
    if filled_columns:
        filled = np.column_stack(filled_columns)
    else:
        filled = np.zeros((len(frame), 0), dtype=bool)
    if len(frame) and not filled.all():
        rows = filled.any(axis=1)
        frame, filled = frame[rows], filled[rows]
    if not any(header):
        if len(frame):
            raise _fail(path, "the first row is empty: expected a header row naming the columns",
                        row=first_row)
        raise _fail(path, "empty file: expected a header row naming the columns", row=first_row)
    used = filled.any(axis=0)
    keep = [i for i in range(len(header)) if header[i] or used[i]]
    frame = frame.iloc[:, keep]
    frame.columns = [header[i] for i in keep]
    return frame


def _cell_text(value: object) -> str:
    """One spreadsheet cell as text: dates to ISO, whole floats without '.0'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < _INT_LIMIT:
            return str(int(value))
        return repr(value)
    return str(value)


# --------------------------------------------------------------------------- Excel


def _excel_rows(
    path: Path, data: bytes, *, sheet: str | None, columns: Sequence[str] | None, name: str | None
) -> tuple[list[list[object]], int]:
    _check_archive(path, data)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _WORKBOOK_ERRORS as e:
        raise _fail(path, f"cannot be read as an Excel workbook ({type(e).__name__}: {e}); "
                          "it may be damaged or not really .xlsx") from None
    try:
        ws = _choose_sheet(path, wb, sheet=sheet, columns=columns, name=name)
        rows = []
        try:
            for n, r in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = list(r)
                while cells and cells[-1] in (None, ""):  # the padding of a sheet's stated width
                    cells.pop()
                if len(cells) > MAX_COLUMNS:
                    raise _too_wide(path, len(cells), row=n)
                rows.append(cells)
        except _WORKBOOK_ERRORS as e:
            raise _fail(path, f"sheet {ws.title!r} cannot be read ({type(e).__name__}: {e}); "
                              "the workbook may be damaged") from None
        _check_merged(path, data, ws, rows)
        return rows, 1
    finally:
        wb.close()


def _check_archive(path: Path, data: bytes, limits: Limits | None = None) -> None:
    """Refuse a workbook whose zip archive has too many members, members too large, or a compression
    ratio no spreadsheet has (a zip bomb), from the archive's directory alone: before anything is
    decompressed. (The reader never decompresses more than the sizes the directory states.)"""
    limits = limits or WORKBOOK_LIMITS
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise _fail(path, f"cannot be read as an Excel workbook (not a valid zip archive: {e}); "
                          "it may be damaged or not really .xlsx") from None
    if len(infos) > limits.max_members:
        raise _fail(path, f"the workbook's archive has {len(infos):,} parts, over the limit of "
                          f"{limits.max_members:,}")
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1024**2 and ratio > limits.max_ratio:
            raise _fail(path, f"the workbook's part {_quote(info.filename, 60)} expands {ratio:,.0f} times "
                              f"(limit {limits.max_ratio:,.0f}): refusing a possible zip bomb")
        if info.file_size > limits.max_member_bytes:
            raise _fail(path, f"the workbook's part {_quote(info.filename, 60)} expands to "
                              f"{info.file_size:,} bytes, over the limit of {limits.max_member_bytes:,}")
    if total > limits.max_total_bytes:
        raise _fail(path, f"the workbook expands to {total:,} bytes, over the limit of "
                          f"{limits.max_total_bytes:,}")


def _choose_sheet(path: Path, wb, *, sheet: str | None, columns: Sequence[str] | None, name: str | None):
    names = list(wb.sheetnames)
    if sheet is not None:
        if sheet not in names:
            raise _fail(path, f"no sheet named {sheet!r}; sheets: {short_list(names)}")
        return wb[sheet]
    if not names:
        raise _fail(path, "the workbook has no sheets")
    wanted = {normalise_header(n) for n in (name, path.stem) if n}
    for n in names:
        if normalise_header(n) in wanted:
            return wb[n]
    if len(names) == 1:
        return wb[names[0]]
    if columns:
        need = {normalise_header(c) for c in columns}
        for n in names:
            try:
                first = next(wb[n].iter_rows(min_row=1, max_row=1, values_only=True), ())
            except _WORKBOOK_ERRORS:  # a damaged sheet is not the one to read
                continue
            if need <= {normalise_header(_cell_text(c)) for c in first}:
                return wb[n]
    raise _fail(path, f"{len(names)} sheets ({short_list(names)}) and none is named "
                      f"{name or path.stem!r} or has the expected header row: name the sheet to read",
                row=1)


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _letters_to_index(letters: bytes) -> int:
    n = 0
    for ch in letters.decode():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


_PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_RELATION_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
#: XML of a workbook read without DTDs, entities or the network (as REFI-QDA projects are)
_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _sheet_member(z: zipfile.ZipFile, title: str) -> str | None:
    """The archive member holding the sheet named ``title``, found as the format says: the package's
    relationships name the workbook, the workbook names its sheets by relationship id, and the
    workbook's relationships give each sheet's part. None when the workbook does not say."""
    def relations(member: str) -> dict[str, tuple[str, str]]:
        root = etree.fromstring(z.read(member), _XML)
        return {r.get("Id", ""): (r.get("Type", ""), r.get("Target", "")) for r in root.iter(_PACKAGE_RELS)}

    def resolve(folder: str, target: str) -> str:
        if target.startswith("/"):
            return target.lstrip("/")
        return posixpath.normpath(posixpath.join(folder, target))

    book = next((resolve("", t) for kind, t in relations("_rels/.rels").values()
                 if kind.endswith("/officeDocument")), None)
    if book is None:
        return None
    folder, name = posixpath.split(book)
    sheets = etree.fromstring(z.read(book), _XML)
    rid = next((e.get(_RELATION_ID) for e in sheets.iter()
                if isinstance(e.tag, str) and etree.QName(e).localname == "sheet" and e.get("name") == title),
               None)
    target = relations(posixpath.join(folder, "_rels", f"{name}.rels")).get(rid or "")
    return resolve(folder, target[1]) if target else None


def _check_merged(path: Path, data: bytes, ws, rows: list[list[object]]) -> None:
    """Merged cells hide which row or column a value belongs to: report each merged range."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            member = _sheet_member(z, ws.title)
            if member is None:
                return
            xml = z.read(member)
    except (KeyError, zipfile.BadZipFile, OSError, etree.XMLSyntaxError):
        return  # openpyxl has read the sheet: parts it did not need are not checked
    header = [_cell_text(c).strip() for c in rows[0]] if rows else []
    problems = []
    for m in _MERGE.finditer(xml):
        col0, row0 = m.group(1), int(m.group(2))
        ref = m.group(0).split(b'"')[1].decode()
        ci = _letters_to_index(col0)
        column = header[ci] if ci < len(header) and header[ci] and row0 > 1 else column_letter(ci)
        if row0 == 1:
            msg = f"merged header cells {ref}: unmerge them so that every column has its own header"
        else:
            msg = f"merged cells {ref}: unmerge them and give every row its own value"
        problems.append(DataProblem(str(path), row0, column, msg))
    if problems:
        problems.sort(key=lambda p: (p.row or 0, p.column or ""))
        raise DataError.from_problems(problems)


# --------------------------------------------------------------------------- headers


def match_columns(
    raw: pd.DataFrame, fields: Sequence[schemas.Field], path: str | Path
) -> tuple[pd.DataFrame, list[DataProblem], list[str]]:
    """Rename a raw frame's headers to the contract's names.

    Returns ``(frame, problems, extras)``: the frame with canonical column names (columns that
    match no field keep their header, stripped, and are listed in ``extras``), a problem for
    each missing required column, each blank header over values and each column given twice.
    """
    path = str(path)
    by_norm = {normalise_header(f.name): f.name for f in fields}
    problems: list[DataProblem] = []
    names: list[str] = []
    seen: dict[str, int] = {}
    extras: list[str] = []
    for i, header in enumerate(raw.columns):
        header = str(header).strip()
        canonical = by_norm.get(normalise_header(header))
        if not header:
            problems.append(DataProblem(path, 1, column_letter(i),
                                        f"column {column_letter(i)} has values but no header"))
            name = f"({column_letter(i)})"
        elif canonical is not None:
            name = canonical
        else:
            name = header
        if name in seen:
            problems.append(DataProblem(path, 1, name,
                                        f"column {name!r} appears twice (columns {column_letter(seen[name])} "
                                        f"and {column_letter(i)})"))
            name = f"{name} ({column_letter(i)})"
        seen[name] = i
        names.append(name)
        if canonical is None and header:
            extras.append(name)
    frame = raw.copy()
    frame.columns = names
    found = short_list(raw.columns) or "none"
    for f in fields:
        if f.required and f.name not in seen:
            problems.append(DataProblem(path, 1, f.name, f"missing column {f.name!r} (found: {found})"))
    return frame, problems, extras


# --------------------------------------------------------------------------- parsing


def parse_columns(
    df: pd.DataFrame, fields: Sequence[schemas.Field], path: str | Path
) -> tuple[pd.DataFrame, list[DataProblem]]:
    """Parse the raw string columns named like ``fields`` into typed columns.

    ``df`` holds raw strings with canonical column names (see :func:`match_columns`) and the
    spreadsheet row numbers as its index. Returns ``(typed, problems)``: ``typed`` has one
    column per field (in ``fields`` order; an absent field gives an all-missing column) plus
    ``df``'s other columns, stripped, at the end; a cell that cannot be parsed is missing in
    ``typed`` and reported in ``problems`` with its row, column and what was expected.
    Kinds: ``text`` (stripped, code lists matched loosely), ``int``, ``float``, ``date``.
    Only whether a cell *can* be read is checked here; ranges, codes, required values and
    uniqueness are :func:`check_frame`'s work.
    """
    typed, problems, _ = _parse_columns(df, fields, path)
    return typed, problems


class _Distinct:
    """What a parsed column holds, by distinct cell: the typed value of each distinct cell that
    some row has, and the most rows any one distinct cell has (1: no cell repeated)."""

    def __init__(self, values: pd.Series, codes: np.ndarray) -> None:
        counts = np.bincount(codes, minlength=len(values)) if len(codes) else np.zeros(len(values), np.intp)
        self.values = values[counts[: len(values)] > 0].reset_index(drop=True)
        self.max_count = int(counts.max()) if len(counts) else 0


def _parse_columns(
    df: pd.DataFrame, fields: Sequence[schemas.Field], path: str | Path
) -> tuple[pd.DataFrame, list[DataProblem], dict[str, _Distinct]]:
    """:func:`parse_columns`, also giving each parsed column's :class:`_Distinct` values."""
    path = str(path)
    out: dict[str, pd.Series] = {}
    problems: list[DataProblem] = []
    distinct: dict[str, _Distinct] = {}
    for f in fields:
        parser = _PARSERS[f.kind]
        if f.name not in df.columns:
            values, _ = parser(pd.Series(np.nan, index=df.index, dtype="str"), f)
            out[f.name] = values
            continue
        # parse each distinct cell once: columns repeat values (codes, dates, scores) a great deal;
        # a Categorical column (read_table's ``categorical``) is already in that form
        column = df[f.name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            codes, uniques = column.cat.codes.to_numpy(), column.cat.categories
        else:
            codes, uniques = pd.factorize(column)
        values, bad = parser(_clean_text(pd.Series(uniques, dtype="str")), f)
        out[f.name] = pd.Series(values.array.take(codes, allow_fill=True), index=df.index)
        if len(codes) == 0 or codes.min() >= 0:
            distinct[f.name] = _Distinct(values, codes)
        if bad:
            message = dict(bad)
            hit = np.isin(codes, list(message))
            for row, code in zip(df.index[hit], codes[hit], strict=True):
                problems.append(DataProblem(path, int(row), f.name, message[code]))
    known = {f.name for f in fields}
    extras = [i for i, c in enumerate(df.columns) if c not in known]
    if extras:  # cleaned all at once: a file may have hundreds of columns beyond the contract's
        block = df.iloc[:, extras].astype("str").to_numpy(dtype=object)
        clean = _clean_text(pd.Series(block.ravel(), dtype="str")).to_numpy(dtype=object)
        for j, values in zip(extras, clean.reshape(block.shape).T, strict=True):
            out[df.columns[j]] = pd.Series(values, index=df.index, dtype="str")
    typed = pd.DataFrame(out, index=df.index)
    return typed, problems, distinct


def _clean_text(s: pd.Series) -> pd.Series:
    """Stripped text; empty cells missing. Distinct values are stripped once."""
    codes, uniques = pd.factorize(s.astype("str"))
    clean = pd.Series(uniques, dtype="str").str.strip()
    clean = clean.mask(clean == "")
    return pd.Series(clean.array.take(codes, allow_fill=True), index=s.index, dtype="str")


def _parse_text(s: pd.Series, f: schemas.Field) -> tuple[pd.Series, list[tuple[int, str]]]:
    if f.allowed is not None and s.notna().any():
        s = _canonical_codes(s, f.allowed)
    return s, []


def _code_key(value: object) -> str:
    return re.sub(r"[\s\-_]+", "_", str(value).strip().lower())


def _canonical_codes(s: pd.Series, allowed: Iterable) -> pd.Series:
    """Map values differing from a code only by case, spaces, hyphens or underscores to the code."""
    codes = [str(a) for a in allowed]
    keys = [_code_key(a) for a in codes]
    if len(set(keys)) != len(keys):
        return s
    lookup = dict(zip(keys, codes, strict=True))
    uniques = s.dropna().unique()
    mapping = {u: lookup[_code_key(u)] for u in uniques if u not in codes and _code_key(u) in lookup}
    if not mapping:
        return s
    return s.replace(mapping)


_THOUSANDS = r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$"


def _to_number(s: pd.Series, percent: bool = False) -> pd.Series:
    """Numbers (finite; NaN where not a number). ``1,234`` is read as 1234; with ``percent``
    a trailing ``%`` is allowed (``45%`` is 45, for columns holding percentages)."""
    grouped = s.str.match(_THOUSANDS, na=False)
    if grouped.any():
        s = s.mask(grouped, s.str.replace(",", "", regex=False))
    if percent:
        s = s.str.replace(r"\s*%$", "", regex=True)
    num = pd.to_numeric(s, errors="coerce")
    num = num.astype("float64")
    return num.where(np.isfinite(num))


def _parse_int(s: pd.Series, f: schemas.Field) -> tuple[pd.Series, list[tuple[int, str]]]:
    present = s.notna()
    num = _to_number(s)
    not_number = present & num.isna()
    fractional = present & num.notna() & (num != np.floor(num))
    too_big = present & num.notna() & (num.abs() >= _INT_LIMIT)
    bad: list[tuple[int, str]] = []
    for row, v in s[not_number].items():
        bad.append((row, f"{_quote(v)} is not a whole number"))
    for row, v in s[fractional].items():
        bad.append((row, f"{_quote(v)} is not a whole number"))
    for row, v in s[too_big & ~fractional].items():
        bad.append((row, f"{_quote(v)} is too large"))
    num = num.mask(fractional | too_big)
    return num.astype("Int64"), bad


def _parse_float(s: pd.Series, f: schemas.Field) -> tuple[pd.Series, list[tuple[int, str]]]:
    num = _to_number(s, percent=f.max == 100)
    not_number = s.notna() & num.isna()
    bad = [(row, f"{_quote(v)} is not a number") for row, v in s[not_number].items()]
    return num.astype("Float64"), bad


def _parse_date(s: pd.Series, f: schemas.Field) -> tuple[pd.Series, list[tuple[int, str]]]:
    result = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    todo = s.notna()
    out_of_range = pd.Series(False, index=s.index)
    lo, hi = pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D")
    for fmt in DATE_FORMATS:
        if not todo.any():
            break
        parsed = pd.to_datetime(s[todo], format=fmt, errors="coerce")
        ok = parsed.notna()
        if ok.any():
            days = parsed[ok].dt.normalize()
            inside = (days >= lo) & (days <= hi)
            result.loc[days.index[inside]] = days[inside].astype("datetime64[ns]")
            out_of_range.loc[days.index[~inside]] = True
            todo.loc[days.index] = False
    bad = [(row, _date_message(v)) for row, v in s[todo].items()]
    bad += [(row, f"{_quote(v)} is outside the dates that can be held ({lo.year + 1}-{hi.year - 1})")
            for row, v in s[out_of_range].items()]
    return result, bad


def _date_message(value: str) -> str:
    m = _NUMERIC_DATE.match(value)
    if not m:
        return f"{_quote(value)} is not a date ({_DATE_HELP})"
    a, b, c = m.groups()
    if len(a) != 4 and len(c) != 4:
        return f"{_quote(value)} has a two-digit year: write the year in full (e.g. 31/03/2022)"
    if len(c) == 4 and int(b) > 12 and int(a) <= 12:
        return f"{_quote(value)} is not a real date: dates are read day first (dd/mm/yyyy)"
    return f"{_quote(value)} is not a real date ({_DATE_HELP})"


_PARSERS = {schemas.TEXT: _parse_text, schemas.INT: _parse_int, schemas.FLOAT: _parse_float,
            schemas.DATE: _parse_date}


# --------------------------------------------------------------------------- validation


#: frames up to this many rows are always validated by pandera in full (see :func:`check_frame`)
_FULL_SCHEMA_ROWS = 50_000


def check_frame(
    df: pd.DataFrame,
    source: schemas.Source,
    path: str | Path,
    *,
    raw: pd.DataFrame | None = None,
    skip: set[tuple[int | None, str]] | frozenset = frozenset(),
    rows: bool = True,
    distinct: dict[str, _Distinct] | None = None,
) -> list[DataProblem]:
    """Validate a typed frame with the source's pandera schema; every failure as a DataProblem.

    ``df``'s index must be the spreadsheet row numbers (``rows=False`` when it is not, e.g. for
    frames read from XML: problems then have no row). ``raw`` (same index, canonical columns)
    lets messages quote the cell as written. Failures at ``(row, column)`` pairs in ``skip``
    (already reported while parsing) are left out. Columns of the contract absent from ``df``
    are not checked (:func:`match_columns` reports the missing required ones).

    ``distinct`` (from :func:`_parse_columns`): a large frame is first checked by its distinct
    values. When those checks find nothing (they are at least as strict as the schema's: missing
    values, code lists, ranges, uniqueness), pandera validates the first
    :data:`_FULL_SCHEMA_ROWS` rows (column types and every check) and the frame passes.
    Otherwise, or when a column was not parsed here, pandera validates the whole frame and its
    failures are reported as before, so problems are the same either way.
    """
    path = str(path)
    present = [f for f in source.fields if f.name in df.columns]
    if (distinct is not None and len(df) > _FULL_SCHEMA_ROWS and len(present) == len(source.fields)
            and _passes_by_distinct(df, present, source, distinct)):
        try:
            source.schema.validate(df.head(_FULL_SCHEMA_ROWS), lazy=True)
            return []
        except (pa.errors.SchemaErrors, pa.errors.SchemaError):
            pass  # cannot happen when the checks above hold; the full validation below explains it
    unique = list(source.unique_together)
    if len(present) == len(source.fields):
        schema = source.schema
    else:
        names = {f.name for f in present}
        schema = pa.DataFrameSchema({f.name: f.column() for f in present}, strict=False,
                                    unique=unique if set(unique) <= names else None, name=source.name)
        if not set(unique) <= names:
            unique = []
    try:
        schema.validate(df, lazy=True)
        return []
    except pa.errors.SchemaErrors as e:
        cases = e.failure_cases
    except pa.errors.SchemaError as e:  # pragma: no cover - lazy validation collects them all
        return [DataProblem(path, None, None, str(e))]
    problems: list[DataProblem] = []
    order = {name: i for i, name in enumerate(df.columns)}
    checks = cases["check"].astype(str)
    if (checks == "multiple_fields_uniqueness").any():
        problems += _combo_problems(df, unique, path, rows)
    for column in cases.loc[checks == "field_uniqueness", "column"].unique():
        problems += _duplicate_problems(df, str(column), path, raw, rows)
    for c in cases[~checks.isin(["multiple_fields_uniqueness", "field_uniqueness"])].itertuples(index=False):
        column = c.column if isinstance(c.column, str) else None
        row = _row(c.index) if rows else None
        if (row, column) in skip:
            continue
        field = source.field(column) if column in source.columns else None
        shown = _shown(raw, row, column, c.failure_case) if rows else _quote(c.failure_case)
        check = str(c.check)
        if check == "not_nullable":
            message = "missing value: this column needs a value in every row"
        elif check.startswith("isin") and field is not None and field.allowed is not None:
            message = f"{shown} is not one of {short_list(field.allowed)}"
        elif check.startswith("in_range") and field is not None:
            message = f"{shown} is {_range_text(field)}"
        elif check == "column_in_dataframe":
            message = f"missing column {c.failure_case!r}"
        else:
            message = f"{shown} fails {check}"
        problems.append(DataProblem(path, row, column, message))
    problems.sort(key=lambda p: (p.row or 0, order.get(p.column, len(order))))
    return problems


def _passes_by_distinct(
    df: pd.DataFrame, fields: Sequence[schemas.Field], source: schemas.Source, distinct: dict[str, _Distinct]
) -> bool:
    """True when, judged by each column's distinct values, no check of the schema can fail."""
    for f in fields:
        d = distinct.get(f.name)
        if d is None:
            return False
        values = d.values
        missing = values.isna()
        if missing.any() and not f.nullable:
            return False
        values = values[~missing]
        if f.allowed is not None and not values.isin(list(f.allowed)).all():
            return False
        if f.min is not None and not (values >= f.min).all():
            return False
        if f.max is not None and not (values <= f.max).all():
            return False
        if f.unique and (d.max_count > 1 or d.values.duplicated().any()):
            return False
    if source.unique_together and df[list(source.unique_together)].duplicated().any():
        return False
    return True


def _duplicate_problems(df: pd.DataFrame, column: str, path: str, raw: pd.DataFrame | None,
                        rows: bool) -> list[DataProblem]:
    """A problem for each row repeating an earlier row's value of a column that must be unique."""
    col = df[column]
    later = col.duplicated(keep="first") & col.notna()
    firsts = col[~col.duplicated(keep="first")]
    first_row = dict(zip(firsts.to_numpy(), firsts.index, strict=True))
    problems = []
    for index, value in col[later].items():
        row = _row(index) if rows else None
        where = f" (first in row {_row(first_row[value])})" if rows else ""
        shown = _shown(raw, row, column, value)
        problems.append(DataProblem(path, row, column,
                                    f"duplicate {column} {shown}{where}: each {column} must be unique"))
    return problems


def _row(index: object) -> int | None:
    try:
        return int(index)
    except (TypeError, ValueError):
        return None


def _shown(raw: pd.DataFrame | None, row: int | None, column: str | None, fallback: object) -> str:
    if raw is not None and row is not None and column in raw.columns and row in raw.index:
        cell = raw.at[row, column]
        if isinstance(cell, str):
            return _quote(cell.strip())
    if isinstance(fallback, pd.Timestamp):
        return _quote(fallback.date().isoformat())
    return _quote(fallback)


def _range_text(field: schemas.Field) -> str:
    def num(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else str(x)

    if field.min is not None and field.max is not None:
        return f"outside {num(field.min)}-{num(field.max)}"
    if field.min is not None:
        return f"below the minimum {num(field.min)}"
    return f"above the maximum {num(field.max)}"


def _combo_problems(df: pd.DataFrame, unique: list[str], path: str, rows: bool) -> list[DataProblem]:
    """Rows repeating an earlier row's combination of the ``unique`` columns."""
    if not unique:
        return []
    keys = df[unique]
    later = keys.duplicated(keep="first")
    group = keys.groupby(unique, dropna=False, sort=False).ngroup()
    first_index = pd.Series(df.index, index=df.index).groupby(group).transform("first")
    label = ", ".join(unique)
    problems = []
    for index in df.index[later]:
        shown = ", ".join("" if pd.isna(v) else str(v.date() if isinstance(v, pd.Timestamp) else v)
                          for v in keys.loc[index])
        where = f" as row {_row(first_index[index])}" if rows else ""
        problems.append(DataProblem(path, _row(index) if rows else None, label,
                                    f"the same {label} ({shown}){where}: each combination must be unique"))
    return problems


# --------------------------------------------------------------------------- read_source


def filter_site(df: pd.DataFrame, source: schemas.Source, site: str | None, *,
                keep_index: bool = False) -> pd.DataFrame:
    """Rows of ``df`` that belong to ``site`` (``None`` or ``"all"``: every row), indexed from 0
    (``keep_index``: with ``df``'s index).

    A row belongs to a site when its site column holds that site; a source whose code list has
    ``"all"`` (the deny list) also gives its ``"all"`` rows to every site. Rows of ``national``
    fieldwork belong only to ``"all"``.
    """
    if site is None or site == sites.ALL or source.site_column is None:
        return df
    sites.get(site)
    keep = [site]
    allowed = source.field(source.site_column).allowed or ()
    if sites.ALL in allowed:
        keep.append(sites.ALL)
    rows = df[df[source.site_column].isin(keep)]
    return rows if keep_index else rows.reset_index(drop=True)


def _header_row_below(raw: pd.DataFrame, required: Sequence[str], look: int = 10) -> int | None:
    """The row (within the first ``look`` records) holding every required column name, if any."""
    need = {normalise_header(c) for c in required}
    for row, cells in raw.head(look).iterrows():
        if need <= {normalise_header(c) for c in cells}:
            return int(row)
    return None


def _few_values(source: schemas.Source) -> list[str]:
    """Columns likely to hold few distinct values (codes, dates, bounded scores): read as Categoricals."""
    return [f.name for f in source.fields
            if not f.unique and (f.allowed is not None or f.kind == schemas.DATE
                                 or (f.kind == schemas.INT and f.max is not None))]


def read_source(
    name: str, path: str | Path, *, site: str | None = None, sheet: str | None = None,
    keep_rows: bool = False,
) -> pd.DataFrame:
    """Read and validate one source of the data contract from a CSV or XLSX file.

    ``name`` is a key of :data:`carejourneys.inputs.schemas.SOURCES`. Returns a typed frame with the
    source's columns in contract order (then any extra columns, kept as text, with a
    DataWarning), one row per record, filtered to ``site`` when given (see :func:`filter_site`).
    Raises one :class:`DataError` listing every problem of the file (file, row, column and what
    was expected). The file is only read, never written. With ``keep_rows`` the frame's index is
    each record's spreadsheet row number (named ``row``), for checks that name rows later.
    """
    try:
        source = schemas.SOURCES[name]
    except KeyError:
        raise KeyError(f"unknown source {name!r}; sources: {', '.join(schemas.SOURCES)}") from None
    if site is not None and site != sites.ALL:
        sites.get(site)
    path = Path(path)
    raw = read_table(path, sheet=sheet, columns=source.required_columns, name=source.name,
                     categorical=_few_values(source))
    named, problems, extras = match_columns(raw, source.fields, path)
    if any(p.message.startswith("missing column") for p in problems):
        header_row = _header_row_below(raw, source.required_columns)
        if header_row is not None:
            raise DataError(f"the header row seems to be row {header_row}, not row 1: delete the rows above "
                            "it so that the column names come first", path=path, row=header_row)
    typed, parse_problems, distinct = _parse_columns(named, source.fields, path)
    problems += parse_problems
    skip = {(p.row, p.column) for p in parse_problems}
    missing = {p.column for p in problems if p.row == 1 and p.message.startswith("missing column")}
    checked = typed.drop(columns=[c for c in missing if c in typed.columns])
    problems += check_frame(checked, source, path, raw=named, skip=skip, distinct=distinct)
    if problems:
        order = {n: i for i, n in enumerate(named.columns)}
        problems.sort(key=lambda p: (p.row or 0, order.get(p.column, len(order))))
        raise DataError.from_problems(problems)
    if extras:
        warnings.warn(f"{path}: columns not in the data contract for {name!r} kept as text: "
                      f"{short_list(extras)}", DataWarning, stacklevel=2)
    if not keep_rows:
        typed = typed.reset_index(drop=True)
    return filter_site(typed, source, site, keep_index=keep_rows)

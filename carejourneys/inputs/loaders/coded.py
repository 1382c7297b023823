"""Coding exports in CSV or XLSX (one row per coded excerpt) -> the segments frame of ``read_qdpx``.

Two layouts are recognised (``format="auto"`` tells them apart by their headers):

* **Taguette** highlights export (CSV or XLSX, from the whole project or from one tag):
  ``id, document, tag, content``, one row per highlight and tag. The content is plain text (Taguette
  converts its HTML to text before writing it) and is kept exactly as written: ``<laughs>``,
  ``&amp;`` and ``<10`` are data. A tag name is one level (``housing/accommodation`` included); a
  project that writes a hierarchy into its tag names with "." (``barriers.staffing.turnover``) is
  read with ``level_separator="."``, which the reader suggests in a warning when the tags look like
  that. A per-tag export repeats a highlight once per matching tag: rows repeating a (highlight id,
  tag) pair are merged, with a warning. A row with an empty tag (an untagged highlight) is left out,
  with a warning. Highlight ids repeat when a highlight has several tags; each row then gets
  ``segment_id`` ``<id>:<n>``.
* **generic long format** (documented here; headers are matched case-insensitively, spaces and
  hyphens counting as ``_``):

  ============== ====================================================== =========
  column         also accepted as                                       required
  ============== ====================================================== =========
  source_id      document, source, file, transcript, doc, document_name yes
  code_path      code, tag, node, codes, node_path, hierarchical_name   yes
  text           content, excerpt, quote, coded_text, reference_text,   yes
                 segment_text, selection, segment (MAXQDA)
  segment_id     id, highlight_id, segment, quotation_id                no (row based when absent)
  start, end     start_position/end_position, begin/finish              no (together)
  coder          user, coded_by, owner, author, created_by              no
  theme          (top level of code_path when absent)                   no
  site, speaker_id (speaker, participant, case), role, seniority, wave, date     no
  ============== ====================================================== =========

  Code paths may be written with "/", "::" (ATLAS.ti), " > " or "\\" (NVivo and MAXQDA, whose
  leading ``Nodes\\`` or ``Codes\\`` is dropped), or with the one separator given as
  ``level_separator``. They are returned as :mod:`.codepaths` writes them: levels joined with "/",
  and a "/" inside a level's own name (``Nodes\\Housing/accommodation``) escaped as ``%2F``.

Text is data: it is never stripped of markup, unescaped or trimmed; only its line endings are made
LF (``\\r\\n`` and ``\\r``), as the REFI-QDA reader does. A workbook cell holding a formula (a
Taguette highlight typed as ``=SUM(A1:A2)`` is written as one) is read as the formula typed, not
its computed value, with a warning.

**Position columns** (``start``/``end``) count characters from 0 with the end exclusive, over the
source text with LF line endings (the contract's convention). :func:`check_positions` checks them:
each must be a whole number with ``end >= start``; given the source texts (``texts=``), the span
must fall inside its text (a problem) and should hold the row's text (a warning when it does not);
and whether or not the texts are given, positions whose spans are far shorter than their excerpts
(``begin=3, end=3`` for an 80-character excerpt) look like paragraph or line numbers, which some
tools write in these columns: a warning says so and the positions should not be relied on.

Problems (missing columns, empty source, code or text, positions that are not whole numbers, end
before they start or fall outside the text, waves that are not numbers, dates that do not parse)
are reported together in one :class:`DataError`, each naming the row (header = row 1) and the
column as written in the file.
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from carejourneys.errors import DataError, DataProblem, DataWarning
from carejourneys.inputs.loaders.codepaths import join_code_path, looks_dotted, split_code_path
from carejourneys.inputs.loaders.tabular import EXCEL_SUFFIXES, normalise_header, read_table

ALIASES: dict[str, tuple[str, ...]] = {
    "source_id": ("source_id", "document", "source", "file", "transcript", "doc", "document_name",
                  "source_name", "file_name"),
    "code_path": ("code_path", "code", "tag", "node", "codes", "node_path", "hierarchical_name", "code_name"),
    # "segment" last: MAXQDA's coded-segments export holds the text in "Segment" (elsewhere an id)
    "text": ("text", "content", "excerpt", "quote", "coded_text", "reference_text", "segment_text",
             "selection", "quotation", "segment"),
    "segment_id": ("segment_id", "id", "highlight_id", "segment", "quotation_id", "reference_id"),
    "start": ("start", "start_position", "begin", "startposition"),
    "end": ("end", "end_position", "finish", "endposition"),
    "coder": ("coder", "user", "coded_by", "owner", "author", "coder_id", "created_by"),
    "theme": ("theme",),
    "site": ("site",),
    "speaker_id": ("speaker_id", "speaker", "participant", "case", "participant_id"),
    "role": ("role",),
    "seniority": ("seniority",),
    "wave": ("wave",),
    "date": ("date", "interview_date"),
}
REQUIRED = ("source_id", "code_path", "text")
TAGUETTE = ("id", "document", "tag", "content")
FORMATS = ("auto", "taguette", "generic")

#: start/end/wave values at or above this are not positions (and would overflow a 64-bit integer)
_MAX_POSITION = 2**53


def _lf(s: str) -> str:
    return s.replace("\r\n", "\n").replace("\r", "\n") if "\r" in s else s


def normalise_code_path(code: str, level_separator: str | None = None) -> str:
    """A code path from any tool, as :func:`.codepaths.join_code_path` writes it.

    With ``level_separator`` the code is split on that string only; otherwise an NVivo/MAXQDA path
    (``Nodes\\A\\B``) is split on "\\", one written with "::" (ATLAS.ti) or " > " on that, a "/" in
    them being part of a name; any other path is split on "/" (``%2F`` being a slash inside a name).
    """
    c = code.strip()
    if level_separator is not None:
        return join_code_path(p.strip() for p in c.split(level_separator))
    if "\\" in c:
        parts = [p for p in c.split("\\") if p.strip()]
        if parts and parts[0].strip().lower() in ("nodes", "codes"):
            parts = parts[1:]
        return join_code_path(p.strip() for p in parts)
    for sep in ("::", " > "):  # ATLAS.ti, MAXQDA: the tool's separator; a "/" is part of a name
        if sep in c:
            return join_code_path(p.strip() for p in c.split(sep))
    return join_code_path(p.strip() for p in split_code_path(c))


def _detect(headers: list[str]) -> str:
    norm = {normalise_header(h) for h in headers}
    return "taguette" if set(TAGUETTE) <= norm else "generic"


def detect_format(path: str | Path, sheet: str | None = None) -> str | None:
    """"taguette" or "generic" when the file's header row is that of a coding export, else None."""
    raw = _read_export(Path(path), sheet)
    headers = list(raw.columns)
    if _detect(headers) == "taguette":
        return "taguette"
    norm = {normalise_header(h) for h in headers}
    if all(any(n in norm for n in ALIASES[col]) for col in REQUIRED):
        return "generic"
    return None


def _read_export(path: Path, sheet: str | None) -> pd.DataFrame:
    """The export's cells; in a workbook of several sheets, the first sheet headed like a coding export."""
    if sheet is not None or path.suffix.lower() not in EXCEL_SUFFIXES:
        return read_table(path, sheet=sheet)
    try:
        return read_table(path, columns=REQUIRED)
    except DataError as first:
        try:
            return read_table(path, columns=TAGUETTE)
        except DataError:
            raise first from None


def _formula_text(value: object) -> str | None:
    if isinstance(value, str):
        return value if value.startswith("=") else None
    text = getattr(value, "text", None)  # openpyxl ArrayFormula / DataTableFormula
    return text if isinstance(text, str) else None


def _typed_formulas(path: Path, raw: pd.DataFrame, sheet: str | None) -> pd.DataFrame:
    """``raw`` with each formula cell of the workbook replaced by the formula as typed (with a warning).

    :func:`read_table` gives a formula cell's cached value (``0`` for a highlight typed as
    ``=SUM(A1:A2)``, nothing when no program computed it); a coding export's cells are text, so the
    formula is what was written.
    """
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, InvalidFileException):
        return raw  # read_table has already read it: leave the values as they are
    try:
        names = [sheet] if sheet is not None else list(wb.sheetnames)
        want = {c for c in raw.columns if c}
        for name in names:
            ws = wb[name]
            rows = ws.iter_rows(values_only=True)
            header = next(rows, None)
            if header is None:
                continue
            texts = ["" if h is None else str(h).strip() for h in header]
            if {h for h in texts if h} != want and sheet is None:
                continue
            where = {j: h for j, h in enumerate(texts) if h in want}
            found: list[tuple[int, str, str]] = []
            for r, row in enumerate(rows, start=2):
                for j, v in enumerate(row):
                    if j not in where:
                        continue
                    f = _formula_text(v)
                    if f is not None and r in raw.index and raw.at[r, where[j]] != f:
                        found.append((r, where[j], f))
            if found:
                raw = raw.copy()
                for r, col, f in found:
                    raw.at[r, col] = f
                r, col, f = found[0]
                warnings.warn(f"{path}: {len(found)} cell(s) hold formulas (first: row {r}, column {col!r}, "
                              f"{f!r}); read as the text typed, not their computed values", DataWarning,
                              stacklevel=4)
            break
    finally:
        wb.close()
    return raw


def read_coded_segments(path: str | Path, *, format: str = "auto", sheet: str | None = None,
                        level_separator: str | None = None,
                        texts: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read a coding export (CSV or XLSX) into a segments frame.

    Args:
        path: the export file.
        format: "auto", "taguette" or "generic" (see the module docstring).
        sheet: for a workbook, the sheet to read (default: the only sheet, or the first with the columns).
        level_separator: the string between levels inside a code or tag name, when the tool has no
            hierarchy of its own (Taguette's "." convention); by default a Taguette tag is one level
            and a generic code path is split as described in the module docstring.
        texts: the full text of each source, keyed by ``source_id``, to check the positions against
            (:func:`check_positions`).

    Returns one row per coded excerpt with ``segment_id``, ``source_id``, ``code_path``, ``theme``,
    ``text``, ``start``/``end`` (nullable integers, code points), ``coder`` and any of ``site``,
    ``speaker_id``, ``role``, ``seniority``, ``wave``, ``date`` present; other columns are kept after
    them. ``frame.attrs["format"]`` says which layout was read.
    """
    path = Path(path)
    if format not in FORMATS:
        raise ValueError("format must be auto, taguette or generic")
    if level_separator is not None and (not level_separator or level_separator.isspace()):
        raise ValueError("level_separator must be a visible string such as '.'")
    raw = _read_export(path, sheet)
    if path.suffix.lower() in EXCEL_SUFFIXES and len(raw):
        raw = _typed_formulas(path, raw, sheet)
    headers = list(raw.columns)
    repeated = [h for h in dict.fromkeys(headers) if h != "" and headers.count(h) > 1]
    if repeated:
        raise DataError.from_problems([
            DataProblem(str(path), 1, h, f"column {h!r} appears more than once in the header; "
                                         "expected each column once") for h in repeated])
    fmt = _detect(headers) if format == "auto" else format
    norm_to_header: dict[str, str] = {}
    for h in headers:
        norm_to_header.setdefault(normalise_header(h), h)
    if fmt == "taguette":
        mapping = {"segment_id": "id", "source_id": "document", "code_path": "tag", "text": "content"}
        mapping = {k: norm_to_header.get(v) for k, v in mapping.items()}
    else:
        mapping = {}
        for target, names in ALIASES.items():
            for n in names:
                if n in norm_to_header and norm_to_header[n] not in mapping.values():
                    mapping[target] = norm_to_header[n]
                    break
    problems: list[DataProblem] = []
    for col in REQUIRED:
        if mapping.get(col) is None:
            accepted = ", ".join(TAGUETTE if fmt == "taguette" else ALIASES[col])
            problems.append(DataProblem(str(path), 1, col,
                                        f"no column for {col} (accepted headers: {accepted})"))
    if ("start" in mapping) != ("end" in mapping):
        have = "start" if "start" in mapping else "end"
        problems.append(DataProblem(str(path), 1, mapping[have], "start and end positions come together"))
    if problems:
        raise DataError.from_problems(problems)
    mapping = {k: v for k, v in mapping.items() if v is not None}
    out = pd.DataFrame(index=raw.index)
    for target, header in mapping.items():
        col = raw[header].astype("str")
        # text is data: only its line endings change; every other cell is trimmed
        out[target] = col.map(_lf) if target == "text" else col.str.strip()
    extras = [h for h in headers if h not in mapping.values() and h != ""]

    def bad(mask: pd.Series, column: str, message) -> None:
        rows = out.index.to_numpy()
        for r in rows[mask.to_numpy()][:200]:
            value = out.at[r, column]
            problems.append(DataProblem(str(path), int(r), mapping[column],
                                        message(value) if callable(message) else message))

    if fmt == "taguette":
        untagged = out["code_path"] == ""
        if untagged.any():
            first = int(out.index[untagged.to_numpy()][0])
            warnings.warn(f"{path}: {int(untagged.sum())} highlight row(s) have no tag (first: row {first}) "
                          "and are left out", DataWarning, stacklevel=2)
            out = out[~untagged]
    for col in REQUIRED:
        empty = out[col].str.strip() == "" if col == "text" else out[col] == ""
        bad(empty, col, f"empty {col.replace('_', ' ')}")
    _code_paths(out, fmt, level_separator, path)
    for col in ("start", "end"):
        if col in out.columns:
            num = pd.to_numeric(out[col].replace("", np.nan), errors="coerce")
            whole = (num.notna() & np.isfinite(num) & (num == np.floor(num))
                     & (num >= 0) & (num < _MAX_POSITION))
            bad(~whole & (out[col] != ""), col, lambda v: f"{v!r} is not a whole number of characters ≥ 0")
            out[col] = num.where(whole).astype("Int64")
    if "start" in out.columns:
        both = out["start"].notna() & out["end"].notna()
        order_bad = both & (out["end"] < out["start"])
        bad(order_bad.fillna(False), "end", "end comes before start")
    if "wave" in out.columns:
        num = pd.to_numeric(out["wave"].replace("", np.nan), errors="coerce")
        whole = num.notna() & np.isfinite(num) & (num == np.floor(num)) & (num.abs() < _MAX_POSITION)
        bad(~whole & (out["wave"] != ""), "wave", lambda v: f"wave {v!r} is not a whole number")
        out["wave"] = num.where(whole).astype("Int64")
    if "date" in out.columns:
        out["date"] = _dates(out["date"], bad)
    if problems:
        raise DataError.from_problems(problems)
    if "start" in out.columns:
        problems += check_positions(out, texts, path=path, columns=mapping, rows=out.index.tolist())
        if problems:
            raise DataError.from_problems(problems)
    out = _merge_repeats(out, fmt, path)
    rows = out.index.to_numpy()
    # segment ids: as given when unique, else numbered per repeat; the row number when absent
    if "segment_id" in out.columns and (out["segment_id"] != "").all():
        ids = out["segment_id"]
        if not ids.is_unique:
            k = ids.groupby(ids).cumcount() + 1
            dup = ids.duplicated(keep=False)
            ids = ids.where(~dup, ids + ":" + k.astype("str"))
        out["segment_id"] = ids
    else:
        out["segment_id"] = [f"{path.stem}:{r}" for r in rows]
    if "theme" not in out.columns or (out["theme"] == "").all():
        out["theme"] = out["code_path"].map(lambda p: split_code_path(p)[0]).astype("str")
    for col in ("start", "end"):
        if col not in out.columns:
            out[col] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    if "coder" not in out.columns:
        out["coder"] = pd.Series(np.nan, index=out.index, dtype="str")
    for col in ("site", "speaker_id", "role", "seniority", "coder"):
        if col in out.columns:
            out[col] = out[col].replace("", np.nan).astype("str")
    for h in extras:
        name = normalise_header(h)
        if name not in out.columns:
            out[name] = raw.loc[out.index, h].astype("str")
    first = ["segment_id", "source_id", "code_path", "theme", "text", "start", "end", "coder"]
    known = [c for c in ("site", "speaker_id", "role", "seniority", "wave", "date") if c in out.columns]
    out = out[first + known + [c for c in out.columns if c not in first and c not in known]]
    out = out.reset_index(drop=True)
    out.attrs["format"] = fmt
    out.attrs["path"] = str(path)
    return out


def _code_paths(out: pd.DataFrame, fmt: str, level_separator: str | None, path: Path) -> None:
    """Turn the code column into code paths, in place; suggest ``level_separator`` for dotted tags."""
    codes = out["code_path"]
    distinct = [c for c in dict.fromkeys(codes.tolist()) if c]
    if fmt == "taguette" and level_separator is None:
        paths = {c: join_code_path([c]) for c in distinct}
    else:
        paths = {c: normalise_code_path(c, level_separator) for c in distinct}
    if level_separator is None:
        flat = [c for c in distinct if len(split_code_path(paths[c])) == 1]
        dotted = looks_dotted(flat)
        if dotted:
            warnings.warn(f"{path}: {len(dotted)} code name(s) look like a hierarchy written with '.' "
                          f"(for example {dotted[0]!r}); they are kept as single names. To read them as "
                          "levels, pass level_separator='.'", DataWarning, stacklevel=3)
    out["code_path"] = codes.map(lambda c: paths.get(c, c)).astype("str")


def _merge_repeats(out: pd.DataFrame, fmt: str, path: Path) -> pd.DataFrame:
    """Rows that repeat a (segment id, code) pair with the same text are one segment (with a warning)."""
    if "segment_id" not in out.columns or (out["segment_id"] == "").any():
        return out
    key = ["segment_id", "source_id", "code_path", "text"]
    key += [c for c in ("start", "end") if c in out.columns]
    dup = out.duplicated(subset=key, keep="first")
    if not dup.any():
        return out
    first = int(out.index[dup.to_numpy()][0])
    what = "highlight" if fmt == "taguette" else "segment"
    warnings.warn(f"{path}: {int(dup.sum())} row(s) repeat a {what} id with the same code (first: row "
                  f"{first}); each {what} is counted once per code (a per-tag export lists a highlight "
                  "once for each of its matching tags)", DataWarning, stacklevel=3)
    return out[~dup]


def _dates(dates: pd.Series, bad) -> pd.Series:
    # a date has digits: pandas would otherwise read the words "now" and "today" as the clock's time
    dated = dates.where(dates.str.contains(r"\d", regex=True), "not a date")
    dated = dated.replace("", None)
    # year first (2021-03-04) is ISO 8601; anything else is read day first (04/03/2021)
    iso = dated.str.match(r"\s*\d{4}-\d{1,2}-\d{1,2}", na=False)
    d_iso = pd.to_datetime(dated.where(iso, None), errors="coerce", format="ISO8601")
    d_other = pd.to_datetime(dated.where(~iso, None), errors="coerce", format="mixed", dayfirst=True)
    d = d_iso.where(iso, d_other)
    # the contract holds dates as datetime64[ns]: years 1678-2261 (a year such as 21 is a typing slip)
    lo, hi = pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D")
    d = d.where(d.isna() | ((d >= lo) & (d <= hi)))
    bad(d.isna() & (dates != ""), "date", lambda v: f"{v!r} is not a date (or not one of years "
                                                    f"{lo.year + 1}-{hi.year - 1})")
    return d.astype("datetime64[ns]")


#: spans shorter than this share of their excerpt's length look like paragraph or line numbers
_PARAGRAPH_RATIO = 0.25


def check_positions(segments: pd.DataFrame, texts: Mapping[str, str] | None = None, *,
                    path: str | Path | None = None, columns: Mapping[str, str] | None = None,
                    rows: Sequence[int] | None = None) -> list[DataProblem]:
    """The documented check of ``start``/``end``: problems, and warnings for suspicious positions.

    * With ``texts`` (source text by ``source_id``, LF line endings): a span outside its source's
      text is a problem (``0 <= start <= end <= len(text)``); a span that does not hold the row's
      ``text`` gets a warning (the export may have trimmed or re-spaced it).
    * Always: when at least half of the rows with positions and an excerpt of 12 characters or more
      have a span shorter than a quarter of the excerpt, the columns look like paragraph or line
      numbers, not character positions: a warning says so.

    ``columns`` maps ``start``/``end`` to the headers to name; ``rows`` gives each row's number in
    the file (default: the frame's order, the header being row 1). Returns the problems (empty when
    none); warnings are issued as :class:`DataWarning`.
    """
    where = str(path) if path is not None else None
    names = {"start": "start", "end": "end", **(columns or {})}
    row_nums = list(rows) if rows is not None else list(range(2, 2 + len(segments)))
    problems: list[DataProblem] = []
    if "start" not in segments.columns or "end" not in segments.columns:
        return problems
    start = segments["start"].astype("Int64")
    end = segments["end"].astype("Int64")
    has = (start.notna() & end.notna()).to_numpy()
    if not has.any():
        return problems
    excerpt = segments["text"].astype("str") if "text" in segments.columns else None
    if excerpt is not None:
        lengths = excerpt.str.len().to_numpy()
        width = (end - start).to_numpy(dtype="float64", na_value=np.nan)
        judged = has & (lengths >= 12)
        short = judged & (width < lengths * _PARAGRAPH_RATIO)
        if judged.sum() and short.sum() * 2 >= judged.sum():
            k = int(np.flatnonzero(short)[0])
            warnings.warn(f"{where or '<segments>'}: columns {names['start']!r}/{names['end']!r} look like "
                          f"paragraph or line numbers, not character positions: in {int(short.sum())} of "
                          f"{int(judged.sum())} rows the span is far shorter than the excerpt (row "
                          f"{row_nums[k]}: {int(start.iloc[k])}-{int(end.iloc[k])} for {int(lengths[k])} "
                          "characters). Positions are read as characters counted from 0; export character "
                          "positions, or leave the columns out", DataWarning, stacklevel=3)
    if texts is None:
        return problems
    differ: list[int] = []
    src = segments["source_id"].astype("str").tolist()
    for k in np.flatnonzero(has):
        text = texts.get(src[k])
        if text is None:
            continue
        s, e = int(start.iloc[k]), int(end.iloc[k])
        if not 0 <= s <= e <= len(text):
            column = names["end"] if s <= len(text) else names["start"]
            problems.append(DataProblem(where, row_nums[k], column,
                                        f"span {s}-{e} is outside the text of {src[k]!r} (0-{len(text)} "
                                        "characters)"))
        elif excerpt is not None and text[s:e] != excerpt.iloc[k]:
            differ.append(row_nums[k])
    if differ:
        warnings.warn(f"{where or '<segments>'}: in {len(differ)} row(s) the span does not hold the excerpt "
                      f"(first: row {differ[0]}); the excerpt is kept as written", DataWarning, stacklevel=3)
    return problems


__all__ = ["ALIASES", "FORMATS", "REQUIRED", "TAGUETTE", "check_positions", "detect_format",
           "normalise_code_path", "read_coded_segments"]

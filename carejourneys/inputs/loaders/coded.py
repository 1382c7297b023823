"""Coding exports in CSV or XLSX (one row per coded excerpt) -> the segments frame of ``read_qdpx``.

Two layouts are recognised (``format="auto"`` tells them apart by their headers):

* **Taguette** highlights export: ``id, document, tag, content`` (one row per highlight and tag; the
  content may carry HTML markup, which is removed). Highlight ids repeat when a highlight has several
  tags; each row then gets ``segment_id`` ``<id>:<n>``.
* **generic long format** (documented here; headers are matched case-insensitively, spaces and
  hyphens counting as ``_``):

  ============== ====================================================== =========
  column         also accepted as                                       required
  ============== ====================================================== =========
  source_id      document, source, file, transcript, doc, document_name yes
  code_path      code, tag, node, codes, node_path, hierarchical_name   yes
  text           content, excerpt, quote, coded_text, reference_text,   yes
                 segment_text, selection
  segment_id     id, highlight_id, segment, quotation_id                no (row based when absent)
  start, end     start_position/end_position, begin/finish              no (together)
  coder          user, coded_by, owner, author                          no
  theme          (top level of code_path when absent)                   no
  site, speaker_id (speaker, participant, case), role, seniority, wave, date     no
  ============== ====================================================== =========

  Code paths may be written with "/", "::" (ATLAS.ti), " > " or "\\" (NVivo, whose leading ``Nodes\\``
  or ``Codes\\`` is dropped); they are returned with "/".

Problems (missing columns, empty source, code or text, positions that are not whole numbers or end
before they start, waves that are not numbers, dates that do not parse) are reported together in one
:class:`DataError`, each naming the row (header = row 1) and the column as written in the file.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pandas as pd

from carejourneys.errors import DataError, DataProblem
from carejourneys.inputs.loaders.tabular import normalise_header, read_table
from carejourneys.inputs.schemas import CODE_SEPARATOR

ALIASES: dict[str, tuple[str, ...]] = {
    "source_id": ("source_id", "document", "source", "file", "transcript", "doc", "document_name",
                  "source_name", "file_name"),
    "code_path": ("code_path", "code", "tag", "node", "codes", "node_path", "hierarchical_name", "code_name"),
    "text": ("text", "content", "excerpt", "quote", "coded_text", "reference_text", "segment_text",
             "selection", "quotation"),
    "segment_id": ("segment_id", "id", "highlight_id", "segment", "quotation_id", "reference_id"),
    "start": ("start", "start_position", "begin", "startposition"),
    "end": ("end", "end_position", "finish", "endposition"),
    "coder": ("coder", "user", "coded_by", "owner", "author", "coder_id"),
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
_TAG = re.compile(r"<[^>]{0,500}>")


#: start/end/wave values at or above this are not positions (and would overflow a 64-bit integer)
_MAX_POSITION = 2**53


def _strip_html(s: str) -> str:
    if "<" not in s and "&" not in s:
        return s
    s = re.sub(r"<br\s*/?>|</p>", "\n", s, flags=re.IGNORECASE)
    return html.unescape(_TAG.sub("", s)).strip()


def normalise_code_path(code: str) -> str:
    """A code path from any tool with "/" between levels."""
    c = code.strip()
    if "\\" in c:
        parts = [p for p in c.split("\\") if p.strip()]
        if parts and parts[0].strip().lower() in ("nodes", "codes"):
            parts = parts[1:]
        c = CODE_SEPARATOR.join(p.strip() for p in parts)
    for sep in ("::", " > "):
        if sep in c:
            c = CODE_SEPARATOR.join(p.strip() for p in c.split(sep))
    return c


def _detect(headers: list[str]) -> str:
    norm = {normalise_header(h) for h in headers}
    return "taguette" if set(TAGUETTE) <= norm else "generic"


def _read_export(path: Path, sheet: str | None) -> pd.DataFrame:
    """The export's cells; in a workbook of several sheets, the first sheet headed like a coding export."""
    if sheet is not None or path.suffix.lower() not in (".xlsx", ".xlsm"):
        return read_table(path, sheet=sheet)
    try:
        return read_table(path, columns=REQUIRED)
    except DataError as first:
        try:
            return read_table(path, columns=TAGUETTE)
        except DataError:
            raise first from None


def read_coded_segments(path: str | Path, *, format: str = "auto", sheet: str | None = None) -> pd.DataFrame:
    """Read a coding export (CSV or XLSX) into a segments frame.

    Args:
        path: the export file.
        format: "auto", "taguette" or "generic" (see the module docstring).
        sheet: for a workbook, the sheet to read (default: the only sheet, or the first with the columns).

    Returns one row per coded excerpt with ``segment_id``, ``source_id``, ``code_path``, ``theme``,
    ``text``, ``start``/``end`` (nullable integers, code points), ``coder`` and any of ``site``,
    ``speaker_id``, ``role``, ``seniority``, ``wave``, ``date`` present; other columns are kept after
    them. ``frame.attrs["format"]`` says which layout was read.
    """
    path = Path(path)
    if format not in ("auto", "taguette", "generic"):
        raise ValueError("format must be auto, taguette or generic")
    raw = _read_export(path, sheet)
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
    rows = raw.index.to_numpy()
    out = pd.DataFrame(index=raw.index)
    for target, header in mapping.items():
        out[target] = raw[header].astype("str").str.strip()
    extras = [h for h in headers if h not in mapping.values() and h != ""]

    def bad(mask: pd.Series, column: str, message) -> None:
        for r in rows[mask.to_numpy()][:200]:
            value = out.at[r, column]
            problems.append(DataProblem(str(path), int(r), mapping[column],
                                        message(value) if callable(message) else message))

    if fmt == "taguette":
        out["text"] = out["text"].map(_strip_html)
    for col in REQUIRED:
        bad(out[col] == "", col, f"empty {col.replace('_', ' ')}")
    out["code_path"] = out["code_path"].map(normalise_code_path)
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
        # a date has digits: pandas would otherwise read the words "now" and "today" as the clock's time
        dated = out["date"].where(out["date"].str.contains(r"\d", regex=True), "not a date")
        dated = dated.replace("", None)
        # year first (2021-03-04) is ISO 8601; anything else is read day first (04/03/2021)
        iso = dated.str.match(r"\s*\d{4}-\d{1,2}-\d{1,2}", na=False)
        d_iso = pd.to_datetime(dated.where(iso, None), errors="coerce", format="ISO8601")
        d_other = pd.to_datetime(dated.where(~iso, None), errors="coerce", format="mixed", dayfirst=True)
        d = d_iso.where(iso, d_other)
        # the contract holds dates as datetime64[ns]: years 1678-2261 (a year such as 21 is a typing slip)
        lo, hi = pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D")
        d = d.where(d.isna() | ((d >= lo) & (d <= hi)))
        bad(d.isna() & (out["date"] != ""), "date", lambda v: f"{v!r} is not a date (or not one of years "
                                                              f"{lo.year + 1}-{hi.year - 1})")
        out["date"] = d.astype("datetime64[ns]")
    if problems:
        raise DataError.from_problems(problems)
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
        out["theme"] = out["code_path"].str.split(CODE_SEPARATOR, n=1).str[0]
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
            out[name] = raw[h].astype("str")
    first = ["segment_id", "source_id", "code_path", "theme", "text", "start", "end", "coder"]
    known = [c for c in ("site", "speaker_id", "role", "seniority", "wave", "date") if c in out.columns]
    out = out[first + known + [c for c in out.columns if c not in first and c not in known]]
    out = out.reset_index(drop=True)
    out.attrs["format"] = fmt
    out.attrs["path"] = str(path)
    return out

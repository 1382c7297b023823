"""Councils' names and regions from the public extract's ``areas.csv``, read without pandas.

    council("E06000001")        # -> Council("E06000001", "805", "Hartlepool", "North East"), or None
    council_label("330")        # -> "Birmingham (330)"; an unknown code -> "Local authority <code>"

Light on purpose: the site index uses it on every build, including a no-change rebuild that must not
import pandas, so this module imports only the standard library. :func:`read_areas` is the one reader
of ``areas.csv`` (:func:`carejourneys.inputs.public.load_public` builds its frame from it). The folder
is :func:`carejourneys.config.public_dir` (``$CAREJOURNEYS_PUBLIC``, else ``data/public``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from carejourneys import config
from carejourneys.errors import DataError

AREAS_FILE = "areas.csv"
#: the columns of ``areas.csv``, in the order the extract writes them
AREA_COLUMNS = ("geographic_level", "area_code", "old_la_code", "name", "region_code", "region_name")
COUNCIL_LEVEL = "Local authority"


@dataclass(frozen=True)
class Council:
    code: str  # the code asked for (new or old form)
    old_code: str
    name: str
    region: str  # "" when the extract gives none


#: the last areas.csv read: (path, mtime, size) -> (its rows, its councils by code)
_CACHE: dict[tuple[str, int, int], tuple[list[dict[str, str]], dict[str, Council]]] = {}


def _read(data_dir: str | Path | None) -> tuple[list[dict[str, str]], dict[str, Council]]:
    path = config.public_dir(data_dir) / AREAS_FILE
    try:
        st = path.stat()
    except OSError:
        raise DataError("public extract file not found; make it with `make public`", path=path) from None
    key = (str(path), st.st_mtime_ns, st.st_size)
    if key not in _CACHE:
        try:
            with path.open(encoding="utf-8", newline="") as f:
                reader = csv.DictReader(f)
                rows = [{c: (row.get(c) or "") for c in AREA_COLUMNS} for row in reader]
                header = reader.fieldnames or []
        except (OSError, UnicodeDecodeError, csv.Error) as e:
            raise DataError(f"cannot be read as UTF-8 CSV: {e}", path=path) from None
        missing = [c for c in AREA_COLUMNS if c not in header]
        if missing:
            raise DataError(f"missing column {missing[0]!r} (found: {', '.join(header) or 'none'})",
                            path=path, row=1, column=missing[0])
        _CACHE.clear()
        _CACHE[key] = (rows, _councils(rows))
    return _CACHE[key]


def _councils(rows: list[dict[str, str]]) -> dict[str, Council]:
    found: dict[str, Council] = {}
    for row in rows:
        if row["geographic_level"].strip() != COUNCIL_LEVEL:
            continue
        name = row["name"].strip()
        new, old = row["area_code"].strip(), row["old_la_code"].strip()
        if not name or "/" in new or "/" in old:
            continue
        region = row["region_name"].strip()
        for code in (new, old):
            if code and code not in found:
                found[code] = Council(code, old, name, region)
    return found


def read_areas(data_dir: str | Path | None = None) -> list[dict[str, str]]:
    """Every row of ``areas.csv`` (England, the regions, every council) as text, one dict per row with
    the keys :data:`AREA_COLUMNS` (an empty cell is ``""``). A missing or unreadable file, or one
    lacking a column, is a :class:`DataError`."""
    return _read(data_dir)[0]


def councils(data_dir: str | Path | None = None) -> dict[str, Council]:
    """Every council of ``areas.csv`` by new code and by old code (empty when the file is missing or
    unreadable). Rows naming two councils at once ("E06000061 / E06000062") are left out; where an
    old code belongs to several rows (a council whose new code changed), the first row is kept."""
    try:
        return _read(data_dir)[1]
    except DataError:
        return {}


def council(code: str, data_dir: str | Path | None = None) -> Council | None:
    """The council with this new or old code, or None when the extract does not know it."""
    return councils(data_dir).get(str(code).strip())


def council_label(code: str, data_dir: str | Path | None = None) -> str:
    """"Hartlepool (E06000001)" for a known code, else "Local authority <code>" (the old label)."""
    c = council(code, data_dir)
    return f"{c.name} ({code})" if c else f"Local authority {code}"

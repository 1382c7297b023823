"""Councils' names and regions from the bundled extract's ``areas.csv``, read without pandas.

    council("E06000001")        # -> Council("E06000001", "805", "Hartlepool", "North East"), or None
    council_label("330")        # -> "Birmingham (330)"; an unknown code -> "Local authority <code>"

Light on purpose: the site index uses it on every build, including a no-change rebuild that must not
import pandas, so this module imports only the standard library. The folder is found the way
:func:`carejourneys.inputs.public.public_dir` finds it (``$CAREJOURNEYS_PUBLIC``, else ``data/public``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from carejourneys import config

#: the bundled extract (the same folder as :data:`carejourneys.inputs.public.PUBLIC_DIR`)
PUBLIC_DIR = config.bundled_public_dir()
AREAS_FILE = "areas.csv"
COUNCIL_LEVEL = "Local authority"


@dataclass(frozen=True)
class Council:
    code: str  # the code asked for (new or old form)
    old_code: str
    name: str
    region: str  # "" when the extract gives none


public_dir = config.public_dir


_CACHE: dict[tuple[str, int, int], dict[str, Council]] = {}


def councils(data_dir: str | Path | None = None) -> dict[str, Council]:
    """Every council of ``areas.csv`` by new code and by old code (empty when the file is missing or
    unreadable). Rows naming two councils at once ("E06000061 / E06000062") are left out; where an
    old code belongs to several rows (a council whose new code changed), the first row is kept."""
    path = public_dir(data_dir) / AREAS_FILE
    try:
        st = path.stat()
    except OSError:
        return {}
    key = (str(path), st.st_mtime_ns, st.st_size)
    if key not in _CACHE:
        found: dict[str, Council] = {}
        try:
            with path.open(encoding="utf-8", newline="") as f:
                for row in csv.DictReader(f):
                    if (row.get("geographic_level") or "").strip() != COUNCIL_LEVEL:
                        continue
                    name = (row.get("name") or "").strip()
                    new, old = (row.get("area_code") or "").strip(), (row.get("old_la_code") or "").strip()
                    if not name or "/" in new or "/" in old:
                        continue
                    region = (row.get("region_name") or "").strip()
                    for code in (new, old):
                        if code and code not in found:
                            found[code] = Council(code, old, name, region)
        except (OSError, UnicodeDecodeError, csv.Error):
            found = {}
        _CACHE.clear()
        _CACHE[key] = found
    return _CACHE[key]


def council(code: str, data_dir: str | Path | None = None) -> Council | None:
    """The council with this new or old code, or None when the extract does not know it."""
    return councils(data_dir).get(str(code).strip())


def council_label(code: str, data_dir: str | Path | None = None) -> str:
    """"Hartlepool (E06000001)" for a known code, else "Local authority <code>" (the old label)."""
    c = council(code, data_dir)
    return f"{c.name} ({code})" if c else f"Local authority {code}"

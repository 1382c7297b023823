"""Deterministic CSV writing for the synthetic replica.

Files are UTF-8 without a byte-order mark, with ``\\n`` line endings, ISO dates (``yyyy-mm-dd``)
and empty cells for missing values, so that the same rows always give the same bytes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path

import numpy as np

from carejourneys.inputs.manifest import atomic_write_bytes
from carejourneys.inputs.schemas import SOURCES


def cell(value: object) -> str:
    """One value as the text written to a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return ""
        return f"{float(value):.1f}"
    # line breaks inside a cell are written as "\n" so that no "\r" ever reaches a file
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def csv_bytes(rows: Iterable[Mapping[str, object]], columns: Sequence[str]) -> bytes:
    """``rows`` (mappings with at least ``columns``) as CSV bytes with a header row."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([cell(r[c]) for c in columns])
    return buf.getvalue().encode("utf-8")


def write_rows(path: Path, rows: Iterable[Mapping[str, object]], columns: Sequence[str]) -> Path:
    atomic_write_bytes(path, csv_bytes(rows, columns))
    return path


def write_source(out_dir: Path, source: str, rows: Iterable[Mapping[str, object]]) -> Path:
    """Write ``rows`` to the file of ``schemas.SOURCES[source]`` with exactly its columns, in order."""
    src = SOURCES[source]
    return write_rows(out_dir / src.filename, rows, src.columns)


def write_text(path: Path, text: str) -> Path:
    atomic_write_bytes(path, text.encode("utf-8"))
    return path


def rng_for(seed: int, stream: str) -> np.random.Generator:
    """An independent generator per named stream, so that modules do not disturb each other."""
    key = [int(seed)] + [ord(ch) for ch in stream]
    return np.random.default_rng(np.random.SeedSequence(key))


def pick(rng: np.random.Generator, options: Sequence, p: Sequence[float] | None = None):
    """One element of ``options`` (any sequence), chosen by ``rng``."""
    return options[int(rng.choice(len(options), p=p))]

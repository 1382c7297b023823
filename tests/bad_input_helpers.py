"""Helpers shared by the bad-input corpora: write a test file, and load it checking it is unchanged."""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from carejourneys.errors import DataWarning


def write_file(tmp_path: Path, data: str | bytes, name: str, encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return p


def digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def load_unchanged(read: Callable[[Path], pd.DataFrame], p: Path) -> pd.DataFrame:
    """``read(p)`` with DataWarnings silenced, asserting that the file's bytes did not change."""
    before = digest(p)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        out = read(p)
    assert digest(p) == before
    return out

"""Small helpers shared by the metric modules."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from carejourneys.errors import DataError


def require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise :class:`DataError` naming the first missing column when ``frame`` lacks any of ``columns``."""
    columns = list(columns)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"{what} lacks column(s) {', '.join(missing)}; expected {', '.join(columns)}",
                        column=missing[0])

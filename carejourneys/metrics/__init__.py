"""Metrics: pure functions from validated frames to tidy result tables.

Submodules (imported on first use): evidence, qualitative, themes, outcomes, surveys, triangulation,
participation, timeline, rubric, governance, indicators.
"""

from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    try:
        return importlib.import_module(f".{name}", __name__)
    except ModuleNotFoundError as e:
        if e.name == f"{__name__}.{name}":
            raise AttributeError(f"module 'carejourneys.metrics' has no attribute {name!r}") from None
        raise

"""carejourneys: reproducible per-site analyses of the Care Journeys evaluation.

    import carejourneys as cj
    ds = cj.load_dataset(site="plymouth")      # bundled synthetic replica unless told otherwise

Submodules are imported on first use so that ``import carejourneys`` stays quick.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import sites
from .errors import DataError, DataProblem, DataWarning

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "DataError",
    "DataProblem",
    "DataWarning",
    "load_dataset",
    "sites",
    "schemas",
    "loaders",
    "measures",
    "metrics",
    "disclosure",
    "report",
    "plots",
    "build",
    "synthetic",
]

_LAZY_MODULES = {"schemas", "loaders", "measures", "metrics", "disclosure", "report", "plots", "build",
                 "synthetic", "dataset", "manifest", "validate", "public"}

if TYPE_CHECKING:  # pragma: no cover
    from .dataset import load_dataset


def __getattr__(name: str) -> Any:
    if name in _LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name == "load_dataset":
        from .dataset import load_dataset

        return load_dataset
    raise AttributeError(f"module 'carejourneys' has no attribute {name!r}")

"""carejourneys: reproducible per-site analyses of the Care Journeys evaluation.

    import carejourneys as cj
    ds = cj.load_dataset(site="plymouth")      # bundled synthetic replica unless told otherwise

Submodules are imported on first use so that ``import carejourneys`` stays quick.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from carejourneys import sites
from carejourneys.errors import DataError, DataProblem, DataWarning

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

#: public names -> the module that holds them (the layers: inputs, metrics, sdc, render, publish)
_LAZY_MODULES = {
    "config": "carejourneys.config",
    "measures": "carejourneys.measures",
    "metrics": "carejourneys.metrics",
    "schemas": "carejourneys.inputs.schemas",
    "loaders": "carejourneys.inputs.loaders",
    "synthetic": "carejourneys.inputs.synthetic",
    "dataset": "carejourneys.inputs.dataset",
    "manifest": "carejourneys.inputs.manifest",
    "validate": "carejourneys.inputs.validate",
    "public": "carejourneys.inputs.public",
    "disclosure": "carejourneys.sdc.disclosure",
    "report": "carejourneys.render.report",
    "plots": "carejourneys.render.plots",
    "build": "carejourneys.publish.build",
}

if TYPE_CHECKING:  # pragma: no cover
    from carejourneys.inputs.dataset import load_dataset


def __getattr__(name: str) -> Any:
    if name in _LAZY_MODULES:
        return importlib.import_module(_LAZY_MODULES[name])
    if name == "load_dataset":
        from carejourneys.inputs.dataset import load_dataset

        return load_dataset
    raise AttributeError(f"module 'carejourneys' has no attribute {name!r}")

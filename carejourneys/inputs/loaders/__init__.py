"""Loaders: one module per source family, each returning validated, tidy DataFrames.

    read_table / read_source      CSV and XLSX files of the data contract   (loaders.tabular)
    read_qdpx, write_qdpx         REFI-QDA projects                          (loaders.qdpx)
    read_coded_segments           CSV/XLSX coding exports (Taguette, NVivo, generic)  (loaders.coded)
    read_taguette                 Taguette's project database (.sqlite3)     (loaders.taguette)
    read_qdc                      REFI-QDA codebooks (.qdc)                  (loaders.qdc)
    split_code_path, join_code_path   code paths whose names may hold "/"    (loaders.codepaths)
    read_oc3, oc3_indicators      SSDA903 care leaver returns                (loaders.oc3)
    read_dfe_care_leavers         official DfE care leaver statistics        (loaders.dfe)
    read_statistical_neighbours, read_workforce, read_ofsted   other official files   (loaders.dfe)

Names are imported from their modules on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "read_table": "tabular",
    "read_source": "tabular",
    "parse_columns": "tabular",
    "match_columns": "tabular",
    "check_frame": "tabular",
    "normalise_header": "tabular",
    "read_qdpx": "qdpx",
    "write_qdpx": "qdpx",
    "write_site_projects": "qdpx",
    "QdaProject": "qdpx",
    "read_coded_segments": "coded",
    "check_positions": "coded",
    "read_taguette": "taguette",
    "TaguetteProject": "taguette",
    "read_qdc": "qdc",
    "Codebook": "qdc",
    "split_code_path": "codepaths",
    "join_code_path": "codepaths",
    "read_oc3": "oc3",
    "oc3_indicators": "oc3",
    "oc3_problems": "oc3",
    "read_dfe_care_leavers": "dfe",
    "read_statistical_neighbours": "dfe",
    "read_workforce": "dfe",
    "read_ofsted": "dfe",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    mod = _WHERE.get(name)
    if mod is None:
        raise AttributeError(f"module 'carejourneys.inputs.loaders' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{mod}", __name__), name)

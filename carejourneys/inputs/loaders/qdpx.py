"""REFI-QDA projects: :func:`read_qdpx` (any tool's ``.qdpx``/``.qde``) and :func:`write_qdpx` (standard).

    proj = read_qdpx("plymouth.qdpx")      # -> QdaProject(codes, sources, cases, segments, positions)
    proj.segments                          # one row per coded selection, contract columns first
    write_qdpx("out.qdpx", segments, texts)
    write_site_projects("data/synthetic", segments, texts)   # brent.qdpx, plymouth.qdpx, ...

Reading lives in :mod:`.qdpx_read`, writing in :mod:`.qdpx_write`.
"""

from __future__ import annotations

from carejourneys.inputs.loaders.qdpx_read import (
           DEFAULT_LIMITS,
           POLICIES,
           Limits,
           QdaProject,
           guess_policy,
           read_qdpx,
)
from carejourneys.inputs.loaders.qdpx_write import build_qde, write_qdpx, write_site_projects

__all__ = ["DEFAULT_LIMITS", "POLICIES", "Limits", "QdaProject", "build_qde", "guess_policy", "read_qdpx",
           "write_qdpx", "write_site_projects"]

"""A report notebook written by a test: the build's tests all need one."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

PARAMS = 'site = "plymouth"\ndata_dir = None\ndisclosure_threshold = 5'


def write_notebook(folder: Path, name: str, cells: list[str], *, sites=("brent", "plymouth"), params=PARAMS,
                   **meta) -> Path:
    """``folder/name.ipynb``: a heading, the ``parameters`` cell (``params``), then ``cells``;
    its ``carejourneys`` metadata declares ``sites`` (and ``meta``). Cell ids are ``name-0``
    (the heading), ``name-1`` (the parameters), ``name-2``... (``cells``)."""
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["carejourneys"] = {"title": f"Report {name}", "sites": list(sites), **meta}
    p = new_code_cell(params)
    p.metadata["tags"] = ["parameters"]
    nb.cells = [new_markdown_cell(f"# Heading of {name}"), p, *[new_code_cell(c) for c in cells]]
    for i, c in enumerate(nb.cells):
        c["id"] = f"{name}-{i}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path

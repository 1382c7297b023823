"""``carejourneys validate [DIR | FILE]``: list every problem of a dataset (or one file), grouped by file.

:func:`validate_dataset` checks the manifest (missing, changed and unlisted files), then reads
every source for every site (all rows of every file, care leaver returns and QDPX projects
included) without stopping at the first bad file. :func:`print_report` prints the result.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import TextIO

from carejourneys import sites
from carejourneys.errors import DataProblem, ManifestError
from carejourneys.inputs import manifest as manifest_mod
from carejourneys.inputs import schemas
from carejourneys.inputs.dataset import read_sources, register_sites, resolve_data_dir


def validate_dataset(data_dir: str | Path | None = None) -> list[DataProblem]:
    """Every problem in the dataset at ``data_dir`` (default as for ``load_dataset``); [] when none."""
    root = resolve_data_dir(data_dir)
    if not root.exists():
        return [DataProblem(str(root), None, None, "dataset folder not found")]
    if not root.is_dir():
        return [DataProblem(str(root), None, None, "not a folder: expected a dataset folder")]
    problems = manifest_mod.check_manifest(root)
    try:
        register_sites(root)
    except ManifestError as e:  # not readable, or a declared site is not a site: checked without them
        problems += [p for p in e.problems if p not in problems]
    _, _, file_problems = read_sources(root, sites.ALL)
    seen = set(problems)
    problems += [p for p in file_problems if p not in seen]
    return problems


def print_report(problems: list[DataProblem], data_dir: str | Path | None = None,
                 stream: TextIO | None = None) -> None:
    """Print ``problems`` grouped by file (with a count per file), or that there are none."""
    stream = stream if stream is not None else sys.stdout
    root = resolve_data_dir(data_dir)
    if root.is_file():
        if not problems:
            print(f"no problems found in {root}", file=stream)
            return
        root = root.parent
    if not problems:
        n = len(manifest_mod.folder_files(root)) if root.is_dir() else 0
        print(f"no problems found in {root} ({n} file{'s' if n != 1 else ''})", file=stream)
        return
    groups: dict[str, list[DataProblem]] = defaultdict(list)
    for p in problems:
        groups[_label(p.path, root)].append(p)
    total = len(problems)
    print(f"{total} problem{'s' if total != 1 else ''} in {len(groups)} file{'s' if len(groups) != 1 else ''}"
          f" of {root}:", file=stream)
    for label, items in groups.items():
        print(f"\n{label} ({len(items)} problem{'s' if len(items) != 1 else ''})", file=stream)
        for p in items:
            where = []
            if p.row is not None:
                where.append(f"row {p.row}")
            if p.column is not None:
                where.append(f"column {p.column!r}")
            prefix = f"{', '.join(where)}: " if where else ""
            print(f"  {prefix}{p.message}", file=stream)


def _label(path: str | None, root: Path) -> str:
    if not path:
        return "<dataset>"
    try:
        rel = Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path
    return path if rel == "." else rel


def source_of_file(path: Path) -> str | None:
    """The data-contract source a file name stands for (``oc3`` for ``oc3_2023.csv``), or None."""
    stem = path.stem.lower()
    if path.suffix.lower() in (".qdpx", ".qde"):
        return "coded_segments"
    if stem.startswith("oc3"):
        return "oc3"
    for name, src in schemas.SOURCES.items():
        if Path(src.filename).stem == stem:
            return name
    return None


#: what :func:`coding_format` returns, and the reader each stands for
CODING_FORMATS = {
    "qdpx": "a REFI-QDA project (read_qdpx)",
    "qdc": "a REFI-QDA codebook (read_qdc)",
    "taguette_sqlite": "a Taguette project database (read_taguette)",
    "taguette": "a Taguette highlights export (read_coded_segments)",
    "generic": "a coding export in the generic long format (read_coded_segments)",
}


def coding_format(path: str | Path, source: str | None = None) -> str | None:
    """Which coding format ``path`` holds (a key of :data:`CODING_FORMATS`), or None.

    By suffix: ``.qdpx``/``.qde`` and ``.qdc``; by content: an SQLite database (Taguette's project
    export); by header row, for a CSV or XLSX file whose name is not that of another source:
    Taguette's ``id, document, tag, content`` or the generic long format. A file with every column
    of the contract's ``coded_segments`` is left to the contract's own check (None).
    """
    from carejourneys.errors import DataError
    from carejourneys.inputs.loaders.coded import detect_format
    from carejourneys.inputs.loaders.tabular import normalise_header, read_table
    from carejourneys.inputs.loaders.taguette import is_sqlite

    path = Path(path)
    suffix = path.suffix.lower()
    if source not in (None, "coded_segments") or not path.is_file():
        return None
    if suffix in (".qdpx", ".qde"):
        return "qdpx"
    if suffix == ".qdc":
        return "qdc"
    if is_sqlite(path):
        return "taguette_sqlite"
    named = source or source_of_file(path)
    if named not in (None, "coded_segments") or suffix not in (".csv", ".txt", ".tsv", ".xlsx", ".xlsm"):
        return None
    try:
        fmt = detect_format(path)
        if fmt is not None and named == "coded_segments":
            header = {normalise_header(h) for h in read_table(path).columns}
            if set(schemas.SOURCES["coded_segments"].columns) <= header:
                return None
    except DataError:
        return None
    return fmt


def _coding_problems(path: Path, fmt: str) -> list[DataProblem]:
    """Every problem found reading ``path`` as coding format ``fmt``."""
    from carejourneys.errors import DataError

    try:
        if fmt == "qdpx":
            from carejourneys.inputs.loaders.qdpx import read_qdpx

            read_qdpx(path)
        elif fmt == "qdc":
            from carejourneys.inputs.loaders.qdc import read_qdc

            read_qdc(path)
        elif fmt == "taguette_sqlite":
            from carejourneys.inputs.loaders.taguette import read_taguette

            read_taguette(path)
        else:
            from carejourneys.inputs.loaders.coded import read_coded_segments

            read_coded_segments(path, format=fmt)
    except DataError as e:
        return list(e.problems)
    return []


def validate_file(path: str | Path, source: str | None = None, year: int | None = None) -> list[DataProblem]:
    """Every problem in one file: a source of the data contract, an OC3 return, or coded qualitative data.

    Coded data is recognised in every format a loader reads (:func:`coding_format`): REFI-QDA
    projects and codebooks, Taguette's project database and highlights exports (CSV/XLSX), and the
    generic long format; its problems name file, row and column as the loader reports them, and
    what the loader warns about (merged repeats, formulas, dotted tag names) is issued as warnings.
    ``source`` defaults to the one the file name stands for (:func:`source_of_file`); an OC3 return
    needs its collection ``year``, taken from the file name (``oc3_2023.csv``) when not given.
    """
    from carejourneys.errors import DataError

    path = Path(path)
    fmt = coding_format(path, source)
    if fmt is not None:
        return _coding_problems(path, fmt)
    source = source or source_of_file(path)
    if source is None:
        return [DataProblem(str(path), None, None, "cannot tell which source this file holds from its name "
                            f"or header; name one with --source ({', '.join(schemas.SOURCES)}). A coding "
                            "export needs the columns id, document, tag, content (Taguette) or a source, "
                            "a code and a text column (generic)")]
    if source not in schemas.SOURCES:
        return [DataProblem(str(path), None, None, f"unknown source {source!r}; expected one of "
                            f"{', '.join(schemas.SOURCES)}")]
    try:
        if source == "oc3":
            from carejourneys.inputs.loaders.oc3 import oc3_problems

            if year is None:
                found = re.search(r"(20\d\d)", path.stem)
                if not found:
                    return [DataProblem(str(path), None, None, "an OC3 return needs its collection year: "
                                        "give --year or name the file like oc3_2023.csv")]
                year = int(found.group(1))
            return oc3_problems(path, year)
        if path.suffix.lower() in (".qdpx", ".qde"):
            from carejourneys.inputs.loaders.qdpx import read_qdpx

            read_qdpx(path)
            return []
        from carejourneys.inputs.loaders.tabular import read_source

        read_source(source, path)
        return []
    except DataError as e:
        return list(e.problems)

"""REFI-QDA codebooks (``.qdc``, as NVivo, ATLAS.ti, MAXQDA and Taguette export them) -> pandas.

A codebook is XML in the namespace ``urn:QDA-XML:codebook:1.0`` (the standard's ``Codebook.xsd``):
``<CodeBook origin=...><Codes><Code guid name isCodable color>`` with an optional ``<Description>``
and nested ``<Code>`` children, then optional ``<Sets><Set guid name>`` of ``<MemberCode guid>``.
The reader also takes files written without the namespace, or in the project namespace, and
``MemberCode`` pointing by ``targetGUID``.

The hierarchy comes from the nesting of codes, and from ``::`` in names (ATLAS.ti writes
``parent::child`` in a flat list), as in :func:`.qdpx.read_qdpx`; code paths are written as
:mod:`.codepaths` writes them (a "/" inside a name stays in its level). Taguette writes its tags
flat, named by their dotted paths (``barriers.staffing``): pass ``level_separator="."`` to read
those as levels (a warning suggests it when the names look like that); a level named only inside
other names (``barriers``) is added as a code of its own, not codable.

The XML is parsed as the project reader parses it: no DTD, no entities, no network; the file's
size and the number of codes are limited (:class:`.qdpx_container.Limits`).
"""

from __future__ import annotations

import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from carejourneys.errors import DataError, DataWarning
from carejourneys.inputs.loaders.codepaths import join_code_path, looks_dotted
from carejourneys.inputs.loaders.qdpx_container import DEFAULT_LIMITS, Element, Limits, _local, _parse_xml

__all__ = ["CODEBOOK_NAMESPACE", "Codebook", "read_qdc"]

CODEBOOK_NAMESPACE = "urn:QDA-XML:codebook:1.0"
_IMPLIED = uuid.UUID("2b0c8a52-6f1e-5c1d-9a43-7d2e8f0b6c31")
CODE_COLUMNS = ["guid", "name", "code_path", "parent_guid", "depth", "description", "color", "is_codable"]


@dataclass
class Codebook:
    """A REFI-QDA codebook as tidy DataFrames.

    Attributes:
        codes: one row per code, as :attr:`.qdpx.QdaProject.codes`: ``guid``, ``name`` (its last level),
            ``code_path``, ``parent_guid``, ``depth`` (0 at the top), ``description``, ``color``,
            ``is_codable``.
        sets: one row per (set, member code): ``set_guid``, ``set``, ``description``, ``code_guid``,
            ``code_path`` (missing when the member is not a code of the codebook).
        origin, path: the ``origin`` attribute (the tool that wrote it) and where it was read from.
    """

    codes: pd.DataFrame
    sets: pd.DataFrame
    origin: str | None = None
    path: str | None = None

    def code_paths(self) -> list[str]:
        """The code paths in the codebook's order (for ``write_qdpx(codebook=...)``)."""
        return self.codes["code_path"].tolist()

    def __repr__(self) -> str:
        n_sets = self.sets["set_guid"].nunique() if len(self.sets) else 0
        return f"Codebook(origin={self.origin!r}, codes={len(self.codes)}, sets={n_sets})"


def _children(el: Element, name: str) -> list[Element]:
    return [c for c in el if _local(c.tag) == name]


def _child_text(el: Element, name: str) -> str | None:
    for c in el:
        if _local(c.tag) == name:
            return c.text
    return None


def read_qdc(path: str | Path, *, level_separator: str | None = None,
             limits: Limits = DEFAULT_LIMITS) -> Codebook:
    """Read a REFI-QDA codebook (``.qdc``) into a :class:`Codebook`.

    Args:
        path: the codebook file.
        level_separator: read code names as levels split by this string (Taguette's "."); by
            default a name is one level and the hierarchy is the nesting of codes.
        limits: the size limit of the file (``max_member_bytes``) and of the number of codes
            (``max_records``).

    Raises:
        DataError: the file is missing, too large, not well-formed or unsafe XML, or not a codebook
            (its root is not ``<CodeBook>`` or it has no ``<Codes>``).
    """
    path = Path(path)
    if not path.is_file():
        raise DataError("file not found" if not path.exists() else "is a folder, not a file", path=path)
    size = path.stat().st_size
    if size > limits.max_member_bytes:
        raise DataError(f"the codebook is {size} bytes, over the limit of {limits.max_member_bytes}",
                        path=path)
    root = _parse_xml(path.read_bytes(), path, path.name)
    if _local(root.tag) != "CodeBook":
        raise DataError(f"the root element is <{_local(root.tag)}>, expected <CodeBook> (a REFI-QDA "
                        "codebook)", path=path)
    codes_el = [c for c in root if _local(c.tag) == "Codes"]
    if not codes_el:
        raise DataError("the codebook has no <Codes> element", path=path, column="Codes")
    rows: list[dict] = []

    def walk(el: Element, parent: dict | None, parent_levels: list[str]) -> None:
        for c in _children(el, "Code"):
            if len(rows) >= limits.max_records:
                raise DataError(f"the codebook has more than {limits.max_records} codes", path=path)
            name = c.get("name")
            if name is None:
                raise DataError(f"code {c.get('guid')!r} (line {c.sourceline}) has no name", path=path,
                                row=c.sourceline, column="name")
            row = {"guid": (c.get("guid") or "").upper(), "name": name, "levels": [*parent_levels, name],
                   "parent_guid": parent["guid"] if parent else None,
                   "description": _child_text(c, "Description"), "color": c.get("color"),
                   "is_codable": (c.get("isCodable", "true").strip().lower() != "false")}
            rows.append(row)
            walk(c, row, row["levels"])

    walk(codes_el[0], None, [])
    _flat_hierarchy(rows, level_separator, path)
    codes = pd.DataFrame([{k: r[k] for k in CODE_COLUMNS} for r in rows], columns=CODE_COLUMNS)
    by_guid = {r["guid"]: r["code_path"] for r in rows}
    set_rows = []
    for sets in _children(root, "Sets"):
        for s in _children(sets, "Set"):
            members = _children(s, "MemberCode")
            for m in members or [None]:
                g = ((m.get("guid") or m.get("targetGUID") or "") if m is not None else "").upper()
                set_rows.append({"set_guid": (s.get("guid") or "").upper(), "set": s.get("name"),
                                 "description": _child_text(s, "Description"), "code_guid": g or None,
                                 "code_path": by_guid.get(g)})
    sets_frame = pd.DataFrame(set_rows, columns=["set_guid", "set", "description", "code_guid", "code_path"])
    return Codebook(codes=codes, sets=sets_frame, origin=root.get("origin"), path=str(path))


def _flat_hierarchy(rows: list[dict], level_separator: str | None, path: Path) -> None:
    """Levels from ``::`` (ATLAS.ti) or ``level_separator`` in names; code paths and parents, in place."""
    if level_separator is None and all(r["parent_guid"] is None for r in rows):
        dotted = looks_dotted([r["name"] for r in rows])
        if dotted:
            warnings.warn(f"{path}: {len(dotted)} code name(s) look like a hierarchy written with '.' (for "
                          f"example {dotted[0]!r}); they are kept as single names. To read them as levels, "
                          "pass level_separator='.'", DataWarning, stacklevel=3)
    for r in rows:
        name = r["name"]
        split = "::" if "::" in name else level_separator
        if split and split in name:
            parts = [p.strip() for p in name.split(split) if p.strip()]
            if parts:
                r["levels"] = [*r["levels"][:-1], *parts]
                r["name"] = parts[-1]
    by_levels = {tuple(r["levels"]): r for r in rows}
    # levels named only inside other names ("barriers" of "barriers.staffing") become codes of their own
    for r in list(rows):
        levels = tuple(r["levels"])
        for k in range(1, len(levels)):
            if levels[:k] not in by_levels:
                implied = {"guid": str(uuid.uuid5(_IMPLIED, join_code_path(levels[:k]))).upper(),
                           "name": levels[k - 1], "levels": list(levels[:k]), "parent_guid": None,
                           "description": None, "color": None, "is_codable": False}
                by_levels[levels[:k]] = implied
                rows.insert(rows.index(r), implied)
    for r in rows:
        levels = tuple(r["levels"])
        if r["parent_guid"] is None and len(levels) > 1:
            parent = by_levels.get(levels[:-1])
            if parent is not None:
                r["parent_guid"] = parent["guid"]
        r["code_path"] = join_code_path(levels)
        r["depth"] = len(levels) - 1

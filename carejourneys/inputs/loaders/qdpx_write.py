"""Write standard REFI-QDA projects from a segments frame and the texts it was coded on.

The output validates against the official QDA-XML 1.0 schema (``Project.xsd``) and reads back with
:func:`carejourneys.inputs.loaders.read_qdpx` to the same segments. It is byte-identical for the same input:
GUIDs are derived from names (UUID 5), elements are written in a fixed order, and zip entries carry a
fixed timestamp.

Layout of what is written:

* one ``Code`` per code path, nested by "/" (all parents are written, codable); a level whose
  name holds a "/" (written ``%2F`` in the path, see :mod:`.codepaths`) is one ``Code`` of that name;
* one ``TextSource`` per source whose text is given (named by its ``source_id``, whether or not it
  has segments), with the text in ``sources/<guid>.txt`` (UTF-8, LF;
  or inline ``PlainTextContent`` for a bare ``.qde``) and source variables (by default ``site``,
  ``wave``, ``date``) as ``VariableValue``;
* one ``PlainTextSelection`` per segment, named by its ``segment_id``, with positions in code points
  (the standard) and one ``Coding`` by its ``coder``;
* one ``Case`` per speaker (``speaker_id``; the source when it is missing) with case variables (by
  default ``role``, ``seniority``) and a ``SourceRef`` when the case is the only one in a source, or
  ``SelectionRef`` to each of its selections (focus groups).
"""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd

from carejourneys.errors import DataError, DataProblem
from carejourneys.inputs.loaders.codepaths import escape_level, join_code_path, split_code_path
from carejourneys.inputs.loaders.qdpx_read import NAMESPACE
from carejourneys.inputs.manifest import atomic_write_bytes
from carejourneys.inputs.schemas import CODE_SEPARATOR

_NS = uuid.UUID("6f1c3f58-9a1e-5b7b-8d0e-2b1f4a7c9e11")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_VAR_TYPES = {"wave": "Integer", "date": "Date"}


def _guid(kind: str, key: str) -> str:
    return str(uuid.uuid5(_NS, f"{kind}:{key}")).upper()


def _el(parent: ET.Element, tag: str, **attrs: object) -> ET.Element:
    return ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items() if v is not None})


def _missing(v: object) -> bool:
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _value_text(v: object, kind: str) -> str:
    if kind == "Date":
        return pd.Timestamp(v).date().isoformat()
    if kind == "Integer":
        return str(int(v))  # type: ignore[call-overload]
    return str(v)


def _canonical(path: str) -> str:
    """A code path written the one way :func:`.codepaths.join_code_path` writes it."""
    return join_code_path(split_code_path(path))


def _check(segments: pd.DataFrame, texts: Mapping[str, str], where: str) -> list[DataProblem]:
    problems: list[DataProblem] = []
    for col in ("segment_id", "source_id", "code_path", "start", "end"):
        if col not in segments.columns:
            problems.append(DataProblem(where, None, col, "column is required to write a project"))
    if problems:
        return problems
    dup = segments["segment_id"].duplicated(keep=False)
    for i in segments.index[dup][:20]:
        problems.append(DataProblem(where, None, "segment_id",
                                    f"segment_id {segments.at[i, 'segment_id']!r} is not unique"))
    has_text = "text" in segments.columns
    for pos, r in enumerate(segments.itertuples(index=False)):
        row = pos + 2
        src = r.source_id
        if src not in texts:
            problems.append(DataProblem(where, row, "source_id", f"no text given for source {src!r}"))
            continue
        if _missing(r.code_path) or not str(r.code_path).strip():
            problems.append(DataProblem(where, row, "code_path", "code path is empty"))
        try:
            s, e = int(r.start), int(r.end)
        except (TypeError, ValueError):
            problems.append(DataProblem(where, row, "start", "start and end must be integers"))
            continue
        n = len(texts[src])
        if not 0 <= s <= e <= n:
            problems.append(DataProblem(where, row, "start",
                                        f"selection {s}-{e} is outside the text of {src!r} (0-{n})"))
        elif has_text and not _missing(r.text) and texts[src][s:e] != r.text:
            problems.append(DataProblem(where, row, "text",
                                        f"text differs from characters {s}-{e} of source {src!r}"))
    return problems


def build_qde(segments: pd.DataFrame, texts: Mapping[str, str], *, codebook: Iterable[str] | None = None,
              project_name: str = "carejourneys project", origin: str | None = None,
              case_column: str = "speaker_id", case_variables: Sequence[str] = ("role", "seniority"),
              source_variables: Sequence[str] = ("site", "wave", "date"),
              inline_text: bool = False) -> tuple[bytes, dict[str, bytes]]:
    """The project XML and the source files (archive name -> bytes) for :func:`write_qdpx`."""
    from carejourneys import __version__
    origin = origin or f"carejourneys {__version__}"
    segs = segments.reset_index(drop=True)
    problems = _check(segs, texts, "<segments>")
    if problems:
        raise DataError.from_problems(problems)
    # a fixed order, so that the same segments always give the same bytes
    segs = segs.sort_values(["source_id", "start", "end", "segment_id"], kind="stable").reset_index(drop=True)
    root = ET.Element("Project", {"xmlns": NAMESPACE, "name": project_name, "origin": origin})
    # users
    coders = sorted({str(c) for c in segs["coder"].dropna()}) if "coder" in segs.columns else []
    users = _el(root, "Users")
    user_guid = {c: _guid("user", c) for c in coders}
    if not coders:
        _el(users, "User", guid=_guid("user", origin), name=origin)
    for c in coders:
        _el(users, "User", guid=user_guid[c], name=c)
    # codebook
    paths: list[str] = [_canonical(p) for p in codebook] if codebook is not None else []
    known = set(paths)
    paths += sorted(p for p in set(segs["code_path"].astype(str).map(_canonical)) if p not in known)
    tree: dict[str, dict] = {}
    for p in paths:
        node = tree
        for part in split_code_path(p):
            node = node.setdefault(part, {})
    codes_el = _el(_el(root, "CodeBook"), "Codes")

    def add_codes(parent: ET.Element, node: dict, prefix: str) -> None:
        for name, children in node.items():
            path = f"{prefix}{CODE_SEPARATOR}{escape_level(name)}" if prefix else escape_level(name)
            c = _el(parent, "Code", guid=_guid("code", path), name=name, isCodable="true")
            add_codes(c, children, path)

    add_codes(codes_el, tree, "")
    # variables
    case_vars = [v for v in case_variables if v in segs.columns]
    src_vars = [v for v in source_variables if v in segs.columns]
    all_vars = list(dict.fromkeys([*case_vars, *src_vars]))
    var_guid = {v: _guid("variable", v) for v in all_vars}
    if all_vars:
        vars_el = _el(root, "Variables")
        for v in all_vars:
            _el(vars_el, "Variable", guid=var_guid[v], name=v, typeOfVariable=_VAR_TYPES.get(v, "Text"))

    def add_values(parent: ET.Element, values: Mapping[str, object]) -> None:
        for v, val in values.items():
            if _missing(val):
                continue
            vv = _el(parent, "VariableValue")
            _el(vv, "VariableRef", targetGUID=var_guid[v])
            kind = _VAR_TYPES.get(v, "Text")
            ET.SubElement(vv, f"{kind}Value").text = _value_text(val, kind)

    # cases
    if case_column in segs.columns:
        case_key = segs[case_column].astype("object").where(segs[case_column].notna(), segs["source_id"])
    else:
        case_key = segs["source_id"].astype("object")
    case_key = case_key.astype(str)
    sel_guid = segs["segment_id"].astype(str).map(lambda s: _guid("selection", s))
    # every source whose text is given, coded or not
    src_guid = {s: _guid("source", str(s)) for s in sorted(set(segs["source_id"]) | set(texts))}
    cases_in_source = pd.Series(case_key.values).groupby(segs["source_id"].values).nunique()
    if case_vars or case_column in segs.columns:
        cases_el = _el(root, "Cases")
        for key, rows in segs.groupby(case_key, sort=True):
            c = _el(cases_el, "Case", guid=_guid("case", key), name=key)
            add_values(c, {v: rows[v].dropna().iloc[0] if rows[v].notna().any() else None for v in case_vars})
            sources = sorted(set(rows["source_id"]))
            whole = [s for s in sources if cases_in_source[s] == 1]
            for s in whole:
                _el(c, "SourceRef", targetGUID=src_guid[s])
            for i in rows.index:
                if rows.at[i, "source_id"] not in whole:
                    _el(c, "SelectionRef", targetGUID=sel_guid[i])
    # sources
    sources_el = _el(root, "Sources")
    files: dict[str, bytes] = {}
    by_source = dict(list(segs.groupby("source_id", sort=True)))
    for s in sorted(src_guid):
        rows = by_source.get(s, segs.iloc[:0])  # already in (start, end, segment_id) order
        g = src_guid[s]
        attrs = {"guid": g, "name": s}
        if not inline_text:
            attrs["plainTextPath"] = f"internal://{g}.txt"
            files[f"sources/{g}.txt"] = texts[s].encode("utf-8")
        src_el = _el(sources_el, "TextSource", **attrs)
        if inline_text:
            ET.SubElement(src_el, "PlainTextContent").text = texts[s]
        for i, r in zip(rows.index, rows.itertuples(index=False), strict=True):
            coder = getattr(r, "coder", None)
            ug = user_guid.get(str(coder)) if not _missing(coder) else None
            sel = _el(src_el, "PlainTextSelection", guid=sel_guid[i], name=r.segment_id,
                      startPosition=int(r.start), endPosition=int(r.end), creatingUser=ug)
            cod = _el(sel, "Coding", guid=_guid("coding", str(r.segment_id)), creatingUser=ug)
            _el(cod, "CodeRef", targetGUID=_guid("code", _canonical(str(r.code_path))))
        first = {v: rows[v].dropna().iloc[0] if rows[v].notna().any() else None for v in src_vars}
        add_values(src_el, first)
    ET.indent(root, space=" ")
    xml = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml, files


def write_qdpx(path: str | Path, segments: pd.DataFrame, texts: Mapping[str, str], *,
               codebook: Iterable[str] | None = None, project_name: str = "carejourneys project",
               origin: str | None = None, case_column: str = "speaker_id",
               case_variables: Sequence[str] = ("role", "seniority"),
               source_variables: Sequence[str] = ("site", "wave", "date")) -> Path:
    """Write ``segments`` coded on ``texts`` as a standard REFI-QDA project.

    Args:
        path: ``*.qdpx`` for an archive (``project.qde`` plus ``sources/``); ``*.qde`` for a bare XML
            file with the texts inline as ``PlainTextContent``.
        segments: one row per coded segment with at least ``segment_id`` (unique), ``source_id``,
            ``code_path`` ("/"-separated), ``start`` and ``end`` (code points over the text, end
            exclusive); optional ``text`` (checked against the source text), ``coder``, the case column
            and case/source variables. Shaped like ``schemas.SOURCES["coded_segments"]``.
        texts: the full plain text of every source, keyed by ``source_id`` (LF line endings); every
            source given is written, including those without segments.
        codebook: code paths to write even when unused (for example ``schemas.code_paths()``), in order.
        case_column: column naming the person a segment is from; one ``Case`` each.
        case_variables / source_variables: columns written as variables of cases / of sources.

    Returns the path written. Raises :class:`DataError` listing every segment that does not fit its text.
    """
    path = Path(path)
    inline = path.suffix.lower() == ".qde"
    xml, files = build_qde(segments, texts, codebook=codebook, project_name=project_name, origin=origin,
                           case_column=case_column, case_variables=case_variables,
                           source_variables=source_variables, inline_text=inline)
    if inline:
        atomic_write_bytes(path, xml)
        return path
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in [("project.qde", xml), *sorted(files.items())]:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    atomic_write_bytes(path, buf.getvalue())
    return path


def write_site_projects(out_dir: str | Path, segments: pd.DataFrame, texts: Mapping[str, str], *,
                        sites: Sequence[str] | None = None, codebook: Iterable[str] | None = None,
                        name: str = "Care Journeys evaluation") -> list[Path]:
    """Write one ``<site>.qdpx`` per site into ``out_dir`` from a segments frame with a ``site`` column.

    ``sites`` defaults to every site in the frame, sorted; ``codebook`` defaults to
    ``schemas.code_paths()``; each project holds only its site's segments and the texts they need.
    Returns the paths written.
    """
    from carejourneys.inputs.schemas import code_paths

    out_dir = Path(out_dir)
    codebook = list(codebook) if codebook is not None else code_paths()
    keys = sorted(set(segments["site"].dropna().astype(str))) if sites is None else list(sites)
    paths = []
    for site in keys:
        part = segments[segments["site"].astype(str) == site]
        needed = {s: texts[s] for s in part["source_id"].unique() if s in texts}
        paths.append(write_qdpx(out_dir / f"{site}.qdpx", part, needed, codebook=codebook,
                                project_name=f"{name}: {site}"))
    return paths

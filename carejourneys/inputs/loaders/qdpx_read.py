"""Read REFI-QDA projects (``.qdpx`` archives and bare ``.qde`` files) into pandas.

What real tools write is messier than the standard, so the reader accepts:

* containers: exactly one ``*.qde`` at the root of the archive in any letter case (``project.qde``,
  ``Project.qde``, ``Trial.qde``); source files under ``sources/`` or ``Sources/``; a UTF-8 byte-order
  mark on the XML or on a source; ``PlainTextContent`` held inline; ``internal://``, ``relative://``
  and bare paths. A source file that cannot be found gives a :class:`DataWarning` and the reader goes on
  (its selections keep their raw positions, and their text is taken from the selection name when that
  name is exactly as long as the selection).
* positions: the standard counts Unicode code points from 0 with the end exclusive. NVivo for Windows
  counts UTF-16 code units over CRLF text (without the byte-order mark); ATLAS.ti counts CRLF as one
  character. A policy is guessed from the project's ``@origin`` and then checked for each text against
  each selection's ``name`` (ATLAS.ti names a quotation by its text) and against word boundaries; a
  policy that fits clearly better replaces the guess. Every position returned counts code points over
  the text with line endings normalised to LF. :attr:`QdaProject.positions` reports what was assumed.
* hierarchy: from nesting of ``Code`` elements and from ``::`` in code names (ATLAS.ti); paths are
  joined with ``schemas.CODE_SEPARATOR`` ("/"), a "/" inside a code's own name being escaped
  (:func:`.codepaths.join_code_path`), so that every code keeps its name and the number of codes is
  kept through :func:`write_qdpx` and back.
* case attributes: ``Cases`` with ``VariableValue`` (linked to sources by ``SourceRef`` or to selections
  by ``SelectionRef``), ``VariableValue`` on sources, and ``Sets`` named like ``gender: male``.
* safety: see :mod:`.qdpx_container` (no DTDs or entities, no network, size limits, no zip bombs, no
  paths escaping the archive; all refused with :class:`DataError`).

Position policies live in :mod:`.qdpx_positions`.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from carejourneys.errors import DataError, DataWarning
from carejourneys.inputs.loaders.codepaths import join_code_path, looks_dotted, split_code_path
from carejourneys.inputs.loaders.qdpx_container import (
    DEFAULT_LIMITS,
    Element,
    Limits,
    _Container,
    _local,
    _parse_xml,
    _split_ref,
    decode_text,
)
from carejourneys.inputs.loaders.qdpx_positions import (
    POLICIES,
    TextPositions,
    choose_policy,
    guess_policy,
    origin_is_known,
)

# names kept for callers of earlier versions
_Text = TextPositions
__all__ = ["CONTRACT_VARIABLES", "DEFAULT_LIMITS", "Limits", "NAMESPACE", "POLICIES", "QdaProject",
           "SEGMENT_COLUMNS", "guess_policy", "read_qdpx"]

NAMESPACE = "urn:QDA-XML:project:1.0"

#: case and source variables that the data contract knows by name (matched case-insensitively)
CONTRACT_VARIABLES = ("site", "speaker_id", "role", "seniority", "wave", "date")

SEGMENT_COLUMNS = [
    "segment_id", "source_id", "code_path", "theme", "text", "start", "end", "coder",
    "code_name", "code_guid", "kind", "selection_guid", "coding_guid", "source_guid", "selection_name",
    "case", "text_from",
]


@dataclass
class QdaProject:
    """A REFI-QDA project as tidy DataFrames.

    Attributes:
        codes: one row per code: ``guid``, ``name`` (the code's own name, as written),
            ``code_path`` (the names through the hierarchy joined with "/", a "/" inside a name
            escaped as ``%2F`` so that "Housing/accommodation" stays one code: see
            :mod:`.codepaths`), ``parent_guid``, ``depth`` (0 at the top),
            ``description``, ``color``, ``is_codable``.
        sources: one row per source: ``guid``, ``source_id`` (the source's name), ``kind``
            (TextSource, PDFSource, ...), ``path`` (as written), ``has_text``, ``n_chars`` (code points
            of the LF-normalised text) and any source variables.
        cases: one row per case: ``guid``, ``case``, ``description`` and the case variables (wide).
        segments: one row per code applied to a selection (a "coded segment"): the contract columns
            ``segment_id``, ``source_id``, ``code_path``, ``theme`` (top level of the path), ``text``,
            ``start``/``end`` (code points over the LF text, end exclusive), ``coder``; the
            selection's case variables (``site``, ``role``, ``seniority``, ``wave``, ``date``,
            ``speaker_id`` and any others); and provenance (``kind``, GUIDs, ``selection_name``,
            ``text_from``: "source", "inline", "selection_name" or missing).
        positions: one row per text read: which position policy was guessed from ``@origin``, which
            was used, and how many selections matched their names and word boundaries.
        texts: LF-normalised plain text of each text source, keyed by ``source_id``.
        name, origin, path: the project's name and ``@origin`` attribute, and where it was read from.
    """

    codes: pd.DataFrame
    sources: pd.DataFrame
    cases: pd.DataFrame
    segments: pd.DataFrame
    positions: pd.DataFrame = field(default_factory=pd.DataFrame)
    texts: dict[str, str] = field(default_factory=dict)
    name: str | None = None
    origin: str | None = None
    path: str | None = None

    def __repr__(self) -> str:
        return (f"QdaProject(name={self.name!r}, origin={self.origin!r}, codes={len(self.codes)}, "
                f"sources={len(self.sources)}, cases={len(self.cases)}, segments={len(self.segments)})")

    def assumptions(self) -> str:
        """A short human-readable account of the position policies used."""
        if self.positions.empty:
            return "No text selections."
        lines = []
        for r in self.positions.itertuples(index=False):
            lines.append(f"{r.source_id}: {r.policy} ({POLICIES.get(r.policy, r.policy)}); "
                         f"{r.name_matches}/{r.n_selections} selections match their names; {r.note}")
        return "\n".join(lines)



#: positions at or beyond this are not character positions (and would overflow 64-bit arithmetic)
_MAX_POSITION = 2**53


def _children(el: Element, name: str) -> list[Element]:
    return list(el.iterchildren(f"{{{NAMESPACE}}}{name}", name))


def _child(el: Element, name: str) -> Element | None:
    return next(el.iterchildren(f"{{{NAMESPACE}}}{name}", name), None)


def _child_text(el: Element, name: str) -> str | None:
    c = _child(el, name)
    return c.text if c is not None else None


def _variable_value(vv: Element, variables: dict[str, tuple[str, str]]) -> tuple[str, object] | None:
    ref = _child(vv, "VariableRef")
    if ref is None:
        return None
    name, _ = variables.get(ref.get("targetGUID", ""), (None, None))
    if name is None:
        return None
    for c in vv:
        tag = _local(c.tag)
        if tag.endswith("Value") and tag != "VariableRef":
            text = c.text
            if text is None:
                return name, None
            if tag == "IntegerValue":
                try:
                    return name, int(text)
                except ValueError:
                    return name, text
            if tag == "BooleanValue":
                return name, text.strip().lower() in ("true", "1")
            return name, text
    return name, None


def _var_name(name: str) -> str:
    low = name.strip().lower().replace(" ", "_")
    return low if low in CONTRACT_VARIABLES else name.strip()


# ============================================================================ reading


def read_qdpx(path: str | Path, *, limits: Limits = DEFAULT_LIMITS,
              policy: str | None = None, level_separator: str | None = None) -> QdaProject:
    """Read a REFI-QDA project (``.qdpx`` archive or bare ``.qde``) into a :class:`QdaProject`.

    Args:
        path: the project file.
        limits: size limits for archives and files (:class:`Limits`).
        level_separator: read code names as levels split by this string, for tools that write a
            hierarchy into flat names (Taguette's "."; a warning suggests it when names look so).
        policy: force a position policy (one of :data:`POLICIES`) instead of guessing it from
            ``@origin`` and checking it against the selections.

    Raises:
        DataError: the file is not a project, is unsafe (entity expansion, external entities, zip bomb,
            paths escaping the archive), too large, or its XML is malformed.
    """
    path = Path(path)
    if policy is not None and policy not in POLICIES:
        raise ValueError(f"policy must be one of {sorted(POLICIES)}, not {policy!r}")
    if not path.exists():
        raise DataError("file not found", path=path)
    box = _Container(path, limits)
    root = _parse_xml(box.qde, path, box.qde_name)
    if _local(root.tag) != "Project":
        raise DataError(f"the root element is <{_local(root.tag)}>, expected <Project>", path=path)
    return _Reader(box, root, policy, level_separator).run()


class _Reader:
    def __init__(self, box: _Container, root: Element, policy: str | None,
                 level_separator: str | None = None):
        self.sep = level_separator
        self.box = box
        self.root = root
        self.path = box.path
        self.origin = root.get("origin")
        self.forced = policy
        self.preferred = policy or guess_policy(self.origin)
        self.users: dict[str, str] = {}
        self.variables: dict[str, tuple[str, str]] = {}
        self.codes: list[dict] = []
        self.code_by_guid: dict[str, dict] = {}
        self.rows: list[tuple] = []
        #: "{urn:QDA-XML:project:1.0}" or "" for files written without the namespace (hot paths only)
        self.ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
        self.sources: list[dict] = []
        self.positions: list[dict] = []
        self.texts: dict[str, str] = {}
        self.missing: list[str] = []

    # ------------------------------------------------------------------ project parts
    def run(self) -> QdaProject:
        r = self.root
        for el in r:
            tag = _local(el.tag)
            if tag == "Users":
                for u in _children(el, "User"):
                    self.users[u.get("guid", "").upper()] = u.get("name") or u.get("id") or u.get("guid", "")
            elif tag == "CodeBook":
                codes = _child(el, "Codes")
                if codes is not None:
                    for c in _children(codes, "Code"):
                        self._code(c, None, [])
            elif tag == "Variables":
                for v in _children(el, "Variable"):
                    self.variables[v.get("guid", "").upper()] = (_var_name(v.get("name", "")),
                                                                 v.get("typeOfVariable", "Text"))
        self._resolve_double_colon()
        # VariableRef targets are matched case-insensitively
        self.variables = {k.upper(): v for k, v in self.variables.items()}
        cases = self._cases(_child(r, "Cases"))
        set_vars = self._sets(_child(r, "Sets"))
        sources_el = _child(r, "Sources")
        if sources_el is not None:
            for s in sources_el:
                self._source(s)
        if self.missing:
            warnings.warn(f"{self.path}: {len(self.missing)} source file(s) not found in the project "
                          f"({', '.join(self.missing[:5])}{' ...' if len(self.missing) > 5 else ''}); "
                          "their selections keep raw positions", DataWarning, stacklevel=3)
        segments = self._segments_frame(cases, set_vars)
        sources = self._sources_frame(set_vars)
        case_frame = pd.DataFrame(
            [{"guid": c["guid"], "case": c["name"], "description": c["description"], **c["vars"]}
             for c in cases.values()],
            columns=None if cases else ["guid", "case", "description"])
        codes = pd.DataFrame(self.codes, columns=["guid", "name", "code_path", "parent_guid", "depth",
                                                  "description", "color", "is_codable"])
        positions = pd.DataFrame(self.positions, columns=[
            "source_id", "origin_policy", "policy", "n_selections", "name_matches", "boundary_hits",
            "inexact", "note"])
        return QdaProject(codes=codes, sources=sources, cases=case_frame, segments=segments,
                          positions=positions, texts=self.texts, name=self.root.get("name"),
                          origin=self.origin, path=str(self.path))

    def _code(self, el: Element, parent: dict | None, parent_path: list[str]) -> None:
        name = el.get("name") or ""
        row = {
            "guid": (el.get("guid") or "").upper(),
            "name": name,
            "path_parts": [*parent_path, name],
            "parent_guid": parent["guid"] if parent else None,
            "description": _child_text(el, "Description"),
            "color": el.get("color"),
            "is_codable": (el.get("isCodable", "true").strip().lower() != "false"),
        }
        self.codes.append(row)
        self.code_by_guid[row["guid"]] = row
        for c in _children(el, "Code"):
            self._code(c, row, row["path_parts"])

    def _resolve_double_colon(self) -> None:
        """ATLAS.ti writes hierarchy as ``parent::child`` in a flat code list (others with ``sep``)."""
        if self.sep is None and self.codes and all(len(r["path_parts"]) == 1 for r in self.codes):
            dotted = looks_dotted([r["name"] for r in self.codes])
            if dotted:
                warnings.warn(f"{self.path}: {len(dotted)} code name(s) look like a hierarchy written with "
                              f"'.' (for example {dotted[0]!r}); they are kept as single names. To read them "
                              "as levels, pass level_separator='.'", DataWarning, stacklevel=5)
        for row in self.codes:
            split = "::" if "::" in row["name"] else self.sep
            if split and split in row["name"]:
                parts = [p.strip() for p in row["name"].split(split) if p.strip()]
                row["path_parts"] = [*row["path_parts"][:-1], *parts]
                row["name"] = parts[-1] if parts else row["name"]
        by_path = {tuple(r["path_parts"]): r for r in self.codes}
        for row in self.codes:
            parts = tuple(row["path_parts"])
            if row["parent_guid"] is None and len(parts) > 1:
                parent = by_path.get(parts[:-1])
                if parent is not None:
                    row["parent_guid"] = parent["guid"]
        for row in self.codes:
            parts = row.pop("path_parts")
            row["code_path"] = join_code_path(parts)
            row["depth"] = len(parts) - 1

    def _cases(self, el: Element | None) -> dict[str, dict]:
        cases: dict[str, dict] = {}
        if el is None:
            return cases
        for c in _children(el, "Case"):
            vars_: dict[str, object] = {}
            for vv in _children(c, "VariableValue"):
                got = _variable_value(vv, self.variables)
                if got is not None:
                    vars_[got[0]] = got[1]
            cases[(c.get("guid") or "").upper()] = {
                "guid": (c.get("guid") or "").upper(),
                "name": c.get("name"),
                "description": _child_text(c, "Description"),
                "vars": vars_,
                "sources": {(s.get("targetGUID") or "").upper() for s in _children(c, "SourceRef")},
                "selections": {(s.get("targetGUID") or "").upper() for s in _children(c, "SelectionRef")},
            }
        return cases

    def _sets(self, el: Element | None) -> dict[str, dict[str, object]]:
        """Source variables from sets named ``variable: value`` (ATLAS.ti document groups)."""
        out: dict[str, dict[str, object]] = {}
        if el is None:
            return out
        for s in _children(el, "Set"):
            m = re.fullmatch(r"\s*([^:]+?)\s*:\s*(.+?)\s*", s.get("name") or "")
            if not m or "::" in (s.get("name") or ""):
                continue
            var, value = _var_name(m.group(1)), m.group(2)
            for ms in _children(s, "MemberSource"):
                out.setdefault((ms.get("targetGUID") or "").upper(), {})[var] = value
        return out

    # ------------------------------------------------------------------ sources and selections
    def _load_text(self, holder: Element, source_name: str) -> tuple[TextPositions | None, str | None]:
        inline = _child_text(holder, "PlainTextContent")
        ref = holder.get("plainTextPath")
        if ref:
            data = self.box.read_source(ref)
            if data is not None:
                return TextPositions.build(decode_text(data, f"{self.path}!{ref}")), "source"
            if inline is None:
                self.missing.append(f"{source_name} ({ref})")
        if inline is not None:
            return TextPositions.build(inline), "inline"
        return None, None

    def _source(self, s: Element) -> None:
        kind = _local(s.tag)
        guid = (s.get("guid") or "").upper()
        ref = s.get("plainTextPath") or s.get("path")
        # qc writes no name: fall back to the file's stem, then to the GUID
        name = s.get("name") or (PurePosixPath(_split_ref(ref)[1]).stem if ref else "") or guid
        vars_: dict[str, object] = {}
        for vv in _children(s, "VariableValue"):
            got = _variable_value(vv, self.variables)
            if got is not None:
                vars_[got[0]] = got[1]
        src = {"guid": guid, "source_id": name, "kind": kind,
               "path": s.get("plainTextPath") or s.get("path"), "has_text": False, "n_chars": pd.NA,
               "vars": vars_}
        self.sources.append(src)
        ctx = {"source_guid": guid, "source_id": name}
        holders: list[Element] = []
        if kind == "TextSource":
            holders.append(s)
        for c in s:
            if _local(c.tag) in ("Representation", "Transcript", "TextDescription"):
                holders.append(c)
        for h in holders:
            text, text_from = self._load_text(h, name)
            if text is not None and h is s:
                src["has_text"] = True
                src["n_chars"] = len(text.lf)
                self.texts[name] = text.lf
            elif text is not None and not src["has_text"]:
                src["has_text"] = True
                src["n_chars"] = len(text.lf)
                self.texts.setdefault(name, text.lf)
            sels = _children(h, "PlainTextSelection")
            if text is None and sels:
                self.positions.append({"source_id": name, "origin_policy": self.preferred, "policy": "raw",
                                       "n_selections": len(sels), "name_matches": 0, "boundary_hits": 0,
                                       "inexact": 0, "note": "text missing: positions kept as written"})
            self._text_selections(sels, text, text_from, ctx)
            for ts in _children(h, "TranscriptSelection"):
                self._other_selection(ts, "transcript", ctx)
        for c in s:
            tag = _local(c.tag)
            if tag in ("PictureSelection", "PDFSelection", "AudioSelection", "VideoSelection"):
                self._other_selection(c, tag.removesuffix("Selection").lower(), ctx)
            elif tag == "Coding":  # the whole source coded
                self._add_codings(s, ctx, "source", name, None, None, None, None, codings=[c])

    def _text_selections(self, sels: list[Element], text: TextPositions | None, text_from: str | None,
                         ctx: dict) -> None:
        if not sels:
            if text is not None:
                self.positions.append({"source_id": ctx["source_id"], "origin_policy": self.preferred,
                                       "policy": self.preferred, "n_selections": 0, "name_matches": 0,
                                       "boundary_hits": 0, "inexact": 0, "note": "no selections"})
            return
        starts, ends, names = [], [], []
        for sel in sels:
            try:
                starts.append(int(sel.get("startPosition", "")))
                ends.append(int(sel.get("endPosition", "")))
            except ValueError as e:
                raise DataError(f"selection {sel.get('guid')!r} in source {ctx['source_id']!r} has a "
                                f"non-integer position ({e})", path=self.path,
                                column="startPosition/endPosition") from e
            names.append(sel.get("name"))
            start, end = starts[-1], ends[-1]
            if not (-_MAX_POSITION < start < _MAX_POSITION and -_MAX_POSITION < end < _MAX_POSITION):
                raise DataError(f"selection {sel.get('guid')!r} in source {ctx['source_id']!r} has a "
                                f"position too large to be one ({start}, {end})", path=self.path,
                                column="startPosition/endPosition")
            if end < start:
                raise DataError(f"selection {sel.get('guid')!r} in source {ctx['source_id']!r} ends "
                                f"(endPosition {end}) before it starts (startPosition {start}); expected "
                                "endPosition at or after startPosition", path=self.path, column="endPosition")
        s_arr = np.asarray(starts, dtype=np.int64)
        e_arr = np.asarray(ends, dtype=np.int64)
        texts: list[str | None]
        if text is None:
            out_s, out_e = s_arr, e_arr
            texts = [n if n is not None and len(n) == e - s else None
                     for n, s, e in zip(names, starts, ends, strict=True)]
            froms = ["selection_name" if t is not None else None for t in texts]
        else:
            if self.forced or len(text.distinct_policies()) == 1:
                pol = self.forced or self.preferred
                scores = {}
            else:
                pol, scores = choose_policy(text, s_arr, e_arr, names, self.preferred,
                                            trusted=origin_is_known(self.origin))
            out_s, ok_s = text.map(pol, s_arr)
            out_e, ok_e = text.map(pol, e_arr)
            inexact = int((~(ok_s & ok_e)).sum())
            lf = text.lf
            texts = [lf[a:b] for a, b in zip(out_s.tolist(), out_e.tolist(), strict=True)]
            froms = [text_from] * len(texts)
            m, b, _ = scores.get(pol, (pd.NA, pd.NA, 0))
            note = []
            if len(text.distinct_policies()) == 1:
                note.append("all policies agree on this text (no CRLF, no characters outside the BMP)")
            elif pol != self.preferred:
                note.append(f"positions fit {pol} better than {self.preferred} guessed from the origin")
                warnings.warn(f"{self.path}: source {ctx['source_id']!r}: positions read as {pol} "
                              f"({POLICIES[pol]}), not {self.preferred} as guessed from origin "
                              f"{self.origin!r}", DataWarning, stacklevel=5)
            else:
                note.append(f"{pol} {'(forced)' if self.forced else 'kept'}")
            if inexact:
                note.append(f"{inexact} selection(s) fall inside a character or beyond the text and "
                            "were moved to the next boundary")
                warnings.warn(f"{self.path}: source {ctx['source_id']!r}: {inexact} selection(s) do not "
                              "fall on character boundaries or lie beyond the text", DataWarning,
                              stacklevel=5)
            self.positions.append({"source_id": ctx["source_id"], "origin_policy": self.preferred,
                                   "policy": pol, "n_selections": len(sels), "name_matches": m,
                                   "boundary_hits": b, "inexact": inexact, "note": "; ".join(note)})
        out_s_l = out_s.tolist()
        out_e_l = out_e.tolist()
        for k, sel in enumerate(sels):
            self._add_codings(sel, ctx, "text", names[k], out_s_l[k], out_e_l[k], texts[k], froms[k])

    def _other_selection(self, sel: Element, kind: str, ctx: dict) -> None:
        text = None
        rep = _child(sel, "Representation")
        if rep is not None:
            text = _child_text(rep, "PlainTextContent")
        begin = sel.get("begin")
        end = sel.get("end")
        self._add_codings(sel, ctx, kind, sel.get("name"),
                          int(begin) if begin and begin.lstrip("-").isdigit() else None,
                          int(end) if end and end.lstrip("-").isdigit() else None,
                          text, "inline" if text is not None else None)

    _COLUMNS = ("selection_guid", "coding_guid", "coding_index", "code_guid", "code_path", "code_name",
                "coder", "source_guid", "source_id", "kind", "selection_name", "start", "end", "text",
                "text_from")

    def _add_codings(self, sel: Element, ctx: dict, kind: str, name: str | None, start: int | None,
                     end: int | None, text: str | None, text_from: str | None,
                     codings: list[Element] | None = None) -> None:
        """One row per Coding of ``sel`` (or of ``codings``), as a tuple in the order of ``_COLUMNS``."""
        rows = self.rows
        sel_guid = (sel.get("guid") or "").upper()
        creator = sel.get("creatingUser")
        ns = self.ns
        for k, cod in enumerate(sel.iterchildren(ns + "Coding") if codings is None else codings):
            ref = next(cod.iterchildren(ns + "CodeRef"), None)
            code_guid = (ref.get("targetGUID") or "").upper() if ref is not None else ""
            code = self.code_by_guid.get(code_guid)
            if code is None:
                warnings.warn(f"{self.path}: a coding refers to unknown code {code_guid!r}", DataWarning,
                              stacklevel=5)
            user = cod.get("creatingUser") or creator
            rows.append((sel_guid, (cod.get("guid") or "").upper(), k, code_guid,
                         code["code_path"] if code else None, code["name"] if code else None,
                         self.users.get((user or "").upper(), user), ctx["source_guid"], ctx["source_id"],
                         kind, name, start, end, text, text_from))

    # ------------------------------------------------------------------ frames
    def _segment_ids(self) -> list[str]:
        c = self.cols
        ours = (self.origin or "").lower().startswith("carejourneys")
        multi: dict[str, int] = {}
        for g in c["selection_guid"]:
            multi[g] = multi.get(g, 0) + 1
        seen: dict[str, int] = {}
        ids = []
        for sel_guid, cod_guid, name in zip(c["selection_guid"], c["coding_guid"], c["selection_name"],
                                            strict=True):
            if ours and name:
                sid = name
            elif multi[sel_guid] == 1 or not cod_guid:
                sid = sel_guid
            else:  # several codings (or a GUID reused by two selections): one row per coding
                sid = cod_guid
            n = seen.get(sid, 0)
            seen[sid] = n + 1
            ids.append(sid if n == 0 else f"{sid}#{n + 1}")
        return ids

    def _segments_frame(self, cases: dict[str, dict], set_vars: dict[str, dict]) -> pd.DataFrame:
        columns = list(zip(*self.rows, strict=True)) if self.rows else [()] * len(self._COLUMNS)
        self.cols = c = {k: list(v) for k, v in zip(self._COLUMNS, columns, strict=True)}
        n = len(c["selection_guid"])
        data: dict[str, list] = {"segment_id": self._segment_ids()}
        data.update({k: v for k, v in c.items() if k != "coding_index"})
        data["theme"] = [split_code_path(p)[0] if p else None for p in c["code_path"]]
        # case variables: source variables < sets < cases by SourceRef < cases by SelectionRef
        src_vars = {s["guid"]: dict(s["vars"]) for s in self.sources}
        for g, v in set_vars.items():
            src_vars.setdefault(g, {}).update(v)
        by_source: dict[str, list[dict]] = {}
        by_selection: dict[str, list[dict]] = {}
        for case in cases.values():
            for g in case["sources"]:
                by_source.setdefault(g, []).append(case)
            for g in case["selections"]:
                by_selection.setdefault(g, []).append(case)
        conflicts = 0
        cache: dict[object, dict] = {}
        keys: list[object] = []
        for src_g, sel_g in zip(c["source_guid"], c["selection_guid"], strict=True):
            key = (src_g, sel_g) if sel_g in by_selection else src_g
            keys.append(key)
            if key in cache:
                continue
            got = dict(src_vars.get(src_g, {}))
            linked = by_selection.get(sel_g) or by_source.get(src_g) or []
            if len(linked) == 1:
                got.update(linked[0]["vars"])
                got["case"] = linked[0]["name"]
            elif len(linked) > 1:
                merged: dict[str, object] = {}
                for case in linked:
                    for k2, v2 in case["vars"].items():
                        if k2 in merged and merged[k2] != v2:
                            merged[k2] = None
                            conflicts += 1
                        else:
                            merged.setdefault(k2, v2)
                got.update({k2: v2 for k2, v2 in merged.items() if v2 is not None})
            cache[key] = got
        if conflicts:
            warnings.warn(f"{self.path}: some selections belong to several cases with different values; "
                          "those variables are left empty", DataWarning, stacklevel=4)
        var_names = list(dict.fromkeys(k for d in cache.values() for k in d))
        for v in var_names:
            if v not in data:
                data[v] = [cache[k].get(v) for k in keys]
        if "speaker_id" not in data and "case" in data:
            data["speaker_id"] = data["case"]
        for col in SEGMENT_COLUMNS:
            if col not in data:
                data[col] = [None] * n
        ordered = SEGMENT_COLUMNS + [k for k in data if k not in SEGMENT_COLUMNS]
        frame = pd.DataFrame({k: pd.Series(data[k], dtype="object") for k in ordered})
        return _tidy_types(frame)

    def _sources_frame(self, set_vars: dict[str, dict]) -> pd.DataFrame:
        rows = []
        for s in self.sources:
            v = dict(s["vars"])
            v.update(set_vars.get(s["guid"], {}))
            rows.append({k: s[k] for k in ("guid", "source_id", "kind", "path", "has_text", "n_chars")} | v)
        frame = pd.DataFrame(rows, columns=None if rows else ["guid", "source_id", "kind", "path",
                                                              "has_text", "n_chars"])
        return _tidy_types(frame)


def _tidy_types(frame: pd.DataFrame) -> pd.DataFrame:
    """Nullable integer positions, string text columns, numeric waves and dates where they parse."""
    frame = frame.copy()
    for col in ("start", "end", "n_chars"):
        if col in frame.columns:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("Int64")
    if "wave" in frame.columns:
        num = pd.to_numeric(frame["wave"], errors="coerce")
        if num.notna().sum() == frame["wave"].notna().sum():
            frame["wave"] = num.astype("Int64")
    if "date" in frame.columns:
        parsed = pd.to_datetime(frame["date"], errors="coerce", format="ISO8601")
        if parsed.notna().sum() == frame["date"].notna().sum():
            frame["date"] = parsed.astype("datetime64[ns]")
    for col in frame.columns:
        if frame[col].dtype == object and col not in ("has_text", "is_codable"):
            vals = frame[col].dropna()
            if len(vals) == 0 or pd.api.types.infer_dtype(vals, skipna=True) == "string":
                frame[col] = frame[col].astype("str") if len(vals) == len(frame) else \
                    frame[col].astype(pd.StringDtype(na_value=np.nan))
    return frame

"""Taguette's project database (``File > Export project`` gives ``<date>_<name>.sqlite3``) -> pandas.

It is Taguette's only export with highlight positions, the exact highlighted text and highlights
without tags. The tables read are those of Taguette's schema: ``projects`` (id, name),
``documents`` (id, name, description, filename, project_id, contents: sanitised HTML),
``tags`` (id, project_id, path, description, and ``parent_id`` in versions that nest tags),
``highlights`` (id, document_id, start_offset, end_offset, snippet) and ``highlight_tags``
(highlight_id, tag_id); ``commands`` is read, when present, for who made each highlight.

Positions: Taguette counts UTF-8 bytes over the text of the document's HTML (the tags themselves not
counted). The reader takes each document's text the same way (the text between the tags, character
references decoded, line endings LF) and returns positions in code points over that text, end
exclusive, as the REFI-QDA reader does; each highlight's ``text`` is that slice, exactly. A snippet
whose own text differs from the slice is reported in a warning.

Code paths: a tag's ``path`` is its name, one level (``housing/accommodation`` included, written
``housing%2Faccommodation``: see :mod:`.codepaths`); tags nested by ``parent_id`` give the hierarchy;
Taguette's older convention of dots in names (``barriers.staffing``) is applied only when asked
(``level_separator="."``) and suggested in a warning when the names look like it.

Safety: the file is opened read-only (a ``mode=ro`` URI, ``query_only``, untrusted schema), and the
limits of the REFI-QDA reader apply (:class:`.qdpx_container.Limits`): the file's size, the number of
documents and the size of each, and the number of rows read from each table.
"""

from __future__ import annotations

import json
import sqlite3
import warnings
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd

from carejourneys.errors import DataError, DataProblem, DataWarning
from carejourneys.inputs.loaders.codepaths import join_code_path, looks_dotted, split_code_path
from carejourneys.inputs.loaders.qdpx_container import DEFAULT_LIMITS, Limits

__all__ = ["SQLITE_MAGIC", "TaguetteProject", "html_text", "is_sqlite", "read_taguette"]

SQLITE_MAGIC = b"SQLite format 3\x00"
TABLES = ("documents", "tags", "highlights", "highlight_tags")


@dataclass
class TaguetteProject:
    """A Taguette project as tidy DataFrames.

    Attributes:
        codes: one row per tag: ``tag_id``, ``name`` (Taguette's ``path``), ``code_path``,
            ``parent_tag_id``, ``depth``, ``description``, ``n_highlights``.
        sources: one row per document: ``document_id``, ``source_id`` (its name), ``description``,
            ``filename``, ``n_chars``.
        highlights: one row per highlight, tagged or not: ``highlight_id``, ``source_id``, ``start``,
            ``end``, ``text``, ``n_tags``, ``coder``.
        segments: one row per tag applied to a highlight, in the columns of ``read_qdpx(...).segments``
            (``segment_id`` is the highlight id, with ``:<n>`` when it has several tags).
        texts: each document's text (what the positions count), keyed by ``source_id``.
        name, path: the project's name and where it was read from.
    """

    codes: pd.DataFrame
    sources: pd.DataFrame
    highlights: pd.DataFrame
    segments: pd.DataFrame
    texts: dict[str, str] = field(default_factory=dict)
    name: str | None = None
    path: str | None = None

    def __repr__(self) -> str:
        return (
            f"TaguetteProject(name={self.name!r}, codes={len(self.codes)}, sources={len(self.sources)}, "
            f"highlights={len(self.highlights)}, segments={len(self.segments)})"
        )


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(html: str) -> str:
    """The text of Taguette's HTML as its positions count it: the text between tags, references decoded.

    Line endings are made LF and leading white space is dropped, as the HTML5 parser Taguette uses
    does; comments, tags and their attributes are not text.
    """
    html = html.replace("\r\n", "\n").replace("\r", "\n").lstrip(" \t\n\f")
    p = _Text()
    p.feed(html)
    p.close()
    return "".join(p.parts).replace("\x00", "\ufffd")


def is_sqlite(path: str | Path) -> bool:
    """Whether ``path`` is an SQLite database (by its first 16 bytes)."""
    try:
        with open(path, "rb") as f:
            return f.read(16) == SQLITE_MAGIC
    except OSError:
        return False


def _byte_to_char(text: str) -> tuple[np.ndarray, np.ndarray]:
    """For each UTF-8 byte offset of ``text`` (0..len): the code point index, and whether it is a boundary."""
    data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    starts = (data & 0xC0) != 0x80
    index = np.concatenate([np.cumsum(starts) - 1, [len(text)]])
    boundary = np.concatenate([starts, [True]])
    return index, boundary


def _row(value: object) -> int | None:
    """A highlight's id as the row it is reported at (the table has no row numbers of its own)."""
    return int(value) if isinstance(value, int) else None


def _connect(path: Path) -> sqlite3.Connection:
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        con = sqlite3.connect(uri, uri=True)
        con.execute("PRAGMA query_only = ON")
        con.execute("PRAGMA trusted_schema = OFF")
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as e:
        raise DataError(f"cannot be read as an SQLite database: {e}", path=path) from None
    return con


def _columns(con: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in con.execute(f"PRAGMA table_info({table})")}


def _count(con: sqlite3.Connection, sql: str, args: tuple, what: str, limit: int, path: Path) -> int:
    n = int(con.execute(sql, args).fetchone()[0])
    if n > limit:
        raise DataError(f"the project has {n} {what}, over the limit of {limit}", path=path)
    return n


def read_taguette(
    path: str | Path,
    *,
    project: int | str | None = None,
    level_separator: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> TaguetteProject:
    """Read a Taguette project database (``.sqlite3``) into a :class:`TaguetteProject`.

    Args:
        path: the exported project (or a Taguette server's database, with ``project``).
        project: the project's id or name, needed only when the database holds several.
        level_separator: read tag names as levels split by this string (Taguette's "." convention);
            by default a tag name is one level, unless tags are nested by ``parent_id``.
        limits: size limits (:class:`.qdpx_container.Limits`).

    Raises:
        DataError: the file is missing, not an SQLite database, not a Taguette project, over a limit,
            or has a highlight outside its document.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError("file not found" if not path.exists() else "is a folder, not a file", path=path)
    size = path.stat().st_size
    if size > limits.max_total_bytes:
        raise DataError(
            f"the database is {size} bytes, over the limit of {limits.max_total_bytes}", path=path
        )
    if not is_sqlite(path):
        raise DataError("not an SQLite database (a Taguette project is exported as .sqlite3)", path=path)
    con = _connect(path)
    try:
        return _Reader(con, path, limits, level_separator).run(project)
    except sqlite3.DatabaseError as e:
        raise DataError(f"the database cannot be read: {e}", path=path) from None
    finally:
        con.close()


class _Reader:
    def __init__(self, con: sqlite3.Connection, path: Path, limits: Limits, level_separator: str | None):
        self.con = con
        self.path = path
        self.limits = limits
        self.sep = level_separator

    def run(self, project: int | str | None) -> TaguetteProject:
        con, path = self.con, self.path
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = [t for t in TABLES if t not in tables]
        if missing:
            raise DataError(
                f"not a Taguette project: no table {', '.join(missing)} (expected tables "
                f"{', '.join(TABLES)})",
                path=path,
            )
        pid, name = self._project(project, tables)
        docs = self._documents(pid)
        tags = self._tags(pid)
        hls, links = self._highlights(pid, docs)
        coders = self._coders(pid, tables)
        return self._frames(name, docs, tags, hls, links, coders)

    def _project(self, project: int | str | None, tables: set[str]) -> tuple[int | None, str | None]:
        if "projects" not in tables:
            return None, None
        rows = self.con.execute("SELECT id, name FROM projects ORDER BY id").fetchmany(
            self.limits.max_members + 1
        )
        if project is not None:
            hit = [r for r in rows if r[0] == project or r[1] == project or str(r[0]) == str(project)]
            if not hit:
                raise DataError(
                    f"no project {project!r}; projects: {', '.join(f'{i} {n!r}' for i, n in rows[:20])}",
                    path=self.path,
                )
            return int(hit[0][0]), hit[0][1]
        if len(rows) > 1:
            raise DataError(
                f"the database holds {len(rows)} projects ("
                f"{', '.join(f'{i} {n!r}' for i, n in rows[:20])}): name the one to read",
                path=self.path,
            )
        return (int(rows[0][0]), rows[0][1]) if rows else (None, None)

    def _where(self, pid: int | None, column: str = "project_id") -> tuple[str, tuple]:
        return (f" WHERE {column} = ?", (pid,)) if pid is not None else ("", ())

    def _documents(self, pid: int | None) -> list[dict]:
        lim = self.limits
        where, args = self._where(pid)
        _count(
            self.con, f"SELECT count(*) FROM documents{where}", args, "documents", lim.max_members, self.path
        )
        big = self.con.execute(f"SELECT name, length(CAST(contents AS BLOB)) FROM documents{where}", args)
        total = 0
        for doc_name, n in big:
            total += int(n or 0)
            if (n or 0) > lim.max_member_bytes:
                raise DataError(
                    f"document {doc_name!r} is {n} bytes, over the limit of {lim.max_member_bytes}",
                    path=self.path,
                )
        if total > lim.max_total_bytes:
            raise DataError(
                f"the documents hold {total} bytes, over the limit of {lim.max_total_bytes}", path=self.path
            )
        cols = _columns(self.con, "documents")
        pick = ", ".join(c if c in cols else f"NULL AS {c}" for c in ("description", "filename"))
        docs = []
        for did, dname, desc, fname, contents in self.con.execute(
            f"SELECT id, name, {pick}, contents FROM documents{where} ORDER BY id", args
        ):
            text = html_text(
                contents if isinstance(contents, str) else (contents or b"").decode("utf-8", "replace")
            )
            docs.append(
                {
                    "document_id": int(did),
                    "source_id": str(dname),
                    "description": desc,
                    "filename": fname,
                    "text": text,
                }
            )
        seen: dict[str, int] = {}
        for d in docs:
            seen[d["source_id"]] = seen.get(d["source_id"], 0) + 1
        twice = sorted(k for k, v in seen.items() if v > 1)
        if twice:
            warnings.warn(
                f"{self.path}: {len(twice)} document name(s) are used twice ({twice[0]!r}); "
                "their sources are told apart by the document id",
                DataWarning,
                stacklevel=4,
            )
            for d in docs:
                if seen[d["source_id"]] > 1:
                    d["source_id"] = f"{d['source_id']} [{d['document_id']}]"
        return docs

    def _tags(self, pid: int | None) -> list[dict]:
        where, args = self._where(pid)
        _count(
            self.con, f"SELECT count(*) FROM tags{where}", args, "tags", self.limits.max_records, self.path
        )
        cols = _columns(self.con, "tags")
        parent = "parent_id" if "parent_id" in cols else "NULL"
        desc = "description" if "description" in cols else "NULL"
        rows = self.con.execute(
            f"SELECT id, path, {desc}, {parent} FROM tags{where} ORDER BY id", args
        ).fetchall()
        tags = {
            int(i): {
                "tag_id": int(i),
                "name": str(p),
                "description": d,
                "parent_tag_id": int(par) if par is not None else None,
            }
            for i, p, d, par in rows
        }
        nested = any(t["parent_tag_id"] is not None for t in tags.values())
        names = [t["name"] for t in tags.values()]
        if not nested and self.sep is None:
            dotted = looks_dotted(names)
            if dotted:
                warnings.warn(
                    f"{self.path}: {len(dotted)} tag name(s) look like a hierarchy written with '.' "
                    f"(for example {dotted[0]!r}); they are kept as single names. To read them as "
                    "levels, pass level_separator='.'",
                    DataWarning,
                    stacklevel=4,
                )
        for t in tags.values():
            if nested:
                chain, seen, cur = [], set(), t
                while cur is not None and cur["tag_id"] not in seen:
                    seen.add(cur["tag_id"])
                    chain.append(cur["name"])
                    cur = tags.get(cur["parent_tag_id"]) if cur["parent_tag_id"] is not None else None
                levels = chain[::-1]
            elif self.sep is not None:
                levels = [p.strip() for p in t["name"].split(self.sep)]
            else:
                levels = [t["name"]]
            t["code_path"] = join_code_path(levels)
            t["depth"] = len(levels) - 1
        return list(tags.values())

    def _highlights(self, pid: int | None, docs: list[dict]) -> tuple[list[dict], list[tuple[int, int]]]:
        lim = self.limits.max_records
        by_id = {d["document_id"]: d for d in docs}
        if pid is not None:
            sql = (
                "SELECT h.id, h.document_id, h.start_offset, h.end_offset, h.snippet FROM highlights h "
                "JOIN documents d ON d.id = h.document_id WHERE d.project_id = ? ORDER BY h.document_id, "
                "h.start_offset, h.id"
            )
            args: tuple = (pid,)
            count = (
                "SELECT count(*) FROM highlights h JOIN documents d ON d.id = h.document_id "
                "WHERE d.project_id = ?"
            )
        else:
            sql = (
                "SELECT id, document_id, start_offset, end_offset, snippet FROM highlights "
                "ORDER BY document_id, start_offset, id"
            )
            args = ()
            count = "SELECT count(*) FROM highlights"
        _count(self.con, count, args, "highlights", lim, self.path)
        maps: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        out: list[dict] = []
        inexact = mismatched = 0
        problems: list[DataProblem] = []
        for hid, did, s, e, snippet in self.con.execute(sql, args):
            doc = by_id.get(did)
            if doc is None:
                continue
            text = doc["text"]
            if did not in maps:
                maps[did] = _byte_to_char(text)
            index, boundary = maps[did]
            nbytes = len(index) - 1
            where = f"{self.path} (table highlights)"
            try:
                s, e = int(s), int(e)
            except (TypeError, ValueError):
                problems.append(
                    DataProblem(where, _row(hid), "start_offset",
                                f"highlight {hid} has positions that are not whole numbers ({s!r}, {e!r})")
                )
                continue
            if not 0 <= s <= e <= nbytes:
                column = "start_offset" if not 0 <= s <= nbytes else "end_offset"
                problems.append(
                    DataProblem(where, _row(hid), column,
                                f"highlight {hid} (bytes {s}-{e}) lies outside the text of document "
                                f"{doc['source_id']!r} (0-{nbytes} bytes)")
                )
                continue
            if not (boundary[s] and boundary[e]):
                inexact += 1
            cs = int(index[s]) + (0 if boundary[s] else 1)
            ce = int(index[e]) + (0 if boundary[e] else 1)
            piece = text[cs:ce]
            if isinstance(snippet, str) and html_text(snippet) != piece:
                mismatched += 1
            out.append(
                {
                    "highlight_id": int(hid),
                    "document_id": int(did),
                    "source_id": doc["source_id"],
                    "start": cs,
                    "end": ce,
                    "text": piece,
                }
            )
        if problems:
            raise DataError.from_problems(problems[:200])
        if inexact:
            warnings.warn(
                f"{self.path}: {inexact} highlight(s) start or end inside a character; moved to the "
                "next character",
                DataWarning,
                stacklevel=4,
            )
        if mismatched:
            warnings.warn(
                f"{self.path}: the stored snippet of {mismatched} highlight(s) differs from the "
                "document's text at its positions; the document's text is used",
                DataWarning,
                stacklevel=4,
            )
        wanted = {h["highlight_id"] for h in out}
        links_sql = "SELECT highlight_id, tag_id FROM highlight_tags ORDER BY highlight_id, tag_id"
        _count(self.con, "SELECT count(*) FROM highlight_tags", (), "highlight tags", lim, self.path)
        links = [(int(h), int(t)) for h, t in self.con.execute(links_sql) if h in wanted]
        return out, links

    def _coders(self, pid: int | None, tables: set[str]) -> dict[int, str]:
        """Who made each highlight, from Taguette's command log (when it was exported with the project)."""
        if "commands" not in tables or not {"user_login", "payload"} <= _columns(self.con, "commands"):
            return {}
        where, args = self._where(pid)
        where = (where + " AND" if where else " WHERE") + " payload LIKE '%highlight_add%'"
        out: dict[int, str] = {}
        cur = self.con.execute(f"SELECT user_login, payload FROM commands{where} ORDER BY id", args)
        for login, payload in cur.fetchmany(self.limits.max_records):
            try:
                p = json.loads(payload)
            except (TypeError, ValueError):
                continue
            if (
                isinstance(p, dict)
                and p.get("type") == "highlight_add"
                and isinstance(p.get("highlight_id"), int)
            ):
                out[p["highlight_id"]] = str(login)
        return out

    def _frames(
        self,
        name: str | None,
        docs: list[dict],
        tags: list[dict],
        hls: list[dict],
        links: list[tuple[int, int]],
        coders: dict[int, str],
    ) -> TaguetteProject:
        tag_by_id = {t["tag_id"]: t for t in tags}
        per_hl: dict[int, list[int]] = {}
        for h, t in links:
            if t in tag_by_id:
                per_hl.setdefault(h, []).append(t)
        counts: dict[int, int] = {}
        seg_rows = []
        for h in hls:
            tag_ids = per_hl.get(h["highlight_id"], [])
            h["n_tags"] = len(tag_ids)
            h["coder"] = coders.get(h["highlight_id"])
            for k, t in enumerate(tag_ids, start=1):
                counts[t] = counts.get(t, 0) + 1
                cp = tag_by_id[t]["code_path"]
                sid = str(h["highlight_id"]) if len(tag_ids) == 1 else f"{h['highlight_id']}:{k}"
                seg_rows.append(
                    {
                        "segment_id": sid,
                        "source_id": h["source_id"],
                        "code_path": cp,
                        "theme": split_code_path(cp)[0],
                        "text": h["text"],
                        "start": h["start"],
                        "end": h["end"],
                        "coder": h["coder"],
                        "code_name": tag_by_id[t]["name"],
                        "tag_id": t,
                        "highlight_id": h["highlight_id"],
                    }
                )
        untagged = sum(1 for h in hls if h["n_tags"] == 0)
        if untagged:
            warnings.warn(
                f"{self.path}: {untagged} highlight(s) have no tag: they are in .highlights, not in "
                ".segments",
                DataWarning,
                stacklevel=3,
            )
        seg_cols = [
            "segment_id",
            "source_id",
            "code_path",
            "theme",
            "text",
            "start",
            "end",
            "coder",
            "code_name",
            "tag_id",
            "highlight_id",
        ]
        segments = pd.DataFrame(seg_rows, columns=seg_cols)
        for c in ("segment_id", "source_id", "code_path", "theme", "text", "code_name"):
            segments[c] = segments[c].astype("str")
        segments["coder"] = segments["coder"].astype(pd.StringDtype(na_value=np.nan))
        for c in ("start", "end"):
            segments[c] = segments[c].astype("Int64")
        for c in ("tag_id", "highlight_id"):
            segments[c] = segments[c].astype("int64")
        highlights = pd.DataFrame(
            hls, columns=["highlight_id", "source_id", "start", "end", "text", "n_tags", "coder"]
        )
        highlights[["start", "end"]] = highlights[["start", "end"]].astype("Int64")
        codes = pd.DataFrame(
            [
                {
                    **{
                        k: t[k]
                        for k in ("tag_id", "name", "code_path", "parent_tag_id", "depth", "description")
                    },
                    "n_highlights": counts.get(t["tag_id"], 0),
                }
                for t in tags
            ],
            columns=["tag_id", "name", "code_path", "parent_tag_id", "depth", "description", "n_highlights"],
        )
        codes["parent_tag_id"] = codes["parent_tag_id"].astype("Int64")
        sources = pd.DataFrame(
            [
                {
                    "document_id": d["document_id"],
                    "source_id": d["source_id"],
                    "description": d["description"],
                    "filename": d["filename"],
                    "n_chars": len(d["text"]),
                }
                for d in docs
            ],
            columns=["document_id", "source_id", "description", "filename", "n_chars"],
        )
        return TaguetteProject(
            codes=codes,
            sources=sources,
            highlights=highlights,
            segments=segments,
            texts={d["source_id"]: d["text"] for d in docs},
            name=name,
            path=str(self.path),
        )

"""Taguette-shaped files written by tests: highlights exports (CSV, XLSX) and project databases (.sqlite3).

The shapes follow Taguette's own export code: the highlights export has the header ``id, document,
tag, content`` with one row per highlight and tag, the content being the highlight's plain text
(Python's csv writer, so rows end in CRLF); an export from one tag lists every tag of each matching
highlight, once per matching tag. The project database has Taguette's tables (projects, documents,
tags, highlights, highlight_tags, commands), documents held as HTML and highlight positions counted in
UTF-8 bytes over the text of that HTML.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import sqlite3
import zipfile
from collections.abc import Sequence
from pathlib import Path

import openpyxl

HEADER = ["id", "document", "tag", "content"]


def write_csv(path: Path, rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER) -> Path:
    """A highlights export as Taguette writes it (csv.writer: CRLF row ends, quotes where needed)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[object]], *, cached: dict[str, str] | None = None) -> Path:
    """A highlights export as an XLSX workbook (sheet ``highlights``).

    A content starting with "=" becomes a formula cell, as Taguette's spreadsheet writer makes it;
    ``cached`` gives the value an office program would have stored for such a formula (keyed by the
    formula without "="), so that a reader of cached values sees that value instead of the text.
    """
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "highlights"
    ws.append(list(HEADER))
    for r in rows:
        ws.append([str(c) for c in r])
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if cached:
        data = _with_cached_values(data, cached)
    path.write_bytes(data)
    return path


def _with_cached_values(data: bytes, cached: dict[str, str]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                text = body.decode("utf-8")
                for formula, value in cached.items():
                    f = html.escape(formula, quote=False)
                    text = text.replace(f"<f>{f}</f><v></v>", f"<f>{f}</f><v>{value}</v>")
                    text = text.replace(f"<f>{f}</f><v />", f"<f>{f}</f><v>{value}</v>")
                body = text.encode("utf-8")
            dst.writestr(info, body)
    return out.getvalue()


# --------------------------------------------------------------------------- project database

SCHEMA = """
CREATE TABLE users (login VARCHAR(30) PRIMARY KEY, created DATETIME);
CREATE TABLE projects (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(200) NOT NULL,
                       description TEXT NOT NULL, created DATETIME);
CREATE TABLE documents (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(200) NOT NULL,
                        description TEXT NOT NULL, filename VARCHAR(200) NOT NULL, created DATETIME,
                        project_id INTEGER NOT NULL REFERENCES projects (id), text_direction VARCHAR(13),
                        contents TEXT NOT NULL);
CREATE TABLE commands (id INTEGER PRIMARY KEY AUTOINCREMENT, date DATETIME, user_login VARCHAR(30),
                       project_id INTEGER, document_id INTEGER, payload TEXT NOT NULL);
CREATE TABLE highlights (id INTEGER PRIMARY KEY AUTOINCREMENT, document_id INTEGER NOT NULL,
                         start_offset INTEGER NOT NULL, end_offset INTEGER NOT NULL, snippet TEXT NOT NULL);
CREATE TABLE tags (id INTEGER PRIMARY KEY AUTOINCREMENT, project_id INTEGER NOT NULL,
                   path VARCHAR(200) NOT NULL, description TEXT NOT NULL{parent}, UNIQUE (project_id, path));
CREATE TABLE highlight_tags (highlight_id INTEGER NOT NULL, tag_id INTEGER NOT NULL,
                             PRIMARY KEY (highlight_id, tag_id));
"""


def plain_to_html(text: str) -> str:
    """A plain-text document as Taguette stores it: one escaped paragraph per line."""
    return "\n".join(f"<p>{html.escape(line, quote=False)}</p>" for line in text.split("\n"))


def html_text_of(doc_html: str) -> str:
    """The text a test expects from Taguette's document HTML (paragraph contents and the newlines between)."""
    return html.unescape(re.sub(r"<[^>]+>", "", doc_html))


class TaguetteDb:
    """Build a Taguette project database: add documents, tags and highlights by their text."""

    def __init__(self, path: Path, *, nested_tags: bool = False, project: str = "Evaluation") -> None:
        self.path = path
        self.con = sqlite3.connect(path)
        self.con.executescript(SCHEMA.format(parent=", parent_id INTEGER" if nested_tags else ""))
        self.con.execute("INSERT INTO users (login) VALUES ('admin')")
        self.project_id = self.add_project(project)
        self.docs: dict[int, str] = {}
        self.nested = nested_tags

    def add_project(self, name: str) -> int:
        cur = self.con.execute("INSERT INTO projects (name, description) VALUES (?, '')", (name,))
        return int(cur.lastrowid)

    def add_document(self, name: str, doc_html: str, project_id: int | None = None) -> int:
        cur = self.con.execute(
            "INSERT INTO documents (name, description, filename, project_id, text_direction, contents) "
            "VALUES (?, '', ?, ?, 'LEFT_TO_RIGHT', ?)",
            (name, f"{name}.txt", project_id or self.project_id, doc_html))
        self.docs[int(cur.lastrowid)] = html_text_of(doc_html)
        return int(cur.lastrowid)

    def add_tag(self, path: str, parent: int | None = None, project_id: int | None = None) -> int:
        if self.nested:
            cur = self.con.execute("INSERT INTO tags (project_id, path, description, parent_id) "
                                   "VALUES (?, ?, '', ?)", (project_id or self.project_id, path, parent))
        else:
            cur = self.con.execute("INSERT INTO tags (project_id, path, description) VALUES (?, ?, '')",
                                   (project_id or self.project_id, path))
        return int(cur.lastrowid)

    def add_highlight(self, doc: int, piece: str, tags: Sequence[int], *, occurrence: int = 0,
                      user: str = "admin", offsets: tuple[int, int] | None = None) -> int:
        """A highlight of the ``occurrence``-th ``piece`` of the document's text, with its byte offsets."""
        text = self.docs[doc]
        at = -1
        for _ in range(occurrence + 1):
            at = text.index(piece, at + 1)
        start = len(text[:at].encode("utf-8"))
        end = start + len(piece.encode("utf-8"))
        if offsets is not None:
            start, end = offsets
        snippet = f"<p>{html.escape(piece, quote=False)}</p>"
        cur = self.con.execute("INSERT INTO highlights (document_id, start_offset, end_offset, snippet) "
                               "VALUES (?, ?, ?, ?)", (doc, start, end, snippet))
        hid = int(cur.lastrowid)
        for t in tags:
            self.con.execute("INSERT INTO highlight_tags VALUES (?, ?)", (hid, t))
        payload = {"type": "highlight_add", "highlight_id": hid, "start_offset": start, "end_offset": end,
                   "tags": list(tags)}
        self.con.execute("INSERT INTO commands (user_login, project_id, document_id, payload) "
                         "VALUES (?, ?, ?, ?)", (user, self.project_id, doc, json.dumps(payload)))
        return hid

    def close(self) -> Path:
        self.con.commit()
        self.con.close()
        return self.path

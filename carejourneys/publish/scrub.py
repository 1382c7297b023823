"""Absolute paths and user names out of what is published.

A report prints what it likes: a parameter holding the data folder, a traceback through the
installed libraries, a working folder. Before a page is rendered, :class:`Scrubber` replaces every
known folder by a short description (``<data folder>``, ``<private working folder>``,
``<python>``, ``~`` for a home folder) and any other home folder (``/home/<user>``,
``/Users/<user>``) by ``~``, in the text a reader can see: streams, errors and tracebacks, text
and HTML outputs (not inline images), cell sources and the build's error message.
"""

from __future__ import annotations

import html
import os
import re
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from carejourneys import config

#: what follows the end of a folder's path: a separator, the end, or a character no path ends with
_END = r"(?=[/\\\s'\"<>:;,()\[\]`|]|&#|&quot;|&lt;|&gt;|\x1b|$)"
#: any user's home folder, on Linux, macOS and Windows
_HOMES = re.compile(r"(?:/home/|/Users/|[A-Za-z]:\\Users\\)[^/\\\s'\"<>]+" + _END)
#: inline images in HTML (left alone: base64 has slashes)
_DATA_URI = re.compile(r"data:[a-z]+/[a-z0-9.+-]+;base64,[A-Za-z0-9+/=\s]+", re.I)
_TEXT_MIMES = ("text/plain", "text/html", "text/markdown", "text/latex", "application/json")


class Scrubber:
    """Replaces known folders (``(folder, description)`` pairs) and home folders in text.

    ``Scrubber.for_build(data_dir=..., outputs=..., work=...)`` knows the build's folders as well
    as the Python installation, the project, the temporary folder and the home folder."""

    def __init__(self, folders: Iterable[tuple[str | os.PathLike | None, str]]) -> None:
        pairs: dict[str, str] = {}
        for folder, description in folders:
            if not folder:
                continue
            for form in {os.fspath(folder), os.path.realpath(folder), os.path.abspath(folder)}:
                form = form.rstrip("/\\")
                if len(form) > 1 and form not in pairs:  # never "/" alone
                    pairs[form] = description
        forms = sorted(pairs, key=len, reverse=True)  # the most precise first
        self.pairs = [(f, pairs[f]) for f in forms]
        alternatives = "|".join(re.escape(v) for f in forms for v in dict.fromkeys((f, html.escape(f))))
        self._known = re.compile(f"(?:{alternatives}){_END}") if forms else None
        self._by_form = {**{html.escape(f): d for f, d in self.pairs}, **dict(self.pairs)}

    @classmethod
    def for_build(cls, *, data_dir: str | os.PathLike | None = None, outputs: str | os.PathLike | None = None,
                  work: str | os.PathLike | None = None,
                  notebooks: str | os.PathLike | None = None) -> Scrubber:
        return cls([
            (data_dir, "<data folder>"), (work, "<private working folder>"), (outputs, "<outputs>"),
            (notebooks, "<notebooks>"), (config.public_dir(), "<public data>"),
            (sys.prefix, "<python>"), (sys.base_prefix, "<python>"), (sys.exec_prefix, "<python>"),
            (config.PROJECT_DIR, "<project>"), (tempfile.gettempdir(), "<temp>"),
            (Path.home(), "~"),
        ])

    def text(self, value: str, *, markup: bool = False) -> str:
        """``value`` with every known folder and home folder replaced (``markup``: by an HTML-escaped
        description, for text that is HTML or markdown)."""
        if not value:
            return value
        if self._known is not None:
            if markup:
                value = self._known.sub(lambda m: html.escape(self._by_form[m.group(0)]), value)
            else:
                value = self._known.sub(lambda m: self._by_form[m.group(0)], value)
        return _HOMES.sub("~", value)

    def html(self, value: str) -> str:
        """As :meth:`text` for HTML, leaving inline ``data:`` images alone."""
        out, last = [], 0
        for m in _DATA_URI.finditer(value):
            out += [self.text(value[last:m.start()], markup=True), m.group(0)]
            last = m.end()
        out.append(self.text(value[last:], markup=True))
        return "".join(out)

    def _value(self, value: Any, *, markup: bool) -> Any:
        scrub = self.html if markup else self.text
        if isinstance(value, str):
            return scrub(value)
        if isinstance(value, list):
            return [scrub(v) if isinstance(v, str) else v for v in value]
        return value

    def notebook(self, nb: Any) -> Any:
        """Scrub an (already copied) notebook in place and return it: sources, streams, errors and
        text outputs; images are left alone."""
        for cell in nb.cells:
            cell["source"] = self._value(cell.get("source", ""), markup=cell.get("cell_type") == "markdown")
            for out in cell.get("outputs", []):
                kind = out.get("output_type")
                if kind == "stream":
                    out["text"] = self._value(out.get("text", ""), markup=False)
                elif kind == "error":
                    out["ename"] = self.text(str(out.get("ename", "")))
                    out["evalue"] = self.text(str(out.get("evalue", "")))
                    out["traceback"] = [self.text(str(line)) for line in out.get("traceback", [])]
                else:
                    data = out.get("data", {})
                    for mime in list(data):
                        if mime in _TEXT_MIMES or mime.startswith("text/"):
                            if mime == "application/json":
                                continue
                            data[mime] = self._value(data[mime], markup=mime != "text/plain")
        return nb

    def leaks(self, text: str) -> list[str]:
        """The known folders and home folders still found in ``text`` (for tests and checks)."""
        found = [m.group(0) for m in self._known.finditer(text)] if self._known is not None else []
        return found + [m.group(0) for m in _HOMES.finditer(text)]

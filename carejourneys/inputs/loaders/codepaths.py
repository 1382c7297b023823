"""Code paths: the levels of a code joined with "/", each level's name kept whole.

A ``code_path`` is the names of a code's levels, top first, joined by ``schemas.CODE_SEPARATOR``
("/"). A name that itself holds a "/" (NVivo's "Housing/accommodation", a Taguette tag
``housing/accommodation``) is written with the slash escaped as ``\\/`` (and a backslash as
``\\\\``), so that it stays one level::

    join_code_path(["Barriers", "Housing/accommodation"])  -> 'Barriers/Housing\\/accommodation'
    split_code_path('Barriers/Housing\\/accommodation')    -> ['Barriers', 'Housing/accommodation']

Paths of names without "/" or "\\" (every code of the bundled codebook) read as before: plain
``"Top/Child"``. Use :func:`split_code_path` (not ``str.split("/")``) to get the names back.

:func:`looks_dotted` spots Taguette's convention of writing a hierarchy into tag names with "."
(``barriers.staffing.turnover``); the readers never apply it unasked (pass ``levels="."``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from carejourneys.inputs.schemas import CODE_SEPARATOR

__all__ = ["escape_level", "join_code_path", "looks_dotted", "split_code_path", "top_level",
           "unescape_level"]

_ESCAPE = "\\"


def escape_level(name: str) -> str:
    """One level's name as written inside a code path ("/" -> "\\/", "\\" -> "\\\\")."""
    if _ESCAPE not in name and CODE_SEPARATOR not in name:
        return name
    return name.replace(_ESCAPE, _ESCAPE * 2).replace(CODE_SEPARATOR, _ESCAPE + CODE_SEPARATOR)


def unescape_level(written: str) -> str:
    """The name of a level written by :func:`escape_level`."""
    parts = split_code_path(written)
    return parts[0] if len(parts) == 1 else CODE_SEPARATOR.join(parts)


def join_code_path(levels: Iterable[str]) -> str:
    """The code path of ``levels`` (top first), each name escaped."""
    return CODE_SEPARATOR.join(escape_level(str(level)) for level in levels)


def split_code_path(path: str) -> list[str]:
    """The names of the levels of ``path`` (inverse of :func:`join_code_path`)."""
    if _ESCAPE not in path:
        return path.split(CODE_SEPARATOR)
    out: list[str] = []
    cur: list[str] = []
    i, n = 0, len(path)
    while i < n:
        ch = path[i]
        if ch == _ESCAPE and i + 1 < n and path[i + 1] in (_ESCAPE, CODE_SEPARATOR):
            cur.append(path[i + 1])
            i += 2
            continue
        if ch == CODE_SEPARATOR:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    out.append("".join(cur))
    return out


def top_level(path: str) -> str:
    """The name of the top level of ``path``."""
    return split_code_path(path)[0]


_DOTTED = re.compile(r"^[^.\s](?:[^.]*[^.\s])?(?:\.[^.\s](?:[^.]*[^.\s])?)+$")


def looks_dotted(names: Sequence[str], *, separator: str = ".") -> list[str]:
    """The names that look like Taguette's dotted hierarchy (``barriers.staffing.turnover``).

    A name counts when it has the separator between non-blank words and at least two names share
    its first part (or its first part is itself a name), which leaves out one-off names such as
    ``Dr. Who`` or ``v1.2``.
    """
    if separator != ".":
        candidates = [n for n in names if separator in n.strip(separator)]
    else:
        candidates = [n for n in names if _DOTTED.match(n)]
    if not candidates:
        return []
    firsts: dict[str, int] = {}
    for n in candidates:
        head = n.split(separator, 1)[0]
        firsts[head] = firsts.get(head, 0) + 1
    known = set(names)
    heads = [n.split(separator, 1)[0] for n in candidates]
    return [n for n, h in zip(candidates, heads, strict=True) if firsts[h] > 1 or h in known]

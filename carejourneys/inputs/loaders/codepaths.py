"""Code paths: the levels of a code joined with "/", each level's name kept whole.

A ``code_path`` is the names of a code's levels, top first, joined by ``schemas.CODE_SEPARATOR``
("/"). A name that itself holds a "/" (NVivo's "Housing/accommodation", a Taguette tag
``housing/accommodation``) is written with the slash percent-escaped as ``%2F``, so that it stays
one level::

    join_code_path(["Barriers", "Housing/accommodation"])  -> 'Barriers/Housing%2Faccommodation'
    split_code_path('Barriers/Housing%2Faccommodation')    -> ['Barriers', 'Housing/accommodation']

The escape never puts a "/" inside a level, so code that splits paths with ``str.split("/")`` or
matches them with ``startswith(parent + "/")`` (the metrics do) still sees one level per name; only
a "%" that would otherwise read as an escape (``%2F``, ``%25``) is itself escaped (``%25``), so
"50% attended" is written as it is. Paths of names without "/" (every code of the bundled
codebook) are unchanged. Use :func:`split_code_path` to get the names back.

:func:`looks_dotted` spots Taguette's convention of writing a hierarchy into tag names with "."
(``barriers.staffing.turnover``); the readers never apply it unasked (pass ``level_separator="."``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from carejourneys.inputs.schemas import CODE_SEPARATOR

__all__ = ["escape_level", "join_code_path", "looks_dotted", "split_code_path", "top_level",
           "unescape_level"]

_AMBIGUOUS_PERCENT = re.compile(r"%(?=2[fF5])")
_ESCAPED = re.compile(r"%2[fF]|%25")


def escape_level(name: str) -> str:
    """One level's name as written inside a code path ("/" -> "%2F"; "%" before "2F"/"25" -> "%25")."""
    if CODE_SEPARATOR not in name and "%" not in name:
        return name
    return _AMBIGUOUS_PERCENT.sub("%25", name).replace(CODE_SEPARATOR, "%2F")


def unescape_level(written: str) -> str:
    """The name of a level written by :func:`escape_level`."""
    if "%" not in written:
        return written
    return _ESCAPED.sub(lambda m: "%" if m.group(0) == "%25" else CODE_SEPARATOR, written)


def join_code_path(levels: Iterable[str]) -> str:
    """The code path of ``levels`` (top first), each name escaped."""
    return CODE_SEPARATOR.join(escape_level(str(level)) for level in levels)


def split_code_path(path: str) -> list[str]:
    """The names of the levels of ``path`` (inverse of :func:`join_code_path`)."""
    return [unescape_level(p) for p in path.split(CODE_SEPARATOR)]


def top_level(path: str) -> str:
    """The name of the top level of ``path``."""
    return split_code_path(path)[0]


_DOTTED = re.compile(r"^[^.\s](?:[^.]*[^.\s])?(?:\.[^.\s](?:[^.]*[^.\s])?)+$")


def looks_dotted(names: Sequence[str], *, separator: str = ".") -> list[str]:
    """The names that look like Taguette's dotted hierarchy (``barriers.staffing.turnover``).

    A name counts when it has the separator between non-blank words, its first part holds a letter,
    and at least two names share that first part (or it is itself a name), which leaves out one-off
    names such as ``Dr. Who`` or ``v1.2`` and numbered codes such as ``1.2 Housing``.
    """
    if separator != ".":
        candidates = [n for n in names if separator in n.strip(separator)]
    else:
        # numbered codes ("1.2 Housing") are numbers, not levels: the first part must hold a letter
        candidates = [n for n in names if _DOTTED.match(n) and any(c.isalpha() for c in n.split(".", 1)[0])]
    if not candidates:
        return []
    firsts: dict[str, int] = {}
    for n in candidates:
        head = n.split(separator, 1)[0]
        firsts[head] = firsts.get(head, 0) + 1
    known = set(names)
    heads = [n.split(separator, 1)[0] for n in candidates]
    return [n for n, h in zip(candidates, heads, strict=True) if firsts[h] > 1 or h in known]

"""Position policies: how REFI-QDA tools count character offsets, and how to tell them apart.

The standard counts Unicode code points from 0, end exclusive. NVivo for Windows counts UTF-16 code
units over CRLF text (without the byte-order mark); ATLAS.ti counts CRLF as one character. A
:class:`TextPositions` holds a source text once normalised to LF and, for each policy, the table that
turns that policy's offsets into code points of the LF text; :func:`choose_policy` scores the policies
on a text's selections (names that repeat the selected text, word boundaries, offsets that fall on
character boundaries).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np

#: position policies: how a tool counted offsets into a text
POLICIES = {
    "codepoints": "Unicode code points over the text as stored, CRLF counted as two (the standard)",
    "codepoints_crlf1": "Unicode code points with CRLF counted as one character (ATLAS.ti)",
    "utf16": "UTF-16 code units over the text as stored, CRLF counted as two, no BOM (NVivo for Windows)",
    "utf16_crlf1": "UTF-16 code units with CRLF counted as one",
}


#: origins whose position policy is known for certain; for these, word boundaries alone never
#: overrule the guess (only selection names or positions that do not fit can)
_KNOWN_ORIGINS = ("nvivo", "atlas", "carejourneys")


def origin_is_known(origin: str | None) -> bool:
    o = (origin or "").lower()
    return any(k in o for k in _KNOWN_ORIGINS)


def guess_policy(origin: str | None) -> str:
    """The position policy a tool is known to use, from the project's ``@origin``."""
    o = (origin or "").lower()
    if "nvivo" in o:
        return "utf16"
    if "atlas" in o:
        return "codepoints_crlf1"
    return "codepoints"


@dataclass
class TextPositions:
    raw: str
    lf: str
    cum: dict[str, np.ndarray]

    @classmethod
    def build(cls, raw: str) -> TextPositions:
        lf = raw.replace("\r\n", "\n")
        crlf_at = np.fromiter((m.start() for m in re.finditer("\r\n", raw)), dtype=np.int64)
        crlf_at = crlf_at - np.arange(len(crlf_at), dtype=np.int64)  # positions in the LF text
        lf = lf.replace("\r", "\n")
        astral = np.fromiter((m.start() for m in re.finditer("[\U00010000-\U0010FFFF]", lf)),
                             dtype=np.int64)
        n = len(lf)
        cum: dict[str, np.ndarray] = {}
        base = np.arange(n + 1, dtype=np.int64)

        def with_extra(idx_lists):
            extra = np.zeros(n + 1, dtype=np.int64)
            for idx in idx_lists:
                if len(idx):
                    np.add.at(extra, idx + 1, 1)
            return base + np.cumsum(extra)

        cum["codepoints_crlf1"] = base
        cum["codepoints"] = with_extra([crlf_at]) if len(crlf_at) else base
        cum["utf16_crlf1"] = with_extra([astral]) if len(astral) else base
        if not len(astral):
            cum["utf16"] = cum["codepoints"]
        elif not len(crlf_at):
            cum["utf16"] = cum["utf16_crlf1"]
        else:
            cum["utf16"] = with_extra([crlf_at, astral])
        return cls(raw, lf, cum)

    def distinct_policies(self) -> list[str]:
        seen: list[str] = []
        out = []
        for p in POLICIES:
            arr = self.cum[p]
            if not any(arr is s for s in seen):
                seen.append(arr)
                out.append(p)
        return out

    def map(self, policy: str, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Offsets under ``policy`` -> (code point offsets in the LF text, exact flags)."""
        cum = self.cum[policy]
        idx = np.searchsorted(cum, offsets, side="left")
        idx = np.clip(idx, 0, len(cum) - 1)
        exact = (cum[idx] == offsets) & (offsets >= 0) & (offsets <= cum[-1])
        return idx, exact


_WS = re.compile(r"\s+")


def _squash(s: str) -> str:
    return _WS.sub(" ", unicodedata.normalize("NFC", s)).strip()


def _name_matches(name: str | None, text: str) -> bool:
    if not name:
        return False
    n = _squash(name).rstrip("…").removesuffix("...").rstrip()
    if len(n) < 4:
        return False
    return _squash(text).startswith(n)


def _is_boundary(text: str, i: int) -> bool:
    if i <= 0 or i >= len(text):
        return True
    return not (text[i - 1].isalnum() and text[i].isalnum())


def choose_policy(t: TextPositions, starts: np.ndarray, ends: np.ndarray, names: list[str | None],
                  preferred: str, *, trusted: bool = False) -> tuple[str, dict[str, tuple[int, int, int]]]:
    """Score each distinct policy by (name matches, boundary hits, exact in-range positions).

    Another policy replaces the preferred one when more selection names match under it, or (with
    no names to go by) when more positions fall exactly on characters under it, or, unless the
    origin is ``trusted`` (a tool whose policy is known), when clearly more selections start and
    end on word boundaries.
    """
    scores: dict[str, tuple[int, int, int]] = {}
    policies = t.distinct_policies()
    for p in policies:
        s, se = t.map(p, starts)
        e, ee = t.map(p, ends)
        matches = bounds = 0
        for k in range(len(s)):
            a, b = int(s[k]), int(e[k])
            if names[k] is not None and _name_matches(names[k], t.lf[a:b]):
                matches += 1
            bounds += _is_boundary(t.lf, a) + _is_boundary(t.lf, b)
        scores[p] = (matches, bounds, int((se & ee).sum()))
    # the preferred policy stands for the group of policies identical to it on this text
    pref = next((p for p in policies if t.cum[p] is t.cum[preferred]), policies[0])
    best = pref
    for p in policies:
        if p == pref:
            continue
        m, b, x = scores[p]
        bm, bb, bx = scores[best]
        by_bounds = not trusted and x == bx and b > bb + max(2, len(starts) // 10)
        if m > bm or (m == bm == 0 and (x > bx or by_bounds)):
            best = p
    if t.cum[best] is t.cum[preferred]:  # the guess is among the policies that agree on this text
        scores[preferred] = scores[best]
        best = preferred
    return best, scores



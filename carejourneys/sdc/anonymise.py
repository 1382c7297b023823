"""Offline, deterministic anonymisation of short texts (quotes) before they are published.

:func:`anonymise` replaces, in this order of precedence when matches overlap:

* e-mail addresses -> ``[email]``;
* NHS numbers (ten digits, optionally grouped 3-3-4, with a valid modulus-11 check digit) -> ``[NHS number]``;
* UK telephone numbers (``07700 900123``, ``+44 7700 900123``, ``(01752) 123456``, ``020 7946 0018``)
  -> ``[phone]``;
* UK postcodes (``PL1 2AB``, ``NW10 7NS``) -> ``[postcode]``;
* full dates (``12/03/2005``, ``3rd May 2005``, ``May 3, 2005``, ``2005-05-03``) that are dates of birth
  -> ``[date of birth]``: a date is taken as a date of birth when "born", "birth", "birthday" or "DOB"
  comes shortly before it (within 30 characters, after any earlier date), or when its year lies in
  ``dob_years`` (by default 1990-2012, the birth years of the young people such a programme works
  with); other dates are left as they are;
* a title followed by a capitalised word (``Mrs Patel``, ``Dr. Okafor``) -> ``[name]``;
* every term of a deny list (names, places, services, organisations), whole words, case-insensitive,
  longest first -> ``[name]``, ``[place]``, ``[service]``, ``[organisation]``.

It returns the new text and a replacement log (what was replaced, where, by which rule). The log holds
the identifiers themselves: write it beside the outputs (:func:`write_replacement_log`), never into HTML.
The same input always gives the same output; nothing leaves the machine.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

LOG_COLUMNS = ["item", "tag", "original", "start", "end", "rule"]

_MONTHS = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
           r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_ORD = r"(?:st|nd|rd|th)?"

EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?!\w)")
NHS = re.compile(r"(?<![\w+])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\w)")
PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"\+44\s?(?:\(0\)\s?)?\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}"  # +44 7700 900123, +44 (0)1752 123456
    r"|\(0\d{2,4}\)\s?\d{3,4}[\s-]?\d{3,4}"  # (01752) 123456
    r"|0\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}"  # 07700 900123, 020 7946 0018, 0117 496 0123
    r")(?!\w)")
POSTCODE = re.compile(r"(?<!\w)(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})(?!\w)",
                      re.IGNORECASE)
DATE = re.compile(
    r"(?<!\w)(?:"
    r"(?P<d1>\d{1,2})[/.-](?P<m1>\d{1,2})[/.-](?P<y1>(?:19|20)?\d{2})"
    r"|(?P<y2>(?:19|20)\d{2})-(?P<m2>\d{2})-(?P<d2>\d{2})"
    rf"|(?P<d3>\d{{1,2}}){_ORD}\s+(?:of\s+)?{_MONTHS}\.?,?\s+(?P<y3>(?:19|20)\d{{2}})"
    rf"|{_MONTHS}\.?\s+(?P<d4>\d{{1,2}}){_ORD},?\s+(?P<y4>(?:19|20)\d{{2}})"
    r")(?!\w)", re.IGNORECASE)
BIRTH_CONTEXT = re.compile(r"\b(?:born|birth|birthday|d\.?o\.?b\.?)\b", re.IGNORECASE)
_TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)"
TITLE_NAME = re.compile(rf"(?<!\w){_TITLES}\.?\s+[A-Z][\w'’-]+(?:\s+(?!{_TITLES}\b)[A-Z][\w'’-]+)?")


@dataclass(frozen=True)
class Replacement:
    """One replacement: the ``original`` text at ``start``-``end`` (code points, in the input) became
    ``[tag]``."""

    tag: str
    original: str
    start: int
    end: int
    rule: str


@dataclass(frozen=True)
class Anonymised:
    """The anonymised ``text`` and the ``replacements`` made (in order of position)."""

    text: str
    replacements: tuple[Replacement, ...]

    def log(self, item: object = None) -> pd.DataFrame:
        """The replacements as a table (``item`` names the text, e.g. a quote number)."""
        return pd.DataFrame([{"item": item, "tag": r.tag, "original": r.original, "start": r.start,
                              "end": r.end, "rule": r.rule} for r in self.replacements], columns=LOG_COLUMNS)


def nhs_number_valid(digits: str) -> bool:
    """The NHS number modulus-11 check: weights 10..2 on the first nine digits, check digit last."""
    d = [int(c) for c in digits if c.isdigit()]
    if len(d) != 10:
        return False
    check = 11 - sum(w * x for w, x in zip(range(10, 1, -1), d[:9], strict=True)) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == d[9]


def deny_terms(deny: object, site: str | None = None) -> list[tuple[str, str]]:
    """Normalise a deny list into (term, tag) pairs.

    ``deny`` may be a DataFrame shaped like ``schemas.SOURCES["deny_list"]`` (``site``, ``term``, ``tag``;
    rows for ``site`` and for "all" are used, every row when ``site`` is None), a mapping term -> tag,
    an iterable of (term, tag) pairs, or an iterable of terms (tagged ``name``).
    """
    if deny is None:
        return []
    pairs: list[tuple[str, str]] = []
    if isinstance(deny, pd.DataFrame):
        d = deny
        if site is not None and "site" in d.columns and site != "all":
            d = d[d["site"].astype("str").isin([site, "all"])]
        tags = d["tag"] if "tag" in d.columns else pd.Series("name", index=d.index)
        pairs = [(str(t), str(g)) for t, g in zip(d["term"], tags, strict=True) if pd.notna(t)]
    elif isinstance(deny, Mapping):
        pairs = [(str(t), str(g)) for t, g in deny.items()]
    elif isinstance(deny, Iterable) and not isinstance(deny, str):
        for x in deny:
            if isinstance(x, tuple | list) and len(x) == 2:
                pairs.append((str(x[0]), str(x[1])))
            else:
                pairs.append((str(x), "name"))
    else:
        raise TypeError("deny must be a DataFrame, a mapping term -> tag, or an iterable of terms")
    seen: dict[str, tuple[str, str]] = {}
    for term, tag in pairs:
        term = " ".join(term.split())
        if term and term.lower() not in seen:
            seen[term.lower()] = (term, tag)
    return sorted(seen.values(), key=lambda p: (-len(p[0]), p[0].lower()))


_DENY_CACHE: dict[tuple[tuple[str, str], ...], re.Pattern | None] = {}


def _deny_pattern(terms: list[tuple[str, str]]) -> re.Pattern | None:
    key = tuple(terms)
    if key not in _DENY_CACHE:
        if not terms:
            _DENY_CACHE[key] = None
        else:
            alts = [r"\s+".join(re.escape(w) for w in t.split()) for t, _ in terms]
            _DENY_CACHE[key] = re.compile(r"(?<!\w)(?:" + "|".join(alts) + r")(?!\w)", re.IGNORECASE)
        if len(_DENY_CACHE) > 64:
            _DENY_CACHE.pop(next(iter(_DENY_CACHE)))
    return _DENY_CACHE[key]


def _year(m: re.Match) -> int | None:
    for k in ("y1", "y2", "y3", "y4"):
        y = m.group(k)
        if y:
            y = int(y)
            return y + (2000 if y < 30 else 1900) if y < 100 else y
    return None


def anonymise(text: str, deny: object = None, *, site: str | None = None,
              dob_years: tuple[int, int] = (1990, 2012)) -> Anonymised:
    """Replace identifiers in ``text`` with bracketed tags; see the module docstring for the rules.

    Args:
        text: the text to anonymise.
        deny: the deny list (see :func:`deny_terms`).
        site: with a deny-list DataFrame, use the rows of this site and of "all".
        dob_years: full dates with a year in this range (inclusive) are taken as dates of birth.
    """
    found: list[tuple[int, int, int, str, str]] = []  # (start, -length, priority, tag, rule)

    def add(m: re.Match, tag: str, rule: str, priority: int) -> None:
        found.append((m.start(), -(m.end() - m.start()), priority, tag, rule))

    for m in EMAIL.finditer(text):
        add(m, "email", "email", 0)
    for m in NHS.finditer(text):
        if nhs_number_valid(m.group(0)):
            add(m, "NHS number", "NHS number (valid check digit)", 1)
    for m in PHONE.finditer(text):
        add(m, "phone", "UK telephone number", 2)
    for m in POSTCODE.finditer(text):
        add(m, "postcode", "UK postcode", 3)
    prev_end = 0
    for m in DATE.finditer(text):
        before = text[max(prev_end, m.start() - 30):m.start()]  # no further back than the previous date
        prev_end = m.end()
        y = _year(m)
        if BIRTH_CONTEXT.search(before):
            add(m, "date of birth", "date after a mention of birth", 4)
        elif y is not None and dob_years[0] <= y <= dob_years[1]:
            add(m, "date of birth", f"full date with a year in {dob_years[0]}-{dob_years[1]}", 4)
    terms = deny_terms(deny, site)
    pattern = _deny_pattern(terms)
    if pattern is not None:
        tag_of = {t.lower(): g for t, g in terms}
        for m in pattern.finditer(text):
            tag = tag_of.get(" ".join(m.group(0).split()).lower(), "name")
            add(m, tag, "deny list", 5)
    for m in TITLE_NAME.finditer(text):
        add(m, "name", "title and name", 6)
    # keep the earliest match; at one start, the longest; then the highest priority
    found.sort(key=lambda f: (f[0], f[1], f[2]))
    chosen: list[Replacement] = []
    reach = 0
    for start, neg_len, _, tag, rule in found:
        end = start - neg_len
        if start < reach:
            continue
        chosen.append(Replacement(tag, text[start:end], start, end, rule))
        reach = end
    out = io.StringIO()
    pos = 0
    for r in chosen:
        out.write(text[pos:r.start])
        out.write(f"[{r.tag}]")
        pos = r.end
    out.write(text[pos:])
    return Anonymised(out.getvalue(), tuple(chosen))


def anonymise_many(texts: Iterable[str], deny: object = None, *, items: Iterable[object] | None = None,
                   site: str | None = None, **kwargs) -> tuple[list[str], pd.DataFrame]:
    """Anonymise several texts: (new texts, one replacement log with an ``item`` column)."""
    texts = list(texts)
    items = list(items) if items is not None else list(range(1, len(texts) + 1))
    outs, logs = [], []
    for item, t in zip(items, texts, strict=True):
        a = anonymise(t, deny, site=site, **kwargs)
        outs.append(a.text)
        if a.replacements:
            logs.append(a.log(item))
    log = pd.concat(logs, ignore_index=True) if logs else pd.DataFrame(columns=LOG_COLUMNS)
    return outs, log


def write_replacement_log(log: pd.DataFrame, path: str | Path) -> Path:
    """Write a replacement log as CSV (UTF-8, LF) beside the outputs; never publish it."""
    from carejourneys.inputs.manifest import atomic_write_bytes

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    cols = [c for c in LOG_COLUMNS if c in log.columns] + [c for c in log.columns if c not in LOG_COLUMNS]
    w.writerow(cols)
    for row in log[cols].itertuples(index=False):
        w.writerow(["" if pd.isna(v) else v for v in row])
    path = Path(path)
    atomic_write_bytes(path, buf.getvalue().encode("utf-8"))
    return path

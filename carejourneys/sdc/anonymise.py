"""Offline, deterministic anonymisation of short texts (quotes, free-text fields) before they are published.

The text is first normalised (:func:`normalise_text`: Unicode NFKC, format characters such as soft
hyphens and zero-width spaces removed) so that ``Wil\u00adhelmina`` or a full-width ``ＷＩＬＨＥＬＭＩＮＡ``
is matched like ``Wilhelmina``; matching is case-insensitive where the rule allows. :func:`anonymise`
then replaces, in this order of precedence when matches overlap:

* e-mail addresses, Unicode ones too (``zoë.o'brien@exämple.co.uk``) -> ``[email]``;
* NHS numbers (ten digits, optionally grouped 3-3-4, with a valid modulus-11 check digit) -> ``[NHS number]``;
* National Insurance numbers (``QQ 12 34 56 C``, ``qq123456c``) -> ``[NI number]``;
* unique pupil numbers (a letter, 11 or 12 digits, optionally a final letter) -> ``[UPN]``;
* telephone numbers (``07700 900123``, ``07700.900.123``, ``+44 (0)7700 900123``, ``0044 7700 900123``,
  ``(01752) 123456``, ``020 7946 0018``, other international numbers) -> ``[phone]``;
* web addresses: any ``http(s)://`` or ``www.`` address, profile links without a scheme
  (``instagram.com/...``, ``tiktok.com/@...``, ``x.com/...``, ...) and other ``domain.tld/path``
  links -> ``[link]``; social media handles (``@name``) -> ``[handle]``;
* UK postcodes (``PL1 2AB``, ``NW10 7NS``) -> ``[postcode]``;
* house number and street (``14 Marlowe Road``, ``Flat 3, 22 High St``) -> ``[address]``;
* dates of birth -> ``[date of birth]``: a full date (``12/03/2005``, ``3rd May 2005``, ``May 3, 2005``,
  ``2005-05-03``) when "born", "birth", "birthday" or "DOB" comes shortly before it (within 30
  characters, after any earlier date), or when its year lies in ``dob_years`` (by default 1990-2012,
  the birth years of the young people such a programme works with); and a partial date right after
  "born" (``born May 2006``, ``born in 2006``, ``born on the 3rd of May``); other dates stay;
* a title followed by initials and/or a capitalised word (``Mrs Patel``, ``Dr. Okafor``, ``Ms J. Smith``,
  ``Dr A Patel``), and a name given in so many words ("my name is Kai", "I'm called Jo Reid", "her
  name was Amy") -> ``[name]``;
* every term of a deny list (names, places, services, organisations), whole words, case-insensitive,
  longest first -> ``[name]``, ``[place]``, ``[service]``, ``[organisation]``.

It returns the new text (the input with the matches replaced) and a replacement log (what was
replaced, where in the input, by which rule). The log holds the identifiers themselves: write it to
the private working folder (:func:`write_replacement_log`), never into outputs or HTML. The same
input always gives the same output; anonymising an anonymised text changes nothing; nothing leaves
the machine.

:func:`anonymise_field` is the cheap form for any free-text field that reaches a page (rubric
rationale, systems-change evidence, notes, table cells): text in, text out, numbers returned at once;
:func:`anonymise_frame` applies it to every text cell of a table.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

LOG_COLUMNS = ["item", "tag", "original", "start", "end", "rule"]

_MONTHS = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
           r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_ORD = r"(?:st|nd|rd|th)?"

_UPPER = "".join(re.escape(chr(c)) for c in range(0x530) if chr(c).isupper())
_CAP = rf"[{_UPPER}]"  # a capital letter (Latin, Greek, Cyrillic)

EMAIL = re.compile(r"(?<![\w.+'’%-])[\w.%+'’-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?!\w)")
NHS = re.compile(r"(?<![\w+])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\w)")
NI_NUMBER = re.compile(r"(?<!\w)(?:[A-Z]{2}[ -]?\d{2}[ -]?\d{2}[ -]?\d{2}[ -]?[A-D]"
                       r"|(?i:[a-z]{2}\d{6}[a-d]))(?!\w)")
UPN = re.compile(r"(?<!\w)[A-Za-z]\d{11,12}[A-Za-z]?(?!\w)")
PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|\b00)\s?[1-9]\d{0,2}[\s.-]?(?:\(0\)[\s.-]?)?\d{1,5}(?:[\s.-]?\d{2,5}){1,4}"  # +44 (0)7700 900123
    r"|\(0\d{2,4}\)\s?\d{3,4}(?:[\s.-]?\d{3,4})?"  # (01752) 123456
    r"|\b0\d{2,4}(?:[\s.-]?\d{2,4}){1,3}"  # 07700 900123, 07700.900.123, 020 7946 0018
    r")(?![\w])")
_PUNCT_END = r"""[^\s<>"'.,;:!?)\]}’”]"""
_SOCIAL = (r"(?:instagram\.com|instagr\.am|tiktok\.com|facebook\.com|fb\.com|fb\.me|x\.com|twitter\.com|"
           r"linkedin\.com|snapchat\.com|youtube\.com|youtu\.be|threads\.net|t\.me|wa\.me|"
           r"[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|uk|io|me|co|info|biz|tv|app|page|site|online))")
URL = re.compile(
    rf"(?<![\w@./-])(?:(?:https?://|www\.)[^\s<>\"]*{_PUNCT_END}"
    rf"|(?:[\w-]+\.)*{_SOCIAL}/[^\s<>\"]*{_PUNCT_END})", re.IGNORECASE)
HANDLE = re.compile(r"(?<!@)@(?=[\w.]*[^\W\d_])\w(?:[\w.]*\w)?")
POSTCODE = re.compile(r"(?<!\w)(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})(?!\w)",
                      re.IGNORECASE)
_STREETS = (r"Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Way|Crescent|Cres|Court|Ct|Place|Terrace|"
            r"Tce|Gardens|Gdns|Grove|Hill|Park|Square|Sq|Mews|Row|Walk|Rise|View|Green|Parade|Boulevard|"
            r"Wharf|Quay|Yard|Gate|Vale|Drove|Heights|Meadow|Meadows|Fields|Orchard|Hollow")
ADDRESS = re.compile(
    r"(?<![\w,])(?:(?i:flat|apartment|apt|unit|room|house)\.?\s+\d{1,4}[A-Za-z]?,?\s+)?"
    r"\d{1,3}[A-Za-z]?(?:\s?[-–]\s?\d{1,3}[A-Za-z]?)?,?\s+"
    rf"(?:{_CAP}[\w'’-]*\s+){{1,3}}(?i:{_STREETS})(?!\w)")
DATE = re.compile(
    r"(?<!\w)(?:"
    r"(?P<d1>\d{1,2})[/.-](?P<m1>\d{1,2})[/.-](?P<y1>(?:19|20)?\d{2})"
    r"|(?P<y2>(?:19|20)\d{2})-(?P<m2>\d{2})-(?P<d2>\d{2})"
    rf"|(?P<d3>\d{{1,2}}){_ORD}\s+(?:of\s+)?{_MONTHS}\.?,?\s+(?P<y3>(?:19|20)\d{{2}})"
    rf"|{_MONTHS}\.?\s+(?P<d4>\d{{1,2}}){_ORD},?\s+(?P<y4>(?:19|20)\d{{2}})"
    r")(?!\w)", re.IGNORECASE)
BIRTH_CONTEXT = re.compile(r"\b(?:born|birth|birthday|d\.?o\.?b\.?)\b", re.IGNORECASE)
#: a partial date right after "born": born May 2006, born in 2006, born on the 3rd of May (2006)
BORN = re.compile(
    r"\bborn\s+(?:(?:in|on|during)\s+)?(?:the\s+)?(?P<date>"
    rf"\d{{1,2}}{_ORD}\s+(?:of\s+)?{_MONTHS}\b(?:,?\s+(?:19|20)\d{{2}})?"
    rf"|{_MONTHS}\b(?:\s+\d{{1,2}}{_ORD})?(?:,?\s+(?:of\s+)?(?:19|20)\d{{2}})?"
    r"|(?:19|20)\d{2}|'\d{2})(?!\w)", re.IGNORECASE)
_TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Rev|Revd|Cllr)"
TITLE_NAME = re.compile(
    rf"(?<!\w){_TITLES}\.?\s+(?:{_CAP}\.?(?:\s+|(?={_CAP}))){{0,3}}{_CAP}[\w'’-]+"
    rf"(?:\s+(?!{_TITLES}\b){_CAP}[\w'’-]+)?")
#: a name given in so many words: "my name is Kai", "I'm called Jo Reid", "her name was Amy"
NAME_GIVEN = re.compile(
    r"\b(?i:my\s+name\s+is|my\s+name['’]s|i['’]m\s+called|i\s+am\s+called|call\s+me|"
    r"(?:his|her|their)\s+name\s+(?:is|was))\s+"
    rf"(?P<name>{_CAP}[\w'’-]+(?:\s+{_CAP}[\w'’-]+)?)")
#: format characters (soft hyphen, zero-width spaces and joiners, word joiner, BOM, bidi marks)
_INVISIBLE_CATEGORIES = frozenset({"Cf"})
#: every format (Cf) character of Unicode 15: soft hyphen, zero-width spaces and joiners, word joiner,
#: BOM, bidi controls, ...
_FORMAT_CHARS = re.compile("["
    "\u00AD\u0600-\u0605\u061C\u06DD\u070F\u0890-\u0891\u08E2\u180E\u200B-\u200F\u202A-\u202E"
    "\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB\U000110BD\U000110CD\U00013430-\U00013438"
    "\U0001BCA0-\U0001BCA3\U0001D173-\U0001D17A\U000E0001\U000E0020-\U000E007F"
    "]")
_NUMERIC_ONLY = re.compile(r"[\s\d.,%()+\-–—<>=≤≥/:*x×c]*")


def _phone_ok(s: str) -> bool:
    """Whether a match of :data:`PHONE` has as many digits as a telephone number of its kind: 10-11
    for a UK number, 11-12 after +44 / 0044, 8-15 after another country code."""
    digits = "".join(c for c in s.replace("(0)", "") if c.isdigit())
    if s.startswith(("+", "00")):
        digits = digits[2:] if s.startswith("00") else digits
        return 11 <= len(digits) <= 12 if digits.startswith("44") else 8 <= len(digits) <= 15
    return 10 <= len(digits) <= 11


def phone_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each telephone number in ``text``: a match of :data:`PHONE` with as many digits
    as a number of its kind (a match running on into other numbers is cut back at a separator)."""
    out = []
    pos = 0
    while (m := PHONE.search(text, pos)) is not None:
        s = m.group(0)
        while s and not _phone_ok(s):
            cut = max(s.rfind(" "), s.rfind("."), s.rfind("-"))
            s = s[:cut].rstrip(" .-") if cut > 0 else ""
        if s:
            out.append((m.start(), m.start() + len(s)))
            pos = m.start() + len(s)
        else:
            pos = m.start() + 1
    return out


def normalise_text(text: str) -> str:
    """``text`` in Unicode NFKC with format characters (U+00AD, U+200B-U+200D, U+2060, U+FEFF, ...)
    removed: what both the anonymiser and the output checker match against."""
    if text.isascii():
        return text
    text = _FORMAT_CHARS.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    return _FORMAT_CHARS.sub("", text)


def _normalise_map(text: str) -> tuple[str, list[int], list[int]]:
    """The normalised text and, for each of its characters, the start and end in ``text`` of the
    characters it came from (a base character with its combining marks is one unit); empty lists
    when the text is its own normalised form."""
    if text.isascii() or (unicodedata.is_normalized("NFKC", text) and not _FORMAT_CHARS.search(text)):
        return text, [], []
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        unit = "".join(c for c in text[i:j] if unicodedata.category(c) not in _INVISIBLE_CATEGORIES)
        norm = unicodedata.normalize("NFKC", unit) if unit else ""
        for ch in norm:
            if unicodedata.category(ch) in _INVISIBLE_CATEGORIES:
                continue
            out.append(ch)
            starts.append(i)
            ends.append(j)
        i = j
    return "".join(out), starts, ends


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
    raw: tuple
    if isinstance(deny, pd.DataFrame):
        n = len(deny)
        sites = deny["site"].tolist() if "site" in deny.columns else ["all"] * n
        tags = deny["tag"].tolist() if "tag" in deny.columns else ["name"] * n
        raw = ("frame", site, tuple(zip(sites, deny["term"].tolist(), tags, strict=True)))
    elif isinstance(deny, Mapping):
        raw = ("pairs", tuple((str(t), str(g)) for t, g in deny.items()))
    elif isinstance(deny, Iterable) and not isinstance(deny, str):
        raw = ("pairs", tuple((str(x[0]), str(x[1])) if isinstance(x, tuple | list) and len(x) == 2
                              else (str(x), "name") for x in deny))
    else:
        raise TypeError("deny must be a DataFrame, a mapping term -> tag, or an iterable of terms")
    key = ("terms", raw)
    cached = _DENY_CACHE.get(key)
    if cached is None:
        cached = _DENY_CACHE[key] = _terms(raw)
        _trim_cache()
    return list(cached)


def _terms(raw: tuple) -> tuple[tuple[str, str], ...]:
    if raw[0] == "frame":
        site = raw[1]
        pairs = [(str(t), "name" if _missing(g) else str(g)) for s, t, g in raw[2]
                 if not _missing(t) and (site is None or site == "all" or str(s) in (site, "all"))]
    else:
        pairs = list(raw[1])
    seen: dict[str, tuple[str, str]] = {}
    for term, tag in pairs:
        term = " ".join(normalise_text(term).split())
        if term and term.lower() not in seen:
            seen[term.lower()] = (term, tag)
    return tuple(sorted(seen.values(), key=lambda p: (-len(p[0]), p[0].lower())))


def _missing(v: object) -> bool:
    return v is None or (not isinstance(v, str) and bool(pd.isna(v)))


#: compiled deny-list patterns and normalised deny lists, keyed by their terms (harmless module state:
#: the same key always gives the same value)
_DENY_CACHE: dict[tuple, object] = {}


def _trim_cache() -> None:
    while len(_DENY_CACHE) > 128:
        _DENY_CACHE.pop(next(iter(_DENY_CACHE)))


def _deny_pattern(terms: list[tuple[str, str]]) -> re.Pattern | None:
    if not terms:
        return None
    key = ("pattern", tuple(terms))
    pattern = _DENY_CACHE.get(key)
    if pattern is None:
        alts = [r"\s+".join(re.escape(w) for w in t.split()) for t, _ in terms]
        pattern = _DENY_CACHE[key] = re.compile(r"(?<![\w\[])(?:" + "|".join(alts) + r")(?![\w\]])",
                                                re.IGNORECASE)
        _trim_cache()
    return pattern  # type: ignore[return-value]


def _year(m: re.Match) -> int | None:
    for k in ("y1", "y2", "y3", "y4"):
        y = m.group(k)
        if y:
            y = int(y)
            return y + (2000 if y < 30 else 1900) if y < 100 else y
    return None


#: the tags this module writes; a tag already in a text is kept as it is (anonymising is idempotent)
TAGS = ("email", "NHS number", "NI number", "UPN", "phone", "link", "handle", "postcode", "address",
        "date of birth", "name", "place", "service", "organisation", "redacted")
_TAG = re.compile(r"\[(?:" + "|".join(re.escape(t) for t in TAGS) + r")\]", re.IGNORECASE)


def _found(text: str, terms: list[tuple[str, str]], dob_years: tuple[int, int]
           ) -> list[tuple[int, int, int, str | None, str]]:
    """Every match in (normalised) ``text``: (start, -length, priority, tag, rule); tag None keeps a tag
    that is already there."""
    found: list[tuple[int, int, int, str | None, str]] = []

    def add(start: int, end: int, tag: str | None, rule: str, priority: int) -> None:
        found.append((start, start - end, priority, tag, rule))

    for m in _TAG.finditer(text):
        add(m.start(), m.end(), None, "tag", -1)
    if "@" in text:
        for m in EMAIL.finditer(text):
            add(m.start(), m.end(), "email", "email", 0)
    has_digit = any(c.isdigit() for c in text)
    if has_digit:
        for m in NHS.finditer(text):
            if nhs_number_valid(m.group(0)):
                add(m.start(), m.end(), "NHS number", "NHS number (valid check digit)", 1)
        for m in NI_NUMBER.finditer(text):
            add(m.start(), m.end(), "NI number", "National Insurance number", 1)
        for m in UPN.finditer(text):
            add(m.start(), m.end(), "UPN", "unique pupil number", 1)
        for start, end in phone_spans(text):
            add(start, end, "phone", "telephone number", 2)
    if "/" in text or "www." in text.lower():
        for m in URL.finditer(text):
            add(m.start(), m.end(), "link", "web address", 2)
    if "@" in text:
        for m in HANDLE.finditer(text):
            add(m.start(), m.end(), "handle", "social media handle", 3)
    if has_digit:
        for m in POSTCODE.finditer(text):
            add(m.start(), m.end(), "postcode", "UK postcode", 3)
        for m in ADDRESS.finditer(text):
            add(m.start(), m.end(), "address", "house number and street", 3)
        prev_end = 0
        for m in DATE.finditer(text):
            before = text[max(prev_end, m.start() - 30):m.start()]  # no further back than the previous date
            prev_end = m.end()
            y = _year(m)
            if BIRTH_CONTEXT.search(_TAG.sub(" ", before)):  # a tag is no mention of birth
                add(m.start(), m.end(), "date of birth", "date after a mention of birth", 4)
            elif y is not None and dob_years[0] <= y <= dob_years[1]:
                add(m.start(), m.end(), "date of birth",
                    f"full date with a year in {dob_years[0]}-{dob_years[1]}", 4)
    for m in BORN.finditer(text):
        add(m.start("date"), m.end("date"), "date of birth", "date after 'born'", 4)
    pattern = _deny_pattern(terms)
    if pattern is not None:
        tag_of = {t.lower(): g for t, g in terms}
        for m in pattern.finditer(text):
            add(m.start(), m.end(), tag_of.get(" ".join(m.group(0).split()).lower(), "name"), "deny list", 5)
    for m in TITLE_NAME.finditer(text):
        add(m.start(), m.end(), "name", "title and name", 6)
    for m in NAME_GIVEN.finditer(text):
        add(m.start("name"), m.end("name"), "name", "name given ('my name is ...')", 6)
    return found


def anonymise(text: str, deny: object = None, *, site: str | None = None,
              dob_years: tuple[int, int] = (1990, 2012)) -> Anonymised:
    """Replace identifiers in ``text`` with bracketed tags; see the module docstring for the rules.

    Matching is on the normalised text (:func:`normalise_text`); the returned text is the input with
    the matches replaced (the rest as it was), and each :class:`Replacement` gives the replaced
    characters of the input and their place in it.

    Args:
        text: the text to anonymise.
        deny: the deny list (see :func:`deny_terms`).
        site: with a deny-list DataFrame, use the rows of this site and of "all".
        dob_years: full dates with a year in this range (inclusive) are taken as dates of birth.
    """
    norm, starts, ends = _normalise_map(text)
    found = _found(norm, deny_terms(deny, site), dob_years)
    # overlapping matches merge into one replacement, tagged as the earliest match (at one start, the
    # longest; then the highest priority): nothing of either is left
    found.sort(key=lambda f: (f[0], f[1], f[2]))
    chosen: list[tuple[int, int, str | None, str]] = []
    for start, neg_len, _, tag, rule in found:
        end = start - neg_len
        if chosen and start < chosen[-1][1]:
            s0, e0, t0, r0 = chosen[-1]
            if end > e0:
                chosen[-1] = (s0, end, t0 if t0 is not None else tag, r0 if t0 is not None else rule)
            continue
        chosen.append((start, end, tag, rule))
    chosen = [c for c in chosen if c[2] is not None]
    # back to the input's characters (a unit of the input that gave several normalised characters is
    # replaced whole)
    spans: list[list] = []
    for start, end, tag, rule in chosen:
        raw_start, raw_end = (starts[start], ends[end - 1]) if starts else (start, end)
        if spans and raw_start < spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], raw_end)
            continue
        spans.append([raw_start, raw_end, tag, rule])
    out = io.StringIO()
    pos = 0
    replacements = []
    for raw_start, raw_end, tag, rule in spans:
        out.write(text[pos:raw_start])
        out.write(f"[{tag}]")
        pos = raw_end
        replacements.append(Replacement(tag, text[raw_start:raw_end], raw_start, raw_end, rule))
    out.write(text[pos:])
    return Anonymised(out.getvalue(), tuple(replacements))


def anonymise_field(text: object, deny: object = None, site: str | None = None, **kwargs) -> object:
    """Anonymise one free-text field that reaches a page (a rubric rationale, systems-change evidence,
    a note, a table cell): the text with identifiers replaced by tags (see :func:`anonymise`).

    Anything that is not a string (numbers, None, NA) is returned as it is, and so is a string of
    digits and punctuation too short to be an identifier (``"12"``, ``"45%"``, ``"c"``), without
    matching. Idempotent: ``anonymise_field(anonymise_field(t)) == anonymise_field(t)``.
    """
    if not isinstance(text, str) or not text:
        return text
    if _NUMERIC_ONLY.fullmatch(text) and sum(c.isdigit() for c in text) < 9:
        return text
    return anonymise(text, deny, site=site, **kwargs).text


def anonymise_frame(frame: pd.DataFrame, deny: object = None, site: str | None = None,
                    columns: Iterable[str] | None = None, **kwargs) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell of ``columns`` (default: every column holding text)
    passed through :func:`anonymise_field`; numbers and missing values are left alone. For tables of
    free text that reach a page (rubric rationales, systems-change evidence, notes)."""
    out = frame.copy()
    cols = list(columns) if columns is not None else [
        c for c in out.columns if out[c].dtype == object or pd.api.types.is_string_dtype(out[c].dtype)]
    for c in cols:
        out[c] = out[c].map(lambda v: anonymise_field(v, deny, site, **kwargs), na_action="ignore")
    return out


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


#: a text cell starting with one of these is a formula (or part of one) to a spreadsheet program
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A value as it may be written into a CSV or workbook cell that people open: a text starting with
    ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading ``'`` so that a spreadsheet program shows it as
    text instead of running it as a formula; anything else (numbers, other text, None) is returned as
    it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(values: Iterable[object]) -> list[object]:
    """One row for ``csv.writer``: missing values as empty cells, texts made safe (:func:`safe_cell`)."""
    return ["" if v is None or (not isinstance(v, str) and _missing(v)) else safe_cell(v) for v in values]


def write_replacement_log(log: pd.DataFrame, path: str | Path) -> Path:
    """Write a replacement log as CSV (UTF-8, LF) at ``path``, a private folder: it holds what was
    replaced, so it is never published. Texts that a spreadsheet would take for formulas are written
    with a leading ``'`` (:func:`safe_cell`)."""
    from carejourneys.inputs.manifest import atomic_write_bytes

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    cols = [c for c in LOG_COLUMNS if c in log.columns] + [c for c in log.columns if c not in LOG_COLUMNS]
    w.writerow(csv_row(cols))
    for row in log[cols].itertuples(index=False):
        w.writerow(csv_row(row))
    path = Path(path)
    atomic_write_bytes(path, buf.getvalue().encode("utf-8"))
    return path

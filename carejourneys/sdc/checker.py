"""The output checker: it reads every page as a stranger would, before the page is published.

Two entry points:

* :func:`check_page` ``(html_text, *, name, rules) -> list[Finding]``: one page, as text. The build calls
  it on each staged page *before* moving the page into ``outputs/``, so that no interrupted build can
  leave an unchecked page published (learn the rules once per build with :func:`rules_from_data`);
* :func:`check_outputs`: every ``.html`` file under a folder (the command line, ``python -m
  carejourneys.sdc.checker OUTPUTS``, and a last look over a whole site).

Both return a :class:`Finding` for each of:

* ``identifier``: a person's identifier - any token shaped like the identifiers of the dataset
  the pages were built from (``PLY-YP-012``, ``PA03``, ... : the shapes are learnt from the
  dataset's person-id columns, see :data:`PERSON_ID_COLUMNS`, in every supported format: CSV,
  XLSX/XLSM and REFI-QDA ``.qdpx`` projects, whose case names count too), and, inside tables, any
  value of a numeric identifier column such as SSDA903 ``CHILD``;
* ``row-level table``: a table with a column headed like a person identifier or a date of birth,
  or with two or more cells holding identifiers (one row per person);
* ``small count``: in a table that :func:`carejourneys.render.report.table` flagged as holding counts of
  people (``<table data-cj-counts='["col", ...]' data-cj-threshold="5">``; rows marked
  ``data-cj-events`` count events and are skipped), a count from 1 to the threshold minus one;
* ``undeclared table``: a table with a column of mostly whole numbers (counts, or ``c``) that
  declares neither the people it counts (``data-cj-counts``) nor that it was rendered through the
  disclosure layer (``data-cj-declared="people"`` or ``"none"``);
* ``deny-list term``: a name, place or service of the dataset's deny list (any site, any format)
  that was not replaced by its bracketed tag;
* ``personal detail``: a telephone number, e-mail address, UK postcode, National Insurance number,
  unique pupil number or valid NHS number anywhere in the text a reader sees (page text, ``alt``,
  ``title`` and ``aria-label`` attributes, JSON data behind charts; not style sheets or code);
* ``external resource``: anything the page would fetch from another host (``src``, stylesheet
  links, CSS ``url()``/``@import`` in style sheets and style attributes), since published pages
  must work offline; text that merely shows such markup (escaped, inside a cell) is not one.

Before matching, the page text and the deny terms are normalised alike
(:func:`carejourneys.sdc.anonymise.normalise_text`: NFKC, soft hyphens and zero-width characters
removed, entities decoded), and text split by inline tags (``<b>Wil</b>helmina``) is read whole.

An empty list means the page may be published. :func:`raise_for_findings` turns findings into an
:class:`OutputCheckError` for the build. Findings name the file and the place (table, row, column)
and mask the identifiers and terms they quote, so that a build log or a withheld page does not
repeat the leak.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from carejourneys.errors import BuildError, DataError
from carejourneys.sdc import anonymise as anon

#: columns of the data contract that identify a person (source -> columns)
PERSON_ID_COLUMNS: dict[str, tuple[str, ...]] = {
    "coded_segments": ("speaker_id",),
    "prepost_survey": ("respondent_id",),
    "retrospective_survey": ("respondent_id",),
    "pa_survey": ("pa_id", "young_person_ref"),
    "facilitator_ratings": ("facilitator_id",),
    "participation": ("young_person_id",),
    "young_people": ("young_person_id",),
    "oc3": ("CHILD",),
}
_ID_COLUMN_NAMES = frozenset(c for cols in PERSON_ID_COLUMNS.values() for c in cols)
#: the same, compared as headers are (lower case, spaces and hyphens as _), with QDPX case names
#: (``case``, only from projects)
#: and the speaker columns of coding exports (Taguette, generic long format: see loaders.coded)
_ID_HEADERS = frozenset({c.lower() for c in _ID_COLUMN_NAMES}
                        | {"case", "speaker", "participant", "participant_id"})

#: table headers that name a person identifier or a date of birth (compared lower-case, _ as space)
PERSON_HEADER = re.compile(
    r"^(?:child|dob|date of birth|upn|nhs number|respondent|speaker|full name|"
    r"(?:young person|young people|person|child|respondent|participant|speaker|pa|adviser|facilitator|"
    r"pupil|client|case|care leaver)(?: id| ids| ref| reference| identifier| number| name))$")

KINDS = ("identifier", "row-level table", "small count", "undeclared table", "deny-list term",
         "personal detail", "external resource")

_DATA_URI = re.compile(r"data:[a-z]+/[a-z0-9.+-]+;base64,[A-Za-z0-9+/=\s]+", re.I)
_EXTERNAL = re.compile(r"^\s*(?:https?:)?//", re.I)
_CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+(?:url\(\s*)?['"]?)\s*((?:https?:)?//[^'")\s;]+)""",
                      re.I)
#: personal details searched in the text a reader sees (postcodes in capitals only: page text is not
#: lower-cased, and CSS such as ``h1 2px`` must not count)
_POSTCODE = re.compile(anon.POSTCODE.pattern)
_SUPPRESSED = frozenset({"c", "x", "*", "..", "-", "–", "—", "[c]", "[x]", "<5", "suppressed"})
_INTEGER_CELL = re.compile(r"-?\d{1,3}(?:,\d{3})*(?:\s*\(\s*\d+(?:\.\d+)?\s*%\s*\))?|-?\d+")


@dataclass(frozen=True)
class Finding:
    """One thing in one published page that must not be published."""

    path: str
    kind: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.kind} ({self.where}): {self.message}"


class OutputCheckError(BuildError):
    """The published pages failed the output checker; ``.findings`` lists why."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = list(findings)
        lines = [f"output check failed: {len(self.findings)} finding{'s' * (len(self.findings) != 1)}"]
        lines += [f"  - {f}" for f in self.findings[:50]]
        if len(self.findings) > 50:
            lines.append(f"  ... {len(self.findings) - 50} more")
        super().__init__("\n".join(lines))


@dataclass
class Rules:
    """What the checker looks for, usually learnt from a dataset by :func:`rules_from_data`.

    ``id_patterns``: regexes of identifier shapes (searched anywhere in a page); ``table_ids``:
    identifier values searched in table cells only (purely numeric ones such as SSDA903 CHILD
    would match ordinary numbers elsewhere); ``deny_terms``: (term, tag) pairs; ``threshold``: the
    disclosure threshold used when a table does not state its own; ``unread``: data files that could
    not be read (named in the build log; nothing of them can reach a page either).
    """

    id_patterns: list[re.Pattern] = field(default_factory=list)
    table_ids: frozenset[str] = frozenset()
    deny_terms: list[tuple[str, str]] = field(default_factory=list)
    threshold: int = 5

    unread: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # one pattern for every term (longest first), each match mapped back to its term
        self._deny_of: dict[str, tuple[str, str]] = {}
        for t, tag in self.deny_terms:
            words = anon.normalise_text(t).split()
            if words:
                self._deny_of.setdefault(" ".join(words).lower(), (t, tag))
        self._deny_words = {k: frozenset(_WORD.findall(k)) for k in self._deny_of}
        # identifier shapes made by _shape match whole [\w-] tokens: tested on each distinct token
        simple = [p for p in self.id_patterns if _SIMPLE_SHAPE.fullmatch(p.pattern)]
        self._ids_token = re.compile("|".join(f"(?:{p.pattern})" for p in simple)) if simple else None
        self._ids_other = [p for p in self.id_patterns if not _SIMPLE_SHAPE.fullmatch(p.pattern)]

    def _deny_rx(self, text: str) -> re.Pattern | None:
        """One pattern for the terms whose every word is somewhere in ``text`` (longest first)."""
        words = set(_WORD.findall(text.lower()))
        keys = sorted((k for k, w in self._deny_words.items() if w <= words), key=lambda k: (-len(k), k))
        if not keys:
            return None
        alts = [r"\s+".join(re.escape(w) for w in k.split()) for k in keys]
        return re.compile(r"(?<!\w)(?:" + "|".join(alts) + r")(?!\w)", re.I)

    def _identifiers(self, text: str):
        """Matches of the identifier shapes in ``text``: (offset, token)."""
        if self._ids_token is not None:
            hits = [t for t in set(_TOKEN.findall(text)) if _DIGIT.search(t) and self._ids_token.fullmatch(t)]
            for tok in sorted(hits, key=text.find):
                yield text.find(tok), tok
        for p in self._ids_other:
            for m in p.finditer(text):
                yield m.start(), m.group(0)


def _shape(value: str) -> str | None:
    """A regex for identifiers shaped like ``value``: letters kept, each run of digits any digits
    of that length. None for values without both a letter and a digit (too common to search)."""
    if not (re.search(r"[A-Za-z]", value) and re.search(r"\d", value)) or len(value) < 3:
        return None
    parts = re.split(r"(\d+)", value)
    body = "".join(rf"\d{{{len(p)}}}" if p.isdigit() else re.escape(p) for p in parts if p)
    return rf"(?<![\w-]){body}(?![\w-])"


_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r"[\w-]+")
_DIGIT = re.compile(r"\d")
#: a shape made by _shape: letters, digits, escaped hyphens and digit runs between [\w-] boundaries
_SIMPLE_SHAPE = re.compile(r"\(\?<!\[\\w-\]\)(?:\w|\\-|\\d\{\d+\})+\(\?!\[\\w-\]\)")
_NAME_LIKE = re.compile(r"[^\W\d_][^\W\d_'’.-]+(?:\s+[^\W\d_][^\W\d_'’.-]+)+")


class _Learner:
    """Collects identifier shapes, numeric identifiers and deny terms from frames of any source."""

    def __init__(self) -> None:
        self.shapes: set[str] = set()
        self.numeric: set[str] = set()
        self.terms: set[tuple[str, str]] = set()

    def frame(self, frame, deny: bool = False, qdpx: bool = False) -> None:
        from carejourneys.inputs.loaders.tabular import normalise_header

        cols = {normalise_header(c): c for c in frame.columns}
        if "term" in cols and (deny or {"site", "term", "tag"} <= cols.keys()):
            tags = frame[cols["tag"]].tolist() if "tag" in cols else ["name"] * len(frame)
            for term, tag in zip(frame[cols["term"]].tolist(), tags, strict=True):
                term = "" if _blank(term) else str(term).strip()
                if term:
                    self.terms.add((term, "" if _blank(tag) else str(tag).strip()))
        for key, col in cols.items():
            if key not in _ID_HEADERS or (key == "case" and not qdpx):
                continue
            for v in frame[col].dropna().astype("str").unique().tolist():
                self.value(v.strip(), case=key == "case")

    def value(self, v: str, case: bool = False) -> None:
        if not v:
            return
        s = _shape(v)
        if s:
            self.shapes.add(s)
        elif v.isdigit() and len(v) >= 4:
            self.numeric.add(v)
        elif case and _NAME_LIKE.fullmatch(v) and v[0].isupper():
            self.terms.add((v, "name"))  # a QDPX case named after the person


def _blank(v: object) -> bool:
    import pandas as pd

    return v is None or (not isinstance(v, str) and bool(pd.isna(v))) or not str(v).strip()


def _tables(path: Path):
    """Every sheet of a CSV or Excel file as a frame of strings (:func:`tabular.read_table`)."""
    from carejourneys.inputs.loaders import tabular

    if path.suffix.lower() in tabular.EXCEL_SUFFIXES:
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True)
        try:
            sheets = list(wb.sheetnames)
        finally:
            wb.close()
        return [tabular.read_table(path, sheet=name) for name in sheets]
    return [tabular.read_table(path)]


def rules_from_data(data_dir: str | Path | None = None, threshold: int = 5, *, dataset=None) -> Rules:
    """Learn identifier shapes, numeric identifiers and deny-list terms from a dataset folder.

    ``data_dir`` defaults as for :func:`carejourneys.load_dataset` (``$CAREJOURNEYS_DATA``, else the
    bundled synthetic replica). Every file the dataset loader reads is read, in every supported
    format and with the loader's own readers and header rules, but without validating values, so
    that a dataset with a bad value still teaches the checker its identifiers: every CSV and
    XLSX/XLSM file (every sheet, sub-folders too) with :func:`carejourneys.inputs.loaders.tabular.read_table`,
    and every REFI-QDA ``.qdpx`` project with :func:`carejourneys.inputs.loaders.qdpx.read_qdpx`
    (speaker ids, case names). ``dataset``: a :class:`carejourneys.inputs.dataset.Dataset` already
    loaded (e.g. by the build); its frames are learnt from too. Only a folder that does not exist
    gives rules without identifiers or terms; a file that cannot be read at all is listed in
    ``Rules.unread``.
    """
    if data_dir is None:
        from carejourneys.inputs.dataset import resolve_data_dir

        data_dir = resolve_data_dir(None)
    import zipfile

    from openpyxl.utils.exceptions import InvalidFileException

    from carejourneys.inputs.loaders import tabular

    root = Path(data_dir)
    learn = _Learner()
    unread: list[str] = []
    if dataset is not None:
        for name, frame in getattr(dataset, "frames", {}).items():
            learn.frame(frame, deny=name == "deny_list", qdpx=name == "coded_segments")
    files = sorted(root.rglob("*")) if root.is_dir() else []
    suffixes = {".csv", *tabular.EXCEL_SUFFIXES}
    for path in files:
        parts = path.relative_to(root).parts
        if not path.is_file() or path.name.startswith("~$") or any(x.startswith(".") for x in parts):
            continue  # Excel's lock files, hidden files and folders
        suffix = path.suffix.lower()
        try:
            if suffix in suffixes:
                for frame in _tables(path):
                    learn.frame(frame, deny=path.stem.lower() == "deny_list")
            elif suffix in (".qdpx", ".qde"):
                from carejourneys.inputs.loaders.qdpx import read_qdpx

                project = read_qdpx(path)
                learn.frame(project.segments, qdpx=True)
                if "case" in project.cases.columns:
                    learn.frame(project.cases[["case"]], qdpx=True)
        except (DataError, OSError, ValueError, KeyError, zipfile.BadZipFile, InvalidFileException) as e:
            unread.append(f"{path.relative_to(root).as_posix()}: {type(e).__name__}")
    return Rules([re.compile(s) for s in sorted(learn.shapes)], frozenset(learn.numeric), sorted(learn.terms),
                 threshold, unread)


def _mask(value: str) -> str:
    return value[:3] + "…" if len(value) > 3 else "…"


def _text(el) -> str:
    return " ".join(el.text_content().split())


def _norm_header(text: str) -> str:
    return " ".join(text.replace("_", " ").lower().split())


def _int_or_none(text: str) -> int | None:
    t = text.replace(",", "").strip()
    return int(t) if re.fullmatch(r"-?\d+", t) else None


def _table_label(i: int, table) -> str:
    cap = table.find("caption")
    name = f"table {i}"
    if cap is not None and _text(cap):
        name += f" {_text(cap)[:60]!r}"
    return name


def _check_tables(doc, path: str, rules: Rules) -> list[Finding]:
    out: list[Finding] = []
    for ti, table in enumerate(doc.iter("table"), start=1):
        label = _table_label(ti, table)
        rows = list(table.iter("tr"))
        header_row = next((tr for tr in rows if tr.find("th") is not None and tr.find("td") is None), None)
        headers = [_text(c) for c in header_row if c.tag in ("th", "td")] if header_row is not None else []
        body = [tr for tr in rows if tr is not header_row]
        # row-level: person-identifier headers
        for h in headers:
            if PERSON_HEADER.match(_norm_header(h)) or _norm_header(h).replace(" ", "_") in _ID_COLUMN_NAMES:
                out.append(Finding(path, "row-level table", f"{label}, column {h!r}",
                                   "a column headed like a person identifier or date of birth"))
        # identifiers in cells (numeric ones only count here)
        id_cells: dict[int, int] = {}
        for ri, tr in enumerate(body, start=2):
            for ci, cell in enumerate(c for c in tr if c.tag in ("th", "td")):
                text = _text(cell)
                hit = text in rules.table_ids or next(rules._identifiers(text), None) is not None
                if hit:
                    id_cells[ci] = id_cells.get(ci, 0) + 1
                    if text in rules.table_ids:
                        out.append(Finding(path, "identifier", f"{label}, row {ri}",
                                           f"a person identifier from the data ({_mask(text)})"))
        for ci, n in sorted(id_cells.items()):
            if n >= 2:
                col = headers[ci] if ci < len(headers) else f"#{ci + 1}"
                out.append(Finding(path, "row-level table", f"{label}, column {col!r}",
                                   f"{n} cells hold person identifiers: one row per person"))
        out += _check_counts(table, label, headers, body, path, rules)
        out += _check_declared(table, label, body, path)
    return out


def _check_declared(table, label: str, body: list, path: str) -> list[Finding]:
    """A table with a column of mostly whole numbers must say what it counts (see the module docstring)."""
    if table.get("data-cj-counts") is not None or table.get("data-cj-declared") is not None:
        return []
    columns: dict[int, list[str]] = {}
    for tr in body:
        for ci, cell in enumerate(c for c in tr if c.tag in ("th", "td")):
            if cell.tag == "td" and (text := _text(cell)):
                columns.setdefault(ci, []).append(text)
    wholes = {ci: sum(1 for c in cells if _INTEGER_CELL.fullmatch(c)) for ci, cells in columns.items()}
    if sum(wholes.values()) < 2:
        return []
    for ci, cells in sorted(columns.items()):
        whole = wholes[ci]
        hidden = sum(1 for c in cells if c.lower() in _SUPPRESSED)
        if whole >= 1 and whole + hidden >= len(cells) / 2:
            return [Finding(path, "undeclared table", f"{label}, column {ci + 1}",
                            f"{whole} of {len(cells)} cells are whole numbers, but the table declares "
                            "neither the people it counts (data-cj-counts) nor data-cj-declared: render it "
                            "through cj.report so the disclosure layer protects it")]
    return []


def _check_counts(table, label: str, headers: list[str], body: list, path: str,
                  rules: Rules) -> list[Finding]:
    flag = table.get("data-cj-counts")
    if flag is None:
        return []
    try:
        counted = json.loads(flag)
    except json.JSONDecodeError:
        counted = [c.strip() for c in flag.split("|")]
    counted = {str(c) for c in (counted if isinstance(counted, list) else [counted])}
    try:
        threshold = int(table.get("data-cj-threshold", rules.threshold))
    except ValueError:
        threshold = rules.threshold
    cols = [i for i, h in enumerate(headers) if h in counted]
    out = []
    for ri, tr in enumerate(body, start=2):
        if tr.get("data-cj-events") is not None:
            continue
        cells = [c for c in tr if c.tag in ("th", "td")]
        for ci in cols:
            if ci < len(cells):
                v = _int_or_none(_text(cells[ci]))
                if v is not None and 0 < v < threshold:
                    out.append(Finding(path, "small count", f"{label}, row {ri}, column {headers[ci]!r}",
                                       f"a count of people below the threshold of {threshold} is shown"))
    return out


def _check_external(doc, path: str) -> list[Finding]:
    """Elements that fetch from another host; CSS only in style sheets and style attributes (text that
    shows markup, escaped in a cell, fetches nothing)."""
    out = []
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in ("src", "srcset", "data", "poster"):
            v = el.get(attr)
            if v and _EXTERNAL.match(v):
                out.append(Finding(path, "external resource", f"<{el.tag} {attr}>", f"fetches {v[:80]}"))
        if el.tag == "link" and el.get("href") and _EXTERNAL.match(el.get("href")):
            out.append(Finding(path, "external resource", "<link href>", f"fetches {el.get('href')[:80]}"))
        css = []
        if el.tag == "style":
            css.append(("<style>", el.text or ""))
        if el.get("style"):
            css.append((f"<{el.tag} style>", el.get("style")))
        for where, text in css:
            for m in _CSS_URL.finditer(text):
                out.append(Finding(path, "external resource", where, f"fetches {m.group(1)[:80]}"))
    return out


_READ_ATTRIBUTES = ("alt", "title", "aria-label", "aria-description", "placeholder")
_NOT_READ = frozenset({"style", "template", "noscript"})


def _reader_text(doc) -> tuple[str, str]:
    """The text a reader (or a program reading the page) sees - text outside style sheets and code
    (JSON data scripts included) and the attributes read out - normalised, twice: text nodes joined
    as they are (a word split by inline tags is whole again) and joined by spaces (cells apart)."""
    nodes: list[str] = []
    attrs: list[str] = []

    def walk(el) -> None:
        if not isinstance(el.tag, str):
            return
        attrs.extend(v for a in _READ_ATTRIBUTES if (v := el.get(a)))
        code = el.tag == "script" and "json" not in (el.get("type") or "").lower()
        if el.tag not in _NOT_READ and not code and el.text:
            nodes.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                nodes.append(child.tail)

    walk(doc)
    joined = anon.normalise_text("".join(nodes) + " " + " ".join(attrs))
    spaced = " ".join(anon.normalise_text(" ".join(nodes + attrs)).split())
    return joined, spaced


def _personal_details(text: str) -> list[tuple[str, str]]:
    """(what, token) for each personal detail in ``text``."""
    found: list[tuple[str, str]] = []
    for start, end in anon.phone_spans(text):
        found.append(("a telephone number", text[start:end]))
    if "@" in text:
        found += [("an e-mail address", m.group(0)) for m in anon.EMAIL.finditer(text)]
    found += [("a postcode", m.group(0)) for m in _POSTCODE.finditer(text)]
    found += [("a National Insurance number", m.group(0)) for m in anon.NI_NUMBER.finditer(text)]
    found += [("a unique pupil number", m.group(0)) for m in anon.UPN.finditer(text)]
    found += [("an NHS number", m.group(0)) for m in anon.NHS.finditer(text)
              if anon.nhs_number_valid(m.group(0))]
    return found


def check_html(page: str | bytes, path: str = "<html>", rules: Rules | None = None) -> list[Finding]:
    """Every finding in one HTML page (see the module docstring)."""
    import lxml.html

    rules = rules if rules is not None else Rules()
    raw = page.decode("utf-8", errors="replace") if isinstance(page, bytes) else page
    if not raw.strip():
        return []
    doc = lxml.html.document_fromstring(raw)
    out = _check_tables(doc, path, rules)
    # what identifiers and terms are searched in: the whole page as text (attributes, scripts too;
    # inline images left out, entities decoded), and the reader's text read whole across inline tags
    whole = anon.normalise_text(html_lib.unescape(_DATA_URI.sub(" ", raw)))
    joined, spaced = _reader_text(doc)
    seen: set[str] = set()
    for text in (whole, joined):
        for offset, token in rules._identifiers(text):
            if token not in seen:
                seen.add(token)
                out.append(Finding(path, "identifier", f"offset {offset}",
                                   f"a token shaped like a person identifier ({_mask(token)})"))
    terms: dict[str, int] = {}
    for text in (whole, joined, spaced):
        rx = rules._deny_rx(text)
        for m in rx.finditer(text) if rx is not None else ():
            terms.setdefault(" ".join(m.group(0).split()).lower(), m.start())
    for key, (term, tag) in sorted(rules._deny_of.items(), key=lambda kv: kv[1]):
        if key in terms:
            out.append(Finding(path, "deny-list term", f"offset {terms[key]}",
                               f"a term of the deny list ({_mask(term)}) should have been replaced by "
                               f"[{tag or 'redacted'}]"))
    shown: set[str] = set()
    for what, token in _personal_details(spaced):
        if token not in shown:
            shown.add(token)
            out.append(Finding(path, "personal detail", "page text",
                               f"{what} ({_mask(token)}) should have been replaced by its tag"))
    out += _check_external(doc, path)
    return out


def check_page(html_text: str | bytes, *, name: str, rules: Rules | None = None) -> list[Finding]:
    """Check one page before it is published: the build calls this on each staged page before moving
    it into ``outputs/`` (``name``: the page's path as published, e.g. ``plymouth/01_outcomes.html``;
    ``rules``: from :func:`rules_from_data`, learnt once per build). An empty list: publish it."""
    return check_html(html_text, name, rules)


def html_files(outputs_dir: str | Path) -> list[Path]:
    """The HTML pages under ``outputs_dir``, in a stable order."""
    return sorted(Path(outputs_dir).rglob("*.html"))


def check_outputs(
    outputs_dir: str | Path,
    data_dir: str | Path | None = None,
    threshold: int = 5,
    rules: Rules | None = None,
    files: Iterable[str | Path] | None = None,
) -> list[Finding]:
    """Check every HTML page under ``outputs_dir`` (or just ``files``) against ``rules`` (default:
    learnt from ``data_dir`` by :func:`rules_from_data`). Returns the findings, worst pages first
    in file order; an empty list means the pages may be published."""
    rules = rules if rules is not None else rules_from_data(data_dir, threshold)
    root = Path(outputs_dir)
    out: list[Finding] = []
    for p in (sorted(Path(f) for f in files) if files is not None else html_files(root)):
        try:
            shown = p.relative_to(root).as_posix()
        except ValueError:
            shown = str(p)
        out += check_html(p.read_bytes(), shown, rules)
    return out


def raise_for_findings(findings: list[Finding]) -> None:
    """Raise :class:`OutputCheckError` when there is any finding."""
    if findings:
        raise OutputCheckError(findings)


def main(argv: list[str] | None = None) -> int:
    """``python -m carejourneys.sdc.checker OUTPUTS [--data-dir D] [--threshold N]``: 1 when anything is
    found."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m carejourneys.sdc.checker", description=main.__doc__)
    p.add_argument("outputs", help="folder of built HTML pages")
    p.add_argument("--data-dir", default=None, help="the dataset the pages were built from")
    p.add_argument("--threshold", type=int, default=5, help="disclosure threshold (default 5)")
    args = p.parse_args(argv)
    rules = rules_from_data(args.data_dir, args.threshold)
    findings = check_outputs(args.outputs, rules=rules)
    for f in findings:
        print(f)
    for u in rules.unread:
        print(f"note: a data file could not be read, nothing was learnt from it: {u}")
    print(f"{len(html_files(args.outputs))} page(s) checked, {len(findings)} finding(s)")
    return 1 if findings else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

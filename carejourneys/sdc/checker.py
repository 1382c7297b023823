"""The output checker: the last step of every build, it reads the published HTML as a stranger would.

:func:`check_outputs` scans every ``.html`` file under an outputs folder (:func:`check_html` one page)
and returns a :class:`Finding` for each of:

* ``identifier``: a person's identifier - any token shaped like the identifiers of the dataset
  the pages were built from (``PLY-YP-012``, ``PA03``, ... : the shapes are learnt from the
  dataset's person-id columns, see :data:`PERSON_ID_COLUMNS`), and, inside tables, any value of a
  numeric identifier column such as SSDA903 ``CHILD``;
* ``row-level table``: a table with a column headed like a person identifier or a date of birth,
  or with two or more cells holding identifiers (one row per person);
* ``small count``: in a table that :func:`carejourneys.render.report.table` flagged as holding counts of
  people (``<table data-cj-counts='["col", ...]' data-cj-threshold="5">``; rows marked
  ``data-cj-events`` count events and are skipped), a count from 1 to the threshold minus one;
* ``deny-list term``: a name, place or service of the dataset's ``deny_list.csv`` (any site) that
  was not replaced by its bracketed tag;
* ``external resource``: anything the page would fetch from another host (``src``, stylesheet
  links, CSS ``url()``/``@import``), since published pages must work offline.

An empty list means the pages may be published. :func:`raise_for_findings` turns findings into an
:class:`OutputCheckError` for the build. Findings name the file and the place (table, row, column)
and mask the identifiers and terms they quote, so that a build log or a withheld page does not
repeat the leak.
"""

from __future__ import annotations

import csv
import html as html_lib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from carejourneys.errors import BuildError

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

#: table headers that name a person identifier or a date of birth (compared lower-case, _ as space)
PERSON_HEADER = re.compile(
    r"^(?:child|dob|date of birth|upn|nhs number|respondent|speaker|full name|"
    r"(?:young person|young people|person|child|respondent|participant|speaker|pa|adviser|facilitator|"
    r"pupil|client|case|care leaver)(?: id| ids| ref| reference| identifier| number| name))$")

KINDS = ("identifier", "row-level table", "small count", "deny-list term", "external resource")

_DATA_URI = re.compile(r"data:[a-z]+/[a-z0-9.+-]+;base64,[A-Za-z0-9+/=\s]+", re.I)
_EXTERNAL = re.compile(r"^\s*(?:https?:)?//", re.I)
_CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])\s*((?:https?:)?//[^'")\s]+)""", re.I)


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
    disclosure threshold used when a table does not state its own.
    """

    id_patterns: list[re.Pattern] = field(default_factory=list)
    table_ids: frozenset[str] = frozenset()
    deny_terms: list[tuple[str, str]] = field(default_factory=list)
    threshold: int = 5

    def __post_init__(self) -> None:
        self._deny = [(re.compile(rf"(?<![\w]){re.escape(t)}(?![\w])", re.I), t, tag)
                      for t, tag in self.deny_terms if t.strip()]


def _shape(value: str) -> str | None:
    """A regex for identifiers shaped like ``value``: letters kept, each run of digits any digits
    of that length. None for values without both a letter and a digit (too common to search)."""
    if not (re.search(r"[A-Za-z]", value) and re.search(r"\d", value)) or len(value) < 3:
        return None
    parts = re.split(r"(\d+)", value)
    body = "".join(rf"\d{{{len(p)}}}" if p.isdigit() else re.escape(p) for p in parts if p)
    return rf"(?<![\w-]){body}(?![\w-])"


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def rules_from_data(data_dir: str | Path | None = None, threshold: int = 5) -> Rules:
    """Learn identifier shapes, numeric identifiers and deny-list terms from a dataset folder.

    ``data_dir`` defaults as for :func:`carejourneys.load_dataset` (``$CAREJOURNEYS_DATA``, else the
    bundled synthetic replica). Every CSV file in the folder (sub-folders too) is read as text;
    a missing folder gives rules without identifiers or terms.
    """
    if data_dir is None:
        from carejourneys.inputs.dataset import resolve_data_dir

        data_dir = resolve_data_dir(None)
    root = Path(data_dir)
    shapes: set[str] = set()
    numeric: set[str] = set()
    terms: list[tuple[str, str]] = []
    for path in sorted(root.rglob("*.csv")) if root.is_dir() else []:
        try:
            header, rows = _read_csv(path)
        except (OSError, UnicodeDecodeError, csv.Error):
            continue
        if path.name == "deny_list.csv" and "term" in header:
            terms += [(r["term"].strip(), (r.get("tag") or "").strip())
                      for r in rows if (r.get("term") or "").strip()]
        for col in (c for c in header if c in _ID_COLUMN_NAMES):
            for r in rows:
                v = (r.get(col) or "").strip()
                if not v:
                    continue
                s = _shape(v)
                if s:
                    shapes.add(s)
                elif v.isdigit() and len(v) >= 4:
                    numeric.add(v)
    return Rules([re.compile(s) for s in sorted(shapes)], frozenset(numeric), sorted(set(terms)), threshold)


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
                hit = text in rules.table_ids or any(p.search(text) for p in rules.id_patterns)
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
    return out


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


def _check_external(doc, raw: str, path: str) -> list[Finding]:
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
    for m in _CSS_URL.finditer(raw):
        out.append(Finding(path, "external resource", "CSS", f"fetches {m.group(1)[:80]}"))
    return out


def check_html(page: str | bytes, path: str = "<html>", rules: Rules | None = None) -> list[Finding]:
    """Every finding in one HTML page (see the module docstring)."""
    import lxml.html

    rules = rules if rules is not None else Rules()
    raw = page.decode("utf-8", errors="replace") if isinstance(page, bytes) else page
    if not raw.strip():
        return []
    doc = lxml.html.document_fromstring(raw)
    out = _check_tables(doc, path, rules)
    # text a person or a program can read: everything but inline images, entities decoded
    text = html_lib.unescape(_DATA_URI.sub(" ", raw))
    seen: set[tuple[str, str]] = set()
    for p in rules.id_patterns:
        for m in p.finditer(text):
            if ("identifier", m.group(0)) not in seen:
                seen.add(("identifier", m.group(0)))
                out.append(Finding(path, "identifier", f"offset {m.start()}",
                                   f"a token shaped like a person identifier ({_mask(m.group(0))})"))
    for rx, term, tag in rules._deny:
        m = rx.search(text)
        if m:
            out.append(Finding(path, "deny-list term", f"offset {m.start()}",
                               f"a term of the deny list ({_mask(term)}) should have been replaced by "
                               f"[{tag or 'redacted'}]"))
    out += _check_external(doc, raw, path)
    return out


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
    findings = check_outputs(args.outputs, data_dir=args.data_dir, threshold=args.threshold)
    for f in findings:
        print(f)
    print(f"{len(html_files(args.outputs))} page(s) checked, {len(findings)} finding(s)")
    return 1 if findings else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

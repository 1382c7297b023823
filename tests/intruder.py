"""An intruder who reads a published site and tries to recover withheld counts.

It knows nothing of the package: it reads every ``.html`` page under an outputs folder (every table,
including the numbers behind each chart), treats each ``c`` as an unknown whole number, guesses the
additive relations a careful reader would try, keeps each guess only when every fully shown row or
column agrees with it, and then asks an integer programme (scipy's ``milp``) for the smallest and
largest value of every unknown. A cell whose smallest and largest values agree has been recovered.

Relations it tries (no caption or column name is used; row labels and headers only match tables up):
* inside a table, a column that equals the sum of two other columns, or of all other whole-number
  columns, in every row where all are shown (e.g. "young people" = "came back" + "came once");
* inside a table, a row that equals the sum of all other rows (a total row) in every column shown;
* a column or row without a shown total: its total is assumed known (published somewhere);
* across sites: the same table (same headers, same place on the page) on the pages of every site and
  of ``all``: for each row label and column, the ``all`` cell minus the sites' cells is assumed known
  when it is zero in every fully shown pair, else the ``all`` cell is at least the sites' sum;
* the same number under the same row label and header in two tables of one page is one number;
* statistics: a row that shows a ``c`` and also a number that is not a whole number (a percentage,
  mean, p-value or interval) is reported, since it may narrow the withheld cells.

Each withheld cell is at least 1 when its table shows zeros and does not say that ``c`` may be 0.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from lxml import html as lxml_html

SUPPRESSED = "c"
_INT = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})*$|^[+-]?\d+$")
_NUMBER = re.compile(r"[-+−]?\d+(?:[.,]\d+)*")


@dataclass
class Table:
    page: str  # path relative to the outputs folder
    site: str  # the page's folder
    position: int  # the table's place on its page
    headers: list[str]
    labels: list[str]  # one per row
    cells: list[list[object]]  # int, "c" or text
    zero_may_hide: bool = False

    def int_columns(self) -> list[int]:
        out = []
        for j in range(len(self.headers)):
            col = [row[j] for row in self.cells if j < len(row)]
            ints = [v for v in col if isinstance(v, int)]
            if ints and all(isinstance(v, int) or v == SUPPRESSED or v == "" for v in col):
                out.append(j)
        return out


@dataclass
class Findings:
    # page, table, row, column, value
    pinned: list[tuple[str, int, str, str, float]] = field(default_factory=list)
    statistics: list[tuple[str, int, str, str]] = field(default_factory=list)
    unknowns: int = 0
    relations: int = 0


def _text(el) -> str:
    return " ".join(el.text_content().split())


def _value(text: str) -> object:
    t = text.replace("\u2009", "").strip()
    if t == SUPPRESSED:
        return SUPPRESSED
    if _INT.match(t):
        return int(t.replace(",", ""))
    return t


def read_tables(outputs: Path) -> list[Table]:
    tables = []
    for path in sorted(outputs.rglob("*.html")):
        rel = path.relative_to(outputs).as_posix()
        site = path.parent.name if path.parent != outputs else ""
        doc = lxml_html.fromstring(path.read_bytes())
        for pos, t in enumerate(doc.iter("table")):
            head = t.find(".//thead")
            headers = [_text(th) for th in head.iter("th")] if head is not None else []
            rows = t.findall(".//tbody/tr") or [r for r in t.iter("tr") if r.getparent() is not head]
            labels, cells = [], []
            for r in rows:
                vals = [_value(_text(c)) for c in r if c.tag in ("td", "th")]
                if not vals:
                    continue
                label = next((str(v) for v in vals if isinstance(v, str) and v != SUPPRESSED), "")
                labels.append(label)
                cells.append(vals)
            foot = " ".join(_text(p) for p in t.getparent().iter("p")) if t.getparent() is not None else ""
            width = max((len(r) for r in cells), default=0)
            if len(headers) != width:
                headers = (headers + [f"col{j}" for j in range(width)])[:width]
            tables.append(Table(rel, site, pos, headers, labels, cells,
                                zero_may_hide="may also stand for 0" in foot))
    return tables


class _Model:
    """Unknowns (one per withheld cell) and linear relations over cells."""

    def __init__(self) -> None:
        self.var: dict[tuple[int, int, int], int] = {}  # (table, row, col) -> unknown
        self.where: list[tuple[int, int, int]] = []
        self.lb: list[float] = []
        self.eq: list[tuple[dict[int, float], float]] = []  # sum coef*x == rhs
        self.ge: list[tuple[dict[int, float], float]] = []  # sum coef*x >= rhs

    def unknown(self, key: tuple[int, int, int], lb: float) -> int:
        if key not in self.var:
            self.var[key] = len(self.where)
            self.where.append(key)
            self.lb.append(lb)
        return self.var[key]


def _relation(model: _Model, tables: list[Table], terms: list[tuple[int, int, int, float]],
              kind: str) -> None:
    """Add sum(coef * cell) == known (or >= known) where known is what the shown cells give,
    with hidden cells as unknowns. ``known`` for the equality is computed from the truth only where
    every cell is shown; here the intruder sets it from shown cells and the relation's own value."""
    coef: dict[int, float] = defaultdict(float)
    rhs = 0.0
    for t, i, j, a in terms:
        v = tables[t].cells[i][j]
        if v == SUPPRESSED:
            lb = 0.0 if tables[t].zero_may_hide else 1.0
            coef[model.unknown((t, i, j), lb)] += a
        elif isinstance(v, int):
            rhs -= a * v
        else:
            return
    if not coef:
        return
    (model.eq if kind == "eq" else model.ge).append((dict(coef), rhs))


def _holds(tables, t, rows, cols, relation, support: int = 2) -> bool:
    """A guessed relation holds on every fully shown line, and on at least ``support`` of them
    (one agreeing line is too easily a coincidence)."""
    seen = 0
    for line in relation:
        vals = [tables[t].cells[i][j] for i, j, _ in line]
        if any(not isinstance(v, int) for v in vals):
            continue
        if all(v == 0 for v in vals):
            continue
        seen += 1
        if sum(a * v for (_, _, a), v in zip(line, vals, strict=True)) != 0:
            return False
    return seen >= support


def _statistic(text: str) -> bool:
    """A cell that reads as a number derived from counts: a percentage, mean, p-value, interval or a
    band such as "improved (n=6, 50-59% agree)"; not a label that merely holds digits ("COVID-19",
    "SWEMWBS (7-35)"), an age band ("17-18") or a date."""
    v = text.strip()
    if v in ("", SUPPRESSED) or not _NUMBER.search(v):
        return False
    if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?|\d{4}Q\d|Wave \d+|\d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}", v):
        return False
    if re.fullmatch(r"\d{1,2}\s?[-–]\s?\d{1,2}", v):  # an age band such as "17-18" is a label
        return False
    if "%" in v or re.search(r"\bn\s*=\s*\d", v) or re.search(r"\bp\s*[=<]", v):
        return True
    letters = re.sub(r"\bto\b|not defined", "", v)
    return sum(ch.isalpha() for ch in letters) <= 2


def build_model(tables: list[Table]) -> tuple[_Model, Findings]:
    model, findings = _Model(), Findings()
    # known-total lines: the sum of a column's or row's cells is taken as known (rhs unknown to us,
    # but fixed): express as differences between two views? No: a known total with unknown value
    # is a free parameter; the intruder treats it as known, so the relation is sum(x) == S with S
    # the true sum, which we do not have. Instead we add it as "sum of unknowns == S - shown" with S
    # taken from the truth of the shown... we cannot. So total lines are only used where the total
    # is itself shown in the table (row or column) or across sites.
    for t, tab in enumerate(tables):
        ints = tab.int_columns()
        n = len(tab.cells)
        if not ints or n == 0:
            continue
        ok_rows = [i for i in range(n) if all(j < len(tab.cells[i]) for j in ints)]
        # a column equal to the sum of two others, or of all the others
        for k in ints:
            others = [j for j in ints if j != k]
            candidates = [list(p) for p in itertools.combinations(others, 2)]
            if len(others) > 2:
                candidates.append(others)
            for parts in candidates:
                rel = [[(i, k, -1), *((i, j, 1) for j in parts)] for i in ok_rows]
                if _holds(tables, t, ok_rows, ints, rel):
                    for line in rel:
                        _relation(model, tables, [(t, i, j, a) for i, j, a in line], "eq")
                    findings.relations += 1
        # a row equal to the sum of all other rows
        for r in ok_rows:
            others = [i for i in ok_rows if i != r]
            if len(others) < 2:
                continue
            rel = [[(r, j, -1), *((i, j, 1) for i in others)] for j in ints]
            if _holds(tables, t, ok_rows, ints, rel):
                for line in rel:
                    _relation(model, tables, [(t, i, j, a) for i, j, a in line], "eq")
                findings.relations += 1
        # statistics beside a withheld count
        for i, row in enumerate(tab.cells):
            if SUPPRESSED in row:
                for j, v in enumerate(row):
                    if j != 0 and isinstance(v, str) and _statistic(v):
                        findings.statistics.append((tab.page, tab.position, tab.labels[i], tab.headers[j]))
    # across sites: the same table on every site's page and on the page for all sites
    groups: dict[tuple, dict[str, int]] = defaultdict(dict)
    for t, tab in enumerate(tables):
        name = tab.page.rsplit("/", 1)[-1]
        groups[(name, tab.position, tuple(tab.headers))][tab.site] = t
    for members in groups.values():
        if "all" not in members or len(members) < 3:
            continue
        t_all = members["all"]
        parts = [t for s, t in members.items() if s != "all"]
        ints = tables[t_all].int_columns()
        for i, lab in enumerate(tables[t_all].labels):
            rows = {}
            for t in parts:
                found = [r for r, lab2 in enumerate(tables[t].labels) if lab2 == lab]
                if len(found) == 1:
                    rows[t] = found[0]
            for j in ints:
                terms = [(t_all, i, j, 1.0), *((t, r, j, -1.0) for t, r in rows.items()
                                              if j < len(tables[t].cells[r]))]
                vals = [tables[t].cells[r][c] for t, r, c, _ in terms]
                if all(isinstance(v, int) for v in vals):
                    continue
                # does "all = sum of sites" hold exactly where this table's cells are all shown?
                exact = all(_exact_all(tables, t_all, parts, i2, j2)
                            for i2, j2 in _shown_pairs(tables, t_all, parts))
                _relation(model, tables, terms, "eq" if exact else "ge")
                findings.relations += 1
    # equal numbers under the same label and header in two tables of one page
    return model, findings


def _shown_pairs(tables, t_all, parts):
    for i, _label in enumerate(tables[t_all].labels):
        for j in tables[t_all].int_columns():
            yield i, j


def _exact_all(tables, t_all, parts, i, j) -> bool:
    lab = tables[t_all].labels[i]
    v_all = tables[t_all].cells[i][j]
    if not isinstance(v_all, int):
        return True
    total = 0
    for t in parts:
        found = [r for r, lab2 in enumerate(tables[t].labels) if lab2 == lab]
        if len(found) != 1:
            continue
        v = tables[t].cells[found[0]][j] if j < len(tables[t].cells[found[0]]) else 0
        if not isinstance(v, int):
            return True
        total += v
    return total == v_all


def solve(model: _Model, *, big: float = 100_000.0) -> list[tuple[int, float]]:
    """Unknowns pinned to one value: [(unknown, value)]. Works component by component."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    n = len(model.where)
    if n == 0:
        return []
    # connected components of unknowns through relations
    parent = list(range(n))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for coef, _ in [*model.eq, *model.ge]:
        ks = list(coef)
        for a, b in zip(ks, ks[1:], strict=False):
            parent[find(a)] = find(b)
    comps: dict[int, list[int]] = defaultdict(list)
    for v in range(n):
        comps[find(v)].append(v)
    pinned = []
    for members in comps.values():
        idx = {v: k for k, v in enumerate(members)}
        rows_eq = [(c, r) for c, r in model.eq if next(iter(c)) in idx]
        rows_ge = [(c, r) for c, r in model.ge if next(iter(c)) in idx]
        if not rows_eq and not rows_ge:
            continue
        m = len(members)
        cons = []
        for rows, upper in ((rows_eq, None), (rows_ge, np.inf)):
            if rows:
                a = np.zeros((len(rows), m))
                b = np.array([r for _, r in rows])
                for r, (c, _) in enumerate(rows):
                    for v, x in c.items():
                        a[r, idx[v]] = x
                cons.append(LinearConstraint(a, b, b if upper is None else upper))
        bounds = Bounds([model.lb[v] for v in members], [big] * m)
        for v in members:
            ends = []
            for sign in (1.0, -1.0):
                cost = np.zeros(m)
                cost[idx[v]] = sign
                res = milp(cost, constraints=cons, integrality=np.ones(m), bounds=bounds)
                if res.status != 0:
                    ends = None
                    break
                ends.append(sign * res.fun)
            if ends is not None and abs(ends[0] - ends[1]) < 0.5:
                pinned.append((v, ends[0]))
    return pinned


def attack(outputs: Path) -> Findings:
    tables = read_tables(outputs)
    model, findings = build_model(tables)
    findings.unknowns = len(model.where)
    for v, value in solve(model):
        t, i, j = model.where[v]
        tab = tables[t]
        findings.pinned.append((tab.page, tab.position, tab.labels[i], tab.headers[j], value))
    return findings

"""Statistical disclosure control for every table that is published.

:func:`protect` takes a table and the names of its columns that hold *counts of people* and
returns a copy in which:

* **primary suppression**: every count from 1 to ``threshold - 1`` is replaced by ``"c"``
  (zeros are shown unless ``suppress_zeros=True``: a zero reveals nothing about a person);
* **secondary suppression**: no suppressed cell can be recovered by linear arithmetic from what
  is shown and from the totals that are (or may be) published. The table is read as a set of
  *lines*: each count column (its breakdown rows, and its total row when there is one) and,
  when the table has a total column (``total``/``all``/``overall``) or ``secondary="both"``,
  each row across the count columns. A line without a shown total is assumed to have its total
  published elsewhere (overall sample sizes are publishable). Then, until nothing changes:

  1. a line with exactly one suppressed cell gets a second one: the smallest non-zero count
     that is not a total, else a non-zero total; only when no line can be mended so is a zero
     chosen (one at a time, as a last resort);
  2. a suppressed cell that can still be derived from the lines together (for instance a
     cell that links two otherwise separate groups of suppressed cells) gets a complement
     chosen to make it underivable: the smallest cell that does so, preferring cells on
     the same lines;
  3. when zeros are among the suppressed cells, each suppressed cell's feasible range given
     that counts are never negative is checked with a linear programme and widened the same way.

  The result: for every suppressed cell the smallest and largest values consistent with
  everything shown differ (see :func:`feasible_range`).
* **withheld statistics**: for ``percent_of={"pct": "n"}`` a percentage, mean or median in
  ``pct`` is replaced by ``"c"`` where the ``n`` people it is computed over number fewer than the
  threshold or where ``n`` itself was suppressed; ``percent_of={"pct": ("n", "k")}`` also
  withholds it where its numerator count ``k`` was suppressed (else ``k`` = pct x n).
* **rounding** (optional): ``rounding=5`` or ``10`` rounds every shown count, totals included,
  to the nearest multiple of the base (halves up), after suppression.
* **linked tables**: :func:`protect_together` protects several tables given together (in one
  report) as one problem: a cell with the same row label, column label and value in two tables
  is the same number, so it is suppressed in both or neither and the lines of every table
  constrain it.

Every decision is recorded in ``result.attrs["disclosure"]`` as a list of dicts with the keys
``row`` (position, or ``None`` for a whole column), ``column`` and ``rule`` - never the withheld
value. :func:`log_records` adds the report and table names and the row label (rows counted as in
a spreadsheet: header row 1), and :func:`write_log` writes them as a CSV *beside* the outputs: the
log is for the analyst, never for the published HTML. From a notebook, :func:`emit_log` attaches
records to the cell's output under :data:`LOG_MIMETYPE` (which HTML export does not show) and the
build takes them back out with :func:`take_log` before the page is written.

Limits: the lines are the ones a table shows or implies (each count column, and each row when
rows add up); other relations between tables are only known through :func:`protect_together`.
A zero inside a line whose published total is zero cannot be protected (the total gives it
away) and is left as it is.
"""

from __future__ import annotations

import csv
import functools
import io
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: what a withheld cell shows
SUPPRESSED = "c"
#: attribute of a frame already protected for the whole published site (shown as it stands)
PROTECTED = "cj_protected"
#: labels that mark a total row (index value) or a total column (column name), case-insensitive
TOTAL_LABELS = ("total", "all", "overall")
#: the columns of a disclosure log file, in order
LOG_COLUMNS = ("report", "table", "row", "row_label", "column", "rule")
#: MIME type under which a notebook may carry its tables' log records (HTML export ignores it)
LOG_MIMETYPE = "application/vnd.carejourneys.sdc.disclosure-log+json"

_SECONDARY = ("auto", "both", "columns", "rows", None)
#: complements tried for one exposed cell before the nearest is taken (see :func:`_secondary`)
_CANDIDATES = 6
_EPS = 1e-7


def _is_total(label: object) -> bool:
    if isinstance(label, tuple):
        return any(_is_total(part) for part in label)
    return isinstance(label, str) and label.strip().lower() in TOTAL_LABELS


def _as_list(cols: str | Iterable | None) -> list:
    if cols is None:
        return []
    if isinstance(cols, str | tuple):
        return [cols]
    return list(dict.fromkeys(cols))  # a column named twice is still one column


# --------------------------------------------------------------------------- the problem


@dataclass
class _Cell:
    """One count cell: a variable of the suppression problem."""

    table: int
    row: int  # position in the table
    column: object
    value: float
    total: bool
    hidden: bool = False


@dataclass
class _Problem:
    """Count cells (merged across linked tables) and the lines (linear equalities) between them.

    A line is ``sum(coef * cell) = rhs`` with coefficients +1 for breakdown cells and -1 for a
    shown total (rhs 0), or +1 throughout with rhs the published total when none is shown.
    """

    cells: list[_Cell] = field(default_factory=list)
    where: dict[tuple[int, int, object], int] = field(default_factory=dict)
    lines: list[list[tuple[int, float]]] = field(default_factory=list)
    #: what a reader knows a withheld cell to be at least (1 when zeros are shown: a ``c`` is never 0)
    lb: float = 0.0
    #: cells a reader can pin, by group of hidden cells (see :func:`_exposed`)
    memo: dict[tuple[int, ...], list[int]] = field(default_factory=dict)
    #: the lines each cell is on (built by :func:`_matrix`)
    by_cell: list[list[int]] = field(default_factory=list)
    indexed_lines: int = 0
    #: (row label, column label, value) -> cell of the tables added so far (None: not unique)
    keys: dict[tuple[str, str, float], int | None] = field(default_factory=dict)

    def rhs(self, line: list[tuple[int, float]]) -> float:
        return sum(coef * self.cells[v].value for v, coef in line)

    def hidden(self) -> list[int]:
        return [i for i, c in enumerate(self.cells) if c.hidden]

    def order(self, v: int) -> tuple:
        c = self.cells[v]
        return (c.value == 0, c.total, c.value, c.table, c.row, str(c.column))


def _row_labels(table: pd.DataFrame, count_cols: list) -> list[str]:
    """What identifies each row to a reader: the index and every text column, joined by " · "."""
    parts: list[list] = []
    if not isinstance(table.index, pd.RangeIndex):
        parts.append([" · ".join(map(str, v)) if isinstance(v, tuple) else v for v in table.index])
    parts += [list(table[c]) for c in table.columns
              if c not in count_cols and not pd.api.types.is_numeric_dtype(table[c])]
    if not parts:
        return [str(i) for i in range(len(table))]
    return [" · ".join(_label_text(p[i]) for p in parts) for i in range(len(table))]


def _label_text(value: object) -> str:
    """A label as a reader sees it (dates without a midnight time)."""
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return value.date().isoformat()
    return str(value)


def _total_rows(table: pd.DataFrame, count_cols: list) -> list[int]:
    rows = [i for i, label in enumerate(table.index) if _is_total(label)]
    if not rows:  # a total may also be written in the first text column
        first_text = [c for c in table.columns if c not in count_cols and not
                      pd.api.types.is_numeric_dtype(table[c])][:1]
        if first_text:
            rows = [i for i, v in enumerate(table[first_text[0]]) if _is_total(v)]
    return rows


def _people_rows(table: pd.DataFrame, count_rows: Sequence | pd.Series | None) -> list[bool]:
    if count_rows is None:
        return [True] * len(table)
    rows = [bool(v) for v in (count_rows.tolist() if isinstance(count_rows, pd.Series) else list(count_rows))]
    if len(rows) != len(table):
        raise ValueError(f"count_rows has {len(rows)} values for a table of {len(table)} rows")
    return rows


def _add_table(problem: _Problem, t: int, table: pd.DataFrame, count_cols: list, secondary: str | None,
               link: bool, people: list[bool]) -> None:
    """Add a table's count cells (rows that count people only) and its lines to ``problem``."""
    total_rows = _total_rows(table, count_cols)
    total_cols = [c for c in count_cols if _is_total(c)]
    labels = _row_labels(table, count_cols)
    keep = pd.Series(people, index=table.index)
    values = {c: pd.to_numeric(table[c], errors="coerce").where(keep) for c in count_cols}
    cells = [(i, c, float(v)) for c in count_cols for i, v in enumerate(values[c]) if not pd.isna(v)]
    repeats = Counter((labels[i], str(c), v) for i, c, v in cells)
    for i, c, v in cells:
        key = (labels[i], str(c), v)
        earlier = problem.keys.get(key)
        if link and earlier is not None and repeats[key] == 1:
            var = earlier  # the same number shown in an earlier table
        else:
            var = len(problem.cells)
            problem.cells.append(_Cell(t, i, c, v, i in total_rows or c in total_cols))
        problem.where[(t, i, c)] = var
        if repeats[key] > 1:  # a key that is not unique in a table identifies no cell
            problem.keys[key] = None
        elif key not in problem.keys:
            problem.keys[key] = var

    def add_line(inner: list[tuple[int, object]], totals: list[tuple[int, object]]) -> None:
        inner_vars = [problem.where[k] for k in inner if k in problem.where]
        total_vars = [problem.where[k] for k in totals if k in problem.where]
        if not total_vars:
            if len(inner_vars) >= 2:
                problem.lines.append([(v, 1.0) for v in inner_vars])
            return
        for tv in total_vars:
            problem.lines.append([*((v, 1.0) for v in inner_vars), (tv, -1.0)])

    nrows = len(table)
    do_cols = secondary in ("auto", "both", "columns")
    do_rows = secondary in ("both", "rows") or (secondary == "auto" and bool(total_cols))
    if do_cols:
        for c in count_cols:
            add_line([(t, i, c) for i in range(nrows) if i not in total_rows],
                     [(t, i, c) for i in total_rows])
    if do_rows and len(count_cols) > 1:
        for i in range(nrows):
            add_line([(t, i, c) for c in count_cols if c not in total_cols],
                     [(t, i, c) for c in total_cols])


# --------------------------------------------------------------------------- exposure checks


def _matrix(problem: _Problem, hidden: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The lines that touch the hidden cells, restricted to them: A x = b, shown cells moved to b."""
    if len(problem.by_cell) != len(problem.cells) or problem.indexed_lines != len(problem.lines):
        problem.by_cell = [[] for _ in problem.cells]
        for r, line in enumerate(problem.lines):
            for v, _ in line:
                problem.by_cell[v].append(r)
        problem.indexed_lines = len(problem.lines)
    rows = sorted({r for v in hidden for r in problem.by_cell[v]})
    col = {v: j for j, v in enumerate(hidden)}
    a = np.zeros((len(rows), len(hidden)))
    b = np.zeros(len(rows))
    for k, r in enumerate(rows):
        for v, coef in problem.lines[r]:
            if v in col:
                a[k, col[v]] += coef
            # shown cells: their value moves to the right-hand side, which then holds the hidden part
        b[k] = sum(coef * problem.cells[v].value for v, coef in problem.lines[r] if v in col)
    keep = np.abs(a).sum(axis=1) > 0
    return a[keep], b[keep]


def feasible_range(a: np.ndarray, b: np.ndarray, k: int, lb: float | Sequence[float] = 0.0
                   ) -> tuple[float, float]:
    """The smallest and largest value of unknown ``k`` with ``a @ x == b`` and ``x >= lb`` (one lower
    bound for every unknown, or one each).

    ``a`` and ``b`` describe what a reader knows (lines and shown values); a suppressed cell is
    safe when the two differ. The maximum is ``inf`` when nothing bounds the cell.
    """
    from scipy.optimize import linprog

    n = a.shape[1]
    lows = [float(lb)] * n if isinstance(lb, int | float) else [float(v) for v in lb]
    bounds = [(v, None) for v in lows]
    out = []
    for sign in (1.0, -1.0):
        cost = np.zeros(n)
        cost[k] = sign
        res = linprog(cost, A_eq=a if a.size else None, b_eq=b if a.size else None,
                      bounds=bounds, method="highs")
        if res.status == 3:  # unbounded
            out.append(-math.inf if sign > 0 else math.inf)
        elif res.status != 0:
            raise RuntimeError(f"disclosure audit: linear programme failed ({res.message})")
        else:
            out.append(sign * res.fun)
    return out[0], out[1]


def _components(problem: _Problem, hidden: list[int]) -> list[list[int]]:
    """Hidden cells grouped by the lines that join them (cells of one line are in one group)."""
    parent = {v: v for v in hidden}

    def find(v: int) -> int:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for line in problem.lines:
        vs = [v for v, _ in line if v in parent]
        for a, b in zip(vs, vs[1:], strict=False):
            parent[find(a)] = find(b)
    groups: dict[int, list[int]] = {}
    for v in hidden:
        groups.setdefault(find(v), []).append(v)
    return list(groups.values())


def _exposed(problem: _Problem, hidden: list[int], only: int | None = None) -> list[int]:
    """Hidden cells (or just ``only``) that a reader can pin to a single value.

    Worked out per group of hidden cells joined by lines (lines outside a group say nothing about
    it), each group once per problem: adding a complement changes only its own group."""
    out = []
    for group in _components(problem, hidden):
        if only is not None and only not in group:
            continue
        key = tuple(sorted(group))
        if key not in problem.memo:
            problem.memo[key] = _group_exposed(problem, list(key))
        out += [v for v in problem.memo[key] if only is None or v == only]
    return out


def _group_exposed(problem: _Problem, group: list[int]) -> list[int]:
    a, b = _matrix(problem, group)
    if a.shape[0] == 0:
        return []
    if not any(problem.cells[v].value <= problem.lb for v in group):
        # every value above the lower bound: the true table is an interior point, so only the
        # equalities can pin a cell
        from scipy.linalg import null_space

        ns = null_space(a)
        if ns.shape[1] == 0:
            return list(group)
        return [v for j, v in enumerate(group) if np.abs(ns[j]).max() < _EPS]
    lows = [min(problem.lb, problem.cells[h].value) for h in group]
    return [group[j] for j in _pinned(a, b, lows)]


def _pinned(a: np.ndarray, b: np.ndarray, lows: Sequence[float]) -> list[int]:
    """Unknowns that take one value in every solution of ``a @ x == b, x >= lows``.

    The solutions fill their affine hull: the equalities plus the unknowns that sit at their lower
    bound in every solution. One linear programme lifts as many unknowns off their bounds as it
    can; each unknown it leaves at its bound is checked on its own (is its maximum its bound?). An
    unknown is pinned when it is constant on that hull (its null-space component is zero)."""
    from scipy.linalg import null_space
    from scipy.optimize import linprog

    n = a.shape[1]
    lows = np.asarray(lows, dtype=float)
    a_ub = np.hstack([-np.eye(n), np.eye(n)])
    a_eq = np.hstack([a, np.zeros((a.shape[0], n))]) if a.size else None
    bounded = np.ones(n, dtype=bool)  # not yet lifted off its bound in any solution found
    while bounded.any():
        # variables x (n) and lifts t (n): maximise the lifts of the unknowns still at their bound,
        # with t_j <= x_j - low_j and 0 <= t_j <= 1; an optimum of 0 means none of them can move
        cost = np.concatenate([np.zeros(n), -bounded.astype(float)])
        res = linprog(cost, A_ub=a_ub, b_ub=-lows, A_eq=a_eq, b_eq=b if a.size else None,
                      bounds=[(None, None)] * n + [(0, 1)] * n, method="highs")
        if res.status != 0:
            raise RuntimeError(f"disclosure audit: linear programme failed ({res.message})")
        newly = bounded & (res.x[n:] > 1e-7)
        if not newly.any():
            break
        bounded &= ~newly
    stuck = [int(j) for j in np.flatnonzero(bounded)]
    hull = a
    if stuck:
        hull = np.vstack([a, np.eye(n)[stuck]]) if a.size else np.eye(n)[stuck]
    if hull.shape[0] == 0:
        return []
    ns = null_space(hull)
    if ns.shape[1] == 0:
        return list(range(n))
    return [j for j in range(n) if np.abs(ns[j]).max() < _EPS]


# --------------------------------------------------------------------------- suppression


def _secondary(problem: _Problem) -> list[int]:
    """Add complementary suppressions until no hidden cell can be derived; returns them in order."""
    added: list[int] = []
    # cells that published totals pin down whatever is hidden (a zero total): nothing helps them
    zero_lines = any(all(c > 0 for _, c in line) and problem.rhs(line) == 0 for line in problem.lines)
    hopeless = set(_exposed(problem, list(range(len(problem.cells))))) if zero_lines else set()

    def hide(v: int) -> None:
        problem.cells[v].hidden = True
        added.append(v)

    def lone_lines(nonzero: bool) -> bool:
        """Give each line with one hidden cell a second one; zeros only when ``nonzero`` is False
        and then for one line at a time, so that zero complements are a last resort."""
        changed = False
        for line in problem.lines:
            if sum(problem.cells[v].hidden for v, _ in line) != 1:
                continue
            pool = [v for v, _ in line if not problem.cells[v].hidden
                    and (problem.cells[v].value != 0 or not nonzero)
                    and problem.cells[v].value >= problem.lb]
            if pool:
                hide(min(pool, key=problem.order))
                changed = True
                if not nonzero:
                    return True
        return changed

    while True:
        if lone_lines(nonzero=True) or lone_lines(nonzero=False):
            continue
        hidden = problem.hidden()
        exposed = [v for v in _exposed(problem, hidden) if v not in hopeless]
        if not exposed:
            return added
        k = exposed[0]
        near = {v for line in problem.lines if any(v2 == k for v2, _ in line) for v, _ in line}
        pool = sorted((v for v in range(len(problem.cells))
                       if not problem.cells[v].hidden and problem.cells[v].value >= problem.lb),
                      key=lambda v: (v not in near, *problem.order(v)))
        if not pool:  # everything is hidden already: nothing more can be done
            return added
        choice = pool[0]
        # try the nearest few: any of them will do in the end, as the loop goes on until nothing
        # is exposed; trying every cell of a large problem costs a linear programme each
        for v in pool[:_CANDIDATES]:
            if not _exposed(problem, sorted([*hidden, v]), only=k):
                choice = v
                break
        hide(choice)


def _round(value: float, base: int) -> int:
    return int(math.floor(value / base + 0.5) * base)


def _check_args(table: object, count_cols: list, secondary: object, rounding: object) -> None:
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"protect() needs a DataFrame, not {type(table).__name__}")
    if secondary not in _SECONDARY:
        raise ValueError(f"secondary must be auto, both, columns, rows or None, not {secondary!r}")
    missing = [c for c in count_cols if c not in table.columns]
    if missing:
        raise KeyError(f"count columns not in the table: {missing}; columns are {list(table.columns)}")
    if rounding is not None and (not isinstance(rounding, int) or isinstance(rounding, bool) or rounding < 2):
        raise ValueError(f"rounding must be None or a whole base such as 5 or 10, not {rounding!r}")


def _stats_spec(table: pd.DataFrame, count_cols: list, percent_of: Mapping | str | None
                ) -> dict[object, tuple[object, object | None]]:
    """``{statistic column: (people column, numerator count column or None)}``."""
    if isinstance(percent_of, str):
        n_col = percent_of
        percent_of = {c: n_col for c in table.columns
                      if c not in count_cols and c != n_col and pd.api.types.is_numeric_dtype(table[c])}
    spec: dict[object, tuple[object, object | None]] = {}
    for col, base in dict(percent_of or {}).items():
        n_col, num_col = (base if isinstance(base, tuple) and len(base) == 2 else (base, None))
        for name in (col, n_col, *([num_col] if num_col is not None else [])):
            if name not in table.columns:
                raise KeyError(f"percent_of names a column not in the table: {col!r} -> {base!r}")
        spec[col] = (n_col, num_col)
    return spec


def _solve(build: Callable[[_Problem], None], threshold: int, suppress_zeros: bool,
           secondary: str | None) -> tuple[_Problem, set[int], set[int], bool]:
    """Build the problem with ``build`` and suppress: primary cells, then complements.

    Zeros are shown unless ``suppress_zeros``; a reader then knows a ``c`` is at least 1, which can
    leave a small count that only a zero could protect. In that case the problem is solved again with
    zeros withheld too (the returned flag says so, and the page's footnote says that in this table a
    ``c`` may be 0). Returns ``(problem, primary, secondary, zeros_withheld)``."""
    for zeros in ((False, True) if not suppress_zeros else (True,)):
        problem = _Problem(lb=0.0 if zeros else 1.0)
        build(problem)
        for cell in problem.cells:
            if 0 < cell.value < threshold or (zeros and cell.value == 0):
                cell.hidden = True
        primary = set(problem.hidden())
        added = set(_secondary(problem)) if secondary is not None else set()
        hopeless = _hopeless(problem)
        if zeros:
            # a zero that the published totals give away whatever is withheld says nothing new
            # when shown (and withheld it would only look protected)
            for v in hopeless:
                if problem.cells[v].value == 0 and problem.cells[v].hidden:
                    problem.cells[v].hidden = False
                    primary.discard(v)
                    added.discard(v)
            return problem, primary, added, zeros
        if secondary is None or not primary:
            return problem, primary, added, zeros
        if not set(_exposed(problem, problem.hidden())) - hopeless:
            return problem, primary, added, zeros
    raise AssertionError("unreachable")  # pragma: no cover


def _hopeless(problem: _Problem) -> set[int]:
    """Cells the lines pin down even with every cell withheld (those of a line whose published total
    is zero): no suppression can protect them, and none is needed for a zero."""
    zero_lines = any(all(c > 0 for _, c in line) and problem.rhs(line) == 0 for line in problem.lines)
    if not zero_lines:
        return set()
    saved = [c.hidden for c in problem.cells]
    memo = dict(problem.memo)
    out = set(_exposed(problem, list(range(len(problem.cells)))))
    for c, h in zip(problem.cells, saved, strict=True):
        c.hidden = h
    problem.memo = memo
    return out


def protect_together(
    tables: Sequence[pd.DataFrame],
    counts: str | Iterable | None = None,
    threshold: int = 5,
    *,
    percent_of: Mapping | str | None | Sequence = None,
    suppress_zeros: bool = False,
    secondary: str | None = "auto",
    rounding: int | None = None,
    link: bool = True,
    count_rows: Sequence | None = None,
    extra_lines: Sequence[Sequence[tuple[int, int, object, float]]] = (),
    total_columns: Sequence[Mapping] | None = None,
    labels: Sequence[Sequence] | None = None,
    withhold_row_statistics: bool = False,
) -> list[pd.DataFrame]:
    """Protect tables shown together as one problem (see the module docstring).

    ``counts`` and ``percent_of`` apply to every table, or give one entry per table as a list
    (``counts=[["brent", "plymouth"], ["n"]]``); so does ``count_rows`` (see :func:`protect`). With
    ``link=True`` cells that share row label, column label and value across tables are treated as
    the same number. ``extra_lines``: further equalities a reader knows, each a list of
    ``(table, row, column, coefficient)`` whose weighted sum of the true values is known (for example
    the ``all`` page = the sum of the sites). ``total_columns``: per table ``{total column: [part
    columns]}`` (a row's parts add up to its total). ``withhold_row_statistics``: every cell of a row
    that holds a withheld count is withheld too, except the row's ``labels`` (per table; by default
    the first column that is not a count).
    """
    tables = list(tables)
    per_table_counts = (counts if isinstance(counts, list) and counts and all(
        isinstance(c, list | tuple | type(None)) for c in counts) and len(counts) == len(tables)
        else [counts] * len(tables))
    per_table_pct = (percent_of if isinstance(percent_of, list) and len(percent_of) == len(tables)
                     else [percent_of] * len(tables))
    count_lists = [_as_list(c) if not isinstance(c, tuple) else list(c) for c in per_table_counts]
    for table, cols in zip(tables, count_lists, strict=True):
        _check_args(table, cols, secondary, rounding)
    specs = [_stats_spec(t, cols, p) for t, cols, p in zip(tables, count_lists, per_table_pct, strict=True)]
    people = [_people_rows(t, r) for t, r in zip(tables, count_rows or [None] * len(tables), strict=True)]
    totals = list(total_columns) if total_columns is not None else [{} for _ in tables]

    def build(problem: _Problem) -> None:
        for t, (table, cols) in enumerate(zip(tables, count_lists, strict=True)):
            _add_table(problem, t, table, cols, secondary, link, people[t])
            for total, parts in (totals[t] or {}).items():
                for i in range(len(table)):
                    inner = [problem.where[(t, i, c)] for c in parts if (t, i, c) in problem.where]
                    tv = problem.where.get((t, i, total))
                    if tv is not None and inner:
                        problem.lines.append([*((v, 1.0) for v in inner), (tv, -1.0)])
        for line in extra_lines:
            known = [(problem.where[(t, i, c)], coef) for t, i, c, coef in line if (t, i, c) in problem.where]
            if len(known) >= 2:
                problem.lines.append(known)

    logs: list[list[dict]] = [[] for _ in tables]
    off = threshold is None or threshold <= 1
    problem, primary, added, zeros_withheld = (_Problem(), set(), set(), False)
    if not off:
        problem, primary, added, zeros_withheld = _solve(build, threshold, suppress_zeros, secondary)
        for (t, i, c), v in sorted(problem.where.items(), key=lambda kv: (kv[0][0], kv[0][1], str(kv[0][2]))):
            if v in primary:
                logs[t].append({"row": i, "column": c, "rule": "primary"})
            elif v in added:
                logs[t].append({"row": i, "column": c, "rule": "secondary"})

    results = []
    for t, (table, cols, spec) in enumerate(zip(tables, count_lists, specs, strict=True)):
        out = table.copy()
        hidden = {(i, c) for (tt, i, c), v in problem.where.items() if tt == t and problem.cells[v].hidden}
        for c in cols:
            mask = [(i, c) in hidden for i in range(len(out))]
            if rounding is None and not any(mask):
                continue
            col = out[c].astype(object)
            if rounding is not None:
                num = pd.to_numeric(table[c], errors="coerce")
                col = pd.Series([v if pd.isna(n) or not p else _round(float(n), rounding)
                                 for v, n, p in zip(col, num, people[t], strict=True)],
                                index=out.index, dtype=object)
                logs[t].append({"row": None, "column": c, "rule": f"rounded to base {rounding}"})
            col[pd.Series(mask, index=out.index)] = SUPPRESSED
            out[c] = col
        if not off:
            _withhold_stats(out, table, spec, hidden, threshold, logs[t])
            if withhold_row_statistics and hidden:
                keep = (labels[t] if labels is not None and labels[t] is not None
                        else [c for c in out.columns if c not in cols][:1])
                _withhold_rows(out, {i for i, _ in hidden}, [*cols, *keep], logs[t])
        out.attrs["disclosure"] = logs[t]
        out.attrs["zeros_withheld"] = bool(zeros_withheld)
        results.append(out)
    return results


def _withhold_rows(out: pd.DataFrame, rows: set[int], keep: list, log: list[dict]) -> None:
    """Withhold every cell of ``rows`` outside ``keep`` (the counts, already protected, and labels):
    a statistic next to a withheld count could give it back."""
    for c in out.columns:
        if c in keep:
            continue
        s = out[c].astype(object)
        changed = [i for i in sorted(rows) if not _blank(s.iloc[i]) and s.iloc[i] != SUPPRESSED]
        if changed:
            for i in changed:
                s.iloc[i] = SUPPRESSED
            out[c] = s
            log += [{"row": i, "column": c, "rule": "statistic in a row with a withheld count"}
                    for i in changed]


def _blank(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) or value == ""


def _withhold_stats(out: pd.DataFrame, table: pd.DataFrame, spec: dict, hidden: set, threshold: int,
                    log: list[dict]) -> None:
    for col, (n_col, num_col) in spec.items():
        n = pd.to_numeric(table[n_col], errors="coerce")
        withhold: list[str | None] = []
        for i in range(len(out)):
            if (i, n_col) in hidden or (not pd.isna(n.iloc[i]) and n.iloc[i] < threshold):
                withhold.append(f"fewer than {threshold} people in {n_col}")
            elif num_col is not None and (i, num_col) in hidden:
                withhold.append(f"its count in {num_col} is suppressed")
            else:
                withhold.append(None)
        if any(withhold):
            s = out[col].astype(object)
            s[pd.Series([w is not None for w in withhold], index=out.index)] = SUPPRESSED
            out[col] = s
            log += [{"row": i, "column": col, "rule": w} for i, w in enumerate(withhold) if w]


def protect(
    table: pd.DataFrame,
    counts: str | Iterable | None = None,
    threshold: int = 5,
    *,
    percent_of: Mapping | str | None = None,
    suppress_zeros: bool = False,
    secondary: str | None = "auto",
    rounding: int | None = None,
    count_rows: Sequence[bool] | pd.Series | None = None,
) -> pd.DataFrame:
    """Return a copy of ``table`` safe to publish (see the module docstring).

    ``counts``: the columns holding counts of people (default: none; a table without counts of
    people passes through unchanged apart from ``percent_of``). ``threshold``: the smallest count
    shown (5 by default; 1 or less turns suppression off). ``percent_of``: ``{column: n_column}``
    (or ``{column: (n_column, numerator_column)}``) for statistics computed over ``n_column``
    people, or one ``n_column`` name that applies to every numeric column that is not a count.
    ``secondary``: ``"auto"`` (columns, plus rows when there is a total column), ``"both"``,
    ``"columns"``, ``"rows"`` or ``None``. ``rounding``: ``None``, ``5`` or ``10``. ``count_rows``: a
    boolean per row saying which rows of the count columns count people (default: every row), for
    tables that mix counts of people with counts of events; the other rows are left as they are
    (never suppressed, never rounded).
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"protect() needs a DataFrame, not {type(table).__name__}")
    cols = _as_list(counts)
    return protect_together([table], [cols], threshold, percent_of=[percent_of],
                            suppress_zeros=suppress_zeros, secondary=secondary, rounding=rounding,
                            count_rows=[count_rows], link=False)[0]


# --------------------------------------------------------------------------- declarations and sites

#: the attribute of a DataFrame that carries its declaration
DECLARED = "cj_declared"


@dataclass(frozen=True)
class Declaration:
    """What a metric says about the table it returns, so that it can be protected without help.

    ``counts``: columns that count people (an empty tuple: the table counts nobody, e.g. dates or
    published statistics). ``total_columns``: ``{total: (parts, ...)}`` where a row's parts add up to
    its total (e.g. young people = came back + came once). ``labels``: columns that name a row (kept
    when the row's statistics are withheld; default: the first column that is not a count).
    ``count_rows``: a column of booleans saying which rows count people (rows counting events are
    left alone), dropped before display. ``percent_of``: as in :func:`protect`. ``secondary``: the
    lines of the table (see :func:`protect`).
    """

    counts: tuple = ()
    total_columns: Mapping = field(default_factory=dict)
    labels: tuple | None = None
    count_rows: str | None = None
    percent_of: Mapping | None = None
    secondary: str | None = "auto"
    #: published statistics that no other page adds up: protected on their own
    standalone: bool = False

    @property
    def people(self) -> bool:
        return bool(self.counts)


def declare(frame: pd.DataFrame, counts: Iterable = (), *, total_columns: Mapping | None = None,
            labels: Iterable | None = None, count_rows: str | None = None, percent_of: Mapping | None = None,
            secondary: str | None = "auto", standalone: bool = False) -> pd.DataFrame:
    """Attach a :class:`Declaration` to ``frame`` (returned, not copied). Metrics end with it."""
    frame.attrs[DECLARED] = Declaration(
        counts=tuple(_as_list(counts)), total_columns=dict(total_columns or {}),
        labels=None if labels is None else tuple(labels), count_rows=count_rows,
        percent_of=None if percent_of is None else dict(percent_of), secondary=secondary,
        standalone=standalone)
    return frame


def declares(counts: Iterable = (), **kwargs) -> Callable:
    """Decorator form of :func:`declare` for a metric returning a DataFrame: ``@declares(["People"])``.
    Columns named in the declaration but absent from a result are left out for that result."""
    def wrap(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def inner(*args, **kw):
            out = fn(*args, **kw)
            if isinstance(out, pd.DataFrame):
                present = [c for c in _as_list(counts) if c in out.columns]
                declare(out, present, **kwargs)
            return out
        inner.__cj_declares__ = True
        return inner
    return wrap


def declaration(frame: pd.DataFrame) -> Declaration | None:
    """The frame's declaration, or None when it has none."""
    d = frame.attrs.get(DECLARED)
    return d if isinstance(d, Declaration) else None


def protect_views(views: Mapping[str, pd.DataFrame | Sequence[pd.DataFrame]], *, threshold: int,
                  total: str | None = "all", show_zeros: bool = True, rounding: int | None = None,
                  withhold_row_statistics: bool = True) -> dict[str, Any]:
    """Protect the same declared table(s) computed for several sites as one problem.

    ``views``: ``{site: table}`` or ``{site: [table, table, ...]}`` (tables shown together on a
    page, such as a summary and its breakdown; the same number under the same row and column label
    in two of them is taken to be one number), each from the same metrics. ``total``: the key of
    the view that sums the others (the ``all`` page), if present: for every row label and count
    column, the total view's cell minus the sites' cells is taken as known to a reader (it is the
    part of other sites, such as national fieldwork), so no withheld cell of a site can be worked
    out from the ``all`` page or the other way round. Every page that shows one of these tables
    computes the same problem, so the pattern of ``c`` is the same on every page. Returns the
    protected tables by site, in the shape given, without the ``count_rows`` helper columns.
    """
    keys = list(views)
    single = all(isinstance(v, pd.DataFrame) for v in views.values())
    per_key = [[views[k]] if isinstance(views[k], pd.DataFrame) else list(views[k]) for k in keys]
    width = len(per_key[0])
    if any(len(v) != width for v in per_key):
        raise ValueError("every site needs the same tables")
    flat = [(a, j, f) for a, frames in enumerate(per_key) for j, f in enumerate(frames)]
    decls = [declaration(f) for _, _, f in flat]
    if any(d is None for d in decls):
        raise UndeclaredTable("a table reached disclosure control without a declaration of its counts of "
                              "people; metrics must declare them (carejourneys.sdc.disclosure.declare)")
    tables, people, count_lists, labels = [], [], [], []
    for (_, _, f), decl in zip(flat, decls, strict=True):
        rows = None
        if decl.count_rows and decl.count_rows in f.columns:
            rows = [bool(v) for v in f[decl.count_rows]]
            f = f.drop(columns=decl.count_rows)
        tables.append(f)
        people.append(rows)
        count_lists.append([c for c in decl.counts if c in f.columns])
        labels.append(list(decl.labels) if decl.labels is not None else None)
    position = {(a, j): n for n, (a, j, _) in enumerate(flat)}
    extra: list[list[tuple[int, int, object, float]]] = []
    if total is not None and total in keys and len(keys) > 1:
        a_all = keys.index(total)
        for j in range(width):
            index = {}
            for a in range(len(keys)):
                n = position[(a, j)]
                labs = _row_labels(tables[n], count_lists[n])
                seen = Counter(labs)
                index[a] = {lab: i for i, lab in enumerate(labs) if seen[lab] == 1}
            t_all = position[(a_all, j)]
            for lab, i_all in index[a_all].items():
                for c in count_lists[t_all]:
                    line = [(t_all, i_all, c, 1.0)]
                    for a in range(len(keys)):
                        n = position[(a, j)]
                        if a != a_all and lab in index[a] and c in count_lists[n]:
                            line.append((n, index[a][lab], c, -1.0))
                    extra.append(line)
    out = protect_together(
        tables, count_lists, threshold, percent_of=[d.percent_of for d in decls],
        suppress_zeros=not show_zeros, secondary=decls[0].secondary, rounding=rounding, link=width > 1,
        count_rows=people, extra_lines=extra, total_columns=[d.total_columns for d in decls],
        labels=labels, withhold_row_statistics=withhold_row_statistics)
    for o, d, rows in zip(out, decls, people, strict=True):
        o.attrs[DECLARED] = d
        o.attrs["people_rows"] = rows
    result: dict[str, Any] = {}
    for a, k in enumerate(keys):
        frames = [out[position[(a, j)]] for j in range(width)]
        result[k] = frames[0] if single else frames
    return result


class UndeclaredTable(TypeError):
    """A table with numbers reached a page without declaring which of its columns count people."""


# --------------------------------------------------------------------------- the log


def log_records(result: pd.DataFrame, table: str, report: str = "") -> list[dict]:
    """The decisions behind one protected table, as rows for :func:`write_log`.

    ``row_label`` is the row's index label (or first text column); withheld values never appear.
    """
    decisions = result.attrs.get("disclosure", [])
    labels = _row_labels(result, list(dict.fromkeys(d["column"] for d in decisions)))
    out = []
    for d in decisions:
        row = d["row"]
        out.append({"report": report, "table": table, "row": "" if row is None else row + 2,
                    "row_label": "" if row is None else labels[row],
                    "column": str(d["column"]), "rule": d["rule"]})
    return out


def write_log(path: str | Path, records: Iterable[Mapping]) -> Path:
    """Write disclosure log records as CSV (columns :data:`LOG_COLUMNS`, rows as given).

    ``row`` is spreadsheet-style like everywhere in the package (header row 1, first row 2).
    Keep the file beside the outputs, never in the published pages. Written atomically.
    """
    from carejourneys.inputs.manifest import atomic_write_bytes

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(LOG_COLUMNS), lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    for r in records:
        w.writerow({k: r.get(k, "") for k in LOG_COLUMNS})
    path = Path(path)
    atomic_write_bytes(path, buf.getvalue().encode("utf-8"))
    return path


def emit_log(records: list[Mapping]) -> None:
    """Attach log records to the running notebook's output under :data:`LOG_MIMETYPE`.

    The HTML export shows nothing for this type; the build takes the records back out of the
    executed notebook with :func:`take_log` and writes them beside the page.
    """
    if not records:
        return
    from IPython.display import display  # a declared dependency; imported here to keep import fast

    display({LOG_MIMETYPE: [dict(r) for r in records]}, raw=True)


def collect_log(notebook: Mapping, report: str = "") -> list[dict]:
    """Log records carried by an executed notebook's outputs under :data:`LOG_MIMETYPE`."""
    records: list[dict] = []
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) or []:
            data = output.get("data", {}) if isinstance(output, Mapping) else {}
            for r in data.get(LOG_MIMETYPE, []) or []:
                records.append({**r, "report": r.get("report") or report})
    return records


def take_log(notebook, report: str = "") -> list[dict]:
    """:func:`collect_log`, then remove those outputs from ``notebook`` (changed in place), so
    that the executed notebook and its page carry no log."""
    records = collect_log(notebook, report)
    for cell in notebook.get("cells", []):
        if cell.get("outputs"):
            cell["outputs"] = [o for o in cell["outputs"]
                               if not (isinstance(o, Mapping) and LOG_MIMETYPE in o.get("data", {}))]
    return records

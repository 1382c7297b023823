"""Statistical disclosure control for every table that is published.

:func:`protect` takes a table and the names of its columns that hold *counts of people* and
returns a copy in which:

* **primary suppression**: every count from 1 to ``threshold - 1`` is replaced by ``"c"``
  (zeros are shown unless ``suppress_zeros=True``: a zero reveals nothing about a person);
* **secondary suppression**: no suppressed cell can be recovered by subtraction. The table is
  read as a grid of lines: each count column (its breakdown rows, plus a total row when there
  is one) and, when the table has a total column (``total``/``all``) or ``secondary="both"``,
  each row across the count columns. A line with exactly one suppressed cell gets a second one:
  the smallest non-zero count that is not a total, else the total. This repeats until stable;
* **withheld statistics**: for ``percent_of={"pct": "n"}`` a percentage, mean or median in
  ``pct`` is replaced by ``"c"`` where the ``n`` people it is computed over number fewer than the
  threshold or where ``n`` itself was suppressed.

The decisions are recorded in ``result.attrs["disclosure"]`` as a list of dicts (row position,
column, rule) - never the withheld value - so that a disclosure log can be written beside the
outputs. Overall sample sizes of a method (a table's grand total) are publishable and are only
suppressed when needed to protect another cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

#: what a withheld cell shows
SUPPRESSED = "c"
#: labels that mark a total row (index value) or a total column (column name), case-insensitive
TOTAL_LABELS = ("total", "all", "overall")


def _is_total(label: object) -> bool:
    if isinstance(label, tuple):
        return any(_is_total(part) for part in label)
    return isinstance(label, str) and label.strip().lower() in TOTAL_LABELS


def _as_list(cols: str | Iterable | None) -> list:
    if cols is None:
        return []
    if isinstance(cols, str | tuple):
        return [cols]
    return list(cols)


def protect(
    table: pd.DataFrame,
    counts: str | Iterable | None = None,
    threshold: int = 5,
    *,
    percent_of: Mapping | str | None = None,
    suppress_zeros: bool = False,
    secondary: str | None = "auto",
    count_rows: Sequence[bool] | pd.Series | None = None,
) -> pd.DataFrame:
    """Return a copy of ``table`` safe to publish (see the module docstring).

    ``counts``: the columns holding counts of people (default: none; a table without counts of
    people passes through unchanged apart from ``percent_of``). ``threshold``: the smallest count
    shown (5 by default; 1 or less turns suppression off). ``percent_of``: ``{column: n_column}``
    for statistics computed over ``n_column`` people, or one ``n_column`` name that applies to
    every numeric column that is not a count. ``secondary``: ``"auto"`` (columns, plus rows when
    there is a total column), ``"both"``, ``"columns"``, ``"rows"`` or ``None``. ``count_rows``: a
    boolean per row saying which rows of the count columns count people (default: every row), for
    tables that mix counts of people with counts of events; the other rows are left as they are.
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"protect() needs a DataFrame, not {type(table).__name__}")
    if secondary not in ("auto", "both", "columns", "rows", None):
        raise ValueError(f"secondary must be auto, both, columns, rows or None, not {secondary!r}")
    count_cols = _as_list(counts)
    missing = [c for c in count_cols if c not in table.columns]
    if missing:
        raise KeyError(f"count columns not in the table: {missing}; columns are {list(table.columns)}")
    if isinstance(percent_of, str):
        n_col = percent_of
        percent_of = {c: n_col for c in table.columns
                      if c not in count_cols and c != n_col and pd.api.types.is_numeric_dtype(table[c])}
    percent_of = dict(percent_of or {})
    for col, n_col in percent_of.items():
        if col not in table.columns or n_col not in table.columns:
            raise KeyError(f"percent_of names a column not in the table: {col!r} -> {n_col!r}")

    out = table.copy()
    log: list[dict] = []
    nrows = len(out)
    if threshold is None or threshold <= 1 or not count_cols and not percent_of:
        out.attrs["disclosure"] = log
        return out

    if count_rows is None:
        people_rows = [True] * nrows
    else:
        people_rows = [bool(v) for v in (count_rows.tolist() if isinstance(count_rows, pd.Series)
                                         else list(count_rows))]
        if len(people_rows) != nrows:
            raise ValueError(f"count_rows has {len(people_rows)} values for a table of {nrows} rows")
    values = {c: pd.to_numeric(out[c], errors="coerce").where(pd.Series(people_rows, index=out.index))
              for c in count_cols}
    hidden: dict[object, list[bool]] = {c: [False] * nrows for c in count_cols}

    # primary suppression
    for c in count_cols:
        for i, v in enumerate(values[c]):
            if pd.isna(v):
                continue
            if 0 < v < threshold or (suppress_zeros and v == 0):
                hidden[c][i] = True
                log.append({"row": i, "column": c, "rule": "primary"})

    # secondary suppression
    total_rows = [i for i, label in enumerate(out.index) if _is_total(label)]
    if not total_rows:  # a total may also be written in the first text column
        first_text = [c for c in out.columns if c not in count_cols and not
                      pd.api.types.is_numeric_dtype(out[c])][:1]
        if first_text:
            total_rows = [i for i, v in enumerate(out[first_text[0]]) if _is_total(v)]
    total_cols = [c for c in count_cols if _is_total(c)]
    do_cols = secondary in ("auto", "both", "columns")
    do_rows = secondary in ("both", "rows") or (secondary == "auto" and bool(total_cols))

    lines: list[list[tuple[object, int]]] = []
    if do_cols:
        lines += [[(c, i) for i in range(nrows)] for c in count_cols]
    if do_rows and len(count_cols) > 1:
        lines += [[(c, i) for c in count_cols] for i in range(nrows)]

    def is_total_cell(c: object, i: int) -> bool:
        return c in total_cols or i in total_rows

    changed = True
    while changed:
        changed = False
        for line in lines:
            cells = [(c, i) for c, i in line if not pd.isna(values[c].iloc[i])]
            n_hidden = sum(hidden[c][i] for c, i in cells)
            if n_hidden != 1 or len(cells) < 2:
                continue
            candidates = [(c, i) for c, i in cells if not hidden[c][i] and values[c].iloc[i] > 0]
            inner = [(c, i) for c, i in candidates if not is_total_cell(c, i)]
            pool = inner or candidates
            if not pool:
                continue
            c, i = min(pool, key=lambda ci: (values[ci[0]].iloc[ci[1]], ci[1], str(ci[0])))
            hidden[c][i] = True
            log.append({"row": i, "column": c, "rule": "secondary"})
            changed = True

    for c in count_cols:
        if any(hidden[c]):
            col = out[c].astype(object)
            col[pd.Series(hidden[c], index=out.index)] = SUPPRESSED
            out[c] = col

    # statistics over few people
    for col, n_col in percent_of.items():
        n = pd.to_numeric(table[n_col], errors="coerce")
        n_hidden = hidden.get(n_col, [False] * nrows)
        withhold = [bool((not pd.isna(n.iloc[i]) and n.iloc[i] < threshold) or n_hidden[i])
                    for i in range(nrows)]
        if any(withhold):
            s = out[col].astype(object)
            s[pd.Series(withhold, index=out.index)] = SUPPRESSED
            out[col] = s
            log += [{"row": i, "column": col, "rule": f"fewer than {threshold} people in {n_col}"}
                    for i, w in enumerate(withhold) if w]

    out.attrs["disclosure"] = log
    return out

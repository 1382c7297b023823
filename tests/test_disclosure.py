"""Complete disclosure control: checked against what a reader could work out with linear programming.

The reader's knowledge is rebuilt here from the *shown* table only (the "c" cells are the unknowns,
every line of the table sums to its total, shown or published), and scipy's linprog finds each
unknown's smallest and largest value given that counts are never negative. A protected table is
safe when, for every suppressed cell, the two differ.
"""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from carejourneys.sdc.disclosure import (
    LOG_COLUMNS,
    SUPPRESSED,
    collect_log,
    log_records,
    protect,
    protect_together,
    write_log,
)


# --------------------------------------------------------------------------- the reader's view
def _ranges(shown: list[np.ndarray], lines: list[list[tuple[int, tuple[int, int], float]]],
            rhs: list[float], lb: float = 0.0) -> dict[tuple[int, int, int], tuple[float, float]]:
    """Feasible (min, max) of every suppressed cell.

    ``shown[t]`` is table t as an object array (numbers or "c"); a line is a list of
    (table, (row, col), coefficient) with ``sum(coef * cell) == rhs``.
    """
    unknown = sorted({(t, i, j) for line in lines for t, (i, j), _ in line if shown[t][i, j] == SUPPRESSED})
    col = {u: k for k, u in enumerate(unknown)}
    a = np.zeros((len(lines), len(unknown)))
    b = np.array(rhs, dtype=float)
    for r, line in enumerate(lines):
        for t, (i, j), coef in line:
            v = shown[t][i, j]
            if v == SUPPRESSED:
                a[r, col[(t, i, j)]] += coef
            else:
                b[r] -= coef * float(v)
    out = {}
    for u, k in col.items():
        ends = []
        for sign in (1, -1):
            c = np.zeros(len(unknown))
            c[k] = sign
            res = linprog(c, A_eq=a, b_eq=b, bounds=[(lb, None)] * len(unknown), method="highs")
            assert res.status in (0, 3), res.message
            ends.append(np.inf * -sign if res.status == 3 else sign * res.fun)
        out[u] = (ends[0], ends[1])
    return out


def _grid_lines(m: int, n: int, margins: bool, truth: np.ndarray, t: int = 0):
    """Lines of an m x n breakdown: with margins the last row/column are totals (coef -1), else the
    line totals are published (rhs = true total)."""
    lines, rhs = [], []
    if margins:
        for i in range(m + 1):
            lines.append([*((t, (i, j), 1.0) for j in range(n)), (t, (i, n), -1.0)])
            rhs.append(0.0)
        for j in range(n + 1):
            lines.append([*((t, (i, j), 1.0) for i in range(m)), (t, (m, j), -1.0)])
            rhs.append(0.0)
    else:
        for i in range(m):
            lines.append([(t, (i, j), 1.0) for j in range(n)])
            rhs.append(float(truth[i, :].sum()))
        for j in range(n):
            lines.append([(t, (i, j), 1.0) for i in range(m)])
            rhs.append(float(truth[:, j].sum()))
    return lines, rhs


def _frame(body: np.ndarray, margins: bool) -> pd.DataFrame:
    m, n = body.shape
    df = pd.DataFrame(body, columns=[f"s{j}" for j in range(n)], index=[f"r{i}" for i in range(m)])
    if margins:
        df["Total"] = df.sum(axis=1)
        df.loc["Total"] = df.sum()
    return df


def _assert_safe(shown: list[np.ndarray], lines, rhs, lb: float = 0.0) -> None:
    """No suppressed cell has a single feasible value. ``lb``: what the reader knows a ``c`` to be at
    least (1 when the table shows its zeros)."""
    # what published totals alone pin down (zeros in a line whose total is 0) cannot be protected
    pinned = set()
    if any(r == 0 and all(c > 0 for *_, c in line) for line, r in zip(lines, rhs, strict=True)):
        nothing_shown = [np.full(s.shape, SUPPRESSED, dtype=object) for s in shown]
        pinned = {cell for cell, (lo, hi) in _ranges(nothing_shown, lines, rhs).items() if hi - lo <= 1e-6}
    for cell, (lo, hi) in _ranges(shown, lines, rhs, lb).items():
        if cell not in pinned:
            assert hi - lo > 1e-6, f"suppressed cell {cell} can be derived: range [{lo}, {hi}]"


def _assert_primary(truth: np.ndarray, shown: np.ndarray, threshold: int, zeros: bool) -> None:
    small = ((truth > 0) & (truth < threshold)) | ((truth == 0) & zeros)
    hidden = shown == SUPPRESSED
    assert (hidden | ~small).all(), "a small count is shown"
    kept = ~hidden
    assert (shown[kept].astype(float) == truth[kept]).all(), "a shown count was changed"


# --------------------------------------------------------------------------- property tests
_cells = st.integers(min_value=0, max_value=14)


@settings(max_examples=80, deadline=None)
@given(st.integers(2, 5), st.integers(2, 4), st.data(), st.integers(2, 7), st.booleans(), st.booleans())
def test_no_suppressed_cell_is_derivable_in_random_crosstabs(m, n, data, threshold, margins, zeros):
    body = np.array(data.draw(st.lists(_cells, min_size=m * n, max_size=m * n))).reshape(m, n)
    df = _frame(body, margins)
    out = protect(df, counts=list(df.columns), threshold=threshold, suppress_zeros=zeros,
                  secondary="both")
    shown = out.to_numpy(dtype=object)
    truth = df.to_numpy(dtype=float)
    _assert_primary(truth, shown, threshold, zeros)
    lines, rhs = _grid_lines(m, n, margins, body)
    _assert_safe([shown], lines, rhs, lb=0 if zeros or out.attrs["zeros_withheld"] else 1)
    if not (((truth > 0) & (truth < threshold)) | ((truth == 0) & zeros)).any():
        assert not (shown == SUPPRESSED).any(), "suppressed without any small count"


@settings(max_examples=80, deadline=None)
@given(st.lists(_cells, min_size=2, max_size=10), st.integers(2, 7), st.booleans())
def test_no_suppressed_cell_is_derivable_in_one_column_breakdowns(values, threshold, with_total):
    df = pd.DataFrame({"people": values}, index=[f"g{i}" for i in range(len(values))])
    if with_total:
        df.loc["Total"] = df["people"].sum()
    out = protect(df, counts="people", threshold=threshold)
    shown = out.to_numpy(dtype=object)
    _assert_primary(df.to_numpy(dtype=float), shown, threshold, False)
    k = len(values)
    line = [(0, (i, 0), 1.0) for i in range(k)]
    if with_total:
        lines, rhs = [[*line, (0, (k, 0), -1.0)]], [0.0]
    else:  # the total is published elsewhere
        lines, rhs = [line], [float(sum(values))]
    _assert_safe([shown], lines, rhs)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 4), st.integers(2, 3), st.integers(2, 3), st.data(), st.integers(3, 6))
def test_linked_tables_sharing_a_total_row(n, m1, m2, data, threshold):
    """Two breakdowns of the same people by site (say method x site and group x site): their
    total rows are the same numbers, so a suppression in one cannot be undone through the other."""
    col_totals = np.array(data.draw(st.lists(st.integers(0, 30), min_size=n, max_size=n)))

    def split(total: int, parts: int) -> list[int]:
        cuts = sorted(data.draw(st.lists(st.integers(0, total), min_size=parts - 1, max_size=parts - 1)))
        edges = [0, *cuts, total]
        return [edges[i + 1] - edges[i] for i in range(parts)]

    bodies = [np.array([split(int(c), mm) for c in col_totals]).T for mm in (m1, m2)]
    frames = []
    for body in bodies:
        df = pd.DataFrame(body, columns=[f"s{j}" for j in range(n)],
                          index=[f"r{i}" for i in range(len(body))])
        df.loc["Total"] = df.sum()
        frames.append(df)
    outs = protect_together(frames, counts=[f"s{j}" for j in range(n)], threshold=threshold)
    shown = [o.to_numpy(dtype=object) for o in outs]
    # the shared total row is shown the same way in both tables
    assert (shown[0][-1] == SUPPRESSED).tolist() == (shown[1][-1] == SUPPRESSED).tolist()
    for body, s in zip(bodies, shown, strict=True):
        _assert_primary(np.vstack([body, body.sum(axis=0)]).astype(float), s, threshold, False)
    lines, rhs = [], []
    for t, body in enumerate(bodies):
        mm = len(body)
        for j in range(n):
            lines.append([*((t, (i, j), 1.0) for i in range(mm)), (t, (mm, j), -1.0)])
            rhs.append(0.0)
    for j in range(n):  # the same numbers in both tables
        lines.append([(0, (m1, j), 1.0), (1, (m2, j), -1.0)])
        rhs.append(0.0)
    _assert_safe(shown, lines, rhs)


# --------------------------------------------------------------------------- fixed cases
def test_a_cell_linking_two_protected_blocks_is_protected_too():
    """Each row and column holds two or more suppressed cells, yet the cell joining two 2x2 blocks
    is the difference of two sums of totals: the simple line rule alone would leave it exposed."""
    body = np.full((4, 4), 20)
    for i, j in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (0, 2)]:
        body[i, j] = 2
    df = _frame(body, margins=False)
    out = protect(df, counts=list(df.columns), threshold=5, secondary="both")
    shown = out.to_numpy(dtype=object)
    assert (shown == SUPPRESSED).sum() > 9
    lines, rhs = _grid_lines(4, 4, False, body)
    _assert_safe([shown], lines, rhs)
    rules = [d["rule"] for d in out.attrs["disclosure"]]
    assert rules.count("primary") == 9 and "secondary" in rules


def test_a_cell_hidden_in_one_table_is_hidden_where_another_table_shows_it_again():
    """The staff count hidden to protect the young people's count in the first table is shown
    again in the second: unless both tables are protected together, 39 - 30 - 6 gives 3."""
    a = pd.DataFrame({"brent": [3, 6, 30]}, index=["young people", "staff", "stakeholders"])
    b = pd.DataFrame({"brent": [6, 25]}, index=["staff", "managers"])
    outs = protect_together([a, b], counts="brent", threshold=5)
    shown = [o.to_numpy(dtype=object) for o in outs]
    lines = [[(0, (i, 0), 1.0) for i in range(3)], [(1, (i, 0), 1.0) for i in range(2)],
             [(0, (1, 0), 1.0), (1, (0, 0), -1.0)]]  # published totals; the same staff count twice
    _assert_safe(shown, lines, [39.0, 31.0, 0.0])
    assert shown[0][1, 0] == shown[1][0, 0] == SUPPRESSED
    # protected one by one, the second table would give the count away
    alone = [protect(t, counts="brent", threshold=5).to_numpy(dtype=object) for t in (a, b)]
    assert alone[1][0, 0] == 6


def test_zeros_cannot_pin_a_suppressed_cell():
    # rows 0 and 1 both small in column a; the complements available in column b are zeros
    df = pd.DataFrame({"a": [2, 3, 30], "b": [0, 0, 25]}, index=["x", "y", "z"])
    out = protect(df, counts=["a", "b"], threshold=5, secondary="both")
    shown = out.to_numpy(dtype=object)
    lines, rhs = _grid_lines(3, 2, False, df.to_numpy())
    _assert_safe([shown], lines, rhs)
    # only zeros could protect row x and y, so this table withholds its zeros and says so
    assert out.attrs["zeros_withheld"]


def test_a_withheld_cell_is_never_zero_when_zeros_are_shown():
    """Issue 13 item 7: with zeros shown a reader knows each c is at least 1. Row lines 1 + c + 13 of 15
    used to pin the hidden cells (1, 1, 13); now the reader's lower bound of 1 is part of the model."""
    df = pd.DataFrame({"improved": [13, 9, 12], "same": [1, 3, 2], "worse": [1, 3, 1]},
                      index=["a", "b", "c"])
    out = protect(df, counts=list(df.columns), threshold=5, secondary="both")
    shown = out.to_numpy(dtype=object)
    lines, rhs = _grid_lines(3, 3, False, df.to_numpy())
    _assert_safe([shown], lines, rhs, lb=0 if out.attrs["zeros_withheld"] else 1)


def test_rounding_to_base_5_and_10():
    df = pd.DataFrame({"people": [2, 7, 12, 23, 44]}, index=list("abcde"))
    for base in (5, 10):
        out = protect(df, counts="people", threshold=5, rounding=base)
        for orig, shown in zip(df["people"], out["people"], strict=True):
            if shown == SUPPRESSED:
                continue
            assert shown % base == 0 and abs(shown - orig) <= base / 2
        assert out["people"].iloc[0] == SUPPRESSED
        assert {"row": None, "column": "people", "rule": f"rounded to base {base}"} in out.attrs["disclosure"]
    with pytest.raises(ValueError, match="rounding"):
        protect(df, counts="people", rounding=0)


def test_statistics_withheld_when_their_numerator_is_suppressed():
    df = pd.DataFrame({"activity": ["a", "b", "c"], "n": [10, 12, 30], "eet": [3, 8, 20],
                       "pct_eet": [30.0, 66.7, 66.7]})
    out = protect(df, counts=["eet"], threshold=5, percent_of={"pct_eet": ("n", "eet")})
    assert out["eet"].iloc[0] == SUPPRESSED
    hidden_rows = [i for i in range(3) if out["eet"].iloc[i] == SUPPRESSED]
    assert len(hidden_rows) >= 2  # secondary suppression in the column
    for i in range(3):
        assert (out["pct_eet"].iloc[i] == SUPPRESSED) == (i in hidden_rows)
    # the percentage of a shown count over enough people is kept
    assert out["pct_eet"].iloc[2] == 66.7


def test_log_records_and_file_hold_positions_and_rules_never_values(tmp_path):
    df = pd.DataFrame({"group": ["a", "b", "c"], "people": [3, 17, 40], "mean": [1.5, 2.5, 3.5]})
    out = protect(df, counts="people", threshold=5, percent_of={"mean": "people"})
    recs = log_records(out, table="Table 1", report="plymouth/00_evidence_base")
    assert {(r["row"], r["row_label"], r["column"]) for r in recs} >= {(2, "a", "people"), (3, "b", "people"),
                                                                        (2, "a", "mean")}
    path = write_log(tmp_path / "log.csv", recs)
    text = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert tuple(rows[0]) == LOG_COLUMNS and len(rows) == len(recs)
    for hidden in ("3", "17", "1.5", "2.5"):  # the withheld values are nowhere in the log
        assert all(hidden not in (r["rule"], r["row_label"]) for r in rows)
    dated = pd.DataFrame({"from": pd.to_datetime(["2021-01-01", "2021-04-01"]), "people": [2, 9]})
    assert [r["row_label"] for r in log_records(protect(dated, counts="people"), table="T")] == [
        "2021-01-01", "2021-04-01"]
    # same records, same bytes
    again = write_log(tmp_path / "again.csv", recs)
    assert again.read_bytes() == path.read_bytes()


def test_log_travels_in_notebook_outputs_and_is_taken_out_before_publishing():
    from carejourneys.sdc.disclosure import LOG_MIMETYPE, take_log

    rec = {"report": "", "table": "T", "row": 2, "row_label": "a", "column": "n", "rule": "primary"}
    shown = {"output_type": "display_data", "data": {"text/html": "<p>table</p>"}, "metadata": {}}
    nb = {"cells": [{"cell_type": "code", "outputs": [shown, {"output_type": "display_data",
                                                              "data": {LOG_MIMETYPE: [rec]}}]},
                    {"cell_type": "markdown"}]}
    assert collect_log(nb, report="brent/01") == [{**rec, "report": "brent/01"}]
    assert take_log(nb, report="brent/01") == [{**rec, "report": "brent/01"}]
    assert nb["cells"][0]["outputs"] == [shown] and collect_log(nb) == []


def test_emit_log_displays_records_under_the_log_type(monkeypatch):
    import IPython.display

    from carejourneys.sdc.disclosure import LOG_MIMETYPE, emit_log

    seen = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: seen.append((obj, raw)))
    emit_log([])
    emit_log([{"table": "T", "rule": "primary"}])
    assert seen == [({LOG_MIMETYPE: [{"table": "T", "rule": "primary"}]}, True)]


def test_same_input_same_output():
    rng = np.random.default_rng(3)
    df = _frame(rng.integers(0, 9, size=(5, 4)), margins=True)
    a = protect(df, counts=list(df.columns), threshold=5)
    b = protect(df, counts=list(df.columns), threshold=5)
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs["disclosure"] == b.attrs["disclosure"]

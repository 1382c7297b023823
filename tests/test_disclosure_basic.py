"""Basic disclosure control: primary threshold suppression, simple secondary suppression, withheld rates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carejourneys.sdc.disclosure import SUPPRESSED, protect


def _shown(df: pd.DataFrame, col) -> list:
    return list(df[col])


def test_primary_suppression_hides_small_counts_only():
    t = pd.DataFrame({"group": ["a", "b", "c", "d"], "people": [0, 3, 12, 40]})
    out = protect(t, counts=["people"], threshold=5, secondary=None)
    assert _shown(out, "people") == [0, SUPPRESSED, 12, 40]
    # the input is not modified
    assert list(t["people"]) == [0, 3, 12, 40]


def test_threshold_is_configurable_and_zeros_optional():
    t = pd.DataFrame({"people": [0, 3, 7, 12]})
    out = protect(t, counts="people", threshold=10, suppress_zeros=True, secondary=None)
    assert _shown(out, "people") == [SUPPRESSED, SUPPRESSED, SUPPRESSED, 12]
    assert _shown(protect(t, counts="people", threshold=1), "people") == [0, 3, 7, 12]


def test_secondary_suppression_in_a_column_with_a_total_row():
    t = pd.DataFrame({"people": [2, 9, 30, 41]}, index=["a", "b", "c", "Total"])
    out = protect(t, counts=["people"], threshold=5)
    shown = _shown(out, "people")
    assert shown[0] == SUPPRESSED
    # the smallest other non-zero non-total count is hidden too, the total stays
    assert shown[1] == SUPPRESSED and shown[2] == 30 and shown[3] == 41


def test_secondary_suppression_across_rows_when_there_is_a_total_column():
    t = pd.DataFrame({"brent": [3, 20], "plymouth": [10, 25], "national": [8, 6], "total": [21, 51]},
                     index=["interview", "observation"])
    out = protect(t, counts=["brent", "plymouth", "national", "total"], threshold=5)
    hidden = out.map(lambda v: v == SUPPRESSED)
    # every row and column line holds zero or at least two suppressed cells
    for line in [*(hidden.loc[i] for i in hidden.index), *(hidden[c] for c in hidden.columns)]:
        assert line.sum() != 1
    assert hidden.loc["interview", "brent"]


def test_not_recoverable_by_subtraction_random_tables():
    rng = np.random.default_rng(7)
    for _ in range(50):
        body = pd.DataFrame(rng.integers(0, 12, size=(4, 3)), columns=["x", "y", "z"])
        body["total"] = body.sum(axis=1)
        body.loc["Total"] = body.sum()
        body.index = [*[f"r{i}" for i in range(4)], "Total"]
        out = protect(body, counts=list(body.columns), threshold=5)
        hidden = out.map(lambda v: v == SUPPRESSED).to_numpy()
        assert not ((hidden.sum(axis=0) == 1).any() or (hidden.sum(axis=1) == 1).any())
        # every primary candidate is hidden
        small = (body.to_numpy() > 0) & (body.to_numpy() < 5)
        assert (hidden | ~small).all()


def test_percentages_over_few_people_are_withheld():
    t = pd.DataFrame({"activity": ["a", "b", "c"], "n": [3, 8, 20], "mean_score": [21.5, 23.1, 24.0]})
    out = protect(t, counts=["n"], threshold=5, percent_of={"mean_score": "n"})
    assert out["mean_score"].iloc[0] == SUPPRESSED
    # b's n is hidden by secondary suppression, so its mean goes too; c's stays
    assert out["n"].iloc[1] == SUPPRESSED and out["mean_score"].iloc[1] == SUPPRESSED
    assert out["mean_score"].iloc[2] == 24.0
    rules = {(d["row"], d["column"]): d["rule"] for d in out.attrs["disclosure"]}
    assert rules[(0, "n")] == "primary" and rules[(1, "n")] == "secondary"
    # the log records positions and rules, never the withheld values
    assert all(set(d) == {"row", "column", "rule"} for d in out.attrs["disclosure"])


def test_percent_of_as_one_denominator_for_every_statistic():
    t = pd.DataFrame({"n": [4, 9], "pct": [50.0, 30.0], "label": ["x", "y"]})
    out = protect(t, percent_of="n", threshold=5)
    assert list(out["pct"]) == [SUPPRESSED, 30.0]
    assert list(out["n"]) == [4, 9]  # n is not declared a count here: shown as given


def test_bad_arguments():
    t = pd.DataFrame({"people": [1, 2]})
    with pytest.raises(KeyError, match="nope"):
        protect(t, counts=["nope"])
    with pytest.raises(TypeError):
        protect([1, 2], counts=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        protect(t, counts="people", secondary="diagonal")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=12),
       st.integers(min_value=2, max_value=10))
def test_no_small_count_is_ever_shown(values, threshold):
    t = pd.DataFrame({"people": values})
    out = protect(t, counts=["people"], threshold=threshold)
    shown = [v for v in out["people"] if v != SUPPRESSED]
    assert all(v == 0 or v >= threshold for v in shown)
    assert sum(v == SUPPRESSED for v in out["people"]) != 1 or len(values) == 1 or \
        all(v == 0 for i, v in enumerate(values) if out["people"].iloc[i] != SUPPRESSED)


def test_count_rows_limit_suppression_to_rows_that_count_people():
    t = pd.DataFrame({"what": ["young people interviewed", "staff interviewed", "focus groups"],
                      "brent": [3, 40, 2], "plymouth": [22, 51, 2]})
    out = protect(t, counts=["brent", "plymouth"], threshold=5,
                  count_rows=[True, True, False])
    assert out["brent"].iloc[0] == SUPPRESSED and out["brent"].iloc[1] == SUPPRESSED
    # events are not people: shown as they are and never chosen for secondary suppression
    assert out["brent"].iloc[2] == 2 and out["plymouth"].iloc[2] == 2
    with pytest.raises(ValueError, match="count_rows"):
        protect(t, counts=["brent"], count_rows=[True])

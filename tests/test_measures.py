"""Scoring of SWEMWBS, UCLA-3 and ONS4 (carejourneys.measures)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carejourneys import measures
from carejourneys.errors import DataError
from carejourneys.inputs.schemas import ONS_ITEMS, SWEMWBS_ITEMS, UCLA_ITEMS

# The developers' conversion table, written out independently of the module (issue text).
TABLE_TEXT = """7 7.00, 8 9.51, 9 11.25, 10 12.40, 11 13.33, 12 14.08, 13 14.75, 14 15.32, 15 15.84,
16 16.36, 17 16.88, 18 17.43, 19 17.98, 20 18.59, 21 19.25, 22 19.98, 23 20.73, 24 21.54, 25 22.35, 26 23.21,
27 24.11, 28 25.03, 29 26.02, 30 27.03, 31 28.13, 32 29.31, 33 30.70, 34 32.55, 35 35.00"""
EXPECTED = {int(r): float(m) for r, m in (pair.split() for pair in TABLE_TEXT.replace("\n", " ").split(","))}


@pytest.mark.parametrize("raw", sorted(EXPECTED))
def test_swemwbs_table_value_by_value(raw):
    assert measures.swemwbs_metric(raw) == EXPECTED[raw]


def test_swemwbs_table_is_complete_and_increasing():
    assert sorted(measures.SWEMWBS_METRIC) == list(range(7, 36))
    values = [measures.SWEMWBS_METRIC[r] for r in range(7, 36)]
    assert all(b > a for a, b in zip(values, values[1:], strict=False))


@pytest.mark.parametrize("bad", [6, 36, 20.5, float("nan")])
def test_swemwbs_metric_rejects_non_scores(bad):
    with pytest.raises(ValueError):
        measures.swemwbs_metric(bad)


def test_notice_text():
    assert "© NHS Health Scotland, University of Warwick and University of Edinburgh, 2008" in (
        measures.SWEMWBS_NOTICE)


def _frame(rows: list[dict]) -> pd.DataFrame:
    cols = [*SWEMWBS_ITEMS, *UCLA_ITEMS, *ONS_ITEMS]
    return pd.DataFrame({c: pd.array([r.get(c) for r in rows], dtype="Int64") for c in cols})


def _full(sw: list[int], uc: list[int], ons: list[int]) -> dict:
    return {**dict(zip(SWEMWBS_ITEMS, sw, strict=True)), **dict(zip(UCLA_ITEMS, uc, strict=True)),
            **dict(zip(ONS_ITEMS, ons, strict=True))}


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(1, 5), min_size=7, max_size=7), min_size=1, max_size=10))
def test_swemwbs_scores_match_sum_and_table(responses):
    frame = _frame([_full(r, [1, 1, 1], [5] * 4) for r in responses])
    out = measures.score_swemwbs(frame)
    for i, r in enumerate(responses):
        assert out["swemwbs_raw"].iloc[i] == sum(r)
        assert out["swemwbs_metric"].iloc[i] == EXPECTED[sum(r)]
    assert not out["swemwbs_prorated"].any()


def test_out_of_range_item_is_dataerror_with_row_and_column():
    rows = [_full([3] * 7, [1, 2, 3], [5] * 4), _full([3, 3, 6, 3, 3, 3, 3], [1, 2, 3], [5] * 4)]
    with pytest.raises(DataError) as e:
        measures.score_swemwbs(_frame(rows), path="prepost_survey.csv")
    assert e.value.row == 3 and e.value.column == "swemwbs_3" and e.value.path == "prepost_survey.csv"
    assert "1-5" in str(e.value)


def test_several_bad_items_are_one_error_listing_all():
    rows = [_full([3] * 7, [0, 2, 4], [5] * 4)]
    with pytest.raises(DataError) as e:
        measures.score_ucla3(_frame(rows))
    assert [(p.row, p.column) for p in e.value.problems] == [(2, "ucla_1"), (2, "ucla_3")]


def test_non_integer_item_is_rejected():
    frame = _frame([_full([3] * 7, [1, 2, 3], [5] * 4)])
    frame["ons_2"] = pd.array([7.5], dtype="Float64")
    with pytest.raises(DataError) as e:
        measures.score_ons4(frame)
    assert e.value.column == "ons_2"


def test_missing_item_is_not_scored_by_default():
    row = _full([4] * 7, [1, 1, 1], [5] * 4)
    row["swemwbs_2"] = None
    out = measures.score_swemwbs(_frame([row]))
    assert pd.isna(out["swemwbs_raw"].iloc[0]) and pd.isna(out["swemwbs_metric"].iloc[0])
    assert out["swemwbs_items_missing"].iloc[0] == 1


def test_missing_item_can_be_an_error():
    row = _full([4] * 7, [1, 1, 1], [5] * 4)
    row["ucla_2"] = None
    with pytest.raises(DataError) as e:
        measures.score_ucla3(_frame([row]), missing="error", first_row=10)
    assert (e.value.row, e.value.column) == (10, "ucla_2")


def test_proration_rule():
    one = _full([4, 4, 5, 4, 4, 5, 4], [1, 1, 1], [5] * 4)
    one["swemwbs_7"] = None  # answered mean 26/6 -> 30.33 -> 30
    two = dict(one)
    two["swemwbs_6"] = None  # two missing: beyond max_missing=1
    out = measures.score_swemwbs(_frame([one, two]), missing="prorate", max_missing=1)
    assert out["swemwbs_raw"].iloc[0] == round(26 / 6 * 7)
    assert out["swemwbs_metric"].iloc[0] == EXPECTED[30]
    assert bool(out["swemwbs_prorated"].iloc[0]) and not bool(out["swemwbs_prorated"].iloc[1])
    assert pd.isna(out["swemwbs_raw"].iloc[1])


def test_ons_never_prorated():
    with pytest.raises(ValueError):
        measures.score_ons4(_frame([_full([3] * 7, [1, 1, 1], [5] * 4)]), missing="prorate")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=4, max_size=4),
       st.lists(st.integers(1, 3), min_size=3, max_size=3))
def test_ons_thresholds_and_ucla_total(ons, ucla):
    out = measures.score_prepost(_frame([_full([3] * 7, ucla, ons)]))
    assert out["ucla_total"].iloc[0] == sum(ucla)
    assert 3 <= out["ucla_total"].iloc[0] <= 9
    for item, name in zip(ons[:3], ("life_satisfaction", "worthwhile", "happiness"), strict=True):
        assert out[f"ons_{name}"].iloc[0] == item
        assert bool(out[f"low_{name}"].iloc[0]) == (item <= 4)
    assert bool(out["high_anxiety"].iloc[0]) == (ons[3] >= 6)


def test_ons_boundaries():
    out = measures.score_ons4(_frame([_full([3] * 7, [1] * 3, [4, 5, 4, 6]),
                                      _full([3] * 7, [1] * 3, [5, 4, 5, 5])]))
    assert out["low_life_satisfaction"].tolist() == [True, False]
    assert out["low_worthwhile"].tolist() == [False, True]
    assert out["high_anxiety"].tolist() == [True, False]


def test_missing_item_column_is_reported():
    frame = _frame([_full([3] * 7, [1] * 3, [5] * 4)]).drop(columns="ucla_3")
    with pytest.raises(DataError) as e:
        measures.score_ucla3(frame)
    assert e.value.column == "ucla_3"


def test_scales_declare_direction_and_domain():
    from carejourneys.inputs.schemas import OUTCOME_DOMAINS

    for spec in measures.SCALES.values():
        assert spec["domain"] in OUTCOME_DOMAINS
        assert isinstance(spec["higher_is_better"], bool)
    assert measures.SCALES["ucla_total"]["higher_is_better"] is False
    assert np.isclose(measures.SCALES["swemwbs_metric"]["range"][1], 35)

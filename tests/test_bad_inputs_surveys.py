"""Bad-input corpus for the questionnaires: Likert items out of range, as words, or on a scale
coded the other way; a pre without a post; duplicate IDs; several date formats. The file loads
as a user would expect or raises one DataError naming file, row and column; scoring and pairing
then handle what loaded (unpaired responses are counted, never silently paired)."""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from carejourneys import measures
from carejourneys.errors import DataError, DataWarning
from carejourneys.inputs import schemas
from carejourneys.inputs.loaders.tabular import read_source
from carejourneys.metrics import outcomes

HEADER = ",".join(schemas.SOURCES["prepost_survey"].columns)


def _row(rid: str, timepoint: str, *, swemwbs: list[str] | None = None, ucla: list[str] | None = None,
         date: str = "2023-01-13", activity: str = "Friday Hub") -> str:
    sw = swemwbs or ["3"] * 7
    uc = ucla or ["2"] * 3
    return ",".join([rid, "plymouth", activity, timepoint, date, *sw, *uc, "5", "6", "7", "4"])


def _write(tmp_path: Path, rows: list[str], name: str = "prepost_survey.csv") -> Path:
    p = tmp_path / name
    p.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return p


def _load(p: Path) -> pd.DataFrame:
    before = hashlib.sha256(p.read_bytes()).hexdigest()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        try:
            return read_source("prepost_survey", p)
        finally:
            assert hashlib.sha256(p.read_bytes()).hexdigest() == before


def _error(p: Path) -> DataError:
    with pytest.raises(DataError) as info:
        _load(p)
    assert info.value.path == str(p)
    return info.value


@pytest.mark.parametrize("value,expected", [
    ("6", "outside 1-5"), ("0", "outside 1-5"), ("-1", "outside 1-5"), ("2.5", "whole number"),
    ("Often", "whole number"), ("All of the time", "whole number"), ("5-1", "whole number"),
])
def test_swemwbs_item_out_of_range_or_in_words(tmp_path, value, expected):
    sw = ["3"] * 7
    sw[3] = value
    err = _error(_write(tmp_path, [_row("R1", "pre"), _row("R1", "post", swemwbs=sw)]))
    assert (err.row, err.column) == (3, "swemwbs_4")
    assert expected in err.message and value in err.message


def test_scale_coded_from_zero_is_refused_at_every_cell(tmp_path):
    # a survey tool exporting 0-4 instead of 1-5: every 0 is named, not just the first
    sw = ["0", "1", "2", "3", "4", "0", "2"]
    err = _error(_write(tmp_path, [_row("R1", "pre", swemwbs=sw), _row("R2", "pre", swemwbs=sw)]))
    assert {(p.row, p.column) for p in err.problems} == {(2, "swemwbs_1"), (2, "swemwbs_6"),
                                                          (3, "swemwbs_1"), (3, "swemwbs_6")}


def test_ucla_item_above_three(tmp_path):
    err = _error(_write(tmp_path, [_row("R1", "pre", ucla=["1", "4", "2"])]))
    assert (err.row, err.column) == (2, "ucla_2") and "1-3" in err.message


def test_duplicate_response_is_named(tmp_path):
    err = _error(_write(tmp_path, [_row("R1", "pre"), _row("R2", "pre"), _row("R1", "pre")]))
    assert err.row == 4 and "respondent_id" in err.column and "row 2" in err.message


def test_timepoint_in_other_case_loads_and_unknown_is_named(tmp_path):
    got = _load(_write(tmp_path, [_row("R1", "Pre"), _row("R1", " POST ")]))
    assert got["timepoint"].tolist() == ["pre", "post"]
    err = _error(_write(tmp_path, [_row("R1", "pre"), _row("R1", "during")], "b.csv"))
    assert (err.row, err.column) == (3, "timepoint") and "pre, post" in err.message


@pytest.mark.parametrize("value", ["2023-01-13", "13/01/2023", "13/1/2023"])
def test_dates_in_several_formats(tmp_path, value):
    got = _load(_write(tmp_path, [_row("R1", "pre", date=value)]))
    assert got["completed_on"].iloc[0] == pd.Timestamp("2023-01-13")


@pytest.mark.parametrize("value,expected", [("31/02/2023", "not a real date"), ("13/01/23", "two-digit"),
                                            ("01/13/2023", "day first")])
def test_impossible_or_ambiguous_dates(tmp_path, value, expected):
    err = _error(_write(tmp_path, [_row("R1", "pre", date=value)]))
    assert (err.row, err.column) == (2, "completed_on") and expected in err.message


def test_header_with_spaces_and_capitals_loads(tmp_path):
    p = tmp_path / "prepost_survey.csv"
    header = ",".join(f" {c.upper()} " for c in HEADER.split(","))
    p.write_text("\n".join([header, _row("R1", "pre")]) + "\n", encoding="utf-8")
    assert _load(p)["respondent_id"].tolist() == ["R1"]


# --------------------------------------------------------------------------- scoring and pairing


def test_scoring_names_row_and_column_of_a_bad_item():
    frame = pd.DataFrame({c: [3, 3, 3] for c in measures.SWEMWBS_ITEMS})
    frame.loc[2, "swemwbs_5"] = 9
    with pytest.raises(DataError) as info:
        measures.score_swemwbs(frame, path="survey.csv", first_row=2)
    assert (info.value.path, info.value.row, info.value.column) == ("survey.csv", 4, "swemwbs_5")


def test_missing_item_is_never_scored_silently():
    frame = pd.DataFrame({c: [3.0, 3.0] for c in measures.SWEMWBS_ITEMS})
    frame.loc[1, "swemwbs_2"] = np.nan
    skipped = measures.score_swemwbs(frame)
    assert skipped["swemwbs_raw"].tolist()[0] == 21 and pd.isna(skipped["swemwbs_raw"].iloc[1])
    assert skipped["swemwbs_items_missing"].tolist() == [0, 1]
    with pytest.raises(DataError) as info:
        measures.score_swemwbs(frame, missing="error")
    assert (info.value.row, info.value.column) == (3, "swemwbs_2")
    prorated = measures.score_swemwbs(frame, missing="prorate")
    assert prorated["swemwbs_raw"].tolist() == [21, 21]
    assert prorated["swemwbs_prorated"].tolist() == [False, True]


def test_pre_without_post_is_kept_unpaired(tmp_path):
    rows = [_row("R1", "pre"), _row("R1", "post"), _row("R2", "pre"), _row("R3", "post")]
    df = _load(_write(tmp_path, rows))
    pairs = outcomes.prepost_pairs(df).set_index("respondent_id")
    assert pairs.loc["R1", ["has_pre", "has_post"]].tolist() == [True, True]
    assert pairs.loc["R2", ["has_pre", "has_post"]].tolist() == [True, False]
    assert pairs.loc["R3", ["has_pre", "has_post"]].tolist() == [False, True]
    assert pd.isna(pairs.loc["R2", "swemwbs_metric_post"]) and pd.isna(pairs.loc["R3", "swemwbs_metric_pre"])
    change = outcomes.prepost_change(df, threshold=1, n_boot=99).set_index("scale")
    assert change.loc["swemwbs_metric", "n_pairs"] == 1


def test_duplicate_timepoint_in_a_frame_is_refused_by_pairing():
    rows = [dict(zip(HEADER.split(","), _row(r, t).split(","), strict=True))
            for r, t in [("R1", "pre"), ("R1", "post"), ("R1", "post")]]
    frame = pd.DataFrame(rows)
    for c in (*measures.SWEMWBS_ITEMS, *measures.UCLA_ITEMS, *measures.ONS_ITEMS):
        frame[c] = frame[c].astype(int)
    with pytest.raises(DataError) as info:
        outcomes.prepost_pairs(frame)
    assert (info.value.row, info.value.column) == (4, "timepoint") and "'post'" in info.value.message


def test_reverse_scored_scale_counts_a_fall_as_improvement(tmp_path):
    """UCLA loneliness is scored the other way (lower is better): a fall counts as improved, and
    the paired statistics agree with scipy."""
    before = [["3", "3", "2"], ["2", "3", "3"], ["3", "2", "2"], ["2", "2", "2"], ["3", "3", "3"],
              ["1", "2", "1"]]
    after = [["1", "2", "2"], ["2", "2", "1"], ["2", "2", "1"], ["1", "1", "2"], ["2", "3", "3"],
             ["2", "2", "1"]]
    rows = []
    for i, (b, a) in enumerate(zip(before, after, strict=True)):
        rows += [_row(f"R{i}", "pre", ucla=b), _row(f"R{i}", "post", ucla=a)]
    df = _load(_write(tmp_path, rows))
    change = outcomes.prepost_change(df, threshold=1, n_boot=99).set_index("scale").loc["ucla_total"]
    pre = np.array([sum(map(int, b)) for b in before], dtype=float)
    post = np.array([sum(map(int, a)) for a in after], dtype=float)
    d = post - pre
    assert change["n_improved"] == int((d < 0).sum()) and change["n_worse"] == int((d > 0).sum())
    assert change["mean_diff"] == pytest.approx(d.mean())
    assert change["t_p"] == pytest.approx(stats.ttest_rel(post, pre).pvalue)

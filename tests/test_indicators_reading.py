"""Page 04 read in plain words: consistent signs, the baseline caveat, where the council stands."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from carejourneys.inputs import public
from carejourneys.metrics import indicators as ind


@pytest.fixture(scope="module")
def pub():
    return public.load_public()  # the committed extract in data/public


def test_change_and_per_year_always_share_their_sign(pub):
    for la in ("plymouth", "brent", "330"):
        s = ind.trend_summary(ind.trends(pub, la))
        ok = s["latest_year"] > s["first_year"]
        assert (np.sign(s.loc[ok, "change"]) == np.sign(s.loc[ok, "per_year"])).all()
        assert s.loc[ok, "per_year"].to_numpy() == pytest.approx(
            (s.loc[ok, "change"] / (s.loc[ok, "latest_year"] - s.loc[ok, "first_year"])).to_numpy())
        table = ind.summary_table(ind.trends(pub, la))
        shown = table[table["First year"] != table["Latest year"]]
        nonzero = shown["Per year (pp)"] != 0  # a change under 0.25 pp over 4 years rounds to 0.0 a year
        signs = np.sign(shown.loc[nonzero, ["Change (pp)", "Per year (pp)"]].astype(float))
        assert (signs["Change (pp)"] == signs["Per year (pp)"]).all()
        assert set(table["Reading"]) <= {"better", "worse", "no change", ""}


@pytest.mark.parametrize(("indicator", "change", "reading"), [
    ("In education, employment or training", 2.0, "better"),
    ("In education, employment or training", -2.0, "worse"),
    ("Not in education, employment or training", -3.0, "better"),
    ("Not in education, employment or training", 3.0, "worse"),
    ("In suitable accommodation", 0.0, "no change"),
    ("Something else", 1.0, ""),
])
def test_change_reading(indicator, change, reading):
    assert ind.change_reading(indicator, change) == reading


def test_summary_footnote_explains_the_signs():
    for words in ("latest year's percent minus the first", "same sign", "NEET", "Reading"):
        assert words in ind.SUMMARY_FOOTNOTE


def test_baseline_caveat_is_computed_from_the_years(pub):
    trend = ind.trends(pub, "plymouth")
    years = sorted(int(y) for y in trend.loc[(trend["kind"] == "council") & trend["percent"].notna(),
                                             "time_period"].unique())
    text = ind.baseline_caveat(trend)
    assert f"{years[0]} to {years[-1]}" in text
    assert f"programme began in {ind.PROGRAMME_START}" in text and "no pre-programme baseline" in text
    assert f"{years[0] - ind.PROGRAMME_START} years after" in text
    assert "programme" not in ind.baseline_caveat(trend, None).split("not an evaluation")[0]
    earlier = ind.baseline_caveat(trend, programme_start=years[0])
    assert "no pre-programme baseline" not in earlier


def test_standing_sentences_agree_with_the_comparison_table(pub):
    for la in ("plymouth", "brent"):
        trend = ind.trends(pub, la)
        table = ind.comparison_table(trend)
        year = ind.comparison_year(trend)
        name = pub.area(la)["name"]
        sentences = ind.standing_sentences(trend, ages=("17-18", "19-21"))
        assert len(sentences) == len(table)
        for sentence, (_, row) in zip(sentences, _ordered(table).iterrows(), strict=True):
            assert sentence.startswith(f"In {year}, ")
            assert f"{name}'s care leavers aged {row['Age']}" in sentence
            nums = [float(x) for x in re.findall(r"(\d+(?:\.\d+)?)%", sentence)]
            assert nums[0] == pytest.approx(row["Council %"])
            assert nums[1] == pytest.approx(row["England %"])
            assert nums[2] == pytest.approx(row["Neighbours, 2025 model %"])
            gap = row["Gap to England (pp)"]
            if round(gap, 1) != 0:
                word = "higher" if gap > 0 else "lower"
                assert f"{abs(gap):g} percentage point" in sentence and word in sentence
                indicator = {"EET": "In education, employment or training",
                             "NEET": "Not in education, employment or training",
                             "Suitable accommodation": "In suitable accommodation"}[row["Indicator"]]
                assert ind.change_reading(indicator, gap) in sentence


def _ordered(table: pd.DataFrame) -> pd.DataFrame:
    order = {"EET": 0, "NEET": 1, "Suitable accommodation": 3}
    return table.assign(_o=table["Indicator"].map(order)).sort_values(["_o", "Age"], kind="stable")


def test_standing_sentence_for_an_unpublished_figure():
    trend = pd.DataFrame({
        "indicator": ["In education, employment or training"] * 2, "age": ["19-21"] * 2,
        "time_period": [2025, 2025], "series": ["Oldtown", "England"], "kind": ["council", "england"],
        "percent": pd.array([pd.NA, 50.0], dtype="Float64")})
    (s,) = ind.standing_sentences(trend, 2025)
    assert "was not published" in s and "England" not in s


def test_in_touch_note():
    assert "no in-touch table" in ind.IN_TOUCH_NOTE and "own returns" in ind.IN_TOUCH_NOTE


def test_data_origin_note_tells_official_statistics_from_evaluation_data():
    public_only = ind.data_origin_note(None)
    assert "official statistics" in public_only and "no evaluation data" in public_only
    synth = ind.data_origin_note("synthetic")
    assert synth.startswith("The care leaver figures") and "synthetic replica" in synth
    assert "official statistics" in synth and "Only the council's own" in synth
    assert "synthetic" not in ind.data_origin_note("real")
    with pytest.raises(ValueError):
        ind.data_origin_note("made up")

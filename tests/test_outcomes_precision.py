"""Scale scores ranked at the scale's precision; statistics that do not exist are "not defined";
the narrow main table and the annex table."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from carejourneys import measures
from carejourneys.metrics import outcomes as oc
from carejourneys.render import numbers

RAW_BEFORE = [17, 31, 20, 21, 15, 18]
RAW_AFTER = [19, 30, 24, 25, 22, 20]


def _metric(raw):
    return np.array([measures.SWEMWBS_METRIC[r] for r in raw], dtype=float)


def _enumerated_p(d_on_scale: list[float]) -> float:
    """Two-sided exact signed-rank p by listing every one of the 2^n sign flips, ranking |d| at the
    scale's precision (the differences are given as exact decimals) with mid-ranks; Pratt's zeros."""
    absd = [abs(x) for x in d_on_scale]
    ranks = stats.rankdata(absd)
    nz = [i for i, x in enumerate(d_on_scale) if x != 0]
    t_obs = sum(ranks[i] for i in nz if d_on_scale[i] > 0)
    le = ge = 0
    total = 0
    for signs in itertools.product((1, -1), repeat=len(nz)):
        t = sum(ranks[i] for i, s in zip(nz, signs, strict=True) if s > 0)
        le += t <= t_obs + 1e-9
        ge += t >= t_obs - 1e-9
        total += 1
    return min(1.0, 2 * min(le, ge) / total)


def test_issue_case_float_noise_breaks_the_tie_without_precision():
    d = _metric(RAW_AFTER) - _metric(RAW_BEFORE)
    assert d[0] != -d[1]  # 1.1000000000000014 vs -1.0999999999999979: the float accident
    assert oc.signed_rank_exact(d).p_value == pytest.approx(0.0625)  # ranked apart


def test_issue_case_exact_p_with_the_tie_is_0_09375():
    # the differences as exact hundredths (integers), so the enumeration owes nothing to floats
    hundredths = [round(measures.SWEMWBS_METRIC[a] * 100) - round(measures.SWEMWBS_METRIC[b] * 100)
                  for b, a in zip(RAW_BEFORE, RAW_AFTER, strict=True)]
    assert hundredths[0] == -hundredths[1] == 110
    expected = _enumerated_p(hundredths)
    assert expected == pytest.approx(0.09375)
    d = _metric(RAW_AFTER) - _metric(RAW_BEFORE)
    assert oc.signed_rank_exact(d, decimals=2).p_value == pytest.approx(expected, abs=1e-12)
    res = oc.paired_change(_metric(RAW_BEFORE), _metric(RAW_AFTER), decimals=2)
    assert res.wilcoxon_p == pytest.approx(expected, abs=1e-12)
    assert res.decimals == 2


def test_prepost_change_uses_the_scale_precision():
    assert measures.SCALES["swemwbs_metric"]["decimals"] == 2
    rows = []
    for i, (b, a) in enumerate(zip(RAW_BEFORE, RAW_AFTER, strict=True)):
        for tp, raw in (("pre", b), ("post", a)):
            items = [raw // 7 + (1 if k < raw % 7 else 0) for k in range(7)]
            rows.append({"respondent_id": f"R{i}", "site": "plymouth", "activity": "art", "timepoint": tp,
                         **{f"swemwbs_{k + 1}": items[k] for k in range(7)},
                         **{f"ucla_{k + 1}": 2 for k in range(3)}, **{f"ons_{k + 1}": 5 for k in range(4)}})
    change = oc.prepost_change(pd.DataFrame(rows), scales=["swemwbs_metric"], threshold=5).iloc[0]
    assert change["wilcoxon_p"] == pytest.approx(0.09375)


def test_scale_difference_turns_negative_zero_and_noise_into_exact_values():
    d = measures.scale_difference([16.88, 28.13, 5.0], [17.98, 27.03, 5.0], 2)
    assert d[0] == -d[1] == 1.1 and d[2] == 0 and not np.signbit(d[2])
    raw = measures.scale_difference([1.0], [1.3], None)
    assert raw[0] == 1.3 - 1.0


@pytest.mark.parametrize("seed", range(20))
def test_rounded_ranking_agrees_with_enumeration_on_random_scores(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 11))
    b = rng.integers(7, 36, n)
    a = rng.integers(7, 36, n)
    hundredths = [round(measures.SWEMWBS_METRIC[int(y)] * 100) - round(measures.SWEMWBS_METRIC[int(x)] * 100)
                  for x, y in zip(b, a, strict=True)]
    got = oc.paired_change(_metric(b), _metric(a), decimals=2)
    if all(h == 0 for h in hundredths):
        assert math.isnan(got.wilcoxon_p)
    else:
        assert got.wilcoxon_p == pytest.approx(_enumerated_p(hundredths), abs=1e-12)


# ----------------------------------------------------------------------------- not defined


def test_identical_changes_have_no_interval():
    res = oc.paired_change([10, 12, 14, 9, 11], [11, 13, 15, 10, 12])
    assert res.mean_diff == 1.0
    assert math.isnan(res.ci_low) and math.isnan(res.ci_high) and res.ci_note == oc.NO_SPREAD
    assert math.isnan(res.t_p) and math.isnan(res.d_z)
    # the tests on signs are defined: five increases
    assert res.wilcoxon_p == pytest.approx(stats.wilcoxon([1] * 5, method="exact").pvalue)
    assert res.sign_p == pytest.approx(stats.binomtest(5, 5).pvalue)


def test_no_nonzero_difference_has_no_p():
    res = oc.paired_change([3, 4, 5, 6, 7], [3, 4, 5, 6, 7])
    assert math.isnan(res.wilcoxon_p) and math.isnan(res.sign_p)
    assert res.p_note == oc.NO_NONZERO_DIFFERENCE
    assert res.direction == oc.NO_CLEAR_CHANGE
    pos, neg, p = oc.sign_test([0, 0])
    assert (pos, neg) == (0, 0) and math.isnan(p)


def test_main_and_annex_tables_say_not_defined():
    pre = np.array([3, 4, 5, 6, 7, 5], dtype=float)
    change = pd.DataFrame([{"design": oc.PROSPECTIVE, "scale": "ons_happiness", "label": "Happy",
                            **oc.paired_change(pre, pre).as_dict(), "note": ""},
                           {"design": oc.PROSPECTIVE, "scale": "ons_worthwhile", "label": "Worth",
                            **oc.paired_change(pre, pre + 1).as_dict(), "note": ""}])
    main = oc.main_table(change)
    assert list(main.columns) == ["Measure", "Pairs", "Before (mean)", "After (mean)", "Change (95% CI)",
                                  "What it shows"]
    assert main.loc[0, "Change (95% CI)"] == "0.00 (interval not defined)"
    assert main.loc[1, "Change (95% CI)"] == "+1.00 (interval not defined)"
    assert main.loc[1, "What it shows"] == "no clear change (every change the same)"
    annex = oc.annex_table(change)
    assert annex.loc[0, "Exact Wilcoxon p"] == "not defined" and annex.loc[0, "Sign test p"] == "not defined"
    assert "1.000" not in set(annex.loc[0])
    assert "not defined" in annex.loc[0, "Note"] and "not defined" in annex.loc[1, "Note"]
    assert annex.loc[1, "Exact Wilcoxon p"] == numbers.format_p(stats.wilcoxon([1] * 6).pvalue)


def test_main_table_is_narrow_and_annex_holds_the_rest():
    rng = np.random.default_rng(1)
    rows = []
    for act in ("art", "music"):
        b = rng.integers(7, 36, 12).astype(float)
        a = np.clip(b + rng.integers(-1, 6, 12), 7, 35)
        rows.append({"design": oc.PROSPECTIVE, "activity": act, "scale": "swemwbs_metric", "label": "S",
                     **oc.paired_change(_metric(b.astype(int)), _metric(a.astype(int)), decimals=2).as_dict(),
                     "note": ""})
    change = pd.DataFrame(rows)
    main = oc.main_table(change)
    assert len(main.columns) <= 7 and "Activity" in main.columns
    assert not any("p" == c.split()[-1] for c in main.columns)
    annex = oc.annex_table(change)
    assert {"Exact Wilcoxon p", "Sign test p", "Hedges g_av", "Reliably improved"} <= set(annex.columns)
    assert oc.BOOTSTRAP_COLUMN not in annex.columns  # not computed by default
    assert oc.p_values_shown(annex) == 2 * 2  # Wilcoxon and sign test, two rows
    for r, c in zip(main.itertuples(), change.itertuples(), strict=True):
        assert r[-1].startswith(c.direction)


# ----------------------------------------------------------------------------- direction rule


@pytest.mark.parametrize(("args", "kw", "expected"), [
    ((12, -0.90, 3.23), {}, "no clear change"),                 # the issue's SWEMWBS case
    ((12, -0.90, 3.23), {"n_reliably_improved": 2, "n_reliably_worse": 1}, "no clear change"),
    ((12, 0.10, 3.23), {}, "improved"),
    ((12, -3.0, -0.2), {}, "worse"),
    ((12, -3.0, -0.2), {"higher_is_better": False}, "improved"),
    ((12, -0.5, 2.0), {"n_reliably_improved": 4, "n_reliably_worse": 2}, "improved"),
    ((12, -0.5, 2.0), {"n_reliably_improved": 4, "n_reliably_worse": 3}, "no clear change"),
    ((12, -0.5, 2.0), {"n_reliably_improved": 3, "n_reliably_worse": 0}, "no clear change"),  # < a third
    ((12, -2.0, 0.5), {"n_reliably_improved": 0, "n_reliably_worse": 4}, "worse"),
    ((12, float("nan"), float("nan")), {}, "no clear change"),
    ((0, float("nan"), float("nan")), {}, "not measured"),
])
def test_change_direction_rule(args, kw, expected):
    assert oc.change_direction(*args, **kw) == expected


def test_withheld_rows_show_no_direction():
    df = pd.DataFrame([{"design": oc.PROSPECTIVE, "scale": "ons_happiness", "label": "H",
                        **oc.paired_change([1, 2, 3], [2, 3, 5]).as_dict(), "note": ""}])
    res = oc._summary_row([1, 2, 3], [2, 3, 5], {"higher_is_better": True}, threshold=5, n_not_scored=0,
                          reliable_change=None, seed=1, n_boot=0)
    assert res["direction"] == oc.WITHHELD and math.isnan(res["ci_low"])
    df.loc[0, ["mean_diff", "ci_low", "ci_high", "mean_before", "mean_after"]] = np.nan
    df.loc[0, "direction"] = oc.WITHHELD
    shown = oc.main_table(df).iloc[0]
    assert shown["Change (95% CI)"] == "" and shown["What it shows"].startswith("withheld")


def test_chart_draws_no_zero_width_interval():
    import matplotlib.pyplot as plt

    from carejourneys.render import outcomes_plots

    pre = np.array([3, 4, 5, 6, 7, 5], dtype=float)
    change = pd.DataFrame([{"design": oc.PROSPECTIVE, "scale": "ons_worthwhile", "label": "Worth",
                            **oc.paired_change(pre, pre + 1).as_dict(), "note": ""}])
    fig = outcomes_plots.mean_change(change)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "interval not defined" in texts
    plt.close(fig)


def test_holm_adjusted_matches_the_step_down_rule():
    p = np.array([0.01, np.nan, 0.04, 0.03, 0.005])
    got = oc.holm_adjusted(p)
    assert math.isnan(got[1])
    defined = p[~np.isnan(p)]
    order = np.argsort(defined)
    m = len(defined)
    manual = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * defined[i]))
        manual[i] = running
    assert got[~np.isnan(p)] == pytest.approx(manual)
    assert np.isnan(oc.holm_adjusted([np.nan])).all()

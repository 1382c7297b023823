"""Paired change statistics (carejourneys.metrics.outcomes), cross-checked against scipy/statsmodels."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.descriptivestats import sign_test as sm_sign_test
from statsmodels.stats.weightstats import DescrStatsW

from carejourneys.inputs.schemas import ONS_ITEMS, RETRO_ITEMS, SWEMWBS_ITEMS, UCLA_ITEMS
from carejourneys.metrics import outcomes as oc

# --------------------------------------------------------------------------- exact signed-rank


def brute_force_p(d, zero_method="pratt"):
    """Two-sided p by enumerating all 2^n sign assignments (independent of the module's DP)."""
    d = np.asarray(d, dtype=float)
    if zero_method == "pratt":
        r = stats.rankdata(np.abs(d))[d != 0]
    else:
        r = stats.rankdata(np.abs(d[d != 0]))
    obs = r[d[d != 0] > 0].sum()
    sums = np.array([np.dot(r, s) for s in itertools.product((0, 1), repeat=r.size)])
    le, ge = np.mean(sums <= obs + 1e-9), np.mean(sums >= obs - 1e-9)
    return min(1.0, 2 * min(le, ge))


def t_plus_pratt(x, y, axis=-1):
    d = x - y
    r = stats.rankdata(np.abs(d), axis=axis)
    return np.sum(r * (d > 0), axis=axis)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_matches_scipy_exact_on_tie_free_data(seed, alternative):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(4, 19))
    d = rng.permutation(np.arange(1, n + 1)) * rng.choice([-1, 1], n) + rng.normal(0, 0.01, n)
    ours = oc.signed_rank_exact(d, alternative=alternative)
    ref = stats.wilcoxon(d, method="exact", alternative=alternative)
    assert ours.p_value == pytest.approx(ref.pvalue, rel=1e-12)
    if alternative == "two-sided":
        assert min(ours.t_plus, ours.t_minus) == ref.statistic
    else:
        assert ours.t_plus == ref.statistic


@pytest.mark.parametrize("seed", range(6))
def test_matches_scipy_permutation_test_on_tied_data_with_zeros(seed):
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(6, 13))
    before = rng.integers(1, 6, n).astype(float)
    after = np.clip(before + rng.integers(-2, 3, n), 1, 5).astype(float)
    d = after - before
    assert len(np.unique(np.abs(d))) < n  # ties (and usually zeros) present
    ref = stats.permutation_test((after, before), t_plus_pratt, permutation_type="samples",
                                 n_resamples=np.inf, alternative="two-sided", vectorized=True)
    ours = oc.signed_rank_exact(d, zero_method="pratt")
    assert ours.p_value == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-12)
    assert ours.t_plus == pytest.approx(ref.statistic)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-4, 4), min_size=1, max_size=12), st.sampled_from(["pratt", "wilcox"]))
def test_matches_brute_force_enumeration(values, zero_method):
    ours = oc.signed_rank_exact(values, zero_method=zero_method)
    if all(v == 0 for v in values):
        assert math.isnan(ours.p_value) and ours.n_used == 0 and ours.note == oc.NO_NONZERO_DIFFERENCE
        return
    assert ours.p_value == pytest.approx(brute_force_p(values, zero_method), abs=1e-12)
    assert 0 < ours.p_value <= 1
    # flipping every sign leaves the two-sided p unchanged
    assert oc.signed_rank_exact([-v for v in values], zero_method=zero_method).p_value == pytest.approx(
        ours.p_value, abs=1e-12)


def test_scipy_exact_ignores_ties_but_ours_does_not():
    """Why the module has its own test: scipy's method="exact" uses the tie-free null distribution."""
    d = np.array([0.13, -0.13, 0.5, 0.55, 0.7, -0.73, 1.11, 1.27, 1.78, -2.16, 2.55, 2.73, 4.21, 4.63, 5.6])
    ours = oc.signed_rank_exact(d).p_value
    assert ours == pytest.approx(brute_force_p(d), abs=1e-12)
    assert stats.wilcoxon(d, method="exact").pvalue != pytest.approx(ours, rel=1e-6)


def test_pratt_and_wilcox_differ_in_ranking():
    d = [0, 0, 1, -2, 3, 4]
    assert list(oc.signed_rank_ranks(d, "pratt")) == [3, 4, 5, 6]
    assert list(oc.signed_rank_ranks(d, "wilcox")) == [1, 2, 3, 4]
    with pytest.raises(ValueError):
        oc.signed_rank_ranks(d, "zsplit")


# --------------------------------------------------------------------------- other statistics


@pytest.mark.parametrize("seed", range(5))
def test_sign_test_matches_statsmodels(seed):
    rng = np.random.default_rng(seed)
    d = rng.integers(-3, 4, 15).astype(float)
    pos, neg, p = oc.sign_test(d)
    _, sm_p = sm_sign_test(d, mu0=0)
    assert p == pytest.approx(sm_p, rel=1e-9)
    assert (pos, neg) == (int((d > 0).sum()), int((d < 0).sum()))


def test_hedges_j_near_approximation_and_tends_to_one():
    for df in (5, 10, 14, 40):
        assert oc.hedges_j(df) == pytest.approx(1 - 3 / (4 * df - 1), abs=2e-3)
    assert oc.hedges_j(14) < oc.hedges_j(40) < oc.hedges_j(4000) < 1
    assert oc.hedges_j(4000) == pytest.approx(1, abs=1e-3)


@pytest.mark.parametrize("seed", range(5))
def test_paired_change_matches_scipy_and_statsmodels(seed):
    rng = np.random.default_rng(seed)
    n = 15
    before = rng.normal(20, 4, n)
    after = before + rng.normal(1.5, 3, n)  # continuous: no tied |differences|
    res = oc.paired_change(before, after, n_boot=2000, seed=seed)
    d = after - before
    tt = stats.ttest_rel(after, before)
    assert res.t_stat == pytest.approx(tt.statistic) and res.t_p == pytest.approx(tt.pvalue)
    lo, hi = DescrStatsW(d).tconfint_mean(alpha=0.05)
    assert (res.ci_low, res.ci_high) == (pytest.approx(lo), pytest.approx(hi))
    assert res.d_z == pytest.approx(tt.statistic / math.sqrt(n))
    sd_av = (np.std(before, ddof=1) + np.std(after, ddof=1)) / 2
    assert res.d_av == pytest.approx(d.mean() / sd_av)
    assert res.g_z == pytest.approx(res.d_z * oc.hedges_j(n - 1))
    assert res.g_av == pytest.approx(res.d_av * oc.hedges_j(n - 1))
    assert res.wilcoxon_p == pytest.approx(stats.wilcoxon(after, before, method="exact").pvalue)
    assert res.median_before == pytest.approx(np.median(before))
    assert res.median_diff == pytest.approx(np.median(d))
    assert res.n_improved + res.n_same + res.n_worse == n


def test_bootstrap_is_seeded_and_descriptive():
    rng = np.random.default_rng(7)
    b = rng.normal(0, 1, 200)
    a = b + rng.normal(0.5, 1, 200)
    r1 = oc.paired_change(b, a, n_boot=2000, seed=3)
    r2 = oc.paired_change(b, a, n_boot=2000, seed=3)
    r3 = oc.paired_change(b, a, n_boot=2000, seed=4)
    assert (r1.boot_low, r1.boot_high) == (r2.boot_low, r2.boot_high)
    assert (r1.boot_low, r1.boot_high) != (r3.boot_low, r3.boot_high)
    assert r1.boot_low < r1.mean_diff < r1.boot_high
    # with n=200 the percentile bootstrap is close to the t interval
    assert r1.boot_low == pytest.approx(r1.ci_low, abs=0.05)
    assert r1.boot_high == pytest.approx(r1.ci_high, abs=0.05)
    assert "unreliable" in oc.BOOTSTRAP_LABEL and "annex" in oc.BOOTSTRAP_LABEL
    # not computed unless asked for
    r0 = oc.paired_change(b, a, seed=3)
    assert math.isnan(r0.boot_low) and math.isnan(r0.boot_high)


def test_direction_of_improvement():
    before = [5, 5, 5, 5]
    after = [4, 5, 6, 3]
    up = oc.paired_change(before, after, higher_is_better=True, n_boot=100)
    down = oc.paired_change(before, after, higher_is_better=False, n_boot=100)
    assert (up.n_improved, up.n_same, up.n_worse) == (1, 1, 2)
    assert (down.n_improved, down.n_same, down.n_worse) == (2, 1, 1)
    assert up.share_improved == pytest.approx(0.25)


def test_missing_pairs_are_dropped():
    res = oc.paired_change([1, np.nan, 3, 4], [2, 2, np.nan, 5], n_boot=100)
    assert res.n_pairs == 2


def test_reliable_change_jacobson_truax():
    spec = oc.ReliableChangeSpec(reliability=0.8, sd=4.0, source="test")
    se_diff = 4.0 * math.sqrt(2 * 0.2)
    d = np.array([1.0, 3.0, 4.0, -4.0, 0.0])
    assert oc.reliable_change_index(d, reliability=0.8, sd=4.0) == pytest.approx(d / se_diff)
    res = oc.paired_change(np.zeros(5), d, reliable_change=spec, n_boot=100)
    expected_up = int((d / se_diff > 1.96).sum())
    expected_down = int((d / se_diff < -1.96).sum())
    assert (res.n_reliably_improved, res.n_reliably_worse) == (expected_up, expected_down)
    lower_better = oc.paired_change(np.zeros(5), d, reliable_change=spec, higher_is_better=False, n_boot=100)
    assert (lower_better.n_reliably_improved, lower_better.n_reliably_worse) == (expected_down, expected_up)
    with pytest.raises(ValueError):
        oc.reliable_change_index(d, reliability=1.0, sd=4.0)


def test_reliable_change_defaults_cite_their_source():
    for spec in oc.RELIABLE_CHANGE_DEFAULTS.values():
        assert 0 < spec.reliability < 1 and "et al." in spec.source


# --------------------------------------------------------------------------- survey tables


def _prepost(n: int, activity: str, seed: int, missing_at: int | None = None) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        for tp, shift in (("pre", 0), ("post", 1)):
            row = {"respondent_id": f"{activity[:2]}{i:02d}", "site": "plymouth", "activity": activity,
                   "timepoint": tp, "completed_on": pd.Timestamp("2023-01-01")}
            row |= {c: int(np.clip(rng.integers(1, 5) + shift, 1, 5)) for c in SWEMWBS_ITEMS}
            row |= {c: int(rng.integers(1, 4)) for c in UCLA_ITEMS}
            row |= {c: int(rng.integers(0, 11)) for c in ONS_ITEMS}
            rows.append(row)
    df = pd.DataFrame(rows)
    for c in (*SWEMWBS_ITEMS, *UCLA_ITEMS, *ONS_ITEMS):
        df[c] = df[c].astype("Int64")
    if missing_at is not None:
        df.loc[missing_at, "swemwbs_4"] = pd.NA
    return df


def test_prepost_change_overall_and_withheld_by_activity():
    df = pd.concat([_prepost(8, "art", 1, missing_at=3), _prepost(3, "cooking", 2)], ignore_index=True)
    overall = oc.prepost_change(df, n_boot=200)
    assert set(overall["design"]) == {oc.PROSPECTIVE}
    sw = overall.set_index("scale").loc["swemwbs_metric"]
    assert sw["n_pairs"] == 10 and sw["n_not_scored"] == 1
    pairs = oc.prepost_pairs(df)
    both = pairs.dropna(subset=["swemwbs_metric_pre", "swemwbs_metric_post"])
    ref = oc.paired_change(both["swemwbs_metric_pre"].to_numpy(float),
                           both["swemwbs_metric_post"].to_numpy(float), n_boot=200)
    assert sw["mean_diff"] == pytest.approx(ref.mean_diff)
    assert sw["wilcoxon_p"] == pytest.approx(ref.wilcoxon_p)

    by = oc.prepost_change(df, by="activity", threshold=5, n_boot=200)
    small = by[by["activity"] == "cooking"]
    assert (small["n_pairs"] == 3).all()
    assert small["mean_diff"].isna().all() and small["share_improved"].isna().all()
    assert small["n_improved"].isna().all()
    assert small["note"].str.contains("withheld").all()
    big = by[(by["activity"] == "art") & (by["scale"] == "ucla_total")]
    assert big["mean_diff"].notna().all() and big["note"].str.contains("descriptive").all()


def test_unpaired_respondent_counts_no_pair():
    df = _prepost(6, "art", 3)
    df = df[~((df["respondent_id"] == "ar00") & (df["timepoint"] == "post"))]
    out = oc.prepost_change(df, n_boot=200).set_index("scale")
    assert out.loc["ucla_total", "n_pairs"] == 5
    assert out.loc["ucla_total", "n_not_scored"] == 0


def test_empty_prepost_gives_rows_with_zero_pairs():
    from carejourneys.inputs.schemas import SOURCES

    out = oc.prepost_change(SOURCES["prepost_survey"].empty())
    assert (out["n_pairs"] == 0).all()


def _retro(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(n)], "site": "plymouth", "activity": "art",
                       "completed_on": pd.Timestamp("2023-06-01")})
    for item in RETRO_ITEMS:
        b = rng.integers(1, 5, n)
        df[f"{item}_before"] = pd.array(b, dtype="Int64")
        df[f"{item}_now"] = pd.array(np.clip(b + rng.integers(0, 3, n), 1, 5), dtype="Int64")
    return df


def test_retrospective_is_labelled_and_never_pooled():
    retro = oc.retrospective_change(_retro(11, 5), n_boot=200)
    assert set(retro["design"]) == {oc.RETROSPECTIVE}
    assert set(retro["scale"]) == set(RETRO_ITEMS)
    r = retro.set_index("scale").loc["skills"]
    assert r["n_pairs"] == 11 and r["n_worse"] == 0
    pre = oc.prepost_change(_prepost(6, "art", 1), n_boot=200)
    both = oc.combine_designs(pre, retro)
    assert len(both) == len(pre) + len(retro)
    with pytest.raises(ValueError):
        oc.combine_designs(pd.concat([pre, retro]))
    with pytest.raises(ValueError):
        oc.combine_designs(retro, retro)


def test_display_table_counts_and_blank_withheld_stats():
    df = pd.concat([_prepost(6, "art", 1), _prepost(2, "music", 2)], ignore_index=True)
    shown = oc.display_table(oc.prepost_change(df, by="activity", n_boot=200))
    assert {"Pairs", "Improved", "Mean change (95% CI)", "Exact Wilcoxon p"} <= set(shown.columns)
    music = shown[shown["Activity"] == "music"]
    assert (music["Mean change (95% CI)"] == "").all() and (music["Pairs"] == 2).all()
    assert set(oc.DISPLAY_COUNTS) <= set(shown.columns)


def test_mean_change_chart_one_design_only():
    import matplotlib.pyplot as plt

    from carejourneys.render import outcomes_plots

    df = pd.concat([_prepost(6, "art", 1), _prepost(2, "music", 2)], ignore_index=True)
    by = oc.prepost_change(df, by="activity", n_boot=200)
    fig = outcomes_plots.mean_change(by[by["scale"] == "ucla_total"])
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert any("art  (n=6)" in t for t in labels) and any("music  (n<5)" in t for t in labels)
    assert not any("n=2" in t for t in labels)
    assert any("withheld" in t.get_text() for t in ax.texts)
    # UCLA: lower is better, so the plotted point is minus the mean change
    art = by[(by["scale"] == "ucla_total") & (by["activity"] == "art")].iloc[0]
    x = ax.collections[0].get_offsets()[:, 0] if ax.collections else None
    points = [ln for ln in ax.lines if len(ln.get_xdata()) == 1]
    xs = [float(ln.get_xdata()[0]) for ln in points]
    assert x is not None or xs
    assert -art["mean_diff"] == pytest.approx(xs[0] if xs else x[0])
    plt.close(fig)
    retro = oc.retrospective_change(_retro(11, 5), n_boot=200)
    pre = oc.prepost_change(_prepost(6, "art", 1), n_boot=200)
    with pytest.raises(ValueError):
        outcomes_plots.mean_change(pd.concat([pre, retro]))
    plt.close("all")


def test_reliable_change_note_names_inputs():
    text = oc.reliable_change_note({"ucla_total": oc.ReliableChangeSpec(0.7, 1.5, "Somebody et al. 2000")})
    assert "reliability 0.7" in text and "SD 1.5" in text and "Somebody et al. 2000" in text
    assert "SWEMWBS" in oc.reliable_change_note()


def test_breakdown_of_no_responses_is_an_empty_table():
    from carejourneys.inputs.schemas import SOURCES

    by = oc.prepost_change(SOURCES["prepost_survey"].empty(), by="activity")
    assert by.empty and {"activity", "n_pairs", "mean_diff", "note"} <= set(by.columns)
    assert oc.display_table(by).empty
    retro = oc.retrospective_change(SOURCES["retrospective_survey"].empty(), by="activity")
    assert retro.empty


def test_monte_carlo_beyond_the_exact_limit_is_seeded_labelled_and_close():
    rng = np.random.default_rng(11)
    d = rng.integers(-3, 5, 60).astype(float)
    exact = oc.signed_rank_exact(d)
    mc = oc.signed_rank_exact(d, max_exact_n=10, n_monte_carlo=20_000, seed=1)
    again = oc.signed_rank_exact(d, max_exact_n=10, n_monte_carlo=20_000, seed=1)
    assert mc.p_value == again.p_value
    assert "Monte Carlo" in mc.method and "exact" in exact.method
    se = math.sqrt(exact.p_value * (1 - exact.p_value) / 20_000) * 2
    assert abs(mc.p_value - exact.p_value) < 4 * se + 1e-4
    assert oc.paired_change(np.zeros(5), [1, 2, 3, -1, 2], n_boot=100).wilcoxon_method == oc.WILCOXON_LABEL


def test_exact_convolution_handles_hundreds_of_tied_pairs_quickly():
    rng = np.random.default_rng(5)
    d = rng.integers(-3, 4, 400).astype(float)  # symmetric: a p-value away from the far tail
    res = oc.signed_rank_exact(d)
    assert res.method == oc.WILCOXON_LABEL and res.n_used == int((d != 0).sum())
    # against the normal approximation with tie correction (scipy), which is accurate at this size
    approx = stats.wilcoxon(d, zero_method="pratt", method="approx", correction=False).pvalue
    assert res.p_value == pytest.approx(approx, rel=0.05, abs=1e-12)


# --------------------------------------------------------------------------- the report notebook

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "01_young_people_outcomes.ipynb"


def test_notebook_is_thin_and_parameterised():
    import json

    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert nb["nbformat"] == 4 and nb["metadata"]["kernelspec"]["name"] == "python3"
    assert nb["metadata"]["carejourneys"]["sites"] == ["brent", "plymouth", "all"]
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    sources = ["".join(c["source"]) for c in code]
    assert "parameters" in code[0]["metadata"].get("tags", [])
    assert 'site = "plymouth"' in sources[0] and "disclosure_threshold = 5" in sources[0]
    assert "cj.report.setup(" in sources[1]
    assert all(not c.get("outputs") for c in code)
    # every table of people is a declared function of the dataset (metrics.published) or names its counts
    for src in sources:
        if "cj.report.table(" in src and "display" in src:
            assert "published." in src or ("counts=" in src and "percent_of=" in src)


def _sample_sizes(page: str) -> dict[str, str]:
    from lxml import html

    doc = html.fromstring(page)
    for table in doc.iter("table"):
        caption = table.find("caption")
        if caption is not None and caption.text_content().startswith("Sources of evidence"):
            rows = [[c.text_content().strip() for c in tr] for tr in table.iter("tr")]
            head = rows[0]
            return {r[head.index("Source")]: r[head.index("n")] for r in rows[1:]}
    raise AssertionError("no sample-size table")


@pytest.mark.slow
def test_notebook_builds_with_every_source_and_its_n(tmp_path):
    """Plymouth only, to keep this file quick (loading a dataset takes seconds); Brent and 'all' were
    checked the same way by hand and are built by `make report`."""
    import carejourneys as cj
    from carejourneys import measures
    from carejourneys.metrics import triangulation
    from carejourneys.publish import build

    result = build.run(sites=["plymouth"], notebooks=["01_young_people_outcomes"], outputs=tmp_path,
                       jobs=1, quiet=True)
    assert result.ok, [r.error for r in result.failures]
    for r in result.reports:
        page = r.html.read_text(encoding="utf-8")
        expected = triangulation.sample_sizes(cj.load_dataset(site=r.site)).set_index("Source")["n"]
        assert _sample_sizes(page) == {k: str(v) for k, v in expected.items()}
        assert "at least 30 people twice" in page
        assert "University of Warwick and University of Edinburgh, 2008" in page
        assert measures.SWEMWBS_NOTICE.split(" ©")[0] in page


def test_duplicate_timepoint_is_a_dataerror_naming_the_row():
    from carejourneys.errors import DataError

    df = _prepost(3, "art", 1)
    df = pd.concat([df, df.iloc[[2]]], ignore_index=True)
    with pytest.raises(DataError) as e:
        oc.prepost_pairs(df)
    assert e.value.row == len(df) + 1 and e.value.column == "timepoint"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12), st.integers(0, 12)), min_size=1,
                max_size=6),
       st.integers(2, 6))
def test_protect_split_leaves_no_small_or_derivable_group(rows, threshold):
    frame = pd.DataFrame(rows, columns=["a", "b", "c"]).astype("Int64")
    frame["share_a"] = frame["a"] / frame[["a", "b", "c"]].sum(axis=1).replace(0, 1)
    out = oc.protect_split(frame, ["a", "b", "c"], threshold=threshold, shares={"share_a": "a"})
    for (a, b, c), (_, r) in zip(rows, out.iterrows(), strict=True):
        shown = {k: v for k, v in zip("abc", (a, b, c), strict=True) if r[k] != oc.SUPPRESSED}
        hidden = [k for k in "abc" if r[k] == oc.SUPPRESSED]
        assert all(r[k] == v for k, v in shown.items())  # shown values untouched
        assert not any(0 < v < threshold for v in shown.values())
        # with the row total known, one hidden group could be worked out; it never is, unless the
        # others are all zero (then the total itself is the small count, suppressed by report.table)
        if len(hidden) == 1:
            assert all(v == 0 for v in shown.values())
        assert (r["share_a"] == oc.SUPPRESSED) == ("a" in hidden)


def test_display_table_split_is_protected_but_pairs_left_to_report():
    change = pd.DataFrame([{
        "design": oc.PROSPECTIVE, "label": "X", "n_pairs": 12, "median_before": 1.0, "median_after": 2.0,
        "mean_diff": 1.0, "ci_low": 0.0, "ci_high": 2.0, "boot_low": 0.2, "boot_high": 1.8, "wilcoxon_p": 0.1,
        "sign_p": 0.2, "g_av": 0.5,
        "n_improved": 8, "n_same": 0, "n_worse": 4, "share_improved": 8 / 12, "n_reliably_improved": 2,
        "n_reliably_worse": 0, "note": ""}])
    shown = oc.display_table(change, threshold=5).iloc[0]
    assert (shown["Improved"], shown["Same"], shown["Worse"]) == ("c", 0, "c")
    assert shown["Improved %"] == "c"
    assert shown["Pairs"] == 12 and shown["Reliably improved"] == 2  # primary rule applied by report.table
    assert shown[oc.BOOTSTRAP_COLUMN] == "0.20 to 1.80"


def test_display_table_names_design_only_when_mixed():
    pre = oc.prepost_change(_prepost(6, "art", 1), n_boot=200)
    retro = oc.retrospective_change(_retro(11, 5), n_boot=200)
    assert "Design" not in oc.display_table(pre).columns
    both = oc.display_table(oc.combine_designs(pre, retro))
    assert set(both["Design"]) == {oc.PROSPECTIVE, oc.RETROSPECTIVE}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), min_size=3, max_size=15))
def test_paired_change_swapping_occasions_mirrors_the_result(pairs):
    before = np.array([p[0] for p in pairs], dtype=float)
    after = np.array([p[1] for p in pairs], dtype=float)
    fwd = oc.paired_change(before, after, n_boot=200)
    back = oc.paired_change(after, before, n_boot=200)
    assert back.mean_diff == pytest.approx(-fwd.mean_diff)
    assert back.wilcoxon_p == pytest.approx(fwd.wilcoxon_p, nan_ok=True)
    assert back.sign_p == pytest.approx(fwd.sign_p, nan_ok=True)
    assert (back.n_improved, back.n_same, back.n_worse) == (fwd.n_worse, fwd.n_same, fwd.n_improved)
    if fwd.n_zero == fwd.n_pairs:  # no non-zero difference: neither test is defined
        assert math.isnan(fwd.wilcoxon_p) and math.isnan(fwd.sign_p) and fwd.p_note
    else:
        assert 0 < fwd.wilcoxon_p <= 1 and 0 < fwd.sign_p <= 1
    if not np.isnan(fwd.d_z):
        assert back.d_z == pytest.approx(-fwd.d_z) and abs(fwd.g_z) <= abs(fwd.d_z)

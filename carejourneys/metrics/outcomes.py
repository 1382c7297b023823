"""Change in outcomes for young people, with statistics honest about small samples.

The core is :func:`paired_change` (one scale, ``before`` and ``after`` for the same people),
which reports:

* ``n_pairs``, medians and means before and after, the mean difference (after - before) with a
  t-based 95% confidence interval;
* differences taken at the **scale's precision** (``decimals``, e.g. 2 for SWEMWBS metric scores), so
  that changes equal on the scale (1.10 and -1.10) tie exactly rather than by float accident;
* an **exact Wilcoxon signed-rank** p-value (:func:`signed_rank_exact`) computed from the full
  sign-flip (permutation) distribution of the signed-rank statistic with mid-ranks, so it stays
  exact with ties and zeros (scipy's default silently switches to a normal approximation there);
  zero differences are handled by **Pratt's rule** by default (zeros take part in ranking, then
  carry no sign), or dropped before ranking (``zero_method="wilcox"``);
* the **sign test** (exact binomial on the non-zero differences; zeros dropped);
* the **paired t-test**;
* effect sizes **d_z** (mean difference / SD of the differences) and **d_av** (mean difference
  / average of the SDs before and after; Cumming 2012, Lakens 2013), each also with **Hedges'
  correction** ``J = Γ(df/2) / (sqrt(df/2) Γ((df-1)/2))`` for ``df = n - 1`` (exact form, not the
  ``1 - 3/(4df - 1)`` approximation) giving g_z and g_av;
* optionally (``n_boot`` > 0), a seeded percentile bootstrap interval of the mean difference, for the
  annex only: at n = 5-15 it is too narrow to be read as a 95% interval (:data:`BOOTSTRAP_CAVEAT`);
* the shares **improved / same / worse** (direction per scale: higher is better or not);
* **reliable change** (Jacobson & Truax 1991): ``RCI = d / (SD * sqrt(2 * (1 - r)))``, a person
  has reliably changed when ``|RCI| > 1.96``; reliability ``r`` and ``SD`` are explicit inputs,
  with the cited defaults in :data:`RELIABLE_CHANGE_DEFAULTS`.

A statistic that does not exist is missing (NaN), never a stand-in number: identical changes have no
confidence interval (not a zero-width one), no non-zero difference gives no signed-rank or sign-test
p (not 1.000); ``ci_note`` / ``p_note`` say why, and :mod:`carejourneys.render.numbers` writes them
as "not defined". ``direction`` applies :func:`change_direction` (:data:`DIRECTION_RULE`).

Reader tables: :func:`main_table` (narrow: measure, n, before, after, change, what it shows) and
:func:`annex_table` (every statistic).

Prospective pre/post results (:func:`prepost_change`) and retrospective (then-test) results
(:func:`retrospective_change`) are computed separately and labelled by ``design``; nothing here
pools them (:func:`combine_designs` refuses to).

Disclosure: summaries over fewer people than ``threshold`` keep their ``n_pairs`` (to be shown
through ``cj.report.table(..., counts=[...])``, which suppresses small counts) but their means,
medians, shares and tests are withheld (``<NA>``) and ``note`` says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import special, stats

from carejourneys import measures
from carejourneys.errors import DataError, DataProblem
from carejourneys.inputs.schemas import RETRO_ITEMS
from carejourneys.render import numbers
from carejourneys.sdc.disclosure import SUPPRESSED

ZeroMethod = Literal["pratt", "wilcox"]
Alternative = Literal["two-sided", "greater", "less"]

PROSPECTIVE = "pre/post (prospective)"
RETROSPECTIVE = "retrospective (then-test)"

BOOTSTRAP_LABEL = "annex only: seeded percentile bootstrap of the mean difference, unreliable at n = 5-15"
WILCOXON_LABEL = "exact: full sign-flip distribution of the signed-rank statistic (mid-ranks)"


@dataclass(frozen=True)
class ReliableChangeSpec:
    """Inputs of the Jacobson-Truax reliable change index for one scale and where they come from.

    ``sd`` None means: use the standard deviation of the sample's own 'before' scores (labelled)."""

    reliability: float
    sd: float | None
    source: str


#: cited defaults for reliable change; pass your own ``reliable_change=`` to override
RELIABLE_CHANGE_DEFAULTS: dict[str, ReliableChangeSpec] = {
    "swemwbs_metric": ReliableChangeSpec(
        0.88, 3.92,
        "reliability: Cronbach's alpha 0.88 for SWEMWBS among 15-21 year olds (Ringdal et al. 2018, "
        "Scand J Public Health); SD: 3.92, baseline SWEMWBS SD in Shah et al. 2018 (Health Qual Life "
        "Outcomes 16:239)",
    ),
    "ucla_total": ReliableChangeSpec(
        0.72, None,
        "reliability: Cronbach's alpha 0.72 for the 3-item UCLA scale (Hughes et al. 2004, Research on "
        "Aging 26:655); SD: the sample's own 'before' SD",
    ),
}

RCI_CRITICAL = 1.96


# --------------------------------------------------------------------------- exact signed-rank


@dataclass(frozen=True)
class SignedRankResult:
    """Exact Wilcoxon signed-rank test. ``t_plus``/``t_minus`` are the sums of (mid-)ranks of the
    positive/negative differences; ``n_used`` differences carry a sign, ``n_zero`` are zero.
    With no non-zero difference the test is not defined: ``p_value`` is NaN and ``note`` says why."""

    t_plus: float
    t_minus: float
    p_value: float
    n_used: int
    n_zero: int
    zero_method: str
    alternative: str
    method: str = WILCOXON_LABEL
    note: str = ""


#: why a signed-rank or sign test has no p-value
NO_NONZERO_DIFFERENCE = "not defined: no non-zero difference"
#: why a mean change has no confidence interval (and no t-test or d_z)
NO_SPREAD = "not defined: every change is the same"
TOO_FEW = "not defined: fewer than 2 pairs"


def signed_rank_ranks(d: Sequence[float] | np.ndarray, zero_method: ZeroMethod = "pratt") -> np.ndarray:
    """Mid-ranks of |d| for the non-zero differences, in their order.

    Pratt: zeros are ranked with the rest and then dropped; wilcox: zeros are dropped first."""
    d = np.asarray(d, dtype=float)
    if zero_method == "pratt":
        ranks = stats.rankdata(np.abs(d))
        return ranks[d != 0]
    if zero_method == "wilcox":
        nz = d[d != 0]
        return stats.rankdata(np.abs(nz))
    raise ValueError(f"zero_method must be 'pratt' or 'wilcox', got {zero_method!r}")


def _null_distribution(doubled_ranks: np.ndarray) -> np.ndarray:
    """P(2*T+ = k) for k = 0..sum, when each rank's sign is + or - with probability 1/2.

    The complete permutation distribution computed by convolution (no sampling, exact for any n)."""
    total = int(doubled_ranks.sum())
    dist = np.zeros(total + 1)
    dist[0] = 1.0
    upto = 0
    for r in doubled_ranks:
        r = int(r)
        new = dist * 0.5
        new[r:upto + r + 1] += 0.5 * dist[:upto + 1]
        dist = new
        upto += r
    return dist


#: above this many non-zero differences the signed-rank p-value is estimated by seeded Monte Carlo
MAX_EXACT_N = 1000
MONTE_CARLO_LABEL = "Monte Carlo: {n} seeded random sign flips of the signed-rank statistic (mid-ranks)"


def signed_rank_exact(
    d: Sequence[float] | np.ndarray,
    *,
    zero_method: ZeroMethod = "pratt",
    alternative: Alternative = "two-sided",
    max_exact_n: int = MAX_EXACT_N,
    n_monte_carlo: int = 100_000,
    seed: int = 2024,
    decimals: int | None = None,
) -> SignedRankResult:
    """Wilcoxon signed-rank test of the differences ``d`` (after - before).

    ``decimals``: the precision of the scores (e.g. 2 for SWEMWBS metric scores); the differences
    are rounded to it before ranking so that changes equal on the scale tie exactly (see
    :func:`carejourneys.measures.scale_difference`). None uses ``d`` as given.

    The p-value comes from the complete sign-flip distribution of T+ given the observed
    (mid-)ranks, so ties and zeros keep it exact. Two-sided p = min(1, 2 * min(P(T+ <= t),
    P(T+ >= t))), the convention of ``scipy.stats.wilcoxon``; the distribution is symmetric, so
    this equals P(|T+ - E| >= |t - E|). The distribution is computed by convolution, which is
    exact and quick for the sample sizes of evaluations; beyond ``max_exact_n`` non-zero
    differences a seeded Monte Carlo estimate is used instead and ``method`` says so."""
    d = np.asarray(d, dtype=float)
    d = d[~np.isnan(d)]
    if decimals is not None:
        d = np.round(d, decimals) + 0.0
    ranks = signed_rank_ranks(d, zero_method)
    signs = np.sign(d[d != 0])
    n_zero = int((d == 0).sum())
    t_plus = float(ranks[signs > 0].sum())
    t_minus = float(ranks[signs < 0].sum())
    if alternative not in ("two-sided", "greater", "less"):
        raise ValueError(f"unknown alternative {alternative!r}")
    if ranks.size == 0:
        return SignedRankResult(0.0, 0.0, float("nan"), 0, n_zero, zero_method, alternative,
                                note=NO_NONZERO_DIFFERENCE)
    if ranks.size > max_exact_n:
        rng = np.random.default_rng(seed)
        sims = np.empty(n_monte_carlo)
        for start in range(0, n_monte_carlo, 1000):
            stop = min(start + 1000, n_monte_carlo)
            flips = rng.integers(0, 2, size=(stop - start, ranks.size))
            sims[start:stop] = flips @ ranks
        eps = 1e-9 * max(1.0, t_plus)
        # (count + 1) / (n + 1): a Monte Carlo p-value is never 0
        p_le = (np.sum(sims <= t_plus + eps) + 1) / (n_monte_carlo + 1)
        p_ge = (np.sum(sims >= t_plus - eps) + 1) / (n_monte_carlo + 1)
        method = MONTE_CARLO_LABEL.format(n=n_monte_carlo)
    else:
        doubled = np.rint(ranks * 2).astype(np.int64)  # mid-ranks are multiples of 1/2
        dist = _null_distribution(doubled)
        k = int(round(t_plus * 2))
        p_le = float(dist[:k + 1].sum())
        p_ge = float(dist[k:].sum())
        method = WILCOXON_LABEL
    p = {"greater": p_ge, "less": p_le, "two-sided": 2.0 * min(p_le, p_ge)}[alternative]
    return SignedRankResult(t_plus, t_minus, min(1.0, float(p)), int(ranks.size), n_zero, zero_method,
                            alternative, method)


# --------------------------------------------------------------------------- other statistics


def sign_test(d: Sequence[float] | np.ndarray) -> tuple[int, int, float]:
    """(n positive, n negative, exact two-sided binomial p) with zero differences dropped; the p is
    NaN (not defined) when no difference is non-zero."""
    d = np.asarray(d, dtype=float)
    d = d[~np.isnan(d)]
    pos, neg = int((d > 0).sum()), int((d < 0).sum())
    if pos + neg == 0:
        return pos, neg, float("nan")
    return pos, neg, float(stats.binomtest(pos, pos + neg, 0.5).pvalue)


def hedges_j(df: float) -> float:
    """Hedges' small-sample correction factor J(df), exact gamma-function form."""
    if df <= 1:
        return float("nan")
    return float(math.exp(special.gammaln(df / 2) - special.gammaln((df - 1) / 2)) / math.sqrt(df / 2))


def reliable_change_index(
    d: Sequence[float] | np.ndarray, *, reliability: float, sd: float
) -> np.ndarray:
    """Jacobson-Truax RCI per person: d / (SD * sqrt(2) * sqrt(1 - reliability))."""
    if not 0 <= reliability < 1:
        raise ValueError(f"reliability must be in [0, 1), got {reliability}")
    if not sd > 0:
        raise ValueError(f"SD must be positive, got {sd}")
    se_diff = sd * math.sqrt(2.0 * (1.0 - reliability))
    return np.asarray(d, dtype=float) / se_diff


@dataclass(frozen=True)
class PairedChange:
    """Everything :func:`paired_change` reports for one scale (``d`` = after - before).

    ``improved``/``same``/``worse`` follow the scale's direction (``higher_is_better``).
    A statistic that does not exist is NaN and its note says why: ``ci_note`` for the confidence
    interval, the t-test and d_z (every change the same, or fewer than 2 pairs), ``p_note`` for the
    signed-rank and sign tests (no non-zero difference). ``direction`` applies :func:`change_direction`.
    ``boot_low``/``boot_high`` are computed only when asked (``n_boot`` > 0) and belong in an annex:
    a percentile bootstrap is unreliable at n = 5-15 (:data:`BOOTSTRAP_CAVEAT`)."""

    n_pairs: int
    median_before: float
    median_after: float
    mean_before: float
    mean_after: float
    sd_before: float
    sd_after: float
    mean_diff: float
    median_diff: float
    ci_low: float
    ci_high: float
    ci_note: str
    wilcoxon_t_plus: float
    wilcoxon_p: float
    wilcoxon_zero_method: str
    wilcoxon_method: str
    p_note: str
    n_zero: int
    sign_n_pos: int
    sign_n_neg: int
    sign_p: float
    t_stat: float
    t_p: float
    d_z: float
    g_z: float
    d_av: float
    g_av: float
    hedges_j: float
    boot_low: float
    boot_high: float
    n_improved: int
    n_same: int
    n_worse: int
    share_improved: float
    share_same: float
    share_worse: float
    rc_reliability: float
    rc_sd: float
    n_reliably_improved: int | None
    n_reliably_worse: int | None
    rc_source: str
    decimals: int | None
    direction: str

    def as_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------- direction of change

IMPROVED, WORSE, NO_CLEAR_CHANGE, NOT_MEASURED = "improved", "worse", "no clear change", "not measured"

#: the rule of :func:`change_direction`, for pages
DIRECTION_RULE = (
    "A measure is said to show improvement only when chance is an unlikely explanation: the 95% "
    "confidence interval of the mean change lies wholly on the better side of zero, or reliable "
    "change (Jacobson and Truax) shows at least a third of the young people reliably improved and at "
    "least twice as many reliably improved as reliably got worse. Worse is the mirror image. Anything "
    "else, including a positive average whose interval includes zero, is 'no clear change'."
)


def change_direction(n: int, ci_low: float, ci_high: float, *, higher_is_better: bool = True,
                     n_reliably_improved: int | None = None, n_reliably_worse: int | None = None) -> str:
    """``improved`` / ``worse`` / ``no clear change`` / ``not measured`` by :data:`DIRECTION_RULE`.

    ``ci_low``/``ci_high`` bound the mean of after - before; a missing (not defined) interval
    counts as not excluding 0. Reliable change is used when both counts are given."""
    if n == 0:
        return NOT_MEASURED
    lo, hi = (ci_low, ci_high) if higher_is_better else (-ci_high, -ci_low)
    ci_ok = not (pd.isna(lo) or pd.isna(hi))
    if ci_ok and lo > 0:
        return IMPROVED
    if ci_ok and hi < 0:
        return WORSE
    if n_reliably_improved is not None and n_reliably_worse is not None:
        up, down = int(n_reliably_improved), int(n_reliably_worse)
        if up > 0 and up >= 2 * down and 3 * up >= n:
            return IMPROVED
        if down > 0 and down >= 2 * up and 3 * down >= n:
            return WORSE
    return NO_CLEAR_CHANGE


BOOTSTRAP_CAVEAT = (
    "Percentile bootstrap interval, shown for comparison only: with 5 to 15 pairs it is too narrow "
    "(it cannot reflect the uncertainty of so few values) and should not be read as a 95% interval."
)


def paired_change(
    before: Sequence[float] | np.ndarray,
    after: Sequence[float] | np.ndarray,
    *,
    higher_is_better: bool = True,
    zero_method: ZeroMethod = "pratt",
    confidence: float = 0.95,
    n_boot: int = 0,
    seed: int = 2024,
    reliable_change: ReliableChangeSpec | None = None,
    decimals: int | None = None,
) -> PairedChange:
    """Paired change from ``before`` to ``after`` (same people, same order; pairs with a missing
    value on either side are dropped). See the module docstring for every statistic.

    ``decimals`` is the precision of the scores (:data:`carejourneys.measures.SCALES`): the
    differences are rounded to it, so equal changes tie in the signed-rank test and count as equal
    everywhere else. ``n_boot`` > 0 adds a seeded percentile bootstrap (annex only)."""
    b = np.asarray(before, dtype=float)
    a = np.asarray(after, dtype=float)
    if b.shape != a.shape:
        raise ValueError(f"before and after differ in length ({b.size} vs {a.size})")
    keep = ~(np.isnan(b) | np.isnan(a))
    b, a = b[keep], a[keep]
    d = measures.scale_difference(b, a, decimals)
    n = int(d.size)
    nan = float("nan")

    def _sd(x: np.ndarray) -> float:
        return float(np.std(x, ddof=1)) if x.size > 1 else nan

    mean_d = float(d.mean()) if n else nan
    sd_d = _sd(d)
    sd_b, sd_a = _sd(b), _sd(a)
    ci_note = ""
    if n > 1 and sd_d > 0:
        tt = stats.ttest_rel(a, b)
        t_stat, t_p = float(tt.statistic), float(tt.pvalue)
        half = stats.t.ppf(0.5 + confidence / 2, n - 1) * sd_d / math.sqrt(n)
        ci = (mean_d - half, mean_d + half)
        d_z = mean_d / sd_d
    else:
        t_stat = t_p = d_z = nan
        ci = (nan, nan)
        ci_note = NO_SPREAD if n > 1 else (TOO_FEW if n else "")
    sd_av = (sd_b + sd_a) / 2 if n > 1 else nan
    d_av = mean_d / sd_av if n > 1 and sd_av > 0 else nan
    j = hedges_j(n - 1)
    wx = signed_rank_exact(d, zero_method=zero_method)
    pos, neg, sign_p = sign_test(d)
    boot = _bootstrap_mean(d, confidence=confidence, n_boot=n_boot, seed=seed) if n_boot > 0 else (nan, nan)
    good = d > 0 if higher_is_better else d < 0
    bad = d < 0 if higher_is_better else d > 0
    n_imp, n_worse = int(good.sum()), int(bad.sum())
    n_same = n - n_imp - n_worse

    rc_r = rc_sd = nan
    n_rel_imp = n_rel_worse = None
    rc_source = "not computed (no reliability given)"
    if reliable_change is not None and n:
        rc_sd = reliable_change.sd if reliable_change.sd is not None else sd_b
        rc_r = reliable_change.reliability
        rc_source = reliable_change.source
        if rc_sd > 0:
            rci = reliable_change_index(d, reliability=rc_r, sd=rc_sd)
            if not higher_is_better:
                rci = -rci
            n_rel_imp = int((rci > RCI_CRITICAL).sum())
            n_rel_worse = int((rci < -RCI_CRITICAL).sum())
        else:
            rc_source += " (not computed: SD is zero)"

    def _share(k: int) -> float:
        return k / n if n else nan

    return PairedChange(
        n_pairs=n,
        median_before=float(np.median(b)) if n else nan,
        median_after=float(np.median(a)) if n else nan,
        mean_before=float(b.mean()) if n else nan,
        mean_after=float(a.mean()) if n else nan,
        sd_before=sd_b,
        sd_after=sd_a,
        mean_diff=mean_d,
        median_diff=float(np.median(d)) if n else nan,
        ci_low=float(ci[0]),
        ci_high=float(ci[1]),
        ci_note=ci_note,
        wilcoxon_t_plus=wx.t_plus,
        wilcoxon_p=wx.p_value if n else nan,
        wilcoxon_zero_method=zero_method,
        wilcoxon_method=wx.method,
        p_note=wx.note if n else "",
        n_zero=wx.n_zero,
        sign_n_pos=pos,
        sign_n_neg=neg,
        sign_p=sign_p if n else nan,
        t_stat=t_stat,
        t_p=t_p,
        d_z=d_z,
        g_z=d_z * j,
        d_av=d_av,
        g_av=d_av * j,
        hedges_j=j,
        boot_low=boot[0],
        boot_high=boot[1],
        n_improved=n_imp,
        n_same=n_same,
        n_worse=n_worse,
        share_improved=_share(n_imp),
        share_same=_share(n_same),
        share_worse=_share(n_worse),
        rc_reliability=rc_r,
        rc_sd=rc_sd,
        n_reliably_improved=n_rel_imp,
        n_reliably_worse=n_rel_worse,
        rc_source=rc_source,
        decimals=decimals,
        direction=change_direction(n, ci[0], ci[1], higher_is_better=higher_is_better,
                                   n_reliably_improved=n_rel_imp, n_reliably_worse=n_rel_worse),
    )


def _bootstrap_mean(d: np.ndarray, *, confidence: float, n_boot: int, seed: int) -> tuple[float, float]:
    """Seeded percentile bootstrap interval of the mean (annex only; NaN when n < 2 or every value
    is the same: an interval of zero width is not one)."""
    if d.size < 2 or np.all(d == d[0]):
        return float("nan"), float("nan")
    res = stats.bootstrap((d,), np.mean, confidence_level=confidence, n_resamples=n_boot,
                          method="percentile", rng=np.random.default_rng(seed))
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


# --------------------------------------------------------------------------- survey tables

#: columns of a change summary that hold statistics withheld below the disclosure threshold
STAT_COLUMNS = (
    "median_before", "median_after", "mean_before", "mean_after", "mean_diff", "median_diff",
    "ci_low", "ci_high", "wilcoxon_p", "sign_p", "t_p", "d_z", "g_z", "d_av", "g_av",
    "boot_low", "boot_high", "share_improved", "share_same", "share_worse",
)
#: count columns of a change summary (pass to ``cj.report.table(..., counts=COUNT_COLUMNS)``)
COUNT_COLUMNS = ("n_pairs", "n_improved", "n_same", "n_worse", "n_reliably_improved", "n_reliably_worse",
                 "n_not_scored")


def prepost_pairs(prepost: pd.DataFrame, *, missing: measures.Missing = "skip") -> pd.DataFrame:
    """Scored pre/post questionnaires matched into pairs: one row per respondent and activity,
    with ``has_pre``/``has_post`` (a response exists) and ``<scale>_pre`` and ``<scale>_post``
    for every scale in :data:`measures.SCALES`.

    Respondents with only one timepoint keep a row (their other side is ``<NA>``) so that
    summaries can say how many were not paired."""
    keys = ["respondent_id", "site", "activity"]
    scales = list(measures.SCALES)
    if prepost.empty:
        cols = keys + [f"{s}_{t}" for s in scales for t in ("pre", "post")]
        out = pd.DataFrame({c: pd.Series(dtype="str" if c in keys else "Float64") for c in cols})
        out.insert(3, "has_pre", pd.Series(dtype=bool))
        out.insert(4, "has_post", pd.Series(dtype=bool))
        return out
    dup = prepost.duplicated([*keys, "timepoint"], keep="first").to_numpy()
    if dup.any():
        raise DataError.from_problems([
            DataProblem(None, pos + 2, "timepoint",
                        f"a second {prepost['timepoint'].iloc[pos]!r} response for respondent "
                        f"{prepost['respondent_id'].iloc[pos]!r} in {prepost['activity'].iloc[pos]!r}; "
                        "expected one per timepoint")
            for pos in np.flatnonzero(dup)])
    scored = measures.score_prepost(prepost, missing=missing)
    wide = scored.set_index([*keys, "timepoint"])[scales].unstack("timepoint")
    seen = prepost.groupby(keys, observed=True)["timepoint"].agg(lambda t: set(t)).reindex(wide.index)
    out = pd.DataFrame(index=wide.index)
    out["has_pre"] = [("pre" in t) for t in seen]
    out["has_post"] = [("post" in t) for t in seen]
    for s in scales:
        for t in ("pre", "post"):
            col = (s, t)
            out[f"{s}_{t}"] = (wide[col] if col in wide.columns else pd.Series(np.nan, index=wide.index)
                               ).astype("Float64")
    return out.reset_index()


def _summary_row(before, after, spec: dict, *, threshold: int, n_not_scored: int,
                 reliable_change: ReliableChangeSpec | None, seed: int, n_boot: int) -> dict:
    res = paired_change(before, after, higher_is_better=spec["higher_is_better"], seed=seed, n_boot=n_boot,
                        reliable_change=reliable_change, decimals=spec.get("decimals")).as_dict()
    res["n_not_scored"] = n_not_scored
    notes = []
    if res["n_pairs"] == 0:
        notes.append("no paired responses")
    elif res["n_pairs"] < threshold:
        for c in STAT_COLUMNS:
            res[c] = float("nan")
        for c in ("n_improved", "n_same", "n_worse", "n_reliably_improved", "n_reliably_worse"):
            res[c] = None
        res["direction"] = WITHHELD
        res["ci_note"] = res["p_note"] = ""
        notes.append(f"fewer than {threshold} pairs: statistics withheld")
    elif res["n_pairs"] < 30:
        notes.append("small sample: descriptive only")
    res["note"] = "; ".join(notes)
    return res


WITHHELD = "withheld"


def _finish(rows: list[dict], front: list[str]) -> pd.DataFrame:
    from dataclasses import fields

    columns = front + [f.name for f in fields(PairedChange)] + ["n_not_scored", "note"]
    out = pd.DataFrame(rows) if rows else pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    for c in COUNT_COLUMNS:
        if c in out:
            out[c] = out[c].astype("Int64")
    for c in STAT_COLUMNS:
        if c in out:
            out[c] = out[c].astype("Float64")
    rest = [c for c in out.columns if c not in front]
    return out[front + rest]


def prepost_change(
    prepost: pd.DataFrame,
    *,
    by: str | None = None,
    scales: Sequence[str] | None = None,
    threshold: int = 5,
    missing: measures.Missing = "skip",
    reliable_change: dict[str, ReliableChangeSpec] | None = None,
    seed: int = 2024,
    n_boot: int = 0,
) -> pd.DataFrame:
    """Paired pre/post change per scale (rows), optionally per ``by`` group (e.g. ``"activity"``).

    Columns: design, [by], scale, label, domain, then the fields of :class:`PairedChange`,
    ``n_not_scored`` (pairs lost because an item was missing) and ``note``. Statistics over fewer
    than ``threshold`` pairs are withheld. Show SWEMWBS rows with :data:`measures.SWEMWBS_NOTICE`."""
    pairs = prepost_pairs(prepost, missing=missing)
    rc = RELIABLE_CHANGE_DEFAULTS if reliable_change is None else reliable_change
    scales = list(scales or measures.SCALES)
    groups = [(None, pairs)] if by is None else list(pairs.groupby(by, sort=True, observed=True))
    rows = []
    for key, g in groups:
        both = g["has_pre"] & g["has_post"]
        for s in scales:
            spec = measures.SCALES[s]
            n_not = int((both & (g[f"{s}_pre"].isna() | g[f"{s}_post"].isna())).sum())
            row = {"design": PROSPECTIVE}
            if by is not None:
                row[by] = key
            row |= {"scale": s, "label": spec["label"], "domain": spec["domain"]}
            row |= _summary_row(g[f"{s}_pre"].to_numpy(dtype=float, na_value=np.nan),
                                g[f"{s}_post"].to_numpy(dtype=float, na_value=np.nan), spec,
                                threshold=threshold, n_not_scored=n_not, reliable_change=rc.get(s),
                                seed=seed, n_boot=n_boot)
            rows.append(row)
    front = ["design", *([by] if by else []), "scale", "label", "domain"]
    return _finish(rows, front)


def retrospective_change(
    retro: pd.DataFrame,
    *,
    by: str | None = None,
    threshold: int = 5,
    seed: int = 2024,
    n_boot: int = 0,
) -> pd.DataFrame:
    """Retrospective (then-test) change per item: ``<item>_before`` (rated afterwards, about
    before) vs ``<item>_now``, both 1-5, higher is better. Same columns as :func:`prepost_change`
    with ``design`` = retrospective; never pooled with prospective results."""
    from carejourneys.inputs.schemas import OUTCOME_DOMAINS

    rows = []
    groups = [(None, retro)] if by is None else list(retro.groupby(by, sort=True, observed=True))
    for key, g in groups:
        for item in RETRO_ITEMS:
            domain = item if item in OUTCOME_DOMAINS else "wellbeing"
            spec = {"higher_is_better": True, "decimals": 0}
            before = g[f"{item}_before"].to_numpy(dtype=float, na_value=np.nan)
            now = g[f"{item}_now"].to_numpy(dtype=float, na_value=np.nan)
            n_not = int((np.isnan(before) | np.isnan(now)).sum())
            row = {"design": RETROSPECTIVE}
            if by is not None:
                row[by] = key
            row |= {"scale": item, "label": f"{item.replace('_', ' ').capitalize()} (1-5, then vs now)",
                    "domain": domain}
            row |= _summary_row(before, now, spec, threshold=threshold, n_not_scored=n_not,
                                reliable_change=None, seed=seed, n_boot=n_boot)
            rows.append(row)
    front = ["design", *([by] if by else []), "scale", "label", "domain"]
    return _finish(rows, front)


def combine_designs(*tables: pd.DataFrame) -> pd.DataFrame:
    """Stack change tables for display, one block per design, refusing anything that would pool
    designs: every input must hold a single ``design`` and no two inputs the same design."""
    seen: set[str] = set()
    for t in tables:
        designs = set(t["design"].unique())
        if len(designs) != 1:
            raise ValueError(f"a change table must hold one design, got {sorted(designs)}")
        (d,) = designs
        if d in seen:
            raise ValueError(f"design {d!r} given twice: tables are shown side by side, never pooled")
        seen.add(d)
    return pd.concat(tables, ignore_index=True)




def protect_split(
    frame: pd.DataFrame,
    parts: Sequence[str],
    *,
    threshold: int = 5,
    shares: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Suppress the counts of people in ``parts`` - columns that split each row's total into
    groups (improved / same / worse) - so that no group of 1 to ``threshold`` - 1 people is shown
    or can be worked out from the row's total: such a count becomes ``"c"`` and, when it is the
    only one hidden in its row, so does the smallest other non-zero group. ``shares`` maps a
    percentage column to the count it is a share of; it is withheld with that count.

    :func:`carejourneys.sdc.disclosure.protect` reads every count column of a row as one line; here
    the row's other count columns (pairs, reliable change) are not part of the split, so the split
    is protected on its own before the table goes to ``cj.report.table``."""
    out = frame.copy()
    shares = dict(shares or {})
    hide = pd.DataFrame(False, index=out.index, columns=list(parts))
    for idx in out.index:
        vals = {p: out.at[idx, p] for p in parts if pd.notna(out.at[idx, p])}
        small = [p for p, v in vals.items() if 0 < v < threshold]
        if len(small) == 1:
            others = [(v, i, p) for i, (p, v) in enumerate(vals.items()) if p not in small and v > 0]
            if others:
                small.append(min(others)[2])
        for p in small:
            hide.at[idx, p] = True
    for p in parts:
        if hide[p].any():
            col = out[p].astype(object)
            col[hide[p]] = SUPPRESSED
            out[p] = col
    for share, part in shares.items():
        if share in out and hide[part].any():
            col = out[share].astype(object)
            col[hide[part]] = SUPPRESSED
            out[share] = col
    return out


def _what_it_shows(r, threshold: int) -> str:
    """The main table's last column: the direction by :data:`DIRECTION_RULE` and what decided it."""
    n = r["n_pairs"]
    if pd.isna(n) or int(n) == 0:
        return "no paired responses"
    if r["direction"] == WITHHELD or pd.isna(r["mean_diff"]):
        return f"withheld: fewer than {threshold} pairs"
    hib = measures.SCALES.get(r["scale"], {}).get("higher_is_better", True)
    lo, hi = (r["ci_low"], r["ci_high"]) if hib else (-r["ci_high"], -r["ci_low"])
    by_ci = pd.notna(lo) and pd.notna(hi) and (lo > 0 or hi < 0)
    if r["direction"] == IMPROVED:
        return "improved (95% CI excludes 0)" if by_ci else "improved (reliable change)"
    if r["direction"] == WORSE:
        return "worse (95% CI excludes 0)" if by_ci else "worse (reliable change)"
    if r.get("ci_note") == NO_SPREAD:
        return "no clear change (every change the same)"
    return "no clear change (95% CI includes 0)"


def _labels(change: pd.DataFrame, *, fold_design: bool) -> pd.DataFrame:
    """[Design], [Site], [Activity], Measure. The design is shown only when the table mixes designs (the
    caption names a single one): as its own column, or after the measure's label (``fold_design``)."""
    out = pd.DataFrame(index=change.index)
    mixed = change["design"].nunique() > 1
    if mixed and not fold_design:
        out["Design"] = change["design"]
    for extra in ("site", "activity"):
        if extra in change:
            out[extra.capitalize()] = change[extra]
    label = change["label"].astype("str")
    if mixed and fold_design:
        label = label + " - " + change["design"].astype("str")
    out["Measure"] = label
    return out


def main_table(change: pd.DataFrame, *, digits: int = 2, threshold: int = 5) -> pd.DataFrame:
    """The narrow reader's table of a change table (at most 7 columns): [Activity or Site], Measure,
    Pairs, Before and After (means), Change (mean, 95% CI) and What it shows (the direction by
    :data:`DIRECTION_RULE` and what decided it). Every other statistic is in :func:`annex_table`.

    Show with ``cj.report.table(..., counts=MAIN_COUNTS)``; rows over fewer than ``threshold``
    pairs show no statistics. A mean change whose interval does not exist reads
    ``+0.00 (interval not defined)``."""
    out = _labels(change, fold_design=True)
    out["Pairs"] = change["n_pairs"]
    withheld = change["mean_diff"].isna().to_numpy()
    out["Before (mean)"] = [numbers.format_number(x, digits, withheld=w)
                            for x, w in zip(change["mean_before"], withheld, strict=True)]
    out["After (mean)"] = [numbers.format_number(x, digits, withheld=w)
                           for x, w in zip(change["mean_after"], withheld, strict=True)]
    out["Change (95% CI)"] = [
        numbers.format_estimate(m, lo, hi, digits, withheld=w)
        for m, lo, hi, w in zip(change["mean_diff"], change["ci_low"], change["ci_high"], withheld,
                                strict=True)
    ]
    out["What it shows"] = [_what_it_shows(r, threshold) for _, r in change.iterrows()]
    return out.reset_index(drop=True)


#: count columns of :func:`main_table`
MAIN_COUNTS = ["Pairs"]


def annex_table(change: pd.DataFrame, *, digits: int = 2, threshold: int = 5) -> pd.DataFrame:
    """The analysts' annex table of a change table: n, medians, mean change with its t-based 95% CI,
    exact Wilcoxon and sign test p-values (unadjusted; the paired t-test adds nothing to the CI
    shown, so its p is not), Hedges g_av and g_z, how many
    improved / stayed the same / got worse, reliable change, and notes saying why a statistic is
    not defined. The seeded percentile bootstrap appears only when it was computed (``n_boot`` > 0),
    under a heading that says it is unreliable at these sample sizes (:data:`BOOTSTRAP_CAVEAT`).

    The improved / same / worse split is protected with :func:`protect_split`; show the result
    with ``cj.report.table(..., counts=DISPLAY_COUNTS, percent_of={"Improved %": "Improved"})``.
    ``Pairs`` varies by measure when a scale was not scored because an item was blank."""
    out = _labels(change, fold_design=False)
    withheld = change["mean_diff"].isna().to_numpy()  # withheld, or no pairs at all: blank (see Note)
    out["Pairs"] = change["n_pairs"]

    def fmt(col: str, d: int = digits) -> list[str]:
        return [numbers.format_number(x, d, withheld=w) for x, w in zip(change[col], withheld, strict=True)]

    def pfmt(col: str) -> list[str]:
        return [numbers.format_p(x, withheld=w) for x, w in zip(change[col], withheld, strict=True)]

    out["Median before"] = fmt("median_before")
    out["Median after"] = fmt("median_after")
    out["Mean change (95% CI)"] = [
        numbers.format_estimate(m, lo, hi, digits, withheld=w)
        for m, lo, hi, w in zip(change["mean_diff"], change["ci_low"], change["ci_high"], withheld,
                                strict=True)
    ]
    out["Exact Wilcoxon p"] = pfmt("wilcoxon_p")
    out["Sign test p"] = pfmt("sign_p")
    out["Hedges g_av"] = fmt("g_av")
    if "g_z" in change:
        out["Hedges g_z"] = fmt("g_z")
    out["Improved"] = change["n_improved"]
    out["Same"] = change["n_same"]
    out["Worse"] = change["n_worse"]
    out["Improved %"] = change["share_improved"].map(lambda x: "" if pd.isna(x) else f"{x:.0%}")
    if "n_reliably_improved" in change:
        out["Reliably improved"] = change["n_reliably_improved"]
        out["Reliably worse"] = change["n_reliably_worse"]
    if "boot_low" in change and change["boot_low"].notna().any():
        out[BOOTSTRAP_COLUMN] = [numbers.format_interval(lo, hi, digits, withheld=w)
                                 for lo, hi, w in zip(change["boot_low"], change["boot_high"], withheld,
                                                      strict=True)]
    notes = []
    for _, r in change.iterrows():
        parts = [x for x in (r.get("note", ""), _undefined_note(r)) if isinstance(x, str) and x]
        notes.append("; ".join(parts))
    out["Note"] = notes
    out = out.reset_index(drop=True)
    return protect_split(out, ["Improved", "Same", "Worse"], threshold=threshold,
                         shares={"Improved %": "Improved"})


BOOTSTRAP_COLUMN = "Bootstrap interval (unreliable at n = 5-15)"


def _undefined_note(r) -> str:
    parts = []
    if isinstance(r.get("ci_note"), str) and r["ci_note"]:
        parts.append("95% CI, t-test and g_z " + r["ci_note"])
    if isinstance(r.get("p_note"), str) and r["p_note"]:
        parts.append("Wilcoxon and sign test " + r["p_note"])
    return "; ".join(parts)


def display_table(change: pd.DataFrame, *, digits: int = 2, threshold: int = 5) -> pd.DataFrame:
    """The annex table (:func:`annex_table`); kept for pages written before the main/annex split."""
    return annex_table(change, digits=digits, threshold=threshold)


#: count columns of :func:`annex_table` (pass to ``cj.report.table(..., counts=...)``)
DISPLAY_COUNTS = ["Pairs", "Improved", "Same", "Worse", "Reliably improved", "Reliably worse"]
ANNEX_COUNTS = DISPLAY_COUNTS


def p_values_shown(*tables: pd.DataFrame) -> int:
    """How many p-values a set of annex tables shows (cells of a ``... p`` column holding a number),
    for the page's note on multiple comparisons."""
    n = 0
    for t in tables:
        for c in t.columns:
            if str(c).endswith(" p") or str(c).endswith(" p (two-sided)"):
                n += int(t[c].astype("str").str.match(r"^(< )?\d").sum())
    return n


def holm_adjusted(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Holm-adjusted p-values (statsmodels ``multipletests(method="holm")``) over the defined ones;
    a p-value that is not defined (NaN) stays NaN and is not counted as a test. For a page that
    chooses to adjust its p-values rather than say they are not adjusted."""
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method="holm")[1]
    return out


def reliable_change_note(specs: dict[str, ReliableChangeSpec] | None = None) -> str:
    """One sentence per scale saying which reliability and SD the reliable change counts used."""
    specs = RELIABLE_CHANGE_DEFAULTS if specs is None else specs
    parts = []
    for scale, spec in specs.items():
        label = measures.SCALES[scale]["label"] if scale in measures.SCALES else scale
        sd = f"SD {spec.sd:g}" if spec.sd is not None else "the sample's own 'before' SD"
        parts.append(f"{label}: reliability {spec.reliability:g}, {sd} ({spec.source}).")
    return ("Reliable change (Jacobson and Truax 1991) counts people whose change exceeds 1.96 standard "
            "errors of the difference. " + " ".join(parts))

"""Charts for the outcomes report (house style from :mod:`carejourneys.render.plots`).

Each function takes a *result table* from :mod:`~carejourneys.metrics.outcomes` or
:mod:`~carejourneys.metrics.surveys` (never raw responses), draws only what those tables publish
(shares over at least ``threshold`` people; rows whose statistics were withheld are drawn as an
empty bar labelled *withheld*), puts each row's n in its label and returns a matplotlib Figure
for ``cj.report.figure(fig, alt=...)``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from carejourneys.render.plots import colours, theme


def _empty(message: str) -> Figure:
    with theme():
        fig, ax = plt.subplots(figsize=(8, 1.6), layout="constrained")
        ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
    return fig


def _n_label(n: float, threshold: int) -> str:
    """``n=12``, or ``n<5`` for a count of people from 1 to threshold - 1 (shown as c in tables)."""
    n = int(n)
    return f"n<{threshold}" if 0 < n < threshold else f"n={n}"


def mean_change(change: pd.DataFrame, *, threshold: int = 5, title: str | None = None) -> Figure:
    """Forest plot: mean change in the better direction with its 95% confidence interval, one row
    per measure (and group), n in each label (``n<threshold`` for small groups). Scales where lower
    is better are flipped so that right is always better; each label gives the scale's range. No
    counts of people are drawn. A mean change without an interval (every change the same) is drawn
    as a point labelled *interval not defined*, never as a zero-width interval.

    ``change`` is a table from :func:`outcomes.prepost_change` or :func:`outcomes.retrospective_change`
    (one design per chart: they are never pooled). Rows whose statistics were withheld show a note."""
    from carejourneys import measures
    if change.empty or int(change["n_pairs"].fillna(0).max()) == 0:
        return _empty("No paired responses")
    if change["design"].nunique() != 1:
        raise ValueError("one design per chart: pre/post and retrospective results are never pooled")
    group = next((c for c in ("activity", "site") if c in change.columns), None)
    labels, mids, lows, highs = [], [], [], []
    for _, r in change.iterrows():
        flip = -1.0 if not measures.SCALES.get(r["scale"], {}).get("higher_is_better", True) else 1.0
        lab = str(r["label"]) + (f" - {r[group]}" if group else "")
        labels.append(f"{lab}  ({_n_label(r['n_pairs'], threshold)})")
        m, lo, hi = (float(r[c]) if pd.notna(r[c]) else np.nan for c in ("mean_diff", "ci_low", "ci_high"))
        mids.append(flip * m)
        lows.append(min(flip * lo, flip * hi))
        highs.append(max(flip * lo, flip * hi))
    mids, lows, highs = np.array(mids), np.array(lows), np.array(highs)
    y = np.arange(len(labels))[::-1]
    shown = ~np.isnan(mids)
    with theme():
        fig, ax = plt.subplots(figsize=(8, 1.0 + 0.45 * len(labels)), layout="constrained")
        ax.axvline(0, color="0.4", lw=1)
        has_ci = shown & ~np.isnan(lows) & ~np.isnan(highs)
        ax.errorbar(mids[has_ci], y[has_ci], xerr=[(mids - lows)[has_ci], (highs - mids)[has_ci]], fmt="o",
                    color=colours(1)[0], ecolor="0.25", capsize=3, lw=1.2)
        no_ci = shown & ~has_ci  # e.g. every change the same: the point only, no interval
        ax.plot(mids[no_ci], y[no_ci], "o", color=colours(1)[0])
        for xi, yi in zip(mids[no_ci], y[no_ci], strict=True):
            ax.annotate("interval not defined", (xi, yi), xytext=(6, 6), textcoords="offset points",
                        fontsize=8.5, color="0.3")
        ends = np.concatenate([lows[has_ci], highs[has_ci], mids[shown]])
        span = float(np.nanmax(np.abs(ends))) if ends.size else 1.0
        span = span if span > 0 else 1.0
        ax.set_xlim(-1.15 * span, 1.15 * span)
        for yi in y[~shown]:
            ax.text(0.02, yi, "withheld: too few people", transform=ax.get_yaxis_transform(), va="center",
                    fontsize=8.5, color="0.3")
        ax.set_yticks(y, labels)
        ax.set_ylim(-0.7, len(labels) - 0.3)
        ax.set_xlabel("Mean change in points, 95% CI (right = better; scales differ, see labels)")
        ax.grid(axis="y", visible=False)
        if title:
            ax.set_title(title)
    return fig


def pa_better(ratings: pd.DataFrame, *, threshold: int = 5) -> Figure:
    """Share of young people rated better by their Personal Adviser per domain, with Wilson 95%
    intervals; ``ratings`` is :func:`surveys.pa_ratings`. With n in the label a share would reveal
    how many were (not) rated better, so a bar is withheld when either number is from 1 to
    ``threshold`` - 1."""
    if ratings.empty or int(ratings["rated"].fillna(0).max()) == 0:
        return _empty("No Personal Adviser ratings")
    labels = [f"{lab}  ({_n_label(n, threshold)})" for lab, n in zip(ratings["label"], ratings["rated"],
                                                                     strict=True)]
    k = ratings["better"].astype("float64").to_numpy()
    rest = ratings["rated"].astype("float64").to_numpy() - k
    small = ((k > 0) & (k < threshold)) | ((rest > 0) & (rest < threshold))
    share = np.where(small, np.nan, ratings["share_better"].astype("float64").to_numpy())
    lo = ratings["ci_low"].astype("float64").to_numpy()
    hi = ratings["ci_high"].astype("float64").to_numpy()
    with theme():
        fig, ax = plt.subplots(figsize=(8, 1.0 + 0.5 * len(ratings)), layout="constrained")
        y = np.arange(len(ratings))[::-1]
        shown = ~np.isnan(share)
        ax.barh(y[shown], share[shown] * 100, color=colours(3)[0], height=0.6)
        ax.errorbar(share[shown] * 100, y[shown],
                    xerr=[(share - lo)[shown] * 100, (hi - share)[shown] * 100],
                    fmt="none", ecolor="0.2", capsize=3, lw=1)
        for yi in y[~shown]:
            ax.text(1, yi, "withheld: too few young people", va="center", fontsize=8.5, color="0.3")
        ax.set_yticks(y, labels)
        ax.set_xlim(0, 100)
        ax.set_xlabel("% rated better (a little or much), with 95% Wilson interval")
        ax.grid(axis="y", visible=False)
    return fig


def facilitator_over_time(sessions: pd.DataFrame) -> Figure:
    """Engagement and wellbeing (1-5) rated by the facilitator at each session, in date order;
    ``sessions`` is :func:`surveys.facilitator_sessions`."""
    if sessions.empty:
        return _empty("No facilitator ratings")
    palette = colours(2)
    x = np.arange(len(sessions))
    with theme():
        fig, ax = plt.subplots(figsize=(8, 3.6), layout="constrained")
        for (col, name), colour, offset in zip((("engagement", "Engagement"), ("wellbeing", "Wellbeing")),
                                               palette, (-0.08, 0.08), strict=True):
            ax.plot(x + offset, sessions[col].astype("float64"), marker="o", color=colour, label=name)
        ax.set_xticks(x, [f"{d:%d %b %Y}" for d in sessions["session_date"]], rotation=45, ha="right")
        ax.set_ylim(0.5, 5.5)
        ax.set_yticks([1, 2, 3, 4, 5])
        ax.set_ylabel("Facilitator rating (1-5)")
        ax.legend(frameon=False, loc="lower right", fontsize=9)
        ax.grid(axis="x", visible=False)
    return fig

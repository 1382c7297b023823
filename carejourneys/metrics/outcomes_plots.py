"""Charts for the outcomes report (house style from :mod:`carejourneys.plots`).

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

from ..plots import colours, theme

CHANGE_COLOURS = {"improved": 2, "same": 7, "worse": 3}  # indices into the colour-blind palette


def _empty(message: str) -> Figure:
    with theme():
        fig, ax = plt.subplots(figsize=(8, 1.6), layout="constrained")
        ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
    return fig


def change_shares(change: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Horizontal 100% bars per measure: share of people improved / the same / worse.

    ``change`` is a table from :func:`outcomes.prepost_change` or :func:`outcomes.retrospective_change`
    (one design per chart: they are never pooled)."""
    if change.empty or int(change["n_pairs"].fillna(0).max()) == 0:
        return _empty("No paired responses")
    designs = change["design"].unique()
    if len(designs) != 1:
        raise ValueError("one design per chart: pre/post and retrospective results are never pooled")
    palette = colours(10)
    labels = [f"{lab}  (n={int(n)})" for lab, n in zip(change["label"], change["n_pairs"], strict=True)]
    height = 0.9 + 0.42 * len(change)
    with theme():
        fig, ax = plt.subplots(figsize=(8, height), layout="constrained")
        y = np.arange(len(change))[::-1]
        left = np.zeros(len(change))
        for key, name in (("share_improved", "improved"), ("share_same", "same"), ("share_worse", "worse")):
            vals = change[key].astype("float64").fillna(0).to_numpy()
            ax.barh(y, vals * 100, left=left * 100, color=palette[CHANGE_COLOURS[name]],
                    label=name.capitalize(), height=0.65)
            for yi, li, v in zip(y, left, vals, strict=True):
                if v >= 0.12:
                    ax.text((li + v / 2) * 100, yi, f"{v:.0%}", ha="center", va="center", fontsize=8.5)
            left = left + vals
        for yi, withheld in zip(y, change["share_improved"].isna(), strict=True):
            if withheld:
                ax.text(1, yi, "withheld: too few people", va="center", fontsize=8.5, color="0.3")
        ax.set_yticks(y, labels)
        ax.set_xlim(0, 100)
        ax.set_xlabel("% of people")
        ax.grid(axis="y", visible=False)
        ax.legend(frameon=False, ncols=3, loc="lower center", bbox_to_anchor=(0.5, 1.0), fontsize=9)
        if title:
            ax.set_title(title, pad=24)
    return fig


def pa_better(ratings: pd.DataFrame) -> Figure:
    """Share of young people rated better by their Personal Adviser per domain, with Wilson 95%
    intervals; ``ratings`` is :func:`surveys.pa_ratings`."""
    if ratings.empty or int(ratings["rated"].fillna(0).max()) == 0:
        return _empty("No Personal Adviser ratings")
    labels = [f"{lab}  (n={int(n)})" for lab, n in zip(ratings["label"], ratings["rated"], strict=True)]
    share = ratings["share_better"].astype("float64").to_numpy()
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
            ax.text(1, yi, "withheld: too few young people rated", va="center", fontsize=8.5, color="0.3")
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

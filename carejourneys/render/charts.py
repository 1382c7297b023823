"""Charts drawn from a protected table only, for :func:`carejourneys.render.report.chart`.

Each function here returns a *plot*: a function from the protected table (withheld cells as NaN) to a
matplotlib Figure. A chart therefore shows exactly the numbers its table shows, never a value the
table withholds: a withheld bar is left out and marked "c" on its axis label.

    cj.report.chart(published.reach, charts.bars("Quarter", ["New", "Returning"], stacked=True),
                    alt="...", caption="...")
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

#: colour-blind-safe palette (Okabe-Ito), with hatches so that colour is never the only cue
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
HATCHES = ("", "//", "..", "xx", "\\\\", "++", "--", "oo")

Plot = Callable[[pd.DataFrame], Figure]


def _empty(message: str) -> Figure:
    fig, ax = plt.subplots(figsize=(7, 1.2))
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center")
    return fig


def bars(
    x: str,
    values: Sequence[str] | None = None,
    *,
    stacked: bool = False,
    horizontal: bool = False,
    xlabel: str | None = None,
    ylabel: str = "Young people",
    percent: bool = False,
) -> Plot:
    """Bars of ``values`` (columns; default every other column) for each row's ``x`` label; grouped,
    or stacked with ``stacked``."""

    def plot(t: pd.DataFrame) -> Figure:
        cols = list(values) if values is not None else [c for c in t.columns if c != x]
        if t.empty or not cols:
            return _empty("No figures to show.")
        labels = [str(v) for v in t[x]]
        data = t[cols].apply(pd.to_numeric, errors="coerce")
        withheld = data.isna().any(axis=1).to_numpy()
        shown = [f"{lab} (c)" if w else lab for lab, w in zip(labels, withheld, strict=True)]
        n = len(labels)
        fig, ax = plt.subplots(
            figsize=(max(6.5, 0.45 * n + 2), 3.6) if not horizontal else (7.5, max(2.5, 0.4 * n + 1))
        )
        pos = np.arange(n)
        width = 0.8 if stacked or len(cols) == 1 else 0.8 / len(cols)
        base = np.zeros(n)
        for k, col in enumerate(cols):
            v = data[col].to_numpy(dtype=float)
            v_plot = np.nan_to_num(v)
            offset = 0 if stacked or len(cols) == 1 else (k - (len(cols) - 1) / 2) * width
            kw = {
                "color": PALETTE[k % len(PALETTE)],
                "hatch": HATCHES[k % len(HATCHES)],
                "edgecolor": "white",
                "label": col,
            }
            if horizontal:
                ax.barh(pos + offset, v_plot, height=width, left=base if stacked else None, **kw)
            else:
                ax.bar(pos + offset, v_plot, width=width, bottom=base if stacked else None, **kw)
            if stacked:
                base = base + v_plot
        if horizontal:
            ax.set_yticks(pos, shown)
            ax.invert_yaxis()
            ax.set_xlabel(ylabel + (" (%)" if percent else ""))
        else:
            ax.set_xticks(pos, shown, rotation=45 if n > 6 else 0, ha="right" if n > 6 else "center")
            ax.set_ylabel(ylabel + (" (%)" if percent else ""))
            if xlabel:
                ax.set_xlabel(xlabel)
        ax.spines[["top", "right"]].set_visible(False)
        if len(cols) > 1:
            ax.legend(frameon=False, fontsize=8)
        fig.tight_layout()
        return fig

    return plot


def heatmap(
    row: str, columns: Sequence[str] | None = None, *, value_label: str = "People", fmt: str = "{:.0f}"
) -> Plot:
    """A grid of the table's numbers, one row per ``row`` label; withheld cells are marked "c"."""

    def plot(t: pd.DataFrame) -> Figure:
        cols = list(columns) if columns is not None else [c for c in t.columns if c != row]
        if t.empty or not cols:
            return _empty("No figures to show.")
        data = t[cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(cols) + 3), max(2.2, 0.45 * len(t) + 1)))
        masked = np.ma.masked_invalid(data)
        im = ax.imshow(masked, cmap="Blues", aspect="auto")
        for i in range(data.shape[0]):
            for j in range(data.shape[1]):
                v = data[i, j]
                text = "c" if np.isnan(v) else fmt.format(v)
                dark = not np.isnan(v) and masked.max() and v > 0.6 * float(masked.max())
                ax.text(j, i, text, ha="center", va="center", fontsize=8, color="white" if dark else "black")
        ax.set_xticks(range(len(cols)), [str(c) for c in cols], rotation=30, ha="right")
        ax.set_yticks(range(len(t)), [str(v) for v in t[row]])
        fig.colorbar(im, ax=ax, label=value_label, shrink=0.8)
        fig.tight_layout()
        return fig

    return plot


def dots(
    label: str,
    estimate: str,
    low: str | None = None,
    high: str | None = None,
    *,
    xlabel: str = "Change",
    zero: bool = True,
) -> Plot:
    """One dot per row with an optional interval; rows whose estimate is withheld say "c"."""

    def plot(t: pd.DataFrame) -> Figure:
        if t.empty:
            return _empty("No figures to show.")
        est = pd.to_numeric(t[estimate], errors="coerce").to_numpy(dtype=float)
        lo = pd.to_numeric(t[low], errors="coerce").to_numpy(dtype=float) if low else None
        hi = pd.to_numeric(t[high], errors="coerce").to_numpy(dtype=float) if high else None
        labels = [f"{v} (c)" if np.isnan(e) else str(v) for v, e in zip(t[label], est, strict=True)]
        fig, ax = plt.subplots(figsize=(7.5, max(2.2, 0.5 * len(t) + 1)))
        pos = np.arange(len(t))
        if lo is not None and hi is not None:
            ok = ~(np.isnan(lo) | np.isnan(hi) | np.isnan(est))
            ax.hlines(pos[ok], lo[ok], hi[ok], color=PALETTE[0], lw=2)
        ax.plot(est, pos, "o", color=PALETTE[1], markeredgecolor="black")
        if zero:
            ax.axvline(0, color="#555555", lw=1, ls="--")
        ax.set_yticks(pos, labels)
        ax.invert_yaxis()
        ax.set_xlabel(xlabel)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        return fig

    return plot


def lines(x: str, values: Sequence[str], *, ylabel: str = "Rating") -> Plot:
    """Lines of ``values`` over ``x`` (markers and line styles differ, not only colours)."""
    values = list(values)

    def plot(t: pd.DataFrame) -> Figure:
        if t.empty:
            return _empty("No figures to show.")
        fig, ax = plt.subplots(figsize=(7.5, 3.2))
        xs = [str(v) for v in t[x]]
        for k, col in enumerate(values):
            ax.plot(
                xs,
                pd.to_numeric(t[col], errors="coerce"),
                marker="osD^v"[k % 5],
                ls=("-", "--", ":", "-.")[k % 4],
                color=PALETTE[k % len(PALETTE)],
                label=col,
            )
        ax.set_ylabel(ylabel)
        ax.tick_params(axis="x", rotation=45)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(frameon=False, fontsize=8)
        fig.tight_layout()
        return fig

    return plot

"""The package's chart style and its standard charts.

Every chart function returns a matplotlib ``Figure`` (pass it to ``cj.report.figure`` with alt
text). The style is applied inside each function through ``theme()`` as a context, so importing
or calling this module changes no global matplotlib setting. Colours come from seaborn's
colour-blind-safe palette; fonts are DejaVu (shipped with matplotlib) so output is the same on
every machine.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from carejourneys.inputs import schemas
from carejourneys.metrics import evidence

PALETTE = "colorblind"
#: a wide figure that stays legible when shrunk to a phone's width
WIDE = (8.0, 4.2)


def rc() -> dict:
    """The matplotlib settings of the house style."""
    style = sns.axes_style("whitegrid")
    style.update(sns.plotting_context("notebook", font_scale=0.95))
    style.update({
        "font.family": "DejaVu Sans",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "figure.dpi": 110,
        "savefig.dpi": 110,
        "svg.hashsalt": "carejourneys",
        "axes.prop_cycle": matplotlib.cycler(color=sns.color_palette(PALETTE)),
    })
    return style


@contextlib.contextmanager
def theme() -> Iterator[None]:
    """Use the house style inside a ``with`` block."""
    with plt.rc_context(rc()):
        yield


def colours(n: int) -> list:
    return sns.color_palette(PALETTE, n)


def fieldwork_over_time(fieldwork: pd.DataFrame, *, freq: str = "quarter", waves: bool = True) -> Figure:
    """Stacked bars: data-gathering events per quarter (or month/year) by method, waves shaded."""
    data = evidence.over_time(fieldwork, freq=freq)
    with theme():
        fig, ax = plt.subplots(figsize=WIDE, layout="constrained")
        if data.empty:
            ax.text(0.5, 0.5, "No fieldwork recorded", ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
            return fig
        wide = data.pivot(index="period", columns="method", values="events").fillna(0)
        methods = [m for m in schemas.METHODS if m in wide.columns]
        periods = list(wide.index)
        x = list(range(len(periods)))
        bottom = [0] * len(periods)
        for method, colour in zip(methods, colours(len(methods)), strict=True):
            heights = [int(v) for v in wide[method]]
            ax.bar(x, heights, bottom=bottom, color=colour, label=evidence.METHOD_LABELS[method], width=0.8)
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        if waves:
            for wave, (start, end) in schemas.WAVE_PERIODS.items():
                inside = [i for i, p in enumerate(periods)
                          if p.end_time >= pd.Timestamp(start) and p.start_time <= pd.Timestamp(end)]
                if not inside:
                    continue
                if wave % 2:
                    ax.axvspan(inside[0] - 0.5, inside[-1] + 0.5, color="0.93", zorder=0)
                ax.text((inside[0] + inside[-1]) / 2, 1.0, f"Wave {wave}", transform=ax.get_xaxis_transform(),
                        ha="center", va="bottom", fontsize=9, color="0.3")
        step = max(1, len(periods) // 12)
        ax.set_xticks(x[::step], [_period_label(p) for p in periods[::step]], rotation=45, ha="right")
        ax.set_xlim(-0.6, len(periods) - 0.4)
        ax.set_ylabel("Data-gathering events")
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=len(methods),
                  fontsize=9)
        ax.grid(axis="x", visible=False)
    return fig


def _period_label(p: pd.Period) -> str:
    if p.freqstr.startswith("Q"):
        return f"{p.year} Q{p.quarter}"
    if p.freqstr.startswith("M"):
        return p.strftime("%b %Y")
    return str(p.year)


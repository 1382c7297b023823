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
from typing import Any

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



# --------------------------------------------------------------------------- 04: care leaver indicators

#: how each kind of line in the 04 charts looks: colour, line style and marker all differ, so that
#: no line is told apart by colour alone (and each survives printing in grey)
TREND_STYLES: dict[str, dict] = {
    "council": dict(color="#0b4f9c", ls="-", marker="o", lw=2.4, ms=6, zorder=5),
    "england": dict(color="#1b1b1b", ls="--", marker="s", lw=1.7, ms=5, zorder=4),
    "neighbours": dict(color="#b35900", ls=":", marker="^", lw=2.0, ms=6, zorder=3),
    "neighbours2": dict(color="#6a3d9a", ls="-.", marker="D", lw=1.6, ms=5, zorder=3),
}
#: the band around the council's line
BAND_ALPHA = 0.15


def _trend_style(kind: str, seen_neighbours: list[str], series: str) -> dict:
    if kind == "neighbours":
        if series not in seen_neighbours:
            seen_neighbours.append(series)
        return TREND_STYLES["neighbours" if seen_neighbours.index(series) == 0 else "neighbours2"]
    return TREND_STYLES.get(kind, dict(color="0.4", ls="-", marker="x", lw=1.2))


def _row_limits(sub: pd.DataFrame) -> tuple[float, float]:
    """The y range of one indicator's panels: the data with room around it, in steps of 10."""
    cols = [c for c in ("percent", "ci_low", "ci_high") if c in sub.columns]
    values = pd.concat([pd.to_numeric(sub[c], errors="coerce") for c in cols]).dropna()
    if values.empty:
        return 0.0, 100.0
    low = max(0.0, (float(values.min()) - 5) // 10 * 10)
    high = min(100.0, -(-(float(values.max()) + 5) // 10) * 10)
    return low, max(high, low + 20)


def care_leaver_trends(trend: pd.DataFrame) -> Figure:
    """The care leaver indicators year by year: one row of panels per indicator, one column per age
    band; the council (solid, circles, with its 95% interval as a band), England (dashed, squares)
    and the statistical-neighbour medians (dotted triangles; a second model dash-dot diamonds),
    with one legend above all panels. ``trend``: :func:`carejourneys.metrics.indicators.trends`."""
    from carejourneys.metrics.indicators import HEADLINE, SHORT

    order = list(HEADLINE.values())
    indicators = sorted(dict.fromkeys(trend["indicator"]), key=lambda s: order.index(s) if s in order else 99)
    ages = sorted(trend["age"].dropna().unique())
    with theme():
        fig = plt.figure(figsize=(8.0, 0.9 + 2.5 * max(1, len(indicators))), layout="constrained")
        if trend.empty or not indicators or not ages:
            ax = fig.add_subplot()
            ax.text(0.5, 0.5, "No published figures", ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
            return fig
        fig.get_layout_engine().set(wspace=0.06)
        rows = fig.subfigures(len(indicators), 1, squeeze=False)[:, 0]
        handles: dict[str, Any] = {}
        neighbours: list[str] = []
        for row, indicator in zip(rows, indicators, strict=True):
            row.suptitle(SHORT.get(indicator, indicator), x=0.01, ha="left", fontweight="bold", fontsize=11)
            axes = row.subplots(1, len(ages), sharey=True, squeeze=False)[0]
            of_row = trend[trend["indicator"] == indicator]
            low, high = _row_limits(of_row)
            for ax, age in zip(axes, ages, strict=True):
                sub = of_row[of_row["age"] == age]
                ax.set_title(f"Aged {str(age).replace('-', ' to ')}", fontsize=10, fontweight="normal")
                for series, g in sub.groupby("series", sort=False):
                    g = g.sort_values("time_period")
                    kind = str(g["kind"].iloc[0])
                    style = _trend_style(kind, neighbours, str(series))
                    x = _floats(g["time_period"])
                    (line,) = ax.plot(x, _floats(g["percent"]), label=str(series), **style)
                    handles.setdefault(str(series), line)
                    if kind == "council" and {"ci_low", "ci_high"} <= set(g.columns):
                        band = ax.fill_between(x, _floats(g["ci_low"]), _floats(g["ci_high"]),
                                               color=style["color"], alpha=BAND_ALPHA, linewidth=0)
                        handles.setdefault("95% interval", band)
                if sub.empty:
                    ax.text(0.5, 0.5, "Not published", ha="center", va="center", transform=ax.transAxes,
                            color="0.3")
                ax.set_ylim(low, high)
                ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
                ax.grid(axis="x", visible=False)
            axes[0].set_ylabel("% of care leavers")
        labels = list(handles)
        fig.legend([handles[k] for k in labels], [_legend_label(k, trend) for k in labels],
                   loc="outside upper center", ncol=min(3, len(labels)), frameon=False, fontsize=9.5)
    return fig


def _floats(s: pd.Series) -> Any:
    return pd.to_numeric(s, errors="coerce").astype("float64").to_numpy()


def _legend_label(series: str, trend: pd.DataFrame) -> str:
    """What the legend calls a line: the council by name, England, the neighbours in words."""
    if series == "95% interval":
        council = trend.loc[trend["kind"] == "council", "series"]
        return f"{council.iloc[0] if len(council) else 'Council'}: 95% interval"
    if series.startswith("Neighbour median"):
        return "Statistical neighbours, median" + series[len("Neighbour median"):]
    return series

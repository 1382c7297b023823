"""cj.plots: the house style and the fieldwork-over-time chart."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from test_evidence import make_fieldwork  # noqa: E402

from carejourneys.metrics import evidence  # noqa: E402
from carejourneys.render import (
    plots,
    report,  # noqa: E402
)


def _bar_heights(fig: Figure) -> dict[str, list[float]]:
    ax = fig.axes[0]
    out = {}
    for container in ax.containers:
        out[container.get_label()] = [p.get_height() for p in container.patches]
    return out


def test_fieldwork_over_time_draws_every_event_once():
    fw = make_fieldwork(seed=2)
    fig = plots.fieldwork_over_time(fw)
    try:
        heights = _bar_heights(fig)
        ot = evidence.over_time(fw)
        assert sum(sum(h) for h in heights.values()) == len(fw)
        for method, label in evidence.METHOD_LABELS.items():
            if method in set(fw["method"]):
                assert sum(heights[label]) == ot.loc[ot["method"] == method, "events"].sum()
        n_periods = ot["period"].nunique()
        assert all(len(h) == n_periods for h in heights.values())
        texts = [t.get_text() for t in fig.axes[0].texts]
        assert {f"Wave {w}" for w in sorted(set(fw["wave"].astype(int)))} <= set(texts)
        legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
        assert legend == [evidence.METHOD_LABELS[m] for m in evidence.METHOD_LABELS if m in set(fw["method"])]
    finally:
        plt.close(fig)


def test_same_data_same_png_bytes_and_no_global_style_change():
    before = dict(plt.rcParams)
    fw = make_fieldwork(seed=4)
    a = report.png_bytes(plots.fieldwork_over_time(fw))
    b = report.png_bytes(plots.fieldwork_over_time(fw))
    assert a == b
    assert dict(plt.rcParams) == before
    other = report.png_bytes(plots.fieldwork_over_time(make_fieldwork(seed=5)))
    assert other != a


@pytest.mark.parametrize("freq", ["month", "year"])
def test_other_periods_and_empty(freq):
    fw = make_fieldwork(seed=6)
    fig = plots.fieldwork_over_time(fw, freq=freq)
    assert sum(sum(h) for h in _bar_heights(fig).values()) == len(fw)
    plt.close(fig)
    fig = plots.fieldwork_over_time(fw.iloc[:0])
    assert "No fieldwork" in fig.axes[0].texts[0].get_text()
    plt.close(fig)

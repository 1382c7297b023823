"""Charts for the site-learning and partnership reports (02 and 03).

Every function returns a matplotlib ``Figure`` to pass to ``cj.report.figure`` with alt text. The
house style comes from :mod:`carejourneys.render.plots`. Charts that show counts of *people* apply the
same disclosure rule as tables: a count between 1 and the threshold minus one is not drawn (it is
marked ``c``), and a percentage over fewer people than the threshold is not shown. The threshold
is the report context's ``disclosure_threshold`` unless one is passed.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from carejourneys.inputs import schemas
from carejourneys.metrics import governance, participation, rubric, themes, timeline
from carejourneys.render.plots import WIDE, colours, theme
from carejourneys.sdc.disclosure import SUPPRESSED


def _threshold(threshold: int | None) -> int:
    if threshold is not None:
        return int(threshold)
    from carejourneys.render.report import current

    ctx = current()
    return ctx.disclosure_threshold if ctx is not None else 5


def _empty(message: str, size: tuple[float, float] = WIDE) -> Figure:
    with theme():
        fig, ax = plt.subplots(figsize=size, layout="constrained")
        ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
    return fig


def _small(n: float, t: int) -> bool:
    return bool(0 < n < t)


# --------------------------------------------------------------------------- timeline


def gantt(milestones: pd.DataFrame, activities: pd.DataFrame | None = None,
          programme_end: object | None = None, as_of: object | None = None,
          title: str | None = None) -> Figure:
    """Planned (hatched) and actual (solid) bars per initiative, activities, and the programme end.

    One row per name: an initiative and an activity of the same name share a row, in three lanes
    (planned, actual, activity). A planned span of a single date is a diamond. Bars still open at
    ``as_of`` (work not finished) end in an arrow-head; each reached milestone is a dot.
    """
    import matplotlib.dates as mdates

    bars = timeline.gantt_frame(milestones, activities, as_of=as_of)
    if bars.empty:
        return _empty("No milestones or activities recorded")
    labels = list(dict.fromkeys(bars["label"]))
    y = {label: i for i, label in enumerate(labels)}
    has_initiative = set(bars.loc[bars["group"] == "initiative", "label"])
    lane = {"planned": -0.26, "actual": 0.0, "activity": 0.26}
    c_plan, c_act, c_activity = colours(3)
    with theme():
        fig, ax = plt.subplots(figsize=(WIDE[0], max(2.4, 0.5 * len(labels) + 1.4)), layout="constrained")
        for r in bars.itertuples(index=False):
            shared = r.label in has_initiative
            yy = y[r.label] + (lane[r.bar] if shared else 0.0)
            h = 0.22 if shared else 0.5
            width = (r.end - r.start).days
            if r.bar == "planned":
                if width <= 0:
                    ax.plot([r.start], [yy], marker="D", color=c_plan, markersize=5)
                else:
                    ax.barh(yy, width, left=r.start, height=h, color="none", edgecolor=c_plan, hatch="///",
                            linewidth=1.0)
            elif r.bar == "actual":
                ax.barh(yy, max(width, 3), left=r.start, height=h, color=c_act)
            else:
                ax.barh(yy, max(width, 3), left=r.start, height=h, color=c_activity,
                        alpha=0.5 if r.status in ("paused", "stopped") else 0.9,
                        hatch="..." if r.status == "paused" else None)
            if r.open:
                ax.plot([r.end], [yy], marker=">", color="black", markersize=5)
        reached = milestones.dropna(subset=["actual_date"])
        for m in reached.itertuples(index=False):
            if m.initiative in y:
                ax.plot([m.actual_date], [y[m.initiative] + lane["actual"]], "o", color="black", markersize=3)
        if programme_end is not None:
            end = pd.Timestamp(programme_end)
            ax.axvline(end, color="black", linestyle="--", linewidth=1)
            ax.text(end, -0.75, " programme end", fontsize=8, va="bottom")
        ax.set_yticks(range(len(labels)), labels)
        ax.set_ylim(len(labels) - 0.4, -0.9)
        ax.xaxis.set_major_locator(mdates.YearLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        handles = [Patch(facecolor="none", edgecolor=c_plan, hatch="///", label="planned"),
                   Patch(facecolor=c_act, label="actual")]
        if (bars["group"] == "activity").any():
            handles.append(Patch(facecolor=c_activity, label="activity (faded: paused or stopped)"))
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.02), ncol=3, frameon=False,
                  fontsize=8)
        ax.grid(axis="y", visible=False)
        if title:
            ax.set_title(title, pad=24)
    return fig


# --------------------------------------------------------------------------- participation


def activity_around(participation_register: pd.DataFrame, window: timeline.Window | None,
                    programme_end: object | None = None, threshold: int | None = None,
                    title: str | None = None) -> Figure:
    """Attendances per month at the window's site, the negotiation window shaded.

    A month with fewer attendances than the threshold (but some) is drawn as a short hatched stub
    meaning "fewer than the threshold", so that no exact small number is shown.
    """
    t = _threshold(threshold)
    if window is None:
        return _empty("No delayed initiative with a negotiation window is recorded")
    monthly = timeline.monthly_attendances(participation_register, site=window.site)
    if monthly.empty:
        return _empty("No participation recorded")
    x = monthly.index.to_timestamp()
    few = (monthly > 0) & (monthly < t)
    colour = colours(1)[0]
    with theme():
        fig, ax = plt.subplots(figsize=WIDE, layout="constrained")
        ax.bar(x, monthly.where(~few, 0), width=25, align="edge", color=colour, label="attendances per month")
        ax.bar(x[few.to_numpy()], [t / 2] * int(few.sum()), width=25, align="edge", color="none",
               edgecolor=colour, hatch="////", label=f"fewer than {t}")
        ax.axvspan(window.start, window.end, color="#c0504d", alpha=0.12, linewidth=0,
                   label=f"{window.initiative} negotiated")
        if programme_end is not None:
            ax.axvline(pd.Timestamp(programme_end), color="black", linestyle="--", linewidth=1)
        ax.set_ylabel("attendances per month")
        ax.legend(frameon=False, fontsize=8, loc="upper left")
        ax.xaxis_date()
        if title:
            ax.set_title(title)
    return fig




def reach(participation_register: pd.DataFrame, threshold: int | None = None,
          start: object | None = None, end: object | None = None) -> Figure:
    """Young people per quarter (bars) and the cumulative reach (line), with small counts not drawn.

    A quarter's bar is left out (marked ``c``) wherever the quarterly table of young people, new
    and returning, protected with ``cj.disclosure.protect(..., secondary="both")`` as the site
    learning report publishes it, shows ``c``: the chart gives back nothing the table withholds.
    """
    from carejourneys.sdc import disclosure
    t = _threshold(threshold)
    r = participation.reach_by_quarter(participation_register, start=start, end=end)
    if r.empty:
        return _empty("No participation recorded")
    # exactly the table the site-learning page publishes (readable names, the same count columns)
    published = participation.readable(r.drop(columns="cumulative"))
    safe = disclosure.protect(published, counts=participation.count_columns(published), threshold=t,
                              secondary="both")
    hidden = (safe["Young people"].astype("object") == SUPPRESSED).to_numpy(bool)
    x = np.arange(len(r))
    with theme():
        fig, ax = plt.subplots(figsize=WIDE, layout="constrained")
        shown = r["young_people"].where(~hidden, 0)
        ax.bar(x, shown, color=colours(1)[0], label="young people taking part in the quarter")
        for i in np.flatnonzero(hidden):
            ax.text(i, 0, SUPPRESSED, ha="center", va="bottom", fontsize=8)
        # rounded to the nearest 5 so that the rise between quarters cannot give a small count away
        cum = (5 * (r["cumulative"] / 5).round()).where(r["cumulative"] >= t)
        ax.plot(x, cum, color="black", marker="o", markersize=3, label="reached so far (rounded to 5)")
        step = max(1, len(r) // 10)
        ax.set_xticks(x[::step], r["quarter"].iloc[::step], rotation=45, ha="right")
        ax.set_ylabel("young people")
        ax.legend(frameon=False, fontsize=8, loc="upper left")
        ax.text(1, -0.28, f"{SUPPRESSED}: withheld (fewer than {t} young people, or hidden so that a small "
                "number cannot be worked out)", transform=ax.transAxes, ha="right", fontsize=7)
    return fig


def diversity(table: pd.DataFrame, title: str | None = None, threshold: int | None = None) -> Figure:
    """Participants' and the council population's percentages per category.

    ``table`` is a :func:`carejourneys.metrics.participation.diversity` table.

    Nothing is drawn for participants when there are fewer of them than the threshold in all. A
    bar is left out and marked ``c`` wherever the same table published through
    ``cj.disclosure.protect`` (primary and secondary suppression) shows ``c``, so the chart cannot
    give back what the table withholds.
    """
    from carejourneys.sdc import disclosure
    t = _threshold(threshold)
    if table.empty:
        return _empty("No participants recorded")
    n = int(table["participants"].sum())
    y = np.arange(len(table))
    c1, c2 = colours(2)
    has_pop = bool(table["population"].notna().any())
    # exactly the table the site-learning page publishes (readable names, counts and percentages)
    published = participation.readable(table)
    if not has_pop:
        published = published.drop(columns=[c for c in ("Council population", "Council population %",
                                                         "Difference (points)") if c in published])
    safe = disclosure.protect(published, counts=participation.count_columns(published), threshold=t,
                              percent_of=participation.percent_columns(published))
    safe = safe.rename(columns={"Participants": "participants", "Council population": "population"})
    with theme():
        fig, ax = plt.subplots(figsize=(WIDE[0] * 0.8, 0.45 * len(table) + 1.4), layout="constrained")
        small = (safe["participants"].astype("object") == SUPPRESSED).to_numpy(bool)
        if n >= t:
            pct = table["participants_percent"].astype(float).where(~small, 0)
            ax.barh(y - 0.2, pct, height=0.4, color=c1, label=f"participants (n={n})")
            for i in np.flatnonzero(small):
                ax.text(0.5, y[i] - 0.2, SUPPRESSED, va="center", fontsize=8)
        if table["population_percent"].notna().any():
            pop_small = (safe["population"].astype("object") == SUPPRESSED).to_numpy(bool)
            ax.barh(y + 0.2, table["population_percent"].astype(float).where(~pop_small, 0), height=0.4,
                    color=c2, label="council's children in care and care leavers")
            for i in np.flatnonzero(pop_small):
                ax.text(0.5, y[i] + 0.2, SUPPRESSED, va="center", fontsize=8)
        ax.set_yticks(y, [str(c).replace("_", " ") for c in table["category"]])
        ax.invert_yaxis()
        ax.set_xlabel("percent")
        ax.legend(frameon=False, fontsize=8, loc="lower right")
        if title:
            ax.set_title(title)
    return fig


# --------------------------------------------------------------------------- themes


def prevalence_heatmap(segments: pd.DataFrame, by: str = "role", parent: str | None = None,
                       threshold: int | None = None, title: str | None = None) -> Figure:
    """Percentage of each group's people who raised each theme, as a heatmap.

    Columns for groups with fewer people than the threshold are left blank; a cell for a theme
    raised by fewer people than the threshold shows ``c`` and no colour.
    """
    t = _threshold(threshold)
    pct, counts = themes.prevalence_share(segments, by=by, parent=parent)
    if pct.empty:
        return _empty("No coded segments")
    sizes = themes.group_sizes(segments, by).reindex(pct.columns)
    hide = counts.apply(lambda col: col.map(lambda n: _small(n, t)))
    small_group = sizes < t
    data = pct.astype(float).mask(hide).mask(np.broadcast_to(small_group.to_numpy(), pct.shape))
    labels = data.map(lambda v: "" if pd.isna(v) else f"{v:.0f}%")
    labels = labels.mask(hide & ~np.broadcast_to(small_group.to_numpy(), pct.shape), SUPPRESSED)
    names = [textwrap.fill(themes.SENIORITY_LABELS.get(g, g), 10, break_long_words=False)
             for g in pct.columns]
    xl = [f"{name}\n(n={'c' if _small(n, t) else n})" for name, n in zip(names, sizes, strict=True)]
    import seaborn as sns

    with theme():
        fig, ax = plt.subplots(figsize=(WIDE[0], 0.42 * len(pct) + 1.8), layout="constrained")
        sns.heatmap(data, annot=labels.to_numpy(), fmt="", cmap="Blues", vmin=0, vmax=100, ax=ax,
                    cbar_kws={"label": "% of the group's people"}, linewidths=0.5, linecolor="white")
        for (i, j) in zip(*np.nonzero((labels == SUPPRESSED).to_numpy()), strict=True):
            ax.text(j + 0.5, i + 0.5, SUPPRESSED, ha="center", va="center", fontsize=9)
        ax.set_xticklabels(xl, rotation=0)
        ax.grid(False)
        ax.set_xlabel("")
        ax.set_ylabel("")
        if title:
            ax.set_title(title)
    return fig


def valence_by_seniority(segments: pd.DataFrame, groups: tuple[str, ...] = schemas.STAFF_SENIORITY,
                         threshold: int | None = None, title: str | None = None) -> Figure:
    """100% stacked bars of negative, mixed and positive passages for each seniority group.

    A group with fewer people than the threshold is not drawn.
    """
    t = _threshold(threshold)
    v = themes.valence_by_group(segments, by="seniority", groups=list(groups))
    if v["segments"].sum() == 0:
        return _empty("No valence-coded passages")
    neg, mix, pos = "#c0504d", "#bfbfbf", "#4f81bd"
    with theme():
        fig, ax = plt.subplots(figsize=(WIDE[0], 0.6 * len(v) + 1.4), layout="constrained")
        for i, r in enumerate(v.itertuples(index=False)):
            label = f"{themes.SENIORITY_LABELS.get(r.group, r.group)}"
            if r.people < t or r.segments == 0:
                ax.text(1, i, f"fewer than {t} people: not shown", va="center", fontsize=8)
                continue
            left = 0.0
            for k, colour, name in ((r.negative, neg, "negative"), (r.mixed, mix, "mixed"),
                                    (r.positive, pos, "positive")):
                share = 100 * k / r.segments
                ax.barh(i, share, left=left, color=colour, label=name if i == 0 else None)
                if share >= 8:
                    ax.text(left + share / 2, i, f"{share:.0f}%", ha="center", va="center", fontsize=8,
                            color="white" if name != "mixed" else "black")
                left += share
            del label
        ax.set_yticks(range(len(v)), [f"{themes.SENIORITY_LABELS.get(g, g)} (n={p} people)"
                                      if p >= t else themes.SENIORITY_LABELS.get(g, g)
                                      for g, p in zip(v["group"], v["people"], strict=True)])
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("% of valence-coded passages")
        ax.legend(handles=[Patch(color=neg, label="negative"), Patch(color=mix, label="mixed"),
                           Patch(color=pos, label="positive")], frameon=False, fontsize=8,
                  loc="lower left", bbox_to_anchor=(0, 1.0), ncol=3)
        if title:
            ax.set_title(title, pad=22)
    return fig


# --------------------------------------------------------------------------- rubric


def rubric_heatmap(rubric_ratings: pd.DataFrame, site: str, title: str | None = None) -> Figure:
    """Outcomes by wave coloured by level (red Poor ... green Excellent), the level written in each cell.

    "Insufficient evidence" is grey (it is not a level of performance); a cell with no rating is
    left white and says "not rated".
    """
    levels = rubric.heat_table(rubric_ratings, site)
    scores = rubric.score_table(rubric_ratings, site)
    if levels.empty:
        return _empty("No rubric ratings recorded")
    from matplotlib.patches import Rectangle

    cmap = plt.get_cmap("RdYlGn")
    nrow, ncol = levels.shape
    with theme():
        fig, ax = plt.subplots(figsize=(WIDE[0], 0.5 * nrow + 1.3), layout="constrained")
        for i in range(nrow):
            for j in range(ncol):
                level, score = levels.iat[i, j], scores.iat[i, j]
                if pd.isna(level):
                    face, text, ink = "white", "not rated", "#777777"
                elif pd.isna(score):
                    face, text, ink = "#d9d9d9", str(level), "black"
                else:
                    face = cmap((float(score) - 1) / 4 * 0.8 + 0.1)
                    text, ink = str(level), "white" if score in (1, 5) else "black"
                ax.add_patch(Rectangle((j, i), 1, 1, facecolor=face, edgecolor="white", linewidth=2))
                ax.text(j + 0.5, i + 0.5, text, ha="center", va="center", fontsize=8, color=ink)
        ax.set_xlim(0, ncol)
        ax.set_ylim(nrow, 0)
        ax.set_xticks(np.arange(ncol) + 0.5, list(levels.columns))
        ax.set_yticks(np.arange(nrow) + 0.5, list(levels.index))
        ax.tick_params(axis="x", labeltop=True, labelbottom=False, length=0)
        ax.tick_params(axis="y", length=0)
        ax.grid(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        if title:
            ax.set_title(title, pad=22)
    return fig


# --------------------------------------------------------------------------- governance


def meetings_cadence(meetings: pd.DataFrame, programme_end: object | None = None,
                     max_gap_days: int = 120, title: str | None = None) -> Figure:
    """Meetings per quarter, one row of bars per forum; long gaps between board meetings shaded."""
    per_q = governance.meetings_per_quarter(meetings, end=programme_end)
    if per_q.empty:
        return _empty("No meetings recorded")
    forums = list(per_q.columns)
    quarters = pd.PeriodIndex(per_q.index, freq="Q")
    x = quarters.start_time
    with theme():
        fig, axes = plt.subplots(len(forums), 1, figsize=(WIDE[0], 1.1 * len(forums) + 1.2), sharex=True,
                                 layout="constrained", squeeze=False)
        for ax, forum, colour in zip(axes[:, 0], forums, colours(len(forums)), strict=True):
            ax.bar(x, per_q[forum], width=80, align="edge", color=colour)
            ax.set_ylabel(governance.FORUM_LABELS.get(forum, forum).replace(" ", "\n", 1), rotation=0,
                          ha="right", va="center", fontsize=8)
            ax.set_ylim(0, max(3, int(per_q.to_numpy().max()) + 1))
            if forum == "partnership_board":
                gaps = governance.meeting_gaps(meetings, forum, max_gap_days=max_gap_days,
                                               until=programme_end)
                for g in gaps[gaps["long_gap"]].itertuples(index=False):
                    ax.axvspan(g.from_date, g.to_date, color="#c0504d", alpha=0.15, linewidth=0)
            if programme_end is not None:
                ax.axvline(pd.Timestamp(programme_end), color="black", linestyle="--", linewidth=1)
        axes[-1, 0].xaxis_date()
        top = axes[0, 0]
        handles = [Patch(color="#c0504d", alpha=0.3, label=f"gap of more than {max_gap_days} days "
                                                               "between partnership board meetings")]
        top.legend(handles=handles, frameon=False, fontsize=8, loc="lower left", bbox_to_anchor=(0, 1.0))
        if title:
            fig.suptitle(title, x=0.02, ha="left", fontweight="bold")
    return fig


def attendance(meetings: pd.DataFrame, forum: str = "partnership_board", title: str | None = None) -> Figure:
    """Mean attendees per meeting from each partner, by year, for one forum."""
    a = governance.attendance(meetings[meetings["forum"] == forum], by="year")
    if a.empty:
        return _empty(f"No {governance.FORUM_LABELS.get(forum, forum).lower()} meetings recorded")
    partners = list(governance.PARTNERS.values())
    x = np.arange(len(a))
    width = 0.8 / len(partners)
    with theme():
        fig, ax = plt.subplots(figsize=WIDE, layout="constrained")
        for k, (p, colour) in enumerate(zip(partners, colours(len(partners)), strict=True)):
            ax.bar(x + k * width - 0.4 + width / 2, a[p], width=width, color=colour,
                   label={"council": "council", "barnardos": "Barnardo's", "other": "other partners"}[p])
        ax.set_xticks(x, [f"{per}\n({m} meeting{'s' if m != 1 else ''})"
                          for per, m in zip(a["period"], a["meetings"], strict=True)])
        ax.set_ylabel("attendees per meeting")
        ax.legend(frameon=False, fontsize=8)
        if title:
            ax.set_title(title)
    return fig


def systems_changes(changes: pd.DataFrame, freq: str = "Y", title: str | None = None) -> Figure:
    """Stacked bars: changes at each status (influenced ... embedded) at the end of each period."""
    t = governance.status_over_time(changes, freq=freq)
    if t.empty:
        return _empty("No systems changes recorded")
    with theme():
        fig, ax = plt.subplots(figsize=WIDE, layout="constrained")
        bottom = np.zeros(len(t))
        for status, colour in zip(schemas.CHANGE_STATUS, plt.get_cmap("Greens")(np.linspace(0.35, 0.9, 4)),
                                  strict=True):
            ax.bar(t.index, t[status], bottom=bottom, color=colour, label=status)
            bottom += t[status].to_numpy()
        ax.set_ylabel("changes (furthest status reached)")
        ax.legend(frameon=False, fontsize=8, ncol=4, loc="lower left", bbox_to_anchor=(0, 1.0))
        if title:
            ax.set_title(title, pad=22)
    return fig

"""Planned against actual: milestones, slippage, and pauses while an initiative was negotiated.

Milestones (``milestones.csv``) carry a planned date and, once reached, an actual date. Slippage
is the actual date minus the planned date in days (positive = late). A milestone not yet reached
is *overdue* when its planned date is before the reference date (``as_of``, by default the latest
actual date in the records: the last thing known to have happened), and its slippage so far is
counted up to that date.

An initiative's *negotiation window* runs from its first reached milestone (typically the proposal)
to the milestone that put it into operation (by default its last reached milestone). Activities
paused, or attendance that dropped, inside that window are what the digests describe as other work
being put on hold while one initiative was negotiated.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from carejourneys.metrics._common import require_columns as _require

MILESTONE_COLUMNS = ("site", "initiative", "milestone", "planned_date", "actual_date")
ACTIVITY_COLUMNS = ("site", "activity_id", "name", "kind", "start", "end", "status")

#: what each slippage status means
STATUS_MEANING = {
    "early": "reached before the planned date",
    "on time": "reached within the tolerance of the planned date",
    "late": "reached after the planned date (beyond the tolerance)",
    "overdue": "not reached, and the planned date has passed",
    "not yet due": "not reached, and the planned date is still to come",
}


def _reference_date(milestones: pd.DataFrame, as_of: object | None) -> pd.Timestamp:
    if as_of is not None:
        return pd.Timestamp(as_of)
    # the last date something is recorded as having happened; never the clock, so that a report
    # rebuilt later from the same records says the same thing
    actual = milestones["actual_date"].dropna()
    if len(actual):
        return pd.Timestamp(actual.max())
    planned = milestones["planned_date"].dropna()
    return pd.Timestamp(planned.max()) if len(planned) else pd.Timestamp("1970-01-01")


def _site_reference(milestones: pd.DataFrame, as_of: object | None) -> pd.Series:
    """The reference date of each milestone's own site (:func:`_reference_date` per site), so that a page
    for several sites counts each site's overdue days as that site's own page does."""
    if as_of is not None or "site" not in milestones.columns or milestones["site"].nunique() <= 1:
        return pd.Series(_reference_date(milestones, as_of), index=milestones.index)
    per = {site: _reference_date(g, None) for site, g in milestones.groupby("site", sort=False)}
    return milestones["site"].map(per)


def slippage(milestones: pd.DataFrame, as_of: object | None = None, tolerance_days: int = 14) -> pd.DataFrame:
    """One row per milestone with its slippage in days and a status (see ``STATUS_MEANING``).

    ``slippage_days`` is actual minus planned for reached milestones and, for overdue ones, the
    days from the planned date to ``as_of`` (a lower bound on the eventual slippage); it is empty
    for milestones not yet due. Rows are ordered by site, initiative and planned date.
    """
    _require(milestones, MILESTONE_COLUMNS, "milestones")
    ref = pd.to_datetime(_site_reference(milestones, as_of))
    out = milestones.loc[:, list(MILESTONE_COLUMNS)].copy()
    planned = pd.to_datetime(out["planned_date"])
    actual = pd.to_datetime(out["actual_date"])
    reached = actual.notna()
    days = (actual - planned).dt.days
    overdue = ~reached & (planned < ref)
    days = days.where(reached, (ref - planned).dt.days.where(overdue))
    status = pd.Series("not yet due", index=out.index, dtype="str")
    status = status.mask(reached & (days < -tolerance_days), "early")
    status = status.mask(reached & (days.abs() <= tolerance_days), "on time")
    status = status.mask(reached & (days > tolerance_days), "late")
    status = status.mask(overdue, "overdue")
    out["slippage_days"] = days.astype("Int64")
    out["reached"] = reached
    out["status"] = status
    return out.sort_values(["site", "initiative", "planned_date"], kind="stable").reset_index(drop=True)


def initiatives(milestones: pd.DataFrame, as_of: object | None = None,
                tolerance_days: int = 14) -> pd.DataFrame:
    """One row per site and initiative: its planned and actual span and how far it slipped.

    Columns: milestones, reached, planned_start, planned_end, actual_start, actual_end,
    planned_days (first to last planned date), actual_days (first to last actual date; to
    ``as_of`` while milestones are outstanding), final_slippage_days (slippage of the last planned
    milestone, so far if it is overdue), max_slippage_days, late (milestones late or overdue).
    """
    s = slippage(milestones, as_of=as_of, tolerance_days=tolerance_days)
    refs = _site_reference(milestones, as_of)
    rows = []
    for (site, initiative), g in s.groupby(["site", "initiative"], sort=True):
        g = g.sort_values("planned_date", kind="stable")
        ref = refs[milestones["site"] == site].iloc[0]
        actual = g["actual_date"].dropna()
        outstanding = not g["reached"].all()
        actual_end = actual.max() if len(actual) else pd.NaT
        span_end = ref if outstanding else actual_end
        rows.append({
            "site": site,
            "initiative": initiative,
            "milestones": len(g),
            "reached": int(g["reached"].sum()),
            "planned_start": g["planned_date"].min(),
            "planned_end": g["planned_date"].max(),
            "actual_start": actual.min() if len(actual) else pd.NaT,
            "actual_end": actual_end,
            "planned_days": (g["planned_date"].max() - g["planned_date"].min()).days,
            "actual_days": (span_end - actual.min()).days if len(actual) else pd.NA,
            "final_slippage_days": g["slippage_days"].iloc[-1],
            "max_slippage_days": g["slippage_days"].max(),
            "late": int(g["status"].isin(["late", "overdue"]).sum()),
        })
    out = pd.DataFrame(rows, columns=["site", "initiative", "milestones", "reached", "planned_start",
                                      "planned_end", "actual_start", "actual_end", "planned_days",
                                      "actual_days", "final_slippage_days", "max_slippage_days", "late"])
    for c in ("planned_days", "actual_days", "final_slippage_days", "max_slippage_days", "milestones",
              "reached", "late"):
        out[c] = out[c].astype("Int64")
    return out


def find_milestone(milestones: pd.DataFrame, initiative: str, contains: str,
                   site: str | None = None) -> pd.Series:
    """The single milestone of ``initiative`` whose name contains ``contains`` (case-insensitive).

    Raises ``KeyError`` naming the milestones there are when none or several match.
    """
    _require(milestones, MILESTONE_COLUMNS, "milestones")
    m = milestones[milestones["initiative"].str.casefold() == initiative.casefold()]
    if site is not None:
        m = m[m["site"] == site]
    hit = m[m["milestone"].str.casefold().str.contains(contains.casefold(), regex=False)]
    if len(hit) != 1:
        names = "; ".join(m["milestone"].astype(str)) or "none"
        raise KeyError(f"{len(hit)} milestones of {initiative!r} match {contains!r} (there are: {names})")
    return hit.iloc[0]


def elapsed_days(milestones: pd.DataFrame, initiative: str, start: str, end: str, site: str | None = None,
                 planned: bool = False) -> int | None:
    """Days from milestone ``start`` to milestone ``end`` of an initiative (names matched by substring).

    Uses actual dates (planned dates with ``planned=True``); ``None`` when either is not reached.
    """
    col = "planned_date" if planned else "actual_date"
    a = find_milestone(milestones, initiative, start, site)[col]
    b = find_milestone(milestones, initiative, end, site)[col]
    if pd.isna(a) or pd.isna(b):
        return None
    return int((pd.Timestamp(b) - pd.Timestamp(a)).days)


@dataclass(frozen=True)
class Window:
    """A period in which an initiative was being negotiated (from ``start`` to ``end``, inclusive)."""

    site: str
    initiative: str
    start: pd.Timestamp
    end: pd.Timestamp

    @property
    def days(self) -> int:
        return int((self.end - self.start).days)


def negotiation_window(milestones: pd.DataFrame, initiative: str, site: str | None = None,
                       start: str | None = None, end: str | None = None) -> Window:
    """From an initiative's first reached milestone (or ``start``) to its last reached one (or ``end``)."""
    _require(milestones, MILESTONE_COLUMNS, "milestones")
    m = milestones[milestones["initiative"].str.casefold() == initiative.casefold()]
    if site is not None:
        m = m[m["site"] == site]
    if m.empty:
        raise KeyError(f"no milestones for initiative {initiative!r}"
                       + (f" at site {site!r}" if site else ""))
    if m["site"].nunique() > 1:
        raise ValueError(f"initiative {initiative!r} appears at several sites; pass site=")
    a = find_milestone(m, initiative, start)["actual_date"] if start else m["actual_date"].min()
    b = find_milestone(m, initiative, end)["actual_date"] if end else m["actual_date"].max()
    if pd.isna(a) or pd.isna(b):
        raise ValueError(f"initiative {initiative!r} has not reached the milestones that bound its window")
    return Window(str(m["site"].iloc[0]), str(m["initiative"].iloc[0]), pd.Timestamp(a), pd.Timestamp(b))


def paused_during(activities: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Activities of the window's site that were paused or stopped and overlap the window.

    An activity overlaps when it started before the window ended and had not ended before it began.
    """
    _require(activities, ACTIVITY_COLUMNS, "activities")
    a = activities[activities["site"] == window.site]
    overlap = (a["start"] <= window.end) & (a["end"].isna() | (a["end"] >= window.start))
    out = a[overlap & a["status"].isin(["paused", "stopped"])]
    return out.loc[:, list(ACTIVITY_COLUMNS)].sort_values("start", kind="stable").reset_index(drop=True)


def activity_rate(participation: pd.DataFrame, window: Window,
                  margin_days: int | None = None, until: object | None = None) -> pd.DataFrame:
    """Attendances and young people per 30 days before, during and after a window, at its site.

    ``before`` and ``after`` cover ``margin_days`` each side (default: the window's own length), so
    the three periods are comparable; ``after`` stops at ``until`` (e.g. the programme end) if
    earlier. Columns: period, start, end, days, attendances, young_people, attendances_per_30_days.
    ``young_people`` is a count of people: publish it through cj.report.
    """
    _require(participation, ("young_person_id", "site", "date"), "participation")
    margin = pd.Timedelta(days=window.days if margin_days is None else margin_days)
    p = participation[participation["site"] == window.site]
    periods = [
        ("before", window.start - margin, window.start - pd.Timedelta(days=1)),
        ("during", window.start, window.end),
        ("after", window.end + pd.Timedelta(days=1), window.end + margin),
    ]
    if until is not None:
        stop = pd.Timestamp(until)
        periods = [(n, lo, min(hi, stop)) for n, lo, hi in periods if lo <= stop]
    rows = []
    for name, lo, hi in periods:
        inside = p[(p["date"] >= lo) & (p["date"] <= hi)]
        days = int((hi - lo).days) + 1
        rows.append({"period": name, "start": lo, "end": hi, "days": days, "attendances": len(inside),
                     "young_people": inside["young_person_id"].nunique(),
                     "attendances_per_30_days": round(len(inside) * 30 / days, 2) if days > 0 else pd.NA})
    return pd.DataFrame(rows)


def gantt_frame(milestones: pd.DataFrame, activities: pd.DataFrame | None = None,
                as_of: object | None = None) -> pd.DataFrame:
    """Bars for a Gantt-style chart: one planned and one actual bar per initiative, one bar per activity.

    Columns: site, label, group ("initiative" or "activity"), bar ("planned", "actual" or
    "activity"), start, end, open (True when the bar runs on to ``as_of`` because the work was
    not finished), status. Initiatives come first in order of planned start.
    """
    ini = initiatives(milestones, as_of=as_of)
    ref = _reference_date(milestones, as_of)
    rows = []
    for r in ini.sort_values("planned_start", kind="stable").itertuples(index=False):
        rows.append({"site": r.site, "label": r.initiative, "group": "initiative", "bar": "planned",
                     "start": r.planned_start, "end": r.planned_end, "open": False, "status": "planned"})
        if pd.notna(r.actual_start):
            done = r.reached == r.milestones
            rows.append({"site": r.site, "label": r.initiative, "group": "initiative", "bar": "actual",
                         "start": r.actual_start, "end": r.actual_end if done else ref, "open": not done,
                         "status": "complete" if done else "in progress"})
    if activities is not None and len(activities):
        _require(activities, ACTIVITY_COLUMNS, "activities")
        a_ref = max(ref, activities["start"].max())
        for r in activities.sort_values("start", kind="stable").itertuples(index=False):
            rows.append({"site": r.site, "label": r.name, "group": "activity", "bar": "activity",
                         "start": r.start, "end": r.end if pd.notna(r.end) else a_ref,
                         "open": bool(pd.isna(r.end)), "status": r.status})
    out = pd.DataFrame(rows, columns=["site", "label", "group", "bar", "start", "end", "open", "status"])
    out["start"] = pd.to_datetime(out["start"])
    out["end"] = pd.to_datetime(out["end"])
    return out


# --------------------------------------------------------------------------- reader-facing tables


def _months(days: object) -> object:
    return pd.NA if pd.isna(days) else round(float(days) / 30.44, 1)


def milestones_table(milestones: pd.DataFrame, as_of: object | None = None) -> pd.DataFrame:
    """Milestones for reading: initiative, milestone, planned and actual dates, days late, status,
    and the years from the initiative's first reached milestone to this one (e.g. proposal to launch).
    """
    s = slippage(milestones, as_of=as_of)
    first = s.groupby(["site", "initiative"])["actual_date"].transform("min")
    years = ((s["actual_date"] - first).dt.days / 365.25).round(1)
    return pd.DataFrame({"Initiative": s["initiative"], "Milestone": s["milestone"],
                         "Planned": s["planned_date"], "Actual": s["actual_date"],
                         "Days late (so far, if not reached)": s["slippage_days"], "Status": s["status"],
                         "Years since the first milestone": years})


def delays(milestones: pd.DataFrame, as_of: object | None = None) -> tuple[pd.DataFrame, str]:
    """(table, sentence) for "Plans against what happened": initiatives most delayed first, and the
    sentence naming the longest delay, read from the table's first row (one ordering, one source).

    An initiative's delay is that of its most delayed milestone: days late for a reached milestone,
    days overdue so far (to ``as_of``, by default the last date in the records) for one not reached.
    Columns: Initiative, Milestones reached, Planned start, Actual start, Planned span (months),
    Actual span (months), Most delayed milestone, Delay (days), Delay (months), Reached.
    """
    s = slippage(milestones, as_of=as_of)
    ini = initiatives(milestones, as_of=as_of)
    cols = ["Initiative", "Milestones reached", "Planned start", "Actual start", "Planned span (months)",
            "Actual span (months)", "Most delayed milestone", "Delay (days)", "Delay (months)", "Reached"]
    if ini.empty:
        return pd.DataFrame(columns=cols), "No milestones are recorded, so delays cannot be measured."
    s = s[s["slippage_days"].notna()]
    worst = (s.sort_values(["slippage_days", "planned_date"], ascending=[False, True], kind="stable")
             .drop_duplicates(["site", "initiative"]).set_index(["site", "initiative"]))
    key = list(zip(ini["site"], ini["initiative"], strict=True))
    w = worst.reindex(key)
    table = pd.DataFrame({
        "Initiative": ini["initiative"].to_numpy(),
        "Milestones reached": [f"{r} of {m}" for r, m in zip(ini["reached"], ini["milestones"], strict=True)],
        "Planned start": ini["planned_start"].to_numpy(), "Actual start": ini["actual_start"].to_numpy(),
        "Planned span (months)": ini["planned_days"].map(_months).to_numpy(),
        "Actual span (months)": ini["actual_days"].map(_months).to_numpy(),
        "Most delayed milestone": w["milestone"].to_numpy(),
        "Delay (days)": pd.array(w["slippage_days"].to_numpy(), dtype="Int64"),
        "Delay (months)": pd.Series(w["slippage_days"].to_numpy()).map(_months).to_numpy(),
        "Reached": w["reached"].map({True: "yes", False: "not yet (overdue)"}).to_numpy(),
    })
    if ini["site"].nunique() > 1:  # a page for several sites: "Programme" is one initiative per site
        table.insert(0, "Site", ini["site"].astype("str").str.title().to_numpy())
    table = table.sort_values(["Delay (days)", "Initiative"], ascending=[False, True], kind="stable",
                              na_position="last").reset_index(drop=True)
    if table.empty:
        return table, _delay_sentence(table, milestones, _reference_date(milestones, as_of))
    own = _same_initiative(milestones, table.iloc[0])  # the first row's site dates its "as of"
    refs = _site_reference(milestones, as_of)
    ref = refs.loc[own.index[0]] if len(own) else _reference_date(milestones, as_of)
    return table, _delay_sentence(table, milestones, pd.Timestamp(ref))


def overdue_sentence(milestones: pd.DataFrame, as_of: object | None = None) -> str:
    """A sentence naming every milestone past its planned date and not reached (as of ``as_of``, by
    default each site's last recorded date), with its initiative and the days overdue so far; the
    delays table shows only each initiative's most delayed milestone, so an unfinished one could
    otherwise hide behind a longer delay that was reached."""
    s = slippage(milestones, as_of=as_of)
    open_ = s[(s["status"] == "overdue")].sort_values("slippage_days", ascending=False, kind="stable")
    if open_.empty:
        return "Every milestone that was due by the end of the records was reached."
    several = "site" in s.columns and s["site"].nunique() > 1
    parts = [f"'{r['milestone']}' ({r['initiative']}{', ' + str(r['site']).title() if several else ''}), "
             f"{int(r['slippage_days'])} days past its planned date" for _, r in open_.iterrows()]
    return "Not reached by the end of the records: " + "; ".join(parts) + "."

#: the columns of :func:`delays`' table shown in the main text (the others go in an annex)
DELAY_MAIN_COLUMNS = ("Site", "Initiative", "Milestones reached", "Most delayed milestone", "Delay (days)",
                      "Delay (months)", "Reached")


def delays_main(table: pd.DataFrame) -> pd.DataFrame:
    """The narrow version of :func:`delays`' table for the main text, rows in the same order."""
    return table.loc[:, [c for c in DELAY_MAIN_COLUMNS if c in table.columns]]


def _same_initiative(frame: pd.DataFrame, row: pd.Series) -> pd.DataFrame:
    """The rows of ``frame`` (milestones or slippage) of the initiative a :func:`delays` row names."""
    same = frame[frame["initiative"] == row["Initiative"]]
    if "Site" in row.index and "site" in frame.columns:
        same = same[same["site"].astype("str").str.title() == row["Site"]]
    return same


def _delay_sentence(table: pd.DataFrame, milestones: pd.DataFrame, ref: pd.Timestamp) -> str:
    top = table.iloc[0]
    if not milestones["actual_date"].notna().any():
        return "No milestone is recorded as reached, so delays cannot be measured from these records."
    if pd.isna(top["Delay (days)"]):
        return "No milestone has a measurable delay in these records."
    days = int(top["Delay (days)"])
    if days <= 14:
        return "Every initiative reached its milestones within two weeks of the planned dates."
    if top["Reached"] == "yes":
        same = _same_initiative(milestones, top)
        hit = same[same["milestone"] == top["Most delayed milestone"]]["actual_date"].iloc[0]
        span = (pd.Timestamp(hit) - pd.Timestamp(same["actual_date"].min())).days
        since = f", {span / 365.25:.1f} years after the initiative's first milestone" if span > 0 else ""
        return (f"The longest delay: {_named(top)} reached '{top['Most delayed milestone']}' on "
                f"{pd.Timestamp(hit).date().isoformat()}, {days} days ({days / 30.44:.0f} months) after the "
                f"planned date{since}.")
    return (f"The longest delay: {_named(top)} has not reached '{top['Most delayed milestone']}', "
            f"{days} days ({days / 30.44:.0f} months) after the planned date as of "
            f"{ref.date().isoformat()}.")


def _named(row: pd.Series) -> str:
    return f"{row['Initiative']} ({row['Site']})" if "Site" in row.index else str(row["Initiative"])


def initiatives_table(milestones: pd.DataFrame, as_of: object | None = None) -> pd.DataFrame:
    """Initiatives for reading, most delayed first (the table of :func:`delays`)."""
    return delays(milestones, as_of=as_of)[0]


def most_delayed(milestones: pd.DataFrame) -> pd.Series:
    """The reached milestone with the largest slippage (a row of :func:`slippage`).

    Not necessarily the milestone :func:`delays` names: that counts overdue milestones too.
    """
    s = slippage(milestones)
    reached = s[s["reached"]]
    if reached.empty:
        raise ValueError("no milestone has been reached")
    return reached.loc[reached["slippage_days"].idxmax()]


#: the statuses that say an activity's own work is finished
FINISHED = ("completed", "handed_over")
#: when the evaluation's second interim report was published (the digests report what came after it)
INTERIM_REPORT_2 = pd.Timestamp("2022-07-01")


def _milestones_of(activities: pd.DataFrame, milestones: pd.DataFrame,
                   as_of: object | None = None) -> pd.DataFrame:
    """Per activity: milestones recorded for an initiative of the same name, reached and overdue."""
    s = slippage(milestones, as_of=as_of) if len(milestones) else milestones.assign(reached=False,
                                                                                   status="")
    rows = []
    for r in activities.itertuples(index=False):
        m = s[(s["site"] == r.site) & (s["initiative"].str.casefold() == str(r.name).casefold())]
        rows.append({"milestones": len(m), "reached": int(m["reached"].sum()),
                     "overdue": int((m["status"] == "overdue").sum())})
    return pd.DataFrame(rows, index=activities.index, columns=["milestones", "reached", "overdue"])


def status_conflicts(activities: pd.DataFrame, milestones: pd.DataFrame,
                     as_of: object | None = None) -> pd.DataFrame:
    """Activities whose recorded status disagrees with their milestones or dates.

    Rules: a finished activity (``FINISHED``) has an end date and no milestone overdue; a running
    activity has no end date before the last date in the records; a paused or stopped one has an
    end date (when it paused or stopped). Columns: site, activity_id, name, status, problem.
    """
    _require(activities, ACTIVITY_COLUMNS, "activities")
    ms = _milestones_of(activities, milestones, as_of)
    ref = _reference_date(milestones, as_of) if len(milestones) else None
    rows = []
    for (_i, r), m in zip(activities.iterrows(), ms.itertuples(index=False), strict=True):
        problem = None
        if r["status"] in FINISHED and m.overdue:
            problem = f"{r['status']}, but {m.overdue} of its milestones are overdue"
        elif r["status"] in FINISHED and pd.isna(r["end"]):
            problem = f"{r['status']}, but no end date is recorded"
        elif r["status"] in ("paused", "stopped") and pd.isna(r["end"]):
            problem = f"{r['status']}, but no date is recorded for it"
        elif r["status"] == "running" and pd.notna(r["end"]) and ref is not None and r["end"] < ref:
            problem = "running, but it ended before the last date in the records"
        if problem:
            rows.append({"site": r["site"], "activity_id": r["activity_id"], "name": r["name"],
                         "status": r["status"], "problem": problem})
    return pd.DataFrame(rows, columns=["site", "activity_id", "name", "status", "problem"])


def activities_table(activities: pd.DataFrame, milestones: pd.DataFrame | None = None) -> pd.DataFrame:
    """Activities for reading, in order of start: name, kind, start, end, status and, with
    ``milestones``, how many of the milestones recorded for it were reached (so the status can be
    read against them; :func:`status_conflicts` lists any disagreement).
    """
    _require(activities, ACTIVITY_COLUMNS, "activities")
    a = activities.sort_values("start", kind="stable")
    out = pd.DataFrame({"Activity": a["name"], "Kind": a["kind"], "Started": a["start"], "Ended": a["end"],
                        "Status": a["status"].str.replace("_", " ")})
    if milestones is not None:
        m = _milestones_of(a, milestones)
        out["Milestones reached"] = [f"{x.reached} of {x.milestones}" if x.milestones else ""
                                     for x in m.itertuples(index=False)]
    if a["site"].nunique() > 1:
        out.insert(0, "Site", a["site"].astype("str").str.title())
    return out.reset_index(drop=True)


def describe_status_conflicts(activities: pd.DataFrame, milestones: pd.DataFrame,
                              as_of: object | None = None) -> str:
    """One sentence for the activities table: that every finished activity has its milestones reached,
    or which activities' recorded status disagrees with their milestones or dates
    (:func:`status_conflicts`), so that no activity is called completed while a milestone is overdue
    without a flag."""
    bad = status_conflicts(activities, milestones, as_of=as_of)
    if bad.empty:
        return ("Every activity's recorded status agrees with its dates and milestones: none is recorded as "
                "completed or handed over while one of its milestones is overdue.")
    parts = "; ".join(f"{r.name}: {r.problem}" for r in bad.itertuples(index=False))
    return (f"The records disagree with themselves for {len(bad)} "
            f"activit{'y' if len(bad) == 1 else 'ies'} (read the status with care): {parts}.")


def activities_since(activities: pd.DataFrame, since: object = INTERIM_REPORT_2) -> tuple[pd.DataFrame, str]:
    """(table, sentence) for "What took place since the interim report": the activities that started
    after ``since`` or were still running then, in order of start, with their descriptions.

    Columns: Activity, Kind, Started, Ended, Status, What it was, New since then (yes/no).
    """
    _require(activities, ACTIVITY_COLUMNS, "activities")
    when = pd.Timestamp(since)
    a = activities[activities["end"].isna() | (activities["end"] >= when)].sort_values("start", kind="stable")
    desc = a["description"] if "description" in a.columns else pd.Series(pd.NA, index=a.index)
    table = pd.DataFrame({"Activity": a["name"], "Kind": a["kind"], "Started": a["start"], "Ended": a["end"],
                          "Status": a["status"].str.replace("_", " "), "What it was": desc,
                          "New since then": (a["start"] >= when).map({True: "yes", False: "no"})})
    if a["site"].nunique() > 1:  # a page for several sites: the site instead of the kind of activity
        table = table.drop(columns="Kind")
        table.insert(0, "Site", a["site"].astype("str").str.title())
    table = table.reset_index(drop=True)
    new = int((table["New since then"] == "yes").sum())
    sentence = (f"Since {when.strftime('%B %Y')}, {len(table)} activit{'y' if len(table) == 1 else 'ies'} "
                f"ran or started: {new} new and {len(table) - new} continuing.")
    return table, sentence


def activity_counts(activities: pd.DataFrame, participation: pd.DataFrame | None = None) -> dict[str, int]:
    """The one definition of "activities" used on every page: ``recorded`` (rows of the activity
    records), ``attended`` (those with attendance in the participation register), ``not_attended``
    (practice and systems work, outputs, things given rather than attended).
    """
    _require(activities, ACTIVITY_COLUMNS, "activities")
    names = set(activities["name"].astype("str"))
    attended = set() if participation is None else set(participation["activity"].astype("str")) & names
    return {"recorded": len(activities), "attended": len(attended), "not_attended": len(names - attended)}


def describe_activity_counts(activities: pd.DataFrame, participation: pd.DataFrame | None = None) -> str:
    """One sentence stating :func:`activity_counts` (the note beside any count of activities)."""
    c = activity_counts(activities, participation)
    return (f"{c['recorded']} activities are recorded; young people's attendance is registered for "
            f"{c['attended']} of them (the others are practice or systems work, outputs, or things given "
            "rather than attended).")


def describe_delay(milestones: pd.DataFrame, as_of: object | None = None) -> str:
    """The sentence naming the longest delay: the first row of :func:`delays`' table."""
    return delays(milestones, as_of=as_of)[1]


def rate_table(participation: pd.DataFrame, window: Window, until: object | None = None) -> pd.DataFrame:
    """:func:`activity_rate` for reading (young people is a count of people)."""
    r = activity_rate(participation, window, until=until)
    return pd.DataFrame({"Period": r["period"].str.capitalize(), "From": r["start"], "To": r["end"],
                         "Attendances": r["attendances"], "Young people": r["young_people"],
                         "Attendances per 30 days": r["attendances_per_30_days"]})


def describe_pauses(activities: pd.DataFrame, window: Window | None) -> str:
    """One plain sentence on the activities paused or stopped while ``window``'s initiative was negotiated."""
    if window is None:
        return "No delayed initiative with a measurable negotiation window is recorded."
    paused = paused_during(activities, window)
    when = f"between {window.start.date().isoformat()} and {window.end.date().isoformat()}"
    if paused.empty:
        return (f"No activity is recorded as paused or stopped {when}, from {window.initiative}'s first "
                "milestone to its most delayed one.")
    names = "; ".join(f"{r.name} ({r.status})" for r in paused.itertuples(index=False))
    return (f"{len(paused)} activit{'y was' if len(paused) == 1 else 'ies were'} paused or stopped {when}, "
            f"from {window.initiative}'s first milestone to its most delayed one: {names}. The records "
            "show the timing, not the reason.")


def quietest_stretch(participation: pd.DataFrame, window: Window, months: int = 6) -> pd.DataFrame:
    """The ``months`` inside a window with the fewest attendances, against the same length just before it.

    Stretches start on the window's start date and every month after it, and must end inside the
    window. Rows: "before the window", "quietest stretch in the window"; columns: period, start,
    end, attendances, young_people (a count of people: publish through cj.report),
    attendances_per_30_days. Returns an empty frame when the window is shorter than ``months``.
    """
    _require(participation, ("young_person_id", "site", "date"), "participation")
    cols = ["period", "start", "end", "attendances", "young_people", "attendances_per_30_days"]
    p = participation[participation["site"] == window.site]
    step = pd.DateOffset(months=months)
    starts = []
    s = window.start
    while s + step - pd.Timedelta(days=1) <= window.end:
        starts.append(s)
        s = s + pd.DateOffset(months=1)
    if not starts:
        return pd.DataFrame(columns=cols)

    def stretch(name: str, lo: pd.Timestamp) -> dict:
        hi = lo + step - pd.Timedelta(days=1)
        inside = p[(p["date"] >= lo) & (p["date"] <= hi)]
        days = (hi - lo).days + 1
        return {"period": name, "start": lo, "end": hi, "attendances": len(inside),
                "young_people": inside["young_person_id"].nunique(),
                "attendances_per_30_days": round(len(inside) * 30 / days, 2)}

    inside = [stretch("quietest stretch in the window", lo) for lo in starts]
    quietest = min(inside, key=lambda r: r["attendances"])
    before = stretch("before the window", window.start - step)
    return pd.DataFrame([before, quietest], columns=cols)


def quietest_table(participation: pd.DataFrame, window: Window | None, months: int = 6) -> pd.DataFrame:
    """:func:`quietest_stretch` for reading (empty when there is no window)."""
    if window is None:
        return pd.DataFrame(columns=["Period", "From", "To", "Attendances", "Young people",
                                     "Attendances per 30 days"])
    q = quietest_stretch(participation, window, months=months)
    return pd.DataFrame({"Period": q["period"].str.capitalize(), "From": q["start"], "To": q["end"],
                         "Attendances": q["attendances"], "Young people": q["young_people"],
                         "Attendances per 30 days": q["attendances_per_30_days"]})


def monthly_attendances(participation: pd.DataFrame, site: str | None = None) -> pd.Series:
    """Attendances per calendar month (every month from the first to the last, zeros included)."""
    _require(participation, ("young_person_id", "site", "date"), "participation")
    p = participation if site is None else participation[participation["site"] == site]
    if p.empty:
        return pd.Series(dtype="int64")
    m = pd.PeriodIndex(pd.to_datetime(p["date"]), freq="M")
    counts = pd.Series(1, index=m).groupby(level=0).sum()
    full = pd.period_range(m.min(), m.max(), freq="M")
    return counts.reindex(full, fill_value=0).astype("int64")


def delay_window(milestones: pd.DataFrame, as_of: object | None = None) -> Window | None:
    """The negotiation window of the initiative the delay sentence names (the first row of
    :func:`delays`): from its first reached milestone to its most delayed milestone (or, when that
    is not reached, to the last date in the records). None when it has no reached milestone or the
    window has no length.
    """
    table, _ = delays(milestones, as_of=as_of)
    if table.empty or pd.isna(table.loc[0, "Delay (days)"]) or not milestones["actual_date"].notna().any():
        return None
    name = table.loc[0, "Initiative"]
    s = slippage(milestones, as_of=as_of)
    same = _same_initiative(s, table.loc[0])
    site = str(same["site"].iloc[0])
    start = same["actual_date"].min()
    if pd.isna(start):
        return None
    worst = same[same["milestone"] == table.loc[0, "Most delayed milestone"]].iloc[0]
    end = worst["actual_date"] if worst["reached"] else _reference_date(milestones, as_of)
    if pd.Timestamp(end) <= pd.Timestamp(start):
        return None
    return Window(site, str(name), pd.Timestamp(start), pd.Timestamp(end))
